"""The training-subsidy calculator, table-driven: each expected figure is written from the rule (the seeded
SD-2025-37 claim rule: 1 claim a year, 3 for shortage occupations, claims within 12 months of the
certificate, the higher rate for work within 6 months; the seeded city-wide rates from 2025-07-01:
electrician-special ¥800 shortage, welder-special ¥800 shortage, cleaner-ability ¥600 not shortage)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from core.models import ScopeUnit
from jobs.choices import PersonCategoryKind, PersonCategorySource
from training.choices import ClaimantKind, ClaimStatus
from training.models import CatalogueRate
from training.services.eligibility import add_months, assess

from .factories_claims import category, completion, item, person, prior_claim, settled_work

pytestmark = pytest.mark.django_db

D = dt.date
TRAINING = D(2026, 3, 2)
CERT = D(2026, 3, 22)
CLAIM = D(2026, 4, 1)


def test_add_months_clamps_to_the_months_last_day():
    assert add_months(D(2025, 8, 10), 12) == D(2026, 8, 10)
    assert add_months(D(2025, 8, 31), 6) == D(2026, 2, 28)
    assert add_months(D(2024, 2, 29), 12) == D(2025, 2, 28)


# (case, earlier claims [(item, training date, status, kind)], certificates held [(item, level)],
#  item claimed, training date, certificate date, claim date, eligible, amount, refused rule)
LIMITS = [
    ("first claim", [], [], "electrician-special", TRAINING, CERT, CLAIM, True, "800.00", None),
    (
        "same occupation and level again",
        [("electrician-special", D(2025, 9, 1), ClaimStatus.SUBMITTED, ClaimantKind.PERSON)],
        [],
        "electrician-special",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "same_level_once",
    ),
    (
        "same level claimed by the institution still counts",
        [("electrician-special", D(2025, 9, 1), ClaimStatus.DRAFT, ClaimantKind.INSTITUTION)],
        [],
        "electrician-special",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "same_level_once",
    ),
    (
        "same level claimed by an employer still counts",
        [("electrician-special", D(2025, 9, 1), ClaimStatus.SUBMITTED, ClaimantKind.EMPLOYER)],
        [],
        "electrician-special",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "same_level_once",
    ),
    (
        "a withdrawn earlier claim does not count",
        [("electrician-special", D(2025, 9, 1), ClaimStatus.WITHDRAWN, ClaimantKind.PERSON)],
        [],
        "electrician-special",
        TRAINING,
        CERT,
        CLAIM,
        True,
        "800.00",
        None,
    ),
    (
        "a lower level after a higher level claimed",
        [("electrician-4", D(2025, 9, 1), ClaimStatus.SUBMITTED, ClaimantKind.PERSON)],
        [],
        "electrician-5",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "higher_level_held",
    ),
    (
        "a lower level after a higher certificate held",
        [],
        [("electrician-4", "4")],
        "electrician-5",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "higher_level_held",
    ),
    (
        "a higher level after a lower one is fine (shortage: 2 of 3 this year)",
        [("electrician-5", D(2026, 1, 5), ClaimStatus.SUBMITTED, ClaimantKind.PERSON)],
        [],
        "electrician-4",
        TRAINING,
        CERT,
        CLAIM,
        True,
        "1500.00",
        None,
    ),
    (
        "on the last day of the 12-month window",
        [],
        [],
        "electrician-special",
        D(2025, 7, 20),
        D(2025, 8, 10),
        D(2026, 8, 10),
        True,
        "800.00",
        None,
    ),
    (
        "12 months and 1 day after the certificate",
        [],
        [],
        "electrician-special",
        D(2025, 7, 20),
        D(2025, 8, 10),
        D(2026, 8, 11),
        False,
        None,
        "claim_window",
    ),
    (
        "shortage occupation: a second claim in the year",
        [("welder-special", D(2026, 1, 5), ClaimStatus.SUBMITTED, ClaimantKind.PERSON)],
        [],
        "electrician-special",
        TRAINING,
        CERT,
        CLAIM,
        True,
        "800.00",
        None,
    ),
    (
        "non-shortage occupation: no second claim in the year",
        [("welder-special", D(2026, 1, 5), ClaimStatus.SUBMITTED, ClaimantKind.PERSON)],
        [],
        "cleaner-ability",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "yearly_limit",
    ),
    (
        "non-shortage occupation: last year's claim does not count this year",
        [("welder-special", D(2025, 11, 3), ClaimStatus.SUBMITTED, ClaimantKind.PERSON)],
        [],
        "cleaner-ability",
        TRAINING,
        CERT,
        CLAIM,
        True,
        "600.00",
        None,
    ),
    (
        "shortage occupation: the fourth claim of the year",
        [
            ("welder-special", D(2026, 1, 5), ClaimStatus.SUBMITTED, ClaimantKind.PERSON),
            ("electrician-5", D(2026, 1, 12), ClaimStatus.SUBMITTED, ClaimantKind.PERSON),
            ("elder-carer-5", D(2026, 2, 2), ClaimStatus.SUBMITTED, ClaimantKind.INSTITUTION),
        ],
        [],
        "electrician-special",
        TRAINING,
        CERT,
        CLAIM,
        False,
        None,
        "yearly_limit",
    ),
]


@pytest.mark.parametrize(
    "case,earlier,held,code,training,cert,claim,eligible,amount,refused",
    LIMITS,
    ids=[row[0] for row in LIMITS],
)
def test_counting_limits(case, earlier, held, code, training, cert, claim, eligible, amount, refused):
    worker = person()
    category(worker, PersonCategoryKind.REGISTERED_UNEMPLOYED, D(2025, 1, 1))
    for earlier_code, starts_on, status, kind in earlier:
        prior_claim(worker, item_code=earlier_code, starts_on=starts_on, status=status, kind=kind)
    for held_code, _level in held:
        completion(worker, item_code=held_code, starts_on=D(2025, 10, 6))
    answer = assess(worker, item(code), training, certificate_date=cert, claim_date=claim)
    assert answer.eligible is eligible, answer.reasons
    assert answer.amount == (Decimal(amount) if amount else None)
    if refused:
        assert answer.refused == (refused,)
        assert refused in dict(answer.reasons)
    else:
        assert answer.refused == ()
    assert answer.rule_version == "SD-2025-37"
    assert answer.category == PersonCategoryKind.REGISTERED_UNEMPLOYED


def test_the_figures_of_a_yearly_count_and_window():
    worker = person()
    category(worker, PersonCategoryKind.FLEXIBLE, D(2025, 1, 1))
    earlier = prior_claim(worker, item_code="welder-special", starts_on=D(2026, 1, 5))
    answer = assess(
        worker,
        item("electrician-special"),
        TRAINING,
        certificate_date=D(2025, 8, 10),
        claim_date=D(2026, 2, 9),
    )
    assert answer.claims_this_year == 1 and answer.yearly_limit == 3  # shortage row
    assert answer.claim_deadline == D(2026, 8, 10)
    assert answer.months_since_certificate == 5  # 2025-08-10 → 2026-01-10 is 5 months; 02-09 not yet 6
    assert answer.prior_same_level == ()
    seeded = CatalogueRate.objects.get(item__code="electrician-special", scope_unit=None)
    assert (
        answer.rate["id"] == seeded.pk and answer.rate["rate"] == Decimal("800") and answer.rate["shortage"]
    )
    assert answer.rule_versions == f"rate#{seeded.pk}@2025-07-01+SD-2025-37"
    blocked = assess(worker, item("welder-special"), TRAINING, certificate_date=CERT, claim_date=CLAIM)
    assert blocked.prior_same_level == (earlier.pk,)


# (case, category rows [(kind, from, to, source)], work [(occupation, date)], eligible, needs, category, source)
CATEGORIES = [
    (
        "registered unemployed on the training date",
        [
            (
                PersonCategoryKind.REGISTERED_UNEMPLOYED,
                D(2026, 1, 1),
                None,
                PersonCategorySource.STAFF_VERIFIED,
            )
        ],
        [],
        True,
        (),
        PersonCategoryKind.REGISTERED_UNEMPLOYED,
        PersonCategorySource.STAFF_VERIFIED,
    ),
    (
        "hard to employ, self-declared",
        [(PersonCategoryKind.HARD_TO_EMPLOY, D(2025, 6, 1), None, PersonCategorySource.SELF_DECLARED)],
        [],
        True,
        (),
        PersonCategoryKind.HARD_TO_EMPLOY,
        PersonCategorySource.SELF_DECLARED,
    ),
    (
        "no category on record: unknown, needs the category",
        [],
        [],
        None,
        ("category",),
        "",
        "",
    ),
    (
        "the category ended before the training date",
        [(PersonCategoryKind.REGISTERED_UNEMPLOYED, D(2025, 1, 1), D(2026, 3, 1), "staff_verified")],
        [],
        None,
        ("category",),
        "",
        "",
    ),
    (
        "the category begins after the training date",
        [(PersonCategoryKind.RURAL_MIGRANT, D(2026, 3, 3), None, "staff_verified")],
        [],
        None,
        ("category",),
        "",
        "",
    ),
    (
        "a category outside the subsidy",
        [(PersonCategoryKind.OTHER, D(2025, 1, 1), None, "staff_verified")],
        [],
        False,
        (),
        PersonCategoryKind.OTHER,
        "staff_verified",
    ),
    (
        "new-form worker derived from settled rider work",
        [],
        [("rider", D(2026, 1, 10))],
        True,
        (),
        PersonCategoryKind.NEW_FORM,
        PersonCategorySource.DERIVED_FROM_WORK,
    ),
    (
        "live selling work 13 months before is too old to derive",
        [],
        [("live_seller", D(2025, 2, 1))],
        None,
        ("category",),
        "",
        "",
    ),
    (
        "cleaning work does not make a new-form worker",
        [],
        [("cleaner", D(2026, 1, 10))],
        None,
        ("category",),
        "",
        "",
    ),
]


@pytest.mark.parametrize(
    "case,rows,work,eligible,needs,kind,source", CATEGORIES, ids=[row[0] for row in CATEGORIES]
)
def test_category_as_of_the_training_date(case, rows, work, eligible, needs, kind, source):
    worker = person()
    for row_kind, start, end, row_source in rows:
        category(worker, row_kind, start, end, source=row_source)
    for occupation_code, day in work:
        settled_work(worker, day, occupation_code=occupation_code)
    answer = assess(worker, item("electrician-special"), TRAINING, certificate_date=CERT, claim_date=CLAIM)
    assert answer.eligible is eligible, answer.reasons
    assert answer.needs == needs
    assert answer.category == kind
    assert answer.category_source == source
    if eligible is None:
        assert answer.refused == ()
        assert answer.amount == Decimal("800.00")  # the figure it would be, once the data is there
    if eligible is False:
        assert answer.refused == ("category_not_eligible",) and answer.amount is None


def test_derived_new_form_kind_is_the_work_done():
    worker = person()
    settled_work(worker, D(2026, 2, 1), occupation_code="ride_hailing")
    answer = assess(worker, item("ride-hailing-training"), TRAINING, certificate_date=CERT, claim_date=CLAIM)
    assert (answer.category, answer.new_form_kind) == (PersonCategoryKind.NEW_FORM, "driver")


def test_no_certificate_date_is_unknown():
    worker = person()
    category(worker, PersonCategoryKind.GRADUATE, D(2025, 7, 1))
    answer = assess(worker, item("electrician-special"), TRAINING, claim_date=CLAIM)
    assert answer.eligible is None and answer.needs == ("certificate_date",)


def test_a_rate_changed_mid_year_uses_the_row_in_force_on_the_training_date():
    old = CatalogueRate.objects.get(item__code="cleaner-ability", scope_unit=None)
    CatalogueRate.objects.filter(pk=old.pk).update(effective_to=D(2026, 6, 30))
    new = CatalogueRate.objects.create(
        item=item("cleaner-ability"),
        effective_from=D(2026, 7, 1),
        min_class_hours=40,
        rate=Decimal("700"),
        cap=Decimal("700"),
        source="2026年新标准",
    )
    worker = person()
    category(worker, PersonCategoryKind.RURAL_MIGRANT, D(2025, 1, 1))
    before = assess(
        worker,
        item("cleaner-ability"),
        D(2026, 6, 30),
        certificate_date=D(2026, 7, 20),
        claim_date=D(2026, 8, 1),
    )
    after = assess(
        worker,
        item("cleaner-ability"),
        D(2026, 7, 1),
        certificate_date=D(2026, 7, 20),
        claim_date=D(2026, 8, 1),
    )
    assert (before.rate["id"], before.amount) == (old.pk, Decimal("600.00"))
    assert (after.rate["id"], after.amount) == (new.pk, Decimal("700.00"))
    assert after.rate["effective_from"] == D(2026, 7, 1)


def test_the_countys_row_is_preferred_over_the_city_wide_one():
    county = ScopeUnit.objects.get(code="370702")
    row = CatalogueRate.objects.create(
        item=item("cleaner-ability"),
        scope_unit=county,
        effective_from=D(2026, 1, 1),
        min_class_hours=40,
        rate=Decimal("650"),
        cap=Decimal("650"),
        source="潍城区标准",
    )
    worker = person()
    category(worker, PersonCategoryKind.RURAL_MIGRANT, D(2025, 1, 1))
    answer = assess(
        worker, item("cleaner-ability"), TRAINING, certificate_date=CERT, claim_date=CLAIM, county=county
    )
    assert (answer.rate["id"], answer.amount) == (row.pk, Decimal("650.00"))
    elsewhere = assess(worker, item("cleaner-ability"), TRAINING, certificate_date=CERT, claim_date=CLAIM)
    assert elsewhere.amount == Decimal("600.00")


@pytest.fixture
def employed_rate_row():
    """A county row for electrician-5 with room above the rate: ¥1,000, ¥1,200 in work, cap ¥1,500."""
    return CatalogueRate.objects.create(
        item=item("electrician-5"),
        scope_unit=ScopeUnit.objects.get(code="370702"),
        effective_from=D(2026, 1, 1),
        min_class_hours=120,
        rate=Decimal("1000"),
        cap=Decimal("1500"),
        employed_rate=Decimal("1200"),
        shortage=True,
        source="测试",
    )


# (case, work dates, claim date, employed, amount, fee) — completion 2026-03-22, window to 2026-09-22
EMPLOYED = [
    ("work within 6 months of completion", [D(2026, 9, 22)], D(2026, 10, 1), True, "1200.00", "0"),
    ("work on the completion day is not after it", [D(2026, 3, 22)], D(2026, 10, 1), False, "1000.00", "0"),
    ("no work and the window has passed", [], D(2026, 9, 23), False, "1000.00", "0"),
    ("no work yet and the window still open", [], D(2026, 4, 1), None, "1000.00", "0"),
    ("a lower fee caps the subsidy", [D(2026, 4, 2)], D(2026, 10, 1), True, "900.00", "900"),
    ("a higher fee does not", [D(2026, 4, 2)], D(2026, 10, 1), True, "1200.00", "3000"),
]


@pytest.mark.parametrize("case,work,claim,employed,amount,fee", EMPLOYED, ids=[r[0] for r in EMPLOYED])
def test_the_employed_rate_cap_and_fee(employed_rate_row, case, work, claim, employed, amount, fee):
    worker = person()
    category(worker, PersonCategoryKind.FLEXIBLE, D(2025, 1, 1))
    for day in work:
        settled_work(worker, day)
    answer = assess(
        worker,
        item("electrician-5"),
        TRAINING,
        certificate_date=CERT,
        claim_date=claim,
        county=employed_rate_row.scope_unit,
        completed_on=CERT,
        fee=Decimal(fee),
    )
    assert answer.eligible is True, answer.reasons
    assert answer.employed_within_window is employed
    assert answer.employment_window_ends == D(2026, 9, 22)
    assert answer.amount == Decimal(amount)
    codes = dict(answer.reasons)
    assert "employed_rate" in codes
    assert ("fee_cap" in codes) is (fee == "900")


def test_the_seeded_cap_limits_the_employed_rate():
    """The seeded electrician-5 row caps at ¥1,000 though its employed rate is ¥1,200: the cap wins."""
    worker = person()
    category(worker, PersonCategoryKind.FLEXIBLE, D(2025, 1, 1))
    settled_work(worker, D(2026, 4, 2))
    answer = assess(worker, item("electrician-5"), TRAINING, certificate_date=CERT, claim_date=D(2026, 10, 1))
    assert answer.employed_within_window is True and answer.base_amount == Decimal("1200")
    assert answer.amount == Decimal("1000.00") and "cap" in dict(answer.reasons)
