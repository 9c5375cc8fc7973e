"""Refunds of succeeded online payments (退款): one service to ask for one (staff or the employer, with its own
idempotency key), and the one place where a refund's outcome is applied — from the provider's answer, its
notification (WeChat Pay REFUND.*) or the reconciliation query. A refund that succeeds moves the payment
succeeded → refunded and the work order settled → approved: the worker is owed again (ADR 0018).
Locks: work order, then payment, then refund."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.permissions import require_access
from jobs.notifications import notify

from ..choices import PaymentBackend, PaymentStatus, RefundStatus, WorkOrderStatus
from ..gateways import GATEWAYS, refund_ref
from ..models import PAYMENT_WORKFLOW, REFUND_WORKFLOW, WORK_ORDER_WORKFLOW, Payment, Refund
from ..permissions import is_order_worker, may_refund
from .work_orders import work_order_move

ONLINE = (PaymentBackend.SANDBOX, PaymentBackend.WECHATPAY, PaymentBackend.ALIPAY)


def _key_error(message):
    return DomainError(message, fields={"idempotency_key": [message]})


def _replay(key: str, payment: Payment, actor) -> Refund | None:
    existing = Refund.objects.filter(idempotency_key=key).select_related("payment").first()
    if existing is None:
        return None
    order = WORK_ORDER_WORKFLOW.model.objects.select_related("posting__employer").get(
        pk=existing.payment.work_order_id
    )
    require_access(allowed=may_refund(order, actor), visible=False)
    if existing.payment_id != payment.pk:
        raise _key_error(_("该幂等键已用于另一笔退款。"))
    existing.replayed = True
    return existing


def refund_apply(
    *, order, payment: Payment, refund: Refund, status: str, actor=None, reason: str = ""
) -> bool:
    """Apply what the provider said about a (locked) pending refund. Returns whether anything moved."""
    if refund.status != RefundStatus.PENDING or status == RefundStatus.PENDING:
        return False
    if status == RefundStatus.FAILED:
        refund.failure_reason = (reason or _("退款失败"))[:300]
        REFUND_WORKFLOW.move(
            refund, RefundStatus.FAILED, actor=actor, reason=refund.failure_reason, fields=("failure_reason",)
        )
        notify(
            order.posting.employer.user_id,
            _("退款失败：%(r)s") % {"r": refund.failure_reason},
        )
        return True
    refund.succeeded_at = timezone.now()
    REFUND_WORKFLOW.move(
        refund, RefundStatus.SUCCEEDED, actor=actor, reason=reason or refund.reason, fields=("succeeded_at",)
    )
    PAYMENT_WORKFLOW.move(payment, PaymentStatus.REFUNDED, actor=actor, reason=refund.reason)
    if order.status == WorkOrderStatus.SETTLED:
        order.settled_at = None
        work_order_move(
            order,
            WorkOrderStatus.APPROVED,
            actor,
            reason=_("劳务费已退款，待重新支付：%(r)s") % {"r": refund.reason[:200]},
            fields=("settled_at",),
        )
    notify(
        order.worker_id,
        _("“%(t)s”的劳务费 %(a)s 元已退回用工方（%(r)s），该用工单恢复为待付款。")
        % {"t": order.posting.title, "a": refund.amount, "r": refund.reason[:100]},
    )
    return True


def payment_refund(*, payment: Payment, actor, idempotency_key: str, reason: str, request=None) -> Refund:
    """Refund a succeeded online payment in full (the order's employer, or staff in scope with
    ``work.add_refund``). A replay with the same key returns the same refund (``refund.replayed``); while a
    refund is pending or succeeded no second one starts. The provider is asked inside the transaction with
    the refund's number derived from the key, so a retry after an error is the same refund at the provider."""
    key = (idempotency_key or "").strip()
    if not key or len(key) > 64:
        raise _key_error(_("须提供幂等键（不超过64个字符）。"))
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 300:
        raise DomainError(
            _("请写明退款原因（2至300个字）。"), fields={"reason": [_("请写明退款原因（2至300个字）。")]}
        )
    replay = _replay(key, payment, actor)
    if replay is not None:
        return replay
    try:
        with transaction.atomic():
            order = WORK_ORDER_WORKFLOW.lock(payment.work_order_id, select_related=("posting__employer",))
            payment = PAYMENT_WORKFLOW.lock(payment.pk)
            require_access(
                allowed=may_refund(order, actor),
                visible=is_order_worker(order, actor),
                message=_("只有用工方或工作人员可以退款。"),
            )
            replay = _replay(key, payment, actor)
            if replay is not None:
                return replay
            if payment.backend not in ONLINE:
                raise InvalidTransition(_("线下转账不能在平台退款，请与劳动者线下协商。"))
            if payment.status != PaymentStatus.SUCCEEDED:
                raise InvalidTransition(_("只有支付成功的款项可以退款。"))
            if Refund.objects.filter(
                payment=payment, status__in=[RefundStatus.PENDING, RefundStatus.SUCCEEDED]
            ).exists():
                raise DomainError(_("这笔支付已有处理中或已成功的退款。"), code="refund_exists")
            refund = Refund.objects.create(
                payment=payment,
                idempotency_key=key,
                amount=payment.amount,
                reason=reason,
                requested_by=actor,
                provider_ref=refund_ref(key),
            )
            REFUND_WORKFLOW.record(refund, to_status=RefundStatus.PENDING, actor=actor, reason=reason)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=refund,
                after=snapshot(refund),
                reason=reason,
                request=request,
                on_behalf_of=order.posting.employer.user
                if actor.pk != order.posting.employer.user_id
                else None,
            )
            state = GATEWAYS[payment.backend].refund(payment, refund)
            refund_apply(
                order=order,
                payment=payment,
                refund=refund,
                status=state.status,
                actor=actor,
                reason=state.reason,
            )
    except IntegrityError:
        replay = _replay(key, payment, actor)
        if replay is not None:
            return replay
        raise DomainError(_("这笔支付已有处理中或已成功的退款。"), code="refund_exists") from None
    refund.replayed = False
    return refund
