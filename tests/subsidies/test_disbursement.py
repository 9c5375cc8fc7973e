"""Disbursement (ADR 0035): the payee account, batch generation as a task with its progress, one payment per
application, the bank's payment file, the idempotent result import, re-issue paid once, separation of
duties, county scope."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from accounts.choices import Role
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog
from subsidies import vault
from subsidies.choices import ApplicationStatus, BatchStatus, ImportStatus, PaymentStatus, RunKind
from subsidies.models import DisbursementRun, PayeeAccount, Payment, PaymentEvent
from subsidies.services import disbursement as services

from ..accounts.factories import UserFactory
from .disbursement_support import account_for, approved, card, result_upload, reviewers
from .factories import program

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(county_a):
    return [UserFactory(scope_unit=county_a, roles=[Role.WORKER]) for _ in range(4)]


@pytest.fixture
def apps(people, county_a):
    county_reviewer, city_reviewer = reviewers(county_a)
    amounts = ["746.67", "1120.00", "300.50", "80.00"]
    return [
        approved(p, county_reviewer=county_reviewer, city_reviewer=city_reviewer, amount=a)
        for p, a in zip(people, amounts, strict=True)
    ]


@pytest.fixture
def batch(officer, county_a):
    return services.batch_create(actor=officer, program_type=program(), scope_unit=county_a)


def fill(batch, actor, django_capture_on_commit_callbacks) -> DisbursementRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.batch_generate_start(batch=batch, actor=actor)
    run.refresh_from_db()
    return run


def import_result(batch, actor, lines, django_capture_on_commit_callbacks) -> DisbursementRun:
    with django_capture_on_commit_callbacks(execute=True):
        run = services.result_import_start(batch=batch, actor=actor, uploaded_file=result_upload(lines))
    run.refresh_from_db()
    return run


def export(batch, actor, fmt="csv") -> list[list[str]]:
    _name, data = services.batch_export(batch=batch, actor=actor, fmt=fmt)
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# --- the payee account ------------------------------------------------------------------------------------


def test_worker_enters_their_account_stored_full_audited_masked(worker):
    account = services.payee_account_save(
        person=worker,
        actor=worker,
        kind="bank_card",
        bank_name="中国农业银行潍城支行",
        account_number="6228 4800 1000 0000 018",
        holder_name=worker.real_name,
    )
    account.refresh_from_db()
    assert account.account_number == "6228480010000000018"
    assert account.masked_account_number == "*" * 15 + "0018"
    assert (account.entered_by, account.assisted) == (worker, False)
    audit = AuditLog.objects.get(action=AuditAction.CREATE, object_id=str(account.pk))
    assert audit.after["account"] == "*" * 15 + "0018"
    assert "6228480010000000018" not in str(audit.after)


def test_account_in_another_persons_name_is_refused(worker):
    with pytest.raises(DomainError) as caught:
        services.payee_account_save(
            person=worker,
            actor=worker,
            kind="ss_card",
            bank_name="潍坊银行",
            account_number="62170000",
            holder_name="别人",
        )
    assert "holder_name" in caught.value.fields
    assert not PayeeAccount.objects.exists()


def test_counter_staff_enter_an_account_for_a_worker_marked_assisted(worker, officer):
    account = services.payee_account_save(
        person=worker,
        actor=officer,
        kind="ss_card",
        bank_name="潍坊银行",
        account_number=card(7),
        holder_name=worker.real_name,
    )
    assert (account.entered_by, account.assisted) == (officer, True)
    assert AuditLog.objects.get(object_id=str(account.pk), action=AuditAction.CREATE).on_behalf_of == worker


def test_another_worker_cannot_enter_my_account(worker, worker_b):
    with pytest.raises(NotPermitted):
        services.payee_account_save(
            person=worker,
            actor=worker_b,
            kind="ss_card",
            bank_name="x",
            account_number=card(1),
            holder_name="x",
        )


# --- batch generation -------------------------------------------------------------------------------------


def test_batch_generation_pays_each_approved_application_once_and_reports_progress(
    batch, officer, apps, people, county_a, county_b, django_capture_on_commit_callbacks
):
    # not in this batch: another county's application, one not approved yet, one without an account
    other = approved(
        UserFactory(scope_unit=county_b, roles=[Role.WORKER]), county_reviewer=None, city_reviewer=None
    )
    pending = approved(people[0], county_reviewer=None, city_reviewer=None)
    Application = type(pending)
    Application.objects.filter(pk=pending.pk).update(status=ApplicationStatus.PUBLIC_NOTICE)
    no_account = approved(
        UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
        county_reviewer=None,
        city_reviewer=None,
        with_account=False,
    )
    run = fill(batch, officer, django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.DONE and run.kind == RunKind.GENERATE
    # the four, and the one without an account
    assert (run.rows_total, run.rows_done, run.errors) == (5, 5, 1)
    assert run.counts == {"added": 4, "skipped": 1}
    assert run.report == [
        {"application": no_account.number, "outcome": "skipped", "message": "申请人还没有登记收款账户。"}
    ]
    payments = list(batch.payments.order_by("application_id"))
    assert [p.application_id for p in payments] == [a.pk for a in apps]
    assert [p.amount for p in payments] == [
        Decimal("746.67"),
        Decimal("1120.00"),
        Decimal("300.50"),
        Decimal("80.00"),
    ]
    assert [p.idempotency_key for p in payments] == [f"SUB-{a.pk}-1" for a in apps]
    assert {p.status for p in payments} == {PaymentStatus.PENDING}
    assert other.pk not in [p.application_id for p in payments]
    batch.refresh_from_db()
    # 746.67 + 1120.00 + 300.50 + 80.00 = 2247.17
    assert (batch.payment_count, batch.total_amount) == (4, Decimal("2247.17"))
    assert PaymentEvent.objects.filter(payment__batch=batch, to_status=PaymentStatus.PENDING).count() == 4
    # a second run finds nothing left to add
    second = services.batch_create(actor=officer, program_type=program(), scope_unit=county_a)
    again = fill(second, officer, django_capture_on_commit_callbacks)
    assert again.counts == {"skipped": 1} and not second.payments.exists()


def test_payment_snapshots_the_account_masked_and_sealed(
    batch, officer, apps, people, django_capture_on_commit_callbacks
):
    fill(batch, officer, django_capture_on_commit_callbacks)
    payment = batch.payments.get(application=apps[0])
    number = people[0].subsidy_payee_account.account_number
    assert payment.account_masked == "*" * 15 + number[-4:]
    assert number not in payment.account_sealed  # a token, not the number
    assert vault.unseal(payment.account_sealed) == number
    # the person changes their account afterwards: the payment keeps the one it was made with
    account = people[0].subsidy_payee_account
    account.account_number = card(999)
    account.save()
    payment.refresh_from_db()
    assert vault.unseal(payment.account_sealed) == number


def test_a_second_start_while_one_runs_is_refused(batch, officer, apps):
    run = services.batch_generate_start(batch=batch, actor=officer)  # not run: still queued
    with pytest.raises(DomainError) as caught:
        services.batch_generate_start(batch=batch, actor=officer)
    assert caught.value.code == "run_in_progress"
    assert DisbursementRun.objects.filter(batch=batch).count() == 1
    services.disbursement_run(run_id=run.pk)
    assert services.disbursement_run(run_id=run.pk) is None  # the task delivered twice runs once
    assert batch.payments.count() == 4


def test_the_officer_who_reviewed_an_application_does_not_disburse_it(
    county_a, people, django_capture_on_commit_callbacks
):
    reviewer_officer, city = reviewers(county_a)
    app = approved(people[0], county_reviewer=reviewer_officer, city_reviewer=city)
    other = approved(
        people[1],
        county_reviewer=UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF]),
        city_reviewer=city,
    )
    batch = services.batch_create(actor=reviewer_officer, program_type=program(), scope_unit=county_a)
    with pytest.raises(NotPermitted):
        services.payment_issue(batch=batch, application=app, actor=reviewer_officer)
    run = fill(batch, reviewer_officer, django_capture_on_commit_callbacks)
    assert [p.application_id for p in batch.payments.all()] == [other.pk]
    assert run.report[0]["application"] == app.number and run.report[0]["outcome"] == "skipped"


def test_issue_is_idempotent_and_refuses_a_paid_application(batch, officer, apps, county_a):
    first = services.payment_issue(batch=batch, application=apps[0], actor=officer)
    again = services.payment_issue(batch=batch, application=apps[0], actor=officer)
    assert first.pk == again.pk and Payment.objects.filter(application=apps[0]).count() == 1
    other = services.batch_create(actor=officer, program_type=program(), scope_unit=county_a)
    with pytest.raises(DomainError) as caught:
        services.payment_issue(batch=other, application=apps[0], actor=officer)
    assert caught.value.code == "already_issued"


def test_another_countys_officer_finds_no_batch(batch, officer_b, apps):
    with pytest.raises(NotFound):
        services.batch_generate_start(batch=batch, actor=officer_b)
    with pytest.raises(NotFound):
        services.payment_issue(batch=batch, application=apps[0], actor=officer_b)
    with pytest.raises(NotFound):
        services.batch_export(batch=batch, actor=officer_b)


# --- the bank's files ----------------------------------------------------------------------------------------


def test_export_writes_full_accounts_and_amounts_and_moves_the_payments(
    batch, officer, apps, people, django_capture_on_commit_callbacks
):
    fill(batch, officer, django_capture_on_commit_callbacks)
    lines = export(batch, officer)
    body = lines[2:-1]
    assert [r[1] for r in body] == [f"SUB-{a.pk}-1" for a in apps]
    assert [r[2] for r in body] == [p.real_name for p in people]
    assert [r[3] for r in body] == [
        p.subsidy_payee_account.account_number for p in people
    ]  # full, for the bank
    assert [r[6] for r in body] == ["746.67", "1120.00", "300.50", "80.00"]
    assert lines[-1][:2] == ["合计", "4"] and lines[-1][6] == "2247.17"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED and batch.export_count == 1
    assert set(batch.payments.values_list("status", flat=True)) == {PaymentStatus.EXPORTED}
    assert PaymentEvent.objects.filter(payment__batch=batch, to_status=PaymentStatus.EXPORTED).count() == 4
    audit = AuditLog.objects.get(action=AuditAction.EXPORT, object_id=str(batch.pk))
    assert audit.after["rows"] == 4 and audit.after["total"] == "2247.17" and audit.actor == officer
    # downloaded again (the file lost): the same rows, no second move
    assert export(batch, officer)[2:] == lines[2:]
    assert PaymentEvent.objects.filter(payment__batch=batch, to_status=PaymentStatus.EXPORTED).count() == 4


def test_an_empty_batch_is_not_exported(batch, officer):
    with pytest.raises(DomainError) as caught:
        services.batch_export(batch=batch, actor=officer)
    assert caught.value.code == "batch_empty"
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT


def test_result_import_records_each_row_and_a_second_import_changes_nothing(
    batch, officer, apps, django_capture_on_commit_callbacks
):
    fill(batch, officer, django_capture_on_commit_callbacks)
    export(batch, officer)
    keys = [f"SUB-{a.pk}-1" for a in apps]
    lines = [
        (keys[0], "成功", ""),
        (keys[1], "失败", "户名与账号不符"),
        (keys[2], "退票", "账户已销户"),
        ("SUB-999999-1", "成功", ""),
        (keys[3], "处理中", ""),
    ]
    run = import_result(batch, officer, lines, django_capture_on_commit_callbacks)
    assert run.status == ImportStatus.DONE
    assert [e["outcome"] for e in run.report] == ["paid", "failed", "returned", "unknown", "invalid"]
    assert (run.rows_total, run.rows_done, run.errors) == (5, 5, 2)
    statuses = dict(Payment.objects.filter(batch=batch).values_list("idempotency_key", "status"))
    assert statuses == {keys[0]: "paid", keys[1]: "failed", keys[2]: "returned", keys[3]: "exported"}
    assert Payment.objects.get(idempotency_key=keys[1]).failure_reason == "户名与账号不符"
    for app in apps:
        app.refresh_from_db()
    assert [a.status for a in apps] == ["disbursed", "approved", "approved", "approved"]
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RESULT_IMPORTED
    assert (batch.paid_count, batch.paid_amount, batch.failed_count, batch.returned_count) == (
        1,
        Decimal("746.67"),
        1,
        1,
    )
    events = PaymentEvent.objects.count()
    audits = AuditLog.objects.count()
    # the same file again: every applied row is unchanged, nothing is written but the run's own rows
    again = import_result(batch, officer, lines, django_capture_on_commit_callbacks)
    assert [e["outcome"] for e in again.report] == [
        "unchanged",
        "unchanged",
        "unchanged",
        "unknown",
        "invalid",
    ]
    assert PaymentEvent.objects.count() == events
    assert AuditLog.objects.exclude(object_id=str(again.pk)).count() == audits
    # a later file that contradicts a recorded result is a conflict, not applied
    late = import_result(
        batch, officer, [(keys[0], "失败", "x"), (keys[3], "成功", "")], django_capture_on_commit_callbacks
    )
    assert [e["outcome"] for e in late.report] == ["conflict", "paid"]
    assert Payment.objects.get(idempotency_key=keys[0]).status == PaymentStatus.PAID
    services.batch_close(batch=batch, actor=officer)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.CLOSED


def test_result_with_another_amount_is_a_conflict(batch, officer, apps, django_capture_on_commit_callbacks):
    services.payment_issue(batch=batch, application=apps[0], actor=officer)
    export(batch, officer)
    body = f"业务参考号,处理结果,金额\nSUB-{apps[0].pk}-1,成功,746.68\n".encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    with django_capture_on_commit_callbacks(execute=True):
        run = services.result_import_start(
            batch=batch, actor=officer, uploaded_file=SimpleUploadedFile("r.csv", body)
        )
    run.refresh_from_db()
    assert run.report[0]["outcome"] == "conflict"
    assert Payment.objects.get(application=apps[0]).status == PaymentStatus.EXPORTED


def test_result_import_before_export_is_refused(batch, officer):
    with pytest.raises(InvalidTransition):
        services.result_import_start(batch=batch, actor=officer, uploaded_file=result_upload([]))


def test_a_failed_payment_reissued_is_paid_once(
    batch, officer, apps, people, county_a, django_capture_on_commit_callbacks
):
    failed = services.payment_issue(batch=batch, application=apps[1], actor=officer)
    export(batch, officer)
    import_result(
        batch, officer, [(failed.idempotency_key, "失败", "账号不存在")], django_capture_on_commit_callbacks
    )
    failed.refresh_from_db()
    assert failed.status == PaymentStatus.FAILED
    # the worker corrects the account; the re-issue pays to the new one
    services.payee_account_save(
        person=people[1],
        actor=people[1],
        kind="bank_card",
        bank_name="中国银行",
        account_number=card(4242),
        holder_name=people[1].real_name,
    )
    retry_batch = services.batch_create(actor=officer, program_type=program(), scope_unit=county_a)
    with pytest.raises(DomainError):  # issuing it again is not the way: it has a payment
        services.payment_issue(batch=retry_batch, application=apps[1], actor=officer)
    second = services.payment_reissue(payment=failed, batch=retry_batch, actor=officer)
    assert services.payment_reissue(payment=failed, batch=retry_batch, actor=officer).pk == second.pk
    assert (second.attempt, second.idempotency_key, second.reissue_of) == (2, f"SUB-{apps[1].pk}-2", failed)
    assert vault.unseal(second.account_sealed) == card(4242)
    # generation does not pick it up a second time either
    fill(retry_batch, officer, django_capture_on_commit_callbacks)
    assert list(retry_batch.payments.filter(application=apps[1])) == [second]
    lines = export(retry_batch, officer)
    assert [r[3] for r in lines[2:-1] if r[1] == second.idempotency_key] == [card(4242)]
    import_result(
        retry_batch, officer, [(second.idempotency_key, "成功", "")], django_capture_on_commit_callbacks
    )
    second.refresh_from_db()
    apps[1].refresh_from_db()
    assert second.status == PaymentStatus.PAID and apps[1].status == ApplicationStatus.DISBURSED
    assert Payment.objects.filter(application=apps[1], status=PaymentStatus.PAID).count() == 1
    third_batch = services.batch_create(actor=officer, program_type=program(), scope_unit=county_a)
    with pytest.raises(InvalidTransition):
        services.payment_reissue(payment=second, batch=third_batch, actor=officer)


def test_account_kinds_and_without_account_issue_is_refused(batch, officer, county_a):
    county_reviewer, city = reviewers(county_a)
    app = approved(
        UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
        county_reviewer=county_reviewer,
        city_reviewer=city,
        with_account=False,
    )
    with pytest.raises(DomainError) as caught:
        services.payment_issue(batch=batch, application=app, actor=officer)
    assert caught.value.code == "no_payee_account"
    account_for(app.person)
    assert services.payment_issue(batch=batch, application=app, actor=officer).account_kind == "ss_card"
