"""Postings: drafting and editing, submission and review, closing and expiry, reports from the public, and
the notification of matching workers when a posting goes live. Every status change goes through
``POSTING_WORKFLOW`` (table, event row, audit row)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.geo import to_wgs84
from core.permissions import require_access
from core.queue import enqueue
from core.wages import minimum_wage
from core.workflow import check_transition

from .. import hooks, search
from ..choices import PostingStatus, ReportStatus, VerificationStatus, WageUnit
from ..matching import recommend_workers
from ..models import (
    POSTING_FIELDS,
    POSTING_WORKFLOW,
    REPORT_WORKFLOW,
    EmployerProfile,
    Posting,
    PostingReport,
)
from ..notifications import notify, notify_user
from ..permissions import require_employer_side, require_reviewer, staff_for
from ..screening import screen
from ..wages import daily_equivalent
from .windows import posting_window_sync


@dataclass
class PostingResult:
    posting: Posting
    warnings: list[str] = field(default_factory=list)


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
    median = hooks.wage_guidance_median(
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
    posting.screen_flags = screen(posting.title, posting.description, posting.requirements)
    posting.search_text = search.document(posting)
    posting.search_tokens = search.posting_tokens(posting.search_text, posting.lat, posting.lng)
    return warnings


@transaction.atomic
def posting_create(
    *, employer: EmployerProfile, actor, data: dict, coordinate_system: str = "wgs84", request=None
) -> PostingResult:
    """A new posting, as a draft. Employers post for themselves; staff may draft for an employer in scope."""
    require_access(
        allowed=employer.user_id == actor.pk or staff_for(actor, employer.scope_unit_id), visible=False
    )
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


def _locked(posting: Posting) -> Posting:
    return POSTING_WORKFLOW.lock(posting, select_related=("employer", "scope_unit", "occupation"))


@transaction.atomic
def posting_update(*, posting: Posting, actor, data: dict, request=None) -> PostingResult:
    """Edit a draft (a rejected posting comes back as a draft)."""
    posting = _locked(posting)
    require_employer_side(posting, actor, perm="jobs.change_posting")
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


def posting_move(
    posting: Posting, to_status: str, *, actor, reason: str = "", fields=(), request=None
) -> Posting:
    """A (locked) posting to ``to_status`` in the caller's transaction; the first publication is dated."""
    fields, now = list(fields), timezone.now()
    if to_status == PostingStatus.PUBLISHED and posting.published_at is None:
        posting.published_at = now
        fields.append("published_at")
    POSTING_WORKFLOW.move(posting, to_status, actor=actor, reason=reason, fields=fields, request=request)
    posting_window_sync(posting, now=now)  # published ↔ a validity window (ADR 0041)
    return posting


def _refuse_blacklisted(employer) -> None:
    """A listed employer (``BLACKLIST_CHECKS``) may keep drafts but not submit or publish: a field error on
    ``employer`` (400), never a 500."""
    if hooks.employer_blacklisted(employer):
        message = _("该用工方在拖欠农民工工资失信联合惩戒对象名单中，惩戒期内不能发布岗位。")
        raise DomainError(message, code="employer_blacklisted", fields={"employer": [message]})


def _can_publish(posting: Posting) -> None:
    employer = posting.employer
    if employer.status != VerificationStatus.APPROVED:
        raise DomainError(_("用工登记尚未通过审核，岗位暂不能发布。"), code="employer_not_approved")
    _refuse_blacklisted(employer)
    if posting.work_end_date < timezone.localdate():
        raise DomainError(_("工作日期已过，不能发布。"), code="posting_past")


def _on_published(posting: Posting) -> None:
    enqueue("jobs.tasks.posting_notify_matches_task", posting_id=posting.pk)


@transaction.atomic
def posting_submit(*, posting: Posting, actor, request=None) -> Posting:
    """Send a draft for review. A trusted, approved employer's clean posting is published at once when the
    setting allows (LINGONG_POSTING_AUTO_APPROVE_TRUSTED)."""
    posting = _locked(posting)
    require_employer_side(posting, actor, perm="jobs.change_posting")
    _refuse_blacklisted(posting.employer)
    posting_move(posting, PostingStatus.PENDING_REVIEW, actor=actor, request=request)
    employer = posting.employer
    if (
        settings.LINGONG_POSTING_AUTO_APPROVE_TRUSTED
        and employer.trusted
        and employer.status == VerificationStatus.APPROVED
        and not posting.screen_flags
    ):
        _can_publish(posting)
        posting_move(
            posting,
            PostingStatus.PUBLISHED,
            actor=None,
            reason=_("信用良好用工方，自动通过"),
            request=request,
        )
        _on_published(posting)
    return posting


REVIEW_CHECKLIST = (
    ("no_fees", _("不向劳动者收取任何费用或押金")),
    ("no_discrimination", _("无性别、年龄、地域、民族等法律不允许的限制")),
    ("no_scam", _("无刷单、垫付、套取个人信息等诈骗特征")),
    ("wage_clear", _("工资、结算方式和工作时间写明")),
)


@transaction.atomic
def posting_approve(
    *, posting: Posting, actor, checklist: dict[str, bool], note: str = "", request=None
) -> Posting:
    """Publish after review; every checklist item must be confirmed."""
    posting = _locked(posting)
    require_reviewer(posting, actor)
    missing = [str(label) for key, label in REVIEW_CHECKLIST if not checklist.get(key)]
    if missing:
        raise DomainError(
            _("请逐项确认审核要点。"), code="checklist_incomplete", fields={"checklist": missing}
        )
    if posting.status != PostingStatus.PENDING_REVIEW:
        # filled→published is in the table for a withdrawal, never for a review
        check_transition({}, posting.status, PostingStatus.PUBLISHED)
    _can_publish(posting)
    posting.reviewed_by, posting.review_note = actor, note[:300]
    posting_move(
        posting,
        PostingStatus.PUBLISHED,
        actor=actor,
        reason=note,
        fields=("reviewed_by", "review_note"),
        request=request,
    )
    _on_published(posting)
    return posting


@transaction.atomic
def posting_reject(*, posting: Posting, actor, reason: str, request=None) -> Posting:
    """Send back to draft with a reason the employer sees."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise DomainError(_("请填写退回原因。"), fields={"reason": [_("请填写退回原因。")]})
    posting = _locked(posting)
    require_reviewer(posting, actor)
    if posting.status != PostingStatus.PENDING_REVIEW:
        check_transition({}, posting.status, PostingStatus.DRAFT)
    posting.reviewed_by, posting.review_note = actor, reason[:300]
    posting_move(
        posting,
        PostingStatus.DRAFT,
        actor=actor,
        reason=reason,
        fields=("reviewed_by", "review_note"),
        request=request,
    )
    notify(
        posting.employer.user_id,
        _("您的招聘信息“%(t)s”未通过审核：%(r)s") % {"t": posting.title, "r": reason},
    )
    return posting


@transaction.atomic
def posting_close(*, posting: Posting, actor, reason: str = "", request=None) -> Posting:
    posting = _locked(posting)
    require_employer_side(posting, actor, perm="jobs.change_posting")
    return posting_move(posting, PostingStatus.CLOSED, actor=actor, reason=reason, request=request)


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
            posting = POSTING_WORKFLOW.lock(pk)
            if (
                posting.status in (PostingStatus.PUBLISHED, PostingStatus.FILLED)
                and posting.work_end_date < today
            ):
                posting_move(posting, PostingStatus.EXPIRED, actor=None, reason=_("已过最后工作日期"))
                count += 1
    return count


def posting_notify_matches(*, posting_id: int, limit: int = 30) -> int:
    """After a posting is published: tell the best-matching workers who asked to hear of new jobs."""
    posting = (
        Posting.objects.select_related("occupation", "scope_unit", "employer").filter(pk=posting_id).first()
    )
    if posting is None or not posting.is_open():
        return 0
    count = 0
    for rec in recommend_workers(posting=posting, limit=limit):
        notify_user(
            user_id=rec.obj.user_id,
            body=_("新岗位：%(t)s，%(w)s元/天，%(r)s")
            % {"t": posting.title, "w": posting.daily_wage, "r": "；".join(rec.reasons[:3])},
            url=f"/jobs/{posting.pk}/",
            key=f"posting:{posting.pk}:match:{rec.obj.user_id}",
        )
        count += 1
    return count


# --- reports ----------------------------------------------------------------------------------------------


@transaction.atomic
def posting_report(
    *, posting: Posting, reporter, reason: str, detail: str = "", request=None
) -> PostingReport:
    """Anyone may report a posting; it reaches the county's reviewers (dashboard and admin)."""
    person = (
        reporter if getattr(reporter, "is_authenticated", False) and getattr(reporter, "pk", None) else None
    )
    report = PostingReport.objects.create(
        posting=posting, reason=reason, detail=detail[:500], reporter=person
    )
    REPORT_WORKFLOW.record(report, to_status=report.status, actor=person)
    return report


def _report_decide(report: PostingReport, to_status: str, *, actor, note: str, request) -> PostingReport:
    report = REPORT_WORKFLOW.lock(
        report, queryset=PostingReport.objects.visible_to(actor), select_related=("posting",)
    )
    staff = staff_for(actor, report.posting.scope_unit_id)
    require_access(allowed=staff and actor.has_perm("jobs.change_postingreport"), visible=staff)
    report.handled_at, report.handled_by = timezone.now(), actor
    return REPORT_WORKFLOW.move(
        report, to_status, actor=actor, reason=note, fields=("handled_at", "handled_by"), request=request
    )


@transaction.atomic
def posting_report_handle(*, report: PostingReport, actor, note: str = "", request=None) -> PostingReport:
    """County staff have dealt with a report (the posting was corrected, closed, or the employer warned)."""
    return _report_decide(report, ReportStatus.HANDLED, actor=actor, note=note, request=request)


@transaction.atomic
def posting_report_dismiss(*, report: PostingReport, actor, note: str = "", request=None) -> PostingReport:
    """County staff found nothing wrong: the report is closed without action."""
    return _report_decide(report, ReportStatus.DISMISSED, actor=actor, note=note, request=request)
