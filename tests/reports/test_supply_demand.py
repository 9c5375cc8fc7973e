"""Supply and demand as it was (ADR 0041): 求人倍率 = demand valid ÷ seekers valid, per county, per occupation
and for the city from the city's own totals (never a sum or mean of ratios); the counter-assisted share; a
past month does not move when a worker's availability changes today.

The figures are worked by hand from ``factories.validity_windows`` (posting i has headcount i + 1, cleaner
when i is even, electrician when odd; seeker i seeks cleaning, and electrical work too when i is odd):

October — valid postings: 1 (two windows, once; 2 persons, electrician) and 2 (3 persons, cleaner); posting 0
closed at the first instant of October. Valid seekers: 0 (carried over), 1 (until 10-15), 2 (until 11-01).
County B has no index 2. Q4 adds posting 4 (5, cleaner) and seekers 3 and 4."""

from __future__ import annotations

from decimal import Decimal

import pytest

from jobs import services as jobs_services
from jobs.models import SeekerSpell
from reports import services
from reports.models import Fact

from .factories import INSTANTS, history
from .test_compute import brute

pytestmark = pytest.mark.django_db


@pytest.fixture
def raw(county_a, county_b):
    history(county_a)
    history(county_b, skip=(2,))
    return county_a, county_b


def value(code, period, unit_id, occupation=""):
    rows = Fact.objects.filter(
        indicator__code=code,
        period=period,
        org_unit_id=unit_id,
        breakdown_key="occupation" if occupation else "",
        breakdown_value=occupation,
    )
    return rows.get().value if rows.exists() else None


def test_demand_and_seekers_valid_worked_by_hand(raw):
    a, b = raw
    services.compute("202610")
    services.compute("2026Q4")
    assert [value("demand_valid", "202610", u) for u in (a.pk, b.pk, None)] == [5, 2, 7]
    assert [value("postings_valid", "202610", u) for u in (a.pk, b.pk, None)] == [2, 1, 3]
    assert [value("seekers_valid", "202610", u) for u in (a.pk, b.pk, None)] == [3, 2, 5]
    assert [value("seekers_new", "202610", u) for u in (a.pk, b.pk, None)] == [2, 1, 3]  # 0 carried over
    assert [value("demand_valid", "2026Q4", u) for u in (a.pk, b.pk, None)] == [10, 7, 17]
    assert [value("seekers_valid", "2026Q4", u) for u in (a.pk, b.pk, None)] == [5, 4, 9]
    assert [value("seekers_new", "2026Q4", u) for u in (a.pk, b.pk, None)] == [4, 3, 7]
    assert value("demand_new", "202610", a.pk) == 2 + 3  # postings 1 and 2 first published in October
    assert value("seekers_valid", "202610", a.pk, "electrician") == 1
    assert value("seekers_valid", "202610", None, "cleaner") == 5


def test_ratio_per_county_and_city_from_the_city_totals(raw):
    a, b = raw
    services.compute("202610")
    services.compute("2026Q4")
    assert value("demand_seeker_ratio", "202610", a.pk) == Decimal("1.67")  # 5 ÷ 3
    assert value("demand_seeker_ratio", "202610", b.pk) == Decimal("1.00")  # 2 ÷ 2
    assert value("demand_seeker_ratio", "202610", None) == Decimal("1.40")  # 7 ÷ 5, not 1.67 + 1.00
    assert value("demand_seeker_ratio", "2026Q4", a.pk) == Decimal("2.00")  # 10 ÷ 5
    assert value("demand_seeker_ratio", "2026Q4", b.pk) == Decimal("1.75")  # 7 ÷ 4
    assert value("demand_seeker_ratio", "2026Q4", None) == Decimal("1.89")  # 17 ÷ 9
    # the ratio of the facts stored for the same cells
    for period in ("202610", "2026Q4"):
        for unit in (a.pk, b.pk, None):
            demand, seekers = value("demand_valid", period, unit), value("seekers_valid", period, unit)
            assert value("demand_seeker_ratio", period, unit) == (demand / seekers).quantize(Decimal("0.01"))
    # a unit without seekers has no ratio row (the fact's value is never null), but has its 0 figures
    others = Fact.objects.filter(indicator__code="seekers_valid", period="202610", breakdown_key="", value=0)
    assert others.exists()
    assert not Fact.objects.filter(
        indicator__code="demand_seeker_ratio", period="202610", org_unit__in=others.values("org_unit")
    ).exists()


def test_ratio_per_occupation(raw):
    a, b = raw
    services.compute("202610")
    services.compute("2026Q4")
    expected = {
        ("202610", a.pk, "electrician"): "2.00",  # 2 ÷ 1
        ("202610", a.pk, "cleaner"): "1.00",  # 3 ÷ 3
        ("202610", b.pk, "electrician"): "2.00",  # 2 ÷ 1
        ("202610", b.pk, "cleaner"): "0.00",  # no cleaning demand, two seekers
        ("202610", None, "electrician"): "2.00",  # 4 ÷ 2
        ("202610", None, "cleaner"): "0.60",  # 3 ÷ 5
        ("2026Q4", a.pk, "cleaner"): "1.60",  # 8 ÷ 5
        ("2026Q4", a.pk, "electrician"): "1.00",  # 2 ÷ 2
        ("2026Q4", None, "cleaner"): "1.44",  # 13 ÷ 9
        ("2026Q4", None, "electrician"): "1.00",  # 4 ÷ 4
    }
    for (period, unit, occupation), ratio in expected.items():
        assert value("demand_seeker_ratio", period, unit, occupation) == Decimal(ratio), (
            period,
            unit,
            occupation,
        )


@pytest.mark.parametrize("period", ["202610", "2026Q4"])
def test_counter_services_share_is_the_city_numerator_over_the_city_denominator(raw, period):
    a, b = raw
    services.compute(period)
    for unit in (a.pk, b.pk, None):
        expected = (
            brute("counter_services", period, unit) * 100 / brute("services_total", period, unit)
        ).quantize(Decimal("0.01"))
        assert value("counter_services_share", period, unit) == expected, (period, unit)


def test_a_past_month_does_not_move_when_availability_changes_today(raw):
    a, _ = raw
    services.compute("202610")
    services.compute("2099")
    october = list(
        Fact.objects.filter(period="202610").order_by("pk").values_list("pk", "value", "computed_at")
    )
    assert value("seekers_valid", "2099", a.pk) == 5  # seekers 0, 1 (again since December), 3, 4, 5

    spell = SeekerSpell.objects.get(
        profile__user__scope_unit=a, started_at=INSTANTS[0]
    )  # seeker 0, seeking since before October
    user = spell.profile.user
    jobs_services.worker_seeking_set(user=user, actor=user, seeking=False)  # today

    summary = services.compute("202610")
    assert (summary.created, summary.updated, summary.deleted) == (0, 0, 0)
    assert (
        list(Fact.objects.filter(period="202610").order_by("pk").values_list("pk", "value", "computed_at"))
        == october
    )
    services.compute("2099")
    assert value("seekers_valid", "2099", a.pk) == 4  # the future no longer counts seeker 0
