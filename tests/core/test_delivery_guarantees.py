"""At-least-once delivery, exactly-once effects, with real Redis, real workers and injected faults (ADR 0013,
issue 12's "Must show"). Every fault is injected on a service of our own: a throwaway Redis on a free port in
6390–6399, a TCP proxy in front of PostgreSQL; the shared servers are never stopped. These tests need
PostgreSQL (``DATABASE_URL``) and ``redis-server``; they skip locally without them and fail under ``CI=true``.
"""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask
from rest_framework.test import APIClient

from core.choices import DeliveryStatus, MessageChannel
from core.models import DeadTask, InboxMessage, MessageDelivery, OutboxMessage
from core.queue import enqueue, outbox_relay_due
from jobs.models import Posting

from ..jobs.factories import draft_posting, make_employer, make_worker
from ..support.backends import sent
from ..support.services import CeleryProcess, TcpProxy, wait_for

pytestmark = pytest.mark.services

WORKER = ["worker", "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=INFO"]


def start_worker(env, *extra, name="worker") -> CeleryProcess:
    worker = CeleryProcess([*WORKER, *extra], env, name=name)
    wait_for(lambda: "ready." in worker.output(), 60, what=f"{name} to start")
    return worker


def succeeded(deliveries) -> int:
    return MessageDelivery.objects.filter(pk__in=deliveries, status=DeliveryStatus.SUCCEEDED).count()


def queue_inbox_messages(users, count: int, tag: str) -> list[int]:
    """``count`` inbox messages that go through the send task (as the database backend delivers them)."""
    ids = []
    with transaction.atomic():
        for i in range(count):
            user = users[i % len(users)]
            delivery = MessageDelivery.objects.create(
                channel=MessageChannel.INBOX,
                recipient=str(user.pk),
                body=f"{tag}-{i}",
                idempotency_key=f"{tag}:{i}",
                next_attempt_at=timezone.now(),
            )
            enqueue("core.tasks.notification_send_task", delivery_id=delivery.pk)
            ids.append(delivery.pk)
    return ids


def broker_idle(url: str) -> bool:
    """Nothing waiting in the queue and nothing delivered but unacknowledged."""
    import redis

    client = redis.Redis.from_url(url)
    return client.llen("celery") == 0 and client.hlen("unacked") == 0


@pytest.fixture
def workers():
    running: list[CeleryProcess] = []
    yield running
    for process in running:
        process.stop()
        print(process.output()[-3000:])


def test_broker_down_postings_submit_and_their_notifications_arrive_once_it_returns(
    throwaway_redis, live_broker, worker_env, workers, county_a
):
    throwaway_redis.stop()  # the broker is down while employers submit
    live_broker(throwaway_redis.url)
    employer = make_employer(unit=county_a, trusted=True)
    people = [make_worker(notify_sms=True, notify_inbox=True, notify_wechat=False) for _ in range(2)]
    api = APIClient()
    api.force_login(employer.user)
    drafts = [draft_posting(employer, title=f"家庭保洁 第{i}单") for i in range(5)]
    for draft in drafts:
        response = api.post(f"/api/v1/postings/{draft.pk}/submit/")
        assert response.status_code == 200, response.content
    assert set(Posting.objects.filter(pk__in=[d.pk for d in drafts]).values_list("status", flat=True)) == {
        "published"
    }
    waiting = OutboxMessage.objects.filter(task="jobs.tasks.posting_notify_matches_task", status="pending")
    assert waiting.count() == 5 and all(row.last_error for row in waiting)

    throwaway_redis.start()  # the broker returns; the relay's scan (beat's job) publishes what waited
    workers.append(start_worker(worker_env(throwaway_redis.url), "--concurrency=2"))
    OutboxMessage.objects.update(next_attempt_at=timezone.now())
    assert outbox_relay_due() == 5
    expected = {f"posting:{d.pk}:match:{p.pk}:{c}" for d in drafts for p in people for c in ("sms", "inbox")}
    wait_for(
        lambda: MessageDelivery.objects.filter(status=DeliveryStatus.SUCCEEDED).count() >= 20,
        90,
        what="20 notifications",
    )
    assert set(MessageDelivery.objects.values_list("idempotency_key", flat=True)) == expected
    assert InboxMessage.objects.filter(user__in=people).count() == 10

    # Every task delivered again (a lost acknowledgement, a second relay): nothing is told twice.
    with transaction.atomic():
        for draft in drafts:
            enqueue("jobs.tasks.posting_notify_matches_task", posting_id=draft.pk)
        for delivery in MessageDelivery.objects.filter(channel="sms"):
            enqueue("core.tasks.notification_send_task", delivery_id=delivery.pk)
    time.sleep(1)
    wait_for(lambda: broker_idle(throwaway_redis.url), 60, what="the repeated tasks to run")
    assert (
        MessageDelivery.objects.count() == 20 and InboxMessage.objects.filter(user__in=people).count() == 10
    )
    texts = [m for m in sent(worker_env.log) if m["channel"] == "sms"]
    assert len(texts) == 10 and len({m["key"] for m in texts}) == 10  # each SMS once
    assert not DeadTask.objects.exists()


def test_a_worker_killed_mid_task_child_and_main_every_effect_happens_once(
    throwaway_redis, live_broker, worker_env, workers, county_a
):
    live_broker(throwaway_redis.url)
    users = [make_worker() for _ in range(4)]
    env = worker_env(throwaway_redis.url, CELERY_BROKER_VISIBILITY_TIMEOUT=10, LINGONG_TEST_SEND_DELAY=0.04)
    first = start_worker(env, "--concurrency=2", name="worker-1")
    workers.append(first)
    deliveries = queue_inbox_messages(users, 200, "kill")

    for kill_at in (20, 60, 100):  # a pool child SIGKILLed three times
        wait_for(lambda n=kill_at: succeeded(deliveries) >= n, 60, what=f"{kill_at} deliveries")
        os.kill(first.children()[0], signal.SIGKILL)
    wait_for(lambda: succeeded(deliveries) >= 130, 60, what="130 deliveries")
    first.kill_all()  # then the main process (with its children): its reserved tasks stay unacknowledged
    assert succeeded(deliveries) < 200

    workers.append(start_worker(env, "--concurrency=2", name="worker-2"))
    # Within the visibility timeout (10 s here, 30 min by default) the unacknowledged tasks come back.
    wait_for(lambda: succeeded(deliveries) == 200, 60, what="all 200 deliveries")
    bodies = list(InboxMessage.objects.filter(body__startswith="kill-").values_list("body", flat=True))
    assert len(bodies) == 200 and len(set(bodies)) == 200  # each effect exactly once
    calls = sent(worker_env.log)
    assert {c["key"] for c in calls} == {f"kill:{i}" for i in range(200)}  # the provider got every key
    assert "WorkerLostError" in first.output() or "Process" in first.output()


def test_database_stopped_a_few_seconds_every_task_succeeds_after_it_returns_none_twice(
    throwaway_redis, live_broker, worker_env, workers, county_a
):
    s = connection.settings_dict
    proxy = TcpProxy(s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432))
    try:
        live_broker(throwaway_redis.url)
        users = [make_worker() for _ in range(3)]
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        env = worker_env(
            throwaway_redis.url, DATABASE_URL=f"postgres://{auth}@127.0.0.1:{proxy.port}/{s['NAME']}"
        )
        worker = start_worker(env, "--concurrency=2")
        workers.append(worker)
        proxy.cut()  # the database "stops" for the worker
        deliveries = queue_inbox_messages(users, 60, "db")
        wait_for(lambda: worker.output().count("Retry in") >= 10, 30, what="tasks failing on the database")
        time.sleep(5)
        assert succeeded(deliveries) == 0
        proxy.restore()
        wait_for(
            lambda: succeeded(deliveries) == 60, 120, what="all 60 deliveries after the database returns"
        )
        bodies = list(InboxMessage.objects.filter(body__startswith="db-").values_list("body", flat=True))
        assert len(bodies) == 60 and len(set(bodies)) == 60
        assert "OperationalError" in worker.output() and not DeadTask.objects.exists()
    finally:
        proxy.close()


def test_two_make_worker_and_one_make_beat_run_each_periodic_task_once_per_period(
    throwaway_redis, worker_env, workers
):
    PeriodicTask.objects.update(enabled=False)
    every = IntervalSchedule.objects.create(every=2, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(
        name="probe", task="core.tasks.healthcheck_task", interval=every, kwargs='{"token": "beat"}'
    )
    results = throwaway_redis.url[:-1] + "1"  # each run leaves its result here, by task id
    env = worker_env(throwaway_redis.url, CELERY_RESULT_BACKEND=results)
    for i in (1, 2):
        workers.append(CeleryProcess(["make", "worker"], env, name=f"make-worker-{i}"))
    for process in workers:
        wait_for(lambda p=process: "ready." in p.output(), 60, what="make worker")
    import redis

    results_db = redis.Redis.from_url(results)
    beat_started = time.monotonic()
    beat = CeleryProcess(["make", "beat"], env, name="make-beat")
    workers.append(beat)
    wait_for(lambda: beat.output().count("Sending due task probe") >= 1, 60, what="the first beat")
    time.sleep(12)
    beat.stop()
    lifetime = time.monotonic() - beat_started
    sends = beat.output().count("Sending due task probe")

    def runs() -> int:
        return len(results_db.keys("celery-task-meta-*"))

    wait_for(lambda: runs() >= sends, 30, what="every task sent to run")
    time.sleep(1)
    assert sends <= lifetime / 2 + 1  # once per period: one scheduler (two would send twice as often)
    assert (
        runs() == sends >= 5
    )  # every one sent ran once, on one of the two workers, and nothing else sent it
    for process in workers[:2]:
        assert "beat: Starting" not in process.output()  # workers only: no embedded scheduler
