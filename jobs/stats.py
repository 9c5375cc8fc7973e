"""Supply and demand (求人倍率) per occupation, county and month, and city-wide (county empty).

Definitions (one month = the calendar month in Asia/Shanghai):
- ``open_positions``: the headcount of postings first published in the month (``published_at``);
  ``postings``: how many such postings. County = the posting's county.
- ``active_seekers``: workers whose job-seeker registration existed by the end of the month, whose account
  is active and who list at least one available weekday, with a skill in the occupation. County = the
  worker's own county. The platform keeps no history of availability, so "active in that month" reads
  today's account and availability for past months (recompute soon after month end, as the task does).
- ``ratio`` = open_positions ÷ active_seekers to 2 places (half-up); None when there are no seekers.
- ``new_registrations``: registrations created in the month with a skill in the occupation.
- ``hires``: applications accepted in the month (the accept event), whatever happened later.
- ``avg_days_to_fill``: over postings that became filled in the month, days from ``published_at`` to the
  first "filled" event, one decimal.
City-wide rows count distinct workers once (a worker is counted city-wide even without a county).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import django_filters
from django.db import transaction
from django.db.models import Count, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import ApplicationStatus, PostingStatus
from .guidance import month_start, next_month
from .models import ApplicationEvent, Posting, PostingEvent, SupplyDemandStat, WageGuidanceCell, WorkerSkill

MEASURES = ("open_positions", "postings", "active_seekers", "new_registrations", "hires")


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    month = month_start(month)
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(next_month(month), dt.time.min))
    return start, end


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

    skills = WorkerSkill.objects.filter(profile__user__is_active=True, profile__created_at__lt=end).exclude(
        profile__available_days=""
    )
    new = WorkerSkill.objects.filter(profile__created_at__gte=start, profile__created_at__lt=end)
    for unit_key in ("profile__user__scope_unit_id", None):
        group = ["occupation_id"] + ([unit_key] if unit_key else [])
        rows = skills.values(*group).annotate(n=Count("profile_id", distinct=True)).order_by()
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


@transaction.atomic
def supply_demand_compute(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Compute a month's supply-demand rows, replacing the month's previous rows. Returns the row count."""
    month = month_start(month)
    now = now or timezone.now()
    figures = supply_demand_figures(month=month)
    SupplyDemandStat.objects.filter(month=month).delete()
    SupplyDemandStat.objects.bulk_create(
        [
            SupplyDemandStat(month=month, occupation_id=occ, scope_unit_id=unit, computed_at=now, **values)
            for (occ, unit), values in figures.items()
        ]
    )
    return len(figures)


# --- filters shared by the API and the pages -----------------------------------------------------------------


def parse_month(value: str | None) -> dt.date | None:
    """Parse a month: "2025-03" or "2025-03-01" → 2025-03-01; anything else → None."""
    if not value:
        return None
    try:
        return month_start(dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01"))
    except ValueError:
        return None


class StatsFilterSet(django_filters.FilterSet):
    """month (YYYY-MM), county (GB/T 2260 code, or "city" for the city-wide rows), occupation (code; a
    category includes its occupations)."""

    month = django_filters.CharFilter(method="filter_month", label=_("月份（YYYY-MM）"))
    county = django_filters.CharFilter(method="filter_county", label=_("县（市、区）代码，city 为全市"))
    occupation = django_filters.CharFilter(method="filter_occupation", label=_("工种代码"))

    month_field = "month"

    def filter_month(self, qs, name, value):
        month = parse_month(value)
        if month is None:
            return qs.none()
        return qs.filter(**{self.month_field: month})

    def filter_county(self, qs, name, value):
        if value == "city":
            return qs.filter(scope_unit__isnull=True)
        return qs.filter(scope_unit__code=value)

    def filter_occupation(self, qs, name, value):
        return qs.filter(Q(occupation__code=value) | Q(occupation__parent__code=value))


class WageGuidanceFilterSet(StatsFilterSet):
    month_field = "guidance__month"

    class Meta:
        model = WageGuidanceCell
        fields = ["month", "county", "occupation"]


class SupplyDemandFilterSet(StatsFilterSet):
    class Meta:
        model = SupplyDemandStat
        fields = ["month", "county", "occupation"]
