"""What the subsidies app reads of training — its only door into this app (subsidies imports nothing else
from ``training``): claims in a reviewer's scope, one claim by id, one claim's figures and evidence, whether the evidence is
still the one that was frozen, and which claims count against a person for an occupation and level.

Claims are created and withdrawn here (``training.services.claims``); their review and payment are the
subsidies app's, which keeps its own records and never writes a training row.
"""

from __future__ import annotations

from django.db.models import QuerySet

from core.masking import mask_id_number

from . import hooks
from .choices import ClaimStatus
from .models import TrainingClaim
from .services.claims import evidence_hash


def claims_for_review(scope_user) -> QuerySet[TrainingClaim]:
    """Submitted claims in the user's (or API client's) county scope, oldest first."""
    return (
        TrainingClaim.objects.visible_to(scope_user)
        .filter(status=ClaimStatus.SUBMITTED)
        .select_related(
            "enrollment__worker",
            "enrollment__training_class__item__occupation",
            "enrollment__training_class__institution",
        )
        .order_by("submitted_at", "id")
    )


def claim_by_id(claim_id: int) -> TrainingClaim | None:
    """One claim by id (the subsidies application keeps only the id), with what ``claim_summary`` reads."""
    return (
        TrainingClaim.objects.select_related(
            "enrollment__worker",
            "enrollment__training_class__item__occupation",
            "enrollment__training_class__institution",
        )
        .filter(pk=claim_id)
        .first()
    )


def verify_evidence(claim: TrainingClaim) -> bool:
    """True while the stored evidence bundle still hashes to the sha256 taken when the claim was made."""
    return bool(claim.evidence_sha256) and evidence_hash(claim.evidence) == claim.evidence_sha256


def claim_summary(claim: TrainingClaim) -> dict:
    """One claim as subsidies reads it: the person (id, masked resident ID), the class, the amount and every
    figure of the calculation, the rule versions, the evidence bundle, its hash and whether it verifies."""
    enrollment = claim.enrollment
    training_class = enrollment.training_class
    item = training_class.item
    return {
        "claim_id": claim.pk,
        "status": claim.status,
        "claimant_kind": claim.claimant_kind,
        "person_id": enrollment.worker_id,
        "resident_id_masked": mask_id_number(enrollment.worker.id_number),
        "institution_id": training_class.institution_id,
        "scope_unit_id": training_class.scope_unit_id,
        "occupation": item.occupation.code,
        "level": item.level,
        "certificate_type": item.certificate_type,
        "amount": claim.amount,
        "calculation": claim.calculation,
        "rule_version": claim.rule_version,
        "evidence": claim.evidence,
        "evidence_sha256": claim.evidence_sha256,
        "evidence_verified": verify_evidence(claim),
        "submitted_at": claim.submitted_at,
    }


def counts_against(person, occupation, level: str) -> QuerySet[TrainingClaim]:
    """The person's claims that count against them for ``occupation`` (an Occupation or its code) and
    ``level`` (the same-level-once rule): every claim not withdrawn, whoever claimed it."""
    code = getattr(occupation, "code", occupation)
    return TrainingClaim.objects.filter(
        enrollment__worker_id=getattr(person, "pk", person),
        enrollment__training_class__item__occupation__code=code,
        enrollment__training_class__item__level=level,
    ).exclude(status=ClaimStatus.WITHDRAWN)


# --- what the app that reviews and pays claims says of one (``training.hooks``; training imports nothing of it) --
# the claim's review and payment status in plain words (the claim page shows it), and whether the claim may
# still be withdrawn (the claim service asks; the interface imports the service, so the registry lives apart)
register_review_status = hooks.register_review_status
review_status = hooks.review_status
register_withdraw_guard = hooks.register_withdraw_guard
withdraw_refusal = hooks.withdraw_refusal
