"""The calculator over the records: facts gathered from the portal's own rows (category, settled work,
confirmed contributions, premiums and employment records, what was granted), the decision stored with its
figures and parameter version, and written again only when the answer changes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.choices import Role
from jobs.choices import PersonCategoryKind
from subsidies.choices import EntitlementSource, PayerKind
from subsidies.models import EligibilityDecision, Entitlement, InsuredPremium, ProgramParameter
from subsidies.services.eligibility import assess
from work.choices import WorkOrderStatus

from ..accounts.factories import UserFactory
from ..jobs.factories import make_employer
from .factories import certify, contribution, program, work_days

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


@pytest.fixture
def person(county_a):
    # a man born 1980-06-15: statutory age 63, retires 2043-06
    return UserFactory(scope_unit=county_a, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M")


def test_certified_person_with_work_and_contribution_is_eligible_and_the_decision_is_stored(person):
    certify(person)
    work_days(person, MARCH, 5)
    contribution(person, MARCH)
    answer = assess(person, program(), dt.date(2026, 3, 20))
    # 2/3 × min(800 + 320, 4,000 × 0.28 = 1,120) = 746.67
    assert (answer.eligible, answer.amount) == (True, Decimal("746.67"))
    stored = EligibilityDecision.objects.get(person=person)
    assert (stored.eligible, stored.amount, stored.parameter_version) == (
        True,
        Decimal("746.67"),
        "SI-2025-07",
    )
    assert (stored.period_start, stored.period_end) == (MARCH, dt.date(2026, 3, 31))
    assert stored.figures["work_days"] == 5 and stored.figures["work_earnings"] == "1000.00"
    assert stored.figures["basis"] == "1120.00"
    assert {code for code, _text in stored.reasons} >= {
        "category",
        "retirement",
        "flexible_work",
        "contribution",
    }
    # the same answer again writes no second row
    assess(person, program(), MARCH)
    assert EligibilityDecision.objects.filter(person=person).count() == 1


def test_only_settled_work_orders_of_the_month_count(person):
    certify(person)
    contribution(person, MARCH)
    work_days(person, MARCH, 3)  # 3 settled days, ¥600 …
    work_days(person, MARCH + dt.timedelta(days=10), 3, status=WorkOrderStatus.APPROVED)  # not settled
    work_days(person, dt.date(2026, 2, 1), 3)  # another month
    answer = assess(person, program(), MARCH)
    # 3 days < 4, but ¥600 ≥ ¥500: enough
    assert (answer.decision.figures["work_days"], answer.decision.figures["work_earnings"]) == (3, "600.00")
    assert answer.eligible is True


def test_missing_records_say_what_is_needed_never_a_silent_no(person):
    answer = assess(person, program(), MARCH)
    assert answer.eligible is None
    assert answer.decision.need_codes == {"category", "flexible_work", "contribution"}
    assert EligibilityDecision.objects.get(person=person).needs


def test_a_self_declared_category_is_not_a_certification(person):
    from jobs.models import PersonCategory

    PersonCategory.objects.create(
        user=person,
        category=PersonCategoryKind.HARD_TO_EMPLOY,
        valid_from=dt.date(2025, 1, 1),
        source="self_declared",
    )
    assert "category" in assess(person, program(), MARCH).decision.need_codes


def test_months_used_count_across_counties_and_the_same_month_is_refused(person, county_b):
    certify(person)
    work_days(person, MARCH, 5)
    contribution(person, MARCH)
    si = program()
    for i in range(3):
        Entitlement.objects.create(
            person=person,
            program_type=si,
            month=dt.date(2025, 10 + i, 1),
            amount=Decimal("746.67"),
            source=EntitlementSource.LEGACY,
        )
    figures = assess(person, si, MARCH).decision.figures
    assert (figures["months_used"], figures["months_left_after"], figures["first_month"]) == (
        3,
        32,
        "2025-10",
    )
    Entitlement.objects.create(
        person=person, program_type=si, month=MARCH, amount=Decimal("746.67"), source=EntitlementSource.LEGACY
    )
    answer = assess(person, si, MARCH)
    assert answer.eligible is False and "same_month" in answer.decision.refused_codes


def test_a_county_row_overrides_the_city_row(person):
    certify(person)
    work_days(person, MARCH, 5)
    contribution(person, MARCH)
    city = ProgramParameter.objects.get(version="SI-2025-07")
    county = ProgramParameter.objects.create(
        **{
            **{f: getattr(city, f) for f in city.figures()},
            "program_type": city.program_type,
            "scope_unit": person.scope_unit,
            "version": "SI-2026-COUNTY",
            "effective_from": dt.date(2026, 1, 1),
            "monthly_cap": Decimal("700.00"),
            "notice": "县通知",
        }
    )
    answer = assess(person, program(), MARCH)
    assert answer.parameter == county and answer.amount == Decimal("700.00")  # min(746.67, 700)
    # before the county's row took effect the city's applies
    work_days(person, dt.date(2025, 12, 1), 5)
    contribution(person, dt.date(2025, 12, 1))
    assert assess(person, program(), dt.date(2025, 12, 1)).parameter == city


def test_accident_yearly_cap_holds_across_two_agencies_and_injury_covered_orders_are_excluded(person):
    acc = program("gig_accident_insurance")
    platform, agency = make_employer(unit=person.scope_unit), make_employer(unit=person.scope_unit)
    may, june = dt.date(2026, 5, 1), dt.date(2026, 6, 1)
    order = work_days(person, may, 2, employer=platform)[0]
    work_days(person, june, 2, employer=agency)
    InsuredPremium.objects.create(
        person=person,
        payer_kind=PayerKind.PLATFORM,
        payer=platform,
        payer_name="甲平台",
        policy_number="P1",
        month=may,
        premium=Decimal("120"),
    )
    InsuredPremium.objects.create(
        person=person,
        payer_kind=PayerKind.AGENCY,
        payer=agency,
        payer_name="乙家政",
        policy_number="A1",
        month=june,
        premium=Decimal("100"),
    )
    # 50 % × (120 + 100) = 110 → the ¥100 cap across both
    assert assess(person, acc, may).amount == Decimal("100.00")
    InsuredPremium.objects.filter(policy_number="P1").update(injury_covered=True, work_order=order)
    # the platform's order is covered by the per-order occupational-injury premium: 50 % × 100 = 50.00
    answer = assess(person, acc, may)
    assert answer.amount == Decimal("50.00")
    assert [r.get("excluded") for r in answer.decision.figures["rows"]] == ["injury_covered", None]
    # an agency's earlier grant this year counts against the cap: 100 − 70 = 30 left
    Entitlement.objects.create(
        person=person,
        program_type=acc,
        month=dt.date(2026, 1, 1),
        amount=Decimal("70"),
        source=EntitlementSource.LEGACY,
    )
    assert assess(person, acc, may).amount == Decimal("30.00")


def test_accident_premium_without_work_for_the_payer_is_not_subsidised(person):
    acc = program("gig_accident_insurance")
    payer = make_employer(unit=person.scope_unit)
    InsuredPremium.objects.create(
        person=person,
        payer_kind=PayerKind.PLATFORM,
        payer=payer,
        payer_name="甲平台",
        policy_number="P1",
        month=dt.date(2026, 5, 1),
        premium=Decimal("120"),
    )
    work_days(person, dt.date(2026, 5, 1), 2)  # worked that month, but for somebody else
    answer = assess(person, acc, dt.date(2026, 5, 1))
    assert answer.eligible is False and answer.decision.refused_codes == {"no_eligible_row"}
