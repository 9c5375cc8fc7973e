"""The one way services start background work: ``enqueue("<app>.tasks.<name>", **kwargs)``.

Services never import tasks (tasks import services, so that would be an import circle): they name the task as
Celery registered it, and the task runs once the caller's transaction has committed — never for a rolled-back
write, never before the rows it reads are visible. This function is the one place where delivery guarantees
live. ``tests/core/test_queue.py`` checks that every name passed to it anywhere in the code is a registered
task.
"""

from __future__ import annotations

import threading

from celery import current_app
from django.db import transaction

_discovered = threading.Event()


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


def enqueue(name: str, /, **kwargs) -> None:
    """Run the task registered as ``name`` with ``kwargs`` after the current transaction commits (at once
    when there is none). Arguments are ids and plain values, never model instances."""
    task = task_named(name)  # an unknown name fails here, in the caller's transaction, not later
    transaction.on_commit(lambda: task.apply_async(kwargs=kwargs))
