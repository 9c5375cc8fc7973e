"""Job fairs (招聘会): a daytime 集市 or an evening 夜市 that county staff hold at a market or a named place.

Employers book booths — never more than the fair's booth capacity, even when bookings race: the fair row is
locked first and the booths counted under the lock. Workers register themselves, or staff and market
counter staff register them (recorded as assisted). Staff mark who came and record the outcome counts
(attendance, intents, hires). Every write is audited in its transaction."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.permissions import require_access

from .. import hooks
from ..choices import FairKind, VerificationStatus
from ..models import FAIR_FIELDS, EmployerProfile, FairBooth, FairRegistration, JobFair
from ..permissions import may_act_for, staff_for

NIGHT_FAIR_EARLIEST = dt.time(16, 0)
OUTCOME_FIELDS = ("attendance", "intents", "hires")


def _operates(actor, fair: JobFair) -> bool:
    """The actor is counter staff of the market where the fair is held."""
    return bool(
        fair.market_id
        and actor.has_role("market_operator")
        and fair.market.operator_links.filter(user_id=actor.pk).exists()
    )


def _error(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


# --- writes -----------------------------------------------------------------------------------------------


@transaction.atomic
def fair_create(*, actor, data: dict, request=None) -> JobFair:
    """County (or city) staff hold a fair in their scope: at one of the county's markets or a named place."""
    values = {k: v for k, v in data.items() if k in FAIR_FIELDS}
    unit = values.get("scope_unit")
    if unit is None:
        raise _error("scope_unit", _("请选择县（市、区）。"))
    if not staff_for(actor, unit.pk, "jobs.add_jobfair"):
        raise NotPermitted()
    market = values.get("market")
    if market is not None and market.scope_unit_id != unit.pk:
        raise _error("market", _("所选零工市场不在该县（市、区）。"))
    if market is not None and not market.is_public:
        raise _error("market", _("该零工市场不在运营，不能在此举办招聘会。"))
    if not (values.get("place") or "").strip():
        if market is None:
            raise _error("place", _("请填写举办地点或选择零工市场。"))
        values["place"] = f"{market.name}（{market.address}）"[:200]
    starts_at, ends_at = values.get("starts_at"), values.get("ends_at")
    if starts_at is None or ends_at is None:
        raise _error("starts_at", _("请填写开始和结束时间。"))
    if ends_at <= starts_at:
        raise _error("ends_at", _("结束时间须晚于开始时间。"))
    if values.get("kind") == FairKind.NIGHT and timezone.localtime(starts_at).time() < NIGHT_FAIR_EARLIEST:
        raise _error(
            "starts_at", _("夜市须在 %(t)s 以后开始。") % {"t": NIGHT_FAIR_EARLIEST.strftime("%H:%M")}
        )
    if values.get("booth_capacity") is not None and values["booth_capacity"] < 1:
        raise _error("booth_capacity", _("展位数至少为 1。"))
    fair = JobFair(**values)
    try:
        fair.full_clean()
    except ValidationError as exc:
        raise DomainError(_("提交的内容有误，请检查。"), fields=exc.message_dict) from exc
    fair.save()
    audit_record(actor=actor, action=AuditAction.CREATE, obj=fair, after=snapshot(fair), request=request)
    return fair


@transaction.atomic
def fair_book_booth(
    *, fair: JobFair, employer: EmployerProfile, actor, positions: str = "", request=None
) -> FairBooth:
    """An approved employer books one booth (staff in scope may book for them). Locks the fair row first:
    booths never exceed the capacity, even when two bookings race for the last one."""
    fair = JobFair.objects.select_for_update().get(pk=fair.pk)
    acting_for = employer.user_id != actor.pk
    if acting_for:
        require_access(
            allowed=staff_for(actor, fair.scope_unit_id) or staff_for(actor, employer.scope_unit_id),
            visible=False,
        )
    if employer.status != VerificationStatus.APPROVED:
        raise DomainError(_("用工登记尚未通过审核，暂不能预订展位。"), code="employer_not_approved")
    if hooks.employer_blacklisted(employer):
        raise DomainError(_("该用工方在拖欠工资黑名单中，不能参加招聘会。"), code="employer_blacklisted")
    if fair.starts_at <= timezone.now():
        raise DomainError(_("招聘会已开始或已结束，不能再预订展位。"), code="fair_closed")
    positions = (positions or "").strip()
    if len(positions) > 200:
        raise _error("positions", _("拟招岗位最多200字。"))
    if FairBooth.objects.filter(fair=fair, employer=employer).exists():
        raise _error("employer", _("已预订过该招聘会的展位。"), code="already_booked")
    taken = FairBooth.objects.filter(fair=fair).count()
    if taken >= fair.booth_capacity:
        raise DomainError(
            _("展位已订满（共 %(n)s 个）。") % {"n": fair.booth_capacity},
            code="booths_full",
            fields={"fair": [_("展位已订满。")]},
        )
    try:
        with transaction.atomic():
            booth = FairBooth.objects.create(fair=fair, employer=employer, positions=positions)
    except IntegrityError as exc:
        raise _error("employer", _("已预订过该招聘会的展位。"), code="already_booked") from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=booth,
        after={"fair": fair.pk, "employer": employer.pk, "positions": positions},
        request=request,
        on_behalf_of=employer.user if acting_for else None,
        scope_unit_id=fair.scope_unit_id,
    )
    return booth


@transaction.atomic
def fair_register_worker(*, fair: JobFair, worker, actor, request=None) -> FairRegistration:
    """A worker registers for a fair; county staff or market counter staff may register them (assisted)."""
    fair = JobFair.objects.select_related("market").get(pk=fair.pk)
    acting_for = actor.pk != worker.pk
    if acting_for and not may_act_for(worker, actor, unit_ids=(fair.scope_unit_id,)):
        raise NotPermitted()
    if not worker.has_role("worker"):
        raise NotPermitted(_("请先完成求职登记，再报名招聘会。"))
    if fair.ends_at <= timezone.now():
        raise DomainError(_("招聘会已结束。"), code="fair_closed")
    try:
        with transaction.atomic():
            registration = FairRegistration.objects.create(fair=fair, worker=worker)
    except IntegrityError as exc:
        raise _error("worker", _("已经报名过该招聘会。"), code="already_registered") from exc
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=registration,
        after={"fair": fair.pk, "worker": worker.pk},
        request=request,
        on_behalf_of=worker if acting_for else None,
        scope_unit_id=fair.scope_unit_id,
    )
    return registration


@transaction.atomic
def fair_mark_attended(
    *, fair: JobFair, worker, actor, attended: bool = True, request=None
) -> FairRegistration:
    """Staff in scope, or counter staff of the fair's market, check a registered worker in at the gate."""
    fair = JobFair.objects.select_related("market").get(pk=fair.pk)
    require_access(allowed=staff_for(actor, fair.scope_unit_id) or _operates(actor, fair), visible=False)
    if timezone.localdate() < timezone.localtime(fair.starts_at).date():
        raise DomainError(_("招聘会尚未开始，不能签到。"), code="fair_not_started")
    registration = FairRegistration.objects.select_for_update().filter(fair=fair, worker=worker).first()
    if registration is None:
        raise _error("worker", _("该求职者没有报名这场招聘会，请先为其报名。"), code="not_registered")
    if registration.attended != attended:
        before = registration.attended
        registration.attended = attended
        registration.save(update_fields=["attended"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=registration,
            before={"attended": before},
            after={"attended": attended},
            request=request,
            on_behalf_of=worker,
            scope_unit_id=fair.scope_unit_id,
        )
    return registration


@transaction.atomic
def fair_record_outcome(
    *, fair: JobFair, actor, attendance: int, intents: int, hires: int, request=None
) -> JobFair:
    """Staff in scope record how many came, reached an intent and were hired (each a count of people:
    hires ≤ intents ≤ attendance, and attendance is at least the registered workers checked in)."""
    fair = JobFair.objects.select_for_update().get(pk=fair.pk)
    staff = staff_for(actor, fair.scope_unit_id)
    require_access(allowed=staff and actor.has_perm("jobs.change_jobfair"), visible=staff)
    if timezone.now() < fair.starts_at:
        raise DomainError(_("招聘会开始后才能登记成效。"), code="fair_not_started")
    counts = {"attendance": attendance, "intents": intents, "hires": hires}
    errors: dict[str, list[str]] = {}
    for name, value in counts.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            errors[name] = [_("请填写不小于0的整数。")]
    if not errors:
        checked_in = FairRegistration.objects.filter(fair=fair, attended=True).count()
        if attendance < checked_in:
            errors["attendance"] = [_("到场人数不能少于已签到的报名人数（%(n)s 人）。") % {"n": checked_in}]
        if intents > attendance:
            errors["intents"] = [_("达成意向人数不能多于到场人数。")]
        if hires > intents:
            errors["hires"] = [_("录用人数不能多于达成意向人数。")]
    if errors:
        raise DomainError(_("招聘会成效数据有误，请检查。"), fields=errors)
    before = snapshot(fair, list(OUTCOME_FIELDS))
    for name, value in counts.items():
        setattr(fair, name, value)
    fair.save(update_fields=[*OUTCOME_FIELDS, "updated_at"])
    b, a = changed(before, snapshot(fair, list(OUTCOME_FIELDS)))
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=fair,
        before=b,
        after=a,
        reason=_("登记招聘会成效"),
        request=request,
    )
    return fair
