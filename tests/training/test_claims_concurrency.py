"""Concurrent claims on PostgreSQL: one person's claims are made one after another (their row is locked), so
four claims at once for the same occupation and level make one claim and three refusals."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from core.calendar import SHANGHAI
from core.errors import DomainError
from jobs.choices import PersonCategoryKind
from training.models import TrainingClaim
from training.services.claims import claim_create

from ..jobs.test_concurrency import ensure_jobs_seed, run_together
from .factories_claims import category, completion, person

THREADS = 4


@pytest.fixture(autouse=True)
def _seeds(django_db_setup, django_db_blocker):
    """The transactional test flushes the seeded rows: put them back before and after."""
    from django.apps import apps

    from training.reference import seed_reference

    with django_db_blocker.unblock():
        ensure_jobs_seed()
        seed_reference(apps.get_model)
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()
        seed_reference(apps.get_model)


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_of_one_person_never_pass_the_same_level_rule(postgres):
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), tick=True):
        worker = person()
        category(worker, PersonCategoryKind.RURAL_MIGRANT, dt.date(2026, 1, 1))
        enrollments = [
            completion(
                worker, item_code="cleaner-ability", starts_on=dt.date(2026, 11, 2) + dt.timedelta(days=i)
            )
            for i in range(THREADS)
        ]
        results = run_together(lambda i: claim_create(enrollment=enrollments[i], actor=worker), THREADS)
    made = [r for r in results if isinstance(r, TrainingClaim)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(made) == 1 and len(refused) == THREADS - 1, results
    assert all(r.code == "not_eligible" and "same_level_once" in r.fields for r in refused)
    assert TrainingClaim.objects.filter(enrollment__worker=worker).count() == 1
