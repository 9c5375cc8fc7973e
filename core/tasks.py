from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import connection

from . import notifications, queue
from .models import AuditLog


@shared_task(bind=True)
def notification_send_task(self, *, delivery_id: int) -> bool:
    """Deliver one queued message through the configured backend, once: a delivered or cancelled one is
    left alone (outside I/O: retried with backoff by the base task, marked failed on the last try)."""
    final = self.request.retries >= (self.max_retries or 0)
    return notifications.message_deliver(delivery_id=delivery_id, final=final) is not None


@shared_task
def outbox_relay_task() -> int:
    """Every 5 seconds (beat): publish outbox rows whose kick on commit did not (the broker was down, the
    process died), and retries whose backoff has passed."""
    return queue.outbox_relay_due()


@shared_task
def outbox_purge_task() -> dict:
    """Daily: sent outbox rows past a week and delivery rows past 30 days are deleted."""
    return {"outbox": queue.outbox_purge(), "deliveries": notifications.message_purge()}


@shared_task
def audit_purge_task() -> int:
    """Daily: delete audit rows past the retention period (at least 184 days)."""
    return AuditLog.objects.purge_expired()


@shared_task
def healthcheck_task(token: str) -> dict:
    """Proves a worker runs: touches the database and the cache and echoes the token."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        db_ok = cursor.fetchone()[0] == 1
    cache.set(f"healthcheck:{token}", token, 60)
    return {"token": token, "database": db_ok, "cache": cache.get(f"healthcheck:{token}") == token}
