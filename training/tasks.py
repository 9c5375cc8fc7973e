"""Training's periodic tasks: thin, they call the services (safe to run twice)."""

from celery import shared_task

from .services import outcomes


@shared_task
def outcomes_recompute_task() -> int:
    """Nightly (beat): recompute every provider's outcome cohorts from the records."""
    return outcomes.recompute_outcomes()
