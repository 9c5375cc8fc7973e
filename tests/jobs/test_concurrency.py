"""Concurrent accepts and applies on PostgreSQL: real threads, each with its own database connection,
released together by a barrier. The posting row lock keeps hires within the headcount. On SQLite these skip
with a reason (in CI they fail instead: the `postgres` fixture)."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections

from core.choices import AuditAction
from core.errors import DomainError
from core.models import AuditLog, MinimumWageTier
from jobs import services
from jobs.choices import ApplicationStatus, PostingStatus
from jobs.models import Application, ApplicationEvent, Occupation, PostingEvent

from .factories import make_worker, published_posting

THREADS = 8


def ensure_jobs_seed() -> None:
    """The occupations and minimum wages that migration 0002 seeds."""
    if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)


@pytest.fixture(scope="module", autouse=True)
def _jobs_seed_around_flush(django_db_setup, django_db_blocker):
    """Transactional tests flush every table when they end, the seeded occupations and minimum wages with
    them; put them back once this module is done so that later tests find them."""
    with django_db_blocker.unblock():
        ensure_jobs_seed()
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()


@pytest.fixture(autouse=True)
def _jobs_seed(django_db_setup, django_db_blocker):
    """Before each test too: the previous test of this module flushed them."""
    with django_db_blocker.unblock():
        ensure_jobs_seed()


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    """Publishing queues the match notifications on commit, and here commits are real; matching is not the
    subject of these tests."""
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


def run_together(target, count: int = THREADS) -> list:
    """Run ``target(i)`` in ``count`` threads released at once; each closes its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # reported to the test through results
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_application_accept_never_exceeds_headcount_under_concurrent_accepts(postgres):
    posting = published_posting(headcount=2)
    employer = posting.employer.user
    workers = [make_worker() for _ in range(THREADS)]
    applications = [services.application_apply(posting=posting, worker=w, actor=w) for w in workers]

    results = run_together(lambda i: services.application_accept(application=applications[i], actor=employer))

    accepted = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(accepted) == 2, results
    assert len(refused) == THREADS - 2
    assert all(
        isinstance(r, DomainError) and r.code in {"posting_not_open", "headcount_reached"} for r in refused
    ), refused

    posting.refresh_from_db()
    assert posting.accepted_count == 2
    assert posting.status == PostingStatus.FILLED
    assert Application.objects.filter(posting=posting, status=ApplicationStatus.ACCEPTED).count() == 2
    assert (
        Application.objects.filter(posting=posting, status=ApplicationStatus.APPLIED).count() == THREADS - 2
    )
    assert (
        ApplicationEvent.objects.filter(
            application__posting=posting, to_status=ApplicationStatus.ACCEPTED
        ).count()
        == 2
    )
    assert (
        PostingEvent.objects.filter(posting=posting, from_status="published", to_status="filled").count() == 1
    )
    assert (
        AuditLog.objects.filter(
            action=AuditAction.TRANSITION,
            content_type=ContentType.objects.get_for_model(Application),
            after={"status": "accepted"},
        ).count()
        == 2
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_applies_by_one_worker_make_one_application(postgres):
    posting = published_posting(headcount=2)
    worker = make_worker()

    results = run_together(lambda i: services.application_apply(posting=posting, worker=worker, actor=worker))

    made = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    assert len(made) == 1, results
    assert all(isinstance(r, DomainError) and r.code == "already_applied" for r in refused), refused
    application = Application.objects.get(posting=posting, worker=worker)
    assert application.pk == made[0].pk
    assert ApplicationEvent.objects.filter(application=application).count() == 1
