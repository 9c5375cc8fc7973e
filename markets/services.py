"""The only writers of market workflow state. Each transition goes through its ``Workflow`` (locked, checked
against the table, an event row and an audit row in the same transaction); markets leaving the map
republish it at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction
from core.errors import DomainError, NotFound, NotPermitted
from core.geo import to_wgs84
from core.permissions import require_access
from core.scope import scope_of

from .choices import (
    RISK_DECISIONS,
    FindingResult,
    MarketStatus,
    NoticeKind,
    PlatformStatus,
    RiskAction,
    RiskGrade,
)
from .models import (
    INSPECTION_WORKFLOW,
    MARKET_OPERATOR_FIELDS,
    MARKET_PROFILE_FIELDS,
    MARKET_WORKFLOW,
    PLATFORM_WORKFLOW,
    Inspection,
    InspectionFinding,
    InspectionItem,
    Market,
    OnlinePlatform,
    PublicNotice,
)
from .permissions import can_manage_market, can_operate_market
from .publishing import map_changed
from .risk import grade

NOTICE_KIND = {
    MarketStatus.SUSPENDED: NoticeKind.SUSPENSION,
    MarketStatus.BANNED: NoticeKind.BAN,
    MarketStatus.CLOSED: NoticeKind.CLOSURE,
}


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请填写原因。"), code="reason_required", fields={"reason": [_("请填写原因。")]})
    return reason


def _locked_market(market: Market, actor) -> Market:
    """The market row locked, re-checked against the actor's scope inside the transaction (else 404)."""
    return MARKET_WORKFLOW.lock(market, queryset=Market.objects.visible_to(actor))


@transaction.atomic
def market_transition(
    *,
    market: Market,
    to_status: str,
    actor,
    reason: str,
    alternative: str = "",
    alternative_market: Market | None = None,
    request=None,
) -> Market:
    """Move a market along the status table. Suspensions, bans and closures are announced on the public
    notices page with the reason and where to go instead, and the map drops the market at once."""
    reason = _require_reason(reason)
    market = _locked_market(market, actor)
    require_access(allowed=can_manage_market(actor, market), visible=True)
    from_status = market.status
    MARKET_WORKFLOW.move(market, to_status, actor=actor, reason=reason, request=request)
    if to_status in NOTICE_KIND:
        kind = NOTICE_KIND[to_status]
        PublicNotice.objects.create(
            scope_unit=market.scope_unit,
            market=market,
            kind=kind,
            title=_("%(market)s%(what)s")
            % {
                "market": market.name,
                "what": {
                    NoticeKind.SUSPENSION: _("暂停开放"),
                    NoticeKind.BAN: _("已被取缔"),
                    NoticeKind.CLOSURE: _("已关闭"),
                }[kind],
            },
            reason=reason[:300],
            alternative=alternative[:300],
            alternative_market=alternative_market,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
    if from_status == MarketStatus.SUSPENDED and to_status == MarketStatus.OPERATING:
        PublicNotice.objects.filter(market=market, kind=NoticeKind.SUSPENSION, ends_on__isnull=True).update(
            ends_on=timezone.localdate() - dt.timedelta(days=1)
        )
    map_changed(urgent=True)
    return market


def market_start(*, market, actor, reason, request=None):
    return market_transition(
        market=market, to_status=MarketStatus.OPERATING, actor=actor, reason=reason, request=request
    )


def market_suspend(*, market, actor, reason, alternative="", alternative_market=None, request=None):
    return market_transition(
        market=market,
        to_status=MarketStatus.SUSPENDED,
        actor=actor,
        reason=reason,
        alternative=alternative,
        alternative_market=alternative_market,
        request=request,
    )


def market_ban(*, market, actor, reason, alternative="", alternative_market=None, request=None):
    return market_transition(
        market=market,
        to_status=MarketStatus.BANNED,
        actor=actor,
        reason=reason,
        alternative=alternative,
        alternative_market=alternative_market,
        request=request,
    )


def market_close(*, market, actor, reason, alternative="", alternative_market=None, request=None):
    return market_transition(
        market=market,
        to_status=MarketStatus.CLOSED,
        actor=actor,
        reason=reason,
        alternative=alternative,
        alternative_market=alternative_market,
        request=request,
    )


@transaction.atomic
def market_update_profile(
    *, market: Market, actor, data: dict, facilities=None, coordinate_system: str = "wgs84", request=None
) -> Market:
    """Edit a market's public profile (staff or its own operator). Coordinates picked on AMap or Baidu are
    converted to WGS-84. Audited; the map is republished (debounced)."""
    market = _locked_market(market, actor)
    if can_manage_market(actor, market):
        allowed = set(MARKET_PROFILE_FIELDS) | {"lat", "lng"}
    elif can_operate_market(actor, market):
        allowed = set(MARKET_OPERATOR_FIELDS)
    else:
        raise NotFound()
    refused = sorted(set(data) - allowed)
    if refused:
        raise NotPermitted(fields={name: [_("您不能修改此项。")] for name in refused})
    before = snapshot(market)
    before_facilities = sorted(market.facilities.values_list("code", flat=True))
    for field in MARKET_PROFILE_FIELDS:
        if field in data:
            setattr(market, field, data[field])
    if "lat" in data and "lng" in data and data["lat"] is not None and data["lng"] is not None:
        market.lat, market.lng = to_wgs84(float(data["lat"]), float(data["lng"]), coordinate_system)
    market.full_clean(exclude=["facilities"])
    market.save()
    if facilities is not None:
        market.facilities.set(facilities)
    b, a = changed(before, snapshot(market))
    b.pop("updated_at", None)  # every save moves it: not a change of the profile
    a.pop("updated_at", None)
    after_facilities = sorted(market.facilities.values_list("code", flat=True))
    if after_facilities != before_facilities:
        b = {**(b or {}), "facilities": before_facilities}
        a = {**(a or {}), "facilities": after_facilities}
    if a:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=market, before=b, after=a, request=request)
        if market.is_public:
            map_changed()
    return market


@transaction.atomic
def market_create(
    *, actor, data: dict, facilities=(), coordinate_system: str = "wgs84", request=None
) -> Market:
    """Staff register a market in their scope; it starts as planned (筹建中)."""
    unit = data["scope_unit"]
    if not scope_of(actor).covers(unit.pk):
        raise NotPermitted()
    fields = {k: v for k, v in data.items() if k not in ("lat", "lng")}
    market = Market(**fields, status=MarketStatus.PLANNED)
    market.lat, market.lng = to_wgs84(float(data["lat"]), float(data["lng"]), coordinate_system)
    market.full_clean(exclude=["facilities"])
    market.save()
    market.facilities.set(facilities)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=market, after=snapshot(market), request=request)
    return market


# --- online platforms ----------------------------------------------------------------------------------


@transaction.atomic
def platform_register(*, actor, data: dict, request=None) -> OnlinePlatform:
    """Staff record an online platform in their scope; it waits for review (pending)."""
    if not scope_of(actor).covers(data["scope_unit"].pk):
        raise NotPermitted()
    platform = OnlinePlatform(**data)
    platform.full_clean()
    platform.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=platform, after=snapshot(platform), request=request
    )
    return platform


@transaction.atomic
def platform_transition(
    *, platform: OnlinePlatform, to_status: str, actor, reason: str = "", request=None
) -> OnlinePlatform:
    locked = PLATFORM_WORKFLOW.lock(platform, queryset=OnlinePlatform.objects.visible_to(actor))
    require_access(allowed=actor.has_perm("markets.change_onlineplatform"), visible=True)
    was_public = locked.status == PlatformStatus.APPROVED
    moved = PLATFORM_WORKFLOW.move(locked, to_status, actor=actor, reason=reason, request=request)
    if was_public or moved.status == PlatformStatus.APPROVED:
        # Approved platforms are on the public map and feed (§4 "线上线下"); leaving it is published at once.
        map_changed(urgent=was_public)
    return moved


# --- inspections and risk --------------------------------------------------------------------------------


@transaction.atomic
def inspection_record(
    *,
    market: Market,
    actor,
    inspected_on: dt.date,
    findings: dict,
    inspector_names: str = "",
    hazards: str = "",
    notes: str = "",
    request=None,
) -> Inspection:
    """Record an inspection of a market in the actor's scope with a finding per checklist item (``findings``:
    item → result; items not named passed), then grade it (``inspection_assess``)."""
    market = Market.objects.visible_to(actor).filter(pk=market.pk).first()
    if market is None:
        raise NotFound()
    require_access(allowed=can_manage_market(actor, market), visible=True)
    inspection = Inspection(
        market=market,
        inspected_on=inspected_on,
        inspector=actor if getattr(actor, "pk", None) else None,
        inspector_names=inspector_names,
        hazards=hazards,
        notes=notes,
    )
    inspection.full_clean()
    inspection.save()
    InspectionFinding.objects.bulk_create(
        [
            InspectionFinding(inspection=inspection, item=item, result=findings.get(item, FindingResult.PASS))
            for item in InspectionItem.objects.filter(is_active=True)
        ]
    )
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=inspection, after=snapshot(inspection), request=request
    )
    return inspection_assess(inspection=inspection, actor=actor, request=request)


@transaction.atomic
def inspection_assess(*, inspection: Inspection, actor, request=None) -> Inspection:
    """Grade an inspection from its findings (markets.risk) and carry the grade to the market."""
    inspection = Inspection.objects.select_for_update().select_related("market").get(pk=inspection.pk)
    findings = inspection.findings.select_related("item").values_list("result", "item__critical")
    before = inspection.risk_grade
    inspection.risk_grade = grade(findings, hazards=inspection.hazards)
    inspection.save(update_fields=["risk_grade", "updated_at"])
    market = inspection.market
    latest = market.inspections.order_by("-inspected_on", "-id").first()
    if latest and latest.pk == inspection.pk and market.risk_grade != inspection.risk_grade:
        Market.objects.filter(pk=market.pk).update(risk_grade=inspection.risk_grade)
    if before != inspection.risk_grade:
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=inspection,
            before={"risk_grade": before},
            after={"risk_grade": inspection.risk_grade},
            request=request,
        )
    return inspection


@transaction.atomic
def inspection_decide(
    *,
    inspection: Inspection,
    action: str,
    actor,
    reason: str,
    rectify_deadline: dt.date | None = None,
    alternative: str = "",
    request=None,
) -> Inspection:
    """Staff act on a high-risk inspection: rectify by a deadline, suspend or ban the market."""
    reason = _require_reason(reason)
    inspection = INSPECTION_WORKFLOW.lock(
        inspection, queryset=Inspection.objects.visible_to(actor), select_related=("market",)
    )
    require_access(allowed=can_manage_market(actor, inspection.market), visible=True)
    if action not in RISK_DECISIONS:
        raise DomainError(_("请选择处置方式。"), fields={"action": [_("请选择处置方式。")]})
    INSPECTION_WORKFLOW.check(inspection.action, action)  # decided once (409 ever after)
    if action == RiskAction.RECTIFY:
        if rectify_deadline is None or rectify_deadline < timezone.localdate():
            raise DomainError(
                _("请填写不早于今天的整改期限。"),
                fields={"rectify_deadline": [_("请填写不早于今天的整改期限。")]},
            )
        inspection.rectify_deadline = rectify_deadline
    elif action == RiskAction.SUSPEND:
        market_suspend(
            market=inspection.market, actor=actor, reason=reason, alternative=alternative, request=request
        )
    else:
        market_ban(
            market=inspection.market, actor=actor, reason=reason, alternative=alternative, request=request
        )
    inspection.action_reason = reason[:300]
    return INSPECTION_WORKFLOW.move(
        inspection,
        action,
        actor=actor,
        reason=reason,
        fields=("action_reason", "rectify_deadline"),
        audit={"rectify_deadline": rectify_deadline},
        request=request,
    )


@transaction.atomic
def inspection_mark_rectified(*, inspection: Inspection, actor, note: str = "", request=None) -> Inspection:
    """Staff confirm that a rectification was done (the overdue panel drops it)."""
    inspection = INSPECTION_WORKFLOW.lock(inspection, queryset=Inspection.objects.visible_to(actor))
    if inspection.action != RiskAction.RECTIFY or inspection.rectified_at:
        raise DomainError(_("该检查没有待完成的整改。"), code="invalid_transition")
    inspection.rectified_at = timezone.now()
    return INSPECTION_WORKFLOW.move(
        inspection, RiskAction.RECTIFIED, actor=actor, reason=note, fields=("rectified_at",), request=request
    )


def risk_requires_action(inspection: Inspection) -> bool:
    return inspection.risk_grade == RiskGrade.HIGH and not inspection.action
