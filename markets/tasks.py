from celery import shared_task

from . import publishing


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
    """Every minute (beat): try again the deliveries whose backoff has passed. A subscriber that is down
    keeps its own schedule and never holds up the others."""
    count = 0
    for pk in publishing.due_deliveries().values_list("pk", flat=True)[:200]:
        webhook_deliver_task.delay(delivery_id=pk)
        count += 1
    return count
