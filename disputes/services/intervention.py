"""Timely intervention (及时介入): the respondent on record answers an accepted case; staff record mediation
sessions and the agreement; an agreement to pay is paid by the employer through the work app's payment
services (the agreed work order's ``payment_request``; ADR 0028) and the case resolves when the worker
confirms receipt; after resolution staff record visits back (回访) and the complainant rates the handling
once. Transactional, audited; nothing written here ever names a withheld complainant to the respondent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record, snapshot
from core.choices import AuditAction
from core.errors import InvalidTransition, NotPermitted
from core.permissions import require_access, signed_in
from work import services as work_services
from work.choices import PaymentBackend, PaymentMethod, PaymentStatus, WorkOrderStatus
from work.models import Payment, WorkOrder

from ..choices import (
    ANSWERABLE_STATUSES,
    RATEABLE_STATUSES,
    AnswerPosition,
    CaseStatus,
    MediationOutcome,
    VisitMethod,
)
from ..evidence import checked_upload
from ..models import (
    CASE_WORKFLOW,
    AnswerLine,
    Case,
    MediationRecord,
    RespondentAnswer,
    SatisfactionRating,
    VisitBack,
)
from ..permissions import is_respondent
from .cases import (
    _evidence_store,
    _invalid,
    _lock_for_handling,
    _tell_complainant,
    _tell_respondent,
    _text,
    case_mediate,
    resolve_locked,
)

MEDIATION_STATUSES = frozenset({CaseStatus.ACCEPTED, CaseStatus.MEDIATING})


def _money(value, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise _invalid(field, _("请填写%(label)s。") % {"label": label}, "invalid_amount") from None
    if amount < 0 or amount >= Decimal("1e10"):
        raise _invalid(field, _("金额不正确。"), "invalid_amount")
    return amount


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except (TypeError, ValueError):
        raise _invalid(field, _("请填写%(label)s。") % {"label": label}, "required") from None


# --- the respondent's answer ------------------------------------------------------------------------------------


@transaction.atomic
def answer_submit(
    *, case: Case, actor, account: str, positions: dict, upload=None, request=None
) -> RespondentAnswer:
    """The respondent on record answers an accepted case once: their account of the facts and, for each claim
    line, ``positions[claim_id] = (position, accepted_amount)`` (accept: the whole amount; dispute: nothing;
    partial: an amount below the claim). An upload is checked (``disputes.evidence``) and kept as the case's
    evidence. A second answer is refused (409 ``already_answered``)."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    locked = CASE_WORKFLOW.lock(case, queryset=Case.objects.visible_to(actor))
    require_access(allowed=is_respondent(actor, locked), visible=True, message=_("只有被投诉方可以答复。"))
    if locked.status not in ANSWERABLE_STATUSES:
        raise InvalidTransition(_("案件不在答复阶段。"), code="not_answerable")
    if RespondentAnswer.objects.filter(case=locked).exists():
        raise InvalidTransition(_("您已经答复过了。"), code="already_answered")
    account = _text(account, "account", _("您的陈述"), 4000)
    lines = []
    for claim in locked.claims.all():
        field = f"claims.{claim.pk}"
        position, amount = (
            (positions or {}).get(claim.pk) or (positions or {}).get(str(claim.pk)) or (None, None)
        )
        if position not in AnswerPosition.values:
            raise _invalid(f"{field}.position", _("请对每项诉求表明意见。"), "required")
        if position == AnswerPosition.ACCEPT:
            accepted = claim.amount
        elif position == AnswerPosition.DISPUTE:
            accepted = Decimal("0.00")
        else:
            if amount in (None, ""):
                raise _invalid(f"{field}.accepted_amount", _("部分认可须填写认可金额。"), "required")
            accepted = _money(amount, f"{field}.accepted_amount", _("认可金额"))
            if not Decimal("0") < accepted < claim.amount:
                raise _invalid(
                    f"{field}.accepted_amount",
                    _("部分认可的金额应大于 0 且小于诉求金额 %(amount)s 元。") % {"amount": claim.amount},
                    "invalid_amount",
                )
        lines.append(AnswerLine(claim=claim, position=position, accepted_amount=accepted))
    checked = checked_upload(upload, field="file") if upload else None
    evidence = None
    if checked is not None:
        kind, stored, digest = checked
        evidence = _evidence_store(case=locked, actor=actor, kind=kind, stored=stored, digest=digest)
        evidence.description = _("被投诉方答复材料")
        evidence.save(update_fields=["description"])
    try:
        with transaction.atomic():
            answer = RespondentAnswer.objects.create(
                case=locked, account=account, answered_by=actor, evidence=evidence
            )
    except IntegrityError:
        raise InvalidTransition(_("您已经答复过了。"), code="already_answered") from None
    for line in lines:
        line.answer = answer
    AnswerLine.objects.bulk_create(lines)
    audit_record(actor=actor, action=AuditAction.CREATE, obj=answer, after=snapshot(answer), request=request)
    _tell_complainant(
        locked,
        _("被投诉方已答复您的投诉（%(number)s），请登录查看。") % {"number": locked.number},
        key=f"case:{locked.pk}:answered",
    )
    return answer


# --- mediation and the agreement --------------------------------------------------------------------------------


def agreement_work_orders(case: Case):
    """The work orders an agreement to pay may be paid through: the complainant's orders with the respondent,
    approved (hours confirmed) and not yet settled, with no payment under way."""
    if not (case.complainant_id and case.respondent_id):
        return WorkOrder.objects.none()
    return (
        WorkOrder.objects.filter(
            worker_id=case.complainant_id,
            posting__employer_id=case.respondent_id,
            status=WorkOrderStatus.APPROVED,
        )
        .exclude(payments__status__in=[PaymentStatus.PENDING, PaymentStatus.SUCCEEDED])
        .select_related("posting")
        # the order the complaint names comes first (the agreement's default), then the newest
        .annotate(named=ExpressionWrapper(Q(pk=case.work_order_id or 0), output_field=BooleanField()))
        .order_by("-named", "-work_date", "-id")
    )


@transaction.atomic
def mediation_record(
    *,
    case: Case,
    actor,
    held_on,
    participants: str,
    outcome: str,
    notes: str = "",
    agreed_amount=None,
    pay_by=None,
    terms: str = "",
    work_order: WorkOrder | None = None,
    request=None,
) -> MediationRecord:
    """Staff of the case's county record a mediation session. An accepted case starts mediating (its
    mediation clock starts). An agreement (one per case) carries its terms; one to pay has an amount and a
    date to pay by, and — when the complainant worked for the respondent on the platform — the approved work
    order it is paid through (its amount must be the agreed amount). No agreement leaves the case mediating:
    staff then refer it to arbitration or inspection (the existing transitions)."""
    locked = _lock_for_handling(case, actor)
    if locked.status not in MEDIATION_STATUSES:
        raise InvalidTransition(_("只有已受理或调解中的案件可以记录调解。"), code="not_mediating")
    if outcome not in MediationOutcome.values:
        raise _invalid("outcome", _("请选择调解结果。"), "required")
    held_on = _date(held_on, "held_on", _("调解日期"))
    if held_on > timezone.localdate():
        raise _invalid("held_on", _("调解日期不能晚于今天。"), "in_future")
    participants = _text(participants, "participants", _("参加人员"), 300)
    notes = _text(notes, "notes", _("调解情况"), 4000, required=False)
    fields = {"agreed_amount": None, "pay_by": None, "terms": "", "work_order": None}
    if outcome == MediationOutcome.AGREEMENT:
        if MediationRecord.objects.filter(case=locked, outcome=MediationOutcome.AGREEMENT).exists():
            raise InvalidTransition(_("该案件已经达成调解协议。"), code="already_agreed")
        fields["terms"] = _text(terms, "terms", _("协议内容"), 4000)
        amount = (
            _money(agreed_amount, "agreed_amount", _("协议支付金额"))
            if agreed_amount not in (None, "")
            else None
        )
        if amount:
            fields["agreed_amount"] = amount
            fields["pay_by"] = _date(pay_by, "pay_by", _("支付期限"))
            if fields["pay_by"] < held_on:
                raise _invalid("pay_by", _("支付期限不能早于调解日期。"), "invalid_date")
            if work_order is not None and locked.withhold_identity:
                # paying the complainant's work order names them to the respondent (the payee, the work
                # order's pages): a withheld identity pays by transfer recorded on the agreement (ADR 0028)
                raise _invalid(
                    "work_order",
                    _("投诉人要求对被投诉方保密身份，不能通过用工单支付（会显示收款人）；请不选用工单。"),
                    "identity_withheld",
                )
            if work_order is not None:
                order = agreement_work_orders(locked).filter(pk=work_order.pk).first()
                if order is None:
                    raise _invalid(
                        "work_order", _("只能选择投诉人在被投诉方处已确认工时、尚未结算的用工单。"), "invalid"
                    )
                if order.amount != amount:
                    raise _invalid(
                        "agreed_amount",
                        _("通过用工单支付时，协议金额须等于用工单应付金额 %(amount)s 元。")
                        % {"amount": order.amount},
                        "amount_mismatch",
                    )
                fields["work_order"] = order
    if locked.status == CaseStatus.ACCEPTED:
        locked = case_mediate(case=locked, actor=actor, reason=_("开始调解"), request=request)
    record = MediationRecord.objects.create(
        case=locked,
        held_on=held_on,
        mediator=actor,
        participants=participants,
        notes=notes,
        outcome=outcome,
        recorded_by=actor,
        **fields,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=record, after=snapshot(record), request=request)
    if record.is_agreement_to_pay:
        values = {
            "number": locked.number,
            "amount": record.agreed_amount,
            "date": f"{record.pay_by:%Y-%m-%d}",
        }
        _tell_respondent(
            locked,
            _("投诉（%(number)s）已达成调解协议：请于 %(date)s 前支付 %(amount)s 元，登录后可在线支付。")
            % values,
            key=f"mediation:{record.pk}:respondent",
        )
        _tell_complainant(
            locked,
            _(
                "您的投诉（%(number)s）已达成调解协议：对方应于 %(date)s 前支付 %(amount)s 元，收到后请登录确认。"
            )
            % values,
            key=f"mediation:{record.pk}:complainant",
        )
    return record


def _lock_agreement(record: MediationRecord) -> tuple[Case, MediationRecord]:
    case = CASE_WORKFLOW.lock(record.case_id)
    locked = MediationRecord.objects.select_for_update().get(pk=record.pk)
    return case, locked


def agreement_pay(
    *, record: MediationRecord, actor, idempotency_key: str, note: str = "", request=None
) -> MediationRecord:
    """The employer pays an agreement to pay. With a work order: through the work app's ``payment_request``
    (the backend in force; an offline transfer is recorded at once and waits for the worker), the payment
    kept on the agreement; a replay with the same key returns the same payment. Without one (the worker did
    not work for them through the platform) the employer records the transfer on the agreement. Either way
    the worker's confirmation of receipt fulfils it (``agreement_confirm_receipt``). Returns the agreement
    (``record.payment`` is the work app's payment)."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    with transaction.atomic():
        case, locked = _lock_agreement(record)
        require_access(
            allowed=is_respondent(actor, case),
            visible=case.pk in Case.objects.visible_to(actor).values_list("pk", flat=True),
            message=_("只有被投诉方可以支付。"),
        )
        if not locked.is_agreement_to_pay or locked.receipt_confirmed_at is not None:
            raise InvalidTransition(_("该调解协议没有待支付的款项。"), code="nothing_to_pay")
        if locked.payment_id and locked.payment.status in (PaymentStatus.PENDING, PaymentStatus.SUCCEEDED):
            return locked
        if not locked.work_order_id:
            if locked.paid_declared_at is not None:
                return locked
            locked.paid_declared_at = timezone.now()
            locked.paid_note = (note or "").strip()[:200]
            locked.save(update_fields=["paid_declared_at", "paid_note", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                after={"paid_declared_at": locked.paid_declared_at},
                request=request,
            )
            _tell_complainant(
                case,
                _("对方已登记支付调解协议款项（%(number)s），收到后请登录确认。") % {"number": case.number},
                key=f"mediation:{locked.pk}:declared",
            )
            return locked
    backend = settings.LINGONG_PAYMENT_BACKEND
    method = PaymentMethod.BANK if backend == PaymentBackend.OFFLINE else PaymentMethod.ONLINE
    payment = work_services.payment_request(
        work_order=locked.work_order,
        actor=actor,
        idempotency_key=idempotency_key,
        method=method,
        backend=backend,
        request=request,
    )
    with transaction.atomic():
        case, locked = _lock_agreement(record)
        if backend == PaymentBackend.OFFLINE and payment.status == PaymentStatus.PENDING:
            payment = work_services.payment_record_offline(
                payment=payment, actor=actor, note=note or _("按调解协议支付"), request=request
            )
        if locked.payment_id != payment.pk:
            locked.payment = payment
            locked.save(update_fields=["payment", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.UPDATE,
                obj=locked,
                after={"payment": payment.pk},
                request=request,
            )
    locked.refresh_from_db()
    return locked


def agreement_paid(record: MediationRecord) -> bool:
    """Whether the employer has paid (the payment succeeded, or the transfer was recorded) so the worker may
    confirm receipt."""
    if record.work_order_id:
        return bool(record.payment_id and record.payment.status == PaymentStatus.SUCCEEDED)
    return record.paid_declared_at is not None


@transaction.atomic
def agreement_confirm_receipt(*, record: MediationRecord, actor, request=None) -> Case:
    """The worker confirms they received what the agreement says: an offline work-order payment is confirmed
    in the work app too (settling the order), the agreement is fulfilled and the case resolves with the
    agreement as its resolution (event and audit rows). Only after the employer paid; once."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    case, locked = _lock_agreement(record)
    visible = Case.objects.visible_to(actor).filter(pk=case.pk).exists()
    require_access(
        allowed=bool(case.complainant_id and case.complainant_id == actor.pk),
        visible=visible,
        message=_("只有投诉人本人可以确认收款。"),
    )
    if not locked.is_agreement_to_pay:
        raise InvalidTransition(_("该调解协议没有需要确认的款项。"), code="nothing_to_confirm")
    if locked.receipt_confirmed_at is not None:
        raise InvalidTransition(_("您已经确认过收款。"), code="already_confirmed")
    if not agreement_paid(locked):
        raise InvalidTransition(_("对方还没有付款，收到后再确认。"), code="not_paid")
    if locked.payment_id:
        payment = Payment.objects.get(pk=locked.payment_id)
        if payment.backend == PaymentBackend.OFFLINE and payment.worker_confirmed_at is None:
            work_services.payment_confirm_receipt(payment=payment, actor=actor, request=request)
    locked.receipt_confirmed_at = timezone.now()
    locked.save(update_fields=["receipt_confirmed_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=locked,
        before={"receipt_confirmed_at": None},
        after={"receipt_confirmed_at": locked.receipt_confirmed_at},
        request=request,
    )
    resolution = _(
        "调解结案：双方于 %(date)s 达成调解协议，被投诉方支付 %(amount)s 元，投诉人已确认收到。协议内容：%(terms)s"
    ) % {
        "date": f"{locked.held_on:%Y-%m-%d}",
        "amount": locked.agreed_amount,
        "terms": locked.terms,
    }
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        case = resolve_locked(case, actor=actor, resolution=resolution[:4000], request=request)
    _tell_respondent(
        case,
        _("投诉（%(number)s）的调解协议已履行，案件已办结。") % {"number": case.number},
        key=f"mediation:{locked.pk}:fulfilled",
    )
    return case


# --- after resolution: visits back and the complainant's rating ---------------------------------------------------


@transaction.atomic
def visit_back_record(*, case: Case, actor, visited_on, method: str, notes: str, request=None) -> VisitBack:
    """Staff of the case's county record a visit back (回访) on a resolved or closed case."""
    locked = _lock_for_handling(case, actor)
    if locked.status not in RATEABLE_STATUSES:
        raise InvalidTransition(_("案件办结后才能回访。"), code="not_resolved")
    if method not in VisitMethod.values:
        raise _invalid("method", _("请选择回访方式。"), "required")
    visited_on = _date(visited_on, "visited_on", _("回访日期"))
    if visited_on > timezone.localdate():
        raise _invalid("visited_on", _("回访日期不能晚于今天。"), "in_future")
    visit = VisitBack.objects.create(
        case=locked,
        visited_on=visited_on,
        method=method,
        notes=_text(notes, "notes", _("回访情况"), 2000),
        recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.CREATE, obj=visit, after=snapshot(visit), request=request)
    return visit


@transaction.atomic
def rating_submit(*, case: Case, actor, stars, comment: str = "", request=None) -> SatisfactionRating:
    """The complainant rates the handling of their resolved (or closed) case, 1 to 5, once (409
    ``already_rated``)."""
    if not signed_in(actor):
        raise NotPermitted(_("请先登录。"))
    locked = CASE_WORKFLOW.lock(case, queryset=Case.objects.visible_to(actor))
    require_access(
        allowed=bool(locked.complainant_id and locked.complainant_id == actor.pk),
        visible=True,
        message=_("只有投诉人本人可以评价。"),
    )
    if locked.status not in RATEABLE_STATUSES:
        raise InvalidTransition(_("案件办结后才能评价。"), code="not_resolved")
    if SatisfactionRating.objects.filter(case=locked).exists():
        raise InvalidTransition(_("您已经评价过了。"), code="already_rated")
    try:
        stars = int(stars)
    except (TypeError, ValueError):
        raise _invalid("stars", _("请选择 1 到 5 分。"), "required") from None
    if not 1 <= stars <= 5:
        raise _invalid("stars", _("请选择 1 到 5 分。"), "out_of_range")
    try:
        with transaction.atomic():
            rating = SatisfactionRating.objects.create(
                case=locked,
                stars=stars,
                comment=_text(comment, "comment", _("意见"), 500, required=False),
                rated_by=actor,
            )
    except IntegrityError:
        raise InvalidTransition(_("您已经评价过了。"), code="already_rated") from None
    audit_record(actor=actor, action=AuditAction.CREATE, obj=rating, after=snapshot(rating), request=request)
    return rating


__all__ = [
    "agreement_confirm_receipt",
    "agreement_paid",
    "agreement_pay",
    "agreement_work_orders",
    "answer_submit",
    "mediation_record",
    "rating_submit",
    "visit_back_record",
]
