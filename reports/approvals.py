"""Locking closed months (issue 18, ADR 0043), as DHIS2's approval levels: a county (or zone) submits a month
that has ended, the city accepts it, the city's own row is accepted once every unit's is, and the city
reopens with a reason. A submitted or accepted month is locked for its unit: the recompute keeps that unit's
facts and a push to it is refused (409); once the city's row is accepted the period cannot be recomputed at
all. A quarter or a year is locked for a unit when each of its months is.

Every step runs in a transaction that first locks the month's city row (``_month_rows``): the recompute of a
period takes the same locks, so a submission never lands in the middle of a recompute of its month."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError, NotFound, NotPermitted
from core.models import ScopeUnit
from core.scope import scope_of

from .choices import ApprovalStatus, PeriodKind
from .models import APPROVAL_WORKFLOW, PeriodApproval
from .orgunits import units
from .periods import Period, parse_period

SUBMIT = "reports.submit_periodapproval"
ACCEPT = "reports.accept_periodapproval"
REOPEN = "reports.reopen_periodapproval"


def month_codes(period: Period) -> list[str]:
    return [f"{month:%Y%m}" for month in period.months()]


def _month(period: Period | str) -> Period:
    period = parse_period(period) if isinstance(period, str) else period
    if period.kind != PeriodKind.MONTH:
        message = _("只能按月报送和审核。")
        raise DomainError(message, code="invalid_period", fields={"period": [message]})
    return period


def lock_months(period: Period) -> None:
    """Lock the city rows of ``period``'s months (created open where missing), in month order: the recompute
    and every approval step of those months queue here."""
    codes = month_codes(period)
    existing = set(
        PeriodApproval.objects.filter(period__in=codes, org_unit__isnull=True).values_list(
            "period", flat=True
        )
    )
    for code in codes:
        if code not in existing:
            PeriodApproval.objects.get_or_create(period=code, org_unit=None)
    list(
        PeriodApproval.objects.select_for_update(of=("self",))
        .filter(period__in=codes, org_unit__isnull=True)
        .order_by("period")
        .values_list("pk", flat=True)
    )


def locked_units(period: Period) -> set[int | None]:
    """The org units (unit ids; None for the city) whose figures for ``period`` are locked: each of the
    period's months submitted or accepted for that unit (the city: accepted)."""
    codes = month_codes(period)
    counts: dict[int | None, int] = {}
    for unit_id, status in PeriodApproval.objects.filter(period__in=codes).values_list("org_unit", "status"):
        if status == ApprovalStatus.ACCEPTED or (unit_id is not None and status == ApprovalStatus.SUBMITTED):
            counts[unit_id] = counts.get(unit_id, 0) + 1
    return {unit_id for unit_id, n in counts.items() if n == len(codes)}


def final_units(period: Period) -> set[int | None]:
    """The org units whose figures for ``period`` are accepted for every month: they will not change
    unless the city reopens them (the pull API lets caches keep them long)."""
    codes = month_codes(period)
    counts: dict[int | None, int] = {}
    rows = PeriodApproval.objects.filter(period__in=codes, status=ApprovalStatus.ACCEPTED)
    for unit_id in rows.values_list("org_unit", flat=True):
        counts[unit_id] = counts.get(unit_id, 0) + 1
    return {unit_id for unit_id, n in counts.items() if n == len(codes)}


def accepted_month():
    """An expression for a month's fact: whether its unit's month is accepted (the city's acceptance implies
    every unit's), to annotate the rows of the pull API without another query."""
    accepted = PeriodApproval.objects.filter(period=OuterRef("period"), status=ApprovalStatus.ACCEPTED)
    return Exists(accepted.filter(org_unit__isnull=True)) | Exists(
        accepted.filter(org_unit=OuterRef("org_unit"))
    )


def refuse_if_city_locked(period: Period) -> None:
    if None in locked_units(period):
        raise Conflict(
            _("%(p)s 的统计数据已经全市审核锁定，不能重新计算；需要更正时请先重新打开。")
            % {"p": period.code},
            code="period_locked",
            fields={"period": [_("统计期已锁定。")]},
        )


def _row(period: Period, unit: ScopeUnit | None) -> PeriodApproval:
    lock_months(period)
    row, _created = PeriodApproval.objects.get_or_create(period=period.code, org_unit=unit)
    return APPROVAL_WORKFLOW.lock(row.pk, select_related=("org_unit",))


def _unit(code_or_unit, *, actor) -> ScopeUnit | None:
    """The org unit a code names (``city`` → None) within ``actor``'s scope (outside it: 404)."""
    if isinstance(code_or_unit, ScopeUnit) or code_or_unit is None:
        unit = code_or_unit
    elif code_or_unit == "city":
        unit = None
    else:
        unit = ScopeUnit.objects.filter(code=str(code_or_unit)).first()
        if unit is None:
            raise NotFound(_("未找到该统计单位。"))
    scope = scope_of(actor)
    if not (scope.all if unit is None else scope.covers(unit.pk)):
        raise NotFound(_("未找到该统计单位。"))
    return unit


def _require(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise NotPermitted()


@transaction.atomic
def submit(period, unit, *, actor, today: dt.date | None = None, request=None) -> PeriodApproval:
    """A county submits its month: the month must have ended; its figures are then locked."""
    _require(actor, SUBMIT)
    period, unit = _month(period), _unit(unit, actor=actor)
    if unit is None:
        raise Conflict(_("全市数据不需报送，由市级审核。"), code="city_not_submitted")
    if period.end > (today or timezone.localdate()):
        raise Conflict(
            _("%(p)s 尚未结束，月份结束后才能报送。") % {"p": period.code},
            code="period_not_ended",
            fields={"period": [_("月份尚未结束。")]},
        )
    row = _row(period, unit)
    row.submitted_at, row.submitted_by = timezone.now(), actor
    return APPROVAL_WORKFLOW.move(
        row, ApprovalStatus.SUBMITTED, actor=actor, fields=["submitted_at", "submitted_by"], request=request
    )


@transaction.atomic
def accept(period, unit, *, actor, request=None) -> PeriodApproval:
    """The city accepts a unit's submitted month, or the city's own month once every unit's is accepted."""
    _require(actor, ACCEPT)
    period, unit = _month(period), _unit(unit, actor=actor)
    row = _row(period, unit)
    if unit is None:
        accepted = set(
            PeriodApproval.objects.filter(
                period=period.code, org_unit__isnull=False, status=ApprovalStatus.ACCEPTED
            ).values_list("org_unit", flat=True)
        )
        waiting = [u for u in units() if u.pk not in accepted]
        if waiting:
            names = "、".join(u.name for u in waiting)
            raise Conflict(
                _("以下单位的 %(p)s 数据尚未审核：%(names)s。") % {"p": period.code, "names": names},
                code="units_not_accepted",
                fields={"org_unit": [u.code for u in waiting]},
            )
    elif row.status != ApprovalStatus.SUBMITTED:
        raise Conflict(_("该单位尚未报送 %(p)s 的数据。") % {"p": period.code}, code="not_submitted")
    row.accepted_at, row.accepted_by = timezone.now(), actor
    return APPROVAL_WORKFLOW.move(
        row, ApprovalStatus.ACCEPTED, actor=actor, fields=["accepted_at", "accepted_by"], request=request
    )


@transaction.atomic
def reopen(period, unit, *, actor, reason: str, request=None) -> PeriodApproval:
    """The city returns a submitted month or reopens an accepted one, with a reason (audited). A unit's
    month cannot be reopened while the city's is accepted: reopen the city first."""
    _require(actor, REOPEN)
    reason = (reason or "").strip()
    if not reason:
        message = _("请填写退回或重新打开的原因。")
        raise DomainError(message, code="reason_required", fields={"reason": [message]})
    period, unit = _month(period), _unit(unit, actor=actor)
    row = _row(period, unit)
    if unit is not None:
        city = PeriodApproval.objects.filter(period=period.code, org_unit__isnull=True).first()
        if city is not None and city.status == ApprovalStatus.ACCEPTED:
            raise Conflict(
                _("全市 %(p)s 的数据已审核，请先重新打开全市。") % {"p": period.code}, code="city_locked"
            )
    if row.status == ApprovalStatus.OPEN:
        raise Conflict(_("该月份尚未报送，无需退回。"), code="not_locked")
    row.accepted_at = row.accepted_by = None
    row.submitted_at = row.submitted_by = None
    return APPROVAL_WORKFLOW.move(
        row,
        ApprovalStatus.OPEN,
        actor=actor,
        reason=reason,
        fields=["accepted_at", "accepted_by", "submitted_at", "submitted_by"],
        request=request,
    )


def month_board(period: Period | str, *, user) -> list[dict]:
    """Every org unit the user may see for ``period`` (a month) with its approval: the page's rows."""
    period = _month(period)
    rows = {
        a.org_unit_id: a
        for a in PeriodApproval.objects.filter(period=period.code).select_related(
            "submitted_by", "accepted_by"
        )
    }
    scope = scope_of(user)
    board = []
    for unit in units():
        if scope.covers(unit.pk):
            board.append({"unit": unit, "code": unit.code, "name": unit.name, "approval": rows.get(unit.pk)})
    if scope.all:
        board.append({"unit": None, "code": "city", "name": _("全市"), "approval": rows.get(None)})
    for entry in board:
        approval = entry["approval"]
        entry["status"] = approval.status if approval else ApprovalStatus.OPEN
        entry["status_label"] = ApprovalStatus(entry["status"]).label
    return board
