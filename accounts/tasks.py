"""Celery tasks of accounts: thin, they call a service."""

from celery import shared_task

from . import services


@shared_task
def phone_code_purge_task() -> int:
    """Daily (04:10): SMS codes past the rate limits' window are deleted (they hold a mobile number)."""
    return services.phone_code_purge()
