"""The arithmetic of labour-market statistics over the raw records, shared by the services (which store it)
and the benchmark.

Wage guidance prices (市场工资指导价位)
-----------------------------------
Monthly percentiles of settled daily-equivalent wages per occupation and county (and city-wide), reviewed as a draft and published by city staff.

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

Supply and demand (求人倍率)
-------------------------

Definitions (one month = the calendar month in Asia/Shanghai):
- ``open_positions``: the headcount of postings first published in the month (``published_at``);
  ``postings``: how many such postings. County = the posting's county.
- ``active_seekers``: workers seeking work in the occupation at some instant of the month — a seeking
  spell (``jobs.SeekerSpell``, ADR 0041: registered or available again → unavailable, account closed or the
  skill dropped) overlapping the month. County = the worker's own county. A past month counts the seekers
  valid then, whatever their availability is today, so recomputing an old month gives the same figure.
- ``ratio`` = open_positions ÷ active_seekers to 2 places (half-up); None when there are no seekers.
- ``new_registrations``: registrations created in the month with a skill in the occupation.
- ``hires``: applications accepted in the month (the accept event), whatever happened later.
- ``avg_days_to_fill``: over postings that became filled in the month, days from ``published_at`` to the
  first "filled" event, one decimal.
City-wide rows count distinct workers once (a worker is counted city-wide even without a county).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Min, Q, Sum

from core.months import month_bounds, month_start, next_month
from jobs.choices import ApplicationStatus, PostingStatus
from jobs.models import ApplicationEvent, Posting, PostingEvent, SeekerSpell, WorkerSkill
from work.choices import WorkOrderStatus
from work.models import WorkOrder

PERCENTILES: tuple[Decimal, ...] = (
    Decimal("0.1"),
    Decimal("0.25"),
    Decimal("0.5"),
    Decimal("0.75"),
    Decimal("0.9"),
)
FIELDS = ("p10", "p25", "p50", "p75", "p90")
CENT = Decimal("0.01")


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


# --- supply and demand ----------------------------------------------------------------------------------

MEASURES = ("open_positions", "postings", "active_seekers", "new_registrations", "hires")


def ratio_of(open_positions: int, seekers: int) -> Decimal | None:
    if not seekers:
        return None
    return (Decimal(open_positions) / Decimal(seekers)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _add(table, measure: str, rows, occ_key: str, unit_key: str | None, value_key: str) -> None:
    for row in rows:
        unit = row[unit_key] if unit_key else None
        table[(row[occ_key], unit)][measure] += row[value_key] or 0


def supply_demand_figures(*, month: dt.date) -> dict[tuple[int, int | None], dict]:
    """{(occupation_id, scope_unit_id or None for city-wide): {measure: value}} for a month."""
    start, end = month_bounds(month)
    table: dict[tuple[int, int | None], dict] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))

    published = Posting.objects.filter(published_at__gte=start, published_at__lt=end)
    for unit_key in ("scope_unit_id", None):
        group = ["occupation_id"] + ([unit_key] if unit_key else [])
        rows = published.values(*group).annotate(n=Count("id"), heads=Sum("headcount")).order_by()
        _add(table, "postings", rows, "occupation_id", unit_key, "n")
        _add(table, "open_positions", rows, "occupation_id", unit_key, "heads")

    # seekers as they were: the seeking spells (ADR 0041) overlapping the month, per occupation sought
    spells = SeekerSpell.objects.filter(
        Q(started_at__lt=end) & (Q(ended_at__isnull=True) | Q(ended_at__gt=start)), occupation__isnull=False
    )
    new = WorkerSkill.objects.filter(profile__created_at__gte=start, profile__created_at__lt=end)
    for unit_key in ("profile__user__scope_unit_id", None):
        group = ["occupation_id"] + ([unit_key] if unit_key else [])
        rows = spells.values(*group).annotate(n=Count("profile_id", distinct=True)).order_by()
        if unit_key:
            rows = [r for r in rows if r[unit_key] is not None]
        _add(table, "active_seekers", rows, "occupation_id", unit_key, "n")
        rows = new.values(*group).annotate(n=Count("profile_id", distinct=True)).order_by()
        if unit_key:
            rows = [r for r in rows if r[unit_key] is not None]
        _add(table, "new_registrations", rows, "occupation_id", unit_key, "n")

    accepted = ApplicationEvent.objects.filter(
        to_status=ApplicationStatus.ACCEPTED, at__gte=start, at__lt=end
    )
    for unit_key in ("application__posting__scope_unit_id", None):
        group = ["application__posting__occupation_id"] + ([unit_key] if unit_key else [])
        rows = accepted.values(*group).annotate(n=Count("application_id", distinct=True)).order_by()
        _add(table, "hires", rows, "application__posting__occupation_id", unit_key, "n")

    # time to fill: postings whose first "filled" event falls in the month
    first_filled = (
        PostingEvent.objects.filter(to_status=PostingStatus.FILLED)
        .values("posting_id")
        .annotate(at=Min("at"))
        .filter(at__gte=start, at__lt=end)
        .order_by()
    )
    filled_at = {row["posting_id"]: row["at"] for row in first_filled}
    durations: dict[tuple[int, int | None], list[float]] = defaultdict(list)
    for posting in Posting.objects.filter(pk__in=list(filled_at), published_at__isnull=False).values(
        "pk", "occupation_id", "scope_unit_id", "published_at"
    ):
        days = max((filled_at[posting["pk"]] - posting["published_at"]).total_seconds(), 0) / 86400
        durations[(posting["occupation_id"], posting["scope_unit_id"])].append(days)
        durations[(posting["occupation_id"], None)].append(days)

    out = {}
    for key in set(table) | set(durations):
        figures = dict(table[key])
        figures["ratio"] = ratio_of(figures["open_positions"], figures["active_seekers"])
        spans = durations.get(key)
        figures["avg_days_to_fill"] = (
            (Decimal(str(sum(spans) / len(spans)))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
            if spans
            else None
        )
        out[key] = figures
    return out
