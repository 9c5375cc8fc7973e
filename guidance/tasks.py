"""Celery tasks of guidance: thin, they call the services (safe to run twice)."""

from celery import shared_task

from . import services


@shared_task
def question_remind_task() -> int:
    """Every 15 minutes (beat): remind county staff of policy questions nearing their deadline."""
    return services.question_remind_due()
