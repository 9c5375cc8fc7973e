"""Training services: attendance that cannot be faked.

- **Rotating QR.** The code shown in the classroom is ``HMAC-SHA256(SECRET_KEY + session.qr_secret,
  "<session pk>:<step>")`` cut to 16 hex characters, where ``step = floor(unix time / period)`` and the period
  is ``LINGONG_TRAINING_QR_SECONDS`` (≤ 30 s). The code of the current step and of the previous one are
  accepted (a scan at the edge of a period), nothing older: a photo of the screen expires within a minute.
- **Window.** Sign-in opens ``LINGONG_TRAINING_SIGNIN_OPENS_MINUTES`` before the session starts and closes
  at its end.
- **Geofence.** An offline class takes a sign-in only within its ``geofence_m`` of the venue (haversine,
  ``core.geo``); a position typed by hand (the no-JavaScript fallback) is accepted inside the fence but
  flagged for the teacher. An online class has no fence: its sign-in is by the code only.
- **One device per person per session.** The sign-in page keeps a random device id in a long-lived cookie;
  only its keyed hash is stored. The rule: a device that signed in one trainee is refused for a second one
  in the same session, and the refused attempt is recorded (``SignInAttempt``) so that the teacher sees
  "this device tried to sign in X". Nothing else is written on a refusal.
- **Statuses as data.** Present, or the ``late_after_minutes`` status when signed in later than that after
  the start; teacher and counter marks choose any status. ``Enrollment.hours_attended`` is the sum of the
  class hours of the sessions whose status counts hours, recomputed in the same transaction as each mark.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scans import reencode_scan
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.geo import haversine_km
from core.permissions import require_access, signed_in
from core.scope import scope_of
from jobs.permissions import may_act_for

from ..choices import OPEN_CLASS_STATUSES, AttendanceMethod, ClassMode, ClassStatus, EnrollmentStatus
from ..models import (
    Attendance,
    AttendanceStatus,
    ClassSession,
    Enrollment,
    SignInAttempt,
    TrainingClass,
)
from ..permissions import is_member, membership

TOKEN_LENGTH = 16
PRESENT = "present"
DEVICE_COOKIE = "lingong_training_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600


# --- the rotating code --------------------------------------------------------------------------------------


def qr_period() -> int:
    return max(1, min(30, int(settings.LINGONG_TRAINING_QR_SECONDS)))


def qr_step(now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return math.floor(now.timestamp() / qr_period())


def qr_token(session: ClassSession, step: int) -> str:
    key = (settings.SECRET_KEY + session.qr_secret).encode()
    return hmac.new(key, f"{session.pk}:{step}".encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


@dataclass(frozen=True)
class CurrentCode:
    token: str
    expires_at: dt.datetime


def qr_current(session: ClassSession, now: dt.datetime | None = None) -> CurrentCode:
    """The code to show now and when the screen should change it."""
    step = qr_step(now)
    expires = dt.datetime.fromtimestamp((step + 1) * qr_period(), tz=dt.UTC)
    return CurrentCode(token=qr_token(session, step), expires_at=expires)


def qr_token_valid(session: ClassSession, token: str, now: dt.datetime | None = None) -> bool:
    """The code of the current step or the previous one, compared in constant time."""
    token = (token or "").strip().lower()
    if len(token) != TOKEN_LENGTH:
        return False
    step = qr_step(now)
    return any(hmac.compare_digest(qr_token(session, s), token) for s in (step, step - 1))


def device_hash(device_id: str) -> str:
    """The stored form of a device id: keyed (the raw id never leaves the cookie)."""
    key = (settings.SECRET_KEY + ":training-device").encode()
    return hmac.new(key, (device_id or "").encode(), hashlib.sha256).hexdigest()


def signin_window(session: ClassSession) -> tuple[dt.datetime, dt.datetime]:
    opens = session.starts_at - dt.timedelta(minutes=settings.LINGONG_TRAINING_SIGNIN_OPENS_MINUTES)
    return opens, session.ends_at


# --- who may mark -------------------------------------------------------------------------------------------


def is_class_teacher(user, training_class: TrainingClass) -> bool:
    """A teacher or administrator of the class's institution."""
    member = membership(user)
    return bool(
        member
        and member.institution_id == training_class.institution_id
        and (member.is_teacher or member.is_admin)
    )


def is_class_staff(user, training_class: TrainingClass, perm: str = "training.change_attendance") -> bool:
    """County staff whose scope covers the class (city staff: every class) with the permission."""
    return bool(
        signed_in(user) and scope_of(user).covers(training_class.scope_unit_id) and user.has_perm(perm)
    )


def may_see_class(user, training_class: TrainingClass) -> bool:
    """The institution's members and scoped staff (the attendance sheet, the photos, the QR screen)."""
    return is_member(user, training_class.institution_id) or (
        signed_in(user) and scope_of(user).covers(training_class.scope_unit_id)
    )


def attendance_visible_to(user):
    """Attendance rows a user may read: their own, their institution's, their scope's."""
    return Attendance.objects.filter(enrollment__in=Enrollment.objects.visible_to(user).values("pk"))


# --- internals ----------------------------------------------------------------------------------------------


def _status(code: str) -> AttendanceStatus:
    found = AttendanceStatus.objects.filter(code=code).first()
    if found is None:
        raise DomainError(
            _("没有这个考勤状态。"), code="invalid_status", fields={"status": [_("无效的状态。")]}
        )
    return found


def _qr_status(session: ClassSession, signed_at: dt.datetime) -> AttendanceStatus:
    """Present, or the status with the largest ``late_after_minutes`` that the sign-in is later than."""
    minutes_late = (signed_at - session.starts_at).total_seconds() / 60
    late = [
        s
        for s in AttendanceStatus.objects.filter(late_after_minutes__isnull=False).order_by(
            "-late_after_minutes"
        )
        if minutes_late > s.late_after_minutes
    ]
    return late[0] if late else _status(PRESENT)


def _refresh_hours(enrollment: Enrollment) -> int:
    """Recompute the enrollment's hours from its marks (the caller holds the enrollment row's lock)."""
    hours = (
        Attendance.objects.filter(enrollment=enrollment, status__counts_hours=True).aggregate(
            h=Sum("session__class_hours")
        )["h"]
        or 0
    )
    if enrollment.hours_attended != hours:
        enrollment.hours_attended = hours
        enrollment.save(update_fields=["hours_attended", "updated_at"])
    return hours


def _lock_enrollment(pk) -> Enrollment:
    found = (
        Enrollment.objects.select_for_update(of=("self",))
        .select_related("training_class", "worker")
        .filter(pk=getattr(pk, "pk", pk))
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _photo(photo) -> tuple:
    """The re-encoded photo and its sha256, or (None, "")."""
    if photo is None:
        return None, ""
    try:
        content = reencode_scan(photo)
    except ValidationError as exc:
        message = exc.messages[0]
        raise DomainError(message, code="invalid_photo", fields={"photo": [message]}) from None
    digest = hashlib.sha256(content.read()).hexdigest()
    content.seek(0)
    return content, digest


class _DeviceConflict(Exception):
    def __init__(self, attempt: dict):
        self.attempt = attempt


# --- sign-in by the rotating code ---------------------------------------------------------------------------


def qr_sign_in(
    *,
    session: ClassSession,
    worker,
    token: str,
    lat: float | None = None,
    lng: float | None = None,
    device_id: str = "",
    photo=None,
    manual_position: bool = False,
    now: dt.datetime | None = None,
    request=None,
) -> Attendance:
    """The worker signs in to a session with the code on the classroom screen. Refused (DomainError, nothing
    written) without an enrolled place, outside the window, with an expired code, outside the geofence or
    without a device id; a device that already signed in someone else in this session is refused too and
    the attempt recorded. A repeated sign-in returns the row already there."""
    try:
        return _qr_sign_in(
            session=session,
            worker=worker,
            token=token,
            lat=lat,
            lng=lng,
            device_id=device_id,
            photo=photo,
            manual_position=manual_position,
            now=now,
            request=request,
        )
    except _DeviceConflict as conflict:
        with transaction.atomic():
            SignInAttempt.objects.create(**conflict.attempt)
        raise DomainError(
            _(
                "这部手机已为其他学员签到，一部手机每节课只能为一人签到。本次尝试已记录，请用本人手机签到或请老师登记。"
            ),
            code="device_used",
            fields={"device_id": [_("该设备本节课已为其他学员签到。")]},
        ) from None


@transaction.atomic
def _qr_sign_in(*, session, worker, token, lat, lng, device_id, photo, manual_position, now, request):
    now = now or timezone.now()
    if not signed_in(worker):
        raise NotPermitted(_("请先登录。"))
    session = ClassSession.objects.select_related("training_class").filter(pk=session.pk).first()
    if session is None:
        raise NotFound()
    training_class = session.training_class
    enrollment = Enrollment.objects.filter(
        training_class=training_class, worker=worker, status=EnrollmentStatus.ENROLLED
    ).first()
    if enrollment is None:
        raise NotPermitted(_("您没有报名这个班，不能签到。"), code="not_enrolled")
    enrollment = _lock_enrollment(enrollment)
    existing = (
        Attendance.objects.filter(session=session, enrollment=enrollment).select_related("status").first()
    )
    if existing is not None:
        return existing
    if training_class.status not in OPEN_CLASS_STATUSES:
        raise InvalidTransition(_("这个班现在不能签到。"), code="class_not_running")
    opens, closes = signin_window(session)
    if now < opens:
        raise DomainError(
            _("还没到签到时间，请在 %(t)s 以后签到。") % {"t": f"{timezone.localtime(opens):%H:%M}"},
            code="signin_not_open",
        )
    if now > closes:
        raise DomainError(_("这节课已经结束，不能再签到。请联系老师登记。"), code="signin_closed")
    if not qr_token_valid(session, token, now):
        raise DomainError(
            _("签到码已过期，请扫描教室屏幕上的最新二维码"),
            code="token_expired",
            fields={"token": [_("签到码无效或已过期。")]},
        )
    distance_m = None
    flagged, flag_reason = False, ""
    if training_class.mode != ClassMode.ONLINE:
        if lat is None or lng is None:
            raise DomainError(
                _("没有取得您的位置：请在手机上允许定位后再签到，或请老师登记。"),
                code="position_required",
                fields={"lat": [_("必填。")], "lng": [_("必填。")]},
            )
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise DomainError(_("位置无效。"), code="invalid_position", fields={"lat": [_("位置无效。")]})
        if training_class.venue_lat is None or training_class.venue_lng is None:
            raise DomainError(_("这个班没有登记上课地点的位置，请老师登记考勤。"), code="venue_unknown")
        distance_m = round(haversine_km(lat, lng, training_class.venue_lat, training_class.venue_lng) * 1000)
        if distance_m > training_class.geofence_m:
            raise DomainError(
                _("您距上课地点约 %(d)s 米，超出签到范围（%(r)s 米），请到教室后再签到。")
                % {"d": distance_m, "r": training_class.geofence_m},
                code="outside_geofence",
                fields={"lat": [_("不在签到范围内。")]},
            )
        if manual_position:
            flagged, flag_reason = True, _("位置为手动填写，未经手机定位")
    device_id = (device_id or "").strip()
    if len(device_id) < 16:
        raise DomainError(
            _("没有识别到您的手机，请打开签到页面后再提交（浏览器须允许保存Cookie）。"),
            code="device_required",
            fields={"device_id": [_("必填。")]},
        )
    fingerprint = device_hash(device_id)
    other = Attendance.objects.filter(session=session, device_hash=fingerprint).first()
    if other is not None:
        raise _DeviceConflict(
            {
                "session": session,
                "enrollment": enrollment,
                "device_of": other,
                "device_hash": fingerprint,
                "reason": _("该设备本节课已为其他学员签到"),
                "attempted_at": now,
            }
        )
    content, digest = _photo(photo)
    status = _qr_status(session, now)
    attendance = Attendance(
        session=session,
        enrollment=enrollment,
        status=status,
        method=AttendanceMethod.QR,
        signed_at=now,
        lat=lat,
        lng=lng,
        distance_m=distance_m,
        device_hash=fingerprint,
        photo_sha256=digest,
        flagged=flagged,
        flag_reason=flag_reason,
    )
    if content is not None:
        attendance.photo.save(content.name, content, save=False)
    try:
        with transaction.atomic():
            attendance.save()
    except IntegrityError:
        # a concurrent sign-in of the same person, or from the same device for someone else, got there first
        # (its row is committed once the unique index lets this insert fail)
        if content is not None:
            attendance.photo.delete(save=False)
        mine = Attendance.objects.filter(session=session, enrollment=enrollment).first()
        if mine is not None:
            return mine
        raise _DeviceConflict(
            {
                "session": session,
                "enrollment": enrollment,
                "device_of": Attendance.objects.filter(session=session, device_hash=fingerprint).first(),
                "device_hash": fingerprint,
                "reason": _("该设备本节课已为其他学员签到"),
                "attempted_at": now,
            }
        ) from None
    _refresh_hours(enrollment)
    audit_record(
        actor=worker,
        action=AuditAction.CREATE,
        obj=attendance,
        after={
            "session": session.pk,
            "status": status.code,
            "method": AttendanceMethod.QR,
            "distance_m": distance_m,
            "flagged": flagged,
            "photo_sha256": digest,
        },
        request=request,
    )
    return attendance


# --- marks by the teacher, staff and the counter ------------------------------------------------------------


def _mark(*, session, enrollment, status_code, actor, note, method, on_behalf_of=None, request=None):
    status = _status(status_code)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise InvalidTransition(
            _("只有在读学员可以登记考勤（当前：%(s)s）。") % {"s": enrollment.get_status_display()},
            code="not_enrolled",
        )
    if session.training_class_id != enrollment.training_class_id:
        raise NotFound()
    training_class = TrainingClass.objects.get(pk=session.training_class_id)
    if training_class.status in (ClassStatus.COMPLETED, ClassStatus.CANCELLED):
        raise InvalidTransition(_("班级已结业或取消，考勤不能再修改。"), code="class_closed")
    note = (note or "").strip()[:200]
    existing = Attendance.objects.select_for_update().filter(session=session, enrollment=enrollment).first()
    if existing is None:
        attendance = Attendance.objects.create(
            session=session,
            enrollment=enrollment,
            status=status,
            method=method,
            marked_by=actor,
            signed_at=timezone.now(),
            note=note,
        )
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=attendance,
            after={"session": session.pk, "status": status.code, "method": method, "note": note},
            request=request,
            on_behalf_of=on_behalf_of,
        )
    else:
        before = {"status": existing.status_id, "method": existing.method, "marked_by": existing.marked_by_id}
        attendance = existing
        attendance.status, attendance.method, attendance.marked_by = status, method, actor
        if note:
            attendance.note = note
        attendance.save(update_fields=["status", "method", "marked_by", "note"])
        audit_record(
            actor=actor,
            action=AuditAction.UPDATE,
            obj=attendance,
            before=before,
            after={"status": status.code, "method": method, "marked_by": actor.pk, "note": note},
            reason=note,
            request=request,
            on_behalf_of=on_behalf_of,
        )
    _refresh_hours(enrollment)
    return attendance


@transaction.atomic
def teacher_mark(
    *, session: ClassSession, enrollment: Enrollment, status_code: str, actor, note: str = "", request=None
) -> Attendance:
    """A teacher or administrator of the class's institution, or scoped staff, marks (or changes) one
    trainee's attendance; who marked it is recorded, a change keeps the previous status in its audit row.
    Allowed until the class is completed."""
    enrollment = _lock_enrollment(enrollment)
    training_class = enrollment.training_class
    allowed = signed_in(actor) and (
        is_class_teacher(actor, training_class) or is_class_staff(actor, training_class)
    )
    visible = allowed or Enrollment.objects.visible_to(actor).filter(pk=enrollment.pk).exists()
    require_access(
        allowed=allowed, visible=visible, message=_("只有本机构的授课教师或辖区工作人员可以登记考勤。")
    )
    return _mark(
        session=session,
        enrollment=enrollment,
        status_code=status_code,
        actor=actor,
        note=note,
        method=AttendanceMethod.TEACHER,
        request=request,
    )


@transaction.atomic
def counter_mark(
    *, session: ClassSession, worker, status_code: str, actor, note: str = "", request=None
) -> Attendance:
    """Counter staff mark attendance for the worker they serve (recorded as assisted)."""
    from jobs.permissions import can_serve_counter

    if not can_serve_counter(actor) or actor.pk == worker.pk or not may_act_for(worker, actor):
        raise NotPermitted(_("只有服务台工作人员可以代为登记考勤。"))
    enrollment = Enrollment.objects.filter(
        training_class_id=session.training_class_id, worker=worker, status=EnrollmentStatus.ENROLLED
    ).first()
    if enrollment is None:
        raise DomainError(_("该劳动者没有报名这个班。"), code="not_enrolled")
    enrollment = _lock_enrollment(enrollment)
    return _mark(
        session=session,
        enrollment=enrollment,
        status_code=status_code,
        actor=actor,
        note=note,
        method=AttendanceMethod.COUNTER,
        on_behalf_of=worker,
        request=request,
    )
