"""Readiness (ADR 0013): the database, the cache and the broker, each reported with what it answered.

Only the database decides: without it nothing works. The cache and the broker being down makes the portal
slower (cache misses) or later (tasks wait in the outbox), not broken, so they report ``down`` and the
overall status becomes ``degraded`` while the check still answers 200: taking every instance out of the load
balancer because a shared Redis is down would turn a slow site into no site.
"""

from __future__ import annotations

import time
import uuid

from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from .choices import OutboxStatus
from .models import OutboxMessage


def _timed(check) -> dict:
    started = time.monotonic()
    try:
        detail = check() or {}
        result = {"ok": True, **detail}
    except Exception as exc:
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:200]}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    oldest = (
        OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return {
        "outbox_pending": OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count(),
        "outbox_oldest_seconds": round((timezone.now() - oldest).total_seconds()) if oldest else 0,
    }


def check_cache() -> dict:
    ping = getattr(cache, "ping", None)
    if ping is not None:
        ping()
        return {}
    key = f"readiness:{uuid.uuid4().hex}"
    cache.set(key, 1, 5)
    if cache.get(key) != 1:
        raise RuntimeError("the cache did not keep a value")
    cache.delete(key)
    return {}


def check_broker() -> dict:
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)
    return {}


def readiness() -> tuple[bool, dict]:
    """(ready, report): ready unless the database is down."""
    checks = {
        "database": _timed(check_database),
        "cache": _timed(check_cache),
        "broker": _timed(check_broker),
    }
    ready = checks["database"]["ok"]
    status = "ok" if all(c["ok"] for c in checks.values()) else ("degraded" if ready else "unavailable")
    return ready, {"status": status, "checks": checks}
