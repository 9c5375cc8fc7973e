"""Celery tasks of work and pay: thin, they take ids and call a service (safe to run twice)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from . import services


@shared_task
def work_order_remind_task() -> list[int]:
    """Hourly: remind workers of tomorrow's unconfirmed work orders; flag still-unconfirmed ones to the
    employer."""
    return list(services.work_order_remind_due())


@shared_task
def work_order_auto_approve_task() -> int:
    """Every 15 minutes: approve checked-out work orders past their approval deadline (reads already treat
    them as approved)."""
    return services.work_order_auto_approve_due()


@shared_task
def payment_sandbox_callback_task(*, payment_id: int):
    """After a sandbox payment commits: the sandbox provider sends its signed callback (or times out)."""
    return services.sandbox_deliver(payment_id)


@shared_task
def payment_reconcile_task() -> dict:
    """Every 5 minutes: ask the online providers about payments whose callback has not come (pending longer
    than LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES) and about pending refunds, and apply their answers."""
    return services.payment_reconcile()


@shared_task
def arrears_scan_task() -> int:
    """Hourly: online payments pending past the provider's timeout fail (so that a new attempt may start),
    then one wage-arrears alert per approved work order not settled by its settle deadline."""
    services.payment_expire_stale()
    return services.arrears_scan()


@shared_task
def worker_records_refresh_task(*, hours: int = 48) -> int:
    """Nightly (03:30): recompute the stored reliability and rating of workers whose work orders or ratings
    changed in the last ``hours`` (the services keep them as they go; this is the safety net)."""
    return services.refresh_recent_worker_records(since=timezone.now() - dt.timedelta(hours=hours))
