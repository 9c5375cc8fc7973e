"""Applications: by the worker, by staff referral (职业介绍) or at a market counter (counted apart), accepted
or rejected by the employer — never beyond the posting's headcount — and withdrawn by the worker. Hiring and
withdrawing tell the apps that keep the work (``jobs.hooks``)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.permissions import require_access
from core.workflow import check_transition

from .. import hooks
from ..choices import ApplicationSource, ApplicationStatus, PostingStatus
from ..models import APPLICATION_WORKFLOW, POSTING_WORKFLOW, Application, Invitation, Posting, WorkerProfile
from ..notifications import notify
from ..permissions import may_act_for, require_employer_side, staff_for
from ..selectors import eligibility_problem
from .postings import posting_move


@transaction.atomic
def application_apply(
    *, posting: Posting, worker, actor, source: str = ApplicationSource.SELF, note: str = "", request=None
) -> Application:
    """Apply to an open posting — the worker, or staff / market counter staff on their behalf (a referral
    or assisted application, counted apart)."""
    acting_for = actor.pk != worker.pk
    if acting_for and not may_act_for(worker, actor, unit_ids=(posting.scope_unit_id,)):
        raise NotPermitted(_("只有工作人员或市场服务台可以代他人报名。"))
    posting = Posting.objects.select_related("occupation", "employer").get(pk=posting.pk)
    if not posting.is_open():
        raise DomainError(_("该岗位已停止招聘。"), code="posting_not_open")
    if posting.employer.user_id == worker.pk:
        raise DomainError(_("不能报名自己发布的岗位。"), code="own_posting")
    if acting_for:
        if source == ApplicationSource.SELF:
            source = ApplicationSource.COUNTER
    else:
        if not worker.has_role(Role.WORKER):
            raise NotPermitted(_("请先完成求职登记。"), code="worker_profile_required")
        source = ApplicationSource.SELF
    problem = eligibility_problem(worker=worker, occupation=posting.occupation, on=posting.work_start_date)
    if problem:
        raise DomainError(problem, code="not_eligible")
    try:
        with transaction.atomic():
            application = Application.objects.create(
                posting=posting,
                worker=worker,
                source=source,
                acted_by=actor if acting_for else None,
                note=note[:300],
            )
    except IntegrityError as exc:
        raise DomainError(_("已经报名过该岗位。"), code="already_applied") from exc
    APPLICATION_WORKFLOW.record(
        application,
        to_status=ApplicationStatus.APPLIED,
        actor=actor,
        on_behalf_of=worker if acting_for else None,
        reason=note,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=application,
        after={"posting": posting.pk, "source": source},
        request=request,
        on_behalf_of=worker if acting_for else None,
    )
    notify(posting.employer.user_id, _("“%(t)s”有新的报名。") % {"t": posting.title})
    return application


def _app_move(application, to_status, *, actor, reason="", on_behalf_of=None, request=None) -> Application:
    application.decided_at = timezone.now()
    return APPLICATION_WORKFLOW.move(
        application,
        to_status,
        actor=actor,
        reason=reason,
        on_behalf_of=on_behalf_of,
        fields=("decided_at",),
        request=request,
    )


def _lock_application(application: Application) -> Application:
    return APPLICATION_WORKFLOW.lock(application, select_related=("worker",))


@transaction.atomic
def application_accept(*, application: Application, actor, request=None) -> Application:
    """Accept an applicant. Locks the posting row first: hires never exceed its headcount, even when two
    accepts race; the last accept marks the posting filled. The work orders follow (``hooks.HIRED``)."""
    posting = POSTING_WORKFLOW.lock(application.posting_id, select_related=("occupation", "employer"))
    require_employer_side(
        posting, actor, perm="jobs.change_application", visible=application.worker_id == actor.pk
    )
    application = _lock_application(application)
    if application.status != ApplicationStatus.APPLIED:
        check_transition(APPLICATION_WORKFLOW.table, application.status, ApplicationStatus.ACCEPTED)
    if posting.status != PostingStatus.PUBLISHED or not posting.is_open():
        raise DomainError(_("该岗位已招满或已停止招聘。"), code="posting_not_open")
    if posting.accepted_count >= posting.headcount:
        raise DomainError(_("已达到招聘人数。"), code="headcount_reached")
    problem = eligibility_problem(
        worker=application.worker, occupation=posting.occupation, on=posting.work_start_date
    )
    if problem:
        raise DomainError(problem, code="not_eligible")
    _app_move(application, ApplicationStatus.ACCEPTED, actor=actor, request=request)
    Posting.objects.filter(pk=posting.pk).update(accepted_count=F("accepted_count") + 1)
    posting.refresh_from_db(fields=["accepted_count"])
    if posting.accepted_count >= posting.headcount:
        posting_move(posting, PostingStatus.FILLED, actor=actor, reason=_("已招满"), request=request)
    notify(application.worker_id, _("您已被“%(t)s”录用，请查看联系方式。") % {"t": posting.title})
    hooks.hired(application, actor=actor, request=request)
    return application


@transaction.atomic
def application_reject(*, application: Application, actor, reason: str = "", request=None) -> Application:
    posting = Posting.objects.select_related("employer").get(pk=application.posting_id)
    require_employer_side(
        posting, actor, perm="jobs.change_application", visible=application.worker_id == actor.pk
    )
    application = _lock_application(application)
    _app_move(application, ApplicationStatus.REJECTED, actor=actor, reason=reason, request=request)
    notify(application.worker_id, _("“%(t)s”这次没有录用您，看看其他岗位吧。") % {"t": posting.title})
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "", request=None) -> Application:
    """The worker (or staff for them) withdraws; an accepted worker frees their place, a filled posting is
    published again, and their future work orders are cancelled (``hooks.HIRE_WITHDRAWN``)."""
    posting = POSTING_WORKFLOW.lock(application.posting_id, select_related=("employer",))
    application = _lock_application(application)
    acting_for = actor.pk != application.worker_id
    if acting_for:
        staff = staff_for(actor, posting.scope_unit_id) or staff_for(actor, application.worker.scope_unit_id)
        require_access(allowed=staff, visible=posting.employer.user_id == actor.pk)
    was_accepted = application.status == ApplicationStatus.ACCEPTED
    if was_accepted and posting.work_start_date <= timezone.localdate():
        raise DomainError(_("已开工，不能撤回；请联系用工方或工作人员。"), code="work_started")
    _app_move(
        application,
        ApplicationStatus.WITHDRAWN,
        actor=actor,
        reason=reason,
        request=request,
        on_behalf_of=application.worker if acting_for else None,
    )
    if was_accepted:
        Posting.objects.filter(pk=posting.pk).update(accepted_count=F("accepted_count") - 1)
        posting.refresh_from_db(fields=["accepted_count"])
        if posting.status == PostingStatus.FILLED and posting.work_end_date >= timezone.localdate():
            posting_move(
                posting, PostingStatus.PUBLISHED, actor=actor, reason=_("有录用人员撤回"), request=request
            )
        notify(
            posting.employer.user_id, _("“%(t)s”有一名录用人员撤回，岗位已重新开放。") % {"t": posting.title}
        )
        hooks.hire_withdrawn(application, actor=actor, reason=reason, request=request)
    return application


@transaction.atomic
def posting_invite(*, posting: Posting, worker, actor, request=None) -> Invitation:
    """The employer (or staff in scope) invites a worker — typically one recommended for the posting — to
    apply: once per worker and posting. The worker is told through their channels and sees the invitation on
    their home page; applying stays their choice."""
    posting = Posting.objects.select_related("employer").get(pk=posting.pk)
    require_employer_side(posting, actor)
    if not posting.is_open():
        raise DomainError(_("该岗位已停止招聘，不能再邀请。"), code="posting_not_open")
    if not WorkerProfile.objects.filter(user=worker, user__is_active=True).exists():
        raise DomainError(_("该劳动者没有求职登记。"), code="worker_profile_required")
    if Application.objects.filter(posting=posting, worker=worker).exists():
        raise DomainError(_("该劳动者已经报名。"), code="already_applied")
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(posting=posting, worker=worker, invited_by=actor)
    except IntegrityError:
        raise DomainError(_("已经邀请过该劳动者。"), code="already_invited") from None
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=invitation, after={"posting": posting.pk}, request=request
    )
    notify(
        worker.pk,
        _("“%(e)s”邀请您报名“%(t)s”，请查看岗位详情。")
        % {"e": posting.employer.display_name, "t": posting.title},
        f"/jobs/{posting.pk}/",
    )
    return invitation
