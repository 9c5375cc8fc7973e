"""The fact table against a brute-force count over the raw rows (plain Python, not the service's queries),
for one county and the city, for a month and a quarter; idempotent recomputes; the task and the nightly
schedule."""

from __future__ import annotations

import datetime as dt
import statistics
from decimal import Decimal

import pytest
from django_celery_beat.models import PeriodicTask

from core.models import ScopeUnit
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
from reports import services, tasks
from reports.calculators import BREAKDOWNS, CALCULATORS, CITY_CALCULATORS, RATIOS
from reports.models import Fact, Indicator
from training.choices import EnrollmentChannel, EnrollmentStatus
from training.models import Enrollment, EnrollmentEvent, TrainingResult
from work.models import ArrearsAlert, WorkOrder

from . import brute_force
from .factories import SHANGHAI, history

MEDIANS = set(CITY_CALCULATORS)  # non-additive: the city has its own calculator

pytestmark = pytest.mark.django_db

PERIODS = {
    "202610": (dt.date(2026, 10, 1), dt.date(2026, 11, 1)),
    "2026Q4": (dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
}


@pytest.fixture
def raw(county_a, county_b):
    history(county_a)
    history(county_b, skip=(2,))  # county B has no row at the last second of October
    return county_a, county_b


def _bounds(code):
    start, end = PERIODS[code]
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=SHANGHAI),
        dt.datetime.combine(end, dt.time.min, tzinfo=SHANGHAI),
    )


def brute(code: str, period: str, unit_id: int | None) -> Decimal | None:
    """The rule of each indicator, over every row in Python. ``unit_id`` None is the city: every row that
    belongs to some unit."""
    start, end = _bounds(period)
    day0, day1 = PERIODS[period]

    def inside(ts):
        return ts is not None and start <= ts < end

    def mine(u):
        return u is not None if unit_id is None else u == unit_id

    workers = list(WorkerProfile.objects.select_related("user"))
    employers = list(EmployerProfile.objects.all())
    if code == "workers_new":
        n = sum(1 for w in workers if inside(w.created_at) and mine(w.user.scope_unit_id))
    elif code == "workers_total":
        n = sum(1 for w in workers if w.created_at < end and mine(w.user.scope_unit_id))
    elif code == "employers_new":
        n = sum(1 for e in employers if inside(e.created_at) and mine(e.scope_unit_id))
    elif code == "employers_total":
        n = sum(1 for e in employers if e.created_at < end and mine(e.scope_unit_id))
    elif code == "postings_new":
        n = sum(1 for p in Posting.objects.all() if inside(p.published_at) and mine(p.scope_unit_id))
    elif code == "hires":
        n = len(
            {
                e.application_id
                for e in ApplicationEvent.objects.select_related("application__posting")
                if e.to_status == ApplicationStatus.ACCEPTED
                and inside(e.at)
                and mine(e.application.posting.scope_unit_id)
            }
        )
    elif code in ("work_orders_settled", "wages_paid"):
        orders = [
            o
            for o in WorkOrder.objects.select_related("posting")
            if inside(o.settled_at) and mine(o.posting.scope_unit_id)
        ]
        if code == "wages_paid":
            return sum((o.amount for o in orders if o.amount is not None), Decimal("0.00"))
        n = len(orders)
    elif code == "counter_services":
        n = sum(
            1 for w in workers if w.assisted_by_id and inside(w.created_at) and mine(w.user.scope_unit_id)
        )
        n += sum(
            1
            for a in Application.objects.select_related("posting")
            if a.source == ApplicationSource.COUNTER
            and inside(a.created_at)
            and mine(a.posting.scope_unit_id)
        )
        n += sum(
            1
            for e in Enrollment.objects.select_related("training_class")
            if e.channel == EnrollmentChannel.COUNTER
            and inside(e.created_at)
            and mine(e.training_class.scope_unit_id)
        )
    elif code == "complaints_received":
        n = sum(1 for c in Case.objects.all() if inside(c.received_at) and mine(c.scope_unit_id))
    elif code == "complaints_closed":
        n = sum(1 for c in Case.objects.all() if inside(c.resolved_at) and mine(c.scope_unit_id))
    elif code == "trainees_enrolled":
        n = len(
            {
                e.enrollment_id
                for e in EnrollmentEvent.objects.select_related("enrollment__training_class")
                if e.to_status == EnrollmentStatus.ENROLLED
                and inside(e.at)
                and mine(e.enrollment.training_class.scope_unit_id)
            }
        )
    elif code == "trainees_completed":
        n = sum(
            1
            for r in TrainingResult.objects.select_related("enrollment__training_class")
            if r.completed
            and r.completed_on is not None
            and day0 <= r.completed_on < day1
            and mine(r.enrollment.training_class.scope_unit_id)
        )
    elif code == "services_total":
        n = sum(1 for w in workers if inside(w.created_at) and mine(w.user.scope_unit_id))
        n += sum(
            1
            for a in Application.objects.select_related("posting")
            if inside(a.created_at) and mine(a.posting.scope_unit_id)
        )
        n += sum(
            1
            for e in Enrollment.objects.select_related("training_class")
            if inside(e.created_at) and mine(e.training_class.scope_unit_id)
        )
    elif code in ("postings_valid", "demand_valid"):
        postings = {p.pk: p for p in valid_postings_brute(period) if mine(p.scope_unit_id)}
        n = len(postings) if code == "postings_valid" else sum(p.headcount for p in postings.values())
    elif code == "demand_new":
        n = sum(
            p.headcount for p in Posting.objects.all() if inside(p.published_at) and mine(p.scope_unit_id)
        )
    elif code in ("seekers_valid", "seekers_new"):
        valid = {s.profile_id for s in valid_spells_brute(period) if mine(s.profile.user.scope_unit_id)}
        carried = {
            s.profile_id
            for s in SeekerSpell.objects.all()
            if s.started_at < start and (s.ended_at is None or s.ended_at > start)
        }
        n = len(valid) if code == "seekers_valid" else len(valid - carried)
    elif code == "arrears_alerts":
        n = sum(
            1
            for a in ArrearsAlert.objects.select_related("work_order__posting")
            if inside(a.raised_at) and mine(a.work_order.posting.scope_unit_id)
        )
    elif code == "complaints_accepted":
        n = sum(1 for c in Case.objects.all() if inside(c.accepted_at) and mine(c.scope_unit_id))
    elif code in brute_force.RULES:
        return brute_force.total(brute_force.RULES[code](start, end, day0, day1, mine))
    elif code in MEDIANS:
        if code == "wages_paid_median_daily":
            values = [
                o.daily_wage
                for o in WorkOrder.objects.select_related("posting")
                if inside(o.settled_at) and o.daily_wage is not None and mine(o.posting.scope_unit_id)
            ]
        else:
            values = [
                Decimal((c.resolved_at - c.received_at).total_seconds()) / 86400
                for c in Case.objects.all()
                if inside(c.resolved_at) and mine(c.scope_unit_id)
            ]
        # the median of an even count is the mean of the middle two; no rows is no figure (None: no row)
        return Decimal(statistics.median(values)).quantize(Decimal("0.01")) if values else None
    else:  # pragma: no cover - a new computed indicator needs its rule here
        raise AssertionError(f"no brute-force rule for {code}")
    return Decimal(n)


def _overlaps(period, opened, closed) -> bool:
    """A window [opened, closed) overlaps the period [start, end)."""
    start, end = _bounds(period)
    return opened < end and (closed is None or closed > start)


def valid_postings_brute(period):
    """Each posting with a window overlapping the period, once, and not past its last work date."""
    day0 = PERIODS[period][0]
    found = {}
    for w in PostingWindow.objects.select_related("posting__occupation"):
        if _overlaps(period, w.opened_at, w.closed_at) and w.posting.work_end_date >= day0:
            found[w.posting_id] = w.posting
    return list(found.values())


def valid_spells_brute(period):
    return [
        s
        for s in SeekerSpell.objects.select_related("profile__user", "occupation")
        if _overlaps(period, s.started_at, s.ended_at)
    ]


def brute_by_occupation(code: str, period: str, unit_id: int | None) -> dict[str, Decimal]:
    """The same rules per occupation code, over the rows in Python."""
    start, end = _bounds(period)

    def inside(ts):
        return ts is not None and start <= ts < end

    def mine(u):
        return u is not None if unit_id is None else u == unit_id

    cells: dict[str, Decimal] = {}

    def add(occ, amount=Decimal(1)):
        cells[occ] = cells.get(occ, Decimal("0")) + amount

    if code in ("postings_valid", "demand_valid"):
        for p in valid_postings_brute(period):
            if mine(p.scope_unit_id):
                add(p.occupation.code, Decimal(1 if code == "postings_valid" else p.headcount))
    elif code == "demand_new":
        for p in Posting.objects.select_related("occupation"):
            if inside(p.published_at) and mine(p.scope_unit_id):
                add(p.occupation.code, Decimal(p.headcount))
    elif code == "seekers_valid":
        seen = {
            (s.profile_id, s.occupation.code)
            for s in valid_spells_brute(period)
            if mine(s.profile.user.scope_unit_id)
        }
        for _profile, occ in seen:
            add(occ)
    elif code == "postings_new":
        for p in Posting.objects.select_related("occupation"):
            if inside(p.published_at) and mine(p.scope_unit_id):
                add(p.occupation.code)
    elif code == "hires":
        hired = {}
        for e in ApplicationEvent.objects.select_related("application__posting__occupation"):
            posting = e.application.posting
            if e.to_status == ApplicationStatus.ACCEPTED and inside(e.at) and mine(posting.scope_unit_id):
                hired[e.application_id] = posting.occupation.code
        for occ in hired.values():
            add(occ)
    else:
        for o in WorkOrder.objects.select_related("posting__occupation"):
            if inside(o.settled_at) and mine(o.posting.scope_unit_id):
                if code == "work_orders_settled":
                    add(o.posting.occupation.code)
                elif o.amount is not None:
                    add(o.posting.occupation.code, o.amount)
    return cells


@pytest.mark.parametrize("period", list(PERIODS))
@pytest.mark.parametrize("code", sorted(c for c, keys in BREAKDOWNS.items() if "occupation" in keys))
def test_occupation_breakdown_equals_brute_force_and_adds_up(raw, code, period):
    county_a, county_b = raw
    services.compute(period)
    for unit_id in (county_a.pk, county_b.pk, None):
        rows = Fact.objects.filter(
            indicator__code=code, period=period, org_unit_id=unit_id, breakdown_key="occupation"
        )
        cells = {r.breakdown_value: r.value for r in rows}
        assert cells == brute_by_occupation(code, period, unit_id), (code, period, unit_id)
        if code != "seekers_valid":  # a seeker is in as many cells as occupations sought
            assert sum(cells.values(), Decimal("0")) == fact(
                code, period, unit_id
            )  # every row has an occupation


@pytest.mark.parametrize("period", list(PERIODS))
@pytest.mark.parametrize("code", sorted(c for c, keys in BREAKDOWNS.items() if "program" in keys))
def test_program_breakdown_equals_brute_force_and_adds_up(raw, code, period):
    """Per subsidy program, for both counties and the city: the cells equal the brute force, only cells with
    rows are written, and they add up to the total (every application has one program)."""
    county_a, county_b = raw
    services.compute(period)
    start, end = _bounds(period)
    day0, day1 = PERIODS[period]
    for unit_id in (county_a.pk, county_b.pk, None):

        def mine(u, unit_id=unit_id):
            return u is not None if unit_id is None else u == unit_id

        rows = Fact.objects.filter(
            indicator__code=code, period=period, org_unit_id=unit_id, breakdown_key="program"
        )
        cells = {r.breakdown_value: r.value for r in rows}
        expected = brute_force.by_key(brute_force.RULES[code](start, end, day0, day1, mine))
        assert cells == expected, (code, period, unit_id)
        assert sum(cells.values(), Decimal("0")) == fact(code, period, unit_id)


def fact(code, period, unit_id):
    return Fact.objects.get(indicator__code=code, period=period, org_unit_id=unit_id, breakdown_key="").value


def test_every_computed_indicator_has_a_calculator_and_back():
    computed = set(Indicator.objects.filter(method="computed").values_list("code", flat=True))
    assert computed == set(CALCULATORS) | set(RATIOS)
    assert not set(CALCULATORS) & set(RATIOS)


def fact_or_none(code, period, unit_id):
    row = Fact.objects.filter(
        indicator__code=code, period=period, org_unit_id=unit_id, breakdown_key=""
    ).first()
    return None if row is None else row.value


@pytest.mark.parametrize("period", list(PERIODS))
@pytest.mark.parametrize("code", sorted(CALCULATORS))
def test_fact_equals_brute_force_for_county_and_city(raw, code, period):
    county_a, county_b = raw
    services.compute(period)
    for unit_id in (county_a.pk, county_b.pk, None):
        assert fact_or_none(code, period, unit_id) == brute(code, period, unit_id), (code, period, unit_id)
    if code in MEDIANS:  # non-additive: the city's median is over the city's rows, not a sum
        return
    units = ScopeUnit.objects.filter(is_active=True).values_list("pk", flat=True)
    assert fact(code, period, None) == sum(fact(code, period, u) for u in units)


def test_medians_worked_by_hand_for_october(raw):
    """October holds index 1 and 2 in county A (daily wages 201.10 and 202.10: median 201.60) and only index 1
    in county B (201.10); the city's median is over all three (201.10, 201.10, 202.10 → 201.10), not a sum.
    Cases resolved in October (resolved at the next instant): index 0 (09-30 23:59:59 → 10-01 00:00, 1 s) and
    index 1 (10-01 00:00 → 10-31 23:59:59, 31 days less a second), in both counties (B skips only index 2's
    rows, and its index 1 is still resolved at 10-31 23:59:59): 15.5 days each, and the city's median over the
    four is 15.5 too."""
    county_a, county_b = raw
    services.compute("202610")
    assert fact("wages_paid_median_daily", "202610", county_a.pk) == Decimal("201.60")
    assert fact("wages_paid_median_daily", "202610", county_b.pk) == Decimal("201.10")
    assert fact("wages_paid_median_daily", "202610", None) == Decimal("201.10")
    # (1 s + 31 d − 1 s) / 2 = 15.5 days in each county and in the city
    for unit_id in (county_a.pk, county_b.pk, None):
        assert fact("complaints_median_days_to_close", "202610", unit_id) == Decimal("15.50")
    # accepted an hour after receipt: indexes 0 and 1 in October, index 2 (23:59:59) in November
    assert fact("complaints_accepted", "202610", county_a.pk) == Decimal(
        "2"
    )  # index 0 (10-01 00:59:59) and 1
    # alerts on the even indexes' orders: in October only index 2 — which county B skips
    assert fact("arrears_alerts", "202610", county_a.pk) == Decimal("1")
    assert fact("arrears_alerts", "202610", county_b.pk) == Decimal("0")


def test_figures_from_the_rule_for_county_a_in_october(raw):
    """Worked from the instants: in October fall 2026-10-01 00:00 and 2026-10-31 23:59:59 (index 1, 2); the
    row a second before October does not count, the one at 11-01 00:00 does not either."""
    county_a, county_b = raw
    services.compute("202610")
    assert fact("workers_new", "202610", county_a.pk) == 2
    assert fact("workers_total", "202610", county_a.pk) == 3  # indexes 0, 1, 2 exist at the end of October
    assert fact("hires", "202610", county_a.pk) == 2  # the withdrawn hire (index 1) still counts
    assert fact("wages_paid", "202610", county_a.pk) == Decimal("201.10") + Decimal("202.10")
    assert fact("complaints_closed", "202610", county_a.pk) == 2  # cases 0 and 1, resolved at 10-01 and 10-31
    assert fact("trainees_completed", "202610", county_a.pk) == 1  # index 2 (even); index 1 did not complete
    assert fact("workers_new", "202610", county_b.pk) == 1
    assert fact("workers_new", "202610", None) == 3


def test_recompute_twice_gives_identical_rows(raw):
    first = services.compute("2026Q4")
    rows = list(
        Fact.objects.order_by("pk").values_list("pk", "indicator_id", "org_unit_id", "value", "computed_at")
    )
    second = services.compute("2026Q4", now=dt.datetime(2030, 1, 1, tzinfo=SHANGHAI))
    again = list(
        Fact.objects.order_by("pk").values_list("pk", "indicator_id", "org_unit_id", "value", "computed_at")
    )
    assert again == rows
    assert first.created == len(rows) > 0
    assert (second.created, second.updated, second.deleted, second.unchanged) == (0, 0, 0, len(rows))


def test_recompute_updates_only_what_changed(raw):
    county_a, _ = raw
    services.compute("202610")
    before = fact("complaints_received", "202610", county_a.pk)
    case = Case.objects.filter(
        scope_unit=county_a, received_at__lt=dt.datetime(2026, 10, 1, tzinfo=SHANGHAI)
    ).get()
    Case.objects.filter(pk=case.pk).update(received_at=dt.datetime(2026, 10, 5, tzinfo=SHANGHAI))
    summary = services.compute("202610")
    # complaints received: county A's row and the city's; the median days to close of county A, whose case 0
    # (resolved 10-01) now runs −4 days: (−4 d + 31 d − 1 s) / 2 = 13.50 — the city's median of
    # (−4 d, 1 s, 31 d − 1 s, 31 d − 1 s) stays 15.50
    assert summary.updated == 3
    assert fact("complaints_median_days_to_close", "202610", county_a.pk) == Decimal("13.50")
    assert fact("complaints_received", "202610", county_a.pk) == before + 1


def test_every_unit_gets_a_row_even_when_zero(raw):
    """Every additive indicator has a row for every unit and the city, 0 where nothing happened; a median
    has rows only where there is something to take the median of."""
    services.compute("202610")
    units = ScopeUnit.objects.filter(is_active=True).count()
    computed = Indicator.objects.filter(method="computed").exclude(code__in=[*RATIOS, *MEDIANS]).count()
    assert Fact.objects.filter(period="202610", breakdown_key="").exclude(
        indicator__code__in=[*RATIOS, *MEDIANS]
    ).count() == computed * (units + 1)


def test_a_median_of_no_rows_is_no_row(raw, county_a, county_b):
    """Only counties A and B have settled work orders and resolved cases: every other unit gets no median
    row (a median of nothing is not 0); the city and the two counties do."""
    services.compute("202610")
    others = ScopeUnit.objects.filter(is_active=True).exclude(pk__in=[county_a.pk, county_b.pk])
    assert others.exists()
    for code in MEDIANS:
        rows = Fact.objects.filter(indicator__code=code, period="202610", breakdown_key="")
        assert set(rows.values_list("org_unit_id", flat=True)) == {county_a.pk, county_b.pk, None}, code
    # a month with nothing at all: no median row anywhere, the counts are 0
    services.compute("202601")
    assert not Fact.objects.filter(indicator__code__in=MEDIANS, period="202601").exists()
    assert fact("work_orders_settled", "202601", None) == 0


def test_task_computes_a_period(raw):
    assert tasks.compute_period_task("202610") == Fact.objects.filter(period="202610").count()
    assert tasks.compute_period_task("202610") == 0


def test_nightly_open_month_is_scheduled():
    row = PeriodicTask.objects.get(task="reports.tasks.compute_open_month_task")
    assert (row.crontab.hour, row.crontab.minute) == ("2", "30")


# (county A in October, county A in Q4, county B in October, county B in Q4) worked from the factories'
# rows (tests/reports/factories.py; B has no row at index 2, the last second of October)
WORKED = {
    # the training class's market (operating since 2026-01-05, no event) and, at 11-01 00:00: markets 0 and 1
    # suspended, 2 operating; at 2027-01-01: 0 operating again, 1 suspended, 2 banned, 3 operating (the
    # import, from its first event's from_status), 4 planned
    "markets_operating": (1 + 1, 1 + 2, 1 + 0, 1 + 2),
    "market_inspections": (2, 4, 1, 3),  # inspected on 10-01, 10-31 | + 11-01, 12-31
    "inspection_findings": (3, 6, 1, 4),  # two problems on the even indexes, one on the odd
    "markets_suspended": (2, 2, 2, 2),  # market 0 on 10-01, market 1 twice in October (once)
    "markets_banned": (0, 1, 0, 0),  # market 2 on 11-15
    "fairs_held": (2, 4, 1, 3),
    "fair_attendees": (20 + 30, 20 + 30 + 40 + 50, 20, 20 + 40 + 50),
    "fair_hires": (1 + 2, 1 + 2 + 3 + 4, 1, 1 + 3 + 4),
    "trainees_certified": (1, 2, 0, 1),  # issued 10-31 (index 2) and 12-31 (index 4)
    "trainees_employed_3m": (1, 2, 0, 1),  # 10-31 → 2027-01-31 (inside); 12-31 → 2027-03-31 (inside)
    "complaints_closed_on_time": (1, 2, 1, 1),  # case 0 at its deadline, case 2 on its extension
    "wages_recovered": (
        Decimal("1000.50"),
        Decimal("1000.50") + Decimal("1200.50"),
        Decimal("1000.50"),
        Decimal("1000.50"),
    ),
    "subsidy_applications": (2, 4, 1, 3),  # 1 resubmitted on 11-05 counts once, in October; 3 by submitted_at
    "subsidy_approvals": (2, 3, 2, 2),  # approved at 10-01, 10-31 23:59:59 | + 11-01
    "subsidy_paid": (
        Decimal("300.00"),
        Decimal("300.00") + Decimal("301.00") + Decimal("302.00"),
        Decimal("300.00"),
        Decimal("300.00") + Decimal("301.00"),
    ),  # paid a day after approval; application 0's failed first payment is not counted
}


@pytest.mark.parametrize("code", sorted(WORKED))
def test_new_indicators_worked_by_hand(raw, code):
    county_a, county_b = raw
    services.compute("202610")
    services.compute("2026Q4")
    got = tuple(
        fact(code, period, unit.pk) for unit in (county_a, county_b) for period in ("202610", "2026Q4")
    )
    assert got == tuple(Decimal(v) for v in WORKED[code])


def test_subsidy_paid_by_program_in_q4_worked_by_hand(raw):
    county_a, _ = raw
    services.compute("2026Q4")
    rows = Fact.objects.filter(
        indicator__code="subsidy_paid", period="2026Q4", org_unit=county_a, breakdown_key="program"
    )
    assert {r.breakdown_value: r.value for r in rows} == {
        "flexible_social_insurance": Decimal("300.00") + Decimal("302.00"),  # the even indexes
        "gig_accident_insurance": Decimal("301.00"),
    }
