"""Market safety reports (隐患报告, ADR 0027): anyone reports a hazard at a market; county staff triage it into
an inspection of the market through the markets services (whose decision may rectify, suspend or ban the
market, publishing the public notice) or dismiss it with a reason. The reporter, when known, is told each
outcome; their identity never goes into the inspection, the notice or anything the operator reads."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.validators import normalize_phone
from core.audit import audit_record, snapshot
from core.choices import AuditAction, MessageChannel
from core.errors import DomainError, InvalidTransition, NotPermitted, RateLimited
from core.geo import to_wgs84
from core.http import client_ip
from core.notifications import message_queue
from core.permissions import require_access, signed_in
from jobs.notifications import notify
from markets import services as market_services
from markets.choices import MarketStatus, RiskAction
from markets.models import Market

from ..choices import HazardKind, SafetyReportStatus
from ..evidence import checked_upload
from ..models import SAFETY_REPORT_WORKFLOW, SafetyReport
from ..permissions import can_triage_safety
from .cases import _county_staff, _local_date, _text, system_user

# A hazard can be reported at a market that people still go to (not one already closed or banned).
REPORTABLE_STATUSES = (MarketStatus.OPERATING, MarketStatus.SUSPENDED)
MINE_URL = "/disputes/safety/mine/"


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def _number(now: dt.datetime) -> str:
    return f"YH{_local_date(now):%Y%m%d}{secrets.token_hex(3).upper()}"


def _anon_key(request) -> str:
    return f"safety-report:anon:{client_ip(request) or 'unknown'}"


def _check_anon_limit(actor, request) -> None:
    """Without an account, one address sends at most ``LINGONG_SAFETY_REPORT_ANON_LIMIT`` reports an hour."""
    if signed_in(actor):
        return
    if (cache.get(_anon_key(request)) or 0) >= settings.LINGONG_SAFETY_REPORT_ANON_LIMIT:
        raise RateLimited(_("提交太频繁，请一小时后再试，或拨打 12333。"))


def _count_anon(actor, request) -> None:
    if signed_in(actor):
        return
    key = _anon_key(request)
    cache.add(key, 0, 3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 3600)


def _coordinates(lat, lng, coordinate_system: str):
    if lat in (None, "") and lng in (None, ""):
        return None, None
    try:
        lat, lng = float(lat), float(lng)
    except (TypeError, ValueError):
        raise _invalid("lat", _("请同时填写正确的纬度和经度，或都不填。")) from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise _invalid("lat", _("请同时填写正确的纬度和经度，或都不填。"))
    return to_wgs84(lat, lng, coordinate_system)


def _tell_reporter(report: SafetyReport, body: str, key: str) -> None:
    if report.reporter_id:
        notify(report.reporter_id, body, url=MINE_URL, key=key)
    elif report.contact_phone:
        message_queue(channel=MessageChannel.SMS, to=report.contact_phone, body=body, key=f"{key}:sms")


@transaction.atomic
def safety_report_receive(
    *,
    actor,
    market: Market,
    hazard_kind: str,
    description: str,
    spot: str = "",
    lat=None,
    lng=None,
    coordinate_system: str = "wgs84",
    photo=None,
    contact_name: str = "",
    contact_phone: str = "",
    request=None,
) -> SafetyReport:
    """Anyone, signed in or not, reports a hazard at a market. Everything (the photo by its content) is
    checked before anything is written; anonymous reports are rate-limited by address."""
    _check_anon_limit(actor, request)
    if not isinstance(market, Market) or market.status not in REPORTABLE_STATUSES:
        raise _invalid("market", _("请选择正在开放的零工市场。"), "required")
    if hazard_kind not in HazardKind.values:
        raise _invalid("hazard_kind", _("请选择隐患类型。"), "required")
    description = _text(description, "description", _("情况描述"), 2000)
    spot = _text(spot, "spot", _("具体位置"), 120, required=False)
    lat, lng = _coordinates(lat, lng, coordinate_system)
    contact_name = _text(contact_name, "contact_name", _("联系人"), 40, required=False)
    contact_phone = (contact_phone or "").strip()
    if contact_phone:
        try:
            contact_phone = normalize_phone(contact_phone)
        except ValidationError as exc:
            raise _invalid("contact_phone", str(exc.messages[0]), "invalid_phone") from None
    stored = digest = None
    if photo:
        _kind, stored, digest = checked_upload(photo, field="photo", images_only=True)
    now = timezone.now()
    report = SafetyReport(
        number=_number(now),
        scope_unit_id=market.scope_unit_id,
        market=market,
        hazard_kind=hazard_kind,
        description=description,
        spot=spot,
        lat=lat,
        lng=lng,
        reporter=actor if signed_in(actor) else None,
        contact_name=contact_name,
        contact_phone=contact_phone,
        received_at=now,
    )
    if stored is not None:
        report.photo.save(stored.name, stored, save=False)
        report.photo_sha256 = digest
    report.save()
    person = actor if signed_in(actor) else None
    SAFETY_REPORT_WORKFLOW.record(report, to_status=report.status, actor=person)
    audit_record(actor=person, action=AuditAction.CREATE, obj=report, after=snapshot(report), request=request)
    _count_anon(actor, request)
    body = _("%(market)s有群众报告安全隐患（%(kind)s），编号 %(number)s，请及时核查。") % {
        "market": market.name,
        "kind": report.get_hazard_kind_display(),
        "number": report.number,
    }
    for user_id in _county_staff(market.scope_unit_id):
        notify(
            user_id,
            body,
            url=f"/admin/disputes/safetyreport/{report.pk}/change/",
            key=f"safety:{report.pk}:new",
        )
    return report


def _lock_for_triage(report, actor) -> SafetyReport:
    locked = SAFETY_REPORT_WORKFLOW.lock(
        report, queryset=SafetyReport.objects.visible_to(actor), select_related=("market",)
    )
    require_access(allowed=can_triage_safety(actor, locked), visible=True)
    return locked


def _hazards_text(report: SafetyReport) -> str:
    """What the inspection records of the report: the hazard, never who reported it."""
    where = f"（{report.spot}）" if report.spot else ""
    return f"{report.get_hazard_kind_display()}{where}：{report.description}"[:2000]


@transaction.atomic
def safety_report_triage(
    *,
    report: SafetyReport,
    actor,
    inspected_on: dt.date | None = None,
    findings: dict | None = None,
    inspector_names: str = "",
    notes: str = "",
    request=None,
) -> SafetyReport:
    """Open an inspection of the report's market through ``markets.services.inspection_record`` (findings per
    checklist item, graded by the markets rules) and link it to the report."""
    locked = _lock_for_triage(report, actor)
    SAFETY_REPORT_WORKFLOW.check(locked.status, SafetyReportStatus.INSPECTING)
    inspected_on = inspected_on or timezone.localdate()
    if inspected_on > timezone.localdate():
        raise _invalid("inspected_on", _("检查日期不能晚于今天。"))
    note = _("来源：群众隐患报告 %(number)s") % {"number": locked.number}
    inspection = market_services.inspection_record(
        market=locked.market,
        actor=actor,
        inspected_on=inspected_on,
        findings=findings or {},
        inspector_names=(inspector_names or "").strip()[:200],
        hazards=_hazards_text(locked),
        notes="\n".join(x for x in (note, (notes or "").strip()) if x),
        request=request,
    )
    locked.inspection = inspection
    locked.triaged_by, locked.triaged_at = actor, timezone.now()
    SAFETY_REPORT_WORKFLOW.move(
        locked,
        SafetyReportStatus.INSPECTING,
        actor=actor,
        reason=note,
        fields=("inspection", "triaged_by", "triaged_at"),
        audit={"inspection": inspection.pk},
        request=request,
    )
    _tell_reporter(
        locked,
        _("您报告的市场安全隐患（%(number)s）已转为对%(market)s的安全检查。")
        % {"number": locked.number, "market": locked.market.name},
        key=f"safety:{locked.pk}:inspecting",
    )
    return locked


@transaction.atomic
def safety_report_dismiss(*, report: SafetyReport, actor, reason: str, request=None) -> SafetyReport:
    """Not followed up (duplicate, not at a market, already fixed…), always with a reason the reporter reads."""
    locked = _lock_for_triage(report, actor)
    SAFETY_REPORT_WORKFLOW.check(locked.status, SafetyReportStatus.DISMISSED)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise _invalid("reason", _("请填写不予处理的理由。"), "reason_required")
    locked.dismiss_reason = _text(reason, "reason", _("不予处理理由"), 1000)
    locked.triaged_by, locked.triaged_at = actor, timezone.now()
    SAFETY_REPORT_WORKFLOW.move(
        locked,
        SafetyReportStatus.DISMISSED,
        actor=actor,
        reason=locked.dismiss_reason,
        fields=("dismiss_reason", "triaged_by", "triaged_at"),
        request=request,
    )
    _tell_reporter(
        locked,
        _("您报告的市场安全隐患（%(number)s）不予处理：%(reason)s")
        % {"number": locked.number, "reason": locked.dismiss_reason[:60]},
        key=f"safety:{locked.pk}:dismissed",
    )
    return locked


def _outcome(inspection) -> str:
    label = RiskAction(inspection.action).label
    if inspection.action == RiskAction.RECTIFY and inspection.rectify_deadline:
        label = _("%(what)s（%(date)s 前）") % {
            "what": label,
            "date": f"{inspection.rectify_deadline:%Y-%m-%d}",
        }
    return f"{label}：{inspection.action_reason}"[:300] if inspection.action_reason else str(label)


def _conclude(report: SafetyReport, *, actor, request=None) -> SafetyReport:
    inspection = report.inspection
    report.outcome = _outcome(inspection)
    report.concluded_at = timezone.now()
    SAFETY_REPORT_WORKFLOW.move(
        report,
        SafetyReportStatus.CONCLUDED,
        actor=actor,
        reason=report.outcome,
        fields=("outcome", "concluded_at"),
        request=request,
    )
    _tell_reporter(
        report,
        _("您报告的市场安全隐患（%(number)s）已处置：%(outcome)s")
        % {"number": report.number, "outcome": report.outcome[:80]},
        key=f"safety:{report.pk}:concluded",
    )
    return report


@transaction.atomic
def safety_report_decide(
    *,
    report: SafetyReport,
    actor,
    action: str,
    reason: str,
    rectify_deadline: dt.date | None = None,
    alternative: str = "",
    request=None,
) -> SafetyReport:
    """Decide the report's inspection through ``markets.services.inspection_decide`` (rectify by a deadline,
    suspend or ban the market: the markets workflow and its public notice), then tell the reporter."""
    locked = _lock_for_triage(report, actor)
    if locked.status != SafetyReportStatus.INSPECTING or locked.inspection_id is None:
        raise InvalidTransition(_("请先把报告转为安全检查。"), code="not_inspecting")
    inspection = market_services.inspection_decide(
        inspection=locked.inspection,
        action=action,
        actor=actor,
        reason=reason,
        rectify_deadline=rectify_deadline,
        alternative=alternative,
        request=request,
    )
    locked.inspection = inspection
    return _conclude(locked, actor=actor, request=request)


def safety_reports_conclude_decided(*, limit: int = 500) -> int:
    """Reports whose inspection was decided elsewhere (the markets admin) are concluded and their reporter
    told; acts as the named system user. Safe to run twice (a concluded report is left alone)."""
    done = 0
    ids = list(
        SafetyReport.objects.filter(status=SafetyReportStatus.INSPECTING)
        .exclude(inspection__action=RiskAction.NONE)
        .values_list("pk", flat=True)[:limit]
    )
    actor = system_user() if ids else None
    for pk in ids:
        with transaction.atomic():
            report = SAFETY_REPORT_WORKFLOW.lock(pk, select_related=("inspection",))
            if report.status != SafetyReportStatus.INSPECTING or not report.inspection.action:
                continue
            _conclude(report, actor=actor)
            done += 1
    return done


def photo_seen(*, report: SafetyReport, actor, request=None) -> None:
    """Staff looking at a report's photo is recorded (it may show people)."""
    if not signed_in(actor):
        raise NotPermitted()
    if report.reporter_id == actor.pk:
        return
    audit_record(
        actor=actor,
        action=AuditAction.REVEAL,
        obj=report,
        after={"photo": report.number},
        reason=_("查看隐患照片"),
        request=request,
    )
