"""Work orders: the services that move a work order along WORK_ORDER_TRANSITIONS. Every transition goes
through ``work_order_move`` (table check, event row, audit row, in the caller's transaction)."""

from __future__ import annotations

from django.db import transaction

from core.audit import audit_record
from core.choices import AuditAction
from core.workflow import check_transition

from .choices import WORK_ORDER_TRANSITIONS
from .models import WorkOrder, WorkOrderEvent


def work_order_move(order: WorkOrder, to_status: str, actor, *, reason: str = "", on_behalf_of=None,
                    fields: tuple[str, ...] = (), request=None) -> WorkOrder:
    """Move a (locked) work order to ``to_status``; ``fields`` are further fields the caller set on it."""
    assert transaction.get_connection().in_atomic_block, "work_order_move runs inside a transaction"
    from_status = order.status
    check_transition(WORK_ORDER_TRANSITIONS, from_status, to_status)
    order.status = to_status
    order.save(update_fields=["status", "updated_at", *fields])
    WorkOrderEvent.objects.create(
        work_order=order, from_status=from_status, to_status=to_status, reason=reason[:300],
        actor=actor if getattr(actor, "pk", None) else None, on_behalf_of=on_behalf_of,
    )
    audit_record(actor=actor, action=AuditAction.TRANSITION, obj=order, before={"status": from_status},
                 after={"status": to_status}, reason=reason, request=request, on_behalf_of=on_behalf_of)
    return order
