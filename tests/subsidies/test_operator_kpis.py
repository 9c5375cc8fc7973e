"""The operator subsidy's KPIs (ADR 0033) equal a brute-force recount over generated records — plain Python
over every row of every table, written from the definitions, not from the engine's queries — and each trace
names exactly the rows counted; a market whose records fail a check is disqualified with the reason."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest
from django.utils import timezone

from disputes.models import Case
from jobs.models import Application, Posting, WorkerProfile
from markets.models import Inspection, InspectionFinding, MarketOperator
from subsidies import kpis
from subsidies.services.operators import operator_assessment_compute
from work.models import WorkOrder

from ..accounts.factories import UserFactory
from .operator_data import PERIOD, Generator, at

pytestmark = pytest.mark.django_db

OPEN_CASE = {"received", "accepted", "mediating", "referred_inspection", "referred_arbitration"}


def _in(moment, first, after) -> bool:
    return moment is not None and first <= moment < after


def brute_force(market, start: dt.date, end: dt.date) -> dict[str, tuple[object, set[int]]]:
    """Every figure and the ids it counts, from every row in Python."""
    first = at(dt.datetime.combine(start, dt.time.min))
    after = at(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    m = market.pk
    postings_all = {p.pk: p for p in Posting.objects.all()}
    postings = [p for p in postings_all.values() if p.market_id == m and _in(p.published_at, first, after)]
    hires = [
        a
        for a in Application.objects.all()
        if postings_all[a.posting_id].market_id == m
        and a.status == "accepted"
        and _in(a.decided_at, first, after)
    ]
    # fill time: postings of the period with a hire of the period; whole seconds, exact, median, 0.1 half up
    spans = []
    filled = set()
    for p in postings:
        times = [a.decided_at for a in hires if a.posting_id == p.pk]
        if times:
            filled.add(p.pk)
            spans.append(Fraction(int((min(times) - p.published_at).total_seconds()), 3600))
    spans.sort()
    if spans:
        mid = len(spans) // 2
        median = spans[mid] if len(spans) % 2 else (spans[mid - 1] + spans[mid]) / 2
        fill = (Decimal(median.numerator) / Decimal(median.denominator)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    else:
        fill = None
    orders = list(WorkOrder.objects.all())
    settled = [
        o
        for o in orders
        if postings_all[o.posting_id].market_id == m
        and o.status == "settled"
        and _in(o.settled_at, first, after)
    ]
    staff = {b.user_id for b in MarketOperator.objects.all() if b.market_id == m}
    counter_apps = {
        a.pk
        for a in Application.objects.all()
        if a.source == "counter" and a.acted_by_id in staff and _in(a.created_at, first, after)
    }
    counter_orders = {
        o.pk
        for o in orders
        if o.check_in_method == "counter" and o.acted_by_id in staff and _in(o.checked_in_at, first, after)
    }
    counter_regs = {
        w.pk
        for w in WorkerProfile.objects.all()
        if w.assisted_by_id in staff and _in(w.created_at, first, after)
    }
    order_market = {o.pk: postings_all[o.posting_id].market_id for o in orders}
    cases = [
        c
        for c in Case.objects.all()
        if _in(c.received_at, first, after)
        and (
            c.market_id == m
            or (c.market_id is None and c.work_order_id and order_market[c.work_order_id] == m)
        )
    ]
    closed = [c for c in cases if c.status not in OPEN_CASE]
    rate = (
        (Decimal(len(closed)) / Decimal(len(cases))).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        if cases
        else None
    )
    inspections = {
        i.pk for i in Inspection.objects.all() if i.market_id == m and start <= i.inspected_on <= end
    }
    findings = [f for f in InspectionFinding.objects.all() if f.inspection_id in inspections]
    problems = {f.pk for f in findings if f.result in ("minor", "major")}
    major = {f.pk for f in findings if f.result == "major"}
    return {
        "postings": (len(postings), {p.pk for p in postings}),
        "hires": (len(hires), {a.pk for a in hires}),
        "fill_hours": (fill, filled),
        "work_orders_settled": (len(settled), {o.pk for o in settled}),
        "settled_amount": (sum((o.amount for o in settled), Decimal("0.00")), {o.pk for o in settled}),
        "counter_services": (
            len(counter_apps) + len(counter_orders) + len(counter_regs),
            {("jobs.Application", i) for i in counter_apps}
            | {("work.WorkOrder", i) for i in counter_orders}
            | {("jobs.WorkerProfile", i) for i in counter_regs},
        ),
        "complaints": (len(cases), {c.pk for c in cases}),
        "complaints_closed": (len(closed), {c.pk for c in closed}),
        "complaint_closure_rate": (rate, None),
        "inspections": (len(inspections), inspections),
        "inspection_findings": (len(problems), problems),
        "major_findings": (len(major), major),
    }


def _traced_ids(result, name):
    parts = result.traces[name]
    if name == "counter_services":
        return {(t.model, i) for t in parts for i in t.ids}
    assert all(not t.truncated for t in parts)
    return {i for t in parts for i in t.ids}


@pytest.fixture
def generated(county_a, county_b):
    gen = Generator(seed=17)
    markets = [gen.market(county_a), gen.market(county_a, postings=10), gen.market(county_b)]
    return gen, markets


def test_kpis_equal_a_brute_force_recount_and_traces_name_the_rows_counted(generated):
    _gen, markets = generated
    start, end = PERIOD
    nonzero = set()
    for market in markets:
        result = kpis.compute(market, start, end)
        expected = brute_force(market, start, end)
        for name, (value, ids) in expected.items():
            assert result.figures[name] == value, (market.pk, name)
            if ids is not None:
                assert _traced_ids(result, name) == ids, (market.pk, name)
            if value:
                nonzero.add(name)
        assert not result.failed, [(c.code, c.ids) for c in result.failed]
    # the generated data exercises every figure (none is equal to the brute force only by being empty)
    assert nonzero == set(expected)


def test_every_trace_reproduces_its_rows_from_its_stored_filter(generated):
    _gen, markets = generated
    result = kpis.compute(markets[1], *PERIOD)
    for name, parts in result.traces_json().items():
        for part in parts:
            rerun = dict(part, ids=[])  # force the stored filter instead of the ids
            if name == "fill_hours":
                continue  # the filled postings are a subset of the filter's postings (named by ids)
            assert set(kpis.queryset_of(rerun).values_list("pk", flat=True)) == set(part["ids"]), name


def test_a_period_with_no_records_has_zero_counts_and_no_rates(county_a):
    market = Generator().market(county_a)
    result = kpis.compute(market, dt.date(2030, 1, 1), dt.date(2030, 3, 31))
    assert result.figures["postings"] == 0 and result.figures["hires"] == 0
    assert result.figures["fill_hours"] is None and result.figures["complaint_closure_rate"] is None
    assert result.figures["settled_amount"] == Decimal("0.00")
    assert not result.failed


def test_quarter_bounds():
    assert kpis.quarter_bounds("2026Q3") == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert kpis.quarter_bounds("2026q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    assert kpis.quarter_bounds("2027Q1") == (dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    with pytest.raises(ValueError):
        kpis.quarter_bounds("2026Q5")


# --- inconsistent records disqualify, with the reason -------------------------------------------------------


def _settled_in_period(market):
    first = at(dt.datetime(2026, 7, 1))
    return (
        WorkOrder.objects.filter(posting__market=market, status="settled", settled_at__gte=first)
        .filter(settled_at__lt=at(dt.datetime(2026, 10, 1)))
        .order_by("pk")
        .first()
    )


def _break_hire(market, gen):
    order = _settled_in_period(market)
    Application.objects.filter(pk=order.application_id).update(status="rejected")
    return "hire_without_application", "work.WorkOrder", order.pk


def _break_check_out(market, gen):
    order = _settled_in_period(market)
    WorkOrder.objects.filter(pk=order.pk).update(checked_out_at=None)
    return "settled_without_check", "work.WorkOrder", order.pk


def _break_times(market, gen):
    order = _settled_in_period(market)
    WorkOrder.objects.filter(pk=order.pk).update(settled_at=order.starts_at - dt.timedelta(hours=1))
    return "settled_before_started", "work.WorkOrder", order.pk


def _break_duplicate(market, gen):
    order = _settled_in_period(market)
    other = Application.objects.create(
        posting=gen.posting(market, order.posting.employer, order.posting.published_at),
        worker=order.worker,
        status="accepted",
        decided_at=order.application.decided_at,
    )
    copy = WorkOrder.objects.get(pk=order.pk)
    copy.pk, copy.application, copy.posting, copy.qr_token = None, other, other.posting, "dup-token"
    copy.save()
    return "duplicate_work_orders", "work.WorkOrder", copy.pk


def _break_gps(market, gen):
    order = _settled_in_period(market)
    WorkOrder.objects.filter(pk=order.pk).update(
        check_in_method="gps", check_in_lat=None, check_in_lng=None, check_in_distance_m=30
    )
    return "check_in_unverifiable", "work.WorkOrder", order.pk


def _break_far(market, gen):
    order = _settled_in_period(market)
    # 0.05° of latitude is about 5.6 km from the site, recorded as if 80 m
    WorkOrder.objects.filter(pk=order.pk).update(
        check_in_method="gps",
        check_in_lat=order.posting.lat + 0.05,
        check_in_lng=order.posting.lng,
        check_in_distance_m=80,
    )
    return "check_in_unverifiable", "work.WorkOrder", order.pk


def _break_published(market, gen):
    hire = (
        Application.objects.filter(
            posting__market=market, status="accepted", decided_at__gte=at(dt.datetime(2026, 7, 1))
        )
        .filter(decided_at__lt=at(dt.datetime(2026, 10, 1)))
        .order_by("pk")
        .first()
    )
    Posting.objects.filter(pk=hire.posting_id).update(published_at=hire.decided_at + dt.timedelta(hours=1))
    return "hired_before_published", "jobs.Application", hire.pk


def _break_counter(market, gen):
    late = gen.staff(market, bound_at=dt.datetime(2026, 9, 29, 12))
    hire = Application.objects.filter(posting__market=market).order_by("pk").first()
    person = UserFactory(scope_unit=market.scope_unit)
    # applied at the counter on 15 August by an account bound to the market only on 29 September
    application = Application.objects.create(
        posting=hire.posting, worker=person, status="applied", source="counter", acted_by=late
    )
    Application.objects.filter(pk=application.pk).update(created_at=at(dt.datetime(2026, 8, 15, 10)))
    return "counter_not_operator_staff", "jobs.Application", application.pk


def _break_self_service(market, gen):
    staff = MarketOperator.objects.filter(market=market).order_by("pk").first().user
    profile = WorkerProfile.objects.create(user=staff, assisted_by=staff)
    WorkerProfile.objects.filter(pk=profile.pk).update(created_at=at(dt.datetime(2026, 8, 1, 9)))
    return "counter_not_operator_staff", "jobs.WorkerProfile", profile.pk


BREAKS = [
    _break_hire,
    _break_check_out,
    _break_times,
    _break_duplicate,
    _break_gps,
    _break_far,
    _break_published,
    _break_counter,
    _break_self_service,
]


@pytest.mark.parametrize("breaker", BREAKS, ids=[b.__name__[7:] for b in BREAKS])
def test_a_market_with_inconsistent_records_is_disqualified_with_the_reason(county_a, officer, breaker):
    gen = Generator(seed=5)
    market = gen.market(county_a, postings=10)
    clean = operator_assessment_compute(
        market=market, period_start=PERIOD[0], period_end=PERIOD[1], actor=officer
    )
    assert clean.disqualified is False and all(c["passed"] for c in clean.checks)
    assert clean.recommended_amount is not None

    code, model, bad_id = breaker(market, gen)
    row = operator_assessment_compute(
        market=market, period_start=PERIOD[0], period_end=PERIOD[1], actor=officer
    )
    row.refresh_from_db()
    assert row.pk == clean.pk  # the draft is replaced in place
    assert row.disqualified is True
    failed = [c for c in row.checks if not c["passed"]]
    assert [c["code"] for c in failed] == [code]
    assert failed[0]["model"] == model and bad_id in failed[0]["ids"]
    # the reason is stated (the check's words), and nothing is recommended
    assert any(r[0] == code and failed[0]["text"] in r[1] for r in row.reasons)
    assert row.recommended_amount == Decimal("0.00")


def test_the_trace_of_a_period_is_timezone_exact(county_a):
    """A posting published at 00:00 Shanghai time on the period's first day counts; one a second before
    does not (the period is Asia/Shanghai days)."""
    gen = Generator(seed=3)
    market = gen.market(county_a, postings=1)
    employer = Posting.objects.filter(market=market).first().employer
    inside = gen.posting(market, employer, at(dt.datetime(2026, 7, 1, 0, 0, 0)))
    outside = gen.posting(market, employer, at(dt.datetime(2026, 6, 30, 23, 59, 59)))
    result = kpis.compute(market, *PERIOD)
    ids = set(result.traces["postings"][0].ids)
    assert inside.pk in ids and outside.pk not in ids
    assert timezone.localtime(inside.published_at).utcoffset() == dt.timedelta(hours=8)
