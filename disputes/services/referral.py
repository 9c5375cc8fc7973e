"""The green channel (ADR 0025): when a case is referred to labour inspection or arbitration, its evidence
bundle is frozen and the referral packet — case number, parties, claim lines with their final-award (一裁终局)
flags and limits, the frozen bundle with its hash, the uploaded evidence with theirs, the clocks with their
rule versions, the routing rule — is assembled, stored on a ``Referral`` row with its SHA-256, and printed
or fetched as JSON. What comes back (the body's case number and outcome) is recorded by staff, audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import masking
from core.audit import audit_record
from core.calendar import SHANGHAI
from core.choices import AuditAction
from core.errors import DomainError, NotFound
from core.permissions import require_access

from ..choices import ReferralBody
from ..models import CASE_WORKFLOW, Case, Referral
from ..permissions import can_handle
from .bundle import bundle_freeze, content_sha256

PACKET_SCHEMA = "lingong.disputes.referral-packet/1"


def _t(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value, SHANGHAI).isoformat() if value else None


def _d(value) -> str | None:
    return value.isoformat() if value else None


def complainant_name(case: Case) -> str:
    account = case.complainant
    return case.complainant_name or (account.real_name if account else "")


def _complainant(case: Case) -> dict:
    """Masked, as the API shows it to staff: the stored packet holds no personal data in clear. The printed
    page shows the name to staff in scope as the case page does; the full number is an audited reveal."""
    account = case.complainant
    return {
        "account_id": case.complainant_id,
        "name": masking.mask_name(complainant_name(case)),
        "phone": masking.mask_phone(case.complainant_phone or (account.phone if account else "")),
        "id_number": masking.mask_id_number(case.clue_id_number),
        "bank_card": masking.mask_bank_account(case.clue_bank_card),
        "withhold_identity": case.withhold_identity,
    }


def referral_packet(case: Case, *, body: str, bundle, now: dt.datetime) -> dict:
    """The packet as it is sent (a pure read)."""
    return {
        "schema": PACKET_SCHEMA,
        "case_number": case.number,
        "body": body,
        "body_label": str(ReferralBody(body).label),
        "referred_at": _t(now),
        "county": {"code": case.scope_unit.code, "name": case.scope_unit.name},
        "channel": case.channel,
        "received_at": _t(case.received_at),
        "accepted_at": _t(case.accepted_at),
        "relationship_type": case.relationship_type,
        "complainant": _complainant(case),
        "respondent": {
            "employer_id": case.respondent_id,
            "name": case.respondent_label,
            "contact": case.respondent_contact,
        },
        "work_order_id": case.work_order_id,
        "facts": case.facts,
        "claims": [
            {
                "claim_type": c.claim_type,
                "label": c.get_claim_type_display(),
                "amount": str(c.amount),
                "period_from": _d(c.period_from),
                "period_to": _d(c.period_to),
                "final_award": c.final_award,
                "final_award_limit": None if c.final_award_limit is None else str(c.final_award_limit),
                "final_award_wage_from": _d(c.final_award_wage_from),
            }
            for c in case.claims.order_by("id")
        ],
        "evidence_bundle": None
        if bundle is None
        else {
            "sha256": bundle.sha256,
            "built_at": _t(bundle.built_at),
            "frozen_at": _t(bundle.frozen_at),
            "content": bundle.content,
        },
        "evidence": [
            {
                "id": e.pk,
                "kind": e.kind,
                "description": e.description,
                "sha256": e.sha256,
                "size": e.size,
                "uploaded_at": _t(e.uploaded_at),
            }
            for e in case.evidence.order_by("id")
        ],
        "clocks": [
            {
                "kind": c.kind,
                "label": c.get_kind_display(),
                "rule_version": c.rule_version,
                "day_kind": c.day_kind,
                "days": c.days,
                "started_at": _t(c.started_at),
                "due_on": _d(c.due_on),
                "extended_due_on": _d(c.extended_due_on),
                "stopped_at": _t(c.stopped_at),
            }
            for c in case.clocks.order_by("started_at", "id")
        ],
        "routing": {
            "queue": case.queue,
            "rule_id": case.routing_rule_id,
            "rule": case.routing_rule_name,
        },
    }


def referral_open(*, case: Case, body: str, actor, now: dt.datetime | None = None) -> Referral:
    """Called by ``case_refer_inspection`` / ``case_refer_arbitration`` inside their transaction, the case
    row locked and its clocks started: freeze the bundle (built if missing), store the packet and its hash.
    Once per case and body."""
    now = now or timezone.now()
    existing = Referral.objects.filter(case=case, body=body).first()
    if existing is not None:
        return existing
    bundle = bundle_freeze(case=case, actor=actor, now=now)
    packet = referral_packet(case, body=body, bundle=bundle, now=now)
    return Referral.objects.create(
        case=case,
        body=body,
        referred_at=now,
        referred_by=actor if getattr(actor, "pk", None) else None,
        packet=packet,
        packet_sha256=content_sha256(packet),
    )


def referral_verify(referral: Referral) -> bool:
    stored = Referral.objects.filter(pk=referral.pk).values_list("packet", "packet_sha256").first()
    return stored is not None and content_sha256(stored[0]) == stored[1]


def _required(value, field: str, label: str, max_length: int) -> str:
    value = (value or "").strip()
    if not value:
        message = _("请填写%(label)s。") % {"label": label}
        raise DomainError(message, code="required", fields={field: [message]})
    if len(value) > max_length:
        message = _("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": max_length}
        raise DomainError(message, code="too_long", fields={field: [message]})
    return value


@transaction.atomic
def referral_record_outcome(
    *, referral: Referral, actor, external_case_number: str, external_outcome: str = "", request=None
) -> Referral:
    """Staff of the case's county record what the inspection team or the arbitration commission sent back:
    its case number (required) and, when known, the outcome. A later answer overwrites; each is audited."""
    case = CASE_WORKFLOW.lock(referral.case_id, queryset=Case.objects.visible_to(actor))
    require_access(allowed=can_handle(actor, case), visible=True)
    locked = Referral.objects.select_for_update().filter(pk=referral.pk, case=case).first()
    if locked is None:
        raise NotFound()
    number = _required(external_case_number, "external_case_number", _("对方案件编号"), 60)
    outcome = (external_outcome or "").strip()
    if len(outcome) > 2000:
        message = _("%(label)s不能超过 %(n)s 个字。") % {"label": _("对方处理结果"), "n": 2000}
        raise DomainError(message, code="too_long", fields={"external_outcome": [message]})
    before = {
        "external_case_number": locked.external_case_number,
        "external_outcome": locked.external_outcome,
    }
    locked.external_case_number, locked.external_outcome = number, outcome
    locked.outcome_recorded_at, locked.outcome_recorded_by = timezone.now(), actor
    locked.save(
        update_fields=[
            "external_case_number",
            "external_outcome",
            "outcome_recorded_at",
            "outcome_recorded_by",
        ]
    )
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before=before,
        after={"external_case_number": number, "external_outcome": outcome},
        reason=_("登记移送结果"),
        request=request,
    )
    return locked
