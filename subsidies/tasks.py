"""Subsidies' tasks: thin, they call the services (safe to run twice)."""

from celery import shared_task

from .services import contributions, offers, operators


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
def training_claims_intake_task() -> int:
    """Hourly: take the submitted training-subsidy claims not yet taken (ADR 0038); safe to run twice."""
    from .services.training_claims import claims_intake

    return claims_intake()["taken"]


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


@shared_task
def operator_assessments_county_task(
    scope_unit_id: int, period_start: str, period_end: str, actor_id: int | None = None
) -> list[int]:
    """Compute every market of a county for a period (enqueued by ``operator_assessments_start``); safe to
    run twice: drafts are replaced, reviewed assessments stay."""
    import datetime as dt

    from accounts.models import User

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return operators.operator_assessments_compute_county(
        scope_unit_id=scope_unit_id,
        period_start=dt.date.fromisoformat(period_start),
        period_end=dt.date.fromisoformat(period_end),
        actor=actor,
    )


@shared_task
def disbursement_run_task(run_id: int) -> int | None:
    """Run one queued disbursement run — filling a batch, or importing the bank's result file (enqueued on
    commit by ``batch_generate_start`` / ``result_import_start``). Safe to run twice."""
    from .services import disbursement

    row = disbursement.disbursement_run(run_id=run_id)
    return row.pk if row else None
