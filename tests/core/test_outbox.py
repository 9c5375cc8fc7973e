"""The transactional outbox (ADR 0013): every task is a row written in the caller's transaction; the relay
publishes committed rows, marks them sent and, while the broker is down, retries them with backoff. A caller
never fails because the broker is down."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone

from core import queue
from core.choices import OutboxStatus
from core.models import AuditLog, OutboxMessage
from core.queue import enqueue, outbox_relay, outbox_relay_due

from ..support.services import free_port

DEAD_BROKER = "redis://127.0.0.1:{port}/0"


def dead_broker_url() -> str:
    return DEAD_BROKER.format(port=free_port(range(6380, 6390)))


@pytest.mark.django_db
def test_a_rolled_back_transaction_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                enqueue("core.tasks.audit_purge_task")
                assert OutboxMessage.objects.count() == 1  # in the caller's transaction
                raise RuntimeError("rolled back")
    assert OutboxMessage.objects.count() == 0


@pytest.mark.django_db
def test_the_row_carries_the_name_the_arguments_and_a_unique_key_that_is_the_task_id(
    django_capture_on_commit_callbacks, monkeypatch
):
    seen = []
    task = queue.task_named("core.tasks.healthcheck_task")
    monkeypatch.setattr(type(task), "apply_async", lambda self, **kw: seen.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            first = enqueue("core.tasks.healthcheck_task", token="a")
            second = enqueue("core.tasks.healthcheck_task", token="a")
    assert (first.task, first.kwargs) == ("core.tasks.healthcheck_task", {"token": "a"})
    assert first.idempotency_key != second.idempotency_key and len(first.idempotency_key) == 32
    assert [kw["task_id"] for kw in seen] == [first.idempotency_key, second.idempotency_key]
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.SENT}


@pytest.mark.django_db
def test_broker_down_the_commit_succeeds_and_the_row_waits_with_backoff(
    live_broker, django_capture_on_commit_callbacks
):
    live_broker(dead_broker_url())
    started = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            row = enqueue("core.tasks.audit_purge_task")  # no exception reaches the caller
    row.refresh_from_db()
    assert row.status == OutboxStatus.PENDING and row.attempts == 1
    assert "OperationalError" in row.last_error
    assert row.next_attempt_at >= started + timedelta(seconds=queue.RELAY_BACKOFF_FIRST)

    # Not due yet: the scan leaves it alone; once due, another failed try doubles the wait, up to the cap.
    assert outbox_relay_due() == 0
    waits = []
    for _ in range(6):
        OutboxMessage.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        before = timezone.now()
        assert outbox_relay_due() == 0
        row.refresh_from_db()
        waits.append(round((row.next_attempt_at - before).total_seconds()))
    assert waits == [4, 8, 16, 30, 30, 30]
    assert row.attempts == 7 and row.status == OutboxStatus.PENDING


@pytest.mark.django_db
def test_when_the_broker_returns_the_scan_publishes_what_waited(
    live_broker, django_capture_on_commit_callbacks
):
    live_broker(dead_broker_url())
    with django_capture_on_commit_callbacks(execute=True):
        rows = [enqueue("core.tasks.audit_purge_task") for _ in range(3)]
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 3
    live_broker("memory://")  # the broker is back
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_relay_due() == 3
    for row in rows:
        row.refresh_from_db()
        assert row.status == OutboxStatus.SENT and row.last_error == "" and row.next_attempt_at is None
    assert outbox_relay_due() == 0  # nothing is published twice


@pytest.mark.django_db
def test_a_row_whose_kick_never_ran_is_published_by_the_scan():
    """The process died between the commit and the kick: the row is committed and pending."""
    with transaction.atomic():
        row = enqueue("core.tasks.audit_purge_task")
    # (the ``db`` fixture never commits, so no kick ran: the same state as a process that died)
    old = AuditLog.objects.create(action="update", at=timezone.now() - timedelta(days=400))
    assert outbox_relay_due() == 1
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert not AuditLog.objects.filter(pk=old.pk).exists()  # the (eager) task ran


@pytest.mark.django_db
def test_a_claimed_row_is_left_alone_by_other_relays(live_broker):
    live_broker("memory://")
    with transaction.atomic():
        row = enqueue("core.tasks.audit_purge_task")
    claimed = queue._claim(ids=None, now=timezone.now(), limit=10)
    assert [r.pk for r in claimed] == [row.pk]
    assert outbox_relay_due() == 0  # leased to the first relay, which may still publish it


@pytest.mark.django_db(transaction=True)
def test_concurrent_relays_publish_each_row_once(postgres_transactional, live_broker, monkeypatch):
    live_broker("memory://")
    published = []
    lock = threading.Lock()
    task = queue.task_named("core.tasks.audit_purge_task")

    def record(self, **kwargs):
        with lock:
            published.append(kwargs["task_id"])

    monkeypatch.setattr(type(task), "apply_async", record)
    queue._kicks.ids = set()
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task=task.name, idempotency_key=f"k{i}", next_attempt_at=timezone.now())
        for i in range(300)
    )
    barrier = threading.Barrier(3)

    def relay():
        barrier.wait()
        try:
            while outbox_relay(limit=20):
                pass
        finally:
            connection.close()

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(published) == sorted(f"k{i}" for i in range(300))
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 300


@pytest.mark.django_db
def test_sent_rows_are_purged_after_a_week():
    now = timezone.now()
    old = OutboxMessage.objects.create(
        task="x", idempotency_key="old", status=OutboxStatus.SENT, sent_at=now - timedelta(days=8)
    )
    new = OutboxMessage.objects.create(
        task="x", idempotency_key="new", status=OutboxStatus.SENT, sent_at=now - timedelta(days=6)
    )
    pending = OutboxMessage.objects.create(task="x", idempotency_key="p", created_at=now - timedelta(days=30))
    assert queue.outbox_purge() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {new.pk, pending.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


@pytest.mark.django_db
def test_a_row_for_a_task_that_no_longer_exists_waits_and_holds_up_nothing(live_broker):
    live_broker("memory://")
    gone = OutboxMessage.objects.create(
        task="jobs.tasks.gone_task", idempotency_key="gone", next_attempt_at=timezone.now()
    )
    with transaction.atomic():
        row = enqueue("core.tasks.audit_purge_task")
    assert outbox_relay_due() == 1
    gone.refresh_from_db()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT
    assert gone.status == OutboxStatus.PENDING and gone.last_error.startswith("LookupError")
