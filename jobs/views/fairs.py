"""Job fairs (集市, 夜市): the list, a fair's page, and the register, book and outcome buttons (they work
without JavaScript)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .. import selectors, services
from ..filtersets import JobFairFilterSet
from ..forms import AssistForm, BookForm, OutcomeForm
from ..models import EmployerProfile, FairRegistration


def fair_list(request):
    filterset = _fair_filter(request)
    fair_rows = list(filterset.qs) if filterset.is_valid() else list(selectors.fair_list(user=request.user))
    now = timezone.now()
    upcoming = [f for f in fair_rows if f.ends_at >= now]
    past = [f for f in fair_rows if f.ends_at < now]
    return render(
        request, "jobs/fair_list.html", {"filter": filterset, "fairs": upcoming, "past_fairs": past}
    )


def _fair_filter(request):
    return JobFairFilterSet(request.GET or None, queryset=selectors.fair_list(user=request.user))


def _get_fair(request, pk: int):
    fair = selectors.fair_get(user=request.user, pk=pk)
    if fair is None:
        raise Http404
    return fair


def fair_detail(request, pk: int):
    fair = _get_fair(request, pk)
    user = request.user
    employer = EmployerProfile.objects.filter(user=user).first() if user.is_authenticated else None
    registered = user.is_authenticated and FairRegistration.objects.filter(fair=fair, worker=user).exists()
    booths = list(selectors.fair_booths(fair=fair))
    can_record = selectors.fair_can_record(user=user, fair=fair)
    now = timezone.now()
    context = {
        "fair": fair,
        "booths": booths,
        "booths_left": max(fair.booth_capacity - len(booths), 0),
        "is_worker": user.is_authenticated and user.has_role("worker"),
        "registered": registered,
        "employer": employer,
        "booked": employer is not None and any(b.employer_id == employer.pk for b in booths),
        "can_assist": selectors.fair_can_assist(user=user, fair=fair) and fair.ends_at > now,
        "can_record": can_record and fair.starts_at <= now,
        "booking_open": fair.starts_at > now,
        "registration_open": fair.ends_at > now,
        "book_form": BookForm(),
        "assist_form": AssistForm(),
        "outcome_form": OutcomeForm(
            initial={"attendance": fair.attendance, "intents": fair.intents, "hires": fair.hires}
        ),
    }
    return render(request, "jobs/fair_detail.html", context)


def _done(request, fair, message: str):
    messages.success(request, message)
    return redirect("board:fair_detail", pk=fair.pk)


def _failed(request, fair, exc: DomainError):
    if exc.status == 404:
        raise Http404
    text = str(exc.message)
    details = [
        str(m)
        for msgs in (exc.fields or {}).values()
        for m in (msgs if isinstance(msgs, list | tuple) else [msgs])
    ]
    extra = [d for d in details if d != text]
    messages.error(request, "；".join([text, *extra]))
    return redirect("board:fair_detail", pk=fair.pk)


@login_required
@require_POST
def fair_register(request, pk: int):
    """The worker registers; staff and counter staff register the worker whose phone they enter."""
    fair = _get_fair(request, pk)
    worker = request.user
    if "phone" in request.POST:
        form = AssistForm(request.POST)
        if not form.is_valid() or not selectors.fair_can_assist(user=request.user, fair=fair):
            messages.error(request, _("请填写正确的手机号。"))
            return redirect("board:fair_detail", pk=fair.pk)
        try:
            worker = selectors.worker_at_counter(
                actor=request.user, phone=form.cleaned_data["phone"], request=request
            )
        except DomainError as exc:
            return _failed(request, fair, exc)
        if worker is None or not worker.has_role("worker"):
            messages.error(request, _("没有找到该手机号的求职登记，请先为其办理求职登记。"))
            return redirect("board:fair_detail", pk=fair.pk)
    try:
        services.fair_register_worker(fair=fair, worker=worker, actor=request.user, request=request)
    except DomainError as exc:
        return _failed(request, fair, exc)
    if worker.pk != request.user.pk:
        return _done(request, fair, _("已为 %(w)s 报名。") % {"w": worker})
    return _done(request, fair, _("报名成功，请按时到场。"))


@login_required
@require_POST
def fair_book(request, pk: int):
    fair = _get_fair(request, pk)
    employer = EmployerProfile.objects.filter(user=request.user).first()
    if employer is None:
        messages.error(request, _("请先完成用工登记，再预订展位。"))
        return redirect("board:fair_detail", pk=fair.pk)
    form = BookForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("拟招岗位最多200字。"))
        return redirect("board:fair_detail", pk=fair.pk)
    try:
        services.fair_book_booth(
            fair=fair,
            employer=employer,
            actor=request.user,
            positions=form.cleaned_data["positions"],
            request=request,
        )
    except DomainError as exc:
        return _failed(request, fair, exc)
    return _done(request, fair, _("展位预订成功。"))


@login_required
@require_POST
def fair_outcome(request, pk: int):
    fair = _get_fair(request, pk)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写不小于0的整数。"))
        return redirect("board:fair_detail", pk=fair.pk)
    try:
        services.fair_record_outcome(fair=fair, actor=request.user, request=request, **form.cleaned_data)
    except DomainError as exc:
        return _failed(request, fair, exc)
    return _done(request, fair, _("已登记招聘会成效。"))
