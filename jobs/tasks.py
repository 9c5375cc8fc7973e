from celery import shared_task

from . import services


@shared_task
def posting_expire_task() -> int:
    """Hourly: postings past their last work date become expired (reads already treat them as closed)."""
    return services.posting_expire_due()


@shared_task
def posting_notify_matches_task(*, posting_id: int, limit: int = 30) -> int:
    """After a posting is published: tell the best-matching workers who asked to hear of new jobs."""
    from django.utils.translation import gettext as _

    from .matching import recommend_workers
    from .models import Posting
    from .notifications import notify_user

    posting = (
        Posting.objects.select_related("occupation", "scope_unit", "employer").filter(pk=posting_id).first()
    )
    if posting is None or not posting.is_open():
        return 0
    count = 0
    for rec in recommend_workers(posting=posting, limit=limit):
        notify_user(
            user_id=rec.obj.user_id,
            body=_("新岗位：%(t)s，%(w)s元/天，%(r)s")
            % {"t": posting.title, "w": posting.daily_wage, "r": "；".join(rec.reasons[:3])},
            url=f"/jobs/{posting.pk}/",
        )
        count += 1
    return count


@shared_task
def guidance_compute_task(*, month: str | None = None) -> int:
    """Monthly (day 1, 02:00): compute last month's wage guidance draft for staff to review and publish.
    A month already published is left alone."""
    import datetime as dt

    from django.utils import timezone

    from core.errors import InvalidTransition

    from .guidance import guidance_compute, previous_month
    from .stats import supply_demand_compute

    target = dt.date.fromisoformat(month) if month else previous_month(timezone.localdate())
    supply_demand_compute(month=target)
    try:
        return guidance_compute(month=target).cells.count()
    except InvalidTransition:
        return 0


@shared_task
def work_order_remind_task() -> list[int]:
    """Hourly: remind workers of tomorrow's unconfirmed work orders; flag still-unconfirmed ones to the
    employer (jobs.work.work_order_remind_due)."""
    from .work import work_order_remind_due

    return list(work_order_remind_due())


@shared_task
def work_order_auto_approve_task() -> int:
    """Every 15 minutes: approve checked-out work orders past their approval deadline (reads already treat
    them as approved)."""
    from .work import work_order_auto_approve_due

    return work_order_auto_approve_due()


@shared_task
def payment_sandbox_callback_task(*, payment_id: int):
    """After a sandbox payment commits: the sandbox provider sends its signed callback (or times out)."""
    from .payments import sandbox_deliver

    return sandbox_deliver(payment_id)


@shared_task
def arrears_scan_task() -> int:
    """Hourly: one wage-arrears alert per approved work order not settled by its settle deadline; online
    payments pending past the provider's timeout fail so that a new attempt may start."""
    from .payments import arrears_scan, payment_expire_stale

    payment_expire_stale()
    return arrears_scan()


@shared_task
def worker_records_refresh_task(*, hours: int = 48) -> int:
    """Nightly (03:30): recompute the stored reliability and rating of workers whose work orders or ratings
    changed in the last ``hours`` (the services keep them as they go; this is the safety net)."""
    import datetime as dt

    from django.utils import timezone

    from .matching import refresh_recent_worker_records

    return refresh_recent_worker_records(since=timezone.now() - dt.timedelta(hours=hours))
