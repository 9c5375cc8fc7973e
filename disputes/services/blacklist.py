"""The wage-arrears blacklist (拖欠农民工工资失信联合惩戒对象名单, ADR 0026): listing an employer is a staff
decision of its county with its basis (《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条: a payment
order unpaid past its deadline for at least the provincial threshold in force on the decision date, or a mass
incident), for 3 years; lifting early needs all of: wages paid in full, 6 months since listing, a written
credit-repair promise (信用修复承诺书). Expiry is read from the dates (no scan). ``employer_blacklisted`` is
jobs' ``BLACKLIST_CHECKS`` entry."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.validators import check_resident_id
from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.permissions import require_access, signed_in
from core.scope import scope_of
from jobs.models import EmployerProfile
from jobs.notifications import notify

from ..choices import BlacklistBasis, BlacklistStatus
from ..evidence import checked_upload
from ..models import BlacklistEntry, BlacklistPerson, BlacklistThreshold

LISTING_YEARS = 3  # 暂行办法：失信联合惩戒名单的列入期限为3年
LIFT_AFTER_MONTHS = 6  # 暂行办法：列入满6个月、已改正并支付工资、作出信用承诺的，可提前移出
MAX_PERSONS = 5


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def shift(day: dt.date, *, years: int = 0, months: int = 0) -> dt.date:
    """The same day ``years`` and ``months`` later (the month's last day when it has no such day)."""
    month0 = day.month - 1 + months
    year = day.year + years + month0 // 12
    month = month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def listing_until(listed_from: dt.date) -> dt.date:
    """The last day of a 3-year listing: listed on 2026-12-02, listed through 2029-12-01."""
    return shift(listed_from, years=LISTING_YEARS) - dt.timedelta(days=1)


def lift_possible_from(entry: BlacklistEntry) -> dt.date:
    return shift(entry.listed_from, months=LIFT_AFTER_MONTHS)


def blacklist_threshold_in_force(on: dt.date) -> BlacklistThreshold | None:
    return (
        BlacklistThreshold.objects.filter(effective_from__lte=on).order_by("-effective_from", "-id").first()
    )


def employer_blacklisted(employer) -> bool:
    """jobs' ``BLACKLIST_CHECKS``: the employer has a listing in force today (not lifted, not expired)."""
    if employer is None or getattr(employer, "pk", None) is None:
        return False
    return BlacklistEntry.objects.in_force().filter(employer_id=employer.pk).exists()


def can_list(user, scope_unit_id: int) -> bool:
    return bool(
        signed_in(user)
        and user.has_perm("disputes.add_blacklistentry")
        and scope_of(user).covers(scope_unit_id)
    )


def can_lift(user, entry: BlacklistEntry) -> bool:
    return bool(
        signed_in(user)
        and user.has_perm("disputes.change_blacklistentry")
        and scope_of(user).covers(entry.employer.scope_unit_id)
    )


def _date(value, field: str, label: str, *, required: bool = True) -> dt.date | None:
    if value in (None, ""):
        if required:
            raise _invalid(field, _("请填写%(label)s。") % {"label": label}, "required")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _invalid(field, _("%(label)s格式不正确。") % {"label": label}) from None


def _text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise _invalid(field, _("请填写%(label)s。") % {"label": label}, "required")
    if len(value) > max_length:
        raise _invalid(
            field, _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}, "too_long"
        )
    return value


def _persons(raw) -> list[dict]:
    persons = []
    for i, item in enumerate(raw or []):
        field = f"persons.{i}"
        name = _text(item.get("name"), f"{field}.name", _("责任人姓名"), 40)
        role = _text(item.get("role"), f"{field}.role", _("责任人身份"), 30, required=False) or _(
            "法定代表人"
        )
        id_number = (item.get("id_number") or "").strip().upper()
        if id_number:
            try:
                id_number = check_resident_id(id_number).number
            except ValidationError as exc:
                raise _invalid(f"{field}.id_number", str(exc.messages[0]), "invalid_id") from None
        persons.append({"name": name, "role": role, "id_number": id_number})
    if not persons:
        raise _invalid(
            "persons", _("请至少填写一名责任人（法定代表人、主要负责人或实际控制人）。"), "required"
        )
    if len(persons) > MAX_PERSONS:
        raise _invalid("persons", _("责任人最多 %(n)s 名。") % {"n": MAX_PERSONS}, "too_many")
    return persons


@transaction.atomic
def blacklist_list(
    *,
    actor,
    employer: EmployerProfile,
    basis: str,
    persons: list[dict],
    decided_on=None,
    decision_number: str = "",
    payment_order_number: str = "",
    payment_order_deadline=None,
    amount_unpaid=None,
    incident_description: str = "",
    request=None,
) -> BlacklistEntry:
    """List an employer (staff of its county): the basis is checked against the law and the threshold in
    force on the decision date; the listing runs 3 years from that date. The employer is told."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    if not isinstance(employer, EmployerProfile):
        raise _invalid("employer", _("请选择用工方。"), "required")
    locked = EmployerProfile.objects.select_for_update().filter(pk=employer.pk).first()
    if locked is None:
        raise _invalid("employer", _("请选择用工方。"), "required")
    require_access(
        allowed=can_list(actor, locked.scope_unit_id), visible=scope_of(actor).covers(locked.scope_unit_id)
    )
    today = timezone.localdate()
    decided_on = _date(decided_on, "decided_on", _("决定日期"), required=False) or today
    if decided_on > today:
        raise _invalid("decided_on", _("决定日期不能晚于今天。"), "future_date")
    if basis not in BlacklistBasis.values:
        raise _invalid("basis", _("请选择列入依据。"), "required")
    fields: dict = {
        "payment_order_number": "",
        "payment_order_deadline": None,
        "amount_unpaid": None,
        "threshold": None,
        "threshold_amount": None,
        "incident_description": "",
    }
    if basis == BlacklistBasis.PAYMENT_ORDER:
        fields["payment_order_number"] = _text(
            payment_order_number, "payment_order_number", _("限期支付文书编号"), 60
        )
        deadline = _date(payment_order_deadline, "payment_order_deadline", _("限期支付截止日"))
        if deadline >= decided_on:
            raise _invalid(
                "payment_order_deadline",
                _("限期支付的期限尚未届满，不能列入（截止日应早于决定日期）。"),
                "deadline_not_passed",
            )
        try:
            amount = Decimal(str(amount_unpaid)).quantize(Decimal("0.01"))
        except (InvalidOperation, TypeError, ValueError):
            raise _invalid("amount_unpaid", _("请填写逾期未支付金额（元）。"), "required") from None
        if amount <= 0 or amount >= Decimal("1e10"):
            raise _invalid("amount_unpaid", _("金额不正确。"), "invalid_amount")
        threshold = blacklist_threshold_in_force(decided_on)
        if threshold is None:
            raise _invalid("amount_unpaid", _("决定日期没有适用的数额标准，请联系市局维护。"), "no_threshold")
        if amount < threshold.amount:
            raise _invalid(
                "amount_unpaid",
                _(
                    "逾期未支付金额 %(amount)s 元未达到数额标准 %(threshold)s 元"
                    "（%(province)s，%(since)s 起施行），不能列入。"
                )
                % {
                    "amount": amount,
                    "threshold": threshold.amount,
                    "province": threshold.province,
                    "since": f"{threshold.effective_from:%Y-%m-%d}",
                },
                "below_threshold",
            )
        fields.update(
            payment_order_deadline=deadline,
            amount_unpaid=amount,
            threshold=threshold,
            threshold_amount=threshold.amount,
        )
    else:
        fields["incident_description"] = _text(
            incident_description, "incident_description", _("群体性事件情况"), 2000
        )
    people = _persons(persons)
    if BlacklistEntry.objects.in_force(today).filter(employer=locked).exists():
        raise InvalidTransition(_("该用工方已在失信名单中。"), code="already_listed")
    entry = BlacklistEntry.objects.create(
        employer=locked,
        basis=basis,
        decision_number=_text(decision_number, "decision_number", _("列入决定书文号"), 60, required=False),
        decided_on=decided_on,
        decided_at=timezone.now(),
        decided_by=actor,
        listed_from=decided_on,
        listed_until=listing_until(decided_on),
        **fields,
    )
    BlacklistPerson.objects.bulk_create([BlacklistPerson(entry=entry, **p) for p in people])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=entry,
        after={
            **snapshot(entry),
            "persons": [snapshot(p) for p in entry.persons.all()],
        },
        reason=entry.get_basis_display(),
        request=request,
    )
    notify(
        locked.user_id,
        _("您已被列入拖欠农民工工资失信联合惩戒对象名单（%(from)s 至 %(until)s），期间不能发布岗位。")
        % {"from": f"{entry.listed_from:%Y-%m-%d}", "until": f"{entry.listed_until:%Y-%m-%d}"},
        key=f"blacklist:{entry.pk}:listed",
    )
    return entry


@transaction.atomic
def blacklist_lift(
    *, entry: BlacklistEntry, actor, wages_paid_on, promise, reason: str, request=None
) -> BlacklistEntry:
    """Lift a listing early (提前移出): all three conditions of the rule — the wages paid in full (the date
    they were), at least 6 months since listing (409 ``too_early`` before), the written credit-repair promise
    (an image or PDF, checked by content). Staff of the employer's county; audited; the employer is told."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    locked = (
        BlacklistEntry.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("employer")
        .filter(pk=entry.pk)
        .first()
    )
    require_access(allowed=locked is not None and can_lift(actor, locked), visible=locked is not None)
    today = timezone.localdate()
    status = locked.status_on(today)
    if status == BlacklistStatus.LIFTED:
        raise InvalidTransition(_("该记录已提前移出。"), code="already_lifted")
    if status == BlacklistStatus.EXPIRED:
        raise InvalidTransition(_("惩戒期已满，已自动移出，无需提前移出。"), code="expired")
    possible = lift_possible_from(locked)
    if today < possible:
        raise InvalidTransition(
            _("列入未满 6 个月，%(date)s 起方可申请提前移出。") % {"date": f"{possible:%Y-%m-%d}"},
            code="too_early",
        )
    paid = _date(wages_paid_on, "wages_paid_on", _("工资全额支付日期"))
    if paid > today:
        raise _invalid("wages_paid_on", _("支付日期不能晚于今天。"), "future_date")
    if promise is None or not getattr(promise, "size", 0):
        raise _invalid("promise", _("请上传用工方签署的信用修复承诺书。"), "required")
    reason = _text(reason, "reason", _("移出理由"), 1000)
    _kind, stored, digest = checked_upload(promise, field="promise")
    before = snapshot(locked, ["lifted_at", "lifted_by", "lift_reason", "wages_paid_on"])
    locked.lifted_at = timezone.now()
    locked.lifted_by = actor
    locked.lift_reason = reason
    locked.wages_paid_on = paid
    locked.promise_sha256 = digest
    locked.promise.save(stored.name, stored, save=False)
    locked.save(
        update_fields=[
            "lifted_at",
            "lifted_by",
            "lift_reason",
            "wages_paid_on",
            "promise",
            "promise_sha256",
            "updated_at",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=before,
        after=snapshot(
            locked, ["lifted_at", "lifted_by", "lift_reason", "wages_paid_on", "promise", "promise_sha256"]
        ),
        reason=reason,
        request=request,
    )
    notify(
        locked.employer.user_id,
        _("您已被提前移出拖欠农民工工资失信联合惩戒对象名单，可以重新发布岗位。"),
        key=f"blacklist:{locked.pk}:lifted",
    )
    return locked
