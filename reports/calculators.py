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
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DateTimeField, Exists, F, Min, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from disputes.choices import MediationOutcome
from disputes.models import Case, CaseClock, MediationRecord
from jobs.choices import ApplicationSource, ApplicationStatus
from jobs.models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    JobFair,
    Posting,
    PostingWindow,
    SeekerSpell,
    WorkerProfile,
)
from markets.choices import FindingResult, MarketStatus
from markets.models import Inspection, InspectionFinding, Market, MarketEvent
from subsidies.choices import ApplicationStatus as SubsidyStatus
from subsidies.choices import PaymentStatus
from subsidies.models import Application as SubsidyApplication
from subsidies.models import ApplicationEvent as SubsidyApplicationEvent
from subsidies.models import Payment as SubsidyPayment
from training.choices import EnrollmentChannel, EnrollmentStatus
from training.models import Enrollment, EnrollmentEvent, TrainingCertificate, TrainingResult
from training.services.eligibility import add_months
from work.choices import WorkOrderStatus
from work.models import ArrearsAlert, WorkOrder

from .periods import Period

PerUnit = dict[int, Decimal]
CENT = Decimal("0.01")

# One compute reads some rows once for several indicators (the month's settled work orders feed six figures):
# inside ``shared_reads()`` (``services.compute``) a grouped read is kept per period for the compute's length;
# outside it every calculator reads afresh. Nothing is kept across computes.
_SHARED: ContextVar[dict | None] = ContextVar("reports_shared_reads", default=None)


@contextmanager
def shared_reads():
    token = _SHARED.set({})
    try:
        yield
    finally:
        _SHARED.reset(token)


def _shared(name: str, period: Period, load: Callable[[], list]) -> list:
    memo = _SHARED.get()
    if memo is None:
        return load()
    key = (name, period.code)
    if key not in memo:
        memo[key] = load()
    return memo[key]


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


def _posting_groups(name: str, qs: QuerySet, p: Period) -> list[tuple[int, str, int, int]]:
    """(unit, occupation code or "", postings, headcount) of ``qs``'s postings with a unit, read once per
    compute for the four figures that count them (postings, their demand, each by occupation)."""

    def load():
        rows = (
            qs.filter(scope_unit__isnull=False)
            .values("scope_unit", "occupation__code")
            .annotate(n=Count("pk"), heads=Sum("headcount"))
            .values_list("scope_unit", "occupation__code", "n", "heads")
            .order_by()
        )
        return [(u, code or "", n, heads or 0) for u, code, n, heads in rows]

    return _shared(name, p, load)


def _new_postings(p: Period):
    return _posting_groups("new_postings", Posting.objects.filter(**_within("published_at", p)), p)


def _valid_postings(p: Period):
    return _posting_groups("valid_postings", valid_postings(p), p)


def _per_unit(rows, column: int) -> PerUnit:
    total: dict[int, Decimal] = defaultdict(Decimal)
    for row in rows:
        total[row[0]] += Decimal(row[column])
    return dict(total)


def _per_cell(rows, column: int) -> PerCell:
    total: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for row in rows:
        total[row[0], row[1]] += Decimal(row[column])
    return dict(total)


def postings_new(p: Period) -> PerUnit:
    return _per_unit(_new_postings(p), 2)


def hires(p: Period) -> PerUnit:
    events = ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))
    return _count(events, "application__posting__scope_unit", distinct="application")


def _settled(p: Period) -> list[tuple[int, str, Decimal | None, int, Decimal | None]]:
    """(unit, occupation code or "", daily wage, work orders, sum of their amounts or None when none has one)
    of the work orders settled in the period whose posting has a unit: one grouped read per compute for the
    six figures that stand on them (settled, wages paid, each by occupation, the median daily wage of the
    units and of the city)."""

    def load():
        rows = (
            WorkOrder.objects.filter(posting__scope_unit__isnull=False, **_within("settled_at", p))
            .values("posting__scope_unit", "posting__occupation__code", "daily_wage")
            .annotate(n=Count("pk"), paid=Sum("amount"))
            .values_list("posting__scope_unit", "posting__occupation__code", "daily_wage", "n", "paid")
            .order_by()
        )
        return [(u, code or "", wage, n, paid) for u, code, wage, n, paid in rows]

    return _shared("settled", p, load)


def work_orders_settled(p: Period) -> PerUnit:
    return _per_unit(_settled(p), 3)


def _paid(rows, cell: Callable) -> dict:
    """Sum of the amounts per ``cell(row)``, for the cells with at least one amount, to the cent."""
    total: dict = {}
    for row in rows:
        if row[4] is not None:
            key = cell(row)
            total[key] = total.get(key, Decimal(0)) + row[4]
    return {key: Decimal(value).quantize(CENT) for key, value in total.items()}


def wages_paid(p: Period) -> PerUnit:
    return _paid(_settled(p), lambda row: row[0])


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


def postings_valid(p: Period) -> PerUnit:
    return _per_unit(_valid_postings(p), 2)


def demand_valid(p: Period) -> PerUnit:
    return _per_unit(_valid_postings(p), 3)


def demand_new(p: Period) -> PerUnit:
    return _per_unit(_new_postings(p), 3)


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
    return _per_cell(_new_postings(p), 2)


def hires_by_occupation(p: Period) -> PerCell:
    events = ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))
    return _count_by(
        events,
        "application__posting__scope_unit",
        "application__posting__occupation__code",
        distinct="application",
    )


def work_orders_settled_by_occupation(p: Period) -> PerCell:
    return _per_cell(_settled(p), 3)


def wages_paid_by_occupation(p: Period) -> PerCell:
    return _paid(_settled(p), lambda row: (row[0], row[1]))


def postings_valid_by_occupation(p: Period) -> PerCell:
    return _per_cell(_valid_postings(p), 2)


def demand_valid_by_occupation(p: Period) -> PerCell:
    return _per_cell(_valid_postings(p), 3)


def demand_new_by_occupation(p: Period) -> PerCell:
    return _per_cell(_new_postings(p), 3)


def seekers_valid_by_occupation(p: Period) -> PerCell:
    """Per occupation sought: a seeker with two skills is in two cells; a seeker with none in no cell."""
    spells = valid_seekers(p).filter(occupation__isnull=False)
    return _count_by(spells, "profile__user__scope_unit", "occupation__code", distinct="profile")


# --- gender and age band: people's breakdowns, small cells suppressed (``services.suppressed``) ----------------

UNKNOWN = "unknown"  # no gender or birth date on record: its own cell, so the cells add up to the total
GENDERS = {"M": "male", "F": "female"}
AGE_BANDS = ((25, "16-24"), (35, "25-34"), (45, "35-44"), (55, "45-54"), (60, "55-59"))  # (below, label)
PERSON_BREAKDOWNS = frozenset({"gender", "age_band"})


def age_band(birth: dt.date | None, on: dt.date) -> str:
    """The age band of a person born on ``birth`` on the day ``on`` (whole years): 16-24 … 55-59, 60+; under
    16 (never a registered worker) and no birth date on record are their own cells."""
    if birth is None:
        return UNKNOWN
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    if age < 16:
        return "under-16"
    return next((label for below, label in AGE_BANDS if age < below), "60+")


def _by_person(qs: QuerySet, unit: str, person: str, key: str, p: Period, *, distinct: str = "") -> PerCell:
    """(unit, gender or age band on the period's last day) -> count of ``qs``'s rows (or of distinct
    ``distinct``: a person has one gender and one birth date, so distinct counts add up over the groups)."""
    field = f"{person}__gender" if key == "gender" else f"{person}__birth_date"
    on = p.end - dt.timedelta(days=1)
    cells: dict[tuple[int, str], Decimal] = defaultdict(Decimal)
    for (u, value), n in _count_by(qs, unit, field, distinct=distinct).items():
        label = GENDERS.get(value, UNKNOWN) if key == "gender" else age_band(value or None, on)
        cells[u, label] += n
    return dict(cells)


def suppressed(cells: dict[tuple[int | None, str], Decimal], minimum: int) -> set[tuple[int | None, str]]:
    """The cells of one people's breakdown not to publish: (unit or None for the city, value) -> count.

    Primary: a count from 1 to ``minimum`` − 1 (a handful of people is a person). Secondary, until nothing
    changes, because every unit's total and the city's are published and the city's cell of a value is the
    sum of its units' cells: where a row (a unit's cells, or the city's) holds exactly one suppressed cell,
    its smallest other cell goes too, else the total minus the rest gives it back; where a value's column
    holds exactly one suppressed unit cell under a published city cell, the column's smallest other unit cell
    goes too, or the city's cell when there is none. A unit's only cell equals its published total: hiding it
    protects nothing, so it never counts as hidden in a column nor is picked to hide another."""
    hidden = {cell for cell, n in cells.items() if 0 < n < minimum}
    rows: dict[int | None, list] = defaultdict(list)
    columns: dict[str, list] = defaultdict(list)
    for cell in cells:
        rows[cell[0]].append(cell)
        if cell[0] is not None:
            columns[cell[1]].append(cell)
    alone = {cell for cell in cells if len(rows[cell[0]]) == 1}  # known from the row's total

    def smallest(candidates):
        open_ = [c for c in candidates if c not in hidden and c not in alone]
        return min(open_, key=lambda c: (cells[c], str(c[0]), c[1])) if open_ else None

    changed = True
    while changed:
        changed = False
        for row in rows.values():
            if sum(c in hidden for c in row) == 1 and (cell := smallest(row)) is not None:
                hidden.add(cell)
                changed = True
        for value, column in columns.items():
            city = (None, value)
            if city in hidden or sum(c in hidden and c not in alone for c in column) != 1:
                continue
            cell = smallest(column)
            hidden.add(cell if cell is not None else city)
            changed = True
    return hidden


def _people(qs: Callable[[Period], QuerySet], unit: str, person: str, key: str, *, distinct: str = ""):
    return lambda p: _by_person(qs(p), unit, person, key, p, distinct=distinct)


def _new_profiles(p: Period) -> QuerySet:
    return WorkerProfile.objects.filter(**_within("created_at", p))


def _hire_events(p: Period) -> QuerySet:
    return ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))


def _people_breakdowns(qs, unit: str, person: str, *, distinct: str = "") -> dict:
    return {key: _people(qs, unit, person, key, distinct=distinct) for key in ("gender", "age_band")}


# indicator code -> breakdown key -> calculator (a subset of each indicator's allowed breakdowns)
BREAKDOWNS: dict[str, dict[str, Callable[[Period], PerCell]]] = {
    "workers_new": _people_breakdowns(_new_profiles, "user__scope_unit", "user"),
    "postings_new": {"occupation": postings_new_by_occupation},
    "hires": {
        "occupation": hires_by_occupation,
        **_people_breakdowns(
            _hire_events, "application__posting__scope_unit", "application__worker", distinct="application"
        ),
    },
    "work_orders_settled": {"occupation": work_orders_settled_by_occupation},
    "wages_paid": {"occupation": wages_paid_by_occupation},
    "postings_valid": {"occupation": postings_valid_by_occupation},
    "demand_valid": {"occupation": demand_valid_by_occupation},
    "demand_new": {"occupation": demand_new_by_occupation},
    "seekers_valid": {
        "occupation": seekers_valid_by_occupation,
        **_people_breakdowns(valid_seekers, "profile__user__scope_unit", "profile__user", distinct="profile"),
    },
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


def _median(values: list[Decimal]) -> Decimal | None:
    """The median to the cent; None for no values (a median of nothing is not 0: the unit gets no row)."""
    return Decimal(statistics.median(values)).quantize(CENT) if values else None


def _medians(pairs) -> tuple[PerUnit, Decimal | None]:
    """(unit, value) rows -> the median per unit that has rows and the median over all the rows (the city;
    None when there is none)."""
    by_unit: dict[int, list[Decimal]] = defaultdict(list)
    for unit, value in pairs:
        by_unit[unit].append(Decimal(value))
    everything = [v for values in by_unit.values() for v in values]
    return {u: _median(values) for u, values in by_unit.items()}, _median(everything)


def _counted_median(counts: dict[Decimal, int]) -> Decimal | None:
    """``_median`` of the values each repeated its count times (the same figure, without the list)."""
    n = sum(counts.values())
    if not n:
        return None
    wanted = (n - 1) // 2, n // 2  # the middle position(s), 0-based
    found, seen = [], 0
    for value in sorted(counts):
        nxt = seen + counts[value]
        found += [value for position in wanted if seen <= position < nxt]
        seen = nxt
        if len(found) == 2:
            break
    low, high = found
    return Decimal(low if low == high else (low + high) / 2).quantize(CENT)


def _daily_wage_counts(p: Period) -> tuple[dict[int, dict[Decimal, int]], dict[Decimal, int]]:
    by_unit: dict[int, dict[Decimal, int]] = defaultdict(lambda: defaultdict(int))
    city: dict[Decimal, int] = defaultdict(int)
    for unit, _code, wage, n, _paid in _settled(p):
        if wage is not None:
            by_unit[unit][Decimal(wage)] += n
            city[Decimal(wage)] += n
    return by_unit, city


def wages_paid_median_daily(p: Period) -> PerUnit:
    by_unit, _city = _daily_wage_counts(p)
    return {unit: _counted_median(counts) for unit, counts in by_unit.items()}


def wages_paid_median_daily_city(p: Period) -> Decimal | None:
    return _counted_median(_daily_wage_counts(p)[1])


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


def complaints_median_days_to_close_city(p: Period) -> Decimal | None:
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

# indicator code -> the city's figure of a non-additive indicator (None: no figure, no row)
CITY_CALCULATORS: dict[str, Callable[[Period], Decimal | None]] = {
    "wages_paid_median_daily": wages_paid_median_daily_city,
    "complaints_median_days_to_close": complaints_median_days_to_close_city,
}


# --- issue 18, markets, fairs, training outcomes, complaints on time, wages recovered, subsidies ----------


def _market_status_at(instant: dt.datetime):
    """A market's status at ``instant``, from its status events: the ``to_status`` of the last event
    before the instant; a market with no event before it had the ``from_status`` of its first event (later);
    a market with no event at all has its status now (an import, or a market still planned)."""
    events = MarketEvent.objects.filter(market=OuterRef("pk"))
    last_before = events.filter(at__lt=instant).order_by("-at", "-pk").values("to_status")[:1]
    first_ever = events.order_by("at", "pk").values("from_status")[:1]
    return Coalesce(Subquery(last_before), Subquery(first_ever), F("status"))


def markets_operating(p: Period) -> PerUnit:
    """A stock: the markets registered before the period's end and operating at that instant."""
    end = bounds(p)[1]
    markets = Market.objects.filter(created_at__lt=end).annotate(status_then=_market_status_at(end))
    return _count(markets.filter(status_then=MarketStatus.OPERATING), "scope_unit")


def market_inspections(p: Period) -> PerUnit:
    inspections = Inspection.objects.filter(inspected_on__gte=p.start, inspected_on__lt=p.end)
    return _count(inspections, "market__scope_unit")


def inspection_findings(p: Period) -> PerUnit:
    """Checklist items found wanting (a minor or a major problem) in the inspections of the period."""
    findings = InspectionFinding.objects.filter(
        inspection__inspected_on__gte=p.start,
        inspection__inspected_on__lt=p.end,
        result__in=(FindingResult.MINOR, FindingResult.MAJOR),
    )
    return _count(findings, "inspection__market__scope_unit")


def _markets_moved_to(status: str, p: Period) -> PerUnit:
    events = MarketEvent.objects.filter(to_status=status, **_within("at", p))
    return _count(events, "market__scope_unit", distinct="market")


def markets_suspended(p: Period) -> PerUnit:
    return _markets_moved_to(MarketStatus.SUSPENDED, p)


def markets_banned(p: Period) -> PerUnit:
    return _markets_moved_to(MarketStatus.BANNED, p)


def _fairs(p: Period) -> QuerySet:
    return JobFair.objects.filter(scope_unit__isnull=False, **_within("starts_at", p))


def _sums(qs: QuerySet, unit: str, field: str) -> PerUnit:
    rows = qs.values(unit).annotate(total=Sum(field)).values_list(unit, "total")
    return {u: Decimal(total or 0).quantize(CENT) for u, total in rows}


def fairs_held(p: Period) -> PerUnit:
    return _count(_fairs(p), "scope_unit")


def fair_attendees(p: Period) -> PerUnit:
    return _sums(_fairs(p), "scope_unit", "attendance")


def fair_hires(p: Period) -> PerUnit:
    return _sums(_fairs(p), "scope_unit", "hires")


def trainees_certified(p: Period) -> PerUnit:
    certificates = TrainingCertificate.objects.filter(issued_on__gte=p.start, issued_on__lt=p.end)
    return _count(certificates, "enrollment__training_class__scope_unit")


def trainees_employed_3m(p: Period) -> PerUnit:
    """The completions of the period (as trainees_completed) whose trainee has a settled work order with a
    work date in (completed_on, completed_on + 3 months] — the outcomes' rule (training.services.outcomes)."""
    completions = list(
        TrainingResult.objects.filter(
            completed=True,
            completed_on__gte=p.start,
            completed_on__lt=p.end,
            enrollment__training_class__scope_unit__isnull=False,
        ).values_list("enrollment__training_class__scope_unit", "enrollment__worker_id", "completed_on")
    )
    worked: dict[int, list[dt.date]] = defaultdict(list)
    for worker_id, work_date in WorkOrder.objects.filter(
        status=WorkOrderStatus.SETTLED,
        worker_id__in={w for _u, w, _d in completions},
        work_date__gt=p.start,
        work_date__lte=add_months(p.end, 3),
    ).values_list("worker_id", "work_date"):
        worked[worker_id].append(work_date)
    counts: dict[int, Decimal] = defaultdict(Decimal)
    for unit, worker_id, done in completions:
        until = add_months(done, 3)
        if any(done < day <= until for day in worked.get(worker_id, ())):
            counts[unit] += 1
    return dict(counts)


def complaints_closed_on_time(p: Period) -> PerUnit:
    """The cases resolved in the period none of whose statutory clocks (CaseClock) ran past its effective
    deadline (the extended one if extended): a clock is late when it stopped — or, never stopped, the case
    was resolved — after that deadline. A case with no clock had no time limit to miss and is on time."""
    # NOT EXISTS per case (an anti-join on the clocks' case index), not NOT IN over every late clock of
    # every case ever: on L (4M clocks) the latter ran for minutes
    late = (
        CaseClock.objects.filter(case=OuterRef("pk"))
        .annotate(
            deadline=Coalesce("extended_due_at", "due_at"),
            ended=Coalesce("stopped_at", OuterRef("resolved_at"), output_field=DateTimeField()),
        )
        .filter(ended__gt=F("deadline"))
    )
    cases = Case.objects.filter(**_within("resolved_at", p)).exclude(Exists(late))
    return _count(cases, "scope_unit")


def wages_recovered(p: Period) -> PerUnit:
    """The amounts of mediation agreements to pay whose receipt the worker confirmed in the period."""
    agreements = MediationRecord.objects.filter(
        case__scope_unit__isnull=False,
        outcome=MediationOutcome.AGREEMENT,
        agreed_amount__isnull=False,
        **_within("receipt_confirmed_at", p),
    )
    return _sums(agreements, "case__scope_unit", "agreed_amount")


def _subsidy_applications(p: Period) -> QuerySet:
    """The applications first submitted in the period: an application's first submission is its earliest
    event to submitted, else (imported without events) its ``submitted_at`` — a resubmission after a return
    does not count it again. One grouped read of the submission events (their first per application), not a
    subquery per application (on L, 500,000 of them: 6.6 s a month)."""
    start, end = bounds(p)
    submissions = SubsidyApplicationEvent.objects.filter(to_status=SubsidyStatus.SUBMITTED)
    first_in_period = (
        submissions.values("application")
        .annotate(first=Min("at"))
        .filter(first__gte=start, first__lt=end)
        .values("application")
    )
    never_evented = ~Exists(submissions.filter(application=OuterRef("pk")))
    return SubsidyApplication.objects.filter(
        Q(pk__in=first_in_period) | (Q(**_within("submitted_at", p)) & Q(never_evented))
    )


def _subsidy_approvals(p: Period) -> QuerySet:
    return SubsidyApplication.objects.filter(**_within("approved_at", p))


def _subsidy_payments(p: Period) -> QuerySet:
    return SubsidyPayment.objects.filter(
        application__scope_unit__isnull=False, status=PaymentStatus.PAID, **_within("result_at", p)
    )


def _subsidy_application_groups(p: Period) -> list[tuple[int, str, int]]:
    """(unit, program code, applications first submitted in the period), read once per compute for the
    total and the program breakdown."""

    def load():
        rows = (
            _subsidy_applications(p)
            .filter(scope_unit__isnull=False)
            .values("scope_unit", "program_type__code")
            .annotate(n=Count("pk"))
            .values_list("scope_unit", "program_type__code", "n")
            .order_by()
        )
        return [(u, code or "", n) for u, code, n in rows]

    return _shared("subsidy_applications", p, load)


def subsidy_applications(p: Period) -> PerUnit:
    return _per_unit(_subsidy_application_groups(p), 2)


def subsidy_approvals(p: Period) -> PerUnit:
    return _count(_subsidy_approvals(p), "scope_unit")


def subsidy_paid(p: Period) -> PerUnit:
    return _sums(_subsidy_payments(p), "application__scope_unit", "amount")


def subsidy_applications_by_program(p: Period) -> PerCell:
    return _per_cell(_subsidy_application_groups(p), 2)


def subsidy_approvals_by_program(p: Period) -> PerCell:
    return _count_by(_subsidy_approvals(p), "scope_unit", "program_type__code")


def subsidy_paid_by_program(p: Period) -> PerCell:
    rows = (
        _subsidy_payments(p)
        .values("application__scope_unit", "application__program_type__code")
        .annotate(total=Sum("amount"))
        .values_list("application__scope_unit", "application__program_type__code", "total")
    )
    return {(u, v or ""): Decimal(total).quantize(CENT) for u, v, total in rows}


CALCULATORS.update(
    {
        fn.__name__: fn
        for fn in (
            markets_operating,
            market_inspections,
            inspection_findings,
            markets_suspended,
            markets_banned,
            fairs_held,
            fair_attendees,
            fair_hires,
            trainees_certified,
            trainees_employed_3m,
            complaints_closed_on_time,
            wages_recovered,
            subsidy_applications,
            subsidy_approvals,
            subsidy_paid,
        )
    }
)
BREAKDOWNS.update(
    {
        "subsidy_applications": {"program": subsidy_applications_by_program},
        "subsidy_approvals": {"program": subsidy_approvals_by_program},
        "subsidy_paid": {"program": subsidy_paid_by_program},
    }
)
