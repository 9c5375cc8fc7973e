"""The gig-market operator subsidy's services (ADR 0033): compute one market's assessment for a period (the
KPIs from ``subsidies.kpis``, scored by the scheme in force through the program's strategies), compute every
market of a county (the task), and staff's review.

Idempotent: computing again replaces a draft's figures in place (same row, an audit row of the recomputation);
a reviewed assessment is never recomputed.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.permissions import require_access, signed_in
from core.queue import enqueue
from core.scope import scope_of
from markets.choices import MarketStatus
from markets.models import Market

from .. import kpis
from ..choices import AssessmentStatus
from ..models import ASSESSMENT_WORKFLOW, OperatorAssessment, OperatorScheme, ProgramType
from ..strategies import evaluate
from ..strategies.operators import OperatorFacts

PROGRAM = "gig_market_operator"
COMPUTE_PERMISSION = "subsidies.add_operatorassessment"
REVIEW_PERMISSION = "subsidies.change_operatorassessment"


def may_compute(actor, unit_id) -> bool:
    """Staff whose scope covers the county and who may compute assessments; ``None`` is the system (a task
    started by staff whose access was checked when they started it)."""
    if actor is None:
        return True
    return bool(signed_in(actor) and scope_of(actor).covers(unit_id) and actor.has_perm(COMPUTE_PERMISSION))


def scheme_for(day: dt.date, scope_unit_id: int | None) -> OperatorScheme | None:
    return OperatorScheme.objects.in_force(day, scope_unit_id).prefetch_related("items", "bands").first()


def _check_period(period_start: dt.date, period_end: dt.date) -> None:
    if period_end < period_start:
        message = _("考核期止不能早于考核期起。")
        raise DomainError(message, code="bad_period", fields={"period_end": [message]})


def _jsonable(value):
    return json.loads(json.dumps(value, default=str))


def _score(result: kpis.MarketKpis, scheme: OperatorScheme | None):
    """Run the program's strategies over the figures and failed checks under the scheme."""
    program = ProgramType.objects.get(code=PROGRAM)
    facts = OperatorFacts(
        figures=result.figures, failed_checks=tuple((c.code, c.text) for c in result.failed)
    )
    params = scheme.as_params() if scheme else {}
    decision = evaluate(program, facts, params)
    if scheme is None:
        decision.need("scheme", _("本地还没有发布零工市场运营补贴评分标准。"))
    return decision, params


@transaction.atomic
def operator_assessment_compute(
    *, market: Market, period_start: dt.date, period_end: dt.date, actor=None, request=None
) -> OperatorAssessment:
    """Compute (or recompute a draft of) ``market``'s assessment for the period. A reviewed one is returned
    as it is."""
    market = Market.objects.select_related("scope_unit").get(pk=getattr(market, "pk", market))
    visible = actor is None or scope_of(actor).covers(market.scope_unit_id)
    require_access(allowed=may_compute(actor, market.scope_unit_id), visible=visible)
    _check_period(period_start, period_end)
    key = {"market": market, "period_start": period_start, "period_end": period_end}
    row = OperatorAssessment.objects.select_for_update().filter(**key).first()
    if row is not None and row.status != AssessmentStatus.DRAFT:
        return row
    result = kpis.compute(market, period_start, period_end)
    scheme = scheme_for(period_start, market.scope_unit_id)
    decision, params = _score(result, scheme)
    person = actor if signed_in(actor) else None
    values = {
        "scheme": scheme,
        "scheme_version": scheme.version if scheme else "",
        "scheme_figures": _jsonable(params),
        "figures": result.figures_json(),
        "traces": result.traces_json(),
        "checks": result.checks_json(),
        "disqualified": bool(result.failed),
        "reasons": [list(r) for r in decision.reasons],
        "score_items": _jsonable(decision.figures.get("score_items", [])),
        "score": Decimal(decision.figures["score"]) if "score" in decision.figures else None,
        "recommended_amount": decision.amount if scheme else None,
        "computed_at": timezone.now(),
        "computed_by": person,
    }
    if row is None:
        try:
            with transaction.atomic():
                row = OperatorAssessment.objects.create(**key, **values)
        except IntegrityError:  # a concurrent run created it first: recompute that one
            row = OperatorAssessment.objects.select_for_update().get(**key)
            if row.status != AssessmentStatus.DRAFT:
                return row
        else:
            ASSESSMENT_WORKFLOW.record(row, to_status=AssessmentStatus.DRAFT, actor=person, reason=_("测算"))
            audit_record(
                actor=actor, action=AuditAction.CREATE, obj=row, after=_summary(row), request=request
            )
            return row
    before = _summary(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.save(update_fields=[*values, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=row,
        before=before,
        after=_summary(row),
        reason=_("重新测算"),
        request=request,
    )
    return row


def _summary(row: OperatorAssessment) -> dict:
    return {
        "scheme_version": row.scheme_version,
        "disqualified": row.disqualified,
        "score": str(row.score) if row.score is not None else None,
        "recommended_amount": str(row.recommended_amount) if row.recommended_amount is not None else None,
    }


def county_markets(scope_unit_id: int):
    """The markets of a county that are assessed: every one that has opened (not those still planned)."""
    return (
        Market.objects.filter(scope_unit_id=scope_unit_id).exclude(status=MarketStatus.PLANNED).order_by("pk")
    )


def operator_assessments_compute_county(
    *, scope_unit_id: int, period_start: dt.date, period_end: dt.date, actor=None
) -> list[int]:
    """Compute every market of the county for the period, one transaction per market; returns the
    assessment ids (reviewed ones included, unchanged)."""
    _check_period(period_start, period_end)
    if actor is not None and not may_compute(actor, scope_unit_id):
        raise NotPermitted()
    ids = []
    for market in county_markets(scope_unit_id):
        row = operator_assessment_compute(
            market=market, period_start=period_start, period_end=period_end, actor=actor
        )
        ids.append(row.pk)
    return ids


@transaction.atomic
def operator_assessments_start(
    *, actor, scope_unit_id: int, period_start: dt.date, period_end: dt.date, request=None
):
    """Staff ask for a county's assessments: checked here, run by the task after the commit."""
    _check_period(period_start, period_end)
    require_access(
        allowed=may_compute(actor, scope_unit_id) and actor is not None,
        visible=scope_of(actor).covers(scope_unit_id),
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        after={"period_start": str(period_start), "period_end": str(period_end)},
        reason=_("零工市场运营补贴测算"),
        label=_("零工市场运营补贴测算"),
        scope_unit_id=scope_unit_id,
        request=request,
    )
    return enqueue(
        "subsidies.tasks.operator_assessments_county_task",
        scope_unit_id=scope_unit_id,
        period_start=period_start.isoformat(),
        period_end=period_end.isoformat(),
        actor_id=actor.pk,
    )


@transaction.atomic
def operator_assessment_review(*, assessment: OperatorAssessment, actor, note: str = "", request=None):
    """Staff confirm a draft (draft → reviewed): from then on it is never recomputed."""
    assessment = ASSESSMENT_WORKFLOW.lock(
        assessment, queryset=OperatorAssessment.objects.visible_to(actor), select_related=("market",)
    )
    require_access(
        allowed=signed_in(actor) and actor.has_perm(REVIEW_PERMISSION),
        visible=True,
        message=_("您没有复核零工市场运营补贴测算的权限。"),
    )
    assessment.reviewed_at = timezone.now()
    assessment.reviewed_by = actor
    assessment.review_note = (note or "").strip()[:300]
    return ASSESSMENT_WORKFLOW.move(
        assessment,
        AssessmentStatus.REVIEWED,
        actor=actor,
        reason=assessment.review_note,
        fields=("reviewed_at", "reviewed_by", "review_note"),
        request=request,
    )
