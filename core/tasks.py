from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.db import connection

from .models import AuditLog
from .notifications import send_message


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notification_send_task(*, channel: str, to: str, body: str) -> None:
    """Deliver one message through the configured backend (outside I/O: retried with backoff)."""
    send_message(channel=channel, to=to, body=body)


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
