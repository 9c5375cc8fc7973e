"""The counter: staff (or a market operator's counter staff) find a worker by their full mobile number and
serve them through the same pages the worker uses (marked as assisted), and write referral slips (介绍信).
``acting_worker`` tells every page whose pages these are."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services as account_services
from accounts.cards import card_pass_remember, card_presented
from accounts.models import CounterAccount, User
from core.errors import DomainError
from core.forms import apply_domain_error
from core.masking import mask_id_number, mask_name, mask_phone

from .. import selectors, services
from ..choices import ApplicationSource
from ..forms import CounterCardForm, CounterLookupForm, ReferralForm
from ..matching import recommend_postings
from ..models import Application, WorkerProfile, WorkerSkill
from ..permissions import can_serve_counter, workers_served_by
from ..qr import qr_svg
from .common import wage_text

COUNTER_SESSION_KEY = "jobs_counter_worker"


def acting_worker(request):
    """(worker, assisted): whose pages these are. At a counter, the worker the staff member is serving
    (chosen on the counter page); otherwise the signed-in person."""
    user = request.user
    if not user.is_authenticated:
        return None, False
    worker_id = request.session.get(COUNTER_SESSION_KEY)
    if worker_id and can_serve_counter(user):
        worker = workers_served_by(user).filter(pk=worker_id).first()
        if worker is not None:
            return worker, True
        if card_presented(request, worker_id):
            # A card holder from another county (any counter in the city serves them): each request that
            # acts for them is an audit row in their county (ADR 0019).
            worker = (
                User.objects.filter(pk=worker_id, is_active=True, counter_account__isnull=False)
                .select_related("scope_unit")
                .first()
            )
            if worker is not None:
                if not getattr(request, "_card_access_noted", False):
                    request._card_access_noted = True
                    account_services.card_access_note(actor=user, worker=worker, request=request)
                return worker, True
    return user, False


def worker_label(worker) -> str:
    """Whom the counter serves, masked: the name and the number, or the worker card for one without."""
    if worker.phone:
        return f"{mask_name(worker.real_name)} {mask_phone(worker.phone)}"
    return _("%(name)s（服务卡）") % {"name": mask_name(worker.real_name)}


def acting_context(request) -> dict:
    """The counter banner: whom the staff member is serving (masked)."""
    worker, assisted = acting_worker(request)
    if not assisted:
        return {"acting_worker": None}
    return {
        "acting_worker": worker,
        "acting_label": worker_label(worker),
    }


def _require_counter(request) -> None:
    if not can_serve_counter(request.user):
        raise PermissionDenied


def _look_up(request, lookup):
    """The worker the counter asked for by their whole number, or None with the reason on the form."""
    try:
        worker = selectors.worker_at_counter(
            actor=request.user, phone=lookup.cleaned_data["phone"], request=request
        )
    except DomainError as exc:  # too many lookups this hour
        lookup.add_error("phone", str(exc.message))
        return None
    if worker is None:
        lookup.add_error("phone", _("没有找到该号码的用户（或不在您的服务范围内）。请先协助其注册账号。"))
    return worker


@login_required
@require_http_methods(["GET", "POST"])
def counter(request):
    """The counter: find a worker by their full mobile number, then serve them through the worker pages
    (registration, search, apply), or refer them to a posting with a printed slip."""
    _require_counter(request)
    lookup = CounterLookupForm(request.POST if request.POST.get("action") == "lookup" else None)
    card = CounterCardForm(request.POST if request.POST.get("action") == "card" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "card" and card.is_valid():
            try:
                worker = account_services.card_holder_find(
                    actor=request.user, card_number=card.cleaned_data["card_number"], request=request
                )
            except DomainError as exc:
                apply_domain_error(card, exc)
            else:
                card_pass_remember(request, worker.pk)
                request.session[COUNTER_SESSION_KEY] = worker.pk
                messages.success(request, _("正在为 %(who)s 办理。") % {"who": worker_label(worker)})
                return redirect("jobs:counter")
        if action == "end":
            request.session.pop(COUNTER_SESSION_KEY, None)
            messages.success(request, _("已结束代办。"))
            return redirect("jobs:counter")
        if action == "lookup" and lookup.is_valid():
            worker = _look_up(request, lookup)
            if worker is not None:
                request.session[COUNTER_SESSION_KEY] = worker.pk
                messages.success(
                    request,
                    _("正在为 %(who)s 办理。") % {"who": worker_label(worker)},
                )
                return redirect("jobs:counter")
    worker, assisted = acting_worker(request)
    context = {
        "lookup": lookup,
        "card": card,
        # the accounts this staff member opened (their cards can be printed again from here)
        "opened": [
            (a, worker_label(a.user))
            for a in CounterAccount.objects.filter(created_by=request.user).select_related("user")[:10]
        ],
        "worker": worker if assisted else None,
        "referral": ReferralForm(),
        **acting_context(request),
    }
    if assisted:
        context.update(_counter_worker_context(worker))
    return render(request, "jobs/counter.html", context, status=400 if lookup.errors or card.errors else 200)


def _counter_worker_context(worker) -> dict:
    profile = (
        WorkerProfile.objects.filter(user=worker)
        .prefetch_related(Prefetch("skills", queryset=WorkerSkill.objects.select_related("occupation")))
        .first()
    )
    recommendations = list(recommend_postings(worker=worker, limit=10)) if profile else []
    for rec in recommendations:
        rec.obj.wage_display = wage_text(rec.obj)
        rec.obj.distance = getattr(rec, "distance_km", None)
    return {
        "worker_label": worker_label(worker),
        "counter_account": CounterAccount.objects.filter(user=worker).first(),
        "profile": profile,
        "recommendations": recommendations,
    }


@login_required
@require_POST
def referral_create(request):
    """职业介绍: staff refer the worker they are serving to a posting, with notes; then print the slip."""
    _require_counter(request)
    worker, assisted = acting_worker(request)
    if not assisted:
        messages.error(request, _("请先输入劳动者手机号码，选择要服务的劳动者。"))
        return redirect("jobs:counter")
    form = ReferralForm(request.POST)
    if form.is_valid():
        posting = selectors.posting_list(user=request.user).filter(pk=form.cleaned_data["posting"]).first()
        if posting is None:
            form.add_error("posting", _("没有找到该岗位，或岗位不在您的服务范围内。"))
        else:
            try:
                application = services.application_apply(
                    posting=posting,
                    worker=worker,
                    actor=request.user,
                    source=ApplicationSource.REFERRAL,
                    note=form.cleaned_data["note"],
                    request=request,
                )
            except DomainError as exc:
                form.add_error("posting", str(exc.message))
            else:
                messages.success(request, _("已介绍，请打印介绍信交给劳动者。"))
                return redirect("jobs:referral_slip", pk=application.pk)
    context = {
        "lookup": CounterLookupForm(),
        "card": CounterCardForm(),
        "worker": worker,
        "referral": form,
        **acting_context(request),
    }
    context.update(_counter_worker_context(worker))
    return render(request, "jobs/counter.html", context, status=400)


@login_required
def referral_slip(request, pk: int):
    """The printable referral slip (介绍信) with a QR code of the posting's page."""
    base = Application.objects.select_related(
        "posting",
        "posting__occupation",
        "posting__employer",
        "posting__scope_unit",
        "posting__market",
        "worker",
        "acted_by",
    ).filter(pk=pk, source=ApplicationSource.REFERRAL)
    application = base.filter(
        Q(pk__in=selectors.application_list(user=request.user).values("pk")) | Q(acted_by=request.user)
    ).first()
    if application is None:
        raise Http404
    posting = application.posting
    url = request.build_absolute_uri(reverse("jobs:detail", args=[posting.pk]))
    posting.wage_display = wage_text(posting)
    context = {
        "application": application,
        "posting": posting,
        "worker": application.worker,
        "worker_id_masked": mask_id_number(application.worker.id_number),
        "worker_phone_masked": mask_phone(application.worker.phone) or _("无（持服务卡）"),
        "contact_name": mask_name(posting.contact_name),
        "contact_phone": mask_phone(posting.contact_phone),
        "referrer": application.acted_by,
        "qr_svg": qr_svg(url, title=_("扫码查看岗位详情")),
        "posting_url": url,
        "today": timezone.localdate(),
    }
    return render(request, "jobs/referral_slip.html", context)
