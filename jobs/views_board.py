"""Public boards: job fairs (list, detail, register and book buttons that work without JavaScript) and the
market board — the full-screen information screen of an operating market that shows today's and
tomorrow's open postings nearby, in very large type, and reloads itself every minute (no login, no JS)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.models import User
from core.errors import DomainError
from core.geo import bounding_box, distance_km_expression
from markets.models import Market

from . import fairs
from .choices import WageUnit
from .models import EmployerProfile, FairRegistration, Posting
from .qr import qr_svg

BOARD_RADIUS_KM = 10.0
BOARD_PAGE_SIZE = 4  # postings per screen (large type); each refresh turns the page
BOARD_MAX_POSTINGS = 60
BOARD_REFRESH_SECONDS = 60


def posting_path(pk: int) -> str:
    """The public page of a posting, /jobs/<id>/ (what the QR codes on the board open)."""
    return reverse("jobs:detail", args=[pk])


# --- the market board -------------------------------------------------------------------------------------


def board_postings(
    *, market, today: dt.date, radius_km: float = BOARD_RADIUS_KM, limit: int = BOARD_MAX_POSTINGS
):
    """Open postings with work today or tomorrow that are attached to the market or lie within
    ``radius_km`` of it (haversine, after a bounding-box prefilter), soonest first, then nearest."""
    tomorrow = today + dt.timedelta(days=1)
    min_lat, max_lat, min_lng, max_lng = bounding_box(market.lat, market.lng, radius_km)
    near = Q(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    return list(
        Posting.objects.open(today)
        .filter(work_start_date__lte=tomorrow)
        .filter(Q(market=market) | near)
        .annotate(distance_km=distance_km_expression(market.lat, market.lng))
        .filter(Q(market=market) | Q(distance_km__lte=radius_km))
        .select_related("occupation", "employer")
        .order_by("work_start_date", "distance_km", "-daily_wage", "id")[:limit]
    )


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def wage_text(posting: Posting) -> str:
    text = f"{_amount(posting.wage_amount)} {posting.get_wage_unit_display()}"
    if posting.wage_unit in (WageUnit.PIECE, WageUnit.JOB, WageUnit.HOUR):
        text += _("（约 %(d)s 元/天）") % {"d": _amount(posting.daily_wage)}
    return text


@dataclass
class BoardItem:
    posting: Posting
    day: str
    wage: str
    distance: str
    qr: str


@never_cache
def market_board(request, market_id: int):
    """The information screen of one operating market (404 for any other)."""
    market = Market.objects.public().filter(pk=market_id).first()
    if market is None:
        raise Http404
    now = timezone.localtime()
    today = now.date()
    postings = board_postings(market=market, today=today)
    pages = max((len(postings) + BOARD_PAGE_SIZE - 1) // BOARD_PAGE_SIZE, 1)
    try:
        page = min(max(int(request.GET.get("page", 1)), 1), pages)
    except ValueError:
        page = 1
    shown = postings[(page - 1) * BOARD_PAGE_SIZE : page * BOARD_PAGE_SIZE]
    items = []
    for p in shown:
        day = _("今天") if p.work_start_date <= today else _("明天")
        distance = (
            _("本市场") if p.market_id == market.pk else _("%(km)s 公里") % {"km": f"{p.distance_km:.1f}"}
        )
        url = request.build_absolute_uri(posting_path(p.pk))
        items.append(
            BoardItem(
                posting=p,
                day=day,
                wage=wage_text(p),
                distance=distance,
                qr=qr_svg(url, title=_("扫码查看岗位")),
            )
        )
    next_page = page + 1 if page < pages else 1
    context = {
        "market": market,
        "items": items,
        "total": len(postings),
        "today_count": sum(1 for p in postings if p.work_start_date <= today),
        "page": page,
        "pages": pages,
        "refreshed_at": now,
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "refresh_url": f"?page={next_page}" if pages > 1 else "",
        "radius_km": int(BOARD_RADIUS_KM),
    }
    return render(request, "jobs/board.html", context)


# --- job fairs ---------------------------------------------------------------------------------------------


class BookForm(forms.Form):
    positions = forms.CharField(
        label=gettext_lazy("拟招岗位"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("例如：电工2名、保洁5名"),
    )


class AssistForm(forms.Form):
    phone = forms.CharField(
        label=gettext_lazy("求职者手机号"),
        max_length=16,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )


class OutcomeForm(forms.Form):
    attendance = forms.IntegerField(label=gettext_lazy("到场人数"), min_value=0)
    intents = forms.IntegerField(label=gettext_lazy("达成意向人数"), min_value=0)
    hires = forms.IntegerField(label=gettext_lazy("实际录用人数"), min_value=0)


def fair_list(request):
    filterset = _fair_filter(request)
    fair_rows = list(filterset.qs) if filterset.is_valid() else list(fairs.fair_list(user=request.user))
    now = timezone.now()
    upcoming = [f for f in fair_rows if f.ends_at >= now]
    past = [f for f in fair_rows if f.ends_at < now]
    return render(
        request, "jobs/fair_list.html", {"filter": filterset, "fairs": upcoming, "past_fairs": past}
    )


def _fair_filter(request):
    return fairs.JobFairFilterSet(request.GET or None, queryset=fairs.fair_list(user=request.user))


def _get_fair(request, pk: int):
    fair = fairs.fair_get(user=request.user, pk=pk)
    if fair is None:
        raise Http404
    return fair


def fair_detail(request, pk: int):
    fair = _get_fair(request, pk)
    user = request.user
    employer = EmployerProfile.objects.filter(user=user).first() if user.is_authenticated else None
    registered = user.is_authenticated and FairRegistration.objects.filter(fair=fair, worker=user).exists()
    booths = list(fairs.fair_booths(fair=fair))
    can_record = fairs.fair_can_record(user=user, fair=fair)
    now = timezone.now()
    context = {
        "fair": fair,
        "booths": booths,
        "booths_left": max(fair.booth_capacity - len(booths), 0),
        "is_worker": user.is_authenticated and user.has_role("worker"),
        "registered": registered,
        "employer": employer,
        "booked": employer is not None and any(b.employer_id == employer.pk for b in booths),
        "can_assist": fairs.fair_can_assist(user=user, fair=fair) and fair.ends_at > now,
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
        if not form.is_valid() or not fairs.fair_can_assist(user=request.user, fair=fair):
            messages.error(request, _("请填写正确的手机号。"))
            return redirect("board:fair_detail", pk=fair.pk)
        worker = User.objects.filter(phone=form.cleaned_data["phone"].strip(), is_active=True).first()
        if worker is None or not worker.has_role("worker"):
            messages.error(request, _("没有找到该手机号的求职登记，请先为其办理求职登记。"))
            return redirect("board:fair_detail", pk=fair.pk)
    try:
        fairs.fair_register_worker(fair=fair, worker=worker, actor=request.user, request=request)
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
        fairs.fair_book_booth(
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
        fairs.fair_record_outcome(fair=fair, actor=request.user, request=request, **form.cleaned_data)
    except DomainError as exc:
        return _failed(request, fair, exc)
    return _done(request, fair, _("已登记招聘会成效。"))
