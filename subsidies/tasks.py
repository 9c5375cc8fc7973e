"""Subsidies' tasks: thin, they call the services (safe to run twice)."""

from celery import shared_task

from .services import contributions


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
def disbursement_run_task(run_id: int) -> int | None:
    """Run one queued disbursement run — filling a batch, or importing the bank's result file (enqueued on
    commit by ``batch_generate_start`` / ``result_import_start``). Safe to run twice."""
    from .services import disbursement

    row = disbursement.disbursement_run(run_id=run_id)
    return row.pk if row else None
