"""The worker's work pages: the list of work orders and one order's page (confirm, check in and out by
location or the employer's QR code, cancel; every hours correction; the payment with receipt confirmation or
a report that it never arrived; ratings both ways with the appeal), and the QR scan landing page. Counter
staff serving a worker see the same pages, marked as assisted.

Without JavaScript the check-in form still works with the QR token field (static/work/checkin.js only fills
the hidden lat/lng fields from the browser's location)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.forms import apply_domain_error
from jobs.views.counter import acting_context, acting_worker

from .. import selectors, services
from ..choices import CheckMethod, WorkOrderStatus
from ..forms import AppealForm, CheckForm, NotReceivedForm, RatingForm, ReasonForm
from .common import WORKER_SIDE, clean, label, payment_rows, rating_context

WORKER_STEPS = ("confirm", "check-in", "check-out", "cancel")


def _worker_orders(request):
    worker, assisted = acting_worker(request)
    return selectors.work_order_list_for_worker(worker=worker), worker, assisted


def _own_order(request, pk: int):
    orders, worker, assisted = _worker_orders(request)
    order = orders.filter(pk=pk).first()
    if order is None:
        raise Http404
    return order, worker, assisted


@login_required
def work_list(request):
    """The worker's work orders: upcoming first, then past ones."""
    orders, worker, assisted = _worker_orders(request)
    today = timezone.localdate()
    upcoming = list(orders.filter(work_date__gte=today).order_by("work_date", "starts_at")[:60])
    past = list(orders.filter(work_date__lt=today).order_by("-work_date")[:60])
    label([*upcoming, *past])
    return render(request, "work/list.html", {"upcoming": upcoming, "past": past, **acting_context(request)})


def _detail(request, order, assisted, *, status_code=200, **forms):
    status = order.effective_status
    payments = payment_rows(order, viewer_is_worker=not assisted)
    awaiting = next((p for p in payments if p.awaits_receipt), None)
    check_form = forms.pop("check_form", None)
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
        "check_form": check_form,
        "radius": settings.LINGONG_CHECKIN_RADIUS_M,
        "payments": payments,
        "awaiting_receipt": awaiting,
        "not_received_form": forms.pop("not_received_form", None) or NotReceivedForm(),
        **rating_context(order, status, **WORKER_SIDE, **forms),
        **acting_context(request),
    }
    return render(request, "work/detail.html", context, status=status_code)


@login_required
def work_detail(request, pk: int):
    orders, worker, assisted = _worker_orders(request)
    order = orders.prefetch_related("corrections").filter(pk=pk).first()
    if order is None:
        raise Http404
    return _detail(request, order, assisted)


@login_required
@require_POST
def work_step(request, pk: int, step: str):
    """The worker's steps (or counter staff's for the worker they serve)."""
    if step not in WORKER_STEPS:
        raise Http404
    order, worker, assisted = _own_order(request, pk)
    actor = request.user
    try:
        if step == "confirm":
            services.work_order_confirm(order=order, actor=actor, request=request)
            messages.success(request, _("已确认到岗。"))
        elif step == "cancel":
            data = clean(ReasonForm, request.POST)
            services.work_order_cancel(order=order, actor=actor, reason=data["reason"], request=request)
            messages.success(request, _("已取消。"))
        else:
            data = clean(CheckForm, request.POST)
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
                    order=order,
                    actor=actor,
                    request=request,
                    pieces=data["pieces"],
                    confirm_short=data["confirm_short"],
                    **kwargs,
                )
                messages.success(request, _("签退成功。"))
    except DomainError as exc:
        if exc.code == "short_shift":
            # ask once more, keeping what was typed: the same form with the confirmation box
            form = CheckForm(request.POST)
            form.is_valid()
            apply_domain_error(form, exc)
            order = _own_order(request, pk)[0]
            return _detail(request, order, assisted, status_code=400, check_form=form)
        messages.error(request, str(exc.message))
    return redirect("work:detail", pk=order.pk)


def _payment_of(order, request):
    payment = next(
        (p for p in selectors.payments_of(order) if str(p.pk) == request.POST.get("payment")), None
    )
    if payment is None:
        raise Http404
    return payment


@login_required
@require_POST
def confirm_receipt(request, pk: int):
    """确认收款: the worker says the employer's recorded transfer arrived; the order is settled."""
    order, worker, assisted = _own_order(request, pk)
    try:
        services.payment_confirm_receipt(
            payment=_payment_of(order, request), actor=request.user, request=request
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("已确认收款，这天的活已结算。欢迎评价用工方。"))
    return redirect("work:detail", pk=order.pk)


@login_required
@require_POST
def report_not_received(request, pk: int):
    """没收到钱: the worker reports that the recorded transfer never arrived (the order becomes disputed and
    county staff are alerted)."""
    order, worker, assisted = _own_order(request, pk)
    payment = _payment_of(order, request)
    form = NotReceivedForm(request.POST)
    if form.is_valid():
        try:
            services.payment_report_not_received(
                payment=payment, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已反映未收到劳务费，人社部门会跟进核实，也可拨打 12333。"))
            return redirect("work:detail", pk=order.pk)
    return _detail(request, order, assisted, status_code=400, not_received_form=form)


@login_required
@require_POST
def rate(request, pk: int):
    """The worker rates the employer of a completed order, once."""
    order, worker, assisted = _own_order(request, pk)
    form = RatingForm(request.POST, tags=services.tag_values(WORKER_SIDE["mine"]))
    if form.is_valid():
        try:
            services.rating_create(work_order=order, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("谢谢您的评价。"))
            return redirect("work:detail", pk=order.pk)
    return _detail(request, order, assisted, status_code=400, form=form)


@login_required
@require_POST
def appeal(request, pk: int):
    """The worker appeals the employer's rating of them, once."""
    order, worker, assisted = _own_order(request, pk)
    rating = selectors.ratings_of(order).get(WORKER_SIDE["theirs"])
    if rating is None:
        raise Http404
    form = AppealForm(request.POST)
    if form.is_valid():
        try:
            services.rating_appeal(
                rating=rating, actor=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("申诉已提交，工作人员会尽快处理。"))
            return redirect("work:detail", pk=order.pk)
    return _detail(request, order, assisted, status_code=400, appeal_form=form)


@login_required
def work_scan(request, pk: int):
    """Where the employer's QR code leads: the worker confirms the check-in (or check-out) with the token."""
    order, worker, assisted = _own_order(request, pk)
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
                    order=order,
                    actor=request.user,
                    method=CheckMethod.QR,
                    qr_token=token,
                    confirm_short=bool(request.POST.get("confirm_short")),
                    request=request,
                )
                messages.success(request, _("签退成功。"))
            return redirect("work:detail", pk=order.pk)
        except DomainError as exc:
            messages.error(request, str(exc.message))
    return render(request, "work/scan.html", {"order": order, "token": token, "step": step})
