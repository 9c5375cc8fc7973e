"""Training-subsidy claims: created by the person or the institution for an eligible completion, refused with
the calculator's rule, frozen evidence that verifies, the subsidies interface, the API and the pages, the
person's category recorded by staff."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from core.calendar import SHANGHAI
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog
from jobs.choices import PersonCategoryKind
from jobs.models import PersonCategory
from jobs.services import person_category_record
from training import interface
from training.choices import ClaimantKind, ClaimStatus
from training.models import Attendance, OutcomeCohort, TrainingClaim, TrainingClaimEvent
from training.services.claims import claim_create, claim_submit, claim_withdraw
from training.services.outcomes import recompute_outcomes

from ..accounts.factories import UserFactory
from .factories import enroll, institution_member, make_class, make_institution
from .factories_claims import category, complete, completion, person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 12, 2)


@pytest.fixture(autouse=True)
def _today():
    """Claims are made "today": fixed at 2026-12-02 (the certificates below are from 2026-11-20)."""
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield


@pytest.fixture
def setup(county_a):
    """A class of electrician-special (¥800, shortage) in county A, started 2026-11-02, two sessions with
    attendance; the trainee is registered unemployed and certified on 2026-11-20."""
    institution = make_institution()
    staff = institution_member(institution)
    training_class = make_class(institution, starts_on=D(2026, 11, 2), sessions=2, fee=Decimal("0"))
    trainee = person()
    category(trainee, PersonCategoryKind.REGISTERED_UNEMPLOYED, D(2026, 1, 1))
    enrollment = enroll(training_class, trainee)
    teacher = institution_member(institution, admin=False, teacher=True)
    first, second = training_class.sessions.order_by("starts_at")
    Attendance.objects.create(
        session=first, enrollment=enrollment, status_id="present", method="qr", distance_m=35
    )
    Attendance.objects.create(
        session=second, enrollment=enrollment, status_id="late", method="teacher", marked_by=teacher
    )
    complete(enrollment, completed_on=D(2026, 11, 20))
    return {
        "institution": institution,
        "staff": staff,
        "class": training_class,
        "trainee": trainee,
        "enrollment": enrollment,
        "teacher": teacher,
    }


def test_the_person_claims_with_the_calculators_figures_and_frozen_evidence(setup):
    enrollment, trainee = setup["enrollment"], setup["trainee"]
    claim = claim_create(enrollment=enrollment, actor=trainee)
    claim.refresh_from_db()
    assert (claim.status, claim.claimant_kind, claim.amount) == (
        ClaimStatus.DRAFT,
        ClaimantKind.PERSON,
        Decimal("800.00"),
    )
    assert claim.calculation["eligible"] is True and claim.calculation["rule_version"] == "SD-2025-37"
    assert claim.rule_version.endswith("@2025-07-01+SD-2025-37")
    sessions = claim.evidence["sessions"]
    assert [s["attendance"]["status"] for s in sessions] == ["present", "late"]
    assert sessions[1]["attendance"]["marked_by"] == setup["teacher"].pk
    assert sessions[0]["attendance"]["distance_m"] == 35
    assert claim.evidence["certificate"]["issued_on"] == "2026-11-20"
    assert claim.evidence["trainee"]["id_number"] != trainee.id_number  # masked
    assert [r["person"] for r in claim.evidence["roster"]] == [trainee.pk]
    canonical = json.dumps(claim.evidence, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert claim.evidence_sha256 == hashlib.sha256(canonical.encode()).hexdigest()
    assert interface.verify_evidence(claim)
    event = TrainingClaimEvent.objects.get(claim=claim)
    assert (event.from_status, event.to_status, event.actor_id) == ("", ClaimStatus.DRAFT, trainee.pk)
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(claim.pk)).exists()


def test_a_retry_returns_the_same_claim(setup):
    first = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    again = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    assert again.pk == first.pk and TrainingClaim.objects.count() == 1


def test_tampered_evidence_no_longer_verifies(setup):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    TrainingClaim.objects.filter(pk=claim.pk).update(
        evidence={**claim.evidence, "result": {**claim.evidence["result"], "hours_attended": 200}}
    )
    claim.refresh_from_db()
    assert not interface.verify_evidence(claim)
    assert interface.claim_summary(claim)["evidence_verified"] is False


def test_a_second_claim_for_the_same_occupation_and_level_is_refused(setup):
    claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    second = completion(
        setup["trainee"],
        item_code="electrician-special",
        starts_on=D(2026, 11, 9),
        completed_on=D(2026, 11, 25),
        institution=setup["institution"],
    )
    with pytest.raises(DomainError) as refused:
        claim_create(enrollment=second, actor=setup["trainee"])
    assert refused.value.code == "not_eligible" and "same_level_once" in refused.value.fields
    assert TrainingClaim.objects.count() == 1


def test_an_institutions_claim_counts_against_the_person(setup):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["staff"])
    assert claim.claimant_kind == ClaimantKind.INSTITUTION
    assert list(interface.counts_against(setup["trainee"], "electrician", "none")) == [claim]
    second = completion(
        setup["trainee"],
        item_code="electrician-special",
        starts_on=D(2026, 11, 9),
        completed_on=D(2026, 11, 25),
    )
    with pytest.raises(DomainError) as refused:
        claim_create(enrollment=second, actor=setup["trainee"])
    assert "same_level_once" in refused.value.fields
    event = TrainingClaimEvent.objects.get(claim=claim)
    assert event.on_behalf_of_id == setup["trainee"].pk


def test_unknown_category_stops_the_claim_with_what_is_needed(setup):
    PersonCategory.objects.filter(user=setup["trainee"]).delete()
    with pytest.raises(DomainError) as unknown:
        claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    assert unknown.value.code == "eligibility_unknown" and unknown.value.fields == {"needs": ["category"]}
    assert "人员类别" in str(unknown.value.message)
    assert not TrainingClaim.objects.exists()


def test_only_a_completed_enrollment_with_a_certificate_is_claimed(setup):
    other = enroll(setup["class"], person())
    with pytest.raises(DomainError) as not_done:
        claim_create(enrollment=other, actor=other.worker)
    assert not_done.value.code == "not_completed"
    uncertified = completion(person(), certified=False, starts_on=D(2026, 11, 2))
    category(uncertified.worker, PersonCategoryKind.FLEXIBLE, D(2026, 1, 1))
    with pytest.raises(DomainError) as no_cert:
        claim_create(enrollment=uncertified, actor=uncertified.worker)
    assert no_cert.value.code == "no_certificate"


def test_outsiders_get_404_and_insiders_without_the_right_403(setup, officer, officer_b, worker_b):
    with pytest.raises(NotFound):
        claim_create(enrollment=setup["enrollment"], actor=worker_b)
    with pytest.raises(NotFound):
        claim_create(enrollment=setup["enrollment"], actor=officer_b)
    other_institution_staff = institution_member(make_institution())
    with pytest.raises(NotFound):
        claim_create(enrollment=setup["enrollment"], actor=other_institution_staff)
    with pytest.raises(NotPermitted):
        claim_create(
            enrollment=setup["enrollment"], actor=setup["trainee"], claimant_kind=ClaimantKind.INSTITUTION
        )
    assert not TrainingClaim.objects.exists()


def test_submit_and_withdraw_move_through_the_workflow(setup):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    claim_submit(claim=claim, actor=setup["trainee"])
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED and claim.submitted_at is not None
    assert list(
        interface.claims_for_review(
            UserFactory(scope_unit=setup["class"].scope_unit, roles=[Role.COUNTY_STAFF])
        )
    ) == [claim]
    with pytest.raises(InvalidTransition):
        claim_submit(claim=claim, actor=setup["trainee"])
    claim_withdraw(claim=claim, actor=setup["trainee"], reason="信息有误")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert list(claim.events.order_by("id").values_list("to_status", flat=True)) == [
        "draft",
        "submitted",
        "withdrawn",
    ]
    assert not interface.counts_against(setup["trainee"], "electrician", "none").exists()


def test_claims_for_review_are_county_scoped(setup, officer_b):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    claim_submit(claim=claim, actor=setup["trainee"])
    assert not interface.claims_for_review(officer_b).exists()
    summary = interface.claim_summary(claim)
    assert summary["person_id"] == setup["trainee"].pk and summary["amount"] == Decimal("800.00")
    assert "*" in summary["resident_id_masked"] and summary["evidence_verified"] is True


# --- API ----------------------------------------------------------------------------------------------------


def test_api_claim_create_submit_withdraw(setup, api_as, django_assert_max_num_queries):
    api = api_as(setup["trainee"])
    created = api.post("/api/v1/training-claims/", {"enrollment": setup["enrollment"].pk}, format="json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["amount"] == "800.00" and created.json()["evidence_verified"] is True
    again = api.post("/api/v1/training-claims/", {"enrollment": setup["enrollment"].pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == pk
    submitted = api.post(f"/api/v1/training-claims/{pk}/submit/")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    assert api.post(f"/api/v1/training-claims/{pk}/submit/").json()["code"] == "invalid_transition"
    withdrawn = api.post(f"/api/v1/training-claims/{pk}/withdraw/", {"reason": "不需要了"}, format="json")
    assert withdrawn.status_code == 200
    assert TrainingClaim.objects.get(pk=pk).status == ClaimStatus.WITHDRAWN
    with django_assert_max_num_queries(8):
        listing = api.get("/api/v1/training-claims/")
    assert [c["id"] for c in listing.json()["results"]] == [pk]


def test_api_refusal_names_the_rule(setup, api_as):
    claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    second = completion(
        setup["trainee"],
        item_code="electrician-special",
        starts_on=D(2026, 11, 9),
        completed_on=D(2026, 11, 25),
    )
    response = api_as(setup["trainee"]).post(
        "/api/v1/training-claims/", {"enrollment": second.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "not_eligible" and "same_level_once" in response.json()["fields"]


def test_api_scope_and_roles(setup, api, api_as, officer, officer_b, worker_b, auditor):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    assert api.get("/api/v1/training-claims/").status_code in (401, 403)
    assert api_as(officer).get(f"/api/v1/training-claims/{claim.pk}/").status_code == 200
    assert api_as(officer_b).get(f"/api/v1/training-claims/{claim.pk}/").status_code == 404
    assert api_as(worker_b).get(f"/api/v1/training-claims/{claim.pk}/").status_code == 404
    assert api_as(setup["staff"]).get(f"/api/v1/training-claims/{claim.pk}/").status_code == 200
    assert api_as(auditor).get(f"/api/v1/training-claims/{claim.pk}/").status_code == 200
    assert api_as(auditor).post(f"/api/v1/training-claims/{claim.pk}/submit/").status_code == 403
    assert api_as(worker_b).post(f"/api/v1/training-claims/{claim.pk}/withdraw/").status_code == 404
    assert api_as(officer_b).post(f"/api/v1/training-claims/{claim.pk}/withdraw/").status_code == 404
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.DRAFT
    # county staff in scope serve the person at the counter: recorded as acting for them
    assert api_as(officer).post(f"/api/v1/training-claims/{claim.pk}/submit/").status_code == 200
    event = claim.events.get(to_status=ClaimStatus.SUBMITTED)
    assert (event.actor_id, event.on_behalf_of_id) == (officer.pk, setup["trainee"].pk)


def test_api_assess_returns_the_figures(setup, api_as, worker_b):
    api = api_as(setup["trainee"])
    url = "/api/v1/training-claims/assess/"
    body = api.get(url, {"enrollment": setup["enrollment"].pk}).json()
    assert body["eligible"] is True and body["amount"] == "800.00"
    assert body["figures"]["yearly_limit"] == 3 and body["figures"]["claim_deadline"] == "2027-11-20"
    assert {r["code"] for r in body["reasons"]} >= {"category", "rate", "same_level_once", "claim_window"}
    assert api_as(worker_b).get(url, {"enrollment": setup["enrollment"].pk}).status_code == 404
    assert api.get(url, {"enrollment": "x"}).status_code == 400
    PersonCategory.objects.filter(user=setup["trainee"]).delete()
    unknown = api.get(url, {"enrollment": setup["enrollment"].pk}).json()
    assert unknown["eligible"] is None and unknown["needs"] == ["category"]


def test_api_outcomes_are_public_and_filtered(setup, api):
    recompute_outcomes()
    cohort = OutcomeCohort.objects.get()
    listing = api.get(
        "/api/v1/training-outcomes/", {"institution": setup["institution"].pk, "cohort": "2026-11"}
    )
    assert listing.status_code == 200
    [row] = listing.json()["results"]
    assert row["id"] == cohort.pk and row["completers"] == 1
    assert row["suppressed"] is True and row["certified"] is None  # 1 completer: a small cell
    assert api.get("/api/v1/training-outcomes/", {"cohort": "2026-10"}).json()["results"] == []
    assert api.get("/api/v1/training-outcomes/", {"item": "cleaner-ability"}).json()["results"] == []
    assert api.get("/api/v1/training-outcomes/", {"cohort": "bad"}).status_code == 400


# --- pages --------------------------------------------------------------------------------------------------


def test_the_claim_page_explains_and_claims(setup, client_as):
    client = client_as(setup["trainee"])
    url = reverse("training:claim_new", args=[setup["enrollment"].pk])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "800" in text and "SD-2025-37" in text
    done = client.post(url)
    claim = TrainingClaim.objects.get(enrollment=setup["enrollment"])
    assert done.status_code == 302 and done.url == reverse("training:claim_detail", args=[claim.pk])
    assert claim.status == ClaimStatus.SUBMITTED
    assert (
        client.get(reverse("training:my_claims"))
        .content.decode()
        .count(reverse("training:claim_detail", args=[claim.pk]))
        == 1
    )
    detail = client.get(done.url)
    assert detail.status_code == 200 and claim.evidence_sha256 in detail.content.decode()


def test_the_claim_page_shows_what_is_needed(setup, client_as):
    PersonCategory.objects.filter(user=setup["trainee"]).delete()
    client = client_as(setup["trainee"])
    url = reverse("training:claim_new", args=[setup["enrollment"].pk])
    page = client.get(url).content.decode()
    assert "暂时无法判断" in page and "人员类别" in page
    assert client.post(url).status_code == 400
    assert not TrainingClaim.objects.exists()


def test_claim_pages_are_the_persons_own(setup, client_as, worker_b):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    other = client_as(worker_b)
    assert other.get(reverse("training:claim_new", args=[setup["enrollment"].pk])).status_code == 404
    assert other.get(reverse("training:claim_detail", args=[claim.pk])).status_code == 404
    assert other.post(reverse("training:claim_withdraw", args=[claim.pk])).status_code == 404
    assert other.get(reverse("training:institution_claims")).status_code == 403


def test_the_institution_claims_on_behalf(setup, client_as):
    client = client_as(setup["staff"])
    page = client.get(reverse("training:institution_claims"))
    assert page.status_code == 200 and "800" in page.content.decode()
    done = client.post(reverse("training:institution_claim_create", args=[setup["enrollment"].pk]))
    claim = TrainingClaim.objects.get(enrollment=setup["enrollment"])
    assert done.status_code == 302
    assert (claim.claimant_kind, claim.status, claim.created_by_id) == (
        ClaimantKind.INSTITUTION,
        ClaimStatus.SUBMITTED,
        setup["staff"].pk,
    )
    outsider = client_as(institution_member(make_institution()))
    assert (
        outsider.post(reverse("training:institution_claim_create", args=[setup["enrollment"].pk])).status_code
        == 404
    )


# --- the person's category, recorded by staff -----------------------------------------------------------------


def test_staff_record_a_category_and_the_earlier_open_row_closes(worker, officer, officer_b):
    first = person_category_record(
        person=worker,
        actor=officer,
        category=PersonCategoryKind.REGISTERED_UNEMPLOYED,
        valid_from=D(2026, 1, 1),
        evidence="失业登记证 No.1",
    )
    second = person_category_record(
        person=worker,
        actor=officer,
        category=PersonCategoryKind.REGISTERED_UNEMPLOYED,
        valid_from=D(2026, 6, 1),
    )
    first.refresh_from_db()
    assert first.valid_to == D(2026, 5, 31) and second.valid_to is None
    assert (second.source, second.recorded_by_id) == ("staff_verified", officer.pk)
    assert list(PersonCategory.objects.on(D(2026, 3, 1)).filter(user=worker)) == [first]
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(second.pk)).exists()
    with pytest.raises(NotFound):
        person_category_record(person=worker, actor=officer_b, category="flexible", valid_from=D(2026, 1, 1))
    with pytest.raises(NotPermitted):
        person_category_record(person=worker, actor=worker, category="flexible", valid_from=D(2026, 1, 1))
    with pytest.raises(DomainError) as missing_kind:
        person_category_record(person=worker, actor=officer, category="new_form", valid_from=D(2026, 1, 1))
    assert "new_form_kind" in missing_kind.value.fields
    assert PersonCategory.objects.filter(user=worker).count() == 2


def test_the_counter_records_the_category_of_the_worker_it_serves(worker, officer, client_as):
    client = client_as(officer)
    assert client.post("/jobs/counter/", {"action": "lookup", "phone": worker.phone}).status_code == 302
    page = client.get(reverse("jobs:worker_profile"))
    assert "category-title" in page.content.decode()
    done = client.post(
        reverse("jobs:person_category_record"),
        {"category": "hard_to_employ", "valid_from": "2026-03-01", "evidence": "就业困难人员认定书"},
    )
    assert done.status_code == 302
    row = PersonCategory.objects.get(user=worker)
    assert (row.category, row.valid_from, row.recorded_by_id) == ("hard_to_employ", D(2026, 3, 1), officer.pk)
    bad = client.post(
        reverse("jobs:person_category_record"), {"category": "hard_to_employ", "valid_from": "x"}
    )
    assert bad.status_code == 302 and PersonCategory.objects.filter(user=worker).count() == 1
    # the worker's own pages do not offer it
    assert (
        client_as(worker)
        .post(reverse("jobs:person_category_record"), {"category": "flexible", "valid_from": "2026-03-01"})
        .status_code
        == 404
    )


# --- admin ----------------------------------------------------------------------------------------------------


def test_the_claims_admin_is_read_only_scoped_and_shows_the_hash_check(setup, officer, officer_b, client_as):
    claim = claim_create(enrollment=setup["enrollment"], actor=setup["trainee"])
    page = client_as(officer).get(f"/admin/training/trainingclaim/{claim.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert claim.evidence_sha256 in text and 'name="amount"' not in text
    assert client_as(officer).get("/admin/training/trainingclaim/").status_code == 200
    assert client_as(officer_b).get(f"/admin/training/trainingclaim/{claim.pk}/change/").status_code == 302
    assert client_as(officer).get("/admin/training/trainingclaim/add/").status_code == 403
    recompute_outcomes()
    assert client_as(officer).get("/admin/training/outcomecohort/").status_code == 200


def test_the_admin_records_a_category_through_the_service(worker, officer, client_as):
    response = client_as(officer).post(
        "/admin/jobs/personcategory/add/",
        {
            "user": worker.pk,
            "category": "graduate",
            "new_form_kind": "",
            "valid_from": "2026-07-01",
            "valid_to": "",
            "evidence": "毕业证书",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    row = PersonCategory.objects.get(user=worker)
    assert (row.category, row.source, row.recorded_by_id) == ("graduate", "staff_verified", officer.pk)
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(row.pk)).count() == 1
