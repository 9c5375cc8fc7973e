"""Training services: completion, results and certificates.

A trainee completes when they passed the exam and attended at least the catalogue's minimum class hours
(``CatalogueRate.min_class_hours`` in force on the class's start date, the county's own row before the
city-wide one). A certificate from a completed class is written to the worker's job-seeker registration as
verified (``jobs.services.certificate_record_verified``), so it opens licensed (特种作业) postings at once.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.permissions import require_access
from jobs.notifications import notify
from jobs.services import certificate_record_verified

from ..choices import EnrollmentStatus
from ..models import (
    ENROLLMENT_WORKFLOW,
    CatalogueRate,
    Enrollment,
    TrainingCertificate,
    TrainingClass,
    TrainingResult,
)
from .attendance import _lock_enrollment, _refresh_hours, is_class_staff, is_class_teacher


def rate_in_force(training_class: TrainingClass) -> CatalogueRate | None:
    """The catalogue rate of the class's item on its start date: the county's row, else the city's."""
    return CatalogueRate.objects.in_force(
        training_class.item_id, training_class.scope_unit_id, training_class.starts_on
    )


def _may_record(actor, training_class) -> bool:
    from ..permissions import is_member

    return is_member(actor, training_class.institution_id) or is_class_staff(
        actor, training_class, "training.change_enrollment"
    )


@transaction.atomic
def result_record(
    *,
    enrollment: Enrollment,
    actor,
    exam_score: Decimal | None = None,
    passed: bool,
    on: dt.date | None = None,
    request=None,
) -> TrainingResult:
    """Record a trainee's exam and completion once the last session has ended: completed = passed and
    hours attended ≥ the minimum; the enrollment moves to completed or not completed (event + audit)."""
    enrollment = _lock_enrollment(enrollment)
    training_class = enrollment.training_class
    allowed = _may_record(actor, training_class)
    visible = allowed or Enrollment.objects.visible_to(actor).filter(pk=enrollment.pk).exists()
    require_access(allowed=allowed, visible=visible, message=_("只有本机构人员或辖区工作人员可以登记结业。"))
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise InvalidTransition(
            _("该学员已登记结业结果或已退出（%(s)s）。") % {"s": enrollment.get_status_display()},
            code="result_recorded",
        )
    last_end = training_class.sessions.aggregate(m=Max("ends_at"))["m"]
    if last_end is None or last_end > timezone.now():
        raise DomainError(_("最后一节课结束后才能登记结业。"), code="sessions_not_over")
    rate = rate_in_force(training_class)
    if rate is None:
        raise DomainError(_("开班日期没有适用的目录标准，无法判定课时要求。"), code="no_rate")
    if exam_score is not None and not (Decimal("0") <= Decimal(exam_score) <= Decimal("100")):
        raise DomainError(
            _("考核成绩应在0到100之间。"),
            code="invalid_score",
            fields={"exam_score": [_("应在0到100之间。")]},
        )
    hours = _refresh_hours(enrollment)
    completed = bool(passed) and hours >= rate.min_class_hours
    on = on or timezone.localdate()
    result = TrainingResult.objects.create(
        enrollment=enrollment,
        hours_attended=hours,
        hours_required=rate.min_class_hours,
        exam_score=exam_score,
        passed=bool(passed),
        completed=completed,
        completed_on=on if completed else None,
        recorded_by=actor,
    )
    if completed:
        reason = _("考核合格，实到 %(h)s 课时（要求 %(r)s 课时）") % {"h": hours, "r": rate.min_class_hours}
    elif not passed:
        reason = _("考核不合格")
    else:
        reason = _("实到 %(h)s 课时，不足要求的 %(r)s 课时") % {"h": hours, "r": rate.min_class_hours}
    ENROLLMENT_WORKFLOW.move(
        enrollment,
        EnrollmentStatus.COMPLETED if completed else EnrollmentStatus.NOT_COMPLETED,
        actor=actor,
        reason=reason,
        audit={
            "hours_attended": hours,
            "hours_required": rate.min_class_hours,
            "passed": bool(passed),
            "exam_score": str(exam_score) if exam_score is not None else None,
        },
        request=request,
    )
    notify(
        enrollment.worker_id,
        _("您参加的“%(c)s”已登记结果：%(r)s。") % {"c": training_class.title, "r": reason},
        key=f"training-result:{enrollment.pk}",
    )
    return result


@transaction.atomic
def certificate_issue(
    *,
    enrollment: Enrollment,
    actor,
    number: str,
    issuer: str,
    issued_on: dt.date,
    expires_on: dt.date | None = None,
    request=None,
) -> TrainingCertificate:
    """Record the certificate a completed trainee earned (type and level from the catalogue item) and write
    it to their job-seeker registration as verified; the worker is told. The worker must have registered
    (求职登记) first: the certificate belongs on that record."""
    enrollment = _lock_enrollment(enrollment)
    training_class = TrainingClass.objects.select_related("item__occupation").get(
        pk=enrollment.training_class_id
    )
    allowed = is_class_teacher(actor, training_class) or _may_record(actor, training_class)
    visible = allowed or Enrollment.objects.visible_to(actor).filter(pk=enrollment.pk).exists()
    require_access(allowed=allowed, visible=visible, message=_("只有本机构人员或辖区工作人员可以登记证书。"))
    if enrollment.status != EnrollmentStatus.COMPLETED:
        raise InvalidTransition(_("只有已结业的学员可以登记证书。"), code="not_completed")
    if TrainingCertificate.objects.filter(enrollment=enrollment).exists():
        raise InvalidTransition(_("该学员的证书已登记。"), code="certificate_issued")
    number = (number or "").strip()
    issuer = (issuer or "").strip()
    errors = {}
    if not number:
        errors["number"] = [_("请填写证书编号。")]
    if not issuer:
        errors["issuer"] = [_("请填写发证机构。")]
    if errors:
        raise DomainError(_("请填写证书信息。"), code="required", fields=errors)
    if TrainingCertificate.objects.filter(number=number).exists():
        raise DomainError(
            _("证书编号已被使用。"), code="duplicate_number", fields={"number": [_("证书编号已被使用。")]}
        )
    item = training_class.item
    certificate = TrainingCertificate.objects.create(
        enrollment=enrollment,
        certificate_type=item.certificate_type,
        level=item.level,
        number=number[:64],
        issuer=issuer[:100],
        issued_on=issued_on,
    )
    profile_certificate = certificate_record_verified(
        profile_user=enrollment.worker,
        occupation=item.occupation,
        name=item.name,
        number=certificate.number,
        issuer=certificate.issuer,
        issued_on=issued_on,
        expires_on=expires_on,
        actor=actor,
        source_note=_("培训结业证书（%(c)s）") % {"c": training_class.title},
        request=request,
    )
    certificate.profile_certificate = profile_certificate
    certificate.save(update_fields=["profile_certificate"])
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=certificate,
        after={
            "enrollment": enrollment.pk,
            "type": certificate.certificate_type,
            "level": certificate.level,
            "number": certificate.number,
            "issuer": certificate.issuer,
            "issued_on": issued_on.isoformat(),
            "profile_certificate": profile_certificate.pk,
        },
        request=request,
        on_behalf_of=enrollment.worker,
    )
    notify(
        enrollment.worker_id,
        _("您的证书“%(n)s”（编号 %(no)s）已登记到求职登记，可以报名需要持证的岗位了。")
        % {"n": item.name, "no": certificate.number},
        key=f"training-certificate:{certificate.pk}",
    )
    return certificate
