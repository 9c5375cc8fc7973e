"""Training-subsidy claims (培训补贴申领): created for an eligible completion by the person or by the
institution on their behalf, with the calculator's figures and the evidence bundle frozen by a hash; submitted
or withdrawn through ``CLAIM_WORKFLOW``. Review and payment are the subsidies app's (it reads
``training.interface``)."""

from __future__ import annotations

import hashlib
import json

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, NotPermitted
from core.masking import mask_id_number
from core.permissions import require_access, signed_in
from core.scope import scope_of
from jobs.notifications import notify
from jobs.permissions import can_serve_counter, may_act_for

from ..choices import ClaimantKind, ClaimStatus, EnrollmentStatus
from ..hooks import withdraw_refusal
from ..models import (
    CLAIM_WORKFLOW,
    ENROLLMENT_WORKFLOW,
    Attendance,
    Enrollment,
    TrainingClaim,
    TrainingClassEvent,
)
from ..permissions import is_member
from .eligibility import Assessment, assess_enrollment, need_labels


def canonical(bundle: dict) -> str:
    """The canonical JSON text of a bundle (sorted keys, no spaces, UTF-8 kept): what the hash is over."""
    return json.dumps(bundle, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def evidence_hash(bundle: dict) -> str:
    return hashlib.sha256(canonical(bundle).encode("utf-8")).hexdigest()


def _iso(value):
    return value.isoformat() if value is not None else None


def evidence_bundle(enrollment: Enrollment) -> dict:
    """The frozen evidence of one completion: the class and its approval, the roster (enrollment and person
    ids, statuses; no names), every session with this trainee's attendance row (status, method, time,
    distance, who marked it, flags), the result and the certificate. Plain JSON values only (decimals and
    times as strings), so the stored bundle re-serialises to the same canonical text."""
    training_class = enrollment.training_class
    approval = (
        TrainingClassEvent.objects.filter(training_class=training_class, to_status="approved")
        .order_by("-at", "-id")
        .values("actor_id", "at", "reason")
        .first()
    )
    attendance = {
        a.session_id: a for a in Attendance.objects.filter(enrollment=enrollment).select_related("status")
    }
    sessions = []
    for session in training_class.sessions.order_by("starts_at", "id"):
        row = attendance.get(session.pk)
        sessions.append(
            {
                "id": session.pk,
                "starts_at": _iso(session.starts_at),
                "ends_at": _iso(session.ends_at),
                "class_hours": session.class_hours,
                "topic": session.topic,
                "teacher": session.teacher,
                "attendance": None
                if row is None
                else {
                    "status": row.status_id,
                    "counts_hours": row.status.counts_hours,
                    "method": row.method,
                    "signed_at": _iso(row.signed_at),
                    "distance_m": row.distance_m,
                    "marked_by": row.marked_by_id,
                    "flagged": row.flagged,
                    "flag_reason": row.flag_reason,
                    "photo_sha256": row.photo_sha256,
                },
            }
        )
    result = enrollment.result
    certificate = enrollment.certificate
    institution = training_class.institution
    bundle = {
        "class": {
            "id": training_class.pk,
            "title": training_class.title,
            "status": training_class.status,
            "item": {
                "id": training_class.item_id,
                "code": training_class.item.code,
                "occupation": training_class.item.occupation.code,
                "certificate_type": training_class.item.certificate_type,
                "level": training_class.item.level,
            },
            "institution": {
                "id": institution.pk,
                "name": institution.name,
                "uscc": institution.uscc,
                "filing_number": institution.filing_number,
            },
            "scope_unit": training_class.scope_unit_id,
            "mode": training_class.mode,
            "venue": training_class.venue_name,
            "market": training_class.market_id,
            "starts_on": _iso(training_class.starts_on),
            "ends_on": _iso(training_class.ends_on),
            "fee": str(training_class.fee),
            "approval": {
                "reviewed_by": training_class.reviewed_by_id,
                "reviewed_at": _iso(training_class.reviewed_at),
                "event_actor": approval["actor_id"] if approval else None,
                "event_at": _iso(approval["at"]) if approval else None,
            },
        },
        "roster": [
            {"enrollment": pk, "person": worker, "status": status}
            for pk, worker, status in training_class.enrollments.order_by("pk").values_list(
                "pk", "worker_id", "status"
            )
        ],
        "trainee": {
            "enrollment": enrollment.pk,
            "person": enrollment.worker_id,
            "id_number": mask_id_number(enrollment.worker.id_number),
            "channel": enrollment.channel,
        },
        "sessions": sessions,
        "result": {
            "hours_attended": result.hours_attended,
            "hours_required": result.hours_required,
            "exam_score": None if result.exam_score is None else str(result.exam_score),
            "passed": result.passed,
            "completed": result.completed,
            "completed_on": _iso(result.completed_on),
            "recorded_by": result.recorded_by_id,
        },
        "certificate": {
            "id": certificate.pk,
            "type": certificate.certificate_type,
            "level": certificate.level,
            "number": certificate.number,
            "issuer": certificate.issuer,
            "issued_on": _iso(certificate.issued_on),
        },
    }
    return json.loads(canonical(bundle))


def _claim_side(actor, enrollment: Enrollment) -> str | None:
    """The claimant kind the actor may create for: the person (or a counter acting for them) → person; a
    member of the class's institution → institution."""
    if not signed_in(actor):
        return None
    if actor.pk == enrollment.worker_id:
        return ClaimantKind.PERSON
    if is_member(actor, enrollment.training_class.institution_id):
        return ClaimantKind.INSTITUTION
    if can_serve_counter(actor) and may_act_for(enrollment.worker, actor):
        return ClaimantKind.PERSON
    return None


def _sees(actor, enrollment: Enrollment) -> bool:
    return scope_of(actor).covers(enrollment.training_class.scope_unit_id)


def refusal_error(assessment: Assessment) -> DomainError:
    """The calculator's answer as the one error shape: not eligible with each rule's words, or unknown with
    what is needed."""
    if assessment.eligible is None:
        needed = "、".join(need_labels(assessment.needs))
        return DomainError(
            _("暂时无法判断是否符合补贴条件 — 需要：%(needs)s。") % {"needs": needed},
            code="eligibility_unknown",
            fields={"needs": list(assessment.needs)},
        )
    texts = [text for code, text in assessment.reasons if code in assessment.refused]
    return DomainError(
        _("不符合培训补贴条件：%(reasons)s") % {"reasons": "；".join(texts)},
        code="not_eligible",
        fields={code: [text] for code, text in assessment.reasons if code in assessment.refused},
    )


@transaction.atomic
def claim_create(
    *, enrollment: Enrollment, actor, claimant_kind: str | None = None, request=None
) -> TrainingClaim:
    """Create the claim of a completed enrollment with a certificate, by the person (or a counter for them)
    or by a member of the class's institution on their behalf. The calculator decides (refused with its
    reasons, or stopped with "unknown — needs X"); its answer is stored as the calculation, with the rule
    versions, the amount and the evidence bundle with its sha256. One claim per enrollment: a retry returns
    the existing claim. The person's row is locked, so two claims of one person never pass the yearly limit
    together."""
    locked = ENROLLMENT_WORKFLOW.lock(
        enrollment,
        queryset=Enrollment.objects.all(),
        select_related=("training_class__item__occupation", "training_class__institution", "worker"),
    )
    side = _claim_side(actor, locked)
    require_access(
        allowed=side is not None,
        visible=_sees(actor, locked),
        message=_("培训补贴由本人或培训机构申领。"),
    )
    if claimant_kind and claimant_kind != side:
        raise NotPermitted(_("您不能以这种方式申领。"))
    existing = TrainingClaim.objects.filter(enrollment=locked).first()
    if existing is not None:
        return existing
    if locked.status != EnrollmentStatus.COMPLETED:
        raise DomainError(_("只有已结业的培训才能申领补贴。"), code="not_completed")
    if not hasattr(locked, "certificate") or not hasattr(locked, "result"):
        raise DomainError(_("取得证书后才能申领补贴。"), code="no_certificate")
    User.objects.select_for_update().filter(pk=locked.worker_id).first()  # one person's claims in turn
    assessment = assess_enrollment(locked)
    if assessment.eligible is not True:
        raise refusal_error(assessment)
    bundle = evidence_bundle(locked)
    claim = TrainingClaim.objects.create(
        enrollment=locked,
        claimant_kind=side,
        status=ClaimStatus.DRAFT,
        amount=assessment.amount,
        calculation=assessment.as_json(),
        rule_version=assessment.rule_versions[:80],
        evidence=bundle,
        evidence_sha256=evidence_hash(bundle),
        created_by=actor,
    )
    on_behalf_of = locked.worker if actor.pk != locked.worker_id else None
    CLAIM_WORKFLOW.record(claim, to_status=ClaimStatus.DRAFT, actor=actor, on_behalf_of=on_behalf_of)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=claim,
        after={
            "amount": str(claim.amount),
            "claimant_kind": claim.claimant_kind,
            "rule_version": claim.rule_version,
            "evidence_sha256": claim.evidence_sha256,
        },
        on_behalf_of=on_behalf_of,
        request=request,
    )
    if side == ClaimantKind.INSTITUTION:
        notify(
            locked.worker_id,
            _("%(institution)s已为您的“%(item)s”培训申领补贴 %(amount)s 元（计入您的补贴次数）。")
            % {
                "institution": locked.training_class.institution.name,
                "item": locked.training_class.item.name,
                "amount": claim.amount,
            },
        )
    return claim


def _lock_claim(claim, actor):
    locked = CLAIM_WORKFLOW.lock(
        claim,
        queryset=TrainingClaim.objects.all(),
        select_related=("enrollment__training_class", "enrollment__worker"),
    )
    enrollment = locked.enrollment
    side = _claim_side(actor, enrollment)
    require_access(
        allowed=side is not None,
        visible=_sees(actor, enrollment),
        message=_("只有申领人可以提交或撤回申领。"),
    )
    return locked


@transaction.atomic
def claim_submit(*, claim: TrainingClaim, actor, request=None) -> TrainingClaim:
    """Submit a draft claim for review (by the subsidies app)."""
    locked = _lock_claim(claim, actor)
    locked.submitted_at = timezone.now()
    on_behalf_of = locked.enrollment.worker if actor.pk != locked.enrollment.worker_id else None
    return CLAIM_WORKFLOW.move(
        locked,
        ClaimStatus.SUBMITTED,
        actor=actor,
        on_behalf_of=on_behalf_of,
        fields=["submitted_at"],
        request=request,
    )


@transaction.atomic
def claim_withdraw(*, claim: TrainingClaim, actor, reason: str = "", request=None) -> TrainingClaim:
    """Withdraw a claim (draft or submitted): it no longer counts against the person's limits. Refused once
    the subsidy review has taken it up (an application of it that is not rejected): the review would go on
    paying for a claim the trainee took back; the reviewer closes it instead (``interface.withdraw_refusal``)."""
    locked = _lock_claim(claim, actor)
    if refusal := withdraw_refusal(locked.pk):
        raise DomainError(refusal, code="claim_in_review", fields={"claim": [refusal]})
    on_behalf_of = locked.enrollment.worker if actor.pk != locked.enrollment.worker_id else None
    claim = CLAIM_WORKFLOW.move(
        locked,
        ClaimStatus.WITHDRAWN,
        actor=actor,
        reason=(reason or "").strip(),
        on_behalf_of=on_behalf_of,
        request=request,
    )
    if on_behalf_of is not None:
        notify(locked.enrollment.worker_id, _("您的培训补贴申领已撤回。"))
    return claim


@transaction.atomic
def claim_create_and_submit(*, enrollment: Enrollment, actor, request=None) -> TrainingClaim:
    """The page's one button: create (or find) the claim and submit it when it is a draft."""
    claim = claim_create(enrollment=enrollment, actor=actor, request=request)
    if claim.status == ClaimStatus.DRAFT:
        claim = claim_submit(claim=claim, actor=actor, request=request)
    return claim
