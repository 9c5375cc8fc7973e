"""Training-subsidy claims taken for review (ADR 0038): each claim the training app holds as submitted becomes
exactly one application of the training program, read through ``training.interface`` only (subsidies
imports nothing else from ``training`` and never writes a training row).

- **Taken** — a claim by the person (``ClaimantKind.PERSON``) whose evidence bundle still hashes to the value
  frozen when it was made (``verify_evidence``): the application's person is the trainee, its county the
  class's county, its requested amount the claim's assessed amount, its decision the claim's calculation
  (every figure, the reasons and the rule versions) under the training parameter row in force; it is created
  as a draft and submitted through the application workflow (events, audit, notification), then reviewed,
  noticed, approved and paid as any other application.
- **Not taken, reported** — evidence that no longer verifies (``evidence_failed``); a claim made by the
  institution or an employer (``payee_not_supported``: their payee account is not on record here, so the
  disbursement cannot pay them); a de-duplication refusal (``duplicate``); a county without the training
  parameter row (``no_parameter``). Nothing is written for them; the next run reports them again.

Idempotent: ``Application.training_claim_id`` is unique, the trainee's row is locked while the claim is taken
(as the training claims and the insured lists do), so a second run, a retried task or two concurrent runs
create one application per claim.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import NotPermitted
from core.permissions import has_role, signed_in
from core.scope import CITY
from training import interface as training

from ..choices import ApplicationStatus
from ..models import APPLICATION_WORKFLOW, Application, EligibilityDecision, ProgramType
from ..permissions import can_city_review
from ..strategies.cycles import per_claim
from . import applications as app_services
from .eligibility import parameter_for

log = logging.getLogger(__name__)
PROGRAM_CODE = "training"
PERSON = "person"  # training.choices.ClaimantKind.PERSON, read from the claim summary

TAKEN, ALREADY, EVIDENCE_FAILED, PAYEE, DUPLICATE, NO_PARAMETER = (
    "taken",
    "already_taken",
    "evidence_failed",
    "payee_not_supported",
    "duplicate",
    "no_parameter",
)


class _System:
    """The periodic task's principal: city-wide, acting as nobody (events and audit rows without an actor)."""

    is_authenticated = True
    pk = None

    def get_scope(self):
        return CITY


SYSTEM = _System()


def _jsonable(value):
    if isinstance(value, Decimal | dt.date | dt.datetime):
        return str(value)
    raise TypeError(type(value))


def _decision(summary: dict, program: ProgramType, parameter, person_id: int, day: dt.date):
    """The claim's calculation kept as the application's decision: eligible, the assessed amount, every
    figure, the reasons, the rule versions and the evidence hash."""
    calculation = summary["calculation"] or {}
    figures = json.loads(
        json.dumps(
            {
                "training_claim": summary["claim_id"],
                "claimant_kind": summary["claimant_kind"],
                "occupation": summary["occupation"],
                "level": summary["level"],
                "certificate_type": summary["certificate_type"],
                "rule_version": summary["rule_version"],
                "evidence_sha256": summary["evidence_sha256"],
                "evidence_verified": summary["evidence_verified"],
                "calculation": calculation,
            },
            default=_jsonable,
        )
    )
    reasons = [list(r) for r in calculation.get("reasons", []) if isinstance(r, list | tuple) and len(r) == 2]
    reasons.append(
        ["claim_once", _("培训补贴同一职业同一等级只能享受一次，由培训模块申领时核验（规则 %(rule)s）。")
         % {"rule": summary["rule_version"]}]
    )  # fmt: skip
    digest = hashlib.sha256(
        f"training-claim:{summary['claim_id']}:{summary['evidence_sha256']}".encode()
    ).hexdigest()
    return EligibilityDecision.objects.create(
        person_id=person_id,
        program_type=program,
        parameter=parameter,
        parameter_version=(parameter.version if parameter else "")[:40],
        period_start=day,
        period_end=day,
        eligible=True,
        amount=Decimal(str(summary["amount"])).quantize(app_services.CENT),
        figures=figures,
        reasons=reasons,
        needs=[],
        digest=digest,
    )


def _refusal(claim_id: int, outcome: str, text: str) -> dict:
    return {"claim_id": claim_id, "outcome": outcome, "text": text}


def claim_take(*, claim, program: ProgramType, actor=None) -> dict:
    """Take one submitted claim (see the module). Returns ``{"claim_id", "outcome", "text"[, "application"]}``;
    one transaction, nothing written unless the outcome is ``taken``."""
    summary = training.claim_summary(claim)
    claim_id = summary["claim_id"]
    if not summary["evidence_verified"]:
        return _refusal(claim_id, EVIDENCE_FAILED, _("申领材料校验值不一致，材料可能被改动，未受理。"))
    if summary["claimant_kind"] != PERSON:
        return _refusal(
            claim_id,
            PAYEE,
            _(
                "该申领由培训机构或用人单位代为申领，补贴应付给申领单位，单位收款账户尚未在本系统登记，未受理；请由本人申领或线下办理。"
            ),
        )
    try:
        with transaction.atomic():
            return _take(summary, program, actor)
    except IntegrityError:
        # a concurrent run took it first (the unique claim link)
        if Application.objects.filter(training_claim_id=claim_id).exists():
            return _refusal(claim_id, ALREADY, _("已受理。"))
        raise


def _take(summary: dict, program: ProgramType, actor) -> dict:
    claim_id = summary["claim_id"]
    person = User.objects.select_for_update().get(pk=summary["person_id"])  # one person's claims in turn
    existing = Application.objects.filter(training_claim_id=claim_id).first()
    if existing is not None:
        return _refusal(claim_id, ALREADY, _("已受理：%(number)s。") % {"number": existing.number}) | {
            "application": existing.pk
        }
    submitted = summary["submitted_at"] or timezone.now()
    day = per_claim(timezone.localdate(submitted))[0]
    scope_unit_id = summary["scope_unit_id"]
    parameter = parameter_for(program, day, scope_unit_id)
    if parameter is None:
        return _refusal(claim_id, NO_PARAMETER, _("本地还没有发布培训补贴的标准，未受理。"))
    decision = _decision(summary, program, parameter, person.pk, day)
    reasons, refusals = app_services.dedup_check(
        person=person,
        program=program,
        period_start=day,
        period_end=day,
        decision=app_services._StoredDecision(decision),
    )
    # each claim is its own certificate (the same-level-once rule is the training app's): another training
    # application of the person on the same day is recorded for the reviewer, not refused
    for refusal in [r for r in refusals if r["code"] == "same_person_period"]:
        refusals.remove(refusal)
        for reason in reasons:
            if reason.get("code") == "same_person_period":
                reason.pop("refused", None)
    if refusals:
        transaction.set_rollback(True)
        return _refusal(claim_id, DUPLICATE, "；".join(r["text"] for r in refusals))
    amount = decision.amount
    now = timezone.now()
    application = Application(
        person=person,
        program_type=program,
        scope_unit_id=scope_unit_id,
        period_start=day,
        period_end=day,
        amount_requested=amount,
        decision=decision,
        statement=_("培训补贴申领 %(claim)s：%(occupation)s %(level)s，材料校验值 %(hash)s")
        % {
            "claim": claim_id,
            "occupation": summary["occupation"],
            "level": summary["level"] or "—",
            "hash": summary["evidence_sha256"][:16],
        },
        training_claim_id=claim_id,
        dedup_reasons=reasons,
    )
    app_services._save_numbered(application, now)
    APPLICATION_WORKFLOW.record(application, to_status=ApplicationStatus.DRAFT, actor=actor)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=application, after=snapshot(application))
    application.submitted_at = now
    APPLICATION_WORKFLOW.move(
        application,
        ApplicationStatus.SUBMITTED,
        actor=actor,
        reason=_("受理培训补贴申领 %(claim)s") % {"claim": claim_id},
        fields=["submitted_at"],
    )
    app_services._tell(
        application,
        _("您的培训补贴申领（%(amount)s 元）已受理，申请编号 %(number)s，等待县级审核。")
        % {"amount": amount, "number": application.number},
        f"subsidy-application:{application.pk}:submitted",
    )
    return {
        "claim_id": claim_id,
        "outcome": TAKEN,
        "text": application.number,
        "application": application.pk,
    }


def claims_intake(*, actor=None) -> dict:
    """Take every submitted claim not yet taken in the actor's scope (county staff in scope, city staff, or
    the periodic task with ``actor=None``: city-wide). Returns the report: counts per outcome and one row per
    claim not taken (a tampered bundle is logged as a warning too)."""
    if actor is not None:
        if not may_take(actor):
            raise NotPermitted(_("只有县、市经办人员可以受理培训补贴申领。"))
        principal = actor
    else:
        principal = SYSTEM
    program = ProgramType.objects.get(code=PROGRAM_CODE)
    taken_ids = Application.objects.filter(training_claim_id__isnull=False).values("training_claim_id")
    claims = training.claims_for_review(principal).exclude(pk__in=taken_ids)
    report = {"taken": 0, "not_taken": [], "applications": []}
    for claim in claims.iterator(chunk_size=200):
        row = claim_take(claim=claim, program=program, actor=actor)
        if row["outcome"] == TAKEN:
            report["taken"] += 1
            report["applications"].append(row["application"])
        elif row["outcome"] != ALREADY:
            report["not_taken"].append(row)
            if row["outcome"] == EVIDENCE_FAILED:
                log.warning("training claim %s: evidence does not verify, not taken", row["claim_id"])
    return report


def may_take(user) -> bool:
    return signed_in(user) and (can_city_review(user) or has_role(user, Role.COUNTY_STAFF))


def claim_summary_of(application: Application) -> dict | None:
    """The claim's summary for the application's reviewers (``training.interface.claim_summary``), or None
    for an application not taken from a training claim."""
    if not application.training_claim_id:
        return None
    claim = training.claim_by_id(application.training_claim_id)
    if claim is None:
        return None
    # the claim's status on the training side (a claim withdrawn after it was taken shows it here)
    return training.claim_summary(claim) | {"status_label": claim.get_status_display()}


def review_status(claim_id: int) -> str | None:
    """``training.interface``'s hook: the application taken for the claim, its number and status."""
    row = Application.objects.filter(training_claim_id=claim_id).only("number", "status").first()
    if row is None:
        return None
    return _("%(status)s（补贴申请 %(number)s）") % {"status": row.get_status_display(), "number": row.number}


def withdraw_refusal(claim_id: int) -> str | None:
    """``training.interface``'s withdraw guard: a claim taken for review may not be withdrawn on the training
    side while its application is anything but rejected (submitted, in review, noticed, approved or paid)."""
    row = (
        Application.objects.filter(training_claim_id=claim_id)
        .exclude(status=ApplicationStatus.REJECTED)
        .only("number", "status")
        .first()
    )
    if row is None:
        return None
    return _(
        "该申领已转为补贴申请 %(number)s（%(status)s），不能在这里撤回；如需撤回，请联系县级经办人员在审核中退回或不予通过。"
    ) % {"number": row.number, "status": row.get_status_display()}
