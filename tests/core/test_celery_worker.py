"""A real Celery worker on Redis runs a task against the test database (CI: PostgreSQL + Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from celery import Celery
from django.db import connection
from django.utils import timezone

from core.choices import AuditAction
from core.models import AuditLog
from tests.conftest import needs

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_queue(transactional_db):
    redis_url = os.environ.get("REDIS_URL")
    if not redis_url:
        needs("needs Redis (set REDIS_URL)")
    if connection.vendor != "postgresql":
        needs("needs PostgreSQL (set DATABASE_URL) so that the worker shares the test database")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config.celery_app",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    # Not the current app: the project's own (config.celery_app) stays the one every later test publishes with.
    app = Celery(broker=redis_url, backend=redis_url, set_as_current=False)
    try:
        yield app, queue
    finally:
        proc.terminate()
        try:
            out, _ = proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, _ = proc.communicate()
        print(out[-4000:])


def test_worker_runs_tasks_against_the_database(worker_queue):
    app, queue = worker_queue
    token = uuid.uuid4().hex
    result = app.send_task("core.tasks.healthcheck_task", kwargs={"token": token}, queue=queue)
    assert result.get(timeout=90) == {"token": token, "database": True, "cache": True}

    old = AuditLog.objects.create(action=AuditAction.LOGIN_FAILURE, at=timezone.now() - timedelta(days=400))
    recent = AuditLog.objects.create(action=AuditAction.LOGIN_FAILURE, at=timezone.now() - timedelta(days=10))
    purged = app.send_task("core.tasks.audit_purge_task", queue=queue).get(timeout=60)
    assert purged == 1
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=recent.pk).exists()
