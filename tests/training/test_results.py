"""Completion against the catalogue's minimum class hours, results, and certificates that reach the worker's
job-seeker registration as verified and open licensed (特种作业) postings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from core.errors import DomainError, InvalidTransition, NotFound
from core.models import AuditLog
from jobs import services as jobs_services
from jobs.choices import CertificateStatus
from jobs.models import Application, Certificate, CertificateEvent
from training.choices import EnrollmentStatus
from training.models import CatalogueRate, EnrollmentEvent, TrainingCertificate, TrainingResult
from training.services import attendance as att
from training.services import results as svc

from ..conftest import nothing_written
from ..jobs.factories import make_worker, occupation, published_posting
from .factories import enroll, institution_member, item, make_class

pytestmark = pytest.mark.django_db


def electrician_class(**fields):
    """electrician-special needs 80 class hours: 20 sessions × 4 class hours = 80."""
    return make_class(item_code="electrician-special", sessions=20, hours_per_session=4, **fields)


def attend(training_class, enrollment, teacher, *, absent_at=()):
    for i, session in enumerate(training_class.sessions.order_by("starts_at")):
        code = "absent" if i in absent_at else "present"
        att.teacher_mark(session=session, enrollment=enrollment, status_code=code, actor=teacher)


def after_the_class(training_class):
    last = training_class.sessions.order_by("-ends_at").first().ends_at
    return time_machine.travel(last + dt.timedelta(hours=1), tick=False)


@pytest.fixture
def trained():
    training_class = electrician_class()
    worker = make_worker()
    enrollment = enroll(training_class, worker)
    teacher = institution_member(training_class.institution, teacher=True)
    return training_class, enrollment, teacher


def test_all_80_hours_and_a_pass_complete(trained):
    training_class, enrollment, teacher = trained
    attend(training_class, enrollment, teacher)
    with after_the_class(training_class):
        result = svc.result_record(
            enrollment=enrollment, actor=teacher, exam_score=Decimal("86.5"), passed=True
        )
    result.refresh_from_db()
    assert (result.hours_attended, result.hours_required) == (80, 80)
    assert result.completed and result.passed and result.exam_score == Decimal("86.5")
    assert result.recorded_by == teacher
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED and enrollment.hours_attended == 80
    event = EnrollmentEvent.objects.filter(enrollment=enrollment).latest("id")
    assert (event.from_status, event.to_status, event.actor) == ("enrolled", "completed", teacher)


def test_absent_at_one_session_is_76_hours_and_not_completed(trained):
    training_class, enrollment, teacher = trained
    attend(training_class, enrollment, teacher, absent_at=(7,))
    with after_the_class(training_class):
        result = svc.result_record(
            enrollment=enrollment, actor=teacher, exam_score=Decimal("95"), passed=True
        )
    assert (result.hours_attended, result.hours_required) == (19 * 4, 80)  # 76 < 80
    assert not result.completed and result.completed_on is None
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.NOT_COMPLETED


def test_a_failed_exam_is_not_completed_whatever_the_hours(trained):
    training_class, enrollment, teacher = trained
    attend(training_class, enrollment, teacher)
    with after_the_class(training_class):
        result = svc.result_record(
            enrollment=enrollment, actor=teacher, exam_score=Decimal("40"), passed=False
        )
    assert result.hours_attended == 80 and not result.completed


def test_the_countys_own_rate_comes_before_the_citys(trained):
    training_class, enrollment, teacher = trained
    city = CatalogueRate.objects.get(item=item("electrician-special"), scope_unit=None)
    CatalogueRate.objects.create(
        item=city.item,
        scope_unit=training_class.scope_unit,
        effective_from=dt.date(2026, 1, 1),
        min_class_hours=72,
        rate=city.rate,
        cap=city.cap,
        source="测试县标准",
    )
    attend(training_class, enrollment, teacher, absent_at=(0, 1))  # 18 × 4 = 72 ≥ 72
    with after_the_class(training_class):
        result = svc.result_record(enrollment=enrollment, actor=teacher, passed=True)
    assert (result.hours_attended, result.hours_required, result.completed) == (72, 72, True)


def test_a_rate_not_yet_in_force_on_the_start_date_does_not_apply(trained):
    training_class, enrollment, teacher = trained
    city = CatalogueRate.objects.get(item=item("electrician-special"), scope_unit=None)
    CatalogueRate.objects.create(
        item=city.item,
        scope_unit=training_class.scope_unit,
        effective_from=training_class.starts_on + dt.timedelta(days=1),
        min_class_hours=40,
        rate=city.rate,
        cap=city.cap,
        source="开班后施行",
    )
    assert svc.rate_in_force(training_class).min_class_hours == 80


def test_results_wait_for_the_last_session(trained):
    training_class, enrollment, teacher = trained
    last = training_class.sessions.order_by("-ends_at").first()
    with time_machine.travel(last.starts_at, tick=False), nothing_written():
        with pytest.raises(DomainError) as exc:
            svc.result_record(enrollment=enrollment, actor=teacher, passed=True)
    assert exc.value.code == "sessions_not_over"


def test_results_are_recorded_once_and_only_in_scope(trained, officer_b, officer):
    training_class, enrollment, teacher = trained
    with after_the_class(training_class):
        with pytest.raises(NotFound):
            svc.result_record(enrollment=enrollment, actor=officer_b, passed=True)
        svc.result_record(enrollment=enrollment, actor=officer, passed=True)
        with pytest.raises(InvalidTransition):
            svc.result_record(enrollment=enrollment, actor=teacher, passed=True)
    assert TrainingResult.objects.filter(enrollment=enrollment).count() == 1


# --- certificates -------------------------------------------------------------------------------------------


def completed(trained):
    training_class, enrollment, teacher = trained
    attend(training_class, enrollment, teacher)
    with after_the_class(training_class):
        svc.result_record(enrollment=enrollment, actor=teacher, exam_score=Decimal("90"), passed=True)
    enrollment.refresh_from_db()
    return enrollment


def test_a_certificate_opens_licensed_postings(trained, county_a):
    training_class, enrollment, teacher = trained
    electrician = occupation("electrician")
    assert electrician.licensed and training_class.item.occupation == electrician
    posting = published_posting(occupation=electrician, title="配电箱检修 低压电工", scope_unit=county_a)
    worker = enrollment.worker
    with pytest.raises(DomainError) as exc:
        jobs_services.application_apply(posting=posting, worker=worker, actor=worker)
    assert exc.value.code == "not_eligible"

    completed(trained)
    cert = svc.certificate_issue(
        enrollment=enrollment,
        actor=teacher,
        number="T370702202612001",
        issuer="潍坊市应急管理局",
        issued_on=dt.date(2027, 1, 10),
    )
    cert.refresh_from_db()
    assert cert.certificate_type == "special_operation" and cert.level == "none"
    profile_cert = Certificate.objects.get(profile__user=worker)
    assert cert.profile_certificate == profile_cert
    assert profile_cert.status == CertificateStatus.VERIFIED and profile_cert.verified_by == teacher
    assert (profile_cert.occupation, profile_cert.number) == (electrician, "T370702202612001")
    event = CertificateEvent.objects.get(certificate=profile_cert)
    assert (event.from_status, event.to_status) == ("", "verified")
    assert AuditLog.objects.filter(object_id=str(profile_cert.pk), action="create").exists()

    from core.models import InboxMessage

    told = InboxMessage.objects.filter(user=worker, body__contains="T370702202612001")
    assert told.count() == 1
    application = jobs_services.application_apply(posting=posting, worker=worker, actor=worker)
    assert Application.objects.filter(pk=application.pk, worker=worker, status="applied").exists()


def test_only_a_completed_trainee_gets_a_certificate(trained):
    training_class, enrollment, teacher = trained
    with nothing_written(), pytest.raises(InvalidTransition):
        svc.certificate_issue(
            enrollment=enrollment, actor=teacher, number="X1", issuer="某机构", issued_on=dt.date(2027, 1, 1)
        )


def test_a_worker_without_a_job_seeker_registration_is_asked_to_register_first():
    training_class = electrician_class()
    from ..accounts.factories import UserFactory

    worker = UserFactory(roles=["worker"])
    enrollment = enroll(training_class, worker)
    teacher = institution_member(training_class.institution, teacher=True)
    enrollment = completed((training_class, enrollment, teacher))
    with nothing_written(), pytest.raises(DomainError) as exc:
        svc.certificate_issue(
            enrollment=enrollment, actor=teacher, number="X2", issuer="某机构", issued_on=dt.date(2027, 1, 1)
        )
    assert exc.value.code == "worker_profile_required"
    assert not TrainingCertificate.objects.exists()


def test_the_jobs_service_is_idempotent_on_the_number(trained):
    _, enrollment, teacher = trained
    kwargs = {
        "profile_user": enrollment.worker,
        "occupation": occupation("electrician"),
        "name": "低压电工作业",
        "number": "N-1",
        "issuer": "某局",
        "actor": teacher,
        "source_note": "测试",
    }
    first = jobs_services.certificate_record_verified(**kwargs)
    again = jobs_services.certificate_record_verified(**kwargs)
    assert first.pk == again.pk and Certificate.objects.filter(number="N-1").count() == 1
    assert CertificateEvent.objects.filter(certificate=first).count() == 1


def test_the_results_page_records_and_issues_and_is_scoped(trained, client_as, officer_b):
    from django.urls import reverse

    training_class, enrollment, teacher = trained
    attend(training_class, enrollment, teacher)
    url = reverse("training:results", args=[training_class.pk])
    assert client_as(officer_b).get(url).status_code == 404
    with after_the_class(training_class):
        client = client_as(teacher)  # signed in at that time (a session from today would have expired)
        page = client.get(url)
        assert page.status_code == 200 and "80" in page.content.decode()
        response = client.post(
            url, {"action": "record", "enrollment": enrollment.pk, "exam_score": "88", "passed": "on"}
        )
        assert response.status_code == 302
        response = client.post(
            url,
            {
                "action": "certificate",
                "enrollment": enrollment.pk,
                "number": "T-PAGE-1",
                "issuer": "潍坊市应急管理局",
                "issued_on": "2027-01-10",
            },
        )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.COMPLETED
    assert TrainingCertificate.objects.get(enrollment=enrollment).profile_certificate.is_verified


def test_api_records_results_and_issues_certificates_in_scope(trained, api_as, officer_b):
    training_class, enrollment, teacher = trained
    attend(training_class, enrollment, teacher)
    with after_the_class(training_class):
        denied = api_as(officer_b).post(
            "/api/v1/training-results/", {"enrollment": enrollment.pk, "passed": True}, format="json"
        )
        assert denied.status_code == 404
        response = api_as(teacher).post(
            "/api/v1/training-results/",
            {"enrollment": enrollment.pk, "exam_score": "75.5", "passed": True},
            format="json",
        )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["hours_attended"], body["hours_required"], body["completed"]) == (80, 80, True)
    result = TrainingResult.objects.get(enrollment=enrollment)
    assert result.exam_score == Decimal("75.5")
    assert api_as(officer_b).get("/api/v1/training-results/").json()["count"] == 0
    assert api_as(enrollment.worker).get("/api/v1/training-results/").json()["count"] == 1
    cert = api_as(teacher).post(
        f"/api/v1/training-results/{result.pk}/certificate/",
        {"number": "T-API-1", "issuer": "潍坊市应急管理局", "issued_on": "2027-01-10"},
        format="json",
    )
    assert cert.status_code == 200 and cert.json()["certificate"] == "T-API-1"
    assert Certificate.objects.get(number="T-API-1").status == CertificateStatus.VERIFIED
    again = api_as(teacher).post(
        f"/api/v1/training-results/{result.pk}/certificate/",
        {"number": "T-API-2", "issuer": "潍坊市应急管理局", "issued_on": "2027-01-10"},
        format="json",
    )
    assert again.status_code == 409


def test_the_results_list_does_not_grow_queries_with_rows(api_as, officer, django_assert_max_num_queries):
    training_class = make_class(sessions=1)
    for _ in range(4):
        enrollment = enroll(training_class)
        TrainingResult.objects.create(enrollment=enrollment, hours_attended=4, hours_required=80)
    client = api_as(officer)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/training-results/")
    assert response.json()["count"] == 4
