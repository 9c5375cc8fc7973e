"""The evidence bundle drawn from the work record (ADR 0025): a complaint about a real work order (hired,
checked in and out, hours corrected, approved, paid through the sandbox) carries its check-ins, hours,
approvals, payments and callbacks and the messages to the worker; other people's data is masked; a rebuild
before referral picks up a change, and after referral the bundle is frozen — its hash verifies and a later
change to the work order (hours, a new payment) leaves it as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog
from disputes import services
from disputes.models import Case, EvidenceBundle
from disputes.services.bundle import canonical_json
from work.choices import CheckMethod, PaymentStatus
from work.models import Payment, PaymentCallback, WorkOrder

from ..jobs.factories import make_employer
from .factories import complaint
from .work_record import CORRECTED_HOURS, CORRECTION_REASON, worked_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(county_a):
    return worked_order(unit=county_a)


@pytest.fixture
def case(order):
    return complaint(order.worker, work_order=order)


def _only_order(bundle):
    (row,) = bundle.content["work_orders"]
    return row


def test_intake_naming_a_work_order_builds_the_bundle_with_the_work_record(case, order):
    bundle = EvidenceBundle.objects.get(case=case)
    assert case.work_order_id == order.pk and case.respondent_id == order.posting.employer_id
    assert bundle.built_by is None and bundle.frozen_at is None
    content = bundle.content
    assert content["case_number"] == case.number and content["named_work_order_id"] == order.pk
    posting = order.posting
    (p,) = content["postings"]
    assert (p["id"], p["title"], p["wage_amount"], p["wage_unit"], p["address"]) == (
        posting.pk,
        posting.title,
        str(posting.wage_amount),
        posting.wage_unit,
        posting.address,
    )
    assert (p["work_start_date"], p["lat"], p["lng"]) == (posting.work_start_date.isoformat(), 36.71, 119.024)
    (application,) = content["applications"]
    assert application["id"] == order.application_id and application["status"] == "accepted"
    assert [e["to"] for e in application["events"]] == ["applied", "accepted"]

    row = _only_order(bundle)
    assert row["id"] == order.pk and row["work_date"] == order.work_date.isoformat()
    # check-in 8:00 by GPS about 111 m from the site, check-out 8.5 h later by QR (the rows written)
    assert row["check_in"]["method"] == CheckMethod.GPS
    assert (row["check_in"]["lat"], row["check_in"]["lng"]) == (order.check_in_lat, order.check_in_lng)
    assert (
        row["check_in"]["distance_m"] == order.check_in_distance_m and 100 <= order.check_in_distance_m <= 120
    )
    assert dt.datetime.fromisoformat(row["check_in"]["at"]) == order.starts_at
    assert dt.datetime.fromisoformat(row["check_out"]["at"]) == order.starts_at + dt.timedelta(hours=8.5)
    assert row["check_out"]["method"] == CheckMethod.QR
    # hours: 8.5 measured, corrected to 7.5 by the employer with the reason
    assert row["hours_worked"] == str(CORRECTED_HOURS) == "7.50"
    (correction,) = row["hours_corrections"]
    assert (correction["hours_before"], correction["hours_after"], correction["reason"]) == (
        "8.50",
        "7.50",
        CORRECTION_REASON,
    )
    # approval by the employer at 18:00, not automatic
    assert dt.datetime.fromisoformat(row["approval"]["approved_at"]) == order.starts_at + dt.timedelta(
        hours=10
    )
    assert row["approval"]["auto_approved"] is False
    assert row["approval"]["approved_by"]["id"] == order.posting.employer.user_id
    # the sandbox payment of the day's wage (220 a day), its events and its signed callback
    payment = Payment.objects.get(work_order=order)
    (paid,) = row["payments"]
    assert (paid["id"], paid["amount"], paid["status"], paid["backend"]) == (
        payment.pk,
        "220.00",
        PaymentStatus.SUCCEEDED,
        "sandbox",
    )
    assert [e["to"] for e in paid["events"]] == ["pending", "succeeded"]
    callback = PaymentCallback.objects.get(payment=payment)
    (cb,) = paid["callbacks"]
    assert cb["event_id"] == callback.event_id and cb["signature_valid"] is True
    assert cb["payload_sha256"] == hashlib.sha256(callback.payload.encode()).hexdigest()
    assert row["status"] == "settled" and [e["to"] for e in row["events"]][-1] == "settled"
    # the messages the worker was sent about this order (correction, approval)
    bodies = [m["body"] for m in row["messages"]]
    assert any(CORRECTION_REASON in b for b in bodies) and any("已确认" in b for b in bodies)


def test_other_peoples_personal_data_is_masked(case, order):
    posting = order.posting
    boss = posting.employer.user
    # the respondent's public name (a person's household here, "赵娜家") is the party, not a third party
    text = canonical_json(EvidenceBundle.objects.get(case=case).content).replace(
        posting.employer.display_name, ""
    )
    assert posting.contact_phone not in text and posting.contact_name not in text
    assert boss.real_name not in text and (boss.phone or "-") not in text
    assert order.worker.phone not in text
    p = EvidenceBundle.objects.get(case=case).content["postings"][0]
    assert p["contact_phone"] == posting.contact_phone[:3] + "****" + posting.contact_phone[-4:]


def test_hash_is_sha256_of_the_canonical_json(case):
    bundle = EvidenceBundle.objects.get(case=case)
    canonical = json.dumps(bundle.content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert bundle.sha256 == hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    assert services.bundle_verify(bundle)


def test_before_referral_a_rebuild_picks_up_a_change(case, order, officer):
    before = EvidenceBundle.objects.get(case=case)
    WorkOrder.objects.filter(pk=order.pk).update(hours_worked=Decimal("6.00"))
    rebuilt = services.bundle_build(case=case, actor=officer)
    assert rebuilt.pk == before.pk and EvidenceBundle.objects.filter(case=case).count() == 1
    rebuilt.refresh_from_db()
    assert _only_order(rebuilt)["hours_worked"] == "6.00"
    assert rebuilt.sha256 != before.sha256 and rebuilt.built_by == officer
    assert services.bundle_verify(rebuilt)
    assert AuditLog.objects.filter(
        actor=officer, content_type=ContentType.objects.get_for_model(Case), object_id=str(case.pk)
    ).exists()


def test_referral_freezes_the_bundle_and_later_changes_do_not_alter_it(case, order, officer):
    services.case_accept(case=case, actor=officer)
    services.case_refer_inspection(case=case, actor=officer, reason="欠薪，转监察")
    bundle = EvidenceBundle.objects.get(case=case)
    assert bundle.frozen_at is not None and services.bundle_verify(bundle)
    frozen_hash, frozen_content = bundle.sha256, bundle.content
    # the work order changes afterwards: hours, and a new payment (the first one refunded outside)
    WorkOrder.objects.filter(pk=order.pk).update(hours_worked=Decimal("3.00"))
    Payment.objects.filter(work_order=order).update(status=PaymentStatus.REFUNDED)
    Payment.objects.create(
        work_order=order, backend="offline", method="cash", idempotency_key="later", amount=Decimal("99")
    )
    with pytest.raises(InvalidTransition) as exc:
        services.bundle_build(case=case, actor=officer)
    assert exc.value.code == "bundle_frozen"
    services.case_resolve(case=case, actor=officer, resolution="监察责令支付")
    bundle.refresh_from_db()
    assert (bundle.sha256, bundle.content) == (frozen_hash, frozen_content)
    assert _only_order(bundle)["hours_worked"] == "7.50" and len(_only_order(bundle)["payments"]) == 1
    assert services.bundle_verify(bundle)


def test_verify_detects_tampered_content(case):
    bundle = EvidenceBundle.objects.get(case=case)
    content = bundle.content
    content["work_orders"][0]["hours_worked"] = "12.00"
    EvidenceBundle.objects.filter(pk=bundle.pk).update(content=content)
    assert not services.bundle_verify(bundle)


def test_referral_builds_a_missing_bundle_from_the_employer_on_record(order, officer):
    """A complaint that names the employer (not the order) has no bundle until staff build one or refer."""
    case = complaint(order.worker, respondent=order.posting.employer)
    assert not EvidenceBundle.objects.filter(case=case).exists()
    services.case_accept(case=case, actor=officer)
    services.case_refer_arbitration(case=case, actor=officer)
    bundle = EvidenceBundle.objects.get(case=case)
    assert bundle.frozen_at is not None and bundle.content["named_work_order_id"] is None
    assert [o["id"] for o in bundle.content["work_orders"]] == [order.pk]


def test_bundle_holds_only_the_complainants_orders_with_that_employer(county_a, order, officer):
    other_employer = make_employer(unit=county_a)
    elsewhere = worked_order(unit=county_a, worker=order.worker, employer=other_employer, pay=False)
    someone_else = worked_order(unit=county_a, employer=order.posting.employer, pay=False)
    case = complaint(order.worker, work_order=order)
    ids = [o["id"] for o in EvidenceBundle.objects.get(case=case).content["work_orders"]]
    assert ids == [order.pk] and elsewhere.pk not in ids and someone_else.pk not in ids


def test_a_complaint_may_not_name_someone_elses_work_order(order, worker_b):
    with pytest.raises(DomainError) as exc:
        complaint(worker_b, work_order=order)
    assert exc.value.code == "not_yours" and "work_order" in exc.value.fields
    assert not Case.objects.exists()


def test_without_a_work_record_there_is_no_bundle_and_referral_still_goes(worker, officer):
    case = complaint(worker)  # a free-text respondent
    with pytest.raises(DomainError) as exc:
        services.bundle_build(case=case, actor=officer)
    assert exc.value.code == "no_work_record"
    services.case_accept(case=case, actor=officer)
    services.case_refer_inspection(case=case, actor=officer)
    assert not EvidenceBundle.objects.filter(case=case).exists()
    assert case.referrals.get().packet["evidence_bundle"] is None


def test_only_staff_in_scope_build_a_bundle(case, officer_b, worker):
    with pytest.raises(NotFound):
        services.bundle_build(case=case, actor=officer_b)
    with pytest.raises(NotPermitted):
        services.bundle_build(case=case, actor=case.complainant)


def test_bundle_build_touches_bounded_queries(case, officer, django_assert_max_num_queries):
    with django_assert_max_num_queries(30):
        services.bundle_build(case=case, actor=officer)


# --- naming the work order at intake: the page and the API ------------------------------------------------------


def test_complaint_page_offers_the_workers_own_orders_and_builds_the_bundle(client_as, order, worker_b):
    client = client_as(order.worker)
    form = client.get(f"/disputes/new/?work_order={order.pk}").content.decode()
    assert re.search(rf'<input type="radio" name="work_order" value="{order.pk}"[^>]* checked>', form)
    response = client.post(
        "/disputes/new/",
        {
            "work_order": order.pk,
            "respondent_name": order.posting.employer.display_name,
            "relationship_type": "labour",
            "facts": "工时被少算，劳务费至今有争议",
            "claim1_type": "wages",
            "claim1_amount": "30",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(complainant=order.worker)
    assert case.work_order == order and case.respondent == order.posting.employer
    assert _only_order(EvidenceBundle.objects.get(case=case))["id"] == order.pk
    # someone else's order is not a choice
    other = client_as(worker_b).post(
        "/disputes/new/",
        {
            "work_order": order.pk,
            "respondent_name": "x",
            "facts": "y",
            "claim1_type": "wages",
            "claim1_amount": "1",
        },
    )
    assert other.status_code == 400 and Case.objects.count() == 1


def test_api_online_complaint_names_a_work_order(api_as, order, worker_b):
    body = {
        "respondent_name": "用工方",
        "facts": "工时被少算",
        "claims": [{"claim_type": "wages", "amount": "30.00"}],
        "work_order": order.pk,
    }
    response = api_as(order.worker).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert case.work_order == order and EvidenceBundle.objects.filter(case=case).exists()
    refused = api_as(worker_b).post("/api/v1/cases/", body, format="json")
    assert refused.status_code == 400 and "work_order" in refused.json()["fields"]
    assert Case.objects.count() == 1


def test_the_workers_order_page_links_to_a_complaint_about_it(client_as, order):
    page = client_as(order.worker).get(f"/work/{order.pk}/").content.decode()
    assert f"/disputes/new/?work_order={order.pk}" in page
    employer_page = client_as(order.posting.employer.user).get(f"/work/{order.pk}/")
    assert f"/disputes/new/?work_order={order.pk}" not in employer_page.content.decode()
