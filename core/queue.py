"""The one way services start background work: ``enqueue("<app>.tasks.<name>", **kwargs)``, through a
transactional outbox (ADR 0013).

Services never import tasks (tasks import services, so that would be an import circle): they name the task as
Celery registered it. ``enqueue`` writes an ``OutboxMessage`` row (task name, arguments, idempotency key) in
the caller's transaction: a rolled-back write queues nothing, a committed one is never lost. The relay
publishes committed rows to the broker and marks them sent:

- kicked on commit (``relay_kicked``: the rows the transaction wrote, right after it commits), and
- a periodic scan (``outbox_relay_due``, beat every few seconds) for anything left: rows whose kick failed
  because the broker was down, or whose process died between the commit and the kick.

A row is claimed before it is published (its ``next_attempt_at`` pushed one lease ahead, under
``SELECT … FOR UPDATE SKIP LOCKED``), so concurrent relays never publish one row twice at once; a relay that
dies after publishing and before marking publishes it again later (at least once). The broker being down
never fails the caller: the row waits and is retried with backoff. The row's idempotency key is the Celery
task id, which the effects check (``core.notifications``), so a task published or delivered twice has its
effect once.

``tests/core/test_queue.py`` checks that every name passed to ``enqueue`` anywhere in the code is a
registered task.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import timedelta

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .choices import OutboxStatus
from .models import OutboxMessage

logger = logging.getLogger("lingong.queue")

_discovered = threading.Event()
_kicks = threading.local()

# A claimed row is left alone by other relays this long (longer than one publish can take).
LEASE = timedelta(seconds=60)
# While the broker is down: 2 s, 4 s, 8 s … never more than 30 s between tries of one row.
RELAY_BACKOFF_FIRST = 2
RELAY_BACKOFF_CAP = 30
BATCH = 500
# Sent rows are kept this long (for staff reading what ran), then purged.
SENT_KEEP = timedelta(days=7)


def registered_tasks() -> dict:
    """Celery's task registry with every installed app's ``tasks`` module imported (the web process imports
    them only when something asks, as here)."""
    if not _discovered.is_set():
        current_app.loader.import_default_modules()
        _discovered.set()
    return current_app.tasks


def task_named(name: str):
    try:
        return registered_tasks()[name]
    except KeyError:
        raise LookupError(f"no Celery task is registered as {name!r}") from None


def backoff(attempts: int, *, first: float, factor: float = 2, cap: float) -> timedelta:
    """The wait before try ``attempts + 1``: ``first``, × ``factor`` each time, at most ``cap`` seconds (the
    schedule of every retried row: outbox, messages, webhooks)."""
    return timedelta(seconds=min(first * factor ** max(attempts - 1, 0), cap))


def enqueue(name: str, /, **kwargs) -> OutboxMessage:
    """Run the task registered as ``name`` with ``kwargs`` once the current transaction commits (at once when
    there is none): an outbox row now, published by the relay after the commit. Arguments are ids and plain
    values, never model instances. Returns the row."""
    task_named(name)  # an unknown name fails here, in the caller's transaction, not later
    row = OutboxMessage.objects.create(
        task=name, kwargs=kwargs, idempotency_key=uuid.uuid4().hex, next_attempt_at=timezone.now()
    )
    pending = getattr(_kicks, "ids", None)
    if pending is None:
        pending = _kicks.ids = set()
    pending.add(row.pk)
    transaction.on_commit(relay_kicked)
    return row


def enqueue_many(name: str, /, kwargs_list) -> list[OutboxMessage]:
    """``enqueue(name, **kwargs)`` for each of ``kwargs_list`` in one insert: the same rows (each its own
    idempotency key, due now), published by the relay after the commit in the same way. Returns the rows,
    in order."""
    task_named(name)
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(task=name, kwargs=kwargs, idempotency_key=uuid.uuid4().hex, next_attempt_at=now)
        for kwargs in kwargs_list
    )
    if rows:
        pending = getattr(_kicks, "ids", None)
        if pending is None:
            pending = _kicks.ids = set()
        pending.update(row.pk for row in rows)
        transaction.on_commit(relay_kicked)
    return rows


def relay_kicked() -> int:
    """After a commit: publish the rows this thread wrote (every commit callback after the first finds
    nothing left and returns). An id of a rolled-back row matches nothing."""
    ids = getattr(_kicks, "ids", None)
    if not ids:
        return 0
    _kicks.ids = set()
    return outbox_relay(ids=sorted(ids))


def outbox_relay_due(*, limit: int = BATCH) -> int:
    """The periodic scan: publish every pending row that is due (first tries whose kick never happened,
    retries whose backoff has passed). Returns how many were published."""
    total = 0
    while True:
        published = outbox_relay(limit=limit)
        total += published
        if published < limit:
            return total


def _claim(*, ids, now, limit) -> list[OutboxMessage]:
    with transaction.atomic():
        qs = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            status=OutboxStatus.PENDING, next_attempt_at__lte=now
        )
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        rows = list(qs.order_by("next_attempt_at", "pk")[:limit])
        if rows:
            OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
                attempts=F("attempts") + 1, next_attempt_at=now + LEASE
            )
    for row in rows:
        row.attempts += 1
    return rows


def outbox_relay(*, ids=None, limit: int = BATCH) -> int:
    """Publish pending, due rows (``ids`` narrows them) to the broker and mark them sent. When the broker
    refuses one, it and the rest of the batch wait for their backoff (the broker is down: trying each would
    only wait on it). Never raises for a broker error. Returns how many were published.

    In eager mode (tests, ``CELERY_TASK_ALWAYS_EAGER``) publishing runs the task here, after the commit, as
    Celery's eager mode does; its errors propagate."""
    now = timezone.now()
    rows = _claim(ids=ids, now=now, limit=limit)
    if not rows:
        return 0
    eager = current_app.conf.task_always_eager
    sent: list[int] = []
    published = 0
    failed_from = None
    error = ""
    for index, row in enumerate(rows):
        task = registered_tasks().get(row.task)
        if task is None:  # renamed or removed since it was queued: it waits (staff see it), the rest go on
            _back_off([row], now, f"LookupError: no Celery task is registered as {row.task!r}")
            continue
        try:
            task.apply_async(kwargs=row.kwargs, task_id=row.idempotency_key, retry=False)
        except Exception as exc:
            if eager:
                _mark_sent(sent, now)
                raise
            failed_from, error = index, f"{type(exc).__name__}: {exc}"[:300]
            logger.warning("outbox: publishing %s failed, retried later: %s", row.task, error)
            break
        sent.append(row.pk)
        published += 1
    _mark_sent(sent, now)
    if failed_from is not None:
        _back_off(rows[failed_from:], now, error)
    return published


def _back_off(rows, now, error: str) -> None:
    for row in rows:
        OutboxMessage.objects.filter(pk=row.pk, status=OutboxStatus.PENDING).update(
            next_attempt_at=now + backoff(row.attempts, first=RELAY_BACKOFF_FIRST, cap=RELAY_BACKOFF_CAP),
            last_error=error[:300],
        )


def _mark_sent(ids: list[int], now) -> None:
    if ids:
        OutboxMessage.objects.filter(pk__in=ids).update(
            status=OutboxStatus.SENT, sent_at=now, next_attempt_at=None, last_error=""
        )
        ids.clear()


def outbox_purge(*, now=None) -> int:
    """Delete sent rows older than ``SENT_KEEP``. Returns how many were deleted."""
    cutoff = (now or timezone.now()) - SENT_KEEP
    count, _ = OutboxMessage.objects.filter(status=OutboxStatus.SENT, sent_at__lt=cutoff).delete()
    return count
