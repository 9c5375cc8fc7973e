"""Wage-arrears alerts become proposed cases (ADR 0026). The work app raises one ``ArrearsAlert`` per work
order not settled by its deadline; here every open alert without a case gets exactly one, pre-filled from the
work order and routed like any complaint, acting as the disputes system user. Called by a periodic task (not a
signal): the alert row is locked with ``skip_locked`` and the ``ArrearsProposal`` one-to-one is the guarantee,
so a rerun or two concurrent runs never propose a second case."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.choices import AuditAction, MessageChannel
from core.notifications import message_queue
from jobs.notifications import notify
from work.models import ArrearsAlert

from ..choices import CaseStatus, Channel, ClaimType, Queue, RelationshipType
from ..models import CASE_WORKFLOW, ArrearsProposal, Case, ClaimLine
from .bundle import bundle_build_on_intake
from .cases import (
    ACCEPT_CLOCK,
    Claim,
    _county_staff,
    _local_date,
    _number,
    clock_start,
    final_award,
    route,
    system_user,
)


def arrears_alerts_due():
    """Open alerts (not resolved by a late payment) that have no proposed case yet, oldest first."""
    return ArrearsAlert.objects.filter(resolved_at__isnull=True, dispute_proposal__isnull=True).order_by(
        "raised_at", "id"
    )


def _facts(alert: ArrearsAlert) -> str:
    order = alert.work_order
    posting = order.posting
    deadline = (
        timezone.localtime(order.settle_deadline).strftime("%Y-%m-%d %H:%M") if order.settle_deadline else "—"
    )
    return _(
        "平台欠薪预警：劳动者于 %(date)s 完成“%(title)s”的工作（用工单 %(order)s），用工方已确认，"
        "应付劳务报酬 %(amount)s 元，结算期限 %(deadline)s 届满仍未结算，系统于 %(raised)s 发出欠薪预警。"
        "本案由系统根据用工记录生成，待工作人员核实后决定是否受理。"
    ) % {
        "date": f"{order.work_date:%Y-%m-%d}",
        "title": posting.title,
        "order": order.pk,
        "amount": alert.amount,
        "deadline": deadline,
        "raised": timezone.localtime(alert.raised_at).strftime("%Y-%m-%d %H:%M"),
    }


def _propose(alert: ArrearsAlert, actor, now) -> Case:
    order = alert.work_order
    posting = order.posting
    scope_unit = posting.scope_unit
    claims = [Claim(ClaimType.WAGES, alert.amount, order.work_date, order.work_date)]
    rule = route(
        claims=claims,
        relationship_type=RelationshipType.UNKNOWN,
        scope_unit_id=scope_unit.pk,
        market_id=posting.market_id,
    )
    case = Case.objects.create(
        number=_number(now),
        scope_unit=scope_unit,
        channel=Channel.ARREARS_ALERT,
        status=CaseStatus.RECEIVED,
        received_at=now,
        recorded_by=actor,
        complainant=order.worker,
        respondent=posting.employer,
        work_order=order,
        market_id=posting.market_id,
        relationship_type=RelationshipType.UNKNOWN,
        facts=_facts(alert),
        queue=rule.queue if rule else Queue.MEDIATION,
        routing_rule=rule,
        routing_rule_name=str(rule)[:100] if rule else "",
    )
    ArrearsProposal.objects.create(alert=alert, case=case, created_at=now)
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                case=case,
                claim_type=c.claim_type,
                amount=c.amount,
                period_from=c.period_from,
                period_to=c.period_to,
                **final_award(scope_unit=scope_unit, on=_local_date(now), amount=c.amount),
            )
            for c in claims
        ]
    )
    bundle_build_on_intake(case)  # the evidence drawn from the work record, attached for staff
    if case.queue in ACCEPT_CLOCK:
        clock_start(case=case, kind=ACCEPT_CLOCK[case.queue], now=now)
    CASE_WORKFLOW.record(case, to_status=CaseStatus.RECEIVED, actor=actor, reason=case.routing_rule_name)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        after={**snapshot(case), "arrears_alert": alert.pk},
        reason=_("欠薪预警转投诉案件"),
    )
    return case


def _tell(case: Case, alert: ArrearsAlert, staff: list[int]) -> None:
    body = _(
        "欠薪预警：%(employer)s 拖欠劳务报酬 %(amount)s 元，已生成待受理案件 %(number)s，请核实处理。"
    ) % {
        "employer": case.respondent_label,
        "amount": alert.amount,
        "number": case.number,
    }
    for user_id in staff:
        message_queue(
            channel=MessageChannel.INBOX,
            to=str(user_id),
            body=body,
            url=f"/admin/disputes/case/{case.pk}/change/",
            key=f"arrears:{alert.pk}:case:{user_id}",
        )
    notify(
        case.complainant_id,
        _("平台发现您 %(date)s 的劳务报酬未按期结算，已为您生成投诉（%(number)s），人社部门将核实处理。")
        % {"date": f"{alert.work_order.work_date:%Y-%m-%d}", "number": case.number},
        url=f"/disputes/{case.pk}/",
        key=f"case:{case.pk}:received",
    )


def arrears_propose_cases(*, now=None, limit: int = 500) -> int:
    """Propose one case (status received, routed, its acceptance clock started) for each open wage-arrears
    alert that has none: the worker complains of the posting's employer for the work order's unpaid amount.
    County staff are told in their inbox (per-recipient keys). Safe to run twice or concurrently. Returns the
    number of cases created."""
    now = now or timezone.now()
    actor = None
    staff_of: dict[int, list[int]] = {}
    created = 0
    for pk in list(arrears_alerts_due().values_list("pk", flat=True)[:limit]):
        try:
            with transaction.atomic():
                alert = (
                    ArrearsAlert.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("work_order__posting__employer", "work_order__posting__scope_unit")
                    .filter(pk=pk, resolved_at__isnull=True, dispute_proposal__isnull=True)
                    .first()
                )
                if alert is None:
                    continue  # another run holds it, has proposed it, or it was paid meanwhile
                actor = actor or system_user()
                case = _propose(alert, actor, now)
                unit = case.scope_unit_id
                if unit not in staff_of:
                    staff_of[unit] = _county_staff(unit)
                _tell(case, alert, staff_of[unit])
        except IntegrityError:
            continue  # the one-to-one held: a concurrent run proposed it first
        created += 1
    return created
