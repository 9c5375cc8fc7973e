"""Training services: enrollment. A worker takes a seat in a class, or a place on its waiting list once the
seats are gone, online or at a counter (assisted: the staff member is recorded); a withdrawal frees the seat
and promotes the first of the waiting list in the same transaction. The class row is locked for every
change of its counters, so ``enrolled_count`` and ``waitlist_count`` stay equal to the rows under
concurrency and never exceed ``capacity`` / ``waitlist_limit``."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotPermitted
from core.permissions import require_access, signed_in
from jobs.notifications import notify
from jobs.permissions import may_act_for

from ..choices import (
    ClassStatus,
    EnrollmentChannel,
    EnrollmentStatus,
)
from ..models import ENROLLMENT_WORKFLOW, Enrollment, TrainingClass
from .classes import open_for_enrollment

__all__ = ["enroll", "withdraw", "enrollment_closes_on"]


def enrollment_closes_on(training_class: TrainingClass):
    """The last day a class takes enrollments: its stated closing day, else its first day."""
    return training_class.enrollment_closes


def _lock_class(training_class) -> TrainingClass:
    return (
        TrainingClass.objects.select_for_update(of=("self",))
        .select_related("institution", "item")
        .get(pk=getattr(training_class, "pk", training_class))
    )


def _live(training_class_id: int, worker_id: int) -> Enrollment | None:
    return (
        Enrollment.objects.filter(training_class_id=training_class_id, worker_id=worker_id)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .first()
    )


@transaction.atomic
def enroll(
    training_class: TrainingClass,
    worker,
    actor,
    channel: str = EnrollmentChannel.ONLINE,
    request=None,
) -> Enrollment:
    """Enroll ``worker`` in ``training_class``: a seat while seats are left, else a place on the waiting
    list while it has room, else refused (名额已满). The worker themselves (online), or staff / a market's
    counter acting for them (channel counter: ``assisted_by`` and the event's on-behalf-of are recorded).
    A repeat (a retried request, a double click) returns the worker's live enrollment unchanged."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    assisted = actor.pk != worker.pk
    if assisted:
        if not may_act_for(worker, actor, unit_ids=(training_class.scope_unit_id,)):
            raise NotPermitted(_("只有工作人员或市场服务台可以代他人报名。"))
        if channel == EnrollmentChannel.ONLINE:
            channel = EnrollmentChannel.COUNTER
    else:
        channel = EnrollmentChannel.ONLINE
    if not worker.has_role(Role.WORKER):
        raise NotPermitted(_("请先完成求职登记后再报名培训。"), code="worker_role_required")

    locked = _lock_class(training_class)
    existing = _live(locked.pk, worker.pk)
    if existing is not None:
        return existing
    open_for_enrollment(locked)
    now = timezone.now()
    if locked.enrolled_count < locked.capacity:
        status, counter = EnrollmentStatus.ENROLLED, "enrolled_count"
    elif locked.waitlist_count < locked.waitlist_limit:
        status, counter = EnrollmentStatus.WAITLISTED, "waitlist_count"
    else:
        raise DomainError(_("名额已满。"), code="class_full")
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(
                training_class=locked,
                worker=worker,
                status=status,
                channel=channel,
                assisted_by=actor if assisted else None,
                waitlisted_at=now if status == EnrollmentStatus.WAITLISTED else None,
            )
    except IntegrityError:
        # another request of the same worker won the race (cannot happen under the class lock, but the
        # constraint is the last word)
        existing = _live(locked.pk, worker.pk)
        if existing is None:
            raise
        return existing
    TrainingClass.objects.filter(pk=locked.pk).update(**{counter: F(counter) + 1})
    on_behalf_of = worker if assisted else None
    ENROLLMENT_WORKFLOW.record(
        enrollment, to_status=status, actor=actor, on_behalf_of=on_behalf_of, reason=channel
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=enrollment,
        after={"training_class": locked.pk, "status": status, "channel": channel},
        request=request,
        on_behalf_of=on_behalf_of,
    )
    if assisted:
        text = (
            _("已为您报名“%(t)s”，%(d)s 开班。")
            if status == EnrollmentStatus.ENROLLED
            else _("已为您登记“%(t)s”的候补，有空位时会通知您。")
        )
        notify(
            worker.pk,
            text % {"t": locked.title, "d": f"{locked.starts_on:%Y-%m-%d}"},
            url="/training/mine/",
            key=f"training-enrollment:{enrollment.pk}:created",
        )
    return enrollment


@transaction.atomic
def withdraw(enrollment: Enrollment, actor, reason: str = "", request=None) -> Enrollment:
    """Withdraw from a class before it completes: the worker, or staff / a counter acting for them. A freed
    seat goes to the first of the waiting list (by the time they joined it), who is told."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    row = Enrollment.objects.select_related("worker").filter(pk=enrollment.pk).first()
    if row is None:
        require_access(allowed=False, visible=False)
    visible = Enrollment.objects.visible_to(actor).filter(pk=row.pk).exists()
    # the class row first, then the enrollment: the same order as ``enroll``
    locked_class = _lock_class(row.training_class_id)
    allowed = actor.pk == row.worker_id or may_act_for(
        row.worker, actor, unit_ids=(locked_class.scope_unit_id,)
    )
    require_access(allowed=allowed, visible=visible or allowed)
    locked = ENROLLMENT_WORKFLOW.lock(row.pk)
    if locked_class.status in (ClassStatus.COMPLETED, ClassStatus.CANCELLED):
        raise InvalidTransition(_("班级已结业或已取消，不能退出。"), code="class_closed")
    was = locked.status
    assisted = actor.pk != locked.worker_id
    on_behalf_of = row.worker if assisted else None
    locked.withdrawn_at = timezone.now()
    ENROLLMENT_WORKFLOW.move(
        locked,
        EnrollmentStatus.WITHDRAWN,
        actor=actor,
        reason=reason,
        on_behalf_of=on_behalf_of,
        fields=["withdrawn_at"],
        request=request,
    )
    if was == EnrollmentStatus.WAITLISTED:
        TrainingClass.objects.filter(pk=locked_class.pk).update(waitlist_count=F("waitlist_count") - 1)
        return locked
    _promote_first(locked_class, actor=actor, request=request)
    return locked


def _promote_first(locked_class: TrainingClass, *, actor, request=None) -> Enrollment | None:
    """A seat was freed in the locked class: the first of its waiting list takes it (counters adjusted),
    else the seat stays free."""
    first = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(training_class_id=locked_class.pk, status=EnrollmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if first is None:
        TrainingClass.objects.filter(pk=locked_class.pk).update(enrolled_count=F("enrolled_count") - 1)
        return None
    ENROLLMENT_WORKFLOW.mark_locked(first)
    ENROLLMENT_WORKFLOW.move(
        first, EnrollmentStatus.ENROLLED, actor=actor, reason=_("候补转正"), request=request
    )
    TrainingClass.objects.filter(pk=locked_class.pk).update(waitlist_count=F("waitlist_count") - 1)
    notify(
        first.worker_id,
        _("“%(t)s”有空位了，您已由候补转为正式报名，%(d)s 开班。")
        % {"t": locked_class.title, "d": f"{locked_class.starts_on:%Y-%m-%d}"},
        url="/training/mine/",
        key=f"training-enrollment:{first.pk}:promoted",
    )
    return first
