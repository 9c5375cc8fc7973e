"""Gender and age-band breakdowns (issue 18, ADR 0047) of workers_new, hires and seekers_valid: the cells
equal a count by the rule over the test's own rows (age in whole years on the period's last day; no gender
or birth date on record is ``unknown``), add up to the totals, and small cells are suppressed — never stored —
with the secondary suppression that keeps them from being subtracted back out of a published total.

Each expected figure below is worked from the rule by hand, not read from the code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from accounts.models import User
from jobs.models import SeekerSpell, WorkerProfile
from reports import services
from reports.calculators import age_band, suppressed
from reports.models import Fact

from ..jobs.factories import make_worker
from .factories import SHANGHAI

pytestmark = pytest.mark.django_db

OCTOBER = dt.datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)
LAST_DAY = dt.date(2026, 10, 31)


@pytest.mark.parametrize(
    "birth, band",
    [
        (dt.date(2006, 10, 31), "16-24"),  # 20
        (dt.date(2002, 11, 1), "16-24"),  # 23 on the last day (24 the day after)
        (dt.date(2001, 10, 31), "25-34"),  # 25 that very day
        (dt.date(1992, 1, 1), "25-34"),  # 34
        (dt.date(1991, 10, 31), "35-44"),
        (dt.date(1976, 5, 5), "45-54"),  # 50
        (dt.date(1967, 10, 31), "55-59"),  # 59
        (dt.date(1966, 11, 1), "55-59"),  # 59: turns 60 the day after the period
        (dt.date(1966, 10, 31), "60+"),  # 60 that day
        (dt.date(2012, 1, 1), "under-16"),
        (None, "unknown"),
    ],
)
def test_age_band_is_whole_years_on_the_last_day(birth, band):
    assert age_band(birth, LAST_DAY) == band


# --- suppression, table by table -----------------------------------------------------------------------------


def _cells(units: dict[int, dict[str, int]]) -> dict:
    cells = {}
    for unit, row in units.items():
        for value, n in row.items():
            cells[(unit, value)] = Decimal(n)
            cells[(None, value)] = cells.get((None, value), Decimal(0)) + n
    return cells


def test_a_small_cell_takes_the_rest_of_its_row_with_it():
    # unit 1: female 3 (< 5) is hidden; with male 10 published, 13 − 10 would give it back: male goes too;
    # the city's row is the same table (female 3 hidden → male 10 goes)
    assert suppressed(_cells({1: {"male": 10, "female": 3}}), 5) == {
        (1, "male"),
        (1, "female"),
        (None, "male"),
        (None, "female"),
    }


def test_rows_and_columns_protect_each_other():
    # primary: (1, a) = 2. Row 1 → its smallest other, (1, b) = 8. Column a (city 9 published) → (2, a) = 7;
    # column b (city 14) → (2, b) = 6. Then every row and column holds two or none: a1 + b1 = 10,
    # a2 + b2 = 13, a1 + a2 = 9, b1 + b2 = 14 have no single solution.
    table = {1: {"a": 2, "b": 8, "c": 9}, 2: {"a": 7, "b": 6, "c": 20}}
    assert suppressed(_cells(table), 5) == {(1, "a"), (1, "b"), (2, "a"), (2, "b")}


def test_a_units_only_cell_is_its_total_so_the_city_cell_goes_instead():
    # unit 1: a 2 (primary), then b 6 (row). Column b: only unit 1 → the city's b. Column a: unit 2's a is
    # unit 2's only cell (its total says 9), so it cannot hide anything: the city's a goes.
    table = {1: {"a": 2, "b": 6}, 2: {"a": 9}}
    assert suppressed(_cells(table), 5) == {(1, "a"), (1, "b"), (None, "b"), (None, "a")}


def test_nothing_small_nothing_hidden_and_a_minimum_of_one_hides_nothing():
    table = {1: {"a": 5, "b": 8}, 2: {"a": 7}}
    assert suppressed(_cells(table), 5) == set()
    assert suppressed(_cells({1: {"a": 1, "b": 2}}), 1) == set()


# --- over stored facts ---------------------------------------------------------------------------------------

# county A: seven registrations in October (gender, birth date); county B: two
A_PEOPLE = [
    ("M", dt.date(2006, 10, 31)),  # 20 → 16-24
    ("M", dt.date(1996, 3, 3)),  # 30 → 25-34
    ("F", dt.date(1996, 4, 4)),  # 30 → 25-34
    ("M", dt.date(1976, 5, 5)),  # 50 → 45-54
    ("F", dt.date(1967, 10, 31)),  # 59 → 55-59
    ("M", dt.date(1966, 10, 31)),  # 60 → 60+
    ("", None),  # unknown, unknown
]
B_PEOPLE = [("M", dt.date(1986, 1, 1)), ("F", dt.date(1986, 2, 2))]  # both 40 → 35-44


@pytest.fixture
def october(county_a, county_b):
    for unit, people in ((county_a, A_PEOPLE), (county_b, B_PEOPLE)):
        for gender, birth in people:
            user = make_worker(unit=unit)
            User.objects.filter(pk=user.pk).update(gender=gender, birth_date=birth)
            WorkerProfile.objects.filter(user=user).update(created_at=OCTOBER)
            SeekerSpell.objects.filter(profile__user=user).update(started_at=OCTOBER)
    return county_a, county_b


def cells(code, key, unit_id):
    rows = Fact.objects.filter(indicator__code=code, period="202610", org_unit_id=unit_id, breakdown_key=key)
    return {r.breakdown_value: r.value for r in rows}


def total(code, unit_id):
    return Fact.objects.get(
        indicator__code=code, period="202610", org_unit_id=unit_id, breakdown_key=""
    ).value


@pytest.mark.parametrize("code", ["workers_new", "seekers_valid"])
def test_the_cells_are_the_rule_and_add_up_to_the_total(october, settings, code):
    settings.LINGONG_REPORTS_MIN_CELL = 1  # no suppression: every cell, to compare with the rule
    a, b = october
    services.compute("202610")
    d = Decimal
    expected = {
        ("gender", a.pk): {"male": d(4), "female": d(2), "unknown": d(1)},
        ("gender", b.pk): {"male": d(1), "female": d(1)},
        ("gender", None): {"male": d(5), "female": d(3), "unknown": d(1)},
        ("age_band", a.pk): {
            "16-24": d(1),
            "25-34": d(2),
            "45-54": d(1),
            "55-59": d(1),
            "60+": d(1),
            "unknown": d(1),
        },
        ("age_band", b.pk): {"35-44": d(2)},
        ("age_band", None): {
            "16-24": d(1),
            "25-34": d(2),
            "35-44": d(2),
            "45-54": d(1),
            "55-59": d(1),
            "60+": d(1),
            "unknown": d(1),
        },
    }
    for (key, unit_id), figures in expected.items():
        assert cells(code, key, unit_id) == figures, (code, key, unit_id)
        assert sum(figures.values()) == total(code, unit_id)


def test_small_cells_are_never_stored(october):
    """At the default minimum (5): every county cell is below it; the city's male cell (5) is published, and
    its female (3) and unknown (1) are not; no column then holds a single hidden county cell under a
    published city cell that another county could give away (both counties' male cells are hidden)."""
    a, b = october
    services.compute("202610")
    assert cells("workers_new", "gender", a.pk) == {}
    assert cells("workers_new", "gender", b.pk) == {}
    assert cells("workers_new", "gender", None) == {"male": Decimal(5)}
    # the totals stay: 7, 2 and 9
    assert (total("workers_new", a.pk), total("workers_new", b.pk), total("workers_new", None)) == (7, 2, 9)
    assert not Fact.objects.filter(breakdown_key__in=["gender", "age_band"], value__lt=5).exists()
