"""Issue 17's training subsidy (ADR 0038): a submitted training claim becomes exactly one application of the
training program (the amount is the claim's assessed amount, the decision its calculation), concurrent intake
makes one, a tampered evidence bundle or an institution's claim is not taken and is reported, the application
is reviewed, noticed, approved and paid through a batch, county scope holds, and the claim page shows the
application's status.

The rule behind the amount: electrician-special (低压电工作业, a special operation) is on the catalogue at ¥800
(SD-2025-37, training reference); a registered-unemployed person gets the full rate, and a class without a
fee is not capped by it — so the claim and the application are ¥800.00."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from core.calendar import SHANGHAI
from core.errors import NotPermitted
from jobs.choices import PersonCategoryKind
from subsidies.choices import ApplicationStatus as S
from subsidies.choices import PaymentStatus
from subsidies.models import Application, ApplicationEvent, Budget, Entitlement, Payment
from subsidies.services import disbursement
from subsidies.services.applications import application_city_review, application_county_review
from subsidies.services.notice import notices_conclude
from subsidies.services.training_claims import claims_intake
from subsidies.tasks import training_claims_intake_task
from training.choices import ClaimStatus
from training.models import Attendance, TrainingClaim
from training.services.claims import claim_create, claim_submit

from ..accounts.factories import UserFactory
from ..jobs.test_concurrency import run_together
from ..training.factories import enroll, institution_member, make_class, make_institution
from ..training.factories_claims import category, complete, person
from .disbursement_support import account_for, result_upload
from .factories import program

D = dt.date
RATE = Decimal("800.00")  # the catalogue rate of electrician-special; full rate, no fee cap (see above)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(dt.datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI), tick=True):
        yield


def _completion(county_code: str = "370702"):
    """An electrician-special class started 2026-11-02 with one attended session; the trainee registered
    unemployed since 2026-01-01, certified 2026-11-20."""
    institution = make_institution()
    training_class = make_class(institution, starts_on=D(2026, 11, 2), sessions=1, fee=Decimal("0"))
    trainee = person(county_code)
    category(trainee, PersonCategoryKind.REGISTERED_UNEMPLOYED, D(2026, 1, 1))
    enrollment = enroll(training_class, trainee)
    Attendance.objects.create(
        session=training_class.sessions.get(), enrollment=enrollment, status_id="present", method="qr"
    )
    complete(enrollment, completed_on=D(2026, 11, 20))
    return institution, trainee, enrollment


def _submitted_claim(actor=None):
    institution, trainee, enrollment = _completion()
    claim = claim_create(enrollment=enrollment, actor=actor(institution) if actor else trainee)
    claim_submit(claim=claim, actor=actor(institution) if actor else trainee)
    claim.refresh_from_db()
    return trainee, claim


@pytest.mark.django_db
def test_a_submitted_claim_becomes_one_application_with_the_claims_figures(officer):
    trainee, claim = _submitted_claim()
    report = claims_intake(actor=officer)
    assert report["taken"] == 1 and report["not_taken"] == []
    app = Application.objects.get(training_claim_id=claim.pk)
    assert (app.person, app.program_type.code, app.status) == (trainee, "training", S.SUBMITTED)
    assert (app.amount_requested, app.scope_unit_id) == (RATE, claim.enrollment.training_class.scope_unit_id)
    assert app.period_start == app.period_end == D(2026, 12, 2)
    decision = app.decision
    assert (decision.eligible, decision.amount, decision.parameter_version) == (True, RATE, "TR-2025-07")
    assert decision.figures["evidence_sha256"] == claim.evidence_sha256
    assert decision.figures["rule_version"] == claim.rule_version
    assert decision.figures["calculation"] == claim.calculation
    assert [e.to_status for e in ApplicationEvent.objects.filter(application=app).order_by("id")] == [
        S.DRAFT,
        S.SUBMITTED,
    ]
    # a second run, and the task, create nothing more
    assert claims_intake(actor=officer)["taken"] == 0
    assert training_claims_intake_task() == 0
    assert Application.objects.filter(training_claim_id=claim.pk).count() == 1


@pytest.mark.django_db
def test_the_periodic_task_takes_claims_city_wide(county_a):
    _trainee, claim = _submitted_claim()
    assert training_claims_intake_task() == 1
    assert Application.objects.filter(training_claim_id=claim.pk, amount_requested=RATE).count() == 1


@pytest.mark.django_db
def test_a_tampered_evidence_bundle_is_not_taken_and_is_reported(officer):
    _trainee, claim = _submitted_claim()
    bundle = dict(claim.evidence, certificate=dict(claim.evidence["certificate"], level="3"))
    TrainingClaim.objects.filter(pk=claim.pk).update(evidence=bundle)
    report = claims_intake(actor=officer)
    assert report["taken"] == 0
    assert [(r["claim_id"], r["outcome"]) for r in report["not_taken"]] == [(claim.pk, "evidence_failed")]
    assert not Application.objects.filter(training_claim_id=claim.pk).exists()
    assert not Application.objects.filter(program_type__code="training").exists()


@pytest.mark.django_db
def test_an_institutions_claim_is_refused_with_the_payee_reason(officer):
    _trainee, claim = _submitted_claim(actor=institution_member)
    report = claims_intake(actor=officer)
    assert report["taken"] == 0
    assert [(r["claim_id"], r["outcome"]) for r in report["not_taken"]] == [(claim.pk, "payee_not_supported")]
    assert not Application.objects.filter(training_claim_id=claim.pk).exists()


@pytest.mark.django_db
def test_drafts_and_withdrawn_claims_are_not_taken(officer):
    _institution, trainee, enrollment = _completion()
    claim_create(enrollment=enrollment, actor=trainee)  # a draft
    assert claims_intake(actor=officer)["taken"] == 0
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_county_scope_and_who_may_take(officer, officer_b, client_as):
    _trainee, claim = _submitted_claim()
    assert claims_intake(actor=officer_b)["taken"] == 0  # another county's officer sees none of them
    with pytest.raises(NotPermitted):
        claims_intake(actor=UserFactory(roles=[Role.WORKER]))
    assert claims_intake(actor=officer)["taken"] == 1
    app = Application.objects.get(training_claim_id=claim.pk)
    assert not Application.objects.visible_to(officer_b).filter(pk=app.pk).exists()
    # county staff see the claim summary on the admin page; the other county's officer gets 404
    page = client_as(officer).get(f"/admin/subsidies/application/{app.pk}/change/")
    assert page.status_code == 200
    text = page.content.decode()
    assert claim.evidence_sha256[:16] in text and claim.rule_version in text
    assert "已提交" in text  # the claim's status on the training side
    assert claim.enrollment.worker.id_number not in text  # masked
    assert client_as(officer_b).get(f"/admin/subsidies/application/{app.pk}/change/").status_code in (
        302,
        404,
    )


@pytest.mark.django_db
def test_the_api_names_the_claim(officer, officer_b, api_as):
    _trainee, claim = _submitted_claim()
    claims_intake(actor=officer)
    app = Application.objects.get(training_claim_id=claim.pk)
    body = api_as(officer).get(f"/api/v1/subsidy-applications/{app.pk}/").json()
    assert (body["training_claim_id"], body["amount_requested"]) == (claim.pk, "800.00")
    assert api_as(officer_b).get(f"/api/v1/subsidy-applications/{app.pk}/").status_code == 404


@pytest.mark.django_db
def test_the_admin_button_takes_the_claims(officer, client_as):
    _trainee, claim = _submitted_claim()
    client = client_as(officer)
    assert "受理培训补贴申领" in client.get("/admin/subsidies/application/").content.decode()
    response = client.post(reverse("admin:subsidies_application_training"))
    assert response.status_code == 302
    assert Application.objects.filter(training_claim_id=claim.pk).count() == 1


@pytest.mark.django_db
def test_the_claim_page_shows_the_subsidy_status(officer, client_as):
    trainee, claim = _submitted_claim()
    url = reverse("training:claim_detail", args=[claim.pk])
    assert "尚未受理" in client_as(trainee).get(url).content.decode()
    claims_intake(actor=officer)
    app = Application.objects.get(training_claim_id=claim.pk)
    assert app.number in client_as(trainee).get(url).content.decode()


@pytest.mark.django_db
def test_the_application_is_reviewed_noticed_approved_and_paid_through_a_batch(
    county_a, officer, city_staff, django_capture_on_commit_callbacks
):
    trainee, claim = _submitted_claim()
    account_for(trainee)
    Budget.objects.create(
        program_type=program("training"),
        scope_unit=county_a,
        year=2026,
        amount=Decimal("5000.00"),
        notice="测试",
    )
    claims_intake()
    app = Application.objects.get(training_claim_id=claim.pk)
    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_staff, application=app, outcome="approve")
    app.refresh_from_db()
    assert (app.status, app.amount_approved) == (S.PUBLIC_NOTICE, RATE)
    assert notices_conclude(today=app.notice_end + dt.timedelta(days=1)) == 1
    app.refresh_from_db()
    assert app.status == S.APPROVED
    assert list(Entitlement.objects.filter(application=app).values_list("month", "amount")) == [
        (D(2026, 12, 1), RATE)
    ]
    paying_officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    batch = disbursement.batch_create(
        actor=paying_officer, program_type=program("training"), scope_unit=county_a
    )
    with django_capture_on_commit_callbacks(execute=True):
        disbursement.batch_generate_start(batch=batch, actor=paying_officer)
    payment = Payment.objects.get(application=app)
    assert (payment.amount, payment.status) == (RATE, PaymentStatus.PENDING)
    disbursement.batch_export(batch=batch, actor=paying_officer, fmt="csv")
    with django_capture_on_commit_callbacks(execute=True):
        disbursement.result_import_start(
            batch=batch,
            actor=paying_officer,
            uploaded_file=result_upload([(payment.idempotency_key, "成功", "")]),
        )
    payment.refresh_from_db()
    app.refresh_from_db()
    assert (payment.status, app.status) == (PaymentStatus.PAID, S.DISBURSED)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED  # the training row is never written by subsidies


@pytest.mark.postgres
def test_concurrent_intake_makes_one_application_per_claim(postgres_transactional, county_a):
    claims = [_submitted_claim()[1] for _ in range(3)]
    results = run_together(lambda _i: claims_intake()["taken"], count=8)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == 3
    for claim in claims:
        assert Application.objects.filter(training_claim_id=claim.pk).count() == 1


@pytest.mark.django_db
def test_two_claims_of_one_person_on_one_day_are_two_applications(officer):
    trainee, first = _submitted_claim()
    training_class = make_class(
        make_institution(), item_code="welder-special", starts_on=D(2026, 11, 2), sessions=1, fee=Decimal("0")
    )
    enrollment = enroll(training_class, trainee)
    Attendance.objects.create(
        session=training_class.sessions.get(), enrollment=enrollment, status_id="present", method="qr"
    )
    complete(enrollment, completed_on=D(2026, 11, 20))
    second = claim_submit(claim=claim_create(enrollment=enrollment, actor=trainee), actor=trainee)
    report = claims_intake(actor=officer)
    assert (report["taken"], report["not_taken"]) == (2, [])
    apps = Application.objects.filter(training_claim_id__in=[first.pk, second.pk])
    assert sorted(apps.values_list("amount_requested", flat=True)) == [
        RATE,
        RATE,
    ]  # welder-special is ¥800 too
    later = apps.get(training_claim_id=second.pk)
    assert any(r["code"] == "same_person_period" and not r.get("refused") for r in later.dedup_reasons)


@pytest.mark.django_db
def test_a_claim_in_review_cannot_be_withdrawn_on_the_training_side_until_rejected(officer, client_as):
    """Taken for review, the claim is the subsidy application's: the trainee's withdraw is refused with the
    application's number (page and service; the claim stays submitted); once the county rejects the
    application, the claim may be withdrawn (it then stops counting against the trainee's limits)."""
    from core.errors import DomainError
    from training.services.claims import claim_withdraw

    trainee, claim = _submitted_claim()
    claims_intake(actor=officer)
    app = Application.objects.get(training_claim_id=claim.pk)

    with pytest.raises(DomainError) as refused:
        claim_withdraw(claim=claim, actor=trainee, reason="不想要了")
    assert refused.value.code == "claim_in_review" and app.number in str(refused.value.message)
    page = client_as(trainee).post(reverse("training:claim_withdraw", args=[claim.pk]), follow=True)
    assert app.number in page.content.decode() and "不能在这里撤回" in page.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED

    application_county_review(actor=officer, application=app, outcome="reject", reason="本人要求撤回")
    app.refresh_from_db()
    assert app.status == S.REJECTED
    claim_withdraw(claim=claim, actor=trainee, reason="不想要了")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN


@pytest.mark.django_db
def test_a_claim_not_yet_taken_may_still_be_withdrawn(officer):
    from training.services.claims import claim_withdraw

    trainee, claim = _submitted_claim()
    claim_withdraw(claim=claim, actor=trainee)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.WITHDRAWN
    assert claims_intake(actor=officer)["taken"] == 0
