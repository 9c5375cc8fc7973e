"""Celery tasks of markets: thin, they call the publishing services (safe to run twice)."""

from celery import shared_task

from . import directory, publishing


@shared_task
def map_publish_task() -> int | None:
    """Every few seconds (beat): publish the map if edits have been quiet for the debounce period."""
    snap = publishing.map_publish()
    return snap.version if snap else None


@shared_task
def webhook_deliver_task(*, delivery_id: int) -> None:
    """Try one webhook delivery once (the retry scan re-queues failures with backoff)."""
    publishing.webhook_deliver(delivery_id=delivery_id)


@shared_task
def webhook_retry_task() -> int:
    """Every minute (beat): try again the deliveries whose backoff has passed."""
    return publishing.webhook_retry_due()


@shared_task
def directory_publish_task() -> str:
    """Daily (beat): keep the current quarter's published directory up to date; past quarters stay frozen."""
    return directory.directory_publish().quarter
