"""The base class of every Celery task (``config.celery_app``: ``task_cls``), fitted to acks-late delivery
(ADR 0013).

- Database errors (``OperationalError``, ``InterfaceError``: the server restarted, the connection broke) and
  outside I/O (``OSError``: connection refused, timeouts, ``URLError``; ``OutsideError`` raised by an engine)
  are retried with exponential backoff and jitter, at most ``MAX_RETRIES`` times, never waiting longer than
  ``RETRY_BACKOFF_MAX`` (kept below the broker's visibility timeout, so a waiting retry is never redelivered
  as well). Celery's Django fixup closes a broken connection after each try; ``CONN_HEALTH_CHECKS`` opens a
  new one.
- A task that fails for good — an error that is not retried, or retries used up — is recorded as a
  ``DeadTask`` row (staff see it in the admin and may retry it) instead of being dropped.
"""

from __future__ import annotations

import logging

from celery import Task
from django.conf import settings
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("lingong.tasks")


class OutsideError(Exception):
    """An outside service (an SMS provider, a payment provider, a subscriber) failed in a way worth
    retrying. Engines raise it (or let an ``OSError`` through); the base task retries it."""


RETRIED = (OperationalError, InterfaceError, OSError, OutsideError)
MAX_RETRIES = 8


class ReliableTask(Task):
    autoretry_for = RETRIED
    max_retries = MAX_RETRIES
    retry_backoff = 2
    retry_backoff_max = settings.LINGONG_TASK_RETRY_BACKOFF_MAX
    retry_jitter = True

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Failed for good: keep it as a dead task for staff. If the database is what failed, say so in
        the log (the broker has the message no more)."""
        from .services import dead_task_record

        try:
            dead_task_record(
                task=self.name,
                task_id=task_id or "",
                args=list(args or ()),
                kwargs=dict(kwargs or {}),
                exc=exc,
                traceback=str(einfo or ""),
                retries=getattr(self.request, "retries", 0) or 0,
            )
        except Exception:
            logger.critical(
                "task %s[%s] failed for good and could not be recorded: %r (kwargs %r)",
                self.name,
                task_id,
                exc,
                kwargs,
                exc_info=True,
            )
        super().on_failure(exc, task_id, args, kwargs, einfo)
