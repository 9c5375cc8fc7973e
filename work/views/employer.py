"""The employer's work pages: the timesheet (approve, correct hours, record the end, no-show, cancel) with
the QR code they show, one work order's page (pay it, see the payment's state, rate the worker, appeal the
worker's rating) and 付款, the list of what is to be paid and of past payments."""

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
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import DomainError
from core.forms import apply_domain_error
from jobs.qr import qr_svg
from jobs.selectors import employer_profile_of

from .. import selectors, services
from ..choices import PaymentBackend, PaymentStatus, RefundStatus, WorkOrderStatus
from ..forms import (
    AppealForm,
    ApproveForm,
    CorrectHoursForm,
    PayForm,
    RatingForm,
    ReasonForm,
    RecordEndForm,
    RefundForm,
)
from .common import EMPLOYER_SIDE, clean, day_word, label, payment_rows, rating_context

EMPLOYER_STEPS = ("approve", "correct", "record-end", "no-show", "cancel")


def _employer_orders(request):
    if employer_profile_of(request.user) is None:
        raise Http404
    return selectors.work_order_list_for_employer(user=request.user)


def _order(request, pk: int):
    order = _employer_orders(request).prefetch_related("corrections").filter(pk=pk).first()
    if order is None:
        raise Http404
    return order


@login_required
def timesheet(request):
    """The employer's timesheet: a day's orders (today by default) with their steps, and what waits for
    approval."""
    if employer_profile_of(request.user) is None:
        return redirect("jobs:employer_register")
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
    today = timezone.localdate()
    unconfirmed = list(selectors.work_orders_unconfirmed(employer_user=request.user))
    for order in unconfirmed:
        order.when_label = day_word(timezone.localtime(order.starts_at).date(), today)
    for order in [*rows, *waiting]:
        order.amount_due = selectors.effective_amount(order)
    label([*rows, *waiting])
    context = {
        "day": day,
        "prev_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "rows": rows,
        "waiting": waiting,
        "unconfirmed": unconfirmed,
        "to_pay": selectors.work_orders_to_pay(user=request.user).count(),
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
            data = clean(ApproveForm, post)
            services.work_order_approve(order=order, actor=actor, pieces=data["pieces"], request=request)
            messages.success(request, _("已确认工时和金额，请付款。"))
            return redirect("work:employer_order", pk=order.pk)
        if step == "correct":
            data = clean(CorrectHoursForm, post)
            services.work_order_correct_hours(order=order, actor=actor, request=request, **data)
            messages.success(request, _("已更正，劳动者可以看到更正记录。"))
        elif step == "record-end":
            data = clean(RecordEndForm, post)
            services.work_order_record_end(order=order, actor=actor, request=request, **data)
            messages.success(request, _("已记录结束时间。"))
        elif step == "no-show":
            data = clean(ReasonForm, post)
            services.work_order_mark_no_show(order=order, actor=actor, reason=data["reason"], request=request)
            messages.success(request, _("已记为未到岗。"))
        else:
            data = clean(ReasonForm, post)
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


# --- one order: pay and rate -------------------------------------------------------------------------------


def _order_page(request, order, *, status_code=200, pay_form=None, refund_form=None, **forms):
    status = order.effective_status
    payments = payment_rows(order, viewer_is_worker=False)
    live = next((p for p in payments if p.status in (PaymentStatus.PENDING, PaymentStatus.SUCCEEDED)), None)
    can_pay = status == WorkOrderStatus.APPROVED and live is None
    backend = settings.LINGONG_PAYMENT_BACKEND
    if can_pay and pay_form is None:
        pay_form = PayForm(backend=backend)
    checkout = None
    if live is not None and live.status == PaymentStatus.PENDING and live.checkout_url:
        # WeChat Pay Native: the payer scans the code_url; Alipay: the employer opens the pay URL.
        checkout = {
            "payment": live,
            "qr": qr_svg(live.checkout_url, title=_("微信支付二维码"))
            if live.backend == PaymentBackend.WECHATPAY
            else None,
            "url": live.checkout_url if live.backend != PaymentBackend.WECHATPAY else "",
        }
    can_refund = (
        live is not None
        and live.status == PaymentStatus.SUCCEEDED
        and live.backend != PaymentBackend.OFFLINE
        and not any(r.status in ("pending", "succeeded") for r in live.refunds.all())
    )
    if can_refund and refund_form is None:
        refund_form = RefundForm()
    context = {
        "checkout": checkout,
        "sync_payment": live if live is not None and live.status == PaymentStatus.PENDING else None,
        "refund_form": refund_form if can_refund else None,
        "refund_payment": live if can_refund else None,
        "refunds": [r for p in payments for r in p.refunds.all()],
        "order": order,
        "status": status,
        "status_label": WorkOrderStatus(status).label,
        "amount": selectors.effective_amount(order),
        "corrections": list(order.corrections.all()),
        "payments": payments,
        "live_payment": live,
        "pay_form": pay_form if can_pay else None,
        "offline": backend == PaymentBackend.OFFLINE,
        **rating_context(order, status, **EMPLOYER_SIDE, **forms),
    }
    return render(request, "work/employer_order.html", context, status=status_code)


@login_required
def employer_order(request, pk: int):
    return _order_page(request, _order(request, pk))


@login_required
@require_POST
def pay(request, pk: int):
    """Pay an approved order: an offline transfer is requested and recorded at once (the worker then confirms
    receipt); an online payment starts at the gateway and settles on its callback."""
    order = _order(request, pk)
    backend = settings.LINGONG_PAYMENT_BACKEND
    form = PayForm(request.POST, backend=backend)
    if form.is_valid():
        data = form.cleaned_data
        try:
            payment = services.payment_request(
                work_order=order,
                actor=request.user,
                idempotency_key=data["idempotency_key"],
                method=data["method"],
                request=request,
            )
            if backend == PaymentBackend.OFFLINE and payment.status == PaymentStatus.PENDING:
                services.payment_record_offline(
                    payment=payment,
                    actor=request.user,
                    method=data["method"],
                    payee_account=data.get("payee_account", ""),
                    note=data["note"],
                    request=request,
                )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if backend == PaymentBackend.OFFLINE:
                messages.success(request, _("已登记付款，等待劳动者确认收款。"))
            elif backend == PaymentBackend.WECHATPAY:
                messages.success(request, _("已生成微信支付二维码，请用微信扫码付款。"))
            elif backend == PaymentBackend.ALIPAY:
                messages.success(request, _("已生成支付宝付款链接，请点击前往支付宝付款。"))
            else:
                messages.success(request, _("已发起在线支付，支付结果会显示在这里。"))
            return redirect("work:employer_order", pk=order.pk)
    return _order_page(request, _order(request, pk), status_code=400, pay_form=form)


@login_required
@require_POST
def employer_rate(request, pk: int):
    order = _order(request, pk)
    form = RatingForm(request.POST, tags=services.tag_values(EMPLOYER_SIDE["mine"]))
    if form.is_valid():
        try:
            services.rating_create(work_order=order, actor=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("谢谢您的评价。"))
            return redirect("work:employer_order", pk=order.pk)
    return _order_page(request, order, status_code=400, form=form)


@login_required
@require_POST
def employer_appeal(request, pk: int):
    order = _order(request, pk)
    rating = selectors.ratings_of(order).get(EMPLOYER_SIDE["theirs"])
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
            return redirect("work:employer_order", pk=order.pk)
    return _order_page(request, order, status_code=400, appeal_form=form)


def _payment_of(request, pk: int, payment_id: int):
    order = _order(request, pk)
    payment = order.payments.filter(pk=payment_id).first()
    if payment is None:
        raise Http404
    return order, payment


@login_required
@require_POST
def pay_sync(request, pk: int, payment_id: int):
    """查询支付结果: ask the provider about a pending online payment now (the callback may be late)."""
    order, payment = _payment_of(request, pk, payment_id)
    try:
        payment = services.payment_sync(payment=payment, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if payment.status == PaymentStatus.SUCCEEDED:
            messages.success(request, _("支付成功，用工单已结算。"))
        elif payment.status == PaymentStatus.FAILED:
            messages.error(request, _("支付未成功：%(r)s") % {"r": payment.failure_reason})
        else:
            messages.info(request, _("通道尚未收到付款，请付款后再查询。"))
    return redirect(reverse("work:employer_order", args=[order.pk]) + "#payment")


@login_required
@require_POST
def pay_refund(request, pk: int, payment_id: int):
    """退款: refund a succeeded online payment in full; the order is owed again."""
    order, payment = _payment_of(request, pk, payment_id)
    form = RefundForm(request.POST)
    if form.is_valid():
        try:
            refund = services.payment_refund(
                payment=payment,
                actor=request.user,
                idempotency_key=form.cleaned_data["idempotency_key"],
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            if refund.status == RefundStatus.SUCCEEDED:
                messages.success(request, _("已退款，用工单恢复为待付款。"))
            else:
                messages.info(request, _("退款已提交，结果会显示在这里。"))
            return redirect(reverse("work:employer_order", args=[order.pk]) + "#payment")
    return _order_page(request, _order(request, pk), status_code=400, refund_form=form)


@login_required
@require_http_methods(["GET"])
def payments(request):
    """付款: the completed orders still to be paid, then the payments made and their state."""
    if employer_profile_of(request.user) is None:
        return redirect("jobs:employer_register")
    to_pay = list(selectors.work_orders_to_pay(user=request.user)[:100])
    for order in to_pay:
        order.amount_due = selectors.effective_amount(order)
    made = list(selectors.payments_of_employer(user=request.user)[:100])
    return render(request, "work/payments.html", {"to_pay": to_pay, "payments": made})
