"""The base task class (ADR 0013): database errors and outside I/O are retried with backoff and a cap; a task
that fails for good is a dead task that staff see in the admin and may retry (through a service, audited)."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.conf import settings
from django.db import OperationalError, transaction
from django.urls import reverse

from config.celery_app import app as current_app
from core.choices import AuditAction, DeadTaskStatus, OutboxStatus
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog, DeadTask, OutboxMessage
from core.services import dead_task_dismiss, dead_task_retry
from core.worker import MAX_RETRIES, ReliableTask

CALLS: list[int] = []


@shared_task(name="tests.core.flaky_task")
def flaky_task(*, fail_times: int, error: str = "db") -> int:
    CALLS.append(1)
    if len(CALLS) <= fail_times:
        raise (
            OperationalError("server closed the connection unexpectedly")
            if error == "db"
            else ValueError("bug")
        )
    return len(CALLS)


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


@pytest.fixture
def as_worker():
    """Eager runs that retry as a worker would (the test settings propagate the first error instead)."""
    conf = current_app.conf
    saved = conf.task_eager_propagates
    conf.task_eager_propagates = False
    yield
    conf.task_eager_propagates = saved


def test_every_task_is_a_reliable_task_with_capped_backoff():
    from core.queue import registered_tasks

    tasks = {name: t for name, t in registered_tasks().items() if name.split(".")[0] in settings.LOCAL_APPS}
    assert len(tasks) >= 10
    for name, task in tasks.items():
        assert isinstance(task, ReliableTask), name
        assert OperationalError in task.autoretry_for and OSError in task.autoretry_for, name
        assert task.max_retries == MAX_RETRIES and task.retry_backoff and task.retry_jitter, name
    assert 0 < ReliableTask.retry_backoff_max <= settings.CELERY_BROKER_VISIBILITY_TIMEOUT // 2


def test_acks_late_settings():
    conf = current_app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost and conf.worker_prefetch_multiplier == 1
    assert settings.CELERY_BROKER_VISIBILITY_TIMEOUT == 30 * 60
    assert conf.task_time_limit < settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    from config.settings.base import redis_broker_options

    assert redis_broker_options()["visibility_timeout"] == 30 * 60


@pytest.mark.django_db
def test_a_database_error_is_retried_until_it_passes(as_worker):
    assert flaky_task.apply(kwargs={"fail_times": 3}).get() == 4
    assert not DeadTask.objects.exists()


@pytest.mark.django_db
def test_retries_used_up_make_a_dead_task(as_worker):
    with pytest.raises(OperationalError):
        flaky_task.apply(kwargs={"fail_times": 99}).get()
    assert len(CALLS) == MAX_RETRIES + 1
    dead = DeadTask.objects.get()
    assert dead.task == "tests.core.flaky_task" and dead.kwargs == {"fail_times": 99}
    assert dead.exception.startswith("OperationalError: server closed") and dead.retries == MAX_RETRIES
    assert dead.status == DeadTaskStatus.DEAD and "Traceback" in dead.traceback


@pytest.mark.django_db
def test_an_error_that_is_not_retried_is_a_dead_task_at_once(as_worker):
    with pytest.raises(ValueError):
        flaky_task.apply(kwargs={"fail_times": 1, "error": "bug"}).get()
    assert len(CALLS) == 1
    assert DeadTask.objects.get().exception == "ValueError: bug"


@pytest.fixture
def dead(db):
    return DeadTask.objects.create(
        task="core.tasks.audit_purge_task", task_id="abc", kwargs={}, exception="OperationalError: x"
    )


def test_staff_retry_a_dead_task_through_the_outbox_audited(
    dead, city_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        dead_task_retry(dead_task=dead, actor=city_staff)
    dead.refresh_from_db()
    assert dead.status == DeadTaskStatus.RETRIED and dead.retry.task == "core.tasks.audit_purge_task"
    assert dead.retry.status == OutboxStatus.SENT  # published (and, eagerly, run)
    event = dead.events.get()
    assert (event.from_status, event.to_status, event.actor) == ("dead", "retried", city_staff)
    audit = AuditLog.objects.get(action=AuditAction.TRANSITION, object_id=str(dead.pk))
    assert audit.actor == city_staff and audit.after["outbox"] == dead.retry.pk
    with pytest.raises(InvalidTransition):
        dead_task_retry(dead_task=dead, actor=city_staff)
    assert OutboxMessage.objects.count() == 1


def test_only_staff_with_the_permission_retry_or_dismiss(dead, officer, auditor):
    with pytest.raises(NotFound):
        dead_task_retry(dead_task=dead, actor=officer)  # county staff do not see dead tasks
    with pytest.raises(NotPermitted):
        dead_task_retry(dead_task=dead, actor=auditor)  # auditors see them, change nothing
    with pytest.raises(NotPermitted):
        dead_task_dismiss(dead_task=dead, actor=auditor, reason="不需要")
    dead.refresh_from_db()
    assert dead.status == DeadTaskStatus.DEAD and not OutboxMessage.objects.exists()


def test_a_task_no_longer_registered_cannot_be_retried(dead, city_staff):
    DeadTask.objects.filter(pk=dead.pk).update(task="jobs.tasks.gone_task")
    dead.refresh_from_db()
    with pytest.raises(DomainError) as exc:
        with transaction.atomic():
            dead_task_retry(dead_task=dead, actor=city_staff)
    assert getattr(exc.value, "code", "") == "unknown_task"
    dead.refresh_from_db()
    assert dead.status == DeadTaskStatus.DEAD


def test_the_admin_retry_action_calls_the_service(
    dead, city_staff, client_as, django_capture_on_commit_callbacks
):
    client = client_as(city_staff)
    url = reverse("admin:core_deadtask_changelist")
    page = client.get(url)
    assert page.status_code == 200 and "core.tasks.audit_purge_task" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "retry_selected", "_selected_action": [dead.pk]}, follow=True)
    assert response.status_code == 200 and "已重新排队 1 个任务。" in response.content.decode()
    dead.refresh_from_db()
    assert dead.status == DeadTaskStatus.RETRIED and dead.events.count() == 1
    assert AuditLog.objects.filter(action=AuditAction.TRANSITION, object_id=str(dead.pk)).count() == 1


def test_the_admin_dismiss_action_closes_it_with_a_reason(dead, city_staff, client_as):
    client = client_as(city_staff)
    url = reverse("admin:core_deadtask_changelist")
    client.post(url, {"action": "dismiss_selected", "_selected_action": [dead.pk]})
    dead.refresh_from_db()
    assert dead.status == DeadTaskStatus.DISMISSED and dead.events.get().reason == "管理员忽略"


def test_county_staff_do_not_see_dead_tasks_in_the_admin(dead, officer, client_as):
    assert client_as(officer).get(reverse("admin:core_deadtask_changelist")).status_code == 403
