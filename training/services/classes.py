"""Training services: classes (开班) — the institution's application for a catalogue item with its venue,
sessions and plans; county review; start, completion and cancellation; and the one predicate the enrollment
services ask before they take a worker (``open_for_enrollment``). Transactional, audited, through
``CLASS_WORKFLOW``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.permissions import require_access, signed_in
from core.scope import scope_of
from jobs.notifications import notify
from markets.choices import MarketStatus
from markets.models import Market

from ..choices import (
    ACTIVE_ENROLLMENT_STATUSES,
    MARKET_VENUES,
    ClassMode,
    ClassStatus,
    VenueKind,
)
from ..models import (
    CLASS_HOUR_MINUTES,
    CLASS_WORKFLOW,
    CatalogueItem,
    CatalogueRate,
    ClassSession,
    Institution,
    InstitutionMember,
    SignUpPoint,
    TrainingClass,
)

CLASS_FIELDS = (
    "item",
    "title",
    "subsidised",
    "mode",
    "online_platform",
    "venue_kind",
    "market",
    "venue_name",
    "venue_address",
    "venue_lat",
    "venue_lng",
    "geofence_m",
    "capacity",
    "waitlist_limit",
    "fee",
    "starts_on",
    "ends_on",
    "enrollment_closes_on",
    "teachers",
    "roster_plan",
    "exam_plan",
    "description",
)
EDITABLE_STATUSES = (ClassStatus.DRAFT, ClassStatus.RETURNED)
SESSION_ADD_STATUSES = (ClassStatus.DRAFT, ClassStatus.RETURNED, ClassStatus.RUNNING)


def _field_error(field: str, message, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


# --- reads others use ---------------------------------------------------------------------------------------


def rate_in_force(item: CatalogueItem, scope_unit_id: int | None, day: dt.date) -> CatalogueRate | None:
    """The catalogue rate in force on ``day`` for the county (``CatalogueRate.objects.in_force``)."""
    return CatalogueRate.objects.in_force(item.pk, scope_unit_id, day)


def enrollment_refusal(training_class: TrainingClass, *, today: dt.date | None = None) -> str | None:
    """Why the class takes no enrollment now, or None when it does (``TrainingClass.enrollment_refusal``)."""
    return training_class.enrollment_refusal(today)


def open_for_enrollment(training_class: TrainingClass, *, today: dt.date | None = None) -> None:
    """Raise ``InvalidTransition`` (409) with the rule's code and reason unless the class takes enrollments
    now (``TrainingClass.enrollment_block``). The institution's status is read afresh: the caller's row may
    carry one read before a suspension."""
    filed = Institution.objects.filter(pk=training_class.institution_id).filed().exists()
    block = training_class.enrollment_block(today, institution_filed=filed)
    if block:
        code, reason = block
        raise InvalidTransition(reason, code=code)


def class_hours_of(training_class: TrainingClass) -> int:
    return training_class.sessions.aggregate(total=Sum("class_hours"))["total"] or 0


# --- access -------------------------------------------------------------------------------------------------


def _admin_of(user, institution_id: int) -> bool:
    return bool(
        signed_in(user)
        and InstitutionMember.objects.filter(
            user_id=user.pk, institution_id=institution_id, is_admin=True
        ).exists()
    )


def is_class_staff(user, training_class: TrainingClass) -> bool:
    return bool(
        signed_in(user)
        and user.has_perm("training.change_trainingclass")
        and scope_of(user).covers(training_class.scope_unit_id)
    )


def _lock(training_class, actor):
    return CLASS_WORKFLOW.lock(
        training_class,
        queryset=TrainingClass.objects.visible_to(actor),
        select_related=("institution", "item"),
    )


def _lock_for_institution(training_class, actor):
    locked = _lock(training_class, actor)
    require_access(allowed=_admin_of(actor, locked.institution_id), visible=True)
    return locked


# --- cleaning -----------------------------------------------------------------------------------------------


def _text(data, field, max_length, *, required=False, label=""):
    value = str(data.get(field) or "").strip()
    if required and not value:
        raise _field_error(field, _("请填写%(label)s。") % {"label": label}, "required")
    if len(value) > max_length:
        raise _field_error(field, _("不能超过 %(n)s 个字。") % {"n": max_length}, "too_long")
    return value


def _int(data, field, *, default=None, minimum=0, maximum=None, label=""):
    value = data.get(field)
    if value in (None, ""):
        if default is None:
            raise _field_error(field, _("请填写%(label)s。") % {"label": label}, "required")
        return default
    try:
        value = int(value)
    except (TypeError, ValueError):
        raise _field_error(field, _("请填写整数。")) from None
    if value < minimum or (maximum is not None and value > maximum):
        raise _field_error(field, _("应在 %(a)s 到 %(b)s 之间。") % {"a": minimum, "b": maximum or "∞"})
    return value


def _float(data, field, lo, hi):
    value = data.get(field)
    if value in (None, ""):
        return None
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise _field_error(field, _("请填写数字。")) from None
    if not lo <= value <= hi:
        raise _field_error(field, _("坐标超出范围。"))
    return value


def _date(data, field, *, required=True, label=""):
    value = data.get(field)
    if value in (None, ""):
        if required:
            raise _field_error(field, _("请填写%(label)s。") % {"label": label}, "required")
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise _field_error(field, _("日期格式应为 YYYY-MM-DD。")) from None


def _clean_class(institution, data: dict) -> tuple[dict, list[SignUpPoint] | None]:
    values: dict = {}
    item = data.get("item")
    if not isinstance(item, CatalogueItem):
        item = CatalogueItem.objects.filter(pk=item, is_active=True).first() if item else None
    if item is None:
        raise _field_error("item", _("请选择培训目录中的项目。"), "required")
    values["item"] = item
    values["title"] = _text(data, "title", 100, required=True, label=_("班级名称"))
    values["subsidised"] = bool(data.get("subsidised", True))
    starts_on = _date(data, "starts_on", label=_("开班日期"))
    ends_on = _date(data, "ends_on", label=_("结业日期"))
    if ends_on < starts_on:
        raise _field_error("ends_on", _("结业日期不能早于开班日期。"))
    closes = _date(data, "enrollment_closes_on", required=False)
    if closes and closes > ends_on:
        raise _field_error("enrollment_closes_on", _("报名截止不能晚于结业日期。"))
    values.update(starts_on=starts_on, ends_on=ends_on, enrollment_closes_on=closes)
    values["capacity"] = _int(data, "capacity", minimum=1, maximum=1000, label=_("招生人数"))
    values["waitlist_limit"] = _int(data, "waitlist_limit", default=20, minimum=0, maximum=1000)
    try:
        fee = Decimal(str(data.get("fee") or "0"))
    except InvalidOperation:
        raise _field_error("fee", _("请填写金额。")) from None
    if fee < 0:
        raise _field_error("fee", _("请填写金额。"))
    values["fee"] = fee.quantize(Decimal("0.01"))
    for field in ("teachers", "roster_plan", "exam_plan", "description"):
        values[field] = _text(data, field, 2000 if field == "description" else 1000)

    mode = data.get("mode") or ClassMode.OFFLINE
    if mode not in ClassMode.values:
        raise _field_error("mode", _("培训方式无效。"))
    values["mode"] = mode
    points = None
    blank_venue = {
        "venue_kind": "",
        "market": None,
        "venue_name": "",
        "venue_address": "",
        "venue_lat": None,
        "venue_lng": None,
        "online_platform": "",
    }
    values.update(blank_venue)
    if mode == ClassMode.ONLINE:
        values["online_platform"] = _text(data, "online_platform", 100, required=True, label=_("线上平台"))
        values["scope_unit"] = institution.scope_unit
        points = []
    else:
        kind = data.get("venue_kind") or ""
        if kind not in VenueKind.values:
            raise _field_error("venue_kind", _("请选择场地类型。"), "required")
        values["venue_kind"] = kind
        values["geofence_m"] = _int(data, "geofence_m", default=200, minimum=20, maximum=2000)
        if kind in MARKET_VENUES:
            market = data.get("market")
            if not isinstance(market, Market):
                market = Market.objects.filter(pk=market).first() if market else None
            if market is None or market.status != MarketStatus.OPERATING:
                raise _field_error("market", _("请选择一个运营中的零工市场。"), "required")
            values["market"] = market
            values["venue_name"] = _text(data, "venue_name", 100) or market.name
            values["venue_address"] = _text(data, "venue_address", 200) or market.address
            lat, lng = _float(data, "venue_lat", -90, 90), _float(data, "venue_lng", -180, 180)
            values["venue_lat"] = market.lat if lat is None else lat
            values["venue_lng"] = market.lng if lng is None else lng
            values["scope_unit"] = market.scope_unit
            points = list(SignUpPoint.objects.filter(institution=institution, market=market, is_active=True))
        else:
            values["venue_name"] = _text(data, "venue_name", 100)
            values["venue_address"] = _text(data, "venue_address", 200, required=True, label=_("场地地址"))
            values["venue_lat"] = _float(data, "venue_lat", -90, 90)
            values["venue_lng"] = _float(data, "venue_lng", -180, 180)
            if values["venue_lat"] is None or values["venue_lng"] is None:
                raise _field_error("venue_lat", _("请填写场地坐标（用于签到范围）。"), "required")
            values["scope_unit"] = institution.scope_unit
            points = []
    if rate_in_force(item, values["scope_unit"].pk, starts_on) is None:
        raise _field_error(
            "item", _("该项目在开班日期没有本县（市、区）适用的补贴标准，不能开班。"), "no_rate_in_force"
        )
    return values, points


# --- writes -------------------------------------------------------------------------------------------------


@transaction.atomic
def class_save(institution, actor, data: dict, *, training_class: TrainingClass | None = None, request=None):
    """Create a draft class, or edit a draft or returned one, for the actor's institution."""
    if training_class is None:
        require_access(allowed=_admin_of(actor, institution.pk), visible=True)
        values, points = _clean_class(institution, data)
        training_class = TrainingClass(institution=institution, **values)
        training_class.save()
        before = None
    else:
        training_class = _lock_for_institution(training_class, actor)
        if training_class.status not in EDITABLE_STATUSES:
            raise InvalidTransition(_("只能修改草稿或退回的班级。"), code="class_not_editable")
        before = snapshot(training_class)
        values, points = _clean_class(training_class.institution, data)
        for field, value in values.items():
            setattr(training_class, field, value)
        training_class.save()
    if points is not None:
        training_class.signup_points.set(points)
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=training_class,
        before=before,
        after=snapshot(training_class),
        request=request,
    )
    return training_class


def _as_aware(value) -> dt.datetime:
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value)
        except ValueError:
            raise _field_error("starts_at", _("时间格式无效。")) from None
    if not isinstance(value, dt.datetime):
        raise _field_error("starts_at", _("请填写时间。"), "required")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


def session_hours(starts_at: dt.datetime, ends_at: dt.datetime) -> int:
    """Whole class hours (课时 of 45 minutes) between two times."""
    return int((ends_at - starts_at).total_seconds() // (CLASS_HOUR_MINUTES * 60))


@transaction.atomic
def session_add(
    training_class,
    actor,
    *,
    starts_at,
    ends_at,
    class_hours: int | None = None,
    topic: str = "",
    teacher: str = "",
    request=None,
) -> ClassSession:
    """A session before approval, or while the class runs. Its class hours are the whole 45-minute periods
    of its length, or the given figure when it fits in that length. Sessions of a class never overlap."""
    locked = _lock_for_institution(training_class, actor)
    if locked.status not in SESSION_ADD_STATUSES:
        raise InvalidTransition(_("班级审核中或已批准未开班时不能增加课次。"), code="class_not_editable")
    starts_at, ends_at = _as_aware(starts_at), _as_aware(ends_at)
    if ends_at <= starts_at:
        raise _field_error("ends_at", _("结束时间应晚于开始时间。"))
    fits = session_hours(starts_at, ends_at)
    if fits < 1:
        raise _field_error("ends_at", _("一个课次至少 45 分钟。"))
    if class_hours in (None, ""):
        class_hours = fits
    else:
        try:
            class_hours = int(class_hours)
        except (TypeError, ValueError):
            raise _field_error("class_hours", _("请填写整数。")) from None
        if not 1 <= class_hours <= fits:
            raise _field_error(
                "class_hours",
                _("该时段最多 %(n)s 课时（每课时 45 分钟）。") % {"n": fits},
                "class_hours_exceed_length",
            )
    if locked.sessions.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise _field_error("starts_at", _("与本班已有课次时间重叠。"), "session_overlap")
    session = ClassSession.objects.create(
        training_class=locked,
        starts_at=starts_at,
        ends_at=ends_at,
        class_hours=class_hours,
        topic=(topic or "").strip()[:100],
        teacher=(teacher or "").strip()[:64],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=session,
        after=snapshot(session, ["starts_at", "ends_at", "class_hours", "topic", "teacher"]),
        request=request,
        scope_unit_id=locked.scope_unit_id,
    )
    return session


@transaction.atomic
def session_remove(training_class, actor, *, session_id: int, request=None) -> None:
    locked = _lock_for_institution(training_class, actor)
    if locked.status not in EDITABLE_STATUSES:
        raise InvalidTransition(_("只有草稿或退回的班级可以删除课次。"), code="class_not_editable")
    session = locked.sessions.filter(pk=session_id).first()
    if session is None:
        raise _field_error("session", _("未找到该课次。"), "not_found")
    before = snapshot(session, ["starts_at", "ends_at", "class_hours", "topic"])
    session.delete()
    audit_record(
        actor=actor, action=AuditAction.DELETE, obj=locked, before={"session": before}, request=request
    )


@transaction.atomic
def class_submit(training_class, actor, *, request=None) -> TrainingClass:
    """Only a filed institution submits; the class has sessions whose class hours reach the catalogue rate's
    minimum in force on its start date for its county."""
    locked = _lock_for_institution(training_class, actor)
    if not locked.institution.is_filed:
        raise InvalidTransition(_("机构备案后才能提交开班申请。"), code="institution_not_filed")
    rate = rate_in_force(locked.item, locked.scope_unit_id, locked.starts_on)
    if rate is None:
        raise _field_error(
            "item", _("该项目在开班日期没有本县（市、区）适用的补贴标准，不能开班。"), "no_rate_in_force"
        )
    if not locked.sessions.exists():
        raise _field_error("sessions", _("请先安排课次。"), "no_sessions")
    hours = class_hours_of(locked)
    if hours < rate.min_class_hours:
        raise _field_error(
            "sessions",
            _("课次合计 %(hours)s 课时，少于目录要求的 %(min)s 课时。")
            % {"hours": hours, "min": rate.min_class_hours},
            "class_hours_below_minimum",
        )
    locked.submitted_at = timezone.now()
    return CLASS_WORKFLOW.move(
        locked,
        ClassStatus.SUBMITTED,
        actor=actor,
        fields=["submitted_at"],
        audit={"class_hours": hours, "min_class_hours": rate.min_class_hours},
        request=request,
    )


@transaction.atomic
def class_review(training_class, actor, approve: bool, note: str = "", *, request=None) -> TrainingClass:
    """County staff of the class's county approve it or return it with a note."""
    locked = _lock(training_class, actor)
    require_access(allowed=is_class_staff(actor, locked), visible=True)
    note = (note or "").strip()[:300]
    if not approve and not note:
        raise _field_error("note", _("退回时请写明需要修改的内容。"), "required")
    if approve and not locked.institution.is_filed:
        raise InvalidTransition(_("该机构当前未处于备案状态，不能批准开班。"), code="institution_not_filed")
    locked.reviewed_by = actor if getattr(actor, "pk", None) else None
    locked.reviewed_at = timezone.now()
    locked.review_note = note
    CLASS_WORKFLOW.move(
        locked,
        ClassStatus.APPROVED if approve else ClassStatus.RETURNED,
        actor=actor,
        reason=note,
        fields=["reviewed_by", "reviewed_at", "review_note"],
        request=request,
    )
    text = _("开班申请“%(title)s”已批准。") if approve else _("开班申请“%(title)s”被退回：%(note)s")
    for user_id in locked.institution.members.filter(is_admin=True).values_list("user_id", flat=True):
        notify(user_id, text % {"title": locked.title, "note": note})
    return locked


@transaction.atomic
def class_start(training_class, actor, *, request=None) -> TrainingClass:
    """The institution starts an approved class (only while it is filed)."""
    locked = _lock_for_institution(training_class, actor)
    if not locked.institution.is_filed:
        raise InvalidTransition(_("该机构当前未处于备案状态，不能开班。"), code="institution_not_filed")
    return CLASS_WORKFLOW.move(locked, ClassStatus.RUNNING, actor=actor, request=request)


@transaction.atomic
def class_complete(training_class, actor, *, now: dt.datetime | None = None, request=None) -> TrainingClass:
    """A running class is completed once its last session has ended."""
    locked = _lock_for_institution(training_class, actor)
    last = locked.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    if last is None or (now or timezone.now()) < last:
        raise InvalidTransition(_("最后一次课结束后才能结业。"), code="sessions_not_over")
    return CLASS_WORKFLOW.move(locked, ClassStatus.COMPLETED, actor=actor, request=request)


@transaction.atomic
def class_cancel(training_class, actor, reason: str, *, request=None) -> TrainingClass:
    """The institution or the county's staff cancel an approved or running class; its enrolled and
    waiting workers are told."""
    locked = _lock(training_class, actor)
    require_access(
        allowed=_admin_of(actor, locked.institution_id) or is_class_staff(actor, locked), visible=True
    )
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", _("请写明取消原因。"), "required")
    CLASS_WORKFLOW.move(locked, ClassStatus.CANCELLED, actor=actor, reason=reason[:300], request=request)
    workers = locked.enrollments.filter(status__in=ACTIVE_ENROLLMENT_STATUSES).values_list(
        "worker_id", flat=True
    )
    for worker_id in workers:
        notify(
            worker_id,
            _("您报名的培训班“%(title)s”已取消：%(reason)s") % {"title": locked.title, "reason": reason},
            key=f"training-class:{locked.pk}:cancelled:{worker_id}",
        )
    return locked
