"""Settlement and payment: idempotent requests, signed sandbox callbacks processed once, the offline flow
that needs the worker's confirmation, the wage-arrears scan, and the scoping of /api/v1/payments/. The
concurrency tests run on PostgreSQL (real threads, each with its own connection)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.errors import DomainError, NotPermitted
from core.models import AuditLog
from jobs import services
from work import gateways
from work import services as payments
from work.choices import PaymentBackend, PaymentMethod, PaymentStatus, WorkOrderStatus
from work.models import (
    ArrearsAlert,
    Payment,
    PaymentCallback,
    PaymentEvent,
    RejectedCallbackCount,
    WorkOrder,
    WorkOrderEvent,
)

from ..jobs.factories import make_employer, make_worker, published_posting
from ..jobs.test_concurrency import ensure_jobs_seed, run_together

CALLBACK_URL = "/api/v1/payments/callbacks/sandbox/"


def approved_order(
    *, unit=None, employer=None, worker=None, amount="220.00", settle_deadline=None
) -> WorkOrder:
    """An accepted application's work order, put straight into the approved state (the lifecycle up to
    approval is tested in test_work_orders)."""
    overrides = {"scope_unit": unit} if unit is not None else {}
    employer = employer or make_employer(unit=unit)
    posting = published_posting(employer, **overrides)
    worker = worker or make_worker(unit=unit)
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    services.application_accept(application=application, actor=employer.user)
    fields = {
        "status": WorkOrderStatus.APPROVED,
        "amount": Decimal(amount),
        "approved_at": timezone.now(),
        "settle_deadline": settle_deadline or timezone.now() + dt.timedelta(days=7),
    }
    order = WorkOrder.objects.filter(application=application).order_by("work_date").first()
    if order is None:
        start = timezone.now() - dt.timedelta(hours=9)
        order = WorkOrder.objects.create(
            application=application,
            posting=posting,
            worker=worker,
            work_date=timezone.localdate(),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            **fields,
        )
    else:
        WorkOrder.objects.filter(pk=order.pk).update(**fields)
        order.refresh_from_db()
    return order


def employer_of(order):
    return order.posting.employer.user


def signed(body: dict) -> tuple[bytes, dict]:
    raw = json.dumps(body).encode()
    return raw, gateways.sandbox_headers(raw)


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


# --- requests -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_payment_request_replay_returns_the_same_payment():
    order = approved_order()
    first = payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key="k-1",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    again = payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key="k-1",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    assert (first.replayed, again.replayed) == (False, True)
    assert again.pk == first.pk and Payment.objects.count() == 1
    assert first.status == PaymentStatus.PENDING and first.amount == Decimal("220.00")
    assert PaymentEvent.objects.filter(payment=first, to_status=PaymentStatus.PENDING).count() == 1
    with pytest.raises(DomainError) as exc:  # a second live attempt with another key
        payments.payment_request(
            work_order=order,
            actor=employer_of(order),
            idempotency_key="k-2",
            method=PaymentMethod.CASH,
            backend=PaymentBackend.OFFLINE,
        )
    assert exc.value.code == "payment_exists"


@pytest.mark.django_db
def test_payment_request_refused_unless_approved_and_by_the_employer():
    order = approved_order()
    with pytest.raises(DomainError) as exc:
        payments.payment_request(
            work_order=order,
            actor=order.worker,
            idempotency_key="w",
            method=PaymentMethod.CASH,
            backend=PaymentBackend.OFFLINE,
        )
    assert exc.value.status == 404
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrderStatus.CHECKED_OUT)
    with pytest.raises(DomainError) as exc:
        payments.payment_request(
            work_order=order,
            actor=employer_of(order),
            idempotency_key="e",
            method=PaymentMethod.CASH,
            backend=PaymentBackend.OFFLINE,
        )
    assert exc.value.code == "invalid_transition"
    assert not Payment.objects.exists()


# --- sandbox ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_sandbox_payment_settles_on_its_signed_callback(django_capture_on_commit_callbacks):
    order = approved_order()
    with django_capture_on_commit_callbacks(execute=True):
        payment = payments.payment_request(
            work_order=order,
            actor=employer_of(order),
            idempotency_key="s-1",
            method=PaymentMethod.ONLINE,
            backend=PaymentBackend.SANDBOX,
        )
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.succeeded_at is not None
    assert order.status == WorkOrderStatus.SETTLED and order.settled_at is not None
    assert PaymentCallback.objects.get().signature_valid is True
    assert list(payment.events.order_by("id").values_list("to_status", flat=True)) == ["pending", "succeeded"]
    assert WorkOrderEvent.objects.filter(work_order=order, to_status=WorkOrderStatus.SETTLED).count() == 1
    assert AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Payment),
        object_id=str(payment.pk),
        after={"status": "succeeded"},
    ).exists()


@pytest.mark.django_db
def test_sandbox_amount_ending_13_fails_and_a_new_key_may_retry(django_capture_on_commit_callbacks):
    order = approved_order(amount="220.13")
    with django_capture_on_commit_callbacks(execute=True):
        failed = payments.payment_request(
            work_order=order,
            actor=employer_of(order),
            idempotency_key="f-1",
            method=PaymentMethod.ONLINE,
            backend=PaymentBackend.SANDBOX,
        )
    failed.refresh_from_db()
    order.refresh_from_db()
    assert failed.status == PaymentStatus.FAILED and failed.failure_reason
    assert order.status == WorkOrderStatus.APPROVED
    retry = payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key="f-2",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    assert retry.pk != failed.pk and retry.status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_sandbox_amount_ending_14_times_out_and_expires(django_capture_on_commit_callbacks):
    order = approved_order(amount="220.14")
    with django_capture_on_commit_callbacks(execute=True):
        payment = payments.payment_request(
            work_order=order,
            actor=employer_of(order),
            idempotency_key="t-1",
            method=PaymentMethod.ONLINE,
            backend=PaymentBackend.SANDBOX,
        )
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and not PaymentCallback.objects.exists()
    assert payments.payment_expire_stale() == 0
    assert payments.payment_expire_stale(now=timezone.now() + dt.timedelta(minutes=31)) == 1
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.FAILED


def _pending_sandbox(order, key="p-1"):
    """A sandbox payment left pending (.14 never calls back, and on-commit callbacks do not run here)."""
    return payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key=key,
        method=PaymentMethod.ONLINE,
        backend=PaymentBackend.SANDBOX,
    )


@pytest.mark.django_db
def test_invalid_callback_signature_changes_nothing():
    order = approved_order()
    payment = _pending_sandbox(order)
    body = gateways.sandbox_notification(payment, PaymentStatus.SUCCEEDED)
    headers = gateways.sandbox_headers(body)
    events_before, audit_before = PaymentEvent.objects.count(), AuditLog.objects.count()
    for bad_headers, bad_body in [
        ({**headers, "X-Sandbox-Signature": "0" * 64}, body),
        (headers, body.replace(b"220.00", b"1.00")),  # tampered body
        ({}, body),
        (
            gateways.sandbox_headers(body, timestamp=str(int(timezone.now().timestamp()) - 3600)),
            body,
        ),  # stale
    ]:
        result = payments.payment_callback(backend=PaymentBackend.SANDBOX, body=bad_body, headers=bad_headers)
        assert (result.status, result.code) == (400, "invalid_signature")
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING and order.status == WorkOrderStatus.APPROVED
    assert PaymentEvent.objects.count() == events_before and AuditLog.objects.count() == audit_before
    # counted, never stored (issue 11: the endpoint is public; junk must not fill the database)
    assert not PaymentCallback.objects.exists()
    assert RejectedCallbackCount.objects.get(backend="sandbox", day=timezone.localdate()).count == 4


@pytest.mark.django_db
def test_valid_callback_replayed_is_processed_once():
    order = approved_order()
    payment = _pending_sandbox(order)
    body = gateways.sandbox_notification(payment, PaymentStatus.SUCCEEDED)
    results = [
        payments.payment_callback(
            backend=PaymentBackend.SANDBOX, body=body, headers=gateways.sandbox_headers(body)
        )
        for _ in range(3)
    ]
    assert [r.code for r in results] == ["processed", "duplicate", "duplicate"]
    assert all(r.status == 200 for r in results)
    assert PaymentEvent.objects.filter(payment=payment, to_status=PaymentStatus.SUCCEEDED).count() == 1
    assert WorkOrderEvent.objects.filter(work_order=order, to_status=WorkOrderStatus.SETTLED).count() == 1


@pytest.mark.django_db
def test_callback_endpoint_answers_by_signature(api):
    order = approved_order()
    payment = _pending_sandbox(order)
    body = gateways.sandbox_notification(payment, PaymentStatus.SUCCEEDED)
    headers = gateways.sandbox_headers(body)
    bad = api.post(
        CALLBACK_URL,
        data=body,
        content_type="application/json",
        HTTP_X_SANDBOX_TIMESTAMP=headers["X-Sandbox-Timestamp"],
        HTTP_X_SANDBOX_SIGNATURE="f" * 64,
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_signature"
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.PENDING
    good = api.post(
        CALLBACK_URL,
        data=body,
        content_type="application/json",
        HTTP_X_SANDBOX_TIMESTAMP=headers["X-Sandbox-Timestamp"],
        HTTP_X_SANDBOX_SIGNATURE=headers["X-Sandbox-Signature"],
    )
    assert good.status_code == 200 and good.json()["code"] == "processed"
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and order.status == WorkOrderStatus.SETTLED


# --- offline ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_offline_payment_settles_only_when_the_worker_confirms():
    order = approved_order()
    employer = employer_of(order)
    payment = payments.payment_request(
        work_order=order,
        actor=employer,
        idempotency_key="o-1",
        method=PaymentMethod.BANK,
        backend=PaymentBackend.OFFLINE,
    )
    with pytest.raises(DomainError):  # nothing to confirm before the employer records the transfer
        payments.payment_confirm_receipt(payment=payment, actor=order.worker)
    with pytest.raises(NotPermitted):
        payments.payment_record_offline(payment=payment, actor=order.worker)
    payments.payment_record_offline(payment=payment, actor=employer, method=PaymentMethod.WECHAT)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.method == PaymentMethod.WECHAT
    assert order.status == WorkOrderStatus.APPROVED  # not settled yet
    with pytest.raises(NotPermitted):
        payments.payment_confirm_receipt(payment=payment, actor=employer)
    payments.payment_confirm_receipt(payment=payment, actor=order.worker)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.worker_confirmed_at is not None
    assert order.status == WorkOrderStatus.SETTLED and order.settled_at is not None
    event = WorkOrderEvent.objects.get(work_order=order, to_status=WorkOrderStatus.SETTLED)
    assert event.actor == order.worker
    with pytest.raises(DomainError) as exc:
        payments.payment_confirm_receipt(payment=payment, actor=order.worker)
    assert exc.value.code == "invalid_transition"


# --- arrears ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_late_settlement_raises_exactly_one_arrears_alert():
    late = approved_order(settle_deadline=timezone.now() - dt.timedelta(hours=1))
    approved_order(settle_deadline=timezone.now() + dt.timedelta(days=3))  # not due yet
    assert payments.arrears_scan() == 1
    assert payments.arrears_scan() == 0
    alert = ArrearsAlert.objects.get()
    assert alert.work_order == late and alert.amount == Decimal("220.00") and alert.resolved_at is None
    audit = AuditLog.objects.get(
        content_type=ContentType.objects.get_for_model(ArrearsAlert), object_id=str(alert.pk)
    )
    assert audit.scope_unit_id == late.posting.scope_unit_id  # county staff see it in their scope
    # paying late resolves it, and a later scan raises nothing new
    payment = payments.payment_request(
        work_order=late,
        actor=employer_of(late),
        idempotency_key="a-1",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    payments.payment_record_offline(payment=payment, actor=employer_of(late))
    payments.payment_confirm_receipt(payment=payment, actor=late.worker)
    alert.refresh_from_db()
    assert alert.resolved_at is not None
    assert payments.arrears_scan(now=timezone.now() + dt.timedelta(days=30)) == 1  # the other one, now due
    assert ArrearsAlert.objects.count() == 2


@pytest.mark.django_db
def test_arrears_task_runs_the_scan():
    from work.tasks import arrears_scan_task

    approved_order(settle_deadline=timezone.now() - dt.timedelta(minutes=5))
    assert arrears_scan_task.delay().get() == 1
    assert arrears_scan_task.delay().get() == 0


# --- API scoping --------------------------------------------------------------------------------------------


@pytest.fixture
def two_counties(county_a, county_b):
    order_a = approved_order(unit=county_a)
    order_b = approved_order(unit=county_b)
    pay_a = payments.payment_request(
        work_order=order_a,
        actor=employer_of(order_a),
        idempotency_key="A",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    pay_b = payments.payment_request(
        work_order=order_b,
        actor=employer_of(order_b),
        idempotency_key="B",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    return order_a, order_b, pay_a, pay_b


def _ids(response):
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.django_db
def test_payment_list_is_scoped(
    api, api_as, two_counties, officer, officer_b, city_staff, django_assert_max_num_queries
):
    order_a, order_b, pay_a, pay_b = two_counties
    url = "/api/v1/payments/"
    assert api.get(url).status_code in (401, 403)
    assert _ids(api_as(order_a.worker).get(url)) == {pay_a.pk}
    assert _ids(api_as(employer_of(order_b)).get(url)) == {pay_b.pk}
    assert _ids(api_as(officer_b).get(url)) == {pay_b.pk}
    client = api_as(officer)
    with django_assert_max_num_queries(12):
        assert _ids(client.get(url)) == {pay_a.pk}
    assert _ids(api_as(city_staff).get(url)) == {pay_a.pk, pay_b.pk}
    # outside: a 404, never a 403
    assert api_as(order_a.worker).get(f"{url}{pay_b.pk}/").status_code == 404
    assert api_as(employer_of(order_a)).get(f"{url}{pay_b.pk}/").status_code == 404
    assert api_as(officer).get(f"{url}{pay_b.pk}/").status_code == 404
    detail = api_as(order_a.worker).get(f"{url}{pay_a.pk}/")
    assert detail.status_code == 200 and detail.json()["status"] == "pending"


@pytest.mark.django_db
def test_payment_api_create_is_idempotent_and_offline_flow(api_as):
    order = approved_order()
    employer = api_as(employer_of(order))
    body = {"work_order": order.pk, "method": "cash", "backend": "offline"}
    first = employer.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="api-1")
    assert first.status_code == 201, first.content
    again = employer.post("/api/v1/payments/", body, format="json", HTTP_IDEMPOTENCY_KEY="api-1")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    assert Payment.objects.count() == 1
    no_key = employer.post("/api/v1/payments/", body, format="json")
    assert no_key.status_code == 400 and "idempotency_key" in no_key.json()["fields"]
    pk = first.json()["id"]
    worker = api_as(order.worker)
    assert worker.post(f"/api/v1/payments/{pk}/record-offline/", {}, format="json").status_code == 403
    recorded = employer.post(f"/api/v1/payments/{pk}/record-offline/", {"method": "bank"}, format="json")
    assert recorded.status_code == 200 and recorded.json()["status"] == "succeeded"
    assert recorded.json()["work_order_status"] == "approved"
    assert employer.post(f"/api/v1/payments/{pk}/confirm-receipt/").status_code == 403
    outsider = api_as(make_worker())
    assert outsider.post(f"/api/v1/payments/{pk}/confirm-receipt/").status_code == 404
    confirmed = worker.post(f"/api/v1/payments/{pk}/confirm-receipt/")
    assert confirmed.status_code == 200 and confirmed.json()["work_order_status"] == "settled"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SETTLED
    assert worker.post(f"/api/v1/payments/{pk}/confirm-receipt/").json()["code"] == "invalid_transition"


@pytest.mark.django_db
def test_payment_api_create_for_someone_elses_order_is_404(api_as):
    order = approved_order()
    other = make_employer()
    response = api_as(other.user).post(
        "/api/v1/payments/",
        {"work_order": order.pk, "method": "cash", "backend": "offline"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert response.status_code == 404
    assert (
        api_as(order.worker)
        .post(
            "/api/v1/payments/",
            {"work_order": order.pk, "method": "cash"},
            format="json",
            HTTP_IDEMPOTENCY_KEY="y",
        )
        .status_code
        == 403
    )
    assert not Payment.objects.exists()


# --- concurrency (PostgreSQL) -------------------------------------------------------------------------------

REPLAYS = 50


@pytest.fixture
def _seeded_after_flush(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_jobs_seed()
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_payment_request_replays_make_one_payment(postgres, _seeded_after_flush):
    order = approved_order()
    employer = employer_of(order)

    def replay(i):
        return payments.payment_request(
            work_order=order,
            actor=employer,
            idempotency_key="same-key",
            method=PaymentMethod.ONLINE,
            backend=PaymentBackend.SANDBOX,
        ).pk

    results = run_together(replay, REPLAYS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert len(set(results)) == 1
    payment = Payment.objects.get()
    assert payment.status == PaymentStatus.SUCCEEDED  # the sandbox called back once, on commit
    assert PaymentEvent.objects.filter(to_status=PaymentStatus.SUCCEEDED).count() == 1
    assert WorkOrderEvent.objects.filter(work_order=order, to_status=WorkOrderStatus.SETTLED).count() == 1
    assert PaymentCallback.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_callback_replays_settle_once(postgres, _seeded_after_flush):
    order = approved_order(amount="220.14")  # the sandbox never calls back: the test is the provider
    payment = _pending_sandbox(order)
    body = gateways.sandbox_notification(payment, PaymentStatus.SUCCEEDED)
    headers = gateways.sandbox_headers(body)

    def replay(i):
        return payments.payment_callback(backend=PaymentBackend.SANDBOX, body=body, headers=headers)

    results = run_together(replay, REPLAYS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r.code for r in results) == ["duplicate"] * (REPLAYS - 1) + ["processed"]
    assert all(r.status == 200 for r in results)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and order.status == WorkOrderStatus.SETTLED
    assert PaymentEvent.objects.filter(payment=payment, to_status=PaymentStatus.SUCCEEDED).count() == 1
    assert WorkOrderEvent.objects.filter(work_order=order, to_status=WorkOrderStatus.SETTLED).count() == 1
    assert PaymentCallback.objects.filter(signature_valid=True).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_arrears_scans_raise_one_alert(postgres, _seeded_after_flush):
    approved_order(settle_deadline=timezone.now() - dt.timedelta(hours=1))
    results = run_together(lambda i: payments.arrears_scan(), 8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 1 and ArrearsAlert.objects.count() == 1


@pytest.mark.django_db
def test_the_gateway_is_handed_the_idempotency_key_and_keys_the_providers_order_by_it(monkeypatch):
    """ADR 0013: the provider's order number comes from our idempotency key, so a start repeated after a
    crash or a retry is the same order at the provider, never a second charge."""
    seen = []
    original = gateways.SandboxGateway.start

    def spy(self, payment, *, idempotency_key):
        seen.append(idempotency_key)
        return original(self, payment, idempotency_key=idempotency_key)

    monkeypatch.setattr(gateways.SandboxGateway, "start", spy)
    order = approved_order()
    payment = payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key="order-key-1",
        method=PaymentMethod.ONLINE,
        backend=PaymentBackend.SANDBOX,
    )
    assert seen == ["order-key-1"]
    assert payment.provider_ref == gateways.sandbox_order_ref("order-key-1")
    assert gateways.sandbox_order_ref("order-key-1") != gateways.sandbox_order_ref("order-key-2")
    replay = payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key="order-key-1",
        method=PaymentMethod.ONLINE,
        backend=PaymentBackend.SANDBOX,
    )
    assert replay.replayed and replay.pk == payment.pk and seen == ["order-key-1"]  # not started twice
