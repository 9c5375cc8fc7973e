"""Disbursement's doors: the API (an action per step, county scope 404, a reviewer 403), the admin (masked
accounts, the audited reveal, actions calling the services) and the worker's payments page. The full account
number appears only in the bank's payment file and the audited reveal."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from core.choices import AuditAction
from core.models import AuditLog
from subsidies import bankfiles
from subsidies.choices import ApplicationStatus, BatchStatus
from subsidies.models import DisbursementBatch, PayeeAccount, Payment
from subsidies.services import disbursement as services

from ..accounts.factories import UserFactory
from .disbursement_support import approved, card, reviewers
from .factories import program

pytestmark = pytest.mark.django_db
BATCHES = "/api/v1/subsidy-disbursement-batches/"
PAYMENTS = "/api/v1/subsidy-payments/"


@pytest.fixture
def setting(county_a, officer):
    county_reviewer, city_reviewer = reviewers(county_a)
    people = [UserFactory(scope_unit=county_a, roles=[Role.WORKER]) for _ in range(3)]
    apps = [approved(p, county_reviewer=county_reviewer, city_reviewer=city_reviewer) for p in people]
    batch = services.batch_create(actor=officer, program_type=program(), scope_unit=county_a)
    return batch, apps, people, county_reviewer


def _full_numbers(people):
    return [PayeeAccount.objects.get(person=p).account_number for p in people]


# --- API --------------------------------------------------------------------------------------------------


def test_api_batch_steps_end_to_end(api_as, officer, setting, django_capture_on_commit_callbacks):
    batch, apps, people, _reviewer = setting
    client = api_as(officer)
    created = client.post(
        BATCHES, {"program": "flexible_social_insurance", "county": "370702"}, format="json"
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"{BATCHES}{batch.pk}/generate/")
    assert started.status_code == 202
    run = client.get(f"/api/v1/subsidy-disbursement-runs/{started.json()['id']}/").json()
    assert (run["status"], run["rows_done"], run["rows_total"], run["counts"]) == ("done", 3, 3, {"added": 3})
    exported = client.post(f"{BATCHES}{batch.pk}/export/", {"format": "csv"}, format="json")
    assert exported.status_code == 200 and exported["Content-Disposition"].endswith('.csv"')
    lines = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert [r[3] for r in lines[2:-1]] == _full_numbers(people)
    xlsx = client.post(f"{BATCHES}{batch.pk}/export/", {"format": "xlsx"}, format="json")
    assert xlsx["Content-Type"] == bankfiles.XLSX_TYPE
    keys = [f"SUB-{a.pk}-1" for a in apps]
    upload = SimpleUploadedFile(
        "r.csv", bankfiles.sample_result_file([(keys[0], "成功", ""), (keys[1], "失败", "户名不符")])
    )
    with django_capture_on_commit_callbacks(execute=True):
        imported = client.post(f"{BATCHES}{batch.pk}/import-result/", {"file": upload}, format="multipart")
    assert imported.status_code == 202
    batch.refresh_from_db()
    assert batch.status == BatchStatus.RESULT_IMPORTED and batch.paid_count == 1
    apps[0].refresh_from_db()
    assert apps[0].status == ApplicationStatus.DISBURSED
    failed = Payment.objects.get(idempotency_key=keys[1])
    retry = services.batch_create(actor=officer, program_type=program(), scope_unit=batch.scope_unit)
    reissued = client.post(f"{PAYMENTS}{failed.pk}/reissue/", {"batch": retry.pk}, format="json")
    assert reissued.status_code == 200 and reissued.json()["attempt"] == 2
    assert reissued.json()["idempotency_key"] == f"SUB-{apps[1].pk}-2"
    # the first batch cannot be closed while a payment still awaits the bank's result
    assert client.post(f"{BATCHES}{batch.pk}/close/").status_code == 400


def test_api_lists_show_masked_accounts_only(api_as, officer, setting, django_assert_max_num_queries):
    batch, apps, people, _reviewer = setting
    for app in apps:
        services.payment_issue(batch=batch, application=app, actor=officer)
    client = api_as(officer)
    with django_assert_max_num_queries(12):
        response = client.get(PAYMENTS)
    assert response.status_code == 200
    body = response.content.decode()
    rows = response.json()["results"]
    assert len(rows) == 3
    assert {r["account"] for r in rows} == {"*" * 15 + n[-4:] for n in _full_numbers(people)}
    for number in _full_numbers(people):
        assert number not in body
    assert "account_sealed" not in body
    detail = client.get(f"{PAYMENTS}{rows[0]['id']}/").content.decode()
    assert not any(n in detail for n in _full_numbers(people))


def test_api_worker_sees_only_their_own_payment(api_as, officer, setting):
    batch, apps, people, _reviewer = setting
    for app in apps:
        services.payment_issue(batch=batch, application=app, actor=officer)
    rows = api_as(people[0]).get(PAYMENTS).json()["results"]
    assert [r["application"] for r in rows] == [apps[0].number]
    assert api_as(people[0]).get(BATCHES).status_code == 403


def test_api_other_county_is_404_and_anonymous_refused(api, api_as, officer_b, setting):
    batch, apps, _people, _reviewer = setting
    client = api_as(officer_b)
    assert client.get(f"{BATCHES}{batch.pk}/").status_code == 404
    assert client.post(f"{BATCHES}{batch.pk}/generate/").status_code == 404
    assert (
        client.post(f"{BATCHES}{batch.pk}/issue/", {"application": apps[0].pk}, format="json").status_code
        == 404
    )
    assert client.post(f"{BATCHES}{batch.pk}/export/", {"format": "csv"}, format="json").status_code == 404
    assert client.get(BATCHES).json()["results"] == []
    assert api.get(BATCHES).status_code in (401, 403)
    assert api.post(f"{BATCHES}{batch.pk}/export/").status_code in (401, 403)
    assert not Payment.objects.exists()


def test_api_reviewer_may_not_issue_or_export(api_as, officer, setting):
    batch, apps, _people, county_reviewer = setting
    client = api_as(county_reviewer)  # county staff of the same county, who reviewed these applications
    response = client.post(f"{BATCHES}{batch.pk}/issue/", {"application": apps[0].pk}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not Payment.objects.exists()
    services.payment_issue(batch=batch, application=apps[0], actor=officer)
    response = client.post(f"{BATCHES}{batch.pk}/export/", {"format": "csv"}, format="json")
    assert response.status_code == 403
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DRAFT
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_api_double_click_on_issue_returns_the_same_payment(api_as, officer, setting):
    batch, apps, _people, _reviewer = setting
    client = api_as(officer)
    first = client.post(f"{BATCHES}{batch.pk}/issue/", {"application": apps[0].pk}, format="json")
    second = client.post(f"{BATCHES}{batch.pk}/issue/", {"application": apps[0].pk}, format="json")
    assert first.status_code == second.status_code == 200
    assert first.json()["id"] == second.json()["id"]
    assert Payment.objects.filter(application=apps[0]).count() == 1


# --- admin --------------------------------------------------------------------------------------------------


def test_admin_pages_mask_accounts_and_actions_call_services(
    client_as, officer, setting, django_capture_on_commit_callbacks
):
    batch, apps, people, _reviewer = setting
    client = client_as(officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/subsidies/disbursementbatch/",
            {"action": "generate_selected", "_selected_action": [batch.pk]},
        )
    assert response.status_code == 302
    assert batch.payments.count() == 3
    numbers = _full_numbers(people)
    payment = batch.payments.first()
    for url in (
        "/admin/subsidies/disbursementbatch/",
        f"/admin/subsidies/disbursementbatch/{batch.pk}/change/",
        "/admin/subsidies/payment/",
        f"/admin/subsidies/payment/{payment.pk}/change/",
        "/admin/subsidies/payeeaccount/",
        f"/admin/subsidies/payeeaccount/{PayeeAccount.objects.get(person=people[0]).pk}/change/",
        f"/admin/subsidies/disbursementrun/{batch.runs.get().pk}/change/",
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        text = page.content.decode()
        assert not any(n in text for n in numbers), url
    assert "*" * 15 + numbers[0][-4:] in client.get("/admin/subsidies/payment/").content.decode()
    exported = client.post(
        "/admin/subsidies/disbursementbatch/", {"action": "export_csv", "_selected_action": [batch.pk]}
    )
    assert exported.status_code == 200 and numbers[0] in exported.content.decode("utf-8-sig")
    batch.refresh_from_db()
    assert batch.status == BatchStatus.EXPORTED
    assert client.get(f"/admin/subsidies/disbursementbatch/{batch.pk}/import-result/").status_code == 200


def test_admin_new_batch_is_made_by_the_service(client_as, officer, county_a):
    response = client_as(officer).post(
        "/admin/subsidies/disbursementbatch/add/",
        {"program_type": program().pk, "scope_unit": county_a.pk, "note": "一月"},
    )
    assert response.status_code == 302
    batch = DisbursementBatch.objects.get(note="一月")
    assert batch.created_by == officer and batch.number.startswith("FF") and batch.events.count() == 1


def test_the_full_account_is_revealed_only_through_the_audited_reveal(client_as, setting, county_a):
    _batch, _apps, people, _reviewer = setting
    account = PayeeAccount.objects.get(person=people[0])
    staff = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    staff.user_permissions.add(Permission.objects.get(codename="reveal_personal_data"))
    client = client_as(staff)
    url = f"/admin/subsidies/payeeaccount/{account.pk}/reveal/account_number/"
    assert account.account_number not in client.get(url).content.decode()
    revealed = client.post(url, {"reason": "核对银行退票原因"})
    assert account.account_number in revealed.content.decode()
    audit = AuditLog.objects.get(action=AuditAction.REVEAL, object_id=str(account.pk))
    assert audit.actor == staff and audit.reason == "核对银行退票原因"
    assert account.account_number not in str(audit.after)


def test_admin_reissue_action_into_a_draft_batch(
    client_as, officer, setting, django_capture_on_commit_callbacks
):
    batch, apps, _people, _reviewer = setting
    payment = services.payment_issue(batch=batch, application=apps[0], actor=officer)
    services.batch_export(batch=batch, actor=officer)
    upload = SimpleUploadedFile(
        "r.csv", bankfiles.sample_result_file([(payment.idempotency_key, "退票", "销户")])
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.result_import_start(batch=batch, actor=officer, uploaded_file=upload)
    retry = services.batch_create(actor=officer, program_type=program(), scope_unit=batch.scope_unit)
    client_as(officer).post(
        "/admin/subsidies/payment/",
        {"action": "reissue_selected", "_selected_action": [payment.pk], "batch": retry.number},
    )
    assert retry.payments.get().reissue_of == payment


# --- the worker's page ----------------------------------------------------------------------------------------


def test_worker_enters_an_account_and_sees_their_payment_status(client_as, officer, setting):
    batch, apps, people, _reviewer = setting
    worker = people[0]
    client = client_as(worker)
    page = client.get("/subsidies/payments/")
    assert page.status_code == 200
    old = PayeeAccount.objects.get(person=worker).account_number
    assert old not in page.content.decode() and old[-4:] in page.content.decode()
    response = client.post(
        "/subsidies/payments/",
        {
            "kind": "bank_card",
            "bank_name": "中国银行",
            "account_number": card(55),
            "holder_name": worker.real_name,
        },
    )
    assert response.status_code == 302
    assert PayeeAccount.objects.get(person=worker).account_number == card(55)
    payment = services.payment_issue(batch=batch, application=apps[0], actor=officer)
    text = client.get("/subsidies/payments/").content.decode()
    assert payment.idempotency_key in text and "待发放" in text
    assert card(55) not in text
    assert "我的补贴发放" in client.get("/subsidies/mine/").content.decode()


def test_worker_page_refuses_an_account_in_another_name(client_as, worker):
    response = client_as(worker).post(
        "/subsidies/payments/",
        {"kind": "bank_card", "bank_name": "中国银行", "account_number": card(56), "holder_name": "别人"},
    )
    assert response.status_code == 400
    assert not PayeeAccount.objects.filter(person=worker).exists()


def test_a_county_token_reads_its_countys_batches_payments_and_claims_masked_only(
    api_client_a, officer, officer_b, setting, django_capture_on_commit_callbacks, county_b
):
    """County systems pull batches, payments (masked accounts) and accident-insurance claims of their county;
    another county's batch is 404 and the full account number never appears."""
    batch, _apps, people, _reviewer = setting
    with django_capture_on_commit_callbacks(execute=True):
        services.batch_generate_start(batch=batch, actor=officer)
    other = services.batch_create(actor=officer_b, program_type=program(), scope_unit=county_b)
    listed = api_client_a.get(BATCHES)
    assert listed.status_code == 200
    assert [r["id"] for r in listed.json()["results"]] == [batch.pk]
    assert api_client_a.get(f"{BATCHES}{other.pk}/").status_code == 404
    payments = api_client_a.get(PAYMENTS)
    assert payments.status_code == 200 and payments.json()["count"] == 3
    body = payments.content.decode()
    assert all(number not in body for number in _full_numbers(people))
    stored = {p.pk: p.account_masked for p in Payment.objects.filter(batch=batch)}
    assert {r["id"]: r["account"] for r in payments.json()["results"]} == stored
    assert api_client_a.get("/api/v1/subsidy-insured-claims/").status_code == 200
    assert (
        api_client_a.post(f"{BATCHES}{batch.pk}/export/", {"format": "csv"}, format="json").status_code == 403
    )
