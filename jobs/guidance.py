"""Wage guidance prices (市场工资指导价位): monthly percentiles of settled daily-equivalent wages per
occupation and county (and city-wide), reviewed as a draft and published by city staff.

- The observations of a month are its settled work orders (status ``settled``, ``work_date`` within the
  month) with their daily-equivalent wage (``WorkOrder.daily_wage``, DESIGN.md's rule).
- P10, P25, P50, P75 and P90 use linear interpolation between closest ranks, exactly as PostgreSQL's
  ``percentile_cont`` (and NumPy's ``method="linear"``): position ``p × (n − 1)``. On PostgreSQL the
  database computes them (``percentile_cont(ARRAY[…]) WITHIN GROUP``, grouped by grouping sets); on
  SQLite the same method runs in Python on Decimals. Both round half-up to the cent.
- A cell with fewer than ``LINGONG_GUIDANCE_MIN_OBSERVATIONS`` observations or fewer than
  ``LINGONG_GUIDANCE_MIN_EMPLOYERS`` distinct employers is suppressed: never stored, so it cannot leak
  through any page, export or API.
- Recomputing a draft replaces its cells. A published month is immutable: recompute and republish are
  refused with ``InvalidTransition`` and its cells never change.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import InvalidTransition, NotPermitted
from core.scope import scope_of

from .choices import GuidanceStatus, WorkOrderStatus
from .models import Occupation, Posting, WageGuidance, WageGuidanceCell, WorkOrder

PERCENTILES: tuple[Decimal, ...] = (
    Decimal("0.1"),
    Decimal("0.25"),
    Decimal("0.5"),
    Decimal("0.75"),
    Decimal("0.9"),
)
FIELDS = ("p10", "p25", "p50", "p75", "p90")
CENT = Decimal("0.01")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def to_cent(value) -> Decimal:
    """Round half-up to the cent. Floats (PostgreSQL's double precision) go through their shortest
    decimal representation, so 212.345 rounds to 212.35 as its Decimal twin does."""
    if isinstance(value, float):
        value = Decimal(repr(value))
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percentile_linear(values: list[Decimal], fraction: Decimal) -> Decimal:
    """``percentile_cont(fraction)`` of ``values`` (sorted ascending, non-empty), exact in Decimal."""
    position = fraction * (len(values) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(values) - 1)
    weight = position - lower
    return values[lower] + (values[upper] - values[lower]) * weight


@dataclass
class CellFigures:
    occupation_id: int
    scope_unit_id: int | None
    percentiles: tuple[Decimal, ...]
    sample_size: int
    employer_count: int


def _observations(month: dt.date):
    return WorkOrder.objects.filter(
        status=WorkOrderStatus.SETTLED,
        work_date__gte=month,
        work_date__lt=next_month(month),
        daily_wage__isnull=False,
    )


def _figures_python(month: dt.date) -> list[CellFigures]:
    groups: dict[tuple[int, int | None], list[Decimal]] = defaultdict(list)
    employers: dict[tuple[int, int | None], set[int]] = defaultdict(set)
    rows = _observations(month).values_list(
        "posting__occupation_id", "posting__scope_unit_id", "posting__employer_id", "daily_wage"
    )
    for occupation_id, unit_id, employer_id, wage in rows.iterator():
        for key in ((occupation_id, unit_id), (occupation_id, None)):
            groups[key].append(wage)
            employers[key].add(employer_id)
    out = []
    for (occupation_id, unit_id), wages in groups.items():
        wages.sort()
        out.append(
            CellFigures(
                occupation_id=occupation_id,
                scope_unit_id=unit_id,
                percentiles=tuple(to_cent(percentile_linear(wages, p)) for p in PERCENTILES),
                sample_size=len(wages),
                employer_count=len(employers[(occupation_id, unit_id)]),
            )
        )
    return out


def _figures_postgresql(month: dt.date) -> list[CellFigures]:
    """One grouped query: per (occupation, county) and per occupation city-wide (the grouping set without
    the county, where ``scope_unit_id`` comes back NULL; postings always have a county)."""
    sql = f"""
        SELECT p.occupation_id, p.scope_unit_id,
               percentile_cont(ARRAY[0.1, 0.25, 0.5, 0.75, 0.9]::float8[])
                   WITHIN GROUP (ORDER BY w.daily_wage::float8),
               count(*), count(DISTINCT p.employer_id)
          FROM {WorkOrder._meta.db_table} w
          JOIN {Posting._meta.db_table} p ON p.id = w.posting_id
         WHERE w.status = %s AND w.work_date >= %s AND w.work_date < %s AND w.daily_wage IS NOT NULL
         GROUP BY GROUPING SETS ((p.occupation_id, p.scope_unit_id), (p.occupation_id))
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [WorkOrderStatus.SETTLED.value, month, next_month(month)])
        rows = cursor.fetchall()
    return [
        CellFigures(
            occupation_id=occupation_id,
            scope_unit_id=unit_id,
            percentiles=tuple(to_cent(v) for v in values),
            sample_size=n,
            employer_count=employers,
        )
        for occupation_id, unit_id, values, n, employers in rows
    ]


def guidance_figures(*, month: dt.date) -> list[CellFigures]:
    """Every cell's figures for a month, suppressed ones included (callers decide)."""
    month = month_start(month)
    if connection.vendor == "postgresql":
        return _figures_postgresql(month)
    return _figures_python(month)


@transaction.atomic
def guidance_compute(
    *, month: dt.date, now: dt.datetime | None = None, actor=None, request=None
) -> WageGuidance:
    """Compute (or recompute) the draft of a month. Cells under the thresholds are not stored. A published
    month is refused and stays as it was."""
    month = month_start(month)
    now = now or timezone.now()
    guidance, created = WageGuidance.objects.get_or_create(month=month, defaults={"computed_at": now})
    guidance = WageGuidance.objects.select_for_update().get(pk=guidance.pk)
    if guidance.status == GuidanceStatus.PUBLISHED:
        raise InvalidTransition(
            _("%(m)s 的工资指导价位已发布，不能重新计算。") % {"m": f"{month:%Y-%m}"},
            code="guidance_published",
        )
    min_obs = settings.LINGONG_GUIDANCE_MIN_OBSERVATIONS
    min_emp = settings.LINGONG_GUIDANCE_MIN_EMPLOYERS
    figures = guidance_figures(month=month)
    kept = [f for f in figures if f.sample_size >= min_obs and f.employer_count >= min_emp]
    guidance.cells.all().delete()
    WageGuidanceCell.objects.bulk_create(
        [
            WageGuidanceCell(
                guidance=guidance,
                occupation_id=f.occupation_id,
                scope_unit_id=f.scope_unit_id,
                sample_size=f.sample_size,
                employer_count=f.employer_count,
                **dict(zip(FIELDS, f.percentiles, strict=True)),
            )
            for f in kept
        ]
    )
    guidance.computed_at = now
    guidance.min_observations = min_obs
    guidance.min_employers = min_emp
    guidance.save(update_fields=["computed_at", "min_observations", "min_employers"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=guidance,
        after={"cells": len(kept), "suppressed": len(figures) - len(kept)},
        reason=_("计算工资指导价位草稿"),
        request=request,
        label=None if actor is not None else "system",
    )
    return guidance


def can_publish_guidance(user) -> bool:
    """City staff (a city-wide scope) with the change permission publish; county staff do not."""
    return bool(
        getattr(user, "is_authenticated", False)
        and scope_of(user).all
        and user.has_perm("jobs.change_wageguidance")
    )


@transaction.atomic
def guidance_publish(*, guidance: WageGuidance, actor, request=None) -> WageGuidance:
    """Publish a draft month (city staff). From then on it is immutable."""
    if not can_publish_guidance(actor):
        raise NotPermitted(_("只有市级工作人员可以发布工资指导价位。"))
    guidance = WageGuidance.objects.select_for_update().get(pk=guidance.pk)
    if guidance.status != GuidanceStatus.DRAFT:
        raise InvalidTransition(_("该月份的工资指导价位已发布。"))
    now = timezone.now()
    guidance.status = GuidanceStatus.PUBLISHED
    guidance.published_at = now
    guidance.published_by = actor
    guidance.save(update_fields=["status", "published_at", "published_by"])
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=guidance,
        before={"status": GuidanceStatus.DRAFT},
        after={"status": GuidanceStatus.PUBLISHED, "cells": guidance.cells.count()},
        request=request,
    )
    return guidance


# --- reads --------------------------------------------------------------------------------------------------


def published_cells():
    """Cells of published months only (drafts are never shown outside the admin)."""
    return WageGuidanceCell.objects.filter(guidance__status=GuidanceStatus.PUBLISHED).select_related(
        "guidance", "occupation", "occupation__parent", "scope_unit"
    )


def published_median(*, occupation: Occupation, scope_unit=None, on: dt.date | None = None) -> Decimal | None:
    """The published median (P50) for an occupation: from the latest published month on or before ``on``
    that has a cell for it — the county's cell first, else the city-wide one; None when nothing is
    published. (A newer month's city-wide figure wins over an older month's county figure.)"""
    on = on or timezone.localdate()
    unit_id = getattr(scope_unit, "pk", scope_unit)
    cells = WageGuidanceCell.objects.filter(
        guidance__status=GuidanceStatus.PUBLISHED,
        guidance__month__lte=on,
        occupation=occupation,
    )
    if unit_id is not None:
        cells = cells.filter(Q(scope_unit_id=unit_id) | Q(scope_unit__isnull=True))
    else:
        cells = cells.filter(scope_unit__isnull=True)
    cell = (
        cells.order_by("-guidance__month", F("scope_unit_id").asc(nulls_last=True))
        .values_list("p50", flat=True)
        .first()
    )
    return cell


def median_trend(
    *, occupation_id: int, scope_unit_id: int | None = None, months: int = 12
) -> list[tuple[dt.date, Decimal]]:
    """(month, P50) of the last ``months`` published months for one occupation and county (or city)."""
    cells = WageGuidanceCell.objects.filter(
        guidance__status=GuidanceStatus.PUBLISHED, occupation_id=occupation_id
    )
    cells = (
        cells.filter(scope_unit_id=scope_unit_id) if scope_unit_id else cells.filter(scope_unit__isnull=True)
    )
    rows = list(cells.order_by("-guidance__month").values_list("guidance__month", "p50")[:months])
    rows.reverse()
    return rows
