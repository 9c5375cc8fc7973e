"""The evidence bundle drawn from the work record (ADR 0025): one JSON document per case, assembled from the
jobs and work apps' rows about the complainant's work for the respondent — the posting, the application and
hire, each work order's check-in and check-out, hours and corrections, approval, payments with their events
and provider callbacks, and the messages the worker was sent about it. Other people's personal data is
masked. Its SHA-256 is taken over the canonical JSON; rebuilt on request until the case is referred, then
frozen for good (``bundle_freeze``), and ``bundle_verify`` recomputes the hash over what is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import masking
from core.audit import audit_record
from core.calendar import SHANGHAI
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition
from core.models import InboxMessage
from core.permissions import require_access
from jobs.models import Application, Posting
from work.models import WorkOrder

from ..models import CASE_WORKFLOW, Case, EvidenceBundle
from ..permissions import can_handle
from ..respondents import WINDOW_DAYS  # the complainant's work orders with the employer over 180 days …

BUNDLE_SCHEMA = "lingong.disputes.evidence-bundle/1"
MAX_ORDERS = 200  # … at most this many, newest first (the named work order always included)
MAX_MESSAGES = 2000
_ORDER_URL = re.compile(r"^/work/(\d+)/")


def canonical_json(content) -> str:
    """The one serialisation the hash is taken over: sorted keys, UTF-8 text, no spaces."""
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_sha256(content) -> str:
    return hashlib.sha256(canonical_json(content).encode("utf-8")).hexdigest()


# --- values as JSON ----------------------------------------------------------------------------------------------


def _t(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value, SHANGHAI).isoformat() if value else None


def _d(value) -> str | None:
    return value.isoformat() if value else None


def _n(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _person(user) -> dict | None:
    """Someone other than the complainant (the employer's staff, a counter clerk): masked."""
    if user is None:
        return None
    return {"id": user.pk, "name": masking.mask_name(user.real_name) or masking.mask_phone(user.phone)}


def _events(rows) -> list[dict]:
    return [
        {
            "from": e.from_status,
            "to": e.to_status,
            "at": _t(e.at),
            "actor": _person(e.actor),
            "reason": e.reason,
        }
        for e in sorted(rows, key=lambda e: (e.at, e.pk))
    ]


def _posting(p) -> dict:
    return {
        "id": p.pk,
        "title": p.title,
        "occupation": p.occupation.name if p.occupation_id else None,
        "wage_amount": _n(p.wage_amount),
        "wage_unit": p.wage_unit,
        "daily_wage": _n(p.daily_wage),
        "settlement": p.settlement,
        "address": p.address,
        "town": p.town.name if p.town_id else None,
        "lat": p.lat,
        "lng": p.lng,
        "work_start_date": _d(p.work_start_date),
        "work_end_date": _d(p.work_end_date),
        "start_time": p.start_time.isoformat() if p.start_time else None,
        "end_time": p.end_time.isoformat() if p.end_time else None,
        "headcount": p.headcount,
        "status": p.status,
        "published_at": _t(p.published_at),
        "contact_name": masking.mask_name(p.contact_name),
        "contact_phone": masking.mask_phone(p.contact_phone),
    }


def _application(a) -> dict:
    return {
        "id": a.pk,
        "posting_id": a.posting_id,
        "status": a.status,
        "source": a.source,
        "applied_at": _t(a.created_at),
        "decided_at": _t(a.decided_at),
        "acted_by": _person(a.acted_by),
        "events": _events(a.events.all()),
    }


def _payment(p) -> dict:
    return {
        "id": p.pk,
        "backend": p.backend,
        "method": p.method,
        "amount": _n(p.amount),
        "status": p.status,
        "provider_ref": p.provider_ref,
        "provider_txn": p.provider_txn,
        "payee_account": masking.mask_bank_account(p.payee_account),
        "recorded_by": _person(p.recorded_by),
        "created_at": _t(p.created_at),
        "succeeded_at": _t(p.succeeded_at),
        "failure_reason": p.failure_reason,
        "worker_confirmed_at": _t(p.worker_confirmed_at),
        "events": _events(p.events.all()),
        "callbacks": [
            {
                "backend": c.backend,
                "event_id": c.event_id,
                "signature_valid": c.signature_valid,
                "received_at": _t(c.received_at),
                # the provider's text itself may name the payer: its digest proves what arrived
                "payload_sha256": hashlib.sha256(c.payload.encode("utf-8")).hexdigest(),
            }
            for c in sorted(p.callbacks.all(), key=lambda c: (c.received_at, c.pk))
        ],
    }


def _order(o, messages: list[dict]) -> dict:
    return {
        "id": o.pk,
        "posting_id": o.posting_id,
        "application_id": o.application_id,
        "work_date": _d(o.work_date),
        "starts_at": _t(o.starts_at),
        "ends_at": _t(o.ends_at),
        "status": o.status,
        "confirmed_at": _t(o.confirmed_at),
        "check_in": {
            "at": _t(o.checked_in_at),
            "method": o.check_in_method,
            "lat": o.check_in_lat,
            "lng": o.check_in_lng,
            "distance_m": o.check_in_distance_m,
        },
        "check_out": {"at": _t(o.checked_out_at), "method": o.check_out_method},
        "acted_by": _person(o.acted_by),
        "hours_worked": _n(o.hours_worked),
        "pieces": _n(o.pieces),
        "amount": _n(o.amount),
        "daily_wage": _n(o.daily_wage),
        "hours_corrections": [
            {
                "hours_before": _n(c.hours_before),
                "hours_after": _n(c.hours_after),
                "pieces_before": _n(c.pieces_before),
                "pieces_after": _n(c.pieces_after),
                "reason": c.reason,
                "by": _person(c.by),
                "at": _t(c.at),
            }
            for c in sorted(o.corrections.all(), key=lambda c: (c.at, c.pk))
        ],
        "approval": {
            "deadline": _t(o.approval_deadline),
            "approved_at": _t(o.approved_at),
            "approved_by": _person(o.approved_by),
            "auto_approved": o.auto_approved,
        },
        "settle_deadline": _t(o.settle_deadline),
        "settled_at": _t(o.settled_at),
        "cancelled_by": o.cancelled_by,
        "cancel_reason": o.cancel_reason,
        "events": _events(o.events.all()),
        "payments": [_payment(p) for p in sorted(o.payments.all(), key=lambda p: (p.created_at, p.pk))],
        "messages": messages,
    }


# --- assembly ------------------------------------------------------------------------------------------------


def bundle_parties(case: Case):
    """(worker, employer) the bundle is drawn for: the named work order's, else the complainant (a worker's
    account) and the employer on record. ``None`` for either when the case has none."""
    order = case.work_order
    worker = order.worker if order is not None else case.complainant
    employer = case.respondent or (order.posting.employer if order is not None else None)
    if worker is not None and not worker.has_role(Role.WORKER) and order is None:
        worker = None
    return worker, employer


def bundle_can_build(case: Case) -> bool:
    worker, employer = bundle_parties(case)
    return worker is not None and employer is not None


def bundle_content(case: Case, *, now: dt.datetime | None = None) -> dict:
    """The document (a pure read of the work record as it stands)."""
    now = now or timezone.now()
    worker, employer = bundle_parties(case)
    if worker is None or employer is None:
        raise DomainError(
            _("该投诉没有关联平台上的用工单或在册用工方，无法从用工记录生成证据包。"), code="no_work_record"
        )
    since = timezone.localtime(now, SHANGHAI).date() - dt.timedelta(days=WINDOW_DAYS)
    base = (
        WorkOrder.objects.select_related("acted_by", "approved_by")
        .prefetch_related(
            "events__actor",
            "corrections__by",
            "payments__events__actor",
            "payments__callbacks",
            "payments__recorded_by",
        )
        .order_by("-work_date", "-id")
    )
    orders = list(
        base.filter(worker=worker, posting__employer=employer, work_date__gte=since)[: MAX_ORDERS + 1]
    )
    truncated = len(orders) > MAX_ORDERS
    orders = orders[:MAX_ORDERS]
    if case.work_order_id and case.work_order_id not in {o.pk for o in orders}:
        orders.append(base.get(pk=case.work_order_id))
    order_ids = {o.pk for o in orders}
    messages: dict[int, list[dict]] = {pk: [] for pk in order_ids}
    inbox = InboxMessage.objects.filter(user=worker, url__startswith="/work/").order_by("created_at", "id")
    for m in inbox[:MAX_MESSAGES]:
        match = _ORDER_URL.match(m.url)
        if match and int(match.group(1)) in order_ids:
            messages[int(match.group(1))].append(
                {"at": _t(m.created_at), "body": m.body, "url": m.url, "read_at": _t(m.read_at)}
            )
    postings = {o.posting_id for o in orders}
    applications = {o.application_id for o in orders}
    return {
        "schema": BUNDLE_SCHEMA,
        "case_number": case.number,
        "worker": {"id": worker.pk, "name": masking.mask_name(worker.real_name)},
        "employer": {"id": employer.pk, "name": employer.display_name, "kind": employer.kind},
        "named_work_order_id": case.work_order_id,
        "window": {"from": since.isoformat(), "max_orders": MAX_ORDERS, "truncated": truncated},
        "postings": [
            _posting(p)
            for p in Posting.objects.filter(pk__in=postings)
            .select_related("occupation", "town")
            .order_by("pk")
        ],
        "applications": [
            _application(a)
            for a in Application.objects.filter(pk__in=applications)
            .select_related("acted_by")
            .prefetch_related("events__actor")
            .order_by("pk")
        ],
        "work_orders": [_order(o, messages[o.pk]) for o in orders],
    }


def _write(case: Case, *, actor, now: dt.datetime) -> EvidenceBundle:
    content = bundle_content(case, now=now)
    digest = content_sha256(content)
    bundle = EvidenceBundle.objects.select_for_update().filter(case=case).first()
    if bundle is None:
        bundle = EvidenceBundle(case=case)
    elif bundle.is_frozen:
        raise InvalidTransition(_("案件已移送，证据包已固定，不能重新生成。"), code="bundle_frozen")
    bundle.content, bundle.sha256, bundle.built_at = content, digest, now
    bundle.built_by = actor if getattr(actor, "pk", None) else None
    bundle.save()
    return bundle


def bundle_build_on_intake(case: Case) -> EvidenceBundle | None:
    """Called by intake when the complaint names a work order (the service acts, no person)."""
    if not bundle_can_build(case):
        return None
    return _write(case, actor=None, now=timezone.now())


@transaction.atomic
def bundle_build(*, case: Case, actor, request=None) -> EvidenceBundle:
    """Staff of the case's county build (or, before referral, rebuild) the bundle; audited. A frozen one is
    refused (409 ``bundle_frozen``)."""
    locked = CASE_WORKFLOW.lock(case, queryset=Case.objects.visible_to(actor))
    require_access(allowed=can_handle(actor, locked), visible=True)
    bundle = _write(locked, actor=actor, now=timezone.now())
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        after={"evidence_bundle": bundle.pk, "sha256": bundle.sha256},
        reason=_("从用工记录生成证据包"),
        request=request,
    )
    return bundle


def bundle_freeze(*, case: Case, actor, now: dt.datetime | None = None) -> EvidenceBundle | None:
    """At referral (inside the referral's transaction, the case row locked): build the bundle if there is
    none, then fix it — ``frozen_at`` set, the hash kept, never rebuilt. None when the case names no work
    record to draw from."""
    now = now or timezone.now()
    bundle = EvidenceBundle.objects.select_for_update().filter(case=case).first()
    if bundle is None:
        if not bundle_can_build(case):
            return None
        bundle = _write(case, actor=actor, now=now)
    if bundle.frozen_at is None:
        bundle.sha256 = content_sha256(bundle.content)
        bundle.frozen_at = now
        bundle.save(update_fields=["sha256", "frozen_at"])
    return bundle


def bundle_verify(bundle: EvidenceBundle) -> bool:
    """The stored hash matches the stored content (re-read from the database)."""
    stored = EvidenceBundle.objects.filter(pk=bundle.pk).values_list("content", "sha256").first()
    if stored is None:
        return False
    content, digest = stored
    return content_sha256(content) == digest
