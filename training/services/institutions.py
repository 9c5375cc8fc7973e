"""Training services: institutions — applying to be filed (备案), county review, resubmission, suspension,
reinstatement and revocation, grading and spot checks, the institution's members, and its sign-up points
and classrooms inside markets. Every write is transactional and audited; workflow steps go through
``INSTITUTION_WORKFLOW``; county staff act only in their scope (404 outside it)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import uscc as std_uscc
from stdnum.exceptions import ValidationError as StdnumError

from accounts.choices import Role
from accounts.models import RoleGrant, User
from accounts.scans import reencode_scan
from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.models import ScopeUnit
from core.permissions import require_access, signed_in
from core.scope import scope_of
from jobs.notifications import notify
from markets.choices import MarketStatus
from markets.models import Market

from ..choices import InstitutionGrade, InstitutionStatus, SignUpPointKind, SpotCheckResult
from ..models import INSTITUTION_WORKFLOW, Institution, InstitutionMember, SignUpPoint, SpotCheck

# what an applicant fills in (one field list shared by the service, the page's form and the API)
INSTITUTION_FIELDS = (
    "name",
    "uscc",
    "licence_number",
    "scope_unit",
    "address",
    "contact_name",
    "contact_phone",
    "description",
)
SIGNUP_POINT_FIELDS = ("market", "kind", "location", "opening_hours", "seats")
PDF_MAGIC = b"%PDF-"


def _field_error(field: str, message, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


# --- access -------------------------------------------------------------------------------------------------


def is_county_staff_for(user, unit_id: int | None) -> bool:
    """County staff of ``unit_id`` (or city staff) with the change permission on institutions."""
    return bool(
        signed_in(user) and user.has_perm("training.change_institution") and scope_of(user).covers(unit_id)
    )


def admin_membership(user, institution: Institution) -> InstitutionMember | None:
    if not signed_in(user):
        return None
    return InstitutionMember.objects.filter(
        user_id=user.pk, institution_id=institution.pk, is_admin=True
    ).first()


def _visible_institutions(user):
    return Institution.objects.visible_to(user)


# --- checking what the applicant sends ----------------------------------------------------------------------


def clean_uscc(value: str) -> str:
    """The unified social credit code, compact and checked (GB 32100-2015), or a field error."""
    try:
        return std_uscc.validate(value or "")
    except StdnumError:
        raise _field_error("uscc", _("统一社会信用代码无效，请核对 18 位代码。"), "uscc_invalid") from None


def clean_licence_scan(upload) -> ContentFile:
    """The licence scan by its content: a JPEG or PNG image (re-encoded, metadata dropped) or a PDF document
    (its header and end marker, nothing executable accepted by name alone). Never by the file's name."""
    limit = settings.LINGONG_CONSENT_SCAN_MAX_BYTES
    if upload is None or not getattr(upload, "size", 0):
        raise _field_error("licence_scan", _("请上传办学许可证或营业执照的扫描件。"), "scan_required")
    if upload.size > limit:
        raise _field_error(
            "licence_scan",
            _("文件过大（上限 %(mb)s MB）。") % {"mb": round(limit / 1024 / 1024, 1)},
            "scan_too_large",
        )
    upload.seek(0)
    head = upload.read(len(PDF_MAGIC))
    upload.seek(0)
    if head == PDF_MAGIC:
        data = upload.read(limit + 1)
        if b"%%EOF" not in data[-1024:]:
            raise _field_error("licence_scan", _("PDF 文件不完整，请重新上传。"), "scan_type")
        return ContentFile(data, name=f"{uuid.uuid4().hex}.pdf")
    try:
        return reencode_scan(upload)
    except ValidationError:
        raise _field_error(
            "licence_scan", _("只能上传 JPEG、PNG 图片或 PDF 文件（许可证扫描件）。"), "scan_type"
        ) from None


def _clean_institution(data: dict, *, instance: Institution | None = None) -> dict:
    values = {}
    labels = {
        "name": _("机构名称"),
        "licence_number": _("许可证或执照编号"),
        "address": _("地址"),
        "contact_name": _("联系人"),
        "contact_phone": _("咨询电话"),
    }
    for field, label in labels.items():
        value = (data.get(field) or "").strip()
        if not value:
            raise _field_error(field, _("请填写%(label)s。") % {"label": label}, "required")
        max_length = Institution._meta.get_field(field).max_length
        if len(value) > max_length:
            raise _field_error(field, _("不能超过 %(n)s 个字。") % {"n": max_length}, "too_long")
        values[field] = value
    values["description"] = (data.get("description") or "").strip()[:2000]
    values["uscc"] = clean_uscc(data.get("uscc", ""))
    taken = Institution.objects.filter(uscc=values["uscc"])
    if instance is not None:
        taken = taken.exclude(pk=instance.pk)
    if taken.exists():
        raise _field_error("uscc", _("该统一社会信用代码的机构已经申请过备案。"), "uscc_taken")
    unit = data.get("scope_unit")
    if not isinstance(unit, ScopeUnit):
        unit = ScopeUnit.objects.filter(pk=unit).first() if unit else None
    if unit is None:
        raise _field_error("scope_unit", _("请选择所属县（市、区）。"), "required")
    values["scope_unit"] = unit
    return values


# --- applying and review ------------------------------------------------------------------------------------


@transaction.atomic
def institution_apply(user, data: dict, licence_scan, *, request=None) -> Institution:
    """Anyone signed in applies for their institution: they get the training-institution role (no scope)
    and become its first member and administrator."""
    if not signed_in(user):
        raise NotPermitted(_("请先登录。"))
    if InstitutionMember.objects.filter(user_id=user.pk).exists():
        raise InvalidTransition(_("您已是一家培训机构的人员，不能再申请新机构。"), code="already_member")
    values = _clean_institution(data)
    scan = clean_licence_scan(licence_scan)
    institution = Institution(**values, status=InstitutionStatus.APPLIED)
    institution.licence_scan.save(scan.name, scan, save=False)
    try:
        with transaction.atomic():
            institution.save()
    except IntegrityError:  # the same code applied for twice at once: the check above lost the race
        institution.licence_scan.delete(save=False)
        raise _field_error("uscc", _("该统一社会信用代码的机构已经申请过备案。"), "uscc_taken") from None
    InstitutionMember.objects.create(institution=institution, user=user, is_admin=True)
    RoleGrant.objects.get_or_create(user=user, role=Role.TRAINING_INSTITUTION)
    if hasattr(user, "forget_grants"):
        user.forget_grants()
    INSTITUTION_WORKFLOW.record(institution, to_status=InstitutionStatus.APPLIED, actor=user)
    audit_record(
        actor=user, action=AuditAction.CREATE, obj=institution, after=snapshot(institution), request=request
    )
    return institution


def _lock_for_staff(institution, actor):
    locked = INSTITUTION_WORKFLOW.lock(institution, queryset=_visible_institutions(actor))
    require_access(allowed=is_county_staff_for(actor, locked.scope_unit_id), visible=True)
    return locked


def _filing_number(institution: Institution) -> str:
    year = timezone.localdate().year
    return f"PX{institution.scope_unit.code}{year}{institution.pk:05d}"


@transaction.atomic
def institution_review(institution, actor, file: bool, note: str = "", *, request=None) -> Institution:
    """County staff of the institution's county file it (备案, with a filing number) or return it with a
    note saying what to correct."""
    locked = _lock_for_staff(institution, actor)
    note = (note or "").strip()[:300]
    locked.reviewed_by = actor if getattr(actor, "pk", None) else None
    locked.review_note = note
    if file:
        locked.filing_number = locked.filing_number or _filing_number(locked)
        locked.filed_at = timezone.now()
        INSTITUTION_WORKFLOW.move(
            locked,
            InstitutionStatus.FILED,
            actor=actor,
            reason=note,
            fields=["filing_number", "filed_at", "reviewed_by", "review_note"],
            request=request,
        )
        text = _("您的培训机构“%(name)s”已备案，备案编号 %(number)s。")
    else:
        if not note:
            raise _field_error("note", _("退回时请写明需要修改的内容。"), "required")
        INSTITUTION_WORKFLOW.move(
            locked,
            InstitutionStatus.RETURNED,
            actor=actor,
            reason=note,
            fields=["reviewed_by", "review_note"],
            request=request,
        )
        text = _("您的培训机构“%(name)s”备案申请被退回：%(note)s")
    _tell_admins(locked, text % {"name": locked.name, "number": locked.filing_number, "note": note})
    return locked


def _tell_admins(institution: Institution, text: str) -> None:
    for user_id in institution.members.filter(is_admin=True).values_list("user_id", flat=True):
        notify(user_id, text)


@transaction.atomic
def institution_resubmit(institution, actor, data: dict | None = None, licence_scan=None, *, request=None):
    """The institution's administrator corrects a returned application and sends it again."""
    locked = INSTITUTION_WORKFLOW.lock(institution, queryset=_visible_institutions(actor))
    require_access(allowed=admin_membership(actor, locked) is not None, visible=True)
    before = snapshot(locked)
    fields = []
    if data:
        values = _clean_institution(
            {**{f: getattr(locked, f) for f in INSTITUTION_FIELDS}, **data}, instance=locked
        )
        for field, value in values.items():
            setattr(locked, field, value)
        fields.extend(values)
    if licence_scan is not None:
        scan = clean_licence_scan(licence_scan)
        locked.licence_scan.save(scan.name, scan, save=False)
        fields.append("licence_scan")
    INSTITUTION_WORKFLOW.move(
        locked,
        InstitutionStatus.APPLIED,
        actor=actor,
        fields=fields,
        request=request,
        audit={"before": before},
    )
    return locked


def _staff_step(institution, actor, to_status: str, reason: str, request=None) -> Institution:
    reason = (reason or "").strip()
    if not reason:
        raise _field_error("reason", _("请写明原因。"), "required")
    locked = _lock_for_staff(institution, actor)
    INSTITUTION_WORKFLOW.move(locked, to_status, actor=actor, reason=reason[:300], request=request)
    return locked


@transaction.atomic
def institution_suspend(institution, actor, reason: str, *, request=None) -> Institution:
    """Suspended: its open classes stop taking enrollments (``classes.open_for_enrollment``)."""
    locked = _staff_step(institution, actor, InstitutionStatus.SUSPENDED, reason, request)
    _tell_admins(
        locked, _("您的培训机构“%(name)s”已被暂停：%(reason)s") % {"name": locked.name, "reason": reason}
    )
    return locked


@transaction.atomic
def institution_reinstate(institution, actor, reason: str, *, request=None) -> Institution:
    return _staff_step(institution, actor, InstitutionStatus.FILED, reason, request)


@transaction.atomic
def institution_revoke(institution, actor, reason: str, *, request=None) -> Institution:
    locked = _staff_step(institution, actor, InstitutionStatus.REVOKED, reason, request)
    _tell_admins(
        locked, _("您的培训机构“%(name)s”备案已被撤销：%(reason)s") % {"name": locked.name, "reason": reason}
    )
    return locked


@transaction.atomic
def institution_grade(institution, actor, grade: str, *, request=None) -> Institution:
    if grade not in InstitutionGrade.values:
        raise _field_error("grade", _("评估等级无效。"))
    locked = _lock_for_staff(institution, actor)
    before = {"grade": locked.grade}
    locked.grade = grade
    locked.save(update_fields=["grade", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=before,
        after={"grade": grade},
        request=request,
    )
    return locked


@transaction.atomic
def spot_check_record(
    institution,
    actor,
    *,
    checked_on,
    result: str,
    findings: str = "",
    training_class=None,
    trainees_present: int | None = None,
    request=None,
) -> SpotCheck:
    locked = _lock_for_staff(institution, actor)
    if result not in SpotCheckResult.values:
        raise _field_error("result", _("请选择抽查结论。"), "required")
    if training_class is not None and training_class.institution_id != locked.pk:
        raise _field_error("training_class", _("该班级不属于此机构。"))
    check = SpotCheck.objects.create(
        institution=locked,
        training_class=training_class,
        checked_on=checked_on,
        checked_by=actor,
        result=result,
        findings=(findings or "").strip()[:2000],
        trainees_present=trainees_present,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=check, after=snapshot(check), request=request)
    return check


# --- members ------------------------------------------------------------------------------------------------


def _require_admin(actor, institution) -> Institution:
    visible = _visible_institutions(actor).filter(pk=institution.pk).first() if signed_in(actor) else None
    require_access(
        allowed=visible is not None and admin_membership(actor, visible) is not None,
        visible=visible is not None,
    )
    return visible


@transaction.atomic
def member_add(institution, actor, *, phone: str, teacher: bool = True, admin: bool = False, request=None):
    """The institution's administrator adds a person with an existing account (by their mobile number)."""
    institution = _require_admin(actor, institution)
    phone = (phone or "").strip()
    person = User.objects.filter(phone=phone, is_active=True).first() if phone else None
    if person is None:
        raise _field_error("phone", _("没有找到使用该手机号的账号，请对方先注册。"), "not_found")
    if InstitutionMember.objects.filter(user=person).exists():
        raise _field_error("phone", _("该账号已是培训机构人员。"), "already_member")
    member = InstitutionMember.objects.create(
        institution=institution, user=person, is_admin=admin, is_teacher=teacher
    )
    RoleGrant.objects.get_or_create(
        user=person, role=Role.TRAINING_INSTITUTION, defaults={"granted_by": actor}
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=institution,
        after={"member_user_id": person.pk, "is_admin": admin, "is_teacher": teacher},
        request=request,
    )
    return member


@transaction.atomic
def member_remove(institution, actor, *, member_id: int, request=None) -> None:
    institution = _require_admin(actor, institution)
    member = InstitutionMember.objects.filter(institution=institution, pk=member_id).first()
    if member is None:
        raise _field_error("member", _("未找到该人员。"), "not_found")
    if member.user_id == actor.pk:
        raise _field_error("member", _("不能移除自己。"), "self")
    user_id = member.user_id
    member.delete()
    RoleGrant.objects.filter(user_id=user_id, role=Role.TRAINING_INSTITUTION).delete()
    audit_record(
        actor=actor,
        action=AuditAction.DELETE,
        obj=institution,
        before={"member_user_id": user_id},
        request=request,
    )


# --- sign-up points -----------------------------------------------------------------------------------------


@transaction.atomic
def signup_point_save(institution, actor, data: dict, *, point: SignUpPoint | None = None, request=None):
    """A filed institution's administrator opens (or edits) a sign-up point or classroom at an operating
    market of any county (that market's county staff see it)."""
    institution = _require_admin(actor, institution)
    if not institution.is_filed:
        raise InvalidTransition(_("机构备案后才能设立报名点。"), code="institution_not_filed")
    market = data.get("market")
    if not isinstance(market, Market):
        market = Market.objects.filter(pk=market).first() if market else None
    if market is None or market.status != MarketStatus.OPERATING:
        raise _field_error("market", _("请选择一个运营中的零工市场。"), "required")
    kind = data.get("kind") or SignUpPointKind.SIGNUP
    if kind not in SignUpPointKind.values:
        raise _field_error("kind", _("类型无效。"))
    location = (data.get("location") or "").strip()
    if not location:
        raise _field_error("location", _("请填写在市场内的位置。"), "required")
    seats = data.get("seats")
    if seats in ("", None):
        seats = None
    else:
        try:
            seats = int(seats)
        except (TypeError, ValueError):
            raise _field_error("seats", _("请填写整数。")) from None
        if seats < 0:
            raise _field_error("seats", _("请填写整数。"))
    if point is not None:
        point = SignUpPoint.objects.select_for_update().get(pk=point.pk, institution=institution)
        before = snapshot(point)
    else:
        point = SignUpPoint(institution=institution)
        before = None
    point.market = market
    point.kind = kind
    point.location = location[:100]
    point.opening_hours = (data.get("opening_hours") or "").strip()[:100]
    point.seats = seats
    point.is_active = True
    point.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=point,
        before=before,
        after=snapshot(point),
        request=request,
    )
    return point


@transaction.atomic
def signup_point_close(point: SignUpPoint, actor, *, request=None) -> SignUpPoint:
    institution = _require_admin(actor, point.institution)
    point = SignUpPoint.objects.select_for_update().get(pk=point.pk, institution=institution)
    point.is_active = False
    point.save(update_fields=["is_active", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=point,
        before={"is_active": True},
        after={"is_active": False},
        request=request,
    )
    return point
