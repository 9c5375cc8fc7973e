"""The calculator, table-driven, on the pure strategies (no database): each expected figure is worked out
from the rule in the comment beside it, not taken from the code's output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from subsidies.reference import PROGRAMS
from subsidies.retirement import retirement_age
from subsidies.strategies import evaluate
from subsidies.strategies.accident import AccidentFacts, PremiumRow
from subsidies.strategies.social_insurance import SocialInsuranceFacts

D = Decimal
STRATEGIES = {
    code: SimpleNamespace(eligibility_strategy=e, amount_strategy=a, dedup_strategy=d, cycle_strategy=c)
    for code, _n, _s, e, a, d, c, _o, _sort in PROGRAMS
}
SOCIAL = STRATEGIES["flexible_social_insurance"]
ACCIDENT = STRATEGIES["gig_accident_insurance"]

# the seeded standard (subsidies/reference.py): 2/3 of contributions, at most those due on a 4,000 base at
# 20 % pension + 8 % medical = 1,120.00 a month; 36 months, 24 for graduates (within 24 months of leaving);
# to retirement when within 5 years of it at the first month; 4 days or ¥500 of settled work a month
PARAMS = {
    "ratio": "2/3",
    "base_rule": "lowest_tier",
    "lowest_base": D("4000.00"),
    "pension_rate": D("0.2000"),
    "medical_rate": D("0.0800"),
    "monthly_cap": None,
    "max_months": 36,
    "max_months_graduate": 24,
    "graduate_window_months": 24,
    "retirement_extension_years": 5,
    "female_retirement_track": "55",
    "min_work_days": 4,
    "min_work_earnings": D("500.00"),
}
MARCH = dt.date(2026, 3, 1)


def si(**overrides) -> SocialInsuranceFacts:
    """A hard-to-employ man born 1980-06 (statutory age 63: retires 2043-06), certified 2025-09-01, who
    worked 5 settled days for ¥1,000 in March 2026 and paid 800.00 pension + 320.00 medical."""
    values = {
        "month": MARCH,
        "category": "hard_to_employ",
        "category_date": dt.date(2025, 9, 1),
        "birth_date": dt.date(1980, 6, 15),
        "gender": "M",
        "work_days": 5,
        "work_earnings": D("1000"),
        "pension_paid": D("800.00"),
        "medical_paid": D("320.00"),
        "months_used": 0,
        "first_month": None,
    }
    values.update(overrides)
    return SocialInsuranceFacts(**values)


# (case, facts, parameter overrides, eligible, amount, refused codes, needed codes)
SOCIAL_CASES = [
    # 800 + 320 = 1,120 paid; due on the lowest base 4,000 × 0.28 = 1,120; 2/3 × 1,120 = 746.666… → 746.67
    ("hard_to_employ_lowest_tier", si(), {}, True, D("746.67"), set(), set()),
    # paid 1,000 + 400 = 1,400 > 1,120 due on the lowest base: basis 1,120 → 746.67
    (
        "pays_above_lowest_base",
        si(pension_paid=D("1000"), medical_paid=D("400")),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # paid less than the lowest base's 1,120: 600 + 240 = 840 → 2/3 × 840 = 560.00
    (
        "pays_below_lowest_base",
        si(pension_paid=D("600"), medical_paid=D("240")),
        {},
        True,
        D("560.00"),
        set(),
        set(),
    ),
    # base rule "actual": 2/3 × 1,400 = 933.333… → 933.33
    (
        "actual_base",
        si(pension_paid=D("1000"), medical_paid=D("400")),
        {"base_rule": "actual"},
        True,
        D("933.33"),
        set(),
        set(),
    ),
    # the same with a monthly cap of 800.00: min(933.33, 800) = 800.00
    (
        "monthly_cap",
        si(pension_paid=D("1000"), medical_paid=D("400")),
        {"base_rule": "actual", "monthly_cap": D("800.00")},
        True,
        D("800.00"),
        set(),
        set(),
    ),
    # a cap above the figure changes nothing: min(746.67, 800) = 746.67
    ("cap_not_reached", si(), {"monthly_cap": D("800.00")}, True, D("746.67"), set(), set()),
    # 35 of 36 months used: this is the 36th → still paid
    ("month_36", si(months_used=35, first_month=dt.date(2023, 4, 1)), {}, True, D("746.67"), set(), set()),
    # 36 of 36 used (retirement 2043 is far more than 5 years from a 2023 start): refused, 0.00
    (
        "limit_36_reached",
        si(months_used=36, first_month=dt.date(2023, 3, 1)),
        {},
        False,
        D("0.00"),
        {"month_limit"},
        set(),
    ),
    # graduate who left 2025-07-01: first month 2026-03 is 8 months after (≤ 24) → 746.67
    (
        "graduate_within_window",
        si(category="graduate", category_date=dt.date(2025, 7, 1), birth_date=dt.date(2003, 5, 1)),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # graduate: 23 of 24 months used → the 24th is paid
    (
        "graduate_month_24",
        si(
            category="graduate",
            category_date=dt.date(2024, 3, 1),
            birth_date=dt.date(2002, 5, 1),
            months_used=23,
            first_month=dt.date(2024, 4, 1),
        ),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # graduate: 24 of 24 used → refused (the 36-month limit is not theirs)
    (
        "graduate_limit_24_reached",
        si(
            category="graduate",
            category_date=dt.date(2024, 3, 1),
            birth_date=dt.date(2002, 5, 1),
            months_used=24,
            first_month=dt.date(2024, 3, 1),
        ),
        {},
        False,
        D("0.00"),
        {"month_limit"},
        set(),
    ),
    # graduate who left 2023-06-01, first month 2026-03: 33 months after > 24 → refused
    (
        "graduate_too_long_ago",
        si(category="graduate", category_date=dt.date(2023, 6, 1), birth_date=dt.date(2001, 5, 1)),
        {},
        False,
        D("0.00"),
        {"category"},
        set(),
    ),
    # … but one whose first month was 2025-01 (19 months after leaving, ≤ 24) keeps going (5 used)
    (
        "graduate_started_within_window",
        si(
            category="graduate",
            category_date=dt.date(2023, 6, 1),
            birth_date=dt.date(2001, 5, 1),
            months_used=5,
            first_month=dt.date(2025, 1, 1),
        ),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # no category on record: unknown, needs it (the amount the records support is still shown)
    ("no_category", si(category=None, category_date=None), {}, None, D("746.67"), set(), {"category"}),
    # no confirmed contribution yet: unknown, no amount
    ("no_contribution", si(pension_paid=None, medical_paid=None), {}, None, None, set(), {"contribution"}),
    # 3 days and ¥450 on the portal: short of 4 days and of ¥500 → unknown, needs other evidence
    ("little_work", si(work_days=3, work_earnings=D("450")), {}, None, D("746.67"), set(), {"flexible_work"}),
    # 2 days but ¥600 ≥ ¥500 → enough
    ("work_by_earnings", si(work_days=2, work_earnings=D("600")), {}, True, D("746.67"), set(), set()),
    # 4 days ≥ 4 with only ¥300 → enough
    ("work_by_days", si(work_days=4, work_earnings=D("300")), {}, True, D("746.67"), set(), set()),
    # no birth date or gender: the retirement age cannot be computed → unknown
    ("no_birth_date", si(birth_date=None, gender=""), {}, None, D("746.67"), set(), {"retirement"}),
    # the same month already subsidised: refused (never twice)
    ("same_month_twice", si(month_already_granted=True), {}, False, D("0.00"), {"same_month"}, set()),
    # retirement extension. A man born 1968-04-18: 60 + 10 months (born 1968-04: (3×12+3)//4 + 1 = 10 months
    # later) → 60y10m, 退休时间 2029-02. First month 2024-03 is 59 months before it (≤ 5 × 12 = 60):
    # extended to retirement, so the 37th month (36 used) in 2027-03 is still paid
    (
        "extension_beyond_36",
        si(
            month=dt.date(2027, 3, 1),
            birth_date=dt.date(1968, 4, 18),
            months_used=36,
            first_month=dt.date(2024, 3, 1),
        ),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # first month 2024-01 is 61 months before 2029-02 (> 60): no extension, 36 used → refused
    (
        "no_extension_61_months_before",
        si(
            month=dt.date(2027, 3, 1),
            birth_date=dt.date(1968, 4, 18),
            months_used=36,
            first_month=dt.date(2024, 1, 1),
        ),
        {},
        False,
        D("0.00"),
        {"month_limit"},
        set(),
    ),
    # extended: 2029-01, the month before retirement, is paid
    (
        "extension_last_month",
        si(
            month=dt.date(2029, 1, 1),
            birth_date=dt.date(1968, 4, 18),
            months_used=58,
            first_month=dt.date(2024, 3, 1),
        ),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # 2029-02 is the retirement month: refused
    (
        "retirement_month",
        si(
            month=dt.date(2029, 2, 1),
            birth_date=dt.date(1968, 4, 18),
            months_used=59,
            first_month=dt.date(2024, 3, 1),
        ),
        {},
        False,
        D("0.00"),
        {"retirement"},
        set(),
    ),
    # graduates get no extension (the rule is for hard-to-employ people): a graduate born 1968 is unusual, but
    # the 24-month limit holds — 24 used → refused
    (
        "graduate_no_extension",
        si(
            month=dt.date(2027, 3, 1),
            category="graduate",
            category_date=dt.date(2025, 1, 1),
            birth_date=dt.date(1968, 4, 18),
            months_used=24,
            first_month=dt.date(2025, 2, 1),
        ),
        {},
        False,
        D("0.00"),
        {"month_limit"},
        set(),
    ),
    # a woman (track 55) born 1972-05-10: (2×12+4)//4 + 1 = 8 months later → 55y8m, 退休时间 2028-01;
    # 2027-12 is paid …
    (
        "woman_55_track_before",
        si(
            month=dt.date(2027, 12, 1),
            gender="F",
            birth_date=dt.date(1972, 5, 10),
            months_used=3,
            first_month=dt.date(2027, 9, 1),
        ),
        {},
        True,
        D("746.67"),
        set(),
        set(),
    ),
    # … 2028-01 is not
    (
        "woman_55_track_retired",
        si(
            month=dt.date(2028, 1, 1),
            gender="F",
            birth_date=dt.date(1972, 5, 10),
            months_used=4,
            first_month=dt.date(2027, 9, 1),
        ),
        {},
        False,
        D("0.00"),
        {"retirement"},
        set(),
    ),
    # on the 50 track she was born before 1975-01: 50 exactly → 退休时间 2022-05, so 2026-03 is refused
    (
        "woman_50_track",
        si(gender="F", birth_date=dt.date(1972, 5, 10)),
        {"female_retirement_track": "50"},
        False,
        D("0.00"),
        {"retirement"},
        set(),
    ),
]


@pytest.mark.parametrize(
    ("facts", "overrides", "eligible", "amount", "refused", "needs"),
    [case[1:] for case in SOCIAL_CASES],
    ids=[case[0] for case in SOCIAL_CASES],
)
def test_social_insurance_subsidy(facts, overrides, eligible, amount, refused, needs):
    decision = evaluate(SOCIAL, facts, {**PARAMS, **overrides})
    assert decision.eligible is eligible, decision.reasons
    assert decision.amount == amount
    assert decision.refused_codes == refused
    assert decision.need_codes == needs
    # every rule said something, in words
    assert {"category", "retirement", "flexible_work", "contribution", "month_limit"} <= {
        c for c, _ in decision.reasons
    }


def test_social_insurance_figures_are_all_kept():
    decision = evaluate(SOCIAL, si(pension_paid=D("1000"), medical_paid=D("400")), PARAMS)
    f = decision.figures
    assert (f["paid"], f["due_on_lowest_base"], f["basis"], f["ratio"]) == (
        "1400.00",
        "1120.00",
        "1120.00",
        "2/3",
    )
    assert (f["ratio_times_basis"], f["months_used"], f["month_limit"], f["months_left_after"]) == (
        "746.67",
        0,
        36,
        35,  # 36 − 0 used − this month
    )
    assert (f["retirement_age"], f["retirement_month"]) == ("63岁", "2043-06")


def test_extension_figures_say_why():
    facts = si(
        month=dt.date(2027, 3, 1),
        birth_date=dt.date(1968, 4, 18),
        months_used=36,
        first_month=dt.date(2024, 3, 1),
    )
    f = evaluate(SOCIAL, facts, PARAMS).figures
    assert f["extended_to_retirement"] is True and f["month_limit"] is None
    assert f["months_to_retirement_at_first"] == 59  # 2024-03 → 2029-02


# statutory retirement under the 2025 reform, from the decision's annex rule
RETIREMENT_CASES = [
    # men: born before 1965 → 60; from 1965-01 one month per 4 months of birth, at most 36 (63)
    (dt.date(1964, 12, 31), "male", "60岁", dt.date(2024, 12, 1)),
    (dt.date(1965, 1, 1), "male", "60岁1个月", dt.date(2025, 2, 1)),  # 60y1m after 1965-01
    (dt.date(1965, 5, 1), "male", "60岁2个月", dt.date(2025, 7, 1)),  # 2nd group of 4 months
    (dt.date(1976, 8, 1), "male", "62岁11个月", dt.date(2039, 7, 1)),  # (11×12+7)//4 + 1 = 35
    (dt.date(1976, 9, 1), "male", "63岁", dt.date(2039, 9, 1)),  # 36: the cap
    (dt.date(1990, 1, 1), "male", "63岁", dt.date(2053, 1, 1)),
    # women originally 55: from 1970-01, one month per 4, at most 36 (58)
    (dt.date(1969, 12, 1), "female_55", "55岁", dt.date(2024, 12, 1)),
    (dt.date(1970, 1, 1), "female_55", "55岁1个月", dt.date(2025, 2, 1)),
    (dt.date(1981, 9, 1), "female_55", "58岁", dt.date(2039, 9, 1)),
    # women originally 50: from 1975-01, one month per 2, at most 60 (55)
    (dt.date(1974, 12, 1), "female_50", "50岁", dt.date(2024, 12, 1)),
    (dt.date(1975, 1, 1), "female_50", "50岁1个月", dt.date(2025, 2, 1)),
    (dt.date(1975, 3, 1), "female_50", "50岁2个月", dt.date(2025, 5, 1)),
    (dt.date(1984, 11, 1), "female_50", "55岁", dt.date(2039, 11, 1)),  # (9×12+10)//2 + 1 = 60
]


@pytest.mark.parametrize(("birth", "track", "label", "month"), RETIREMENT_CASES)
def test_statutory_retirement_age(birth, track, label, month):
    age = retirement_age(birth, track)
    assert (age.label, age.date) == (label, month)


ACCIDENT_PARAMS = {"share": D("0.5000"), "yearly_cap": D("100.00"), "min_age": 16, "max_age": 60}


def row(n, premium, month=dt.date(2026, 5, 1), payer="甲平台", **kw) -> PremiumRow:
    return PremiumRow(row_id=n, payer_name=payer, month=month, premium=D(premium), **kw)


def acc(*rows, birth=dt.date(1990, 3, 1), granted="0") -> AccidentFacts:
    return AccidentFacts(year=2026, birth_date=birth, rows=tuple(rows), granted_this_year=D(granted))


ACCIDENT_CASES = [
    # 50 % × 120 = 60.00 (under the ¥100 cap)
    ("one_row", acc(row(1, "120")), True, D("60.00"), set(), set()),
    # two agencies for the same person: 50 % × (120 + 100) = 110 → the yearly cap across them, 100.00
    (
        "two_agencies_capped",
        acc(row(1, "120"), row(2, "100", payer="乙家政")),
        True,
        D("100.00"),
        set(),
        set(),
    ),
    # 70 already granted this year (another claim): 50 % × 120 = 60 > 100 − 70 = 30 → 30.00
    ("cap_left_after_earlier_grant", acc(row(1, "120"), granted="70"), True, D("30.00"), set(), set()),
    # 100 already granted: nothing left → refused
    ("cap_used_up", acc(row(1, "120"), granted="100"), False, D("0.00"), {"yearly_cap"}, set()),
    # the only row is covered by the per-order occupational-injury premium → nothing to subsidise
    (
        "injury_covered_only",
        acc(row(1, "120", injury_covered=True)),
        False,
        D("0.00"),
        {"no_eligible_row"},
        set(),
    ),
    # covered 120 left out, 80 kept: 50 % × 80 = 40.00
    (
        "injury_covered_excluded",
        acc(row(1, "120", injury_covered=True), row(2, "80")),
        True,
        D("40.00"),
        set(),
        set(),
    ),
    # a manager's row is left out: 50 % × 60 = 30.00
    ("manager_excluded", acc(row(1, "200", is_manager=True), row(2, "60")), True, D("30.00"), set(), set()),
    # born 1965-06-01: 60 in 2026-05 (kept), 61 on 2026-07-01 (left out): 50 % × 40 = 20.00
    (
        "age_60_limit",
        acc(row(1, "40"), row(2, "90", month=dt.date(2026, 7, 1)), birth=dt.date(1965, 6, 1)),
        True,
        D("20.00"),
        set(),
        set(),
    ),
    # born 2010-08-01: 15 on 2026-07-01 (left out), 16 on 2026-08-01 (kept): 50 % × 30 = 15.00
    (
        "age_16_limit",
        acc(
            row(1, "50", month=dt.date(2026, 7, 1)),
            row(2, "30", month=dt.date(2026, 8, 1)),
            birth=dt.date(2010, 8, 1),
        ),
        True,
        D("15.00"),
        set(),
        set(),
    ),
    # no work order with the payer that month → left out; nothing else → refused
    (
        "no_employment_record",
        acc(row(1, "120", employment_record=False)),
        False,
        D("0.00"),
        {"no_eligible_row"},
        set(),
    ),
    # a payer not on the portal: unknown, needs the employment record (the kept row still counts: 50 % × 60)
    (
        "payer_unknown",
        acc(row(1, "120", payer="丙公司", employment_record=None), row(2, "60")),
        None,
        D("30.00"),
        set(),
        {"employment_record"},
    ),
    # nothing on record: unknown, needs the insured list
    ("no_rows", acc(), None, None, set(), {"insured_list"}),
    # no birth date: unknown (ages cannot be checked)
    ("no_birth_date", acc(row(1, "120"), birth=None), None, D("60.00"), set(), {"age"}),
]


@pytest.mark.parametrize(
    ("facts", "eligible", "amount", "refused", "needs"),
    [case[1:] for case in ACCIDENT_CASES],
    ids=[case[0] for case in ACCIDENT_CASES],
)
def test_accident_insurance_subsidy(facts, eligible, amount, refused, needs):
    decision = evaluate(ACCIDENT, facts, ACCIDENT_PARAMS)
    assert decision.eligible is eligible, decision.reasons
    assert decision.amount == amount
    assert decision.refused_codes == refused
    assert decision.need_codes == needs


def test_accident_figures_trace_every_row():
    decision = evaluate(ACCIDENT, acc(row(1, "120", injury_covered=True), row(2, "80")), ACCIDENT_PARAMS)
    rows = decision.figures["rows"]
    assert [r.get("excluded") for r in rows] == ["injury_covered", None]
    assert (decision.figures["eligible_premium"], decision.figures["share_times_premium"]) == (
        "80.00",
        "40.00",
    )
    assert decision.figures["yearly_remaining"] == "100.00"
