"""The operator subsidy's score and amount (ADR 0033), each expected figure worked out from the rule in a comment:
per item ``points × (value − zero_at) ÷ (full_at − zero_at)`` held within [0, points], rounded half up to 0.01;
the score is their sum; below the minimum nothing; per point × amount, or the highest band reached; then the
cap. And the scheme in force: the county's row before the city's, by the period's first day."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from subsidies.models import OperatorScheme, OperatorSchemeBand, OperatorSchemeItem, ProgramType
from subsidies.services.operators import operator_assessment_compute
from subsidies.strategies import evaluate
from subsidies.strategies.operators import OperatorFacts, item_points

from ..jobs.factories import make_employer
from ..markets.factories import MarketFactory
from .operator_data import Generator, at

ITEMS = [
    {"kpi": "postings", "points": "40", "full_at": "100", "zero_at": "0", "if_missing": "zero"},
    {"kpi": "fill_hours", "points": "30", "full_at": "24", "zero_at": "168", "if_missing": "zero"},
    {"kpi": "complaint_closure_rate", "points": "30", "full_at": "1", "zero_at": "0.5", "if_missing": "full"},
]


def params(**overrides):
    base = {
        "version": "T",
        "amount_rule": "per_point",
        "amount_per_point": Decimal("100.00"),
        "min_score": Decimal("50"),
        "cap": Decimal("8000.00"),
        "items": ITEMS,
        "bands": [],
    }
    base.update(overrides)
    return base


BANDS = [
    {"min_score": Decimal("60"), "amount": Decimal("20000.00")},
    {"min_score": Decimal("80"), "amount": Decimal("30000.00")},
    {"min_score": Decimal("90"), "amount": Decimal("40000.00")},
]

CASES = [
    # postings 40×75/100 = 30.00; fill 30×(60−168)/(24−168) = 30×108/144 = 22.50; closure 30×(0.8−0.5)/0.5
    # = 18.00 → 70.50 points × ¥100 = ¥7,050.00 (under the ¥8,000 cap)
    (
        "per_point",
        {"postings": 75, "fill_hours": "60.0", "complaint_closure_rate": "0.8000"},
        {},
        "70.50",
        "7050.00",
    ),
    # postings 150 is past full (40.00); fill 12 h is better than full (30.00); no complaints: the item says
    # full (30.00) → 100.00 × ¥100 = ¥10,000 → the cap, ¥8,000.00
    (
        "capped",
        {"postings": 150, "fill_hours": "12.0", "complaint_closure_rate": None},
        {},
        "100.00",
        "8000.00",
    ),
    # postings 40×10/100 = 4.00; fill 200 h is past zero (0); closure 0.4 is below zero (0) → 4.00 < 50: ¥0
    (
        "below_minimum",
        {"postings": 10, "fill_hours": "200.0", "complaint_closure_rate": "0.4"},
        {},
        "4.00",
        "0.00",
    ),
    # postings 40×33/100 = 13.20; fill 30×68/144 = 14.1666… → 14.17; closure 30×0.2/0.5 = 12.00 → 39.37
    # (minimum 0) × ¥100 = ¥3,937.00
    (
        "rounding",
        {"postings": 33, "fill_hours": "100.0", "complaint_closure_rate": "0.7"},
        {"min_score": Decimal("0")},
        "39.37",
        "3937.00",
    ),
    # 70.50 reaches the 60 band, not the 80 one → ¥20,000.00
    (
        "band",
        {"postings": 75, "fill_hours": "60.0", "complaint_closure_rate": "0.8000"},
        {"amount_rule": "bands", "bands": BANDS, "cap": None, "min_score": Decimal("0")},
        "70.50",
        "20000.00",
    ),
    # 100.00 reaches the top band → ¥40,000.00; the cap ¥35,000 holds it
    (
        "band_capped",
        {"postings": 150, "fill_hours": "12.0", "complaint_closure_rate": None},
        {"amount_rule": "bands", "bands": BANDS, "cap": Decimal("35000.00")},
        "100.00",
        "35000.00",
    ),
    # 39.37 reaches no band → ¥0
    (
        "no_band",
        {"postings": 33, "fill_hours": "100.0", "complaint_closure_rate": "0.7"},
        {"amount_rule": "bands", "bands": BANDS, "min_score": Decimal("0")},
        "39.37",
        "0.00",
    ),
    # no fill time (no posting filled): that item says zero; postings 40.00, closure 1.0 → 30.00 → 70.00 → ¥7,000
    (
        "missing_zero",
        {"postings": 100, "fill_hours": None, "complaint_closure_rate": "1.0000"},
        {},
        "70.00",
        "7000.00",
    ),
]


@pytest.mark.parametrize("figures,overrides,score,amount", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_score_and_amount_follow_the_rule(figures, overrides, score, amount):
    program = ProgramType(
        eligibility_strategy="operator_kpi",
        amount_strategy="kpi_score",
        dedup_strategy="market_period",
        cycle_strategy="quarterly",
    )
    d = evaluate(program, OperatorFacts(figures=figures), params(**overrides))
    assert d.eligible is True
    assert d.figures["score"] == score
    assert d.amount == Decimal(amount)


def test_a_failed_check_refuses_and_pays_nothing_but_keeps_the_score():
    program = ProgramType(
        eligibility_strategy="operator_kpi",
        amount_strategy="kpi_score",
        dedup_strategy="market_period",
        cycle_strategy="quarterly",
    )
    facts = OperatorFacts(
        figures={"postings": 75, "fill_hours": "60.0", "complaint_closure_rate": "0.8"},
        failed_checks=(("duplicate_work_orders", "有完全相同的重复用工单。"),),
    )
    d = evaluate(program, facts, params())
    assert d.eligible is False and d.refused_codes == {"duplicate_work_orders"}
    assert d.figures["score"] == "70.50"
    assert d.amount == Decimal("0.00")


def test_item_points_for_lower_is_better():
    # serious findings: full at 0, none at 3: one finding 10×(1−3)/(0−3) = 6.67 (6.666… half up)
    assert item_points(1, points="10", full_at="0", zero_at="3", if_missing="full") == Decimal("6.67")
    assert item_points(0, points="10", full_at="0", zero_at="3", if_missing="full") == Decimal("10.00")
    assert item_points(5, points="10", full_at="0", zero_at="3", if_missing="full") == Decimal("0.00")


# --- the scheme in force -------------------------------------------------------------------------------------


def _scheme(version, unit, start, end=None, *, full_at, per_point):
    scheme = OperatorScheme.objects.create(
        version=version,
        scope_unit=unit,
        effective_from=start,
        effective_to=end,
        amount_per_point=Decimal(per_point),
        min_score=Decimal("0"),
        notice="测试文件",
    )
    OperatorSchemeItem.objects.create(
        scheme=scheme, kpi="postings", points=Decimal("100"), full_at=Decimal(full_at), zero_at=Decimal("0")
    )
    return scheme


@pytest.mark.django_db
def test_the_scheme_in_force_on_the_periods_first_day_county_row_first(
    county_a, county_b, officer, city_staff
):
    seeded = OperatorScheme.objects.get(version="OPS-2025-07")
    OperatorScheme.objects.filter(pk=seeded.pk).update(effective_to=dt.date(2026, 6, 30))
    _scheme("OPS-2026-07", None, dt.date(2026, 7, 1), full_at="10", per_point="10.00")
    _scheme("OPS-2026-10-A", county_a, dt.date(2026, 10, 1), full_at="20", per_point="30.00")
    gen = Generator()
    markets = {}
    for unit in (county_a, county_b):
        market = MarketFactory(scope_unit=unit)
        employer = make_employer(unit=unit)
        # five postings published in each of 2026 Q2, Q3 and Q4, nothing else
        for month in (5, 8, 11):
            for day in range(1, 6):
                gen.posting(market, employer, at(dt.datetime(2026, month, day, 9)))
        markets[unit.code] = market

    def assess(market, start, end):
        return operator_assessment_compute(
            market=market, period_start=start, period_end=end, actor=city_staff
        )

    q2 = assess(markets[county_a.code], dt.date(2026, 4, 1), dt.date(2026, 6, 30))
    assert q2.scheme_version == "OPS-2025-07"
    q3 = assess(markets[county_a.code], dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    # the city's new row: 100 × 5/10 = 50.00 points × ¥10 = ¥500.00
    assert (q3.scheme_version, q3.score, q3.recommended_amount) == (
        "OPS-2026-07",
        Decimal("50.00"),
        Decimal("500.00"),
    )
    q4 = assess(markets[county_a.code], dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    # county A's own row wins from 1 October: 100 × 5/20 = 25.00 points × ¥30 = ¥750.00
    assert (q4.scheme_version, q4.score, q4.recommended_amount) == (
        "OPS-2026-10-A",
        Decimal("25.00"),
        Decimal("750.00"),
    )
    q4_b = assess(markets[county_b.code], dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    # county B has no row of its own: the city's, 50.00 points → ¥500.00
    assert (q4_b.scheme_version, q4_b.recommended_amount) == ("OPS-2026-07", Decimal("500.00"))
    # the assessment keeps the figures it was scored under
    assert q4.scheme_figures["items"][0]["full_at"] == "20.0000"


@pytest.mark.django_db
def test_without_a_scheme_in_force_there_is_no_amount_and_the_need_is_said(county_a, city_staff):
    OperatorScheme.objects.filter(version="OPS-2025-07").update(effective_from=dt.date(2027, 1, 1))
    market = MarketFactory(scope_unit=county_a)
    row = operator_assessment_compute(
        market=market, period_start=dt.date(2026, 7, 1), period_end=dt.date(2026, 9, 30), actor=city_staff
    )
    assert row.scheme is None and row.recommended_amount is None
    assert any(code == "scheme" for code, _text in row.reasons)


@pytest.mark.django_db
def test_the_seeded_scheme_scores_out_of_one_hundred():
    scheme = OperatorScheme.objects.get(version="OPS-2025-07")
    assert scheme.scope_unit is None and scheme.effective_from == dt.date(2025, 7, 1)
    assert sum(i.points for i in scheme.items.all()) == Decimal("100")
    assert "上线前" in scheme.basis  # marked to be checked against the current notice
    assert not OperatorSchemeBand.objects.filter(scheme=scheme).exists()
