"""Applications (ADR 0030): the only writers of ``Application``. Each step checks access first (404 outside
the actor's county scope, 403 for a step the actor may not take), then moves the row through
``APPLICATION_WORKFLOW`` (lock, table, event row, audit row) in one transaction.

- **submit** — the worker for themselves, or counter staff for a worker (``assisted_by``): the calculator runs
  again for the period (its de-duplication strategies: the same month, the month limits, the yearly cap) and
  the application-level checks (one person by resident ID across programs and counties, the same insured
  rows) record their reasons on the application; a refusal is a field error and nothing is written;
- **county review** — county staff in scope: approve (→ city review, with the approved amount), return or
  reject; a submitted application is taken into county review by the same step;
- **city review** — city staff, never the county reviewer (separation of duties, 403): approve (→ public
  notice of ``LINGONG_SUBSIDY_NOTICE_WORKING_DAYS`` working days), return or reject;
- **budget** — an approval that would take the program's county budget for the year past its amount is
  refused with the remaining figure (``amount_approved``); the budget row is locked while it is counted.

The public notice, the objections and the conclusion of the notices are ``subsidies.services.notice``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.calendar import add_working_days
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.permissions import require_access, signed_in
from disputes.evidence import checked_upload
from jobs.notifications import notify

from ..choices import OPEN_APPLICATION_STATUSES, ApplicationStatus
from ..models import (
    APPLICATION_WORKFLOW,
    Application,
    ApplicationEvent,
    ApplicationEvidence,
    Budget,
    ProgramType,
)
from ..permissions import can_apply_at_counter, can_apply_for, can_city_review, can_county_review
from .eligibility import assess

S = ApplicationStatus
CENT = Decimal("0.01")
MINE_URL = "/subsidies/applications/"
# the de-duplication strategies' rule codes whose reasons an application keeps
DEDUP_CODES = frozenset({"same_month", "month_limit", "yearly_cap", "claim_once"})
HOLDING = (S.SUBMITTED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PUBLIC_NOTICE, S.APPROVED, S.DISBURSED)


def _invalid(field: str, message: str, code: str = "invalid") -> DomainError:
    return DomainError(message, code=code, fields={field: [message]})


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError, TypeError):
        raise _invalid(field, _("请填写正确的金额（元）。")) from None
    if amount <= 0:
        raise _invalid(field, _("金额应大于 0。"))
    return amount


def _number(now: dt.datetime) -> str:
    return f"BT{timezone.localdate(now):%Y%m%d}{secrets.token_hex(3).upper()}"


def _tell(application: Application, body: str, key: str) -> None:
    notify(application.person_id, body, url=f"{MINE_URL}{application.pk}/", key=key)


def reviewers_of(application: Application) -> set[int]:
    """The user ids of everyone who reviewed the application at either level (the recorded county and city
    reviewers and every actor of a county- or city-review step, earlier rounds included): the disbursing
    officer must be none of them."""
    ids = {application.county_reviewer_id, application.city_reviewer_id}
    ids |= set(
        ApplicationEvent.objects.filter(
            application_id=application.pk, from_status__in=(S.COUNTY_REVIEW, S.CITY_REVIEW)
        ).values_list("actor_id", flat=True)
    )
    return {i for i in ids if i is not None}


# --- de-duplication -----------------------------------------------------------------------------------------


def _insured_rows(figures: dict) -> set[int]:
    return {r["row"] for r in figures.get("rows", []) or [] if "excluded" not in r and "row" in r}


def dedup_check(
    *, person, program: ProgramType, period_start, period_end, decision, exclude_pk=None, payer_id=None
):
    """(reasons, refusals): every de-duplication reason as ``{"code", "text"}`` — the program's strategy's
    reasons from the calculator's decision, then the application-level checks: another application of the
    same person (one person by resident ID, whatever county they applied in) for an overlapping period,
    in this program (refused) or in another (recorded for the reviewer), and insured rows another open or
    approved application already claims (refused). An accident-insurance claim a platform or agency makes
    (``payer_id``) is refused only by another of the same payer for the period: another payer's claim for the
    same person is recorded, and the yearly cap counts both (ADR 0037)."""
    reasons, refusals = [], []
    for code, text in decision.reasons:
        if code in DEDUP_CODES:
            reasons.append({"code": code, "text": text})
    for code, text in decision.refused:
        if code in DEDUP_CODES:
            refusals.append({"code": code, "text": text})
    same_person = Q(person=person)
    if person.id_number:
        same_person |= Q(person__id_number=person.id_number)
    others = (
        Application.objects.filter(same_person, status__in=HOLDING)
        .filter(period_start__lte=period_end, period_end__gte=period_start)
        .select_related("program_type", "scope_unit")
    )
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    for other in others:
        words = {"number": other.number, "program": other.program_type.name, "county": other.scope_unit.name}
        if other.program_type_id == program.pk and other.payer_id != payer_id:
            reasons.append(
                {
                    "code": "other_payer",
                    "text": _("同一人同期另有%(program)s申请 %(number)s（%(county)s），每年上限合并计算。")
                    % words,
                }
            )
        elif other.program_type_id == program.pk:
            refusals.append(
                {
                    "code": "same_person_period",
                    "text": _("同一人（按身份证号）在%(county)s已有同期的%(program)s申请 %(number)s。")
                    % words,
                }
            )
        else:
            reasons.append(
                {
                    "code": "other_program",
                    "text": _("同一人同期还申请了%(program)s（%(number)s，%(county)s）。") % words,
                }
            )
    rows = _insured_rows(getattr(decision, "figures", {}) or {})
    if rows:
        claimed = set()
        for other in others.filter(program_type=program).select_related("decision"):
            if other.decision_id:
                claimed |= rows & _insured_rows(other.decision.figures)
        if claimed:
            refusals.append(
                {
                    "code": "same_insured_row",
                    "text": _("投保记录 %(rows)s 已在其他申请中申领。")
                    % {"rows": ", ".join(str(r) for r in sorted(claimed))},
                }
            )
    if not refusals:
        reasons.append({"code": "no_duplicate", "text": _("未发现重复申领。")})
    return reasons + [dict(r, refused=True) for r in refusals], refusals


# --- submitting ---------------------------------------------------------------------------------------------


def _may_apply(actor, person) -> tuple[bool, bool]:
    """(allowed, assisted)."""
    if can_apply_for(actor, person):
        return True, False
    if can_apply_at_counter(actor, person):
        return True, True
    return False, False


def _assess(person, program, day):
    answer = assess(person, program, day)
    if answer.eligible is False:
        message = "；".join(text for _c, text in answer.decision.refused) or _("不符合条件。")
        raise _invalid("program", message, "not_eligible")
    return answer


@transaction.atomic
def application_submit(
    *, actor, person, program: ProgramType, day: dt.date, amount=None, statement: str = "", request=None
) -> Application:
    """Apply for ``program`` for the period containing ``day``: the calculator's answer is confirmed
    (its amount pre-fills the request; a person whose answer is still "unknown" states the amount and
    brings evidence), the de-duplication checks run, and the application is submitted."""
    if not signed_in(actor):
        raise NotPermitted()
    allowed, assisted = _may_apply(actor, person)
    require_access(allowed=allowed, visible=True, message=_("只能为本人申请，或在服务窗口为办事群众代办。"))
    if person.scope_unit_id is None:
        raise _invalid("person", _("请先完善所在县（市、区）。"), "no_county")
    answer = _assess(person, program, day)
    if amount in (None, ""):
        if answer.amount is None or answer.amount <= 0:
            raise _invalid("amount_requested", _("请填写申请金额，并上传证明材料。"), "amount_required")
        amount = answer.amount
    amount = _money(amount, "amount_requested")
    if answer.amount is not None and answer.eligible is True and amount > answer.amount:
        raise _invalid(
            "amount_requested",
            _("申请金额不能超过测算金额 %(amount)s 元。") % {"amount": answer.amount},
            "over_calculated",
        )
    reasons, refusals = dedup_check(
        person=person,
        program=program,
        period_start=answer.period_start,
        period_end=answer.period_end,
        decision=answer.decision,
    )
    if refusals:
        raise _invalid("program", "；".join(r["text"] for r in refusals), "duplicate")
    now = timezone.now()
    application = Application(
        person=person,
        program_type=program,
        scope_unit_id=person.scope_unit_id,
        period_start=answer.period_start,
        period_end=answer.period_end,
        amount_requested=amount,
        decision=answer.stored,
        statement=(statement or "").strip()[:2000],
        assisted_by=actor if assisted else None,
        dedup_reasons=reasons,
    )
    _save_numbered(application, now)
    on_behalf_of = person if assisted else None
    APPLICATION_WORKFLOW.record(application, to_status=S.DRAFT, actor=actor, on_behalf_of=on_behalf_of)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=application,
        after=snapshot(application),
        request=request,
        on_behalf_of=on_behalf_of,
    )
    application.submitted_at = now
    APPLICATION_WORKFLOW.move(
        application,
        S.SUBMITTED,
        actor=actor,
        on_behalf_of=on_behalf_of,
        fields=["submitted_at"],
        request=request,
    )
    _tell(
        application,
        _("您的%(program)s申请（%(number)s）已提交，等待县级审核。")
        % {"program": program.name, "number": application.number},
        f"subsidy-application:{application.pk}:submitted",
    )
    return application


NUMBER_ATTEMPTS = 5


def _save_numbered(application: Application, now) -> None:
    for _attempt in range(NUMBER_ATTEMPTS):
        application.number = _number(now)
        try:
            with transaction.atomic():
                application.save()
            return
        except IntegrityError:
            application.pk = None
            if not Application.objects.filter(number=application.number).exists():
                raise
    raise DomainError(_("申请编号生成失败，请稍后重试。"), code="number_unavailable")


@transaction.atomic
def application_resubmit(
    *, actor, application: Application, statement: str = "", request=None
) -> Application:
    """A returned application submitted again (by its person, or counter staff for them): the
    de-duplication checks run again."""
    locked = APPLICATION_WORKFLOW.lock(application, queryset=Application.objects.visible_to(actor))
    allowed, assisted = _may_apply(actor, locked.person)
    require_access(allowed=allowed, visible=True)
    decision = locked.decision
    reasons, refusals = dedup_check(
        person=locked.person,
        program=locked.program_type,
        period_start=locked.period_start,
        period_end=locked.period_end,
        decision=_StoredDecision(decision),
        exclude_pk=locked.pk,
    )
    if refusals:
        raise _invalid("program", "；".join(r["text"] for r in refusals), "duplicate")
    locked.dedup_reasons = reasons
    locked.submitted_at = timezone.now()
    fields = ["dedup_reasons", "submitted_at"]
    if statement:
        locked.statement = statement.strip()[:2000]
        fields.append("statement")
    APPLICATION_WORKFLOW.move(
        locked,
        S.SUBMITTED,
        actor=actor,
        on_behalf_of=locked.person if assisted else None,
        fields=fields,
        request=request,
    )
    return locked


class _StoredDecision:
    """A stored ``EligibilityDecision`` read as the calculator's ``Decision`` for the de-duplication check."""

    def __init__(self, row):
        self.reasons = [tuple(r) for r in (row.reasons if row else [])]
        self.refused = []
        self.figures = row.figures if row else {}


# --- evidence -----------------------------------------------------------------------------------------------


@transaction.atomic
def evidence_add(*, actor, application: Application, upload, description: str = "", request=None):
    """The applicant (or counter staff for them) adds a document while the application is open; the file is
    checked by its content (images re-encoded, PDFs without script)."""
    locked = APPLICATION_WORKFLOW.lock(application, queryset=Application.objects.visible_to(actor))
    allowed, _assisted = _may_apply(actor, locked.person)
    require_access(allowed=allowed, visible=True)
    if locked.status not in (S.DRAFT, S.SUBMITTED, S.COUNTY_REVIEW, S.RETURNED):
        raise _invalid("file", _("审核已进入市级复核或已结束，不能再补充材料。"), "closed")
    kind, stored, digest = checked_upload(upload, field="file")
    evidence = ApplicationEvidence(
        application=locked,
        kind=kind,
        sha256=digest,
        size=stored.size,
        uploaded_by=actor,
        description=(description or "").strip()[:200],
    )
    evidence.file.save(stored.name, stored, save=False)
    evidence.save()
    audit_record(
        actor=actor, action=AuditAction.CREATE, obj=evidence, after=snapshot(evidence), request=request
    )
    return evidence


# --- review -------------------------------------------------------------------------------------------------

APPROVE, RETURN, REJECT = "approve", "return", "reject"
OUTCOMES = (APPROVE, RETURN, REJECT)


def _reason(outcome: str, reason: str) -> str:
    reason = (reason or "").strip()
    if outcome in (RETURN, REJECT) and not reason:
        raise _invalid("reason", _("退回或不予通过时请填写原因。"), "reason_required")
    return reason[:1000]


def budget_for(application: Application, *, lock: bool = False) -> Budget | None:
    rows = Budget.objects.filter(
        program_type_id=application.program_type_id,
        scope_unit_id=application.scope_unit_id,
        year=application.period_start.year,
    )
    if lock:
        rows = rows.select_for_update()
    return rows.first()


def budget_check(application: Application, amount: Decimal) -> None:
    """Refuse (``amount_approved``) an approval the budget cannot take, with the remaining figure."""
    budget = budget_for(application, lock=True)
    if budget is None:
        raise _invalid(
            "amount_approved",
            _("%(county)s %(year)s 年度%(program)s预算尚未下达，不能批准。")
            % {
                "county": application.scope_unit.name,
                "year": application.period_start.year,
                "program": application.program_type.name,
            },
            "no_budget",
        )
    remaining = budget.remaining(exclude_pk=application.pk)
    if amount > remaining:
        raise _invalid(
            "amount_approved",
            _("超出预算：%(year)s 年度预算剩余 %(remaining)s 元，本次核定 %(amount)s 元。")
            % {"year": budget.year, "remaining": remaining, "amount": amount},
            "over_budget",
        )


def _approved_amount(locked: Application, amount) -> Decimal:
    if amount in (None, ""):
        return locked.amount_approved or locked.amount_requested
    value = _money(amount, "amount_approved")
    if value > locked.amount_requested:
        raise _invalid(
            "amount_approved",
            _("核定金额不能超过申请金额 %(amount)s 元。") % {"amount": locked.amount_requested},
            "over_requested",
        )
    return value


def _lock(application, actor) -> Application:
    return APPLICATION_WORKFLOW.lock(
        application,
        queryset=Application.objects.visible_to(actor).select_related("program_type", "scope_unit"),
        of=("self",),
    )


@transaction.atomic
def application_county_review(
    *, actor, application: Application, outcome: str, reason: str = "", amount=None, request=None
) -> Application:
    """County staff in scope decide: approve (→ city review), return, or reject. A submitted application is
    taken into county review by the same step (its own event)."""
    locked = _lock(application, actor)
    require_access(allowed=can_county_review(actor, locked.scope_unit_id), visible=True)
    if locked.city_reviewer_id == actor.pk:
        raise NotPermitted(_("同一人不能同时担任县级审核和市级复核。"), code="separation_of_duties")
    if outcome not in OUTCOMES:
        raise _invalid("outcome", _("请选择审核结论。"))
    reason = _reason(outcome, reason)
    if locked.status == S.SUBMITTED:
        APPLICATION_WORKFLOW.move(locked, S.COUNTY_REVIEW, actor=actor, reason=_("县级受理"), request=request)
    APPLICATION_WORKFLOW.check(locked.status, S.CITY_REVIEW)  # 409 before anything is set
    now = timezone.now()
    locked.county_reviewer = actor
    locked.county_reviewed_at = now
    fields = ["county_reviewer", "county_reviewed_at"]
    if outcome == APPROVE:
        value = _approved_amount(locked, amount)
        budget_check(locked, value)
        locked.amount_approved = value
        fields.append("amount_approved")
        target, words = S.CITY_REVIEW, _("已通过县级审核，等待市级复核")
    elif outcome == RETURN:
        locked.return_reason = reason
        fields.append("return_reason")
        target, words = S.RETURNED, _("被县级退回：%(reason)s") % {"reason": reason}
    else:
        locked.reject_reason = reason
        fields.append("reject_reason")
        target, words = S.REJECTED, _("县级审核未通过：%(reason)s") % {"reason": reason}
    APPLICATION_WORKFLOW.move(locked, target, actor=actor, reason=reason, fields=fields, request=request)
    _tell(
        locked,
        _("您的补贴申请（%(number)s）%(words)s。") % {"number": locked.number, "words": words},
        f"subsidy-application:{locked.pk}:county:{ApplicationEvent.objects.filter(application=locked).count()}",
    )
    return locked


@transaction.atomic
def application_city_review(
    *, actor, application: Application, outcome: str, reason: str = "", amount=None, request=None
) -> Application:
    """City staff decide: approve (→ public notice of the configured working days), return, or reject. The
    county reviewer of the application may not (separation of duties: 403, nothing changed)."""
    locked = _lock(application, actor)
    require_access(allowed=can_city_review(actor), visible=True)
    if actor.pk in {locked.county_reviewer_id} | _county_actors(locked):
        raise NotPermitted(_("同一人不能同时担任县级审核和市级复核。"), code="separation_of_duties")
    if outcome not in OUTCOMES:
        raise _invalid("outcome", _("请选择复核结论。"))
    reason = _reason(outcome, reason)
    APPLICATION_WORKFLOW.check(locked.status, S.PUBLIC_NOTICE)
    now = timezone.now()
    locked.city_reviewer = actor
    locked.city_reviewed_at = now
    fields = ["city_reviewer", "city_reviewed_at"]
    if outcome == APPROVE:
        value = _approved_amount(locked, amount)
        budget_check(locked, value)
        today = timezone.localdate(now)
        locked.amount_approved = value
        locked.notice_start = today
        locked.notice_end = add_working_days(today, settings.LINGONG_SUBSIDY_NOTICE_WORKING_DAYS)
        fields += ["amount_approved", "notice_start", "notice_end"]
        target = S.PUBLIC_NOTICE
        words = _("已通过市级复核，公示至 %(end)s") % {"end": locked.notice_end}
    elif outcome == RETURN:
        locked.return_reason = reason
        fields.append("return_reason")
        target, words = S.RETURNED, _("被市级退回：%(reason)s") % {"reason": reason}
    else:
        locked.reject_reason = reason
        fields.append("reject_reason")
        target, words = S.REJECTED, _("市级复核未通过：%(reason)s") % {"reason": reason}
    APPLICATION_WORKFLOW.move(locked, target, actor=actor, reason=reason, fields=fields, request=request)
    _tell(
        locked,
        _("您的补贴申请（%(number)s）%(words)s。") % {"number": locked.number, "words": words},
        f"subsidy-application:{locked.pk}:city:{ApplicationEvent.objects.filter(application=locked).count()}",
    )
    return locked


def _county_actors(application: Application) -> set[int]:
    """Who took a county-review step on this application in its current round (since it was last
    submitted)."""
    last_submit = (
        ApplicationEvent.objects.filter(application_id=application.pk, to_status=S.SUBMITTED)
        .order_by("-at", "-id")
        .values_list("id", flat=True)
        .first()
    )
    rows = ApplicationEvent.objects.filter(application_id=application.pk, from_status=S.COUNTY_REVIEW)
    if last_submit:
        rows = rows.filter(id__gt=last_submit)
    return {i for i in rows.values_list("actor_id", flat=True) if i is not None}


def open_application(person, program: ProgramType, period_start) -> Application | None:
    """The person's open application for the program and period, if any (the "apply" button becomes
    "track")."""
    return (
        Application.objects.filter(
            person=person,
            program_type=program,
            period_start=period_start,
            status__in=OPEN_APPLICATION_STATUSES,
        )
        .order_by("-id")
        .first()
    )
