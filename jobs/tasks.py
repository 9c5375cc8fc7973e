"""Celery tasks of the labour market: thin, they take ids and call a service (safe to run twice)."""

from celery import shared_task

from . import services


@shared_task
def posting_expire_task() -> int:
    """Hourly: postings past their last work date become expired (reads already treat them as closed)."""
    return services.posting_expire_due()


@shared_task
def posting_notify_matches_task(*, posting_id: int, limit: int = 30) -> int:
    """After a posting is published: tell the best-matching workers who asked to hear of new jobs."""
    return services.posting_notify_matches(posting_id=posting_id, limit=limit)
