"""Never twice, under real concurrency (PostgreSQL, threads each with its own connection, released together):
50 batch runs at once over the same approved applications, 50 clicks on "issue" for one application, 50 on
"re-issue" for one failed payment — one payment per application every time."""

from __future__ import annotations

import pytest
from django.db.models import Count

from accounts.choices import Role
from core.errors import DomainError
from subsidies import tasks
from subsidies.choices import ImportStatus, PaymentStatus
from subsidies.models import DisbursementBatch, DisbursementRun, Payment, PaymentEvent
from subsidies.services import disbursement as services

from ..accounts.factories import UserFactory
from ..jobs.test_concurrency import run_together
from .disbursement_support import approved, result_upload, reviewers
from .factories import program

RUNS = 50
APPLICATIONS = 120


@pytest.fixture
def setting(postgres_transactional, county_a, monkeypatch):
    # the runs are started here by the threads, not by the outbox relay on commit
    monkeypatch.setattr(services, "enqueue", lambda *a, **k: None)
    county_reviewer, city_reviewer = reviewers(county_a)
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    apps = [
        approved(
            UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
            county_reviewer=county_reviewer,
            city_reviewer=city_reviewer,
        )
        for _ in range(APPLICATIONS)
    ]
    return officer, apps, county_a


def _batches(officer, county, n):
    return [services.batch_create(actor=officer, program_type=program(), scope_unit=county) for _ in range(n)]


def test_fifty_concurrent_batch_runs_make_one_payment_per_application(setting):
    officer, apps, county = setting
    services.CHUNK, chunk = 7, services.CHUNK  # small chunks: the runs interleave
    try:
        runs = [
            services.batch_generate_start(batch=b, actor=officer) for b in _batches(officer, county, RUNS)
        ]
        results = run_together(lambda i: tasks.disbursement_run_task(run_id=runs[i].pk), RUNS)
    finally:
        services.CHUNK = chunk
    assert not [r for r in results if isinstance(r, Exception)], results
    assert set(DisbursementRun.objects.values_list("status", flat=True)) == {ImportStatus.DONE}
    per_app = dict(
        Payment.objects.values("application_id").annotate(n=Count("id")).values_list("application_id", "n")
    )
    assert per_app == {a.pk: 1 for a in apps}
    assert PaymentEvent.objects.filter(to_status=PaymentStatus.PENDING).count() == APPLICATIONS
    added = sum(r.counts.get("added", 0) for r in DisbursementRun.objects.all())
    assert added == APPLICATIONS
    # each batch's totals count its own payments
    assert sum(DisbursementBatch.objects.values_list("payment_count", flat=True)) == APPLICATIONS


def test_fifty_clicks_on_issue_make_one_payment(setting):
    officer, apps, county = setting
    batches = _batches(officer, county, 5)

    def click(i):
        try:
            return services.payment_issue(batch=batches[i % 5], application=apps[0], actor=officer).pk
        except DomainError as exc:
            return exc.code

    results = run_together(click, RUNS)
    payment = Payment.objects.get(application=apps[0])
    # the clicks on the batch that won return its payment; those on the other batches are told it is issued
    assert set(results) == {payment.pk, "already_issued"}
    assert results.count(payment.pk) == RUNS // 5
    assert PaymentEvent.objects.filter(payment=payment).count() == 1


def test_fifty_clicks_on_reissue_make_one_new_attempt(setting):
    officer, apps, county = setting
    first_batch, retry_batch = _batches(officer, county, 2)
    failed = services.payment_issue(batch=first_batch, application=apps[0], actor=officer)
    services.batch_export(batch=first_batch, actor=officer)
    run = services.result_import_start(
        batch=first_batch, actor=officer, uploaded_file=result_upload([(failed.idempotency_key, "失败", "x")])
    )
    services.disbursement_run(run_id=run.pk)
    failed.refresh_from_db()
    assert failed.status == PaymentStatus.FAILED
    results = run_together(
        lambda i: services.payment_reissue(payment=failed, batch=retry_batch, actor=officer).pk, RUNS
    )
    again = Payment.objects.get(reissue_of=failed)
    assert results == [again.pk] * RUNS
    assert Payment.objects.filter(application=apps[0]).count() == 2
    assert again.attempt == 2
