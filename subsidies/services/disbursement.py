"""Disbursement (ADR 0035): the payee account, batches, payments, the bank's files and the runs.

A disbursing officer (``subsidies.disburse``, in the batch's county) drafts a batch for a program and county,
fills it — a task: the approved applications of the program and county that have no payment yet — or
issues one application into it, exports the bank's payment file (the payments move to exported), imports
the bank's result file (a task: paid, failed with reason, returned, or a problem per row; a paid payment's
application moves to disbursed), re-issues a failed or returned payment as the next attempt, and closes the
batch. The officer must not have reviewed the application (separation of duties: 403).

Never twice: an application's payments are keyed ``SUB-<application>-<attempt>`` (unique), an application has
at most one live payment (pending, exported or paid: a partial unique constraint), a payment is re-issued at
most once (``reissue_of`` is one-to-one), and every writer locks the application rows — the batch run with
``SELECT … FOR UPDATE SKIP LOCKED``, so concurrent runs share the work instead of waiting — and re-reads the
live payments after the lock. Fifty runs of the task and fifty clicks on "issue" make one payment.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter, defaultdict
from decimal import Decimal

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_record
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.permissions import require_access, signed_in
from core.queue import enqueue
from core.scope import scope_of

from .. import bankfiles, vault
from ..choices import (
    REISSUABLE_PAYMENT_STATUSES,
    AccountKind,
    ApplicationStatus,
    BatchStatus,
    ImportStatus,
    PaymentStatus,
    ResultOutcome,
    RunKind,
)
from ..models import (
    APPLICATION_WORKFLOW,
    BATCH_WORKFLOW,
    PAYMENT_WORKFLOW,
    RUN_WORKFLOW,
    Application,
    ApplicationEvent,
    DisbursementBatch,
    DisbursementRun,
    PayeeAccount,
    Payment,
    PaymentEvent,
)
from .applications import reviewers_of

logger = logging.getLogger("lingong.subsidies")

DISBURSE_PERMISSION = "subsidies.disburse"
CHUNK = 5000
REPORT_ROWS = 5000
MAX_BYTES = 20 * 1024 * 1024
RUN_TASK = "subsidies.tasks.disbursement_run_task"


# --- who may -----------------------------------------------------------------------------------------------


def may_disburse(actor) -> bool:
    return signed_in(actor) and actor.has_perm(DISBURSE_PERMISSION)


def _batch_locked(batch, actor) -> DisbursementBatch:
    """The batch locked for this transaction: 404 outside the actor's scope, 403 without the permission."""
    row = BATCH_WORKFLOW.lock(batch, queryset=DisbursementBatch.objects.visible_to(actor))
    require_access(allowed=may_disburse(actor), visible=True, message=_("您没有经办补贴发放的权限。"))
    return row


def reviewers_of_many(application_ids) -> dict[int, set[int]]:
    """{application id: the people who reviewed it}: ``applications.reviewers_of`` for many applications at
    once (the recorded county and city reviewers and every actor of a county- or city-review step)."""
    found: dict[int, set[int]] = defaultdict(set)
    ids = list(application_ids)
    for start in range(0, len(ids), 5000):
        part = ids[start : start + 5000]
        for pk, county, city in Application.objects.filter(pk__in=part).values_list(
            "pk", "county_reviewer_id", "city_reviewer_id"
        ):
            found[pk] |= {u for u in (county, city) if u}
        for pk, actor in (
            ApplicationEvent.objects.filter(
                application_id__in=part,
                from_status__in=(ApplicationStatus.COUNTY_REVIEW, ApplicationStatus.CITY_REVIEW),
                actor__isnull=False,
            )
            .values_list("application_id", "actor_id")
            .distinct()
        ):
            found[pk].add(actor)
    return found


def _not_a_reviewer(actor, application_ids) -> None:
    if any(actor.pk in people for people in reviewers_of_many(application_ids).values()):
        raise _reviewer_refused()


def _reviewer_refused() -> NotPermitted:
    return NotPermitted(_("审核过该申请的人员不能经办其发放（审核与发放须由不同人员负责）。"))


# --- the payee account --------------------------------------------------------------------------------------


@transaction.atomic
def payee_account_save(
    *, person, actor, kind: str, bank_name: str, account_number: str, holder_name: str, request=None
) -> PayeeAccount:
    """The person (or counter staff for them) enters the account subsidies are paid into. The holder must be
    the person (their real name when verified). Audited with the number masked; later payments snapshot it,
    earlier ones keep the account they were made with."""
    from jobs.permissions import can_serve_counter

    assisted = signed_in(actor) and actor.pk != person.pk
    if not signed_in(actor) or (assisted and not can_serve_counter(actor)):
        raise NotPermitted()
    account_number = "".join((account_number or "").split())
    holder_name = (holder_name or "").strip()
    errors = {}
    if kind not in AccountKind.values:
        errors["kind"] = [_("请选择账户类型。")]
    if not account_number.isdigit() or not 8 <= len(account_number) <= 32:
        errors["account_number"] = [_("账号应为 8 到 32 位数字。")]
    if not (bank_name or "").strip():
        errors["bank_name"] = [_("请填写开户银行。")]
    if not holder_name:
        errors["holder_name"] = [_("请填写户名。")]
    elif person.real_name and holder_name != person.real_name:
        errors["holder_name"] = [_("补贴只能发放到本人名下的账户，户名应与实名信息一致。")]
    if errors:
        raise DomainError(_("请检查收款账户信息。"), fields=errors)
    account = PayeeAccount.objects.select_for_update().filter(person=person).first()
    before = None
    if account is not None:
        before = {
            "kind": account.kind,
            "bank_name": account.bank_name,
            "account": account.masked_account_number,
        }
    else:
        account = PayeeAccount(person=person)
    account.kind, account.bank_name = kind, bank_name.strip()[:60]
    account.account_number, account.holder_name = account_number, holder_name[:64]
    account.entered_by, account.assisted = actor, assisted
    account.save()
    audit_record(
        actor=actor,
        action=AuditAction.UPDATE if before else AuditAction.CREATE,
        obj=account,
        before=before,
        after={
            "kind": account.kind,
            "bank_name": account.bank_name,
            "account": account.masked_account_number,
        },
        on_behalf_of=person if assisted else None,
        request=request,
    )
    return account


# --- batches ------------------------------------------------------------------------------------------------


@transaction.atomic
def batch_create(*, actor, program_type, scope_unit, note: str = "", request=None) -> DisbursementBatch:
    """A disbursing officer drafts a batch for a program in a county of their scope."""
    if not may_disburse(actor):
        raise NotPermitted(_("您没有经办补贴发放的权限。"))
    if not scope_of(actor).covers(scope_unit.pk):
        raise NotFound()
    batch = DisbursementBatch.objects.create(
        number=uuid.uuid4().hex[:24],
        program_type=program_type,
        scope_unit=scope_unit,
        created_by=actor,
        note=(note or "")[:200],
    )
    batch.number = f"FF{timezone.localdate():%Y%m%d}{batch.pk:06d}"
    batch.save(update_fields=["number"])
    BATCH_WORKFLOW.record(batch, to_status=BatchStatus.DRAFT, actor=actor)
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=batch,
        after={"number": batch.number, "program": program_type.code, "county": scope_unit.code},
        request=request,
    )
    return batch


def batch_recount(batch: DisbursementBatch) -> DisbursementBatch:
    """The batch's totals counted again from its payments (a re-issued payment stays in its own batch)."""
    rows = batch.payments.values("status").annotate(n=Count("id"), total=Sum("amount"))
    by = {r["status"]: (r["n"], r["total"] or Decimal("0")) for r in rows}
    zero = (0, Decimal("0"))
    batch.payment_count = sum(n for n, _t in by.values())
    batch.total_amount = sum((t for _n, t in by.values()), start=Decimal("0"))
    batch.paid_count, batch.paid_amount = by.get(PaymentStatus.PAID, zero)
    batch.failed_count = by.get(PaymentStatus.FAILED, zero)[0]
    batch.returned_count = by.get(PaymentStatus.RETURNED, zero)[0]
    batch.save(
        update_fields=[
            "payment_count",
            "total_amount",
            "paid_count",
            "paid_amount",
            "failed_count",
            "returned_count",
            "updated_at",
        ]
    )
    return batch


def _require_draft(batch) -> None:
    if batch.status != BatchStatus.DRAFT:
        raise InvalidTransition(_("只有草稿状态的批次可以添加发放明细。"))


def _new_payment(*, batch, application_id, person_id, amount, account, attempt, reissue_of=None) -> Payment:
    return Payment(
        batch=batch,
        application_id=application_id,
        person_id=person_id,
        attempt=attempt,
        reissue_of=reissue_of,
        idempotency_key=Payment.key_for(application_id, attempt),
        amount=amount,
        account_kind=account.kind,
        bank_name=account.bank_name,
        holder_name=account.holder_name,
        account_masked=account.masked_account_number,
        account_sealed=vault.seal(account.account_number),
    )


def _record_created(batch, rows, *, actor, reason: str) -> None:
    """For payments made in bulk (``rows``: (pk, key, amount)): the first event row (→ pending) of each, and
    one creation audit row on the batch for the chunk (how many, the total, the first and last key); the
    event rows keep who made each payment and when."""
    PaymentEvent.objects.bulk_create(
        [
            PaymentEvent(
                payment_id=pk, from_status="", to_status=PaymentStatus.PENDING, actor=actor, reason=reason
            )
            for pk, _key, _amount in rows
        ]
    )
    if rows:
        audit_record(
            actor=actor,
            action=AuditAction.CREATE,
            obj=batch,
            after={
                "payments": len(rows),
                "amount": sum((amount for _pk, _key, amount in rows), start=Decimal("0")),
                "first": rows[0][1],
                "last": rows[-1][1],
            },
            reason=reason,
        )


def _eligible_in(batch) -> Q:
    return Q(
        program_type_id=batch.program_type_id,
        scope_unit_id=batch.scope_unit_id,
        status=ApplicationStatus.APPROVED,
    )


@transaction.atomic
def payment_issue(*, batch, application, actor, request=None) -> Payment:
    """The "issue" button: one approved application into a draft batch. Idempotent — a second click (or
    fifty at once) returns the payment the first made; an application already paid, or in another batch's
    live payment, is refused; a failed one is re-issued (``payment_reissue``), not issued again."""
    batch = _batch_locked(batch, actor)
    _require_draft(batch)
    app = (
        Application.objects.visible_to(actor)
        .filter(
            pk=getattr(application, "pk", application),
            program_type_id=batch.program_type_id,
            scope_unit_id=batch.scope_unit_id,
        )
        .select_for_update(of=("self",))
        .first()
    )
    if app is None:
        raise NotFound()
    if actor.pk in reviewers_of(app):
        raise _reviewer_refused()
    first = Payment.objects.filter(idempotency_key=Payment.key_for(app.pk, 1)).first()
    if first is not None:
        if first.batch_id == batch.pk:
            return first  # the same click again
        raise DomainError(
            _("该申请已在批次 %(number)s 中发放，不能重复发放。") % {"number": first.batch.number},
            code="already_issued",
        )
    if app.status != ApplicationStatus.APPROVED:
        raise InvalidTransition(_("只有已批准的申请可以发放。"))
    amount = _amount_of(app)
    account = PayeeAccount.objects.filter(person_id=app.person_id).first()
    if account is None:
        raise DomainError(_("申请人还没有登记收款账户。"), code="no_payee_account")
    payment = _new_payment(
        batch=batch, application_id=app.pk, person_id=app.person_id, amount=amount, account=account, attempt=1
    )
    try:
        with transaction.atomic():
            payment.save()
    except IntegrityError:  # another click won the race to the unique key
        return Payment.objects.get(idempotency_key=payment.idempotency_key)
    PAYMENT_WORKFLOW.record(payment, to_status=PaymentStatus.PENDING, actor=actor, reason=_("单笔发放"))
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=payment,
        after={"key": payment.idempotency_key, "amount": amount, "account": payment.account_masked},
        request=request,
    )
    batch_recount(batch)
    return payment


def _amount_of(app) -> Decimal:
    if app.amount_approved is None:
        raise DomainError(_("该申请没有核定金额。"), code="no_approved_amount")
    return app.amount_approved


@transaction.atomic
def payment_reissue(*, payment, batch, actor, request=None) -> Payment:
    """A failed or returned payment paid again as the next attempt, in a draft batch of the same program and
    county, to the account the person has now (they may have corrected it). Idempotent: a payment re-issued
    once returns its re-issue; the application still has at most one live payment."""
    batch = _batch_locked(batch, actor)
    old = (
        Payment.objects.visible_to(actor)
        .filter(pk=getattr(payment, "pk", payment))
        .select_related("batch")
        .first()
    )
    if old is None:
        raise NotFound()
    again = Payment.objects.filter(reissue_of=old).first()
    if again is not None:
        return again
    _require_draft(batch)
    if (old.batch.program_type_id, old.batch.scope_unit_id) != (batch.program_type_id, batch.scope_unit_id):
        raise DomainError(_("请选择同一补贴项目、同一县（市、区）的批次。"), code="batch_mismatch")
    if old.status not in REISSUABLE_PAYMENT_STATUSES:
        raise InvalidTransition(_("只有发放失败或被退回的明细可以重新发放。"))
    app = Application.objects.select_for_update(of=("self",)).get(pk=old.application_id)
    if actor.pk in reviewers_of(app):
        raise _reviewer_refused()
    if Payment.objects.live().filter(application=app).exists():
        raise DomainError(_("该申请已有一笔在途或已到账的发放。"), code="already_issued")
    account = PayeeAccount.objects.filter(person_id=app.person_id).first()
    if account is None:
        raise DomainError(_("申请人还没有登记收款账户。"), code="no_payee_account")
    new = _new_payment(
        batch=batch,
        application_id=app.pk,
        person_id=app.person_id,
        amount=old.amount,
        account=account,
        attempt=old.attempt + 1,
        reissue_of=old,
    )
    try:
        with transaction.atomic():
            new.save()
    except IntegrityError:
        return Payment.objects.get(reissue_of=old)
    PAYMENT_WORKFLOW.record(
        new,
        to_status=PaymentStatus.PENDING,
        actor=actor,
        reason=_("重新发放：%(key)s") % {"key": old.idempotency_key},
    )
    audit_record(
        actor=actor,
        action=AuditAction.CREATE,
        obj=new,
        after={"key": new.idempotency_key, "reissue_of": old.idempotency_key, "account": new.account_masked},
        request=request,
    )
    batch_recount(batch)
    return new


# --- runs: filling a batch, importing the bank's result -------------------------------------------------------


def _start_run(*, batch, actor, kind, file=None, file_name="", request=None) -> DisbursementRun:
    if DisbursementRun.objects.filter(
        lane=f"batch:{batch.pk}", status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
    ).exists():
        raise _already_running()
    try:
        with transaction.atomic():
            run = DisbursementRun.objects.create(
                batch=batch, kind=kind, lane=f"batch:{batch.pk}", started_by=actor, file_name=file_name[:200]
            )
            if file is not None:
                run.file.save(file_name or "result.csv", file, save=True)
            RUN_WORKFLOW.record(run, to_status=ImportStatus.QUEUED, actor=actor)
            audit_record(
                actor=actor,
                action=AuditAction.CREATE,
                obj=run,
                after={"kind": kind, "batch": batch.number},
                request=request,
            )
            enqueue(RUN_TASK, run_id=run.pk)
    except IntegrityError:
        raise _already_running() from None
    return run


def _already_running() -> DomainError:
    return DomainError(_("该批次已有一个任务正在进行，请等它完成后再试。"), code="run_in_progress")


@transaction.atomic
def batch_generate_start(*, batch, actor, request=None) -> DisbursementRun:
    """Start filling a draft batch (a task). Refused while another run of the batch is queued or running."""
    batch = _batch_locked(batch, actor)
    _require_draft(batch)
    return _start_run(batch=batch, actor=actor, kind=RunKind.GENERATE, request=request)


@transaction.atomic
def result_import_start(*, batch, actor, uploaded_file, request=None) -> DisbursementRun:
    """Upload the bank's result file of an exported batch (a task reads it). Refused while a run is going."""
    batch = _batch_locked(batch, actor)
    if batch.status not in (BatchStatus.EXPORTED, BatchStatus.RESULT_IMPORTED):
        raise InvalidTransition(_("批次生成银行文件后才能导入回盘。"))
    name = (getattr(uploaded_file, "name", "") or "").rsplit("/", 1)[-1]
    if not name.lower().endswith((".csv", ".xlsx")):
        raise DomainError(_("请上传 CSV 或 XLSX 文件。"), fields={"file": [_("请上传 CSV 或 XLSX 文件。")]})
    if uploaded_file.size > MAX_BYTES:
        raise DomainError(_("文件不能超过 20 MB。"), fields={"file": [_("文件不能超过 20 MB。")]})
    return _start_run(
        batch=batch,
        actor=actor,
        kind=RunKind.RESULT_IMPORT,
        file=uploaded_file,
        file_name=name,
        request=request,
    )


def disbursement_run(*, run_id: int) -> DisbursementRun | None:
    """Run a queued run (the task calls this). Safe to run twice: only a queued run starts."""
    with transaction.atomic():
        run = RUN_WORKFLOW.lock(run_id)
        if run.status != ImportStatus.QUEUED:
            return None
        run.started_at = timezone.now()
        RUN_WORKFLOW.move(run, ImportStatus.RUNNING, actor=None, fields=["started_at"])
    try:
        if run.kind == RunKind.GENERATE:
            counts = batch_fill(run=run)
        else:
            counts = _result_import(run)
    except DomainError as exc:
        return _fail(run, str(exc.message))
    except Exception as exc:
        logger.exception("disbursement run %s failed", run.pk)
        return _fail(run, _("任务中断：%(error)s") % {"error": exc.__class__.__name__})
    with transaction.atomic():
        run = RUN_WORKFLOW.lock(run.pk)
        run.finished_at = timezone.now()
        RUN_WORKFLOW.move(run, ImportStatus.DONE, actor=None, fields=["finished_at"], audit=counts)
    return run


def _fail(run, message: str) -> DisbursementRun:
    with transaction.atomic():
        run = RUN_WORKFLOW.lock(run.pk)
        run.failure, run.finished_at = message, timezone.now()
        RUN_WORKFLOW.move(
            run, ImportStatus.FAILED, actor=None, reason=message[:300], fields=["failure", "finished_at"]
        )
    return run


def _progress(run, *, done, total, counts, report, problems) -> None:
    DisbursementRun.objects.filter(pk=run.pk).update(
        rows_done=done, rows_total=max(total, done), errors=problems, counts=dict(counts), report=report
    )


def batch_fill(*, run: DisbursementRun) -> dict:
    """Fill the run's draft batch with a payment for every approved application of its program and county
    that has no payment yet, ``CHUNK`` applications a transaction: lock them (``SKIP LOCKED``: rows another
    run or click holds are theirs), re-read which have a payment now, leave out those the officer reviewed
    or whose person has no account (reported), insert the rest (``ON CONFLICT DO NOTHING`` on the keys)."""
    batch, actor = run.batch, run.started_by
    candidates = Application.objects.filter(_eligible_in(batch)).filter(
        ~Exists(Payment.objects.filter(application=OuterRef("pk")))
    )
    total = candidates.count()
    counts: Counter = Counter()
    report: list = []
    done = last = 0
    while True:
        with transaction.atomic():
            locked = BATCH_WORKFLOW.lock(batch.pk)
            if locked.status != BatchStatus.DRAFT:
                raise InvalidTransition(_("批次已不是草稿，停止生成。"))
            ids = list(
                candidates.filter(pk__gt=last)
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .values_list("pk", flat=True)[:CHUNK]
            )
            if not ids:
                break
            last = ids[-1]
            taken = set(
                Payment.objects.filter(application_id__in=ids).values_list("application_id", flat=True)
            )
            apps = list(
                Application.objects.filter(pk__in=[i for i in ids if i not in taken])
                .order_by("pk")
                .values_list("pk", "number", "person_id", "amount_approved")
            )
            reviewers = reviewers_of_many([a[0] for a in apps])
            accounts = {
                a.person_id: a for a in PayeeAccount.objects.filter(person_id__in={a[2] for a in apps})
            }
            new = []
            for pk, number, person_id, amount in apps:
                problem = ""
                if actor.pk in reviewers.get(pk, ()):
                    problem = _("经办人审核过该申请，不能经办其发放。")
                elif person_id not in accounts:
                    problem = _("申请人还没有登记收款账户。")
                elif amount is None:
                    problem = _("该申请没有核定金额。")
                if problem:
                    counts["skipped"] += 1
                    report.append({"application": number, "outcome": "skipped", "message": problem})
                    continue
                new.append(
                    _new_payment(
                        batch=batch,
                        application_id=pk,
                        person_id=person_id,
                        amount=amount,
                        account=accounts[person_id],
                        attempt=1,
                    )
                )
            Payment.objects.bulk_create(new, ignore_conflicts=True)
            created = list(
                Payment.objects.filter(batch=batch, idempotency_key__in=[p.idempotency_key for p in new])
                .order_by("pk")
                .values_list("pk", "idempotency_key", "amount")
            )
            _record_created(batch, created, actor=actor, reason=_("批量生成"))
            if created:
                counts["added"] += len(created)
            if len(taken) + len(new) - len(created):  # payments another run or click made meanwhile
                counts["taken"] += len(taken) + len(new) - len(created)
            done += len(ids)
            _progress(
                run,
                done=done,
                total=total,
                counts=counts,
                report=report[:REPORT_ROWS],
                problems=counts["skipped"],
            )
    with transaction.atomic():
        batch_recount(BATCH_WORKFLOW.lock(batch.pk))
    _progress(
        run, done=done, total=done, counts=counts, report=report[:REPORT_ROWS], problems=counts["skipped"]
    )
    return dict(counts)


# --- the bank's payment file ------------------------------------------------------------------------------


@transaction.atomic
def batch_export(*, batch, actor, fmt: str = "csv", request=None) -> tuple[str, bytes]:
    """The bank's payment file of the batch: (file name, bytes). The first export moves the batch and its
    pending payments to exported; a later one (the file lost) writes the same file again. Each export is an
    audit row (who, how many, the total): the file carries the full account numbers, unsealed here only."""
    if fmt not in bankfiles.FORMATS:
        raise DomainError(_("请选择 CSV 或 XLSX。"), fields={"format": [_("请选择 CSV 或 XLSX。")]})
    batch = _batch_locked(batch, actor)
    payments = batch.payments.all()
    _not_a_reviewer(actor, payments.values_list("application_id", flat=True))
    if batch.status == BatchStatus.DRAFT:
        if not payments.exists():
            raise DomainError(_("批次中还没有发放明细。"), code="batch_empty")
        if DisbursementRun.objects.filter(
            batch=batch, status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING)
        ).exists():
            raise _already_running()
        PAYMENT_WORKFLOW.move_many(
            batch.payments.filter(status=PaymentStatus.PENDING),
            PaymentStatus.EXPORTED,
            actor=actor,
            reason=_("生成银行文件"),
            scope_unit_id=batch.scope_unit_id,
            request=request,
        )
        batch.exported_at = timezone.now()
        BATCH_WORKFLOW.move(batch, BatchStatus.EXPORTED, actor=actor, fields=["exported_at"], request=request)
    elif batch.status == BatchStatus.CLOSED:
        raise InvalidTransition(_("批次已关闭。"))
    rows = [
        bankfiles.BankRow(
            reference=key,
            holder_name=holder,
            account_number=vault.unseal(sealed),
            bank_name=bank,
            account_kind=AccountKind(kind).label,
            amount=amount,
            memo=str(batch.program_type.name)[:30],
        )
        for key, holder, sealed, bank, kind, amount in payments.order_by("pk").values_list(
            "idempotency_key", "holder_name", "account_sealed", "bank_name", "account_kind", "amount"
        )
    ]
    batch.export_count += 1
    batch.save(update_fields=["export_count", "updated_at"])
    batch_recount(batch)
    total = sum((r.amount for r in rows), start=Decimal("0"))
    audit_record(
        actor=actor,
        action=AuditAction.EXPORT,
        obj=batch,
        after={"file": "bank_payment", "format": fmt, "rows": len(rows), "total": total},
        reason=_("生成银行代发文件"),
        request=request,
    )
    title = _("%(program)s 代发批次 %(number)s") % {
        "program": batch.program_type.name,
        "number": batch.number,
    }
    data = bankfiles.payment_file(rows, fmt=fmt, title=title)
    return f"{batch.number}.{fmt}", data


# --- the bank's result file ---------------------------------------------------------------------------------

FINAL = {
    bankfiles.PAID: PaymentStatus.PAID,
    bankfiles.FAILED: PaymentStatus.FAILED,
    bankfiles.RETURNED: PaymentStatus.RETURNED,
}


def _result_import(run: DisbursementRun) -> dict:
    """Apply the bank's result rows to the batch's payments, ``CHUNK`` rows a transaction. Per row: paid,
    failed (with the bank's reason) or returned — the exported payment moves there, and a paid payment's
    application to disbursed; the same outcome again is unchanged (a second import of the file changes
    nothing); another outcome than the one recorded, or another amount, is a conflict (reported, not
    applied); a reference not in this batch is unknown; an unreadable row is invalid."""
    batch = run.batch
    with run.file.open("rb") as handle:
        rows = bankfiles.read_result_file(run.file_name, handle.read())
    counts: Counter = Counter()
    report: list = []
    seen: dict[str, str] = {}
    problems = 0
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        with transaction.atomic():
            payments = {
                p.idempotency_key: p
                for p in Payment.objects.filter(batch=batch, idempotency_key__in=[r.reference for r in part])
                .order_by("pk")
                .select_for_update(of=("self",))
            }
            moves: dict[str, list[Payment]] = defaultdict(list)
            for row in part:
                outcome, message = _result_row(row, payments, seen)
                if outcome in (ResultOutcome.PAID, ResultOutcome.FAILED, ResultOutcome.RETURNED):
                    payment = payments[row.reference]
                    payment.bank_reference, payment.failure_reason = row.bank_reference, row.reason
                    moves[FINAL[outcome]].append(payment)
                counts[str(outcome)] += 1
                if outcome in (ResultOutcome.CONFLICT, ResultOutcome.UNKNOWN, ResultOutcome.INVALID):
                    problems += 1
                if len(report) < REPORT_ROWS or outcome in (
                    ResultOutcome.CONFLICT,
                    ResultOutcome.UNKNOWN,
                    ResultOutcome.INVALID,
                ):
                    report.append(
                        {
                            "row": row.row,
                            "reference": row.reference,
                            "outcome": str(outcome),
                            "message": message,
                        }
                    )
            _apply_results(batch, moves, actor=run.started_by)
            _progress(
                run, done=start + len(part), total=len(rows), counts=counts, report=report, problems=problems
            )
    with transaction.atomic():
        batch = BATCH_WORKFLOW.lock(batch.pk)
        batch_recount(batch)
        if batch.status == BatchStatus.EXPORTED:
            BATCH_WORKFLOW.move(
                batch, BatchStatus.RESULT_IMPORTED, actor=run.started_by, reason=run.file_name
            )
    _progress(run, done=len(rows), total=len(rows), counts=counts, report=report, problems=problems)
    return dict(counts)


def _result_row(row, payments, seen) -> tuple[str, str]:
    if row.problem:
        return ResultOutcome.INVALID, row.problem
    payment = payments.get(row.reference)
    if payment is None:
        return ResultOutcome.UNKNOWN, _("本批次没有这个业务参考号。")
    if row.amount is not None and row.amount != payment.amount:
        return ResultOutcome.CONFLICT, _("金额 %(file)s 与发放金额 %(ours)s 不符。") % {
            "file": row.amount,
            "ours": payment.amount,
        }
    target = FINAL[row.outcome]
    earlier = seen.get(row.reference)
    if earlier is not None:
        return (
            (ResultOutcome.UNCHANGED, _("与本文件前面的行相同。"))
            if earlier == target
            else (
                ResultOutcome.CONFLICT,
                _("与本文件前面同一参考号的结果不同。"),
            )
        )
    seen[row.reference] = target
    if payment.status == target:
        return ResultOutcome.UNCHANGED, _("该结果已记录。")
    if payment.status != PaymentStatus.EXPORTED:
        return ResultOutcome.CONFLICT, _("已记录为“%(status)s”，与回盘结果不符，未更新，请与银行核实。") % {
            "status": payment.get_status_display()
        }
    return target, row.reason


def _apply_results(batch, moves: dict[str, list[Payment]], *, actor) -> None:
    now = timezone.now()
    for status, payments in moves.items():
        ids = [p.pk for p in payments]
        PAYMENT_WORKFLOW.move_many(
            Payment.objects.filter(pk__in=ids),
            status,
            actor=actor,
            reason=_("银行回盘"),
            values={"result_at": now},
            scope_unit_id=batch.scope_unit_id,
        )
        _store_bank_details([p for p in payments if p.bank_reference or p.failure_reason])
        if status == PaymentStatus.PAID:
            APPLICATION_WORKFLOW.move_many(
                Application.objects.filter(
                    pk__in=[p.application_id for p in payments], status=ApplicationStatus.APPROVED
                ),
                ApplicationStatus.DISBURSED,
                actor=actor,
                reason=_("补贴已到账"),
                scope_unit_id=batch.scope_unit_id,
            )


def _store_bank_details(payments: list[Payment]) -> None:
    """The bank's serial number and reason of each payment: one UPDATE … FROM unnest on PostgreSQL (Django's
    ``bulk_update`` builds a CASE per row, seconds for a few thousand), ``bulk_update`` elsewhere."""
    if not payments:
        return
    if connection.vendor != "postgresql":
        Payment.objects.bulk_update(payments, ["bank_reference", "failure_reason"], batch_size=500)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE subsidies_payment AS p SET bank_reference = v.ref, failure_reason = v.reason "
            "FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS v(id, ref, reason) WHERE p.id = v.id",
            [
                [p.pk for p in payments],
                [p.bank_reference for p in payments],
                [p.failure_reason for p in payments],
            ],
        )


@transaction.atomic
def batch_close(*, batch, actor, request=None) -> DisbursementBatch:
    """Close a batch whose every payment has the bank's result (paid, failed or returned)."""
    batch = _batch_locked(batch, actor)
    waiting = batch.payments.filter(status__in=(PaymentStatus.PENDING, PaymentStatus.EXPORTED)).count()
    if waiting and batch.status == BatchStatus.RESULT_IMPORTED:
        raise DomainError(
            _("还有 %(n)s 笔明细没有银行处理结果，不能关闭。") % {"n": waiting}, code="results_missing"
        )
    batch.closed_at = timezone.now()
    return BATCH_WORKFLOW.move(batch, BatchStatus.CLOSED, actor=actor, fields=["closed_at"], request=request)
