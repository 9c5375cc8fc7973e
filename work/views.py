"""Pages of work orders: the worker's list and work order page (confirm, check in and out by location or
the employer's QR code, cancel; every hours correction shown), the QR scan landing page, and the employer's
timesheet (approve, correct hours, record the end, no-show, cancel) with the QR code they show.

And a worker's earnings with a printable earnings statement (收入证明), used later for subsidies.

Server-rendered and mobile first; without JavaScript the check-in form still works with the QR token field
(static/work/checkin.js only fills the hidden lat/lng fields from the browser's location). Reads come from
the scoped selectors (404 outside scope); writes go through the services."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.models import Division
from jobs.qr import qr_svg
from jobs.selectors import employer_profile_of
from jobs.views.counter import acting_context, acting_worker

from . import selectors, services
from .choices import CheckMethod, WorkOrderStatus
from .forms import ApproveForm, CheckForm, CorrectHoursForm, ReasonForm, RecordEndForm, earnings_period

WORKER_STEPS = ("confirm", "check-in", "check-out", "cancel")
EMPLOYER_STEPS = ("approve", "correct", "record-end", "no-show", "cancel")


def _worker_orders(request):
    worker, assisted = acting_worker(request)
    return selectors.work_order_list_for_worker(worker=worker), worker, assisted


def _label(orders) -> None:
    for order in orders:
        order.status_label = WorkOrderStatus(order.effective_status).label


def _clean(form_class, data) -> dict:
    """The step's input, or a DomainError naming what was wrong (shown as a message; nothing changes)."""
    form = form_class(data)
    if form.is_valid():
        return form.cleaned_data
    errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
    first = next(iter(errors.values()))[0]
    raise DomainError(first, fields=errors)


@login_required
def work_list(request):
    """The worker's work orders: upcoming first, then past ones."""
    orders, worker, assisted = _worker_orders(request)
    today = timezone.localdate()
    upcoming = list(orders.filter(work_date__gte=today).order_by("work_date", "starts_at")[:60])
    past = list(orders.filter(work_date__lt=today).order_by("-work_date")[:60])
    _label([*upcoming, *past])
    return render(request, "work/list.html", {"upcoming": upcoming, "past": past, **acting_context(request)})


@login_required
def work_detail(request, pk: int):
    orders, worker, assisted = _worker_orders(request)
    order = orders.prefetch_related("corrections").filter(pk=pk).first()
    if order is None:
        raise Http404
    status = order.effective_status
    context = {
        "order": order,
        "status": status,
        "status_label": WorkOrderStatus(status).label,
        "amount": selectors.effective_amount(order),
        "corrections": list(order.corrections.all()),
        "events": list(order.events.select_related("actor").order_by("at", "id")),
        "assisted": assisted,
        "can_confirm": order.status == WorkOrderStatus.SCHEDULED,
        "can_check_in": order.status in selectors.LIVE,
        "can_check_out": order.status == WorkOrderStatus.CHECKED_IN,
        "can_cancel": order.status in selectors.LIVE,
        "radius": settings.LINGONG_CHECKIN_RADIUS_M,
        **acting_context(request),
    }
    return render(request, "work/detail.html", context)


@login_required
@require_POST
def work_step(request, pk: int, step: str):
    """The worker's steps (or counter staff's for the worker they serve)."""
    if step not in WORKER_STEPS:
        raise Http404
    orders, worker, assisted = _worker_orders(request)
    order = orders.filter(pk=pk).first()
    if order is None:
        raise Http404
    actor = request.user
    try:
        if step == "confirm":
            services.work_order_confirm(order=order, actor=actor, request=request)
            messages.success(request, _("已确认到岗。"))
        elif step == "cancel":
            data = _clean(ReasonForm, request.POST)
            services.work_order_cancel(order=order, actor=actor, reason=data["reason"], request=request)
            messages.success(request, _("已取消。"))
        else:
            data = _clean(CheckForm, request.POST)
            if assisted:
                kwargs = {"method": CheckMethod.COUNTER}
            elif data["qr_token"]:
                kwargs = {"method": CheckMethod.QR, "qr_token": data["qr_token"]}
            else:
                kwargs = {"method": CheckMethod.GPS, "lat": data["lat"], "lng": data["lng"]}
            if step == "check-in":
                services.work_order_check_in(order=order, actor=actor, request=request, **kwargs)
                messages.success(request, _("签到成功。"))
            else:
                services.work_order_check_out(
                    order=order, actor=actor, request=request, pieces=data["pieces"], **kwargs
                )
                messages.success(request, _("签退成功。"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect("work:detail", pk=order.pk)


@login_required
def work_scan(request, pk: int):
    """Where the employer's QR code leads: the worker confirms the check-in (or check-out) with the token."""
    orders, worker, assisted = _worker_orders(request)
    order = orders.filter(pk=pk).first()
    if order is None:
        raise Http404
    token = request.POST.get("qr_token") or request.GET.get("t", "")
    step = "check-out" if order.status == WorkOrderStatus.CHECKED_IN else "check-in"
    if request.method == "POST":
        try:
            if step == "check-in":
                services.work_order_check_in(
                    order=order, actor=request.user, method=CheckMethod.QR, qr_token=token, request=request
                )
                messages.success(request, _("签到成功。"))
            else:
                services.work_order_check_out(
                    order=order, actor=request.user, method=CheckMethod.QR, qr_token=token, request=request
                )
                messages.success(request, _("签退成功。"))
            return redirect("work:detail", pk=order.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(request, "work/scan.html", {"order": order, "token": token, "step": step})


# --- the employer -----------------------------------------------------------------------------------------


def _employer_orders(request):
    if employer_profile_of(request.user) is None:
        raise Http404
    return selectors.work_order_list_for_employer(user=request.user)


@login_required
def timesheet(request):
    """The employer's timesheet: a day's orders (today by default) with their steps, and what waits for
    approval."""
    orders = _employer_orders(request)
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    rows = list(
        orders.filter(work_date=day).prefetch_related("corrections").order_by("posting_id", "starts_at")
    )
    waiting = list(
        orders.filter(effective_status=WorkOrderStatus.CHECKED_OUT)
        .exclude(work_date=day)
        .order_by("approval_deadline")[:100]
    )
    unconfirmed = list(selectors.work_orders_unconfirmed(employer_user=request.user))
    for order in [*rows, *waiting]:
        order.amount_due = selectors.effective_amount(order)
    _label([*rows, *waiting])
    context = {
        "day": day,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "rows": rows,
        "waiting": waiting,
        "unconfirmed": unconfirmed,
        "now": timezone.now(),
    }
    return render(request, "work/timesheet.html", context)


@login_required
@require_POST
def timesheet_step(request, pk: int, step: str):
    if step not in EMPLOYER_STEPS:
        raise Http404
    order = _employer_orders(request).filter(pk=pk).first()
    if order is None:
        raise Http404
    post, actor = request.POST, request.user
    try:
        if step == "approve":
            data = _clean(ApproveForm, post)
            services.work_order_approve(order=order, actor=actor, pieces=data["pieces"], request=request)
            messages.success(request, _("已确认工时和金额。"))
        elif step == "correct":
            data = _clean(CorrectHoursForm, post)
            services.work_order_correct_hours(order=order, actor=actor, request=request, **data)
            messages.success(request, _("已更正，劳动者可以看到更正记录。"))
        elif step == "record-end":
            data = _clean(RecordEndForm, post)
            services.work_order_record_end(order=order, actor=actor, request=request, **data)
            messages.success(request, _("已记录结束时间。"))
        elif step == "no-show":
            data = _clean(ReasonForm, post)
            services.work_order_mark_no_show(order=order, actor=actor, reason=data["reason"], request=request)
            messages.success(request, _("已记为未到岗。"))
        else:
            data = _clean(ReasonForm, post)
            services.work_order_cancel(order=order, actor=actor, reason=data["reason"], request=request)
            messages.success(request, _("已取消。"))
    except DomainError as exc:
        messages.error(request, str(exc.message))
    return redirect(f"{reverse('work:timesheet')}?date={order.work_date.isoformat()}")


@login_required
def qr_page(request, pk: int):
    """The QR code the employer shows at the site; the worker scans it with their phone's camera."""
    order = _employer_orders(request).filter(pk=pk).first()
    if order is None:
        raise Http404
    url = request.build_absolute_uri(reverse("work:scan", args=[order.pk])) + f"?t={order.qr_token}"
    return render(request, "work/qr.html", {"order": order, "qr": qr_svg(url, title=_("签到码")), "url": url})


# --- a worker's earnings ------------------------------------------------------------------------------------


@login_required
def earnings(request):
    """The worker's settled work orders and their totals per month (their own, whatever their roles)."""
    start, end = earnings_period(request.GET)
    orders, months, total, count = selectors.earnings(request.user, start=start, end=end)
    orders = orders.select_related("posting", "posting__occupation", "posting__employer").order_by(
        "-work_date", "-id"
    )[:200]
    return render(
        request,
        "work/earnings.html",
        {"orders": orders, "months": months, "total": total, "count": count},
    )


def bureau_name() -> str:
    city = (
        Division.objects.filter(code=settings.LINGONG_CITY_CODE).values_list("name", flat=True).first() or ""
    )
    return _("%(city)s人力资源和社会保障局") % {"city": city}


@login_required
def earnings_statement(request):
    """The printable earnings statement (收入证明 / 灵活就业证明) for the chosen months."""
    start, end = earnings_period(request.GET)
    _orders, months, total, count = selectors.earnings(request.user, start=start, end=end)
    context = {
        "person": request.user,
        "id_masked": request.user.masked_id_number,
        "months": months,
        "first": months[-1]["month"] if months else None,
        "last": months[0]["month"] if months else None,
        "total": total,
        "count": count,
        "days": sum(row["days"] for row in months),
        "today": timezone.localdate(),
        "bureau": bureau_name(),
        "site_name": settings.LINGONG_SITE_NAME,
    }
    return render(request, "work/earnings_statement.html", context)
