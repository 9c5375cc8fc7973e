"""The computed indicators' arithmetic: for a period, each indicator's value per scope unit, counted from
the raw records of the apps to the left **as they were in the period** — rows whose own timestamp (created,
published, accepted, settled, received, resolved, completed) falls in [start, end), and for a stock
indicator the rows that existed before the period's end. One grouped query per indicator (three for
counter services); a unit with no rows is absent (the service writes it as 0).

Rows without a scope unit (a worker registered without a county) belong to no unit and so to no figure:
the city's figure of an additive indicator is the sum of its units' (ADR 0036)."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from disputes.models import Case
from jobs.choices import ApplicationSource, ApplicationStatus
from jobs.models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    Posting,
    PostingWindow,
    SeekerSpell,
    WorkerProfile,
)
from training.choices import EnrollmentChannel, EnrollmentStatus
from training.models import Enrollment, EnrollmentEvent, TrainingResult
from work.models import ArrearsAlert, WorkOrder

from .periods import Period

PerUnit = dict[int, Decimal]
CENT = Decimal("0.01")


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's first instant and the instant after it, aware in the current time zone (Asia/Shanghai)."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end, dt.time.min))
    return start, end


def _count(qs: QuerySet, unit: str, *, distinct: str = "") -> PerUnit:
    measure = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = qs.filter(**{f"{unit}__isnull": False}).values(unit).annotate(n=measure).values_list(unit, "n")
    return {u: Decimal(n) for u, n in rows}


def _within(field: str, period: Period) -> dict:
    start, end = bounds(period)
    return {f"{field}__gte": start, f"{field}__lt": end}


def _before_end(field: str, period: Period) -> dict:
    return {f"{field}__lt": bounds(period)[1]}


def workers_new(p: Period) -> PerUnit:
    return _count(WorkerProfile.objects.filter(**_within("created_at", p)), "user__scope_unit")


def workers_total(p: Period) -> PerUnit:
    return _count(WorkerProfile.objects.filter(**_before_end("created_at", p)), "user__scope_unit")


def employers_new(p: Period) -> PerUnit:
    return _count(EmployerProfile.objects.filter(**_within("created_at", p)), "scope_unit")


def employers_total(p: Period) -> PerUnit:
    return _count(EmployerProfile.objects.filter(**_before_end("created_at", p)), "scope_unit")


def postings_new(p: Period) -> PerUnit:
    return _count(Posting.objects.filter(**_within("published_at", p)), "scope_unit")


def hires(p: Period) -> PerUnit:
    events = ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))
    return _count(events, "application__posting__scope_unit", distinct="application")


def work_orders_settled(p: Period) -> PerUnit:
    return _count(WorkOrder.objects.filter(**_within("settled_at", p)), "posting__scope_unit")


def wages_paid(p: Period) -> PerUnit:
    rows = (
        WorkOrder.objects.filter(
            posting__scope_unit__isnull=False, amount__isnull=False, **_within("settled_at", p)
        )
        .values("posting__scope_unit")
        .annotate(total=Sum("amount"))
        .values_list("posting__scope_unit", "total")
    )
    return {u: Decimal(total).quantize(CENT) for u, total in rows}


def counter_services(p: Period) -> PerUnit:
    parts = [
        _count(
            WorkerProfile.objects.filter(assisted_by__isnull=False, **_within("created_at", p)),
            "user__scope_unit",
        ),
        _count(
            Application.objects.filter(source=ApplicationSource.COUNTER, **_within("created_at", p)),
            "posting__scope_unit",
        ),
        _count(
            Enrollment.objects.filter(channel=EnrollmentChannel.COUNTER, **_within("created_at", p)),
            "training_class__scope_unit",
        ),
    ]
    total: dict[int, Decimal] = defaultdict(Decimal)
    for part in parts:
        for unit, n in part.items():
            total[unit] += n
    return dict(total)


def complaints_received(p: Period) -> PerUnit:
    return _count(Case.objects.filter(**_within("received_at", p)), "scope_unit")


def complaints_closed(p: Period) -> PerUnit:
    return _count(Case.objects.filter(**_within("resolved_at", p)), "scope_unit")


def trainees_enrolled(p: Period) -> PerUnit:
    events = EnrollmentEvent.objects.filter(to_status=EnrollmentStatus.ENROLLED, **_within("at", p))
    return _count(events, "enrollment__training_class__scope_unit", distinct="enrollment")


def trainees_completed(p: Period) -> PerUnit:
    results = TrainingResult.objects.filter(completed=True, completed_on__gte=p.start, completed_on__lt=p.end)
    return _count(results, "enrollment__training_class__scope_unit")


def services_total(p: Period) -> PerUnit:
    """Every service of the kinds counter_services counts, however made: registrations, applications and
    training enrolments created in the period (the denominator of counter_services_share)."""
    parts = [
        _count(WorkerProfile.objects.filter(**_within("created_at", p)), "user__scope_unit"),
        _count(Application.objects.filter(**_within("created_at", p)), "posting__scope_unit"),
        _count(Enrollment.objects.filter(**_within("created_at", p)), "training_class__scope_unit"),
    ]
    total: dict[int, Decimal] = defaultdict(Decimal)
    for part in parts:
        for unit, n in part.items():
            total[unit] += n
    return dict(total)


# --- validity windows (ADR 0041): supply and demand as they were -------------------------------------------
# A window [opened, closed) is valid in the period [start, end) when it overlaps it: opened before the end and
# not closed by the start. A posting also stops being valid after its last work date.


def _overlapping(opened: str, closed: str, period: Period) -> Q:
    start, end = bounds(period)
    return Q(**{f"{opened}__lt": end}) & (Q(**{f"{closed}__isnull": True}) | Q(**{f"{closed}__gt": start}))


def valid_postings(p: Period) -> QuerySet:
    """The postings published at some instant of the period (each once, however many windows it had)."""
    windows = PostingWindow.objects.filter(_overlapping("opened_at", "closed_at", p)).values("posting_id")
    return Posting.objects.filter(pk__in=windows, work_end_date__gte=p.start)


def valid_seekers(p: Period) -> QuerySet:
    """The seeking spells overlapping the period."""
    return SeekerSpell.objects.filter(_overlapping("started_at", "ended_at", p))


def carried_seekers(p: Period) -> QuerySet:
    """The spells open at the period's first instant (carried over from before it)."""
    start, _end = bounds(p)
    return SeekerSpell.objects.filter(
        Q(started_at__lt=start) & (Q(ended_at__isnull=True) | Q(ended_at__gt=start))
    )


def _heads(qs: QuerySet, unit: str, *keys: str) -> dict:
    qs = qs.filter(**{f"{unit}__isnull": False})
    rows = qs.values(unit, *keys).annotate(n=Sum("headcount")).values_list(unit, *keys, "n")
    if keys:
        return {(u, k or ""): Decimal(n) for u, k, n in rows}
    return {u: Decimal(n) for u, n in rows}


def postings_valid(p: Period) -> PerUnit:
    return _count(valid_postings(p), "scope_unit")


def demand_valid(p: Period) -> PerUnit:
    return _heads(valid_postings(p), "scope_unit")


def demand_new(p: Period) -> PerUnit:
    return _heads(Posting.objects.filter(**_within("published_at", p)), "scope_unit")


def seekers_valid(p: Period) -> PerUnit:
    return _count(valid_seekers(p), "profile__user__scope_unit", distinct="profile")


def seekers_new(p: Period) -> PerUnit:
    """Seekers valid in the period who were not seeking at its first instant (registered or became
    available in it): seekers_valid − carried over."""
    carried = carried_seekers(p).values("profile_id")
    return _count(
        valid_seekers(p).exclude(profile_id__in=carried), "profile__user__scope_unit", distinct="profile"
    )


# --- breakdowns: (unit, value) -> figure; only the cells that have rows (the service writes no zeros) ----------

PerCell = dict[tuple[int, str], Decimal]


def _count_by(qs: QuerySet, unit: str, key: str, *, distinct: str = "") -> PerCell:
    measure = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = (
        qs.filter(**{f"{unit}__isnull": False})
        .values(unit, key)
        .annotate(n=measure)
        .values_list(unit, key, "n")
    )
    return {(u, v or ""): Decimal(n) for u, v, n in rows}


def postings_new_by_occupation(p: Period) -> PerCell:
    return _count_by(Posting.objects.filter(**_within("published_at", p)), "scope_unit", "occupation__code")


def hires_by_occupation(p: Period) -> PerCell:
    events = ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))
    return _count_by(
        events,
        "application__posting__scope_unit",
        "application__posting__occupation__code",
        distinct="application",
    )


def work_orders_settled_by_occupation(p: Period) -> PerCell:
    orders = WorkOrder.objects.filter(**_within("settled_at", p))
    return _count_by(orders, "posting__scope_unit", "posting__occupation__code")


def wages_paid_by_occupation(p: Period) -> PerCell:
    rows = (
        WorkOrder.objects.filter(
            posting__scope_unit__isnull=False, amount__isnull=False, **_within("settled_at", p)
        )
        .values("posting__scope_unit", "posting__occupation__code")
        .annotate(total=Sum("amount"))
        .values_list("posting__scope_unit", "posting__occupation__code", "total")
    )
    return {(u, v or ""): Decimal(total).quantize(CENT) for u, v, total in rows}


def postings_valid_by_occupation(p: Period) -> PerCell:
    return _count_by(valid_postings(p), "scope_unit", "occupation__code")


def demand_valid_by_occupation(p: Period) -> PerCell:
    return _heads(valid_postings(p), "scope_unit", "occupation__code")


def demand_new_by_occupation(p: Period) -> PerCell:
    return _heads(Posting.objects.filter(**_within("published_at", p)), "scope_unit", "occupation__code")


def seekers_valid_by_occupation(p: Period) -> PerCell:
    """Per occupation sought: a seeker with two skills is in two cells; a seeker with none in no cell."""
    spells = valid_seekers(p).filter(occupation__isnull=False)
    return _count_by(spells, "profile__user__scope_unit", "occupation__code", distinct="profile")


# indicator code -> breakdown key -> calculator (a subset of each indicator's allowed breakdowns)
BREAKDOWNS: dict[str, dict[str, Callable[[Period], PerCell]]] = {
    "postings_new": {"occupation": postings_new_by_occupation},
    "hires": {"occupation": hires_by_occupation},
    "work_orders_settled": {"occupation": work_orders_settled_by_occupation},
    "wages_paid": {"occupation": wages_paid_by_occupation},
    "postings_valid": {"occupation": postings_valid_by_occupation},
    "demand_valid": {"occupation": demand_valid_by_occupation},
    "demand_new": {"occupation": demand_new_by_occupation},
    "seekers_valid": {"occupation": seekers_valid_by_occupation},
}

CALCULATORS: dict[str, Callable[[Period], PerUnit]] = {
    fn.__name__: fn
    for fn in (
        workers_new,
        workers_total,
        employers_new,
        employers_total,
        postings_new,
        hires,
        work_orders_settled,
        wages_paid,
        counter_services,
        complaints_received,
        complaints_closed,
        trainees_enrolled,
        trainees_completed,
        services_total,
        postings_valid,
        demand_valid,
        demand_new,
        seekers_valid,
        seekers_new,
    )
}

# --- ratios: non-additive, derived from two computed indicators' figures for the same cell -------------------


@dataclass(frozen=True)
class Ratio:
    """``numerator`` ÷ ``denominator`` × ``scale``, rounded half-up to the cent, for every cell (unit, city,
    breakdown cell) where the denominator is not 0 — the city's from the city's figures, never a sum or mean
    of the units' ratios. A cell whose denominator is 0 gets no row (a fact's value is never null)."""

    numerator: str
    denominator: str
    scale: int = 1


RATIOS: dict[str, Ratio] = {
    "demand_seeker_ratio": Ratio("demand_valid", "seekers_valid"),
    "counter_services_share": Ratio("counter_services", "services_total", scale=100),
}


def ratio_of(numerator: Decimal, denominator: Decimal, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(CENT, rounding=ROUND_HALF_UP)


# --- issue 18, the remaining indicators (ADR 0042) --------------------------------------------------------
# A median is non-additive: its per-unit calculator is in CALCULATORS (as every computed indicator's), and
# its city figure comes from CITY_CALCULATORS — the median over every row that belongs to some unit, not a
# sum of the units' medians. The service asks CITY_CALCULATORS for every indicator whose catalogue row is
# not additive.


def _median(values: list[Decimal]) -> Decimal:
    return Decimal(statistics.median(values)).quantize(CENT) if values else Decimal("0.00")


def _medians(pairs) -> tuple[PerUnit, Decimal]:
    """(unit, value) rows -> the median per unit and the median over all the rows (the city)."""
    by_unit: dict[int, list[Decimal]] = defaultdict(list)
    for unit, value in pairs:
        by_unit[unit].append(Decimal(value))
    everything = [v for values in by_unit.values() for v in values]
    return {u: _median(values) for u, values in by_unit.items()}, _median(everything)


def _daily_wages(p: Period):
    return (
        WorkOrder.objects.filter(
            posting__scope_unit__isnull=False, daily_wage__isnull=False, **_within("settled_at", p)
        )
        .values_list("posting__scope_unit", "daily_wage")
        .order_by()
    )


def wages_paid_median_daily(p: Period) -> PerUnit:
    return _medians(_daily_wages(p))[0]


def wages_paid_median_daily_city(p: Period) -> Decimal:
    return _medians(_daily_wages(p))[1]


def arrears_alerts(p: Period) -> PerUnit:
    return _count(ArrearsAlert.objects.filter(**_within("raised_at", p)), "work_order__posting__scope_unit")


def complaints_accepted(p: Period) -> PerUnit:
    return _count(Case.objects.filter(**_within("accepted_at", p)), "scope_unit")


DAY = Decimal(86400)


def _days_to_close(p: Period):
    rows = (
        Case.objects.filter(scope_unit__isnull=False, **_within("resolved_at", p))
        .values_list("scope_unit", "received_at", "resolved_at")
        .order_by()
    )
    return [(u, Decimal((resolved - received).total_seconds()) / DAY) for u, received, resolved in rows]


def complaints_median_days_to_close(p: Period) -> PerUnit:
    return _medians(_days_to_close(p))[0]


def complaints_median_days_to_close_city(p: Period) -> Decimal:
    return _medians(_days_to_close(p))[1]


CALCULATORS.update(
    {
        fn.__name__: fn
        for fn in (
            wages_paid_median_daily,
            arrears_alerts,
            complaints_accepted,
            complaints_median_days_to_close,
        )
    }
)

# indicator code -> the city's figure of a non-additive indicator
CITY_CALCULATORS: dict[str, Callable[[Period], Decimal]] = {
    "wages_paid_median_daily": wages_paid_median_daily_city,
    "complaints_median_days_to_close": complaints_median_days_to_close_city,
}
