"""Recomputes started from the dashboard (issue 18): ``run_start`` records a queued ``ReportRun`` (audited)
and enqueues the worker's task, which calls ``run_execute``: the run goes running, ``services.compute``
recomputes the period reporting its progress after each indicator, and the run ends done with the summary
or failed with the message (a ``DomainError`` — a locked period's Conflict — is the person's message; any
other error is logged and the run still ends failed, never left running).

One queued or running run per period: the partial unique constraint ``reportrun_one_active_per_period``
refuses a second one, also when two starts race (the second insert fails on the index), and the start then
raises a Conflict with a plain message.

A run whose worker died (a restart, the out-of-memory killer) would hold that slot for ever: a queued or
running run older than ``LINGONG_REPORT_RUN_TIMEOUT_MINUTES`` is ended failed ("timed out") by the next
start of its period (``expire_stale``) and by the dashboard's page before it lists the runs. Its compute's
transaction died with the worker, so nothing of it was written; the new run recomputes the whole period.

Progress: ``services.compute`` is one transaction, and the progress callback runs inside it, so its
``UPDATE`` of the run's row commits with the compute. Other readers (the page) see the run running with
0 of N indicators until the compute commits, then N of N (done). The total is set before the compute, from
the catalogue, so the page can say what is being computed."""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import queue
from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import Conflict, DomainError, NotPermitted

from . import services
from .calculators import CALCULATORS, RATIOS
from .choices import IndicatorMethod, PeriodKind, RunStatus
from .models import Indicator, ReportRun
from .periods import parse_period

logger = logging.getLogger("lingong.reports")

START_PERMISSION = "reports.add_reportrun"


def may_start_runs(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(START_PERMISSION))


def indicators_to_compute() -> int:
    """How many indicators ``services.compute`` goes through (the run's total)."""
    return Indicator.objects.filter(method=IndicatorMethod.COMPUTED, code__in=[*CALCULATORS, *RATIOS]).count()


def expire_stale(*, period: str | None = None, now=None) -> int:
    """End failed the queued or running runs (of ``period``, or of every period) older than the timeout;
    returns how many. Queued runs count from their creation, running ones from their start."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.LINGONG_REPORT_RUN_TIMEOUT_MINUTES)
    stale = ReportRun.objects.filter(
        Q(status=RunStatus.QUEUED, created_at__lt=limit) | Q(status=RunStatus.RUNNING, started_at__lt=limit)
    )
    if period is not None:
        stale = stale.filter(period=period)
    message = _("超过 %(m)s 分钟未完成（后台任务可能已中断），已结束；请重新发起计算。") % {
        "m": settings.LINGONG_REPORT_RUN_TIMEOUT_MINUTES
    }
    expired = stale.update(status=RunStatus.FAILED, error=message, finished_at=now)
    if expired:
        logger.warning("report runs: %s stale run(s) ended failed (period %s)", expired, period or "any")
    return expired


def run_start(*, period: str, actor, request=None) -> ReportRun:
    """Queue a recompute of a month ``period`` (``202611``) for the worker; refused while one of the same
    period is queued or running."""
    if not may_start_runs(actor):
        raise NotPermitted(_("只有市级工作人员可以重新计算统计数据。"))
    parsed = parse_period(period)
    if parsed.kind != PeriodKind.MONTH:
        message = _("请选择一个月份（如 202611）。")
        raise DomainError(message, code="invalid_period", fields={"period": [message]})
    expire_stale(period=parsed.code)
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                period=parsed.code,
                started_by=actor,
                indicators_total=indicators_to_compute(),
            )
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=run,
                after=snapshot(run, ["period", "status", "indicators_total"]),
                reason=_("重新计算统计期 %(p)s") % {"p": parsed.code},
                request=request,
            )
            queue.enqueue("reports.tasks.report_run_task", run_id=run.pk)
    except IntegrityError as exc:  # reportrun_one_active_per_period
        message = _("统计期 %(p)s 正在重新计算，请等待本次计算完成后再试。") % {"p": parsed.code}
        raise Conflict(message, code="run_active", fields={"period": [message]}) from exc
    return run


def _set(run: ReportRun, **values) -> None:
    ReportRun.objects.filter(pk=run.pk).update(**values)
    for field, value in values.items():
        setattr(run, field, value)


def run_execute(run_id: int) -> ReportRun | None:
    """Run a queued run (the worker's task). A run that is not queued any more (delivered twice) is left
    alone and None returned."""
    if not ReportRun.objects.filter(pk=run_id, status=RunStatus.QUEUED).update(
        status=RunStatus.RUNNING, started_at=timezone.now()
    ):
        return None
    run = ReportRun.objects.get(pk=run_id)

    def progress(done: int, total: int) -> None:
        # inside the compute's transaction: visible to others when it commits (the module's docstring)
        _set(run, indicators_done=done, indicators_total=total)

    try:
        summary = services.compute(run.period, progress=progress)
    except DomainError as exc:
        _set(run, status=RunStatus.FAILED, error=str(exc.message), finished_at=timezone.now())
    except Exception as exc:  # the run must end, whatever went wrong (logged)
        logger.exception("report run %s (%s) failed", run.pk, run.period)
        message = _("计算出错（%(e)s），请联系系统管理员。") % {"e": exc.__class__.__name__}
        _set(run, status=RunStatus.FAILED, error=message, finished_at=timezone.now())
    else:
        _set(
            run,
            status=RunStatus.DONE,
            summary=dataclasses.asdict(summary),
            indicators_done=summary.indicators,
            indicators_total=summary.indicators,
            finished_at=timezone.now(),
        )
    return run
