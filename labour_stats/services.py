"""The only writers of labour-market statistics: a month's wage guidance draft computed (or recomputed) from
settled work, published by city staff (``GUIDANCE_WORKFLOW``: then immutable), and a month's supply and
demand rows. The figures come from ``labour_stats.calculators``."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import InvalidTransition, NotPermitted
from core.months import month_start, previous_month

from .calculators import FIELDS, guidance_figures, supply_demand_figures
from .choices import GuidanceStatus
from .models import GUIDANCE_WORKFLOW, SupplyDemandStat, WageGuidance, WageGuidanceCell
from .permissions import can_publish_guidance


@transaction.atomic
def guidance_compute(
    *, month: dt.date, now: dt.datetime | None = None, actor=None, request=None
) -> WageGuidance:
    """Compute (or recompute) the draft of a month. Cells under the thresholds are not stored. A published
    month is refused and stays as it was."""
    month = month_start(month)
    now = now or timezone.now()
    guidance, created = WageGuidance.objects.get_or_create(month=month, defaults={"computed_at": now})
    guidance = GUIDANCE_WORKFLOW.lock(guidance)
    if guidance.status == GuidanceStatus.PUBLISHED:
        raise InvalidTransition(
            _("%(m)s 的工资指导价位已发布，不能重新计算。") % {"m": f"{month:%Y-%m}"},
            code="guidance_published",
        )
    min_obs = settings.LINGONG_GUIDANCE_MIN_OBSERVATIONS
    min_emp = settings.LINGONG_GUIDANCE_MIN_EMPLOYERS
    figures = guidance_figures(month=month)
    kept = [f for f in figures if f.sample_size >= min_obs and f.employer_count >= min_emp]
    guidance.cells.all().delete()
    WageGuidanceCell.objects.bulk_create(
        [
            WageGuidanceCell(
                guidance=guidance,
                occupation_id=f.occupation_id,
                scope_unit_id=f.scope_unit_id,
                sample_size=f.sample_size,
                employer_count=f.employer_count,
                **dict(zip(FIELDS, f.percentiles, strict=True)),
            )
            for f in kept
        ]
    )
    guidance.computed_at = now
    guidance.min_observations = min_obs
    guidance.min_employers = min_emp
    guidance.save(update_fields=["computed_at", "min_observations", "min_employers"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=guidance,
        after={"cells": len(kept), "suppressed": len(figures) - len(kept)},
        reason=_("计算工资指导价位草稿"),
        request=request,
        label=None if actor is not None else "system",
    )
    return guidance


@transaction.atomic
def guidance_publish(*, guidance: WageGuidance, actor, request=None) -> WageGuidance:
    """Publish a draft month (city staff). From then on it is immutable."""
    if not can_publish_guidance(actor):
        raise NotPermitted(_("只有市级工作人员可以发布工资指导价位。"))
    guidance = GUIDANCE_WORKFLOW.lock(guidance)
    if guidance.status != GuidanceStatus.DRAFT:
        raise InvalidTransition(_("该月份的工资指导价位已发布。"))
    guidance.published_at, guidance.published_by = timezone.now(), actor
    return GUIDANCE_WORKFLOW.move(
        guidance,
        GuidanceStatus.PUBLISHED,
        actor=actor,
        fields=("published_at", "published_by"),
        audit={"cells": guidance.cells.count()},
        request=request,
    )


@transaction.atomic
def supply_demand_compute(*, month: dt.date, now: dt.datetime | None = None) -> int:
    """Compute a month's supply-demand rows, replacing the month's previous rows. Returns the row count."""
    month = month_start(month)
    now = now or timezone.now()
    figures = supply_demand_figures(month=month)
    SupplyDemandStat.objects.filter(month=month).delete()
    SupplyDemandStat.objects.bulk_create(
        [
            SupplyDemandStat(month=month, occupation_id=occ, scope_unit_id=unit, computed_at=now, **values)
            for (occ, unit), values in figures.items()
        ]
    )
    return len(figures)


def last_month_compute(*, today: dt.date | None = None, month: dt.date | None = None) -> int:
    """The monthly run (day 1): last month's supply and demand, and its wage guidance draft for staff to
    review — a month already published is left alone. Returns the number of guidance cells."""
    target = month_start(month) if month else previous_month(today or timezone.localdate())
    supply_demand_compute(month=target)
    try:
        return guidance_compute(month=target).cells.count()
    except InvalidTransition:
        return 0
