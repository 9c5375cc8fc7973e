"""Reports' tasks: thin, they call the services (safe to run twice: the compute is idempotent)."""

from celery import shared_task

from . import runs, services


@shared_task
def compute_period_task(period: str) -> int:
    """Recompute one period (``202611``, ``2026Q4``, ``2026``); returns the number of facts written."""
    summary = services.compute(period)
    return summary.created + summary.updated


@shared_task
def compute_open_month_task() -> int:
    """Nightly: recompute the open month."""
    summary = services.compute_open_month()
    return summary.created + summary.updated


@shared_task
def report_run_task(run_id: int) -> str:
    """A recompute started from the dashboard (``reports.runs``); returns the run's status."""
    run = runs.run_execute(run_id)
    return run.status if run is not None else "skipped"
