"""Celery tasks of disputes: thin, they call the services (safe to run twice)."""

from celery import shared_task

from . import services
from .services import safety as safety_services


@shared_task
def case_escalate_task() -> int:
    """Every 15 minutes (beat): escalate running case clocks at 80 % and 100 % of their time."""
    return services.case_escalate_due()


@shared_task
def arrears_propose_cases_task() -> int:
    """Every 15 minutes (beat): one proposed case for each open wage-arrears alert that has none."""
    return services.arrears_propose_cases()


@shared_task
def safety_reports_conclude_task() -> int:
    """Every 15 minutes (beat): safety reports whose inspection was decided in the markets admin are concluded
    and their reporter told."""
    return safety_services.safety_reports_conclude_decided()
