"""Reconciliation (对账) of online payments whose callback never came: ask the provider (``Gateway.query``)
about payments pending longer than ``LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES`` and refunds still pending, and
apply its answer as its callback would have been applied; past the timeout, close the provider's order and
fail the payment. Run by ``work.tasks.payment_reconcile_task`` (every 5 minutes) and ``manage.py
payments_reconcile``; the employer's 查询支付结果 button asks for one payment at once (``payment_sync``).
The provider is asked outside any lock; the answer is applied under the locks (work order, payment, refund)
after re-checking that the row is still pending, so a callback that arrives meanwhile wins and nothing is
applied twice."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.permissions import require_access

from ..choices import PaymentBackend, PaymentStatus, RefundStatus
from ..gateways import GATEWAYS, GatewayUnavailable, ProviderState
from ..models import PAYMENT_WORKFLOW, REFUND_WORKFLOW, WORK_ORDER_WORKFLOW, Payment, Refund
from ..permissions import is_order_employer, is_order_staff, is_order_worker
from .payments import payment_apply_outcome
from .refunds import refund_apply

logger = logging.getLogger(__name__)


def _apply(payment_id: int, order_id: int, state, *, reason: str) -> str:
    """Apply a provider state to a pending payment under the locks; the status it ended in."""
    with transaction.atomic():
        order = WORK_ORDER_WORKFLOW.lock(order_id, select_related=("posting__employer",))
        payment = PAYMENT_WORKFLOW.lock(payment_id)
        if payment.status != PaymentStatus.PENDING or state.status == PaymentStatus.PENDING:
            return payment.status
        if (
            state.status == PaymentStatus.SUCCEEDED
            and state.amount is not None
            and state.amount != payment.amount
        ):
            logger.error(
                "query of payment %s: amount %s differs from %s", payment.pk, state.amount, payment.amount
            )
            return payment.status
        payment_apply_outcome(
            order=order,
            payment=payment,
            succeeded=state.status == PaymentStatus.SUCCEEDED,
            reason=reason if state.status == PaymentStatus.SUCCEEDED else (state.reason or reason),
            provider_txn=state.provider_txn,
        )
        return payment.status


def _reconcile_one(payment: Payment, *, timed_out: bool) -> str:
    gateway = GATEWAYS.get(payment.backend)
    state = gateway.query(payment)
    if state is not None and state.status != PaymentStatus.PENDING:
        return _apply(payment.pk, payment.work_order_id, state, reason=_("对账查询：通道确认已支付"))
    if not timed_out:
        return PaymentStatus.PENDING
    gateway.close(payment)  # a paid order cannot be closed: the provider refuses and we ask again next time
    return _apply(
        payment.pk,
        payment.work_order_id,
        ProviderState(status=PaymentStatus.FAILED, reason=_("支付超时，未收到通道通知")),
        reason=_("支付超时，未收到通道通知"),
    )


def payment_reconcile(*, now=None, older_than_minutes: int | None = None) -> dict[str, int]:
    """Ask the providers about online payments pending longer than ``older_than_minutes`` (default
    ``LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES``) and about pending refunds. Safe to run twice or
    concurrently. Returns counts: succeeded, failed, pending, refunds, errors."""
    now = now or timezone.now()
    minutes = (
        settings.LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES if older_than_minutes is None else older_than_minutes
    )
    timeout = now - dt.timedelta(minutes=settings.LINGONG_SANDBOX_TIMEOUT_MINUTES)
    counts = {"succeeded": 0, "failed": 0, "pending": 0, "refunds": 0, "errors": 0}
    pending = (
        Payment.objects.filter(
            status=PaymentStatus.PENDING, created_at__lt=now - dt.timedelta(minutes=minutes)
        )
        .exclude(backend=PaymentBackend.OFFLINE)
        .order_by("created_at")[:500]
    )
    for payment in pending:
        try:
            status = _reconcile_one(payment, timed_out=payment.created_at < timeout)
        except GatewayUnavailable:
            counts["errors"] += 1
            continue
        counts[status if status in counts else "pending"] += 1
    refunds = Refund.objects.filter(status=RefundStatus.PENDING, created_at__lt=now).select_related("payment")
    for refund in refunds.order_by("created_at")[:500]:
        try:
            state = GATEWAYS[refund.payment.backend].query_refund(refund.payment, refund)
        except GatewayUnavailable:
            counts["errors"] += 1
            continue
        if state is None or state.status == RefundStatus.PENDING:
            continue
        with transaction.atomic():
            order = WORK_ORDER_WORKFLOW.lock(
                refund.payment.work_order_id, select_related=("posting__employer",)
            )
            payment = PAYMENT_WORKFLOW.lock(refund.payment_id)
            locked = REFUND_WORKFLOW.lock(refund.pk)
            if refund_apply(
                order=order, payment=payment, refund=locked, status=state.status, reason=state.reason
            ):
                counts["refunds"] += 1
    return counts


def payment_expire_stale(*, now=None) -> int:
    """Online payments still pending past the provider's timeout (``LINGONG_SANDBOX_TIMEOUT_MINUTES``) are
    asked about once more and, unless the provider says they were paid, closed there and failed ("超时"), so
    that a new attempt may start. A late success callback for one is stored and logged. Returns how many
    failed."""
    minutes = settings.LINGONG_SANDBOX_TIMEOUT_MINUTES
    return payment_reconcile(now=now, older_than_minutes=minutes)["failed"]


def payment_sync(*, payment: Payment, actor) -> Payment:
    """The employer (or staff in scope) asks for the result of one pending online payment now: the same
    query as the reconciliation scan, whatever its age. Returns the payment as it is after."""
    order = WORK_ORDER_WORKFLOW.model.objects.select_related("posting__employer").get(
        pk=payment.work_order_id
    )
    require_access(
        allowed=is_order_employer(order, actor) or is_order_staff(order, actor),
        visible=is_order_worker(order, actor),
    )
    if payment.status == PaymentStatus.PENDING and payment.backend != PaymentBackend.OFFLINE:
        _reconcile_one(payment, timed_out=False)
    payment.refresh_from_db()
    return payment
