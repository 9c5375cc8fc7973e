"""Wage-arrears alerts become proposed cases (issue 16 must-show: an alert produces exactly one proposed case).
The expected figures come from the work order: the worker complains of the posting's employer for the unpaid
amount of that day's work; the seeded routing table sends unpaid wages to labour inspection, whose acceptance
clock (5 working days) starts on receipt."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.models import AuditLog, InboxMessage, MessageDelivery
from disputes import services
from disputes.choices import CaseStatus, Channel, ClaimType, ClockKind, Queue, RelationshipType
from disputes.models import ArrearsProposal, Case, CaseEvent
from work import services as work
from work.models import ArrearsAlert

from ..jobs.test_concurrency import ensure_jobs_seed, run_together
from ..work.test_payments import approved_order


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


def _alert(amount="260.00") -> ArrearsAlert:
    order = approved_order(amount=amount, settle_deadline=timezone.now() - dt.timedelta(hours=2))
    assert work.arrears_scan() == 1
    return ArrearsAlert.objects.get(work_order=order)


@pytest.mark.django_db
def test_an_arrears_alert_proposes_exactly_one_prefilled_case(officer, officer_b):
    alert = _alert("260.00")
    order = alert.work_order
    posting = order.posting

    assert services.arrears_propose_cases() == 1

    case = Case.objects.get()
    assert case.channel == Channel.ARREARS_ALERT and case.status == CaseStatus.RECEIVED
    assert case.complainant == order.worker
    assert case.respondent == posting.employer
    assert case.scope_unit == posting.scope_unit
    assert case.market_id == posting.market_id
    assert case.relationship_type == RelationshipType.UNKNOWN
    assert case.recorded_by == services.system_user()
    assert ArrearsProposal.objects.get(alert=alert).case == case
    (claim,) = case.claims.all()
    assert claim.claim_type == ClaimType.WAGES
    assert claim.amount == Decimal("260.00")
    assert claim.period_from == claim.period_to == order.work_date
    # facts in Chinese from the work order
    assert (
        posting.title in case.facts and "260.00" in case.facts and f"{order.work_date:%Y-%m-%d}" in case.facts
    )
    # routed by the table: unpaid wages → inspection, acceptance clock running
    assert case.queue == Queue.INSPECTION and case.routing_rule.claim_type == ClaimType.WAGES
    assert case.clocks.get().kind == ClockKind.INSPECTION_ACCEPT
    event = CaseEvent.objects.get(case=case)
    assert event.to_status == CaseStatus.RECEIVED and event.actor == services.system_user()
    audit = AuditLog.objects.get(content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk))
    assert audit.actor == services.system_user() and audit.after["arrears_alert"] == alert.pk
    assert audit.scope_unit_id == case.scope_unit_id
    # county staff are told in their inbox, the other county's are not
    assert (
        InboxMessage.objects.filter(user=officer, url=f"/admin/disputes/case/{case.pk}/change/").count() == 1
    )
    assert MessageDelivery.objects.filter(idempotency_key=f"arrears:{alert.pk}:case:{officer.pk}").exists()
    assert not MessageDelivery.objects.filter(recipient=str(officer_b.pk)).exists()
    assert InboxMessage.objects.filter(user=order.worker, url=f"/disputes/{case.pk}/").count() == 1

    # the evidence bundle of the work order is attached (drawn from the work record, not yet frozen)
    assert case.work_order == order
    bundle = case.evidence_bundle
    assert bundle.frozen_at is None and services.bundle_verify(bundle)
    assert [o["id"] for o in bundle.content["work_orders"]] == [order.pk]
    assert bundle.content["work_orders"][0]["amount"] == "260.00"

    # a rerun proposes nothing and tells nobody again
    messages = MessageDelivery.objects.count()
    assert services.arrears_propose_cases() == 0
    assert Case.objects.count() == 1 and MessageDelivery.objects.count() == messages


@pytest.mark.django_db
def test_an_alert_paid_late_proposes_no_case():
    alert = _alert()
    ArrearsAlert.objects.filter(pk=alert.pk).update(resolved_at=timezone.now())
    assert services.arrears_propose_cases() == 0
    assert not Case.objects.exists()


@pytest.mark.django_db
def test_each_alert_gets_its_own_case_and_a_limit_is_honoured():
    first, second = _alert("100.00"), _alert("200.00")
    assert services.arrears_propose_cases(limit=1) == 1
    assert ArrearsProposal.objects.get().alert == first  # oldest first
    assert services.arrears_propose_cases() == 1
    assert ArrearsProposal.objects.get(alert=second).case.claims.get().amount == Decimal("200.00")


@pytest.mark.django_db
def test_the_worker_sees_the_proposed_case_in_my_complaints(client_as):
    alert = _alert()
    services.arrears_propose_cases()
    case = Case.objects.get()
    page = client_as(alert.work_order.worker).get("/disputes/")
    assert page.status_code == 200 and case.number in page.content.decode()
    detail = client_as(alert.work_order.worker).get(f"/disputes/{case.pk}/")
    assert detail.status_code == 200 and "260.00" in detail.content.decode()


@pytest.mark.django_db
def test_the_periodic_task_runs_the_service_and_is_scheduled():
    from django_celery_beat.models import PeriodicTask

    from disputes.tasks import arrears_propose_cases_task

    assert PeriodicTask.objects.filter(task="disputes.tasks.arrears_propose_cases_task").exists()
    _alert()
    assert arrears_propose_cases_task.delay().get() == 1
    assert arrears_propose_cases_task.delay().get() == 0


@pytest.fixture
def _seeded_after_flush(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_jobs_seed()
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_runs_propose_one_case(postgres, _seeded_after_flush):
    alert = _alert()
    results = run_together(lambda i: services.arrears_propose_cases(), 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(results) == [0, 1]
    assert Case.objects.count() == 1 and ArrearsProposal.objects.get().alert == alert


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_concurrent_runs_over_many_alerts_propose_one_case_each(postgres, _seeded_after_flush):
    alerts = [_alert(f"{100 + i}.00") for i in range(3)]
    results = run_together(lambda i: services.arrears_propose_cases(), 4)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 3
    assert Case.objects.count() == 3
    assert set(ArrearsProposal.objects.values_list("alert_id", flat=True)) == {a.pk for a in alerts}
