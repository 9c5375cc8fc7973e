"""Writes of the disputes app: intake from every channel, routing, the case workflow, statutory clocks and
their one extension, evidence, and the escalation scan. Transactional and audited; status changes only
through ``CASE_WORKFLOW`` (ADR 0020)."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.audit import audit_record, snapshot
from core.calendar import SHANGHAI, add_working_days, end_of_day, is_working_day
from core.choices import AuditAction, MessageChannel
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.models import ScopeUnit
from core.notifications import message_queue
from core.permissions import require_access, signed_in
from core.scope import scope_of
from core.wages import minimum_wage
from jobs.models import EmployerProfile
from jobs.notifications import notify
from work.models import WorkOrder

from ..choices import (
    CaseStatus,
    Channel,
    ClaimType,
    ClockKind,
    DayKind,
    Queue,
    ReferralBody,
    RelationshipType,
)
from ..evidence import checked_upload
from ..models import (
    CASE_WORKFLOW,
    Case,
    CaseClock,
    ClaimLine,
    ClockExtension,
    ClockRule,
    Evidence,
    RoutingRule,
)
from ..permissions import can_approve_extension, can_complain, can_handle, can_record, sees_evidence
from .bundle import bundle_build_on_intake
from .referral import referral_open

FINAL_AWARD_MONTHS = 12  # 劳动争议调解仲裁法 第四十七条: 不超过当地月最低工资标准十二个月金额
MAX_CLAIMS = 10
SYSTEM_USER_NAME = "系统（案件时限督办）"

# The clock a queue starts when a complaint arrives, and the one acceptance starts (ADR 0020).
ACCEPT_CLOCK = {
    Queue.INSPECTION: ClockKind.INSPECTION_ACCEPT,
    Queue.ARBITRATION: ClockKind.ARBITRATION_ACCEPT,
}
HANDLE_CLOCK = {
    Queue.INSPECTION: ClockKind.INSPECTION_RESOLVE,
    Queue.ARBITRATION: ClockKind.ARBITRATION_AWARD,
    Queue.MEDIATION: ClockKind.MEDIATION,
}


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("请填写%(label)s。") % {"label": label}, "required")
    if len(value) > max_length:
        raise _invalid(
            field, _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, "too_long"
        )
    return value


# --- clocks ---------------------------------------------------------------------------------------------------


def clock_rule_in_force(kind: str, on: dt.date) -> ClockRule:
    rule = ClockRule.objects.filter(kind=kind, effective_from__lte=on).order_by("-effective_from").first()
    if rule is None:
        raise DomainError(_("没有适用的法定时限规则，请联系管理员。"), code="no_clock_rule")
    return rule


def due_date(*, start: dt.date, days: int, day_kind: str) -> dt.date:
    """The last day of a limit of ``days`` counted from ``start`` (that day not counted). Working days: the
    calendar's (``core.calendar``). Calendar days: a last day that is a holiday or rest day moves to the next
    working day (期间届满的最后一日为法定节假日的，以节假日后的第一日为期间届满日)."""
    if day_kind == DayKind.WORKING:
        return add_working_days(start, days)
    last = start + dt.timedelta(days=days)
    if not is_working_day(last):
        last = add_working_days(last, 1)
    return last


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, SHANGHAI).date()


@transaction.atomic(savepoint=False)
def clock_start(*, case: Case, kind: str, now: dt.datetime) -> CaseClock:
    """Start one clock from the rule in force on the day it starts; its figures are copied onto the row. The
    case's stored next deadline follows in the same transaction."""
    running = case.clocks.running().filter(kind=kind).first()
    if running is not None:
        return running
    start = _local_date(now)
    rule = clock_rule_in_force(kind, start)
    due_on = due_date(start=start, days=rule.days, day_kind=rule.day_kind)
    clock = CaseClock.objects.create(
        case=case,
        kind=kind,
        rule=rule,
        rule_version=rule.version,
        day_kind=rule.day_kind,
        days=rule.days,
        max_extension_days=rule.max_extension_days,
        started_at=now,
        due_on=due_on,
        due_at=end_of_day(due_on),
    )
    case_deadline_refresh(case)
    return clock


@transaction.atomic(savepoint=False)
def clocks_stop(*, case: Case, now: dt.datetime, kinds=None) -> int:
    """Stop the case's running clocks (of ``kinds``, or all); the stored next deadline follows."""
    qs = case.clocks.running()
    if kinds is not None:
        qs = qs.filter(kind__in=kinds)
    stopped = qs.update(stopped_at=now)
    if stopped:
        case_deadline_refresh(case)
    return stopped


def warn_at(clock: CaseClock) -> dt.datetime:
    """The instant the first escalation is due: ``LINGONG_CASE_ESCALATE_SHARE`` of the time allowed."""
    span = clock.current_due_at - clock.started_at
    return clock.started_at + span * settings.LINGONG_CASE_ESCALATE_SHARE


def next_deadline(clocks) -> dict:
    """The stored next-deadline fields for a case whose running clocks are ``clocks``: the nearest one's
    effective due (the extended date if extended; ties by id), its warning instant (``warn_at``, the
    escalation's share) and its kind; empty values when none runs."""
    running = [c for c in clocks if c.stopped_at is None]
    if not running:
        return {"next_due_at": None, "next_warn_at": None, "next_due_kind": ""}
    clock = min(running, key=lambda c: (c.current_due_at, c.pk))
    return {"next_due_at": clock.current_due_at, "next_warn_at": warn_at(clock), "next_due_kind": clock.kind}


def case_deadline_refresh(case: Case) -> dict:
    """Store the case's next deadline from its running clocks (ADR 0031). Called, in their transaction, by
    everything that starts, stops or extends a clock (``clock_start``, ``clocks_stop``, ``clock_extend``);
    the staff queue, its deadline filter and the pages read only these fields. Two queries: the running
    clocks and one UPDATE of the three columns (``updated_at`` untouched: no one edited the case)."""
    fields = ("pk", "kind", "started_at", "due_at", "extended_due_at", "stopped_at")
    values = next_deadline(case.clocks.running().only(*fields))
    Case.objects.filter(pk=case.pk).update(**values)
    for field, value in values.items():
        setattr(case, field, value)
    return values


@transaction.atomic
def clock_extend(*, clock: CaseClock, actor, days: int, reason: str, request=None) -> ClockExtension:
    """Approve the one extension the law allows (≤ the rule's maximum); a second one is refused (409)."""
    case = CASE_WORKFLOW.lock(clock.case_id, queryset=Case.objects.visible_to(actor))
    require_access(allowed=can_approve_extension(actor, case), visible=True)
    locked = CaseClock.objects.select_for_update().get(pk=clock.pk, case=case)
    if ClockExtension.objects.filter(clock=locked).exists():
        raise InvalidTransition(_("该期限已经延长过一次，不能再次延长。"), code="already_extended")
    if locked.stopped_at is not None:
        raise InvalidTransition(_("该期限已停止计算，不能延长。"), code="clock_stopped")
    if locked.max_extension_days == 0:
        raise InvalidTransition(_("该期限依法不能延长。"), code="not_extendable")
    try:
        days = int(days)
    except (TypeError, ValueError):
        raise _invalid("days", _("请填写延长天数。"), "required") from None
    if not 1 <= days <= locked.max_extension_days:
        raise _invalid(
            "days",
            _("延长天数应在 1 到 %(n)s 天之间。") % {"n": locked.max_extension_days},
            "extension_too_long",
        )
    reason = _text(reason, "reason", _("延长理由"), 1000)
    before = locked.due_on
    after = due_date(start=before, days=days, day_kind=locked.day_kind)
    extension = ClockExtension.objects.create(
        clock=locked, days=days, reason=reason, approved_by=actor, due_on_before=before, due_on_after=after
    )
    locked.extended_due_on = after
    locked.extended_due_at = end_of_day(after)
    locked.save(update_fields=["extended_due_on", "extended_due_at"])
    case_deadline_refresh(case)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=case,
        before={"clock": locked.kind, "due_on": before.isoformat()},
        after={"clock": locked.kind, "due_on": after.isoformat(), "extension_days": days},
        reason=reason,
        request=request,
    )
    return extension


# --- routing and the final-award test ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    claim_type: str
    amount: Decimal
    period_from: dt.date | None = None
    period_to: dt.date | None = None


def route(*, claims: list[Claim], relationship_type: str, scope_unit_id: int, market_id: int | None):
    """The first active rule (by position) whose conditions all hold, or None."""
    total = sum((c.amount for c in claims), Decimal(0))
    types = {c.claim_type for c in claims}
    for rule in RoutingRule.objects.filter(is_active=True).order_by("position", "id"):
        if rule.claim_type and rule.claim_type not in types:
            continue
        if rule.relationship_type and rule.relationship_type != relationship_type:
            continue
        if rule.min_amount is not None and total < rule.min_amount:
            continue
        if rule.max_amount is not None and total > rule.max_amount:
            continue
        if rule.scope_unit_id and rule.scope_unit_id != scope_unit_id:
            continue
        if rule.market_id and rule.market_id != market_id:
            continue
        return rule
    return None


def final_award(*, scope_unit: ScopeUnit, on: dt.date, amount: Decimal) -> dict:
    """一裁终局 for one claim line: amount ≤ 12 × the county's monthly minimum wage in force on ``on``. Unknown
    (None) when no minimum-wage row covers the date: nothing is invented."""
    wage = minimum_wage(scope_unit, on)
    if wage is None:
        return {"final_award": None, "final_award_limit": None, "final_award_wage_from": None}
    limit = wage.monthly * FINAL_AWARD_MONTHS
    return {
        "final_award": amount <= limit,
        "final_award_limit": limit,
        "final_award_wage_from": wage.effective_from,
    }


def _claims(raw) -> list[Claim]:
    claims = []
    for i, item in enumerate(raw or []):
        field = f"claims.{i}"
        claim_type = item.get("claim_type")
        if claim_type not in ClaimType.values:
            raise _invalid(f"{field}.claim_type", _("请选择诉求类型。"), "required")
        try:
            amount = Decimal(str(item.get("amount"))).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            raise _invalid(f"{field}.amount", _("请填写金额（元）。"), "invalid_amount") from None
        if amount < 0 or amount >= Decimal("1e10"):
            raise _invalid(f"{field}.amount", _("金额不正确。"), "invalid_amount")
        start, end = item.get("period_from"), item.get("period_to")
        if start and end and end < start:
            raise _invalid(f"{field}.period_to", _("截止日期不能早于起始日期。"), "invalid_period")
        claims.append(Claim(claim_type, amount, start or None, end or None))
    if not claims:
        raise _invalid("claims", _("请至少填写一项诉求。"), "required")
    if len(claims) > MAX_CLAIMS:
        raise _invalid("claims", _("诉求最多 %(n)s 项。") % {"n": MAX_CLAIMS}, "too_many")
    return claims


def _number(now: dt.datetime) -> str:
    return f"TS{_local_date(now):%Y%m%d}{secrets.token_hex(3).upper()}"


NUMBER_ATTEMPTS = 5


def _save_numbered(case: Case, now: dt.datetime) -> None:
    """Save a new case under a fresh random number; a number another case already holds (a unique
    collision) is retried in a savepoint with a new one, never a 500."""
    for _attempt in range(NUMBER_ATTEMPTS):
        case.number = _number(now)
        try:
            with transaction.atomic():
                case.save()
            return
        except IntegrityError:
            case.pk = None
            if not Case.objects.filter(number=case.number).exists():
                raise
    raise DomainError(_("案件编号生成失败，请稍后重试。"), code="number_unavailable")


# --- intake -----------------------------------------------------------------------------------------------------


@transaction.atomic
def case_receive(
    *,
    actor,
    channel: str,
    data: dict,
    claims: list[dict],
    uploads=(),
    signature_scan=None,
    request=None,
) -> Case:
    """Receive a complaint from any channel, route it by the rule table and start its first clock.

    Online: a signed-in worker or employer complains for themselves. Counter, hotline, 12345 transfers and
    wage-arrears clues: staff record it for the complainant (an account, or a name and number), in their
    scope. Uploads are checked before anything is written."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    if channel not in Channel.values:
        raise _invalid("channel", _("请选择渠道。"), "required")
    complainant = data.get("complainant")
    scope_unit = data.get("scope_unit")
    if channel == Channel.ONLINE:
        if not can_complain(actor):
            raise NotPermitted(_("请以劳动者或用工方身份登录后投诉。"))
        complainant, recorded_by = actor, None
        scope_unit = scope_unit or actor.scope_unit
    else:
        if not can_record(actor):
            raise NotPermitted()
        recorded_by = actor
        scope = scope_of(actor)
        if scope_unit is None and len(scope.unit_ids) == 1:
            scope_unit = ScopeUnit.objects.get(pk=next(iter(scope.unit_ids)))
        if scope_unit is not None and not scope.covers(scope_unit.pk):
            raise _invalid("scope_unit", _("只能登记本辖区的投诉。"), "out_of_scope")
    if scope_unit is None:
        raise _invalid("scope_unit", _("请选择受理单位。"), "required")
    name = _text(
        data.get("complainant_name"), "complainant_name", _("投诉人姓名"), 40, required=complainant is None
    )
    phone = _text(
        data.get("complainant_phone"), "complainant_phone", _("联系电话"), 20, required=complainant is None
    )
    relationship = data.get("relationship_type") or RelationshipType.UNKNOWN
    if relationship not in RelationshipType.values:
        raise _invalid("relationship_type", _("请选择用工关系。"), "required")
    respondent = data.get("respondent")
    if respondent is not None and not isinstance(respondent, EmployerProfile):
        raise _invalid("respondent", _("被投诉用工方不正确。"))
    work_order = _work_order(data.get("work_order"), channel=channel, actor=actor, respondent=respondent)
    about_worker = (
        work_order is not None and complainant is not None and work_order.worker_id != complainant.pk
    )
    if not about_worker:
        respondent = respondent or (work_order.posting.employer if work_order else None)
    respondent_name = (data.get("respondent_name") or "").strip()
    if about_worker and not respondent_name:
        respondent_name = work_order.worker.real_name  # an employer's complaint about the worker of its order
    respondent_name = _text(
        respondent_name, "respondent_name", _("被投诉方名称"), 100, required=respondent is None
    )
    fields = {
        "facts": _text(data.get("facts"), "facts", _("事实与理由"), 4000),
        "respondent_contact": _text(
            data.get("respondent_contact"), "respondent_contact", _("联系方式"), 120, required=False
        ),
        "external_ticket_id": "",
        "external_due_on": None,
        "clue_id_number": "",
        "clue_bank_card": "",
        "clue_is_construction": None,
    }
    if channel == Channel.TRANSFER_12345:
        fields["external_ticket_id"] = _text(
            data.get("external_ticket_id"), "external_ticket_id", _("转办工单号"), 40
        )
        if not data.get("external_due_on"):
            raise _invalid("external_due_on", _("请填写转办答复期限。"), "required")
        fields["external_due_on"] = data["external_due_on"]
    if channel == Channel.ARREARS_PLATFORM:
        fields["clue_id_number"] = _text(
            data.get("clue_id_number"), "clue_id_number", _("身份证号"), 18
        ).upper()
        fields["clue_bank_card"] = _text(
            data.get("clue_bank_card"), "clue_bank_card", _("工资卡号"), 32, required=False
        )
        fields["clue_is_construction"] = bool(data.get("clue_is_construction"))
    lines = _claims(claims)
    checked = [checked_upload(u, field="evidence") for u in uploads if u]
    scan = None
    if channel == Channel.COUNTER:
        if signature_scan is None:
            raise _invalid("signature_scan", _("请上传投诉人签字确认的扫描件或照片。"), "required")
        scan = checked_upload(signature_scan, field="signature_scan", images_only=True)[1]
    now = timezone.now()
    market = data.get("market")
    rule = route(
        claims=lines,
        relationship_type=relationship,
        scope_unit_id=scope_unit.pk,
        market_id=getattr(market, "pk", None),
    )
    case = Case(
        scope_unit=scope_unit,
        channel=channel,
        received_at=now,
        recorded_by=recorded_by,
        complainant=complainant,
        complainant_name=name,
        complainant_phone=phone,
        withhold_identity=bool(data.get("withhold_identity")),
        respondent=respondent,
        respondent_name=respondent_name,
        market=market,
        work_order=work_order,
        relationship_type=relationship,
        queue=rule.queue if rule else Queue.MEDIATION,
        routing_rule=rule,
        routing_rule_name=str(rule)[:100] if rule else "",
        **fields,
    )
    if scan is not None:
        case.signature_scan.save(scan.name, scan, save=False)
    _save_numbered(case, now)
    received_on = _local_date(now)
    ClaimLine.objects.bulk_create(
        [
            ClaimLine(
                case=case,
                claim_type=c.claim_type,
                amount=c.amount,
                period_from=c.period_from,
                period_to=c.period_to,
                **final_award(scope_unit=scope_unit, on=received_on, amount=c.amount),
            )
            for c in lines
        ]
    )
    for kind, stored, digest in checked:
        _evidence_store(case=case, actor=actor, kind=kind, stored=stored, digest=digest)
    if work_order is not None:
        bundle_build_on_intake(case)  # the evidence drawn from the work record (ADR 0025)
    if case.queue in ACCEPT_CLOCK:
        clock_start(case=case, kind=ACCEPT_CLOCK[case.queue], now=now)
    CASE_WORKFLOW.record(
        case,
        to_status=CaseStatus.RECEIVED,
        actor=actor,
        on_behalf_of=complainant if recorded_by else None,
        reason=case.routing_rule_name,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=case,
        after=snapshot(case),
        request=request,
        on_behalf_of=complainant if recorded_by else None,
    )
    if complainant is not None:
        notify(
            complainant.pk,
            _("您的投诉（%(number)s）已收到，我们会依法及时处理。") % {"number": case.number},
            url=f"/disputes/{case.pk}/",
            key=f"case:{case.pk}:received",
        )
    return case


def _work_order(order, *, channel: str, actor, respondent) -> WorkOrder | None:
    """The work order a complaint names: online, the complainant's own (as its worker or its employer); staff
    channels, one in their scope. Unless an employer complains about its worker, the order's employer is the
    respondent (named or not)."""
    if order is None:
        return None
    if not isinstance(order, WorkOrder):
        raise _invalid("work_order", _("用工单不正确。"))
    if channel == Channel.ONLINE:
        # the worker's own order, or (an employer complaining about its worker) one of its postings' orders
        allowed = order.worker_id == actor.pk or order.posting.employer.user_id == actor.pk
    else:
        allowed = scope_of(actor).covers(order.posting.scope_unit_id)
    if not allowed:
        raise _invalid("work_order", _("只能就本人（或本辖区）的用工单投诉。"), "not_yours")
    if respondent is not None and respondent.pk != order.posting.employer_id:
        raise _invalid("work_order", _("该用工单不属于所投诉的用工方。"), "other_employer")
    return order


def _evidence_store(*, case: Case, actor, kind: str, stored, digest: str) -> Evidence:
    evidence = Evidence(
        case=case, kind=kind, sha256=digest, size=stored.size, uploaded_by=actor if signed_in(actor) else None
    )
    evidence.file.save(stored.name, stored, save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_add(*, case: Case, actor, upload, description: str = "", request=None) -> Evidence:
    """Add evidence to an open case: its complainant or staff in scope."""
    locked = CASE_WORKFLOW.lock(case, queryset=Case.objects.visible_to(actor))
    allowed = sees_evidence(actor, locked) and (
        locked.complainant_id == actor.pk or can_handle(actor, locked)
    )
    require_access(allowed=allowed, visible=True)
    if not locked.is_open:
        raise InvalidTransition(_("案件已办结，不能再补充材料。"), code="case_not_open")
    kind, stored, digest = checked_upload(upload, field="file")
    evidence = _evidence_store(case=locked, actor=actor, kind=kind, stored=stored, digest=digest)
    if description:
        evidence.description = description.strip()[:200]
        evidence.save(update_fields=["description"])
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=evidence, after=snapshot(evidence), request=request
    )
    return evidence


# --- the case workflow ------------------------------------------------------------------------------------------


def _lock_for_handling(case, actor) -> Case:
    locked = CASE_WORKFLOW.lock(case, queryset=Case.objects.visible_to(actor))
    require_access(allowed=can_handle(actor, locked), visible=True)
    return locked


def _tell_respondent(case: Case, body: str, key: str) -> None:
    """Tell the respondent on record (their inbox and channels). The message never names the complainant:
    it may be withheld (ADR 0020), so no message to the respondent ever carries it."""
    if case.respondent_id and case.respondent.user_id:
        notify(case.respondent.user_id, body, url=f"/disputes/respondent/{case.pk}/", key=key)


def _tell_complainant(case: Case, body: str, key: str) -> None:
    if case.complainant_id:
        notify(case.complainant_id, body, url=f"/disputes/{case.pk}/", key=key)
    elif case.complainant_phone:
        message_queue(channel=MessageChannel.SMS, to=case.complainant_phone, body=body, key=f"{key}:sms")


@transaction.atomic
def case_accept(*, case: Case, actor, reason: str = "", request=None) -> Case:
    """Accept (受理/立案): the acceptance clock stops, the queue's handling clock starts."""
    locked = _lock_for_handling(case, actor)
    now = timezone.now()
    locked.accepted_at = now
    CASE_WORKFLOW.move(
        locked, CaseStatus.ACCEPTED, actor=actor, reason=reason, fields=["accepted_at"], request=request
    )
    clocks_stop(case=locked, now=now, kinds=set(ACCEPT_CLOCK.values()))
    if locked.queue in HANDLE_CLOCK:
        clock_start(case=locked, kind=HANDLE_CLOCK[locked.queue], now=now)
    _tell_complainant(
        locked,
        _("您的投诉（%(number)s）已受理。") % {"number": locked.number},
        key=f"case:{locked.pk}:accepted",
    )
    _tell_respondent(
        locked,
        _("有一件涉及您的投诉（%(number)s）已受理，请登录查看并答复。") % {"number": locked.number},
        key=f"case:{locked.pk}:respondent:accepted",
    )
    return locked


@transaction.atomic
def case_not_accept(*, case: Case, actor, reason: str, request=None) -> Case:
    """Not accepted (不予受理), always with a reason the complainant reads."""
    locked = _lock_for_handling(case, actor)
    locked.not_accepted_reason = _text(reason, "reason", _("不予受理理由"), 1000)
    CASE_WORKFLOW.move(
        locked,
        CaseStatus.NOT_ACCEPTED,
        actor=actor,
        reason=locked.not_accepted_reason,
        fields=["not_accepted_reason"],
        request=request,
    )
    clocks_stop(case=locked, now=timezone.now())
    _tell_complainant(
        locked,
        _("您的投诉（%(number)s）不予受理：%(reason)s")
        % {"number": locked.number, "reason": locked.not_accepted_reason[:60]},
        key=f"case:{locked.pk}:not_accepted",
    )
    return locked


@transaction.atomic
def case_mediate(*, case: Case, actor, reason: str = "", request=None) -> Case:
    locked = _lock_for_handling(case, actor)
    CASE_WORKFLOW.move(locked, CaseStatus.MEDIATING, actor=actor, reason=reason, request=request)
    clock_start(case=locked, kind=ClockKind.MEDIATION, now=timezone.now())
    return locked


@transaction.atomic
def case_refer_inspection(*, case: Case, actor, reason: str = "", request=None) -> Case:
    locked = _lock_for_handling(case, actor)
    CASE_WORKFLOW.move(locked, CaseStatus.REFERRED_INSPECTION, actor=actor, reason=reason, request=request)
    now = timezone.now()
    clocks_stop(case=locked, now=now, kinds={ClockKind.MEDIATION})
    clock_start(case=locked, kind=ClockKind.INSPECTION_RESOLVE, now=now)
    referral_open(case=locked, body=ReferralBody.INSPECTION, actor=actor, now=now)  # bundle frozen
    return locked


@transaction.atomic
def case_refer_arbitration(*, case: Case, actor, reason: str = "", request=None) -> Case:
    """Refer to the arbitration commission. Service (劳务) disputes are not arbitrable: refused (409)."""
    locked = _lock_for_handling(case, actor)
    if locked.relationship_type == RelationshipType.SERVICE or locked.queue == Queue.GUIDANCE:
        raise InvalidTransition(
            _("劳务纠纷不属于劳动争议仲裁受理范围，请引导当事人申请人民调解、法律援助或向法院起诉。"),
            code="not_arbitrable",
        )
    CASE_WORKFLOW.move(locked, CaseStatus.REFERRED_ARBITRATION, actor=actor, reason=reason, request=request)
    now = timezone.now()
    clocks_stop(case=locked, now=now, kinds={ClockKind.MEDIATION})
    clock_start(case=locked, kind=ClockKind.ARBITRATION_AWARD, now=now)
    referral_open(case=locked, body=ReferralBody.ARBITRATION, actor=actor, now=now)  # bundle frozen
    return locked


@transaction.atomic
def case_resolve(*, case: Case, actor, resolution: str, request=None) -> Case:
    return resolve_locked(
        _lock_for_handling(case, actor), actor=actor, resolution=resolution, request=request
    )


def resolve_locked(locked: Case, *, actor, resolution: str, request=None) -> Case:
    """Resolve a case the caller has locked and authorised (staff's ``case_resolve``; the worker's
    confirmation of receipt under a mediation agreement, ``agreement_confirm_receipt``)."""
    now = timezone.now()
    locked.resolution = _text(resolution, "resolution", _("处理结果"), 4000)
    locked.resolved_at = now
    CASE_WORKFLOW.move(
        locked, CaseStatus.RESOLVED, actor=actor, fields=["resolution", "resolved_at"], request=request
    )
    clocks_stop(case=locked, now=now)
    _tell_complainant(
        locked,
        _("您的投诉（%(number)s）已办结，请登录查看处理结果。") % {"number": locked.number},
        key=f"case:{locked.pk}:resolved",
    )
    return locked


@transaction.atomic
def case_close(*, case: Case, actor, reason: str = "", request=None) -> Case:
    locked = _lock_for_handling(case, actor)
    return CASE_WORKFLOW.move(locked, CaseStatus.CLOSED, actor=actor, reason=reason, request=request)


# --- escalation -------------------------------------------------------------------------------------------------


def system_user() -> User:
    """The named system user the escalation acts as (no phone, no password: nobody logs in as it)."""
    user = User.objects.filter(real_name=SYSTEM_USER_NAME, phone__isnull=True, is_active=False).first()
    if user is None:
        user = User(real_name=SYSTEM_USER_NAME, phone=None, is_active=False)
        user.set_unusable_password()
        user.save()
    return user


def _county_staff(scope_unit_id: int) -> list[int]:
    return list(
        User.objects.filter(
            is_active=True, role_grants__role=Role.COUNTY_STAFF, role_grants__scope_unit_id=scope_unit_id
        )
        .values_list("pk", flat=True)
        .distinct()
    )
