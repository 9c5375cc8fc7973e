"""Celery tasks of labour-market statistics: thin, they call a service."""

import datetime as dt

from celery import shared_task

from . import services


@shared_task
def guidance_compute_task(*, month: str | None = None) -> int:
    """Monthly (day 1, 02:00): last month's supply and demand, and its wage guidance draft for staff to
    review and publish. A month already published is left alone."""
    return services.last_month_compute(month=dt.date.fromisoformat(month) if month else None)
