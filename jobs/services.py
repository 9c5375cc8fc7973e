"""The only writers of jobs workflow state: registration, postings and their review, applications,
referrals. Each transition: checked against its table, rows locked, an event row and an audit row in the
same transaction, notifications queued on commit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.geo import to_wgs84
from core.scope import scope_of
from core.workflow import check_transition

from . import search
from .choices import (
    APPLICATION_TRANSITIONS,
    POSTING_TRANSITIONS,
    ApplicationSource,
    ApplicationStatus,
    PostingStatus,
    VerificationStatus,
    WageUnit,
)
from .models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    Posting,
    PostingEvent,
    PostingReport,
    WorkerProfile,
)
from .selectors import eligibility_problem, employer_blacklisted, wage_guidance_median
from .wages import daily_equivalent, minimum_wage


def _is_staff_for(actor, unit_id) -> bool:
    return scope_of(actor).covers(unit_id)


def _notify(user, body: str) -> None:
    """Tell a worker or employer through the channels they chose (on commit)."""
    from .notifications import notify_user

    transaction.on_commit(lambda: notify_user(user_id=user.pk, body=body))


# --- registration ---------------------------------------------------------------------------------------


@transaction.atomic
def worker_profile_save(
    *, user, actor, data: dict, skills=None, preferred_units=None, certificates=None, request=None
) -> WorkerProfile:
    """Job-seeker registration (求职登记) or its update. Staff acting for a worker at a counter are
    recorded as the assisting officer. ``certificates`` (dicts of occupation, name, number, issuer,
    expires_on), when given, replace the ones on record; an unchanged certificate keeps its verification."""
    if (
        actor.pk != user.pk
        and not _is_staff_for(actor, user.scope_unit_id)
        and not actor.has_role("market_operator")
    ):
        raise NotFound()
    profile, created = WorkerProfile.objects.select_for_update().get_or_create(user=user)
    before = None if created else snapshot(profile)
    for name, value in data.items():
        setattr(profile, name, value)
    if actor.pk != user.pk:
        profile.assisted_by = actor
    profile.full_clean()
    profile.save()
    if preferred_units is not None:
        profile.preferred_units.set(preferred_units)
    if skills is not None:
        from .models import WorkerSkill

        keep = []
        for occupation, level, years in skills:
            skill, _ = WorkerSkill.objects.update_or_create(
                profile=profile, occupation=occupation, defaults={"level": level, "years": years}
            )
            keep.append(skill.pk)
        profile.skills.exclude(pk__in=keep).delete()
    if certificates is not None:
        from .models import Certificate

        keep = []
        for item in certificates:
            cert = profile.certificates.filter(occupation=item["occupation"], number=item["number"]).first()
            cert = cert or Certificate(profile=profile, occupation=item["occupation"], number=item["number"])
            new = (item["name"], item["issuer"], item.get("expires_on"))
            if cert.pk and (cert.name, cert.issuer, cert.expires_on) != new:
                cert.verified_by = None  # a changed certificate must be checked again
            cert.name, cert.issuer, cert.expires_on = new
            cert.full_clean(exclude=["profile"])
            cert.save()
            keep.append(cert.pk)
        profile.certificates.exclude(pk__in=keep).delete()
    b, a = changed(before, snapshot(profile))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        obj=profile,
        before=b,
        after=a,
        request=request,
        on_behalf_of=user if actor.pk != user.pk else None,
    )
    if not user.has_role("worker"):
        from accounts.models import RoleGrant

        RoleGrant.objects.get_or_create(user=user, role="worker")
    return profile


@transaction.atomic
def employer_register(
    *, user, actor, kind: str, display_name: str, scope_unit, organization=None, request=None
) -> EmployerProfile:
    """Employer registration (用工登记): waits for staff approval before its first posting goes live."""
    if actor.pk != user.pk and not _is_staff_for(actor, scope_unit.pk):
        raise NotFound()
    if organization is not None and organization.owner_id != user.pk:
        raise NotPermitted()
    if kind == "person" and not user.id_number:
        raise DomainError(_("个人用工须先完成实名核验。"), fields={"kind": [_("个人用工须先完成实名核验。")]})
    profile, created = EmployerProfile.objects.get_or_create(
        user=user,
        defaults={
            "kind": kind,
            "display_name": display_name,
            "scope_unit": scope_unit,
            "organization": organization,
        },
    )
    if not created:
        raise DomainError(_("已完成用工登记。"), code="duplicate")
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=profile,
        after=snapshot(profile),
        request=request,
        on_behalf_of=user if actor.pk != user.pk else None,
    )
    from accounts.models import RoleGrant

    RoleGrant.objects.get_or_create(user=user, role="employer")
    return profile


@transaction.atomic
def employer_review(
    *, employer: EmployerProfile, actor, approve: bool, note: str = "", request=None
) -> EmployerProfile:
    employer = EmployerProfile.objects.select_for_update().get(pk=employer.pk)
    if not EmployerProfile.objects.visible_to(actor).filter(pk=employer.pk).exists() or not scope_of(
        actor
    ).covers(employer.scope_unit_id):
        raise NotFound()
    if not actor.has_perm("jobs.change_employerprofile"):
        raise NotPermitted()
    before = employer.status
    employer.status = VerificationStatus.APPROVED if approve else VerificationStatus.REJECTED
    employer.reviewed_by, employer.reviewed_at, employer.review_note = actor, timezone.now(), note[:300]
    employer.save()
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=employer,
        before={"status": before},
        after={"status": employer.status},
        reason=note,
        request=request,
    )
    return employer


# --- postings ---------------------------------------------------------------------------------------------


@dataclass
class PostingResult:
    posting: Posting
    warnings: list[str] = field(default_factory=list)


POSTING_FIELDS = (
    "occupation",
    "title",
    "description",
    "requirements",
    "scope_unit",
    "town",
    "address",
    "lat",
    "lng",
    "market",
    "work_start_date",
    "work_end_date",
    "start_time",
    "end_time",
    "headcount",
    "wage_amount",
    "wage_unit",
    "estimated_daily_wage",
    "settlement",
    "contact_name",
    "contact_phone",
)


def _wage_checks(posting: Posting) -> list[str]:
    """Refuse a daily-equivalent wage below the county's minimum (naming the standard); warn below the
    published guidance median."""
    if posting.wage_unit in (WageUnit.PIECE, WageUnit.JOB) and posting.estimated_daily_wage is None:
        raise DomainError(
            _("按件或按单计酬须填写预计折合日收入。"),
            fields={"estimated_daily_wage": [_("按件或按单计酬须填写预计折合日收入。")]},
        )
    daily = daily_equivalent(
        amount=posting.wage_amount, unit=posting.wage_unit, estimated_daily=posting.estimated_daily_wage
    )
    posting.daily_wage = daily
    standard = minimum_wage(posting.scope_unit, posting.work_start_date)
    if standard is not None and daily < standard.daily:
        message = _(
            "折合日工资 %(daily)s 元低于%(county)s最低工资标准：第%(tier)s档 %(hourly)s 元/小时（%(date)s 起执行），"
            "按8小时折合 %(min)s 元/天。"
        ) % {
            "daily": daily,
            "county": posting.scope_unit.name,
            "tier": standard.tier,
            "hourly": standard.hourly,
            "date": standard.effective_from,
            "min": standard.daily,
        }
        raise DomainError(message, code="below_minimum_wage", fields={"wage_amount": [message]})
    warnings = []
    median = wage_guidance_median(
        occupation=posting.occupation, scope_unit=posting.scope_unit, on=posting.work_start_date
    )
    if median is not None and daily < median:
        warnings.append(
            _("折合日工资 %(daily)s 元低于%(occ)s的市场工资指导价位中位数 %(median)s 元，可能招不到人。")
            % {"daily": daily, "occ": posting.occupation.name, "median": median}
        )
    return warnings


def _prepare(posting: Posting) -> list[str]:
    if posting.work_end_date and posting.work_start_date and posting.work_end_date < posting.work_start_date:
        raise DomainError(
            _("结束日期不能早于开工日期。"), fields={"work_end_date": [_("结束日期不能早于开工日期。")]}
        )
    if posting.market_id and posting.market.scope_unit_id != posting.scope_unit_id:
        raise DomainError(
            _("所选零工市场不在该县（市、区）。"), fields={"market": [_("所选零工市场不在该县（市、区）。")]}
        )
    warnings = _wage_checks(posting)
    posting.screen_flags = []
    from .screening import screen

    posting.screen_flags = screen(posting.title, posting.description, posting.requirements)
    posting.search_text = search.document(posting)
    posting.search_tokens = search.posting_tokens(posting.search_text, posting.lat, posting.lng)
    return warnings


@transaction.atomic
def posting_create(
    *, employer: EmployerProfile, actor, data: dict, coordinate_system: str = "wgs84", request=None
) -> PostingResult:
    """A new posting, as a draft. Employers post for themselves; staff may draft for an employer in scope."""
    if employer.user_id != actor.pk and not _is_staff_for(actor, employer.scope_unit_id):
        raise NotFound()
    values = {k: v for k, v in data.items() if k in POSTING_FIELDS}
    posting = Posting(employer=employer, status=PostingStatus.DRAFT, daily_wage=Decimal("0"), **values)
    if values.get("lat") is not None and values.get("lng") is not None:
        posting.lat, posting.lng = to_wgs84(float(values["lat"]), float(values["lng"]), coordinate_system)
    warnings = _prepare(posting)
    posting.full_clean(exclude=["search_text", "search_tokens"])
    posting.save()
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=posting,
        after=snapshot(posting, list(POSTING_FIELDS)),
        request=request,
    )
    return PostingResult(posting, warnings)


@transaction.atomic
def posting_update(*, posting: Posting, actor, data: dict, request=None) -> PostingResult:
    """Edit a draft (a rejected posting comes back as a draft)."""
    posting = Posting.objects.select_for_update().get(pk=posting.pk)
    if posting.employer.user_id != actor.pk and not _is_staff_for(actor, posting.scope_unit_id):
        raise NotFound()
    if posting.status != PostingStatus.DRAFT:
        raise InvalidTransition(_("只能修改草稿；已发布的信息请先关闭再重新发布。"))
    before = snapshot(posting, list(POSTING_FIELDS))
    for name, value in data.items():
        if name in POSTING_FIELDS:
            setattr(posting, name, value)
    warnings = _prepare(posting)
    posting.full_clean(exclude=["search_text", "search_tokens"])
    posting.save()
    b, a = changed(before, snapshot(posting, list(POSTING_FIELDS)))
    if a:
        audit_record(actor=actor, action=AuditAction.UPDATE, obj=posting, before=b, after=a, request=request)
    return PostingResult(posting, warnings)


def _posting_move(posting: Posting, to_status: str, actor, reason: str = "", request=None) -> Posting:
    from_status = posting.status
    check_transition(POSTING_TRANSITIONS, from_status, to_status)
    posting.status = to_status
    fields = ["status", "updated_at"]
    if to_status == PostingStatus.PUBLISHED and posting.published_at is None:
        posting.published_at = timezone.now()
        fields.append("published_at")
    posting.save(update_fields=fields)
    PostingEvent.objects.create(
        posting=posting,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:300],
        actor=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=posting,
        before={"status": from_status},
        after={"status": to_status},
        reason=reason,
        request=request,
    )
    return posting


def _locked_posting(posting: Posting) -> Posting:
    return (
        Posting.objects.select_for_update()
        .select_related("employer", "scope_unit", "occupation")
        .get(pk=posting.pk)
    )


def _can_publish(posting: Posting) -> None:
    employer = posting.employer
    if employer.status != VerificationStatus.APPROVED:
        raise DomainError(_("用工登记尚未通过审核，岗位暂不能发布。"), code="employer_not_approved")
    if employer_blacklisted(employer=employer):
        raise DomainError(_("该用工方在拖欠工资黑名单中，不能发布岗位。"), code="employer_blacklisted")
    if posting.work_end_date < timezone.localdate():
        raise DomainError(_("工作日期已过，不能发布。"), code="posting_past")


@transaction.atomic
def posting_submit(*, posting: Posting, actor, request=None) -> Posting:
    """Send a draft for review. A trusted, approved employer's clean posting is published at once when the
    setting allows (LINGONG_POSTING_AUTO_APPROVE_TRUSTED)."""
    posting = _locked_posting(posting)
    if posting.employer.user_id != actor.pk and not _is_staff_for(actor, posting.scope_unit_id):
        raise NotFound()
    if employer_blacklisted(employer=posting.employer):
        raise DomainError(_("该用工方在拖欠工资黑名单中，不能发布岗位。"), code="employer_blacklisted")
    _posting_move(posting, PostingStatus.PENDING_REVIEW, actor, request=request)
    employer = posting.employer
    if (
        settings.LINGONG_POSTING_AUTO_APPROVE_TRUSTED
        and employer.trusted
        and employer.status == VerificationStatus.APPROVED
        and not posting.screen_flags
    ):
        _can_publish(posting)
        _posting_move(
            posting, PostingStatus.PUBLISHED, None, reason=_("信用良好用工方，自动通过"), request=request
        )
        _on_published(posting)
    return posting


REVIEW_CHECKLIST = (
    ("no_fees", _("不向劳动者收取任何费用或押金")),
    ("no_discrimination", _("无性别、年龄、地域、民族等法律不允许的限制")),
    ("no_scam", _("无刷单、垫付、套取个人信息等诈骗特征")),
    ("wage_clear", _("工资、结算方式和工作时间写明")),
)


def _require_reviewer(actor, posting: Posting) -> None:
    if not _is_staff_for(actor, posting.scope_unit_id):
        raise NotFound()
    if not actor.has_perm("jobs.change_posting"):
        raise NotPermitted()


@transaction.atomic
def posting_approve(
    *, posting: Posting, actor, checklist: dict[str, bool], note: str = "", request=None
) -> Posting:
    """Publish after review; every checklist item must be confirmed."""
    posting = _locked_posting(posting)
    _require_reviewer(actor, posting)
    missing = [str(label) for key, label in REVIEW_CHECKLIST if not checklist.get(key)]
    if missing:
        raise DomainError(
            _("请逐项确认审核要点。"), code="checklist_incomplete", fields={"checklist": missing}
        )
    if posting.status != PostingStatus.PENDING_REVIEW:
        # filled→published is in the table for a withdrawal, never for a review
        check_transition({}, posting.status, PostingStatus.PUBLISHED)
    _can_publish(posting)
    _posting_move(posting, PostingStatus.PUBLISHED, actor, reason=note, request=request)
    Posting.objects.filter(pk=posting.pk).update(reviewed_by=actor, review_note=note[:300])
    _on_published(posting)
    return posting


@transaction.atomic
def posting_reject(*, posting: Posting, actor, reason: str, request=None) -> Posting:
    """Send back to draft with a reason the employer sees."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请填写退回原因。"), fields={"reason": [_("请填写退回原因。")]})
    posting = _locked_posting(posting)
    _require_reviewer(actor, posting)
    if posting.status != PostingStatus.PENDING_REVIEW:
        check_transition({}, posting.status, PostingStatus.DRAFT)
    _posting_move(posting, PostingStatus.DRAFT, actor, reason=reason, request=request)
    Posting.objects.filter(pk=posting.pk).update(reviewed_by=actor, review_note=reason[:300])
    _notify(
        posting.employer.user, _("您的招聘信息“%(t)s”未通过审核：%(r)s") % {"t": posting.title, "r": reason}
    )
    return posting


@transaction.atomic
def posting_close(*, posting: Posting, actor, reason: str = "", request=None) -> Posting:
    posting = _locked_posting(posting)
    if posting.employer.user_id != actor.pk and not _is_staff_for(actor, posting.scope_unit_id):
        raise NotFound()
    return _posting_move(posting, PostingStatus.CLOSED, actor, reason=reason, request=request)


def posting_expire_due(*, today: dt.date | None = None) -> int:
    """Periodic scan: published or filled postings past their last work date become expired."""
    today = today or timezone.localdate()
    count = 0
    ids = list(
        Posting.objects.filter(
            status__in=[PostingStatus.PUBLISHED, PostingStatus.FILLED], work_end_date__lt=today
        ).values_list("pk", flat=True)[:5000]
    )
    for pk in ids:
        with transaction.atomic():
            posting = Posting.objects.select_for_update().get(pk=pk)
            if (
                posting.status in (PostingStatus.PUBLISHED, PostingStatus.FILLED)
                and posting.work_end_date < today
            ):
                _posting_move(posting, PostingStatus.EXPIRED, None, reason=_("已过最后工作日期"))
                count += 1
    return count


@transaction.atomic
def posting_report(
    *, posting: Posting, reporter, reason: str, detail: str = "", request=None
) -> PostingReport:
    """Anyone may report a posting; it reaches the county's reviewers (dashboard and admin)."""
    report = PostingReport.objects.create(
        posting=posting,
        reason=reason,
        detail=detail[:500],
        reporter=reporter
        if getattr(reporter, "is_authenticated", False) and getattr(reporter, "pk", None)
        else None,
    )
    return report


def _on_published(posting: Posting) -> None:
    from .tasks import posting_notify_matches_task

    transaction.on_commit(lambda: posting_notify_matches_task.delay(posting_id=posting.pk))


# --- applications -----------------------------------------------------------------------------------------


def _app_move(
    application: Application, to_status: str, actor, reason: str = "", on_behalf_of=None, request=None
) -> Application:
    from_status = application.status
    check_transition(APPLICATION_TRANSITIONS, from_status, to_status)
    application.status = to_status
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    ApplicationEvent.objects.create(
        application=application,
        from_status=from_status,
        to_status=to_status,
        reason=reason[:300],
        actor=actor if getattr(actor, "pk", None) else None,
        on_behalf_of=on_behalf_of,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TRANSITION,
        obj=application,
        before={"status": from_status},
        after={"status": to_status},
        reason=reason,
        request=request,
        on_behalf_of=on_behalf_of,
    )
    return application


@transaction.atomic
def application_apply(
    *, posting: Posting, worker, actor, source: str = ApplicationSource.SELF, note: str = "", request=None
) -> Application:
    """Apply to an open posting — the worker, or staff / market counter staff on their behalf (a referral
    or assisted application, counted apart)."""
    acting_for = actor.pk != worker.pk
    if acting_for:
        if not (
            _is_staff_for(actor, posting.scope_unit_id)
            or _is_staff_for(actor, worker.scope_unit_id)
            or actor.has_role("market_operator")
        ):
            raise NotPermitted()
        if source == ApplicationSource.SELF:
            source = ApplicationSource.COUNTER
    elif source != ApplicationSource.SELF:
        source = ApplicationSource.SELF
    posting = Posting.objects.select_related("occupation", "employer").get(pk=posting.pk)
    if not posting.is_open():
        raise DomainError(_("该岗位已停止招聘。"), code="posting_not_open")
    if posting.employer.user_id == worker.pk:
        raise DomainError(_("不能报名自己发布的岗位。"), code="own_posting")
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
    ApplicationEvent.objects.create(
        application=application,
        to_status=ApplicationStatus.APPLIED,
        actor=actor,
        on_behalf_of=worker if acting_for else None,
        reason=note[:300],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=application,
        after={"posting": posting.pk, "source": source},
        request=request,
        on_behalf_of=worker if acting_for else None,
    )
    _notify(posting.employer.user, _("“%(t)s”有新的报名。") % {"t": posting.title})
    return application


def _locked_application(application: Application) -> Application:
    return Application.objects.select_for_update().select_related("worker").get(pk=application.pk)


@transaction.atomic
def application_accept(*, application: Application, actor, request=None) -> Application:
    """Accept an applicant. Locks the posting row first: hires never exceed its headcount, even when two
    accepts race; the last accept marks the posting filled."""
    posting = (
        Posting.objects.select_for_update()
        .select_related("occupation", "employer")
        .get(pk=application.posting_id)
    )
    if posting.employer.user_id != actor.pk and not _is_staff_for(actor, posting.scope_unit_id):
        raise NotFound()
    application = _locked_application(application)
    if application.status != ApplicationStatus.APPLIED:
        check_transition(APPLICATION_TRANSITIONS, application.status, ApplicationStatus.ACCEPTED)
    if posting.status != PostingStatus.PUBLISHED or not posting.is_open():
        raise DomainError(_("该岗位已招满或已停止招聘。"), code="posting_not_open")
    if posting.accepted_count >= posting.headcount:
        raise DomainError(_("已达到招聘人数。"), code="headcount_reached")
    problem = eligibility_problem(
        worker=application.worker, occupation=posting.occupation, on=posting.work_start_date
    )
    if problem:
        raise DomainError(problem, code="not_eligible")
    _app_move(application, ApplicationStatus.ACCEPTED, actor, request=request)
    Posting.objects.filter(pk=posting.pk).update(accepted_count=F("accepted_count") + 1)
    posting.refresh_from_db(fields=["accepted_count"])
    if posting.accepted_count >= posting.headcount:
        _posting_move(posting, PostingStatus.FILLED, actor, reason=_("已招满"), request=request)
    _notify(application.worker, _("您已被“%(t)s”录用，请查看联系方式。") % {"t": posting.title})
    from .work import work_orders_create_for

    work_orders_create_for(application, actor=actor)
    return application


@transaction.atomic
def application_reject(*, application: Application, actor, reason: str = "", request=None) -> Application:
    posting = Posting.objects.select_related("employer").get(pk=application.posting_id)
    if posting.employer.user_id != actor.pk and not _is_staff_for(actor, posting.scope_unit_id):
        raise NotFound()
    application = _locked_application(application)
    _app_move(application, ApplicationStatus.REJECTED, actor, reason=reason, request=request)
    _notify(application.worker, _("“%(t)s”这次没有录用您，看看其他岗位吧。") % {"t": posting.title})
    return application


@transaction.atomic
def application_withdraw(*, application: Application, actor, reason: str = "", request=None) -> Application:
    """The worker (or staff for them) withdraws; an accepted worker frees their place, and a filled posting
    is published again."""
    posting = Posting.objects.select_for_update().select_related("employer").get(pk=application.posting_id)
    application = _locked_application(application)
    acting_for = actor.pk != application.worker_id
    if acting_for and not (
        _is_staff_for(actor, posting.scope_unit_id) or _is_staff_for(actor, application.worker.scope_unit_id)
    ):
        raise NotFound()
    was_accepted = application.status == ApplicationStatus.ACCEPTED
    if was_accepted and posting.work_start_date <= timezone.localdate():
        raise DomainError(_("已开工，不能撤回；请联系用工方或工作人员。"), code="work_started")
    _app_move(
        application,
        ApplicationStatus.WITHDRAWN,
        actor,
        reason=reason,
        request=request,
        on_behalf_of=application.worker if acting_for else None,
    )
    if was_accepted:
        Posting.objects.filter(pk=posting.pk).update(accepted_count=F("accepted_count") - 1)
        posting.refresh_from_db(fields=["accepted_count"])
        if posting.status == PostingStatus.FILLED and posting.work_end_date >= timezone.localdate():
            _posting_move(
                posting, PostingStatus.PUBLISHED, actor, reason=_("有录用人员撤回"), request=request
            )
        _notify(
            posting.employer.user, _("“%(t)s”有一名录用人员撤回，岗位已重新开放。") % {"t": posting.title}
        )
        from .work import work_orders_cancel_for

        work_orders_cancel_for(application, actor=actor, reason=reason, request=request)
    return application


def contact_visible(*, posting: Posting, user) -> bool:
    """The employer's contact is shown to accepted applicants (and the employer and staff in scope)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if posting.employer.user_id == getattr(user, "pk", None):
        return True
    return Application.objects.filter(
        posting=posting, worker_id=user.pk, status=ApplicationStatus.ACCEPTED
    ).exists()
