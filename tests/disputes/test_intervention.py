"""Timely intervention: the respondent on record is told when a case is accepted and answers once (per claim
line: accept, dispute, part); staff record mediation and an agreement; an agreement to pay is paid through the
work app's payment services (sandbox and offline) and the case resolves when the worker confirms receipt;
visits back and the complainant's one rating after resolution. Pages, admin and API with personas; stored
state asserted after each step. Also: a case-number collision is retried, not a 500."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog, InboxMessage
from disputes import services
from disputes.choices import AnswerPosition, CaseStatus, ClaimType, MediationOutcome, VisitMethod
from disputes.models import (
    AnswerLine,
    Case,
    CaseEvent,
    MediationRecord,
    RespondentAnswer,
    SatisfactionRating,
    VisitBack,
)
from work.choices import PaymentBackend, PaymentStatus, WorkOrderStatus
from work.models import Payment

from ..work.test_payments import approved_order
from .factories import complaint, jpeg

pytestmark = pytest.mark.django_db

WAGES = Decimal("3120.00")
OVERTIME = Decimal("400.00")


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


@pytest.fixture
def order(county_a, worker):
    """The complainant's approved, unpaid work order with the respondent (¥3120)."""
    return approved_order(unit=county_a, worker=worker, amount=str(WAGES))


@pytest.fixture
def respondent(order):
    return order.posting.employer


@pytest.fixture
def case(worker, respondent):
    return complaint(
        worker,
        respondent=respondent,
        claims=[
            {"claim_type": ClaimType.WAGES, "amount": WAGES},
            {"claim_type": ClaimType.OVERTIME, "amount": OVERTIME},
        ],
    )


@pytest.fixture
def accepted(case, officer):
    return services.case_accept(case=case, actor=officer)


def _positions(case, wages=(AnswerPosition.ACCEPT, None), overtime=(AnswerPosition.PARTIAL, "150")):
    wage_line, overtime_line = case.claims.order_by("id")
    return {wage_line.pk: wages, overtime_line.pk: overtime}


def _agreement(case, officer, **kw):
    values = {
        "held_on": timezone.localdate(),
        "participants": "申请人、被申请人、调解员",
        "outcome": MediationOutcome.AGREEMENT,
        "terms": "被申请人支付拖欠工资 3120 元，双方无其他争议。",
        "agreed_amount": WAGES,
        "pay_by": timezone.localdate() + dt.timedelta(days=7),
    }
    values.update(kw)
    return services.mediation_record(case=case, actor=officer, **values)


# --- the respondent is told and answers --------------------------------------------------------------------------


def test_accepting_tells_the_respondent_without_naming_anyone(accepted, respondent, worker):
    inbox = InboxMessage.objects.filter(user=respondent.user, url__startswith="/disputes/")
    assert inbox.count() == 1
    body = inbox.get().body
    assert accepted.number in body and worker.real_name not in body


def test_answer_is_stored_per_claim_line_once(accepted, respondent, worker):
    answer = services.answer_submit(
        case=accepted,
        actor=respondent.user,
        account="工资确实没结，加班只认 150 元。",
        positions=_positions(accepted),
        upload=jpeg(),
    )
    answer.refresh_from_db()
    lines = {line.claim.claim_type: line for line in AnswerLine.objects.filter(answer=answer)}
    assert lines[ClaimType.WAGES].position == AnswerPosition.ACCEPT
    assert lines[ClaimType.WAGES].accepted_amount == WAGES  # accepting takes the whole amount
    assert lines[ClaimType.OVERTIME].accepted_amount == Decimal("150.00")
    assert answer.evidence is not None and answer.evidence.case_id == accepted.pk
    assert InboxMessage.objects.filter(user=worker, body__contains="被投诉方已答复").exists()
    with pytest.raises(InvalidTransition) as second:
        services.answer_submit(
            case=accepted, actor=respondent.user, account="再答一次", positions=_positions(accepted)
        )
    assert second.value.code == "already_answered"
    assert RespondentAnswer.objects.count() == 1


def test_answer_refuses_a_partial_amount_not_below_the_claim(accepted, respondent):
    with pytest.raises(DomainError) as exc:
        services.answer_submit(
            case=accepted,
            actor=respondent.user,
            account="说明",
            positions=_positions(accepted, overtime=(AnswerPosition.PARTIAL, "400")),
        )
    assert any(k.endswith("accepted_amount") for k in exc.value.fields)
    assert not RespondentAnswer.objects.exists()


def test_only_the_respondent_answers_and_only_once_accepted(case, respondent, worker, employer, officer):
    with pytest.raises(NotFound):  # not yet accepted: the respondent does not see it
        services.answer_submit(case=case, actor=respondent.user, account="x", positions=_positions(case))
    services.case_accept(case=case, actor=officer)
    with pytest.raises(NotPermitted):
        services.answer_submit(case=case, actor=worker, account="x", positions=_positions(case))
    with pytest.raises(NotFound):
        services.answer_submit(case=case, actor=employer, account="x", positions=_positions(case))


# --- mediation, payment through the work app, receipt ----------------------------------------------------------


def test_agreement_paid_by_sandbox_resolves_when_the_worker_confirms(
    accepted, respondent, worker, officer, order, settings, django_capture_on_commit_callbacks
):
    settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.SANDBOX
    record = _agreement(accepted, officer, work_order=order)
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.MEDIATING  # recording mediation on an accepted case starts it
    assert accepted.clocks.running().filter(kind="mediation").exists()
    with pytest.raises(InvalidTransition) as early:
        services.agreement_confirm_receipt(record=record, actor=worker)
    assert early.value.code == "not_paid"
    with django_capture_on_commit_callbacks(execute=True):
        record = services.agreement_pay(record=record, actor=respondent.user, idempotency_key="med-1")
    payment = Payment.objects.get()
    order.refresh_from_db()
    assert record.payment_id == payment.pk and payment.backend == PaymentBackend.SANDBOX
    assert payment.status == PaymentStatus.SUCCEEDED and payment.amount == WAGES
    assert order.status == WorkOrderStatus.SETTLED
    # a replay makes no second payment
    assert (
        services.agreement_pay(record=record, actor=respondent.user, idempotency_key="med-2").payment_id
        == payment.pk
    )
    assert Payment.objects.count() == 1
    case = services.agreement_confirm_receipt(record=record, actor=worker)
    case.refresh_from_db()
    record.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and record.receipt_confirmed_at is not None
    assert "3120.00" in case.resolution and record.terms in case.resolution
    event = CaseEvent.objects.filter(case=case, to_status=CaseStatus.RESOLVED).get()
    assert event.actor_id == worker.pk
    assert AuditLog.objects.filter(object_id=str(record.pk), actor=worker).exists()
    assert not case.clocks.running().exists()
    with pytest.raises(InvalidTransition):
        services.agreement_confirm_receipt(record=record, actor=worker)


def test_offline_agreement_payment_settles_the_order_on_receipt(
    accepted, respondent, worker, officer, order, settings
):
    settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.OFFLINE
    record = _agreement(accepted, officer, work_order=order)
    record = services.agreement_pay(
        record=record, actor=respondent.user, idempotency_key="off-1", note="银行转账"
    )
    payment = record.payment
    assert payment.status == PaymentStatus.SUCCEEDED and payment.worker_confirmed_at is None
    services.agreement_confirm_receipt(record=record, actor=worker)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.worker_confirmed_at is not None and order.status == WorkOrderStatus.SETTLED
    assert Case.objects.get(pk=accepted.pk).status == CaseStatus.RESOLVED


def test_agreement_without_a_work_order_is_recorded_then_confirmed(accepted, respondent, worker, officer):
    record = _agreement(accepted, officer, agreed_amount=Decimal("2000"))
    record = services.agreement_pay(
        record=record, actor=respondent.user, idempotency_key="x", note="微信转账"
    )
    assert record.paid_declared_at is not None and record.payment_id is None
    services.agreement_confirm_receipt(record=record, actor=worker)
    assert Case.objects.get(pk=accepted.pk).status == CaseStatus.RESOLVED
    assert not Payment.objects.exists()


def test_agreement_work_order_amount_must_match(accepted, officer, order):
    with pytest.raises(DomainError) as exc:
        _agreement(accepted, officer, work_order=order, agreed_amount=Decimal("3000"))
    assert "agreed_amount" in exc.value.fields and not MediationRecord.objects.exists()


def test_one_agreement_per_case_and_no_agreement_leaves_it_for_arbitration(accepted, officer):
    services.mediation_record(
        case=accepted,
        actor=officer,
        held_on=timezone.localdate(),
        participants="双方",
        outcome=MediationOutcome.NO_AGREEMENT,
    )
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.MEDIATING
    services.case_refer_arbitration(case=accepted, actor=officer, reason="调解不成")
    accepted.refresh_from_db()
    assert accepted.status == CaseStatus.REFERRED_ARBITRATION
    with pytest.raises(InvalidTransition):
        _agreement(accepted, officer)


def test_second_agreement_refused(accepted, officer):
    _agreement(accepted, officer, agreed_amount=None, pay_by=None)
    with pytest.raises(InvalidTransition) as exc:
        _agreement(accepted, officer)
    assert exc.value.code == "already_agreed"


def test_mediation_by_staff_of_another_county_is_404(accepted, officer_b, worker):
    with pytest.raises(NotFound):
        _agreement(accepted, officer_b)
    with pytest.raises(NotPermitted):
        _agreement(accepted, worker)


# --- after resolution -----------------------------------------------------------------------------------------


@pytest.fixture
def resolved(accepted, officer):
    return services.case_resolve(case=accepted, actor=officer, resolution="用工方已支付。")


def test_visit_back_and_rating_once(resolved, officer, worker, respondent):
    visit = services.visit_back_record(
        case=resolved,
        actor=officer,
        visited_on=timezone.localdate(),
        method=VisitMethod.PHONE,
        notes="已收到工资",
    )
    assert VisitBack.objects.get().pk == visit.pk and visit.recorded_by == officer
    with pytest.raises(NotPermitted):
        services.rating_submit(case=resolved, actor=respondent.user, stars=1)
    rating = services.rating_submit(case=resolved, actor=worker, stars=5, comment="处理很快")
    rating.refresh_from_db()
    assert (rating.stars, rating.comment, rating.rated_by) == (5, "处理很快", worker)
    with pytest.raises(InvalidTransition) as again:
        services.rating_submit(case=resolved, actor=worker, stars=1)
    assert again.value.code == "already_rated"
    with pytest.raises(DomainError):
        services.rating_submit(case=Case.objects.get(pk=resolved.pk), actor=worker, stars=6)


def test_rating_and_visit_wait_for_resolution(accepted, officer, worker):
    with pytest.raises(InvalidTransition):
        services.rating_submit(case=accepted, actor=worker, stars=4)
    with pytest.raises(InvalidTransition):
        services.visit_back_record(
            case=accepted, actor=officer, visited_on=timezone.localdate(), method=VisitMethod.PHONE, notes="x"
        )
    assert not SatisfactionRating.objects.exists() and not VisitBack.objects.exists()


# --- pages ----------------------------------------------------------------------------------------------------


def test_respondent_pages_answer_and_pay(client_as, accepted, respondent, worker, officer, order, settings):
    settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.OFFLINE
    boss = client_as(respondent.user)
    listing = boss.get("/disputes/respondent/")
    assert listing.status_code == 200 and accepted.number in listing.content.decode()
    assert boss.get(f"/disputes/respondent/{accepted.pk}/").status_code == 200
    wage_line, overtime_line = accepted.claims.order_by("id")
    bad = boss.post(f"/disputes/respondent/{accepted.pk}/answer/", {"account": "说明"})
    assert bad.status_code == 400 and not RespondentAnswer.objects.exists()
    response = boss.post(
        f"/disputes/respondent/{accepted.pk}/answer/",
        {
            "account": "工资认可。",
            f"claim{wage_line.pk}_position": "accept",
            f"claim{overtime_line.pk}_position": "dispute",
        },
    )
    assert response.status_code == 302
    assert RespondentAnswer.objects.get().lines.get(claim=overtime_line).accepted_amount == 0
    _agreement(accepted, officer, work_order=order)
    assert boss.get(f"/disputes/respondent/{accepted.pk}/pay/").status_code == 200
    paid = boss.post(f"/disputes/respondent/{accepted.pk}/pay/", {"idempotency_key": "page-1", "note": ""})
    assert paid.status_code == 302
    assert Payment.objects.get().status == PaymentStatus.SUCCEEDED
    # the worker's page offers the confirmation, which resolves the case
    me = client_as(worker)
    page = me.get(f"/disputes/{accepted.pk}/").content.decode()
    assert "confirm-receipt" in page
    assert me.post(f"/disputes/{accepted.pk}/receipt/").status_code == 302
    assert Case.objects.get(pk=accepted.pk).status == CaseStatus.RESOLVED
    page = me.get(f"/disputes/{accepted.pk}/").content.decode()
    assert "rate-form" in page
    assert me.post(f"/disputes/{accepted.pk}/rate/", {"stars": "4", "comment": "好"}).status_code == 302
    assert SatisfactionRating.objects.get().stars == 4


def test_pages_hide_other_peoples_cases(client_as, accepted, worker_b, employer, worker):
    for user in (worker_b, employer, worker):
        assert client_as(user).get(f"/disputes/respondent/{accepted.pk}/").status_code == 404
    assert client_as(employer).post(f"/disputes/{accepted.pk}/receipt/").status_code == 404
    assert client_as(worker_b).post(f"/disputes/{accepted.pk}/rate/", {"stars": "5"}).status_code == 404


def test_employer_home_links_to_complaints_about_me(client_as, respondent):
    page = client_as(respondent.user).get("/jobs/employer/").content.decode()
    assert "/disputes/respondent/" in page


def test_admin_records_mediation_and_lists_ratings(client_as, accepted, officer, order, officer_b):
    admin = client_as(officer)
    form = admin.get(f"/admin/disputes/mediationrecord/add/?case={accepted.number}")
    assert form.status_code == 200 and str(order.pk) in form.content.decode()
    response = admin.post(
        "/admin/disputes/mediationrecord/add/",
        {
            "case_number": accepted.number,
            "held_on": timezone.localdate().isoformat(),
            "participants": "双方",
            "outcome": "agreement",
            "terms": "支付工资",
            "agreed_amount": str(WAGES),
            "pay_by": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "work_order": str(order.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = MediationRecord.objects.get()
    assert record.work_order_id == order.pk and record.mediator == officer
    outsider = client_as(officer_b).post(
        "/admin/disputes/mediationrecord/add/",
        {
            "case_number": accepted.number,
            "held_on": "2026-01-01",
            "participants": "x",
            "outcome": "continuing",
        },
    )
    assert outsider.status_code == 400 and MediationRecord.objects.count() == 1
    assert admin.get("/admin/disputes/satisfactionrating/").status_code == 200
    assert admin.get("/admin/disputes/respondentanswer/").status_code == 200
    assert admin.get("/admin/disputes/visitback/").status_code == 200
    page = admin.get(f"/admin/disputes/case/{accepted.pk}/change/")
    assert page.status_code == 200 and "调解记录" in page.content.decode()  # the mediation inline


# --- API ------------------------------------------------------------------------------------------------------


def test_api_answer_personas(api, api_as, accepted, respondent, worker, officer, officer_b):
    wage_line, overtime_line = accepted.claims.order_by("id")
    body = {
        "case": accepted.pk,
        "account": "认可工资",
        "lines": [
            {"claim": wage_line.pk, "position": "accept"},
            {"claim": overtime_line.pk, "position": "partial", "accepted_amount": "100.00"},
        ],
    }
    assert api.post("/api/v1/case-answers/", body, format="json").status_code in (401, 403)
    assert api_as(officer_b).post("/api/v1/case-answers/", body, format="json").status_code == 404
    assert api_as(worker).post("/api/v1/case-answers/", body, format="json").status_code == 403
    response = api_as(respondent.user).post("/api/v1/case-answers/", body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["lines"][1]["accepted_amount"] == "100.00"
    assert api_as(respondent.user).post("/api/v1/case-answers/", body, format="json").status_code == 409
    assert [r["case"] for r in api_as(officer).get("/api/v1/case-answers/").json()["results"]] == [
        accepted.pk
    ]
    assert api_as(officer_b).get("/api/v1/case-answers/").json()["results"] == []


def test_api_mediation_receipt_rating_and_visit(
    api_as, accepted, respondent, worker, officer, officer_b, order, settings, django_assert_max_num_queries
):
    settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.OFFLINE
    body = {
        "case": accepted.pk,
        "held_on": timezone.localdate().isoformat(),
        "participants": "双方",
        "outcome": "agreement",
        "terms": "支付工资",
        "agreed_amount": str(WAGES),
        "pay_by": (timezone.localdate() + dt.timedelta(days=5)).isoformat(),
        "work_order": order.pk,
    }
    assert api_as(worker).post("/api/v1/mediation-records/", body, format="json").status_code == 403
    assert api_as(officer_b).post("/api/v1/mediation-records/", body, format="json").status_code == 404
    response = api_as(officer).post("/api/v1/mediation-records/", body, format="json")
    assert response.status_code == 201, response.json()
    record_id = response.json()["id"]
    # the respondent reads no mediation rows; the complainant reads their case's
    assert api_as(respondent.user).get("/api/v1/mediation-records/").json()["results"] == []
    me = api_as(worker)
    with django_assert_max_num_queries(6):
        listed = me.get("/api/v1/mediation-records/").json()["results"]
    assert [r["id"] for r in listed] == [record_id] and listed[0]["paid"] is False
    url = f"/api/v1/mediation-records/{record_id}/confirm-receipt/"
    assert api_as(worker).post(url, {}, format="json").status_code == 409  # not paid yet
    services.agreement_pay(
        record=MediationRecord.objects.get(), actor=respondent.user, idempotency_key="api-1"
    )
    assert api_as(officer_b).post(url, {}, format="json").status_code == 404
    assert api_as(officer).post(url, {}, format="json").status_code == 403
    response = api_as(worker).post(url, {}, format="json")
    assert response.status_code == 200 and response.json()["receipt_confirmed_at"]
    assert Case.objects.get(pk=accepted.pk).status == CaseStatus.RESOLVED
    rating = {"case": accepted.pk, "stars": 5, "comment": "满意"}
    assert api_as(respondent.user).post("/api/v1/case-ratings/", rating, format="json").status_code == 403
    assert api_as(worker).post("/api/v1/case-ratings/", rating, format="json").status_code == 201
    assert api_as(worker).post("/api/v1/case-ratings/", rating, format="json").status_code == 409
    assert api_as(officer).get("/api/v1/case-ratings/").json()["results"][0]["stars"] == 5
    visit = {
        "case": accepted.pk,
        "visited_on": timezone.localdate().isoformat(),
        "method": "phone",
        "notes": "已收到",
    }
    assert api_as(worker).post("/api/v1/visit-backs/", visit, format="json").status_code == 403
    assert api_as(officer_b).post("/api/v1/visit-backs/", visit, format="json").status_code == 404
    assert api_as(officer).post("/api/v1/visit-backs/", visit, format="json").status_code == 201
    assert VisitBack.objects.get().notes == "已收到"
    assert api_as(officer_b).get("/api/v1/visit-backs/").json()["results"] == []


# --- the case number -----------------------------------------------------------------------------------------


def test_case_number_collision_is_retried(worker, monkeypatch):
    first = complaint(worker)
    numbers = iter([first.number, first.number, "TS20261202ABCDEF"])
    monkeypatch.setattr("disputes.services.cases._number", lambda now: next(numbers))
    second = complaint(worker)
    assert second.number == "TS20261202ABCDEF" and Case.objects.count() == 2
    assert second.claims.count() == 1 and second.events.count() == 1


def test_api_intervention_lists_refuse_anonymous_and_county_tokens(
    api, api_client_a, api_as, accepted, auditor
):
    for url in (
        "/api/v1/case-answers/",
        "/api/v1/mediation-records/",
        "/api/v1/case-ratings/",
        "/api/v1/visit-backs/",
    ):
        assert api.get(url).status_code in (401, 403)
        assert api_client_a.get(url).status_code == 403  # a county system reads cases only
    body = {
        "case": accepted.pk,
        "held_on": timezone.localdate().isoformat(),
        "participants": "x",
        "outcome": "continuing",
    }
    response = api_as(auditor).post("/api/v1/mediation-records/", body, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert not MediationRecord.objects.exists()
