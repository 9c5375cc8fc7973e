"""Subsidies' tasks: thin, they call the services (safe to run twice)."""

from celery import shared_task

from .services import contributions, offers


@shared_task
def contribution_import_run_task(import_id: int) -> int | None:
    """Run one queued contribution import (enqueued on commit by ``contribution_import_start``)."""
    row = contributions.contribution_import_run(import_id=import_id)
    return row.pk if row else None


@shared_task
def notices_conclude_task() -> int:
    """Daily: approve the applications whose public notice ended with no open or upheld objection."""
    from .services.notice import notices_conclude

    return notices_conclude()


@shared_task
def offer_run_task(run_id: int) -> int | None:
    """Run one queued proactive-offer run (enqueued on commit by ``offer_run_start``)."""
    row = offers.offer_run_run(run_id=run_id)
    return row.pk if row else None


@shared_task
def offers_monthly_task() -> int | None:
    """The monthly proactive-offer run (免申即享), as of today; nothing when one is running."""
    row = offers.offer_run_monthly()
    return row.pk if row else None
