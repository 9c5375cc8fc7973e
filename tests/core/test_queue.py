"""Services start background work only through ``core.queue.enqueue`` by a task's registered name: every name
used anywhere in the apps, and every periodic task the migrations seed, is a task Celery has registered;
nothing runs before the transaction commits: the task is an outbox row until then (ADR 0013)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.db import transaction
from django_celery_beat.models import PeriodicTask

from core.choices import OutboxStatus
from core.models import OutboxMessage
from core.queue import enqueue, registered_tasks

ROOT = Path(__file__).resolve().parents[2]
APPS = ("core", "accounts", "markets", "jobs", "work", "labour_stats")
# The one call that enqueues a name it did not write: staff retrying a dead task (its recorded name).
DYNAMIC = {"core/services.py"}


def enqueued_names() -> dict[str, str]:
    """name → where, for every ``enqueue("<name>", …)`` call with a literal name in the apps' code."""
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.Call)
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "enqueue"
                ):
                    first = node.args[0] if node.args else None
                    if path.relative_to(ROOT).as_posix() in DYNAMIC and not isinstance(first, ast.Constant):
                        continue
                    assert isinstance(first, ast.Constant), f"{path}:{node.lineno}: enqueue by a literal name"
                    found[first.value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


def test_every_enqueued_name_is_a_registered_task():
    names = enqueued_names()
    assert len(names) >= 4  # not vacuous: notifications, matches, the sandbox, webhooks …
    registered = registered_tasks()
    missing = {name: where for name, where in names.items() if name not in registered}
    assert not missing, f"enqueue() of names no task is registered under: {missing}"


@pytest.mark.django_db
def test_every_seeded_periodic_task_is_a_registered_task():
    seeded = set(PeriodicTask.objects.exclude(task="celery.backend_cleanup").values_list("task", flat=True))
    assert {"jobs.tasks.posting_expire_task", "work.tasks.arrears_scan_task"} <= seeded
    assert seeded <= set(registered_tasks()), seeded - set(registered_tasks())


def test_no_app_imports_a_tasks_module_outside_its_tasks_and_apps():
    """Tasks import services; nothing else imports tasks (that was the import circle)."""
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if rel.endswith("/tasks.py") or "/migrations/" in rel:
                continue
            for node in ast.walk(ast.parse(path.read_text())):
                module = getattr(node, "module", None) or ""
                names = (
                    [a.name for a in getattr(node, "names", [])] if isinstance(node, ast.ImportFrom) else []
                )
                if isinstance(node, ast.ImportFrom) and (module.endswith("tasks") or "tasks" in names):
                    offenders.append(f"{rel}:{node.lineno}")
                if isinstance(node, ast.Import) and any(a.name.endswith(".tasks") for a in node.names):
                    offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders


@pytest.mark.django_db
def test_enqueue_runs_only_after_the_commit(django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from core.models import AuditLog

    old = AuditLog.objects.create(action="update", at=timezone.now() - dt.timedelta(days=400))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        with transaction.atomic():
            enqueue("core.tasks.audit_purge_task")
            assert AuditLog.objects.filter(pk=old.pk).exists()  # nothing ran inside the transaction
    assert len(callbacks) == 1 and AuditLog.objects.filter(pk=old.pk).exists()
    row = OutboxMessage.objects.get(task="core.tasks.audit_purge_task")
    assert row.status == OutboxStatus.PENDING  # written in the transaction, published after it
    callbacks[0]()  # the commit: the relay publishes the row (the eager task runs)
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    row.refresh_from_db()
    assert row.status == OutboxStatus.SENT and row.attempts == 1 and row.sent_at is not None


@pytest.mark.django_db
def test_an_unknown_task_name_fails_at_once():
    with pytest.raises(LookupError):
        enqueue("jobs.tasks.no_such_task")
