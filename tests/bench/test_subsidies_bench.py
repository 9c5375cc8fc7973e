"""The subsidies phase of ``bench_data`` (issue 17) at size XS and the proactive-run benchmark on it: one
contribution row per person and month with the amounts due on its base, categories for some contributors,
legacy months never past a person's run, premiums only where the worker worked for the payer that month; the
run offers each eligible person once (a brute force over the candidates agrees), and a second run offers
nothing."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import transaction

from tests.conftest import ensure_divisions


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_divisions()
            call_command("bench_data", "--size", "XS", "--seed", "11", verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_contribution_months_categories_and_premiums(bench, db):
    from decimal import Decimal

    from bench.subsidies_data import MEDICAL_RATE, PENSION_RATE
    from jobs.models import PersonCategory
    from subsidies.models import ContributionMonth, Entitlement, InsuredPremium
    from work.models import WorkOrder

    months = ContributionMonth.objects.all()
    # XS: 6,000 contribution months — 1,000 people × 6 months, or every worker with settled work if fewer
    settled = WorkOrder.objects.filter(status="settled").values("worker_id").distinct().count()
    assert months.count() == min(1_000, settled) * 6
    assert all(m.month.day == 1 for m in months[:500])
    for m in months[:200]:
        assert m.pension_paid == (m.base * PENSION_RATE).quantize(Decimal("0.01"))
        assert m.medical_paid == (m.base * MEDICAL_RATE).quantize(Decimal("0.01"))
        assert m.base >= Decimal("4000")
    people = set(months.values_list("person_id", flat=True))
    certified = set(PersonCategory.objects.filter(evidence="bench-认定表").values_list("user_id", flat=True))
    assert certified and certified < people
    # legacy months: only for certified contributors, within their months
    for e in Entitlement.objects.filter(source="legacy")[:300]:  # approved applications add their own
        assert e.person_id in certified
        assert months.filter(person_id=e.person_id, month=e.month).exists()
    # a premium's payer is an employer the worker worked for in that month
    for p in InsuredPremium.objects.all()[:200]:
        assert WorkOrder.objects.filter(
            worker_id=p.person_id,
            posting__employer_id=p.payer_id,
            work_date__year=p.month.year,
            work_date__month=p.month.month,
        ).exists()


def test_the_offer_bench_offers_once_as_a_brute_force_finds(bench, db):
    from django.utils import timezone

    from accounts.models import User
    from bench.offers import time_offers
    from subsidies.models import Offer
    from subsidies.services import offers
    from subsidies.services.eligibility import assess, offer_periods

    result = time_offers("XS", keep=True)
    assert result["errors"] == 0 and result["offered"] > 0
    assert result["second_run_offered"] == 0
    made = set(Offer.objects.values_list("person_id", "program_type__code", "period_start"))
    assert len(made) == result["offered"]
    # the calculator alone over every person with a contribution month or a premium finds the same offers
    expected = set()
    people = User.objects.filter(contribution_months__isnull=False) | User.objects.filter(
        insured_premiums__isnull=False
    )
    people = list(people.distinct())
    for program in offers.offered_programs():
        for day in offer_periods(program, timezone.localdate()):
            for person in people:
                answer = assess(person, program, day, record=False)
                if answer.eligible is True and answer.amount:
                    expected.add((person.pk, program.code, answer.period_start))
    assert made == expected
