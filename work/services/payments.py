"""Settlement and payment of labor fees (线上劳务费支付): the services that move a payment along
PAYMENT_TRANSITIONS through a gateway (``work.gateways``), the sandbox provider at work, and the wage-arrears
scan. Idempotency: see ``work.gateways``; locks are always taken work order first, then payment."""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.permissions import require_access
from jobs.notifications import notify
from jobs.permissions import serves_card_holder, staff_for

from ..choices import PaymentBackend, PaymentMethod, PaymentStatus, RefundStatus, WorkOrderStatus
from ..gateways import (
    GATEWAYS,
    OFFLINE_METHODS,
    gateway_for,
    sandbox_headers,
    sandbox_notification,
    sandbox_outcome,
)
from ..models import (
    PAYMENT_WORKFLOW,
    REFUND_WORKFLOW,
    WORK_ORDER_WORKFLOW,
    ArrearsAlert,
    Payment,
    PaymentCallback,
    Refund,
    RejectedCallbackCount,
    WorkOrder,
)
from .refunds import refund_apply
from .work_orders import work_order_approve_if_due, work_order_move

logger = logging.getLogger(__name__)


def sandbox_deliver(payment_id: int) -> int | None:
    """The sandbox provider at work (called by the task): send the callback the payment's amount calls
    for. Returns the HTTP-like status of the delivery, None when it times out or has nothing to do."""
    payment = Payment.objects.filter(pk=payment_id, backend=PaymentBackend.SANDBOX).first()
    if payment is None or payment.status != PaymentStatus.PENDING:
        return None
    outcome = sandbox_outcome(payment.amount)
    if outcome is None:
        return None
    body = sandbox_notification(payment, outcome)
    headers = sandbox_headers(body)
    url = getattr(settings, "LINGONG_SANDBOX_CALLBACK_URL", "")
    if settings.CELERY_TASK_ALWAYS_EAGER or not url:
        return payment_callback(backend=PaymentBackend.SANDBOX, body=body, headers=headers).status
    req = urllib.request.Request(
        url, data=body, headers={**headers, "Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


# --- helpers ------------------------------------------------------------------------------------------------


def _payment_move(
    payment: Payment,
    to_status: str,
    actor,
    *,
    reason: str = "",
    fields: tuple[str, ...] = (),
    request=None,
    on_behalf_of=None,
) -> Payment:
    """Move a (locked) payment; event row and audit row in the caller's transaction."""
    return PAYMENT_WORKFLOW.move(
        payment,
        to_status,
        actor=actor,
        reason=reason,
        fields=fields,
        request=request,
        on_behalf_of=on_behalf_of,
    )


def work_order_settle(order: WorkOrder, actor, *, reason: str, request=None, on_behalf_of=None) -> bool:
    """approved → settled on a locked work order; an open arrears alert is resolved."""
    if order.status != WorkOrderStatus.APPROVED:
        return False
    order.settled_at = timezone.now()
    work_order_move(
        order,
        WorkOrderStatus.SETTLED,
        actor,
        reason=reason,
        fields=("settled_at",),
        request=request,
        on_behalf_of=on_behalf_of,
    )
    ArrearsAlert.objects.filter(work_order=order, resolved_at__isnull=True).update(
        resolved_at=order.settled_at
    )
    return True


def _payer(order: WorkOrder, actor) -> bool:
    """The employer of the order, or staff in its scope (paying for them)."""
    return order.posting.employer.user_id == actor.pk or staff_for(actor, order.posting.scope_unit_id)


def _locked_order(order_id: int) -> WorkOrder:
    return WORK_ORDER_WORKFLOW.lock(order_id, select_related=("posting__employer",))


def _locked_payment(payment_id: int) -> Payment:
    return PAYMENT_WORKFLOW.lock(payment_id)


# --- requesting a payment -----------------------------------------------------------------------------------


def _replay(key: str, work_order: WorkOrder, actor) -> Payment | None:
    existing = (
        Payment.objects.filter(idempotency_key=key).select_related("work_order__posting__employer").first()
    )
    if existing is None:
        return None
    require_access(allowed=_payer(existing.work_order, actor), visible=False)
    if existing.work_order_id != work_order.pk:
        raise DomainError(
            _("该幂等键已用于另一笔支付。"),
            code="idempotency_key_reused",
            fields={"idempotency_key": [_("该幂等键已用于另一笔支付。")]},
        )
    existing.replayed = True
    return existing


def payment_request(
    *,
    work_order: WorkOrder,
    actor,
    idempotency_key: str,
    method: str,
    backend: str | None = None,
    request=None,
) -> Payment:
    """The employer (or staff in scope for them) pays an approved work order. A replay with the same
    idempotency key returns the same payment (``payment.replayed`` is True) and never makes a second one;
    while a payment is pending or succeeded no other attempt starts; after a failure a new key may try
    again."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise DomainError(
            _("须提供幂等键（不超过64个字符）。"),
            fields={"idempotency_key": [_("须提供幂等键（不超过64个字符）。")]},
        )
    backend = backend or settings.LINGONG_PAYMENT_BACKEND
    gateway = gateway_for(backend)
    if backend == PaymentBackend.OFFLINE and method not in OFFLINE_METHODS:
        raise DomainError(
            _("线下转账须选择现金、银行、微信或支付宝。"),
            fields={"method": [_("线下转账须选择现金、银行、微信或支付宝。")]},
        )
    if backend != PaymentBackend.OFFLINE and method != PaymentMethod.ONLINE:
        raise DomainError(
            _("在线支付的方式须为“在线支付”。"), fields={"method": [_("在线支付的方式须为“在线支付”。")]}
        )
    replay = _replay(key, work_order, actor)  # the common replay answers without taking a lock
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            order = _locked_order(work_order.pk)
            require_access(allowed=_payer(order, actor), visible=False)
            replay = _replay(
                key, order, actor
            )  # committed by a concurrent replay while we waited for the lock
            if replay is not None:
                return replay
            work_order_approve_if_due(order)
            if order.status != WorkOrderStatus.APPROVED:
                raise InvalidTransition(_("只有已确认工时、尚未结算的用工单可以支付。"))
            if not order.amount or order.amount <= 0:
                raise DomainError(_("用工单没有应付金额。"), code="no_amount")
            if Payment.objects.filter(
                work_order=order, status__in=[PaymentStatus.PENDING, PaymentStatus.SUCCEEDED]
            ).exists():
                raise DomainError(_("该用工单已有进行中或已成功的支付。"), code="payment_exists")
            payment = Payment.objects.create(
                work_order=order,
                backend=backend,
                method=method,
                idempotency_key=key,
                amount=order.amount,
                recorded_by=actor if getattr(actor, "pk", None) else None,
            )
            PAYMENT_WORKFLOW.record(payment, to_status=PaymentStatus.PENDING, actor=payment.recorded_by)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=payment,
                after=snapshot(payment),
                request=request,
                on_behalf_of=order.posting.employer.user
                if actor.pk != order.posting.employer.user_id
                else None,
            )
            gateway.start(payment, idempotency_key=payment.idempotency_key)
    except IntegrityError:
        # A concurrent request with the same key (unique key) or for the same order (one live payment per
        # order) committed first.
        replay = _replay(key, work_order, actor)
        if replay is not None:
            return replay
        raise DomainError(_("该用工单已有进行中或已成功的支付。"), code="payment_exists") from None
    payment.replayed = False
    return payment


# --- offline: the employer records, the worker confirms ------------------------------------------------------


@transaction.atomic
def payment_record_offline(
    *,
    payment: Payment,
    actor,
    method: str | None = None,
    payee_account: str = "",
    note: str = "",
    request=None,
) -> Payment:
    """The employer records an offline transfer: the payment succeeded. The worker is asked to confirm
    receipt; only then is the work order settled."""
    order = _locked_order(payment.work_order_id)
    payment = _locked_payment(payment.pk)
    require_access(
        allowed=_payer(order, actor),
        visible=actor.pk == order.worker_id,
        message=_("只有用工方可以登记转账。"),
    )
    if payment.backend != PaymentBackend.OFFLINE:
        raise DomainError(_("只有线下转账可以登记。"), code="not_offline")
    if method:
        if method not in OFFLINE_METHODS:
            raise DomainError(
                _("线下转账须选择现金、银行、微信或支付宝。"),
                fields={"method": [_("线下转账须选择现金、银行、微信或支付宝。")]},
            )
        payment.method = method
    payment.payee_account = payee_account[:32] or payment.payee_account
    payment.recorded_by = actor
    payment.succeeded_at = timezone.now()
    _payment_move(
        payment,
        PaymentStatus.SUCCEEDED,
        actor,
        reason=note or _("用工方登记线下转账"),
        fields=("method", "payee_account", "recorded_by", "succeeded_at"),
        request=request,
    )
    notify(
        order.worker_id,
        _("用工方已登记支付劳务费 %(amount)s 元，请在收到后确认收款。") % {"amount": payment.amount},
        f"/work/{order.pk}/#receipt",  # the page with the 确认收款 button
    )
    return payment


@transaction.atomic
def payment_confirm_receipt(*, payment: Payment, actor, request=None) -> Payment:
    """The worker (or staff at a counter for them) confirms receiving an offline transfer: the work order
    is settled."""
    order = _locked_order(payment.work_order_id)
    payment = _locked_payment(payment.pk)
    acting_for = actor.pk != order.worker_id
    require_access(
        # a counter-managed worker (no phone) confirms at any counter (ADR 0019)
        allowed=not acting_for
        or staff_for(actor, order.posting.scope_unit_id)
        or serves_card_holder(order.worker_id, actor),
        visible=order.posting.employer.user_id == actor.pk,
        message=_("只有劳动者本人可以确认收款。"),
    )
    if payment.status != PaymentStatus.SUCCEEDED or payment.worker_confirmed_at is not None:
        raise InvalidTransition(_("这笔支付不在待确认收款状态。"))
    payment.worker_confirmed_at = timezone.now()
    payment.save(update_fields=["worker_confirmed_at", "updated_at"])
    on_behalf_of = order.worker if acting_for else None
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=payment,
        before={"worker_confirmed_at": None},
        after={"worker_confirmed_at": payment.worker_confirmed_at},
        request=request,
        on_behalf_of=on_behalf_of,
    )
    work_order_settle(order, actor, reason=_("劳动者确认收款"), request=request, on_behalf_of=on_behalf_of)
    return payment


@transaction.atomic
def payment_report_not_received(*, payment: Payment, actor, reason: str, request=None) -> Payment:
    """The worker (or staff at a counter for them) reports that an offline transfer the employer recorded
    never arrived: the work order becomes disputed (approved → disputed), a wage-arrears alert is raised at
    once for the county's staff, and the employer is told. The payment row stays as the employer recorded
    it: it is the evidence."""
    order = _locked_order(payment.work_order_id)
    payment = _locked_payment(payment.pk)
    acting_for = actor.pk != order.worker_id
    require_access(
        allowed=not acting_for or staff_for(actor, order.posting.scope_unit_id),
        visible=order.posting.employer.user_id == actor.pk,
        message=_("只有劳动者本人可以反映未收到劳务费。"),
    )
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(
            _("请说明情况，例如约定的付款方式和时间。"),
            fields={"reason": [_("请说明情况，例如约定的付款方式和时间。")]},
        )
    if (
        payment.backend != PaymentBackend.OFFLINE
        or payment.status != PaymentStatus.SUCCEEDED
        or payment.worker_confirmed_at is not None
    ):
        raise InvalidTransition(_("这笔支付不在待确认收款状态。"))
    on_behalf_of = order.worker if acting_for else None
    work_order_move(
        order,
        WorkOrderStatus.DISPUTED,
        actor,
        reason=_("劳动者反映未收到劳务费：%(r)s") % {"r": reason[:200]},
        request=request,
        on_behalf_of=on_behalf_of,
    )
    alert, created = ArrearsAlert.objects.get_or_create(
        work_order=order, defaults={"amount": payment.amount, "raised_at": timezone.now()}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=alert,
            after=snapshot(alert),
            reason=reason[:300],
            request=request,
            on_behalf_of=on_behalf_of,
        )
    notify(
        order.posting.employer.user_id,
        _("劳动者反映未收到“%(t)s”%(d)s的劳务费%(a)s元，人社部门将跟进核实。")
        % {"t": order.posting.title, "d": order.work_date, "a": payment.amount},
    )
    return payment


# --- callbacks ----------------------------------------------------------------------------------------------


def payment_apply_outcome(
    *, order: WorkOrder, payment: Payment, succeeded: bool, reason: str, provider_txn: str = ""
) -> None:
    """The provider's word on a (locked) pending payment, from its callback or the reconciliation query:
    success moves pending → succeeded and settles the work order at once; failure moves pending → failed
    and tells the employer to try again."""
    if provider_txn:
        payment.provider_txn = provider_txn[:64]
    if succeeded:
        payment.succeeded_at = timezone.now()
        _payment_move(
            payment, PaymentStatus.SUCCEEDED, None, reason=reason, fields=("succeeded_at", "provider_txn")
        )
        work_order_settle(order, None, reason=_("在线支付成功"))
        notify(order.worker_id, _("劳务费 %(amount)s 元已支付成功。") % {"amount": payment.amount})
        return
    payment.failure_reason = reason[:300]
    _payment_move(
        payment,
        PaymentStatus.FAILED,
        None,
        reason=payment.failure_reason,
        fields=("failure_reason", "provider_txn"),
    )
    notify(
        order.posting.employer.user_id,
        _("劳务费支付失败：%(reason)s，请重新发起支付。") % {"reason": payment.failure_reason},
    )


@dataclass
class CallbackResult:
    status: int  # the HTTP status to answer the provider with
    code: str
    payment: Payment | None = None


def _payload_text(body: bytes) -> str:
    return body.decode("utf-8", errors="replace").replace("\x00", "\ufffd")[:20000]


def payment_callback(*, backend: str, body: bytes, headers: Mapping[str, str]) -> CallbackResult:
    """A provider's notification. A call whose signature verifies is stored (PaymentCallback) unless it
    replays an event already stored, which the unique constraint refuses, and an event is processed once;
    a call that does not verify is only counted (RejectedCallbackCount: anyone can post junk to the public
    endpoint, and storing it would let them fill the database) and changes nothing (400). Success moves
    pending → succeeded and, for online backends, settles the work order at once; failure moves pending →
    failed. A notification about a refund (WeChat Pay's REFUND.*) moves the refund (``refund_apply``); one
    that moves nothing (Alipay's WAIT_BUYER_PAY, anything about a payment no longer pending, e.g. refunded)
    is stored and answered "ignored"."""
    gateway = GATEWAYS.get(backend)
    data = gateway.verify_callback(body, headers) if gateway is not None else None
    if data is None:
        RejectedCallbackCount.record(backend=backend)
        logger.warning("payment callback with an invalid signature (backend=%s)", backend[:12])
        return CallbackResult(400, "invalid_signature")
    ref = (
        Payment.objects.filter(backend=backend, provider_ref=data.provider_ref)
        .values_list("pk", "work_order_id")
        .first()
    )
    try:
        with transaction.atomic():
            order = _locked_order(ref[1]) if ref else None
            payment = _locked_payment(ref[0]) if ref else None
            with transaction.atomic():
                PaymentCallback.objects.create(
                    backend=backend,
                    event_id=data.event_id,
                    payload=_payload_text(body),
                    signature_valid=True,
                    payment=payment,
                )
            if payment is None:
                return CallbackResult(400, "unknown_payment")
            if data.refund_ref:
                refund = Refund.objects.filter(payment=payment, provider_ref=data.refund_ref).first()
                if refund is None:
                    return CallbackResult(400, "unknown_refund", payment)
                refund = REFUND_WORKFLOW.lock(refund.pk)
                status = (
                    RefundStatus.PENDING
                    if data.pending
                    else RefundStatus.SUCCEEDED
                    if data.succeeded
                    else RefundStatus.FAILED
                )
                moved = refund_apply(
                    order=order, payment=payment, refund=refund, status=status, reason=data.reason
                )
                return CallbackResult(200, "processed" if moved else "ignored", payment)
            if payment.status != PaymentStatus.PENDING or data.pending:
                # e.g. a success after the timeout failed it, or after a refund: kept for reconciliation,
                # nothing moves.
                logger.warning(
                    "callback %s for payment %s in status %s", data.event_id, payment.pk, payment.status
                )
                return CallbackResult(200, "ignored", payment)
            if data.succeeded and data.amount is not None and data.amount != payment.amount:
                logger.error(
                    "callback %s amount %s differs from payment %s",
                    data.event_id,
                    data.amount,
                    payment.amount,
                )
                return CallbackResult(400, "amount_mismatch", payment)
            payment_apply_outcome(
                order=order,
                payment=payment,
                succeeded=data.succeeded,
                reason=f"callback {data.event_id}" if data.succeeded else (data.reason or _("支付失败")),
                provider_txn=data.provider_txn,
            )
            return CallbackResult(200, "processed", payment)
    except IntegrityError:
        # callback_once_per_event: this event was stored (and processed) before.
        return CallbackResult(200, "duplicate")


# --- wage arrears -------------------------------------------------------------------------------------------


def arrears_scan(now=None) -> int:
    """Raise one wage-arrears alert (欠薪预警) per approved work order not settled by its settle
    deadline, with an audit row in the county's scope for its staff. Safe to run twice, or concurrently:
    the work order row is locked and the alert is one-to-one. Returns the number of alerts raised."""
    now = now or timezone.now()
    due = WorkOrder.objects.filter(
        status=WorkOrderStatus.APPROVED, settle_deadline__lt=now, arrears_alert__isnull=True
    ).values_list("pk", flat=True)
    raised = 0
    for order_id in due:
        with transaction.atomic():
            order = _locked_order(order_id)
            if (
                order.status != WorkOrderStatus.APPROVED
                or order.settle_deadline is None
                or order.settle_deadline >= now
            ):
                continue
            try:
                with transaction.atomic():
                    alert, created = ArrearsAlert.objects.get_or_create(
                        work_order=order, defaults={"amount": order.amount or Decimal("0"), "raised_at": now}
                    )
            except IntegrityError:
                continue
            if not created:
                continue
            audit_record(
                actor=None,
                action=AuditAction.CREATE,
                obj=alert,
                after=snapshot(alert),
                label="system",
                reason=_("超过结算期限未结算：%(deadline)s")
                % {"deadline": timezone.localtime(order.settle_deadline).strftime("%Y-%m-%d %H:%M")},
            )
            raised += 1
    return raised
