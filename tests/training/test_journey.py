"""Issue 15's whole path through the services, in the order a class lives it: an institution applies and is
filed, opens a class at a market's sign-up point, the county approves it, thirty workers take the seats and
the thirty-first the waiting list, one trainee signs in by the rotating QR code at every session but one
(which the teacher marks), completes, is certified — the certificate lands verified on the job-seeker
registration and opens a licensed (特种作业) posting — and claims the training subsidy with the calculator's
figures. Every figure below is worked out from the seeded rule (training/reference.py), not read off the
code: electrician-special needs 80 class hours of 45 minutes and pays ¥800 (cap ¥800, no in-work rate)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import Role
from accounts.models import RoleGrant
from core.calendar import SHANGHAI
from core.errors import DomainError
from jobs import services as jobs_services
from jobs.choices import CertificateStatus, PersonCategoryKind
from jobs.models import Application, Certificate
from training.choices import (
    ClaimStatus,
    ClassStatus,
    EnrollmentStatus,
    InstitutionStatus,
    SignUpPointKind,
    VenueKind,
)
from training.models import Attendance, Enrollment, Institution, TrainingClaim, TrainingClass
from training.services import attendance, claims, classes, enrollment, institutions, results
from training.services.claims import evidence_hash

from ..accounts.factories import UserFactory
from ..jobs.factories import make_worker, occupation, published_posting
from ..markets.factories import MarketFactory
from .factories import item
from .factories_claims import category
from .factories_institutions import application, png_upload

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2026, 12, 7)  # a Monday
SESSIONS = 20  # 20 sessions × 4 课时 (180 minutes) = 80 课时, the catalogue's minimum


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def test_institution_to_certificate_to_licensed_work_to_subsidy_claim(county_a):
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    market = MarketFactory(scope_unit=county_a)
    founder = UserFactory(scope_unit=county_a, roles=[])

    with time_machine.travel(at(dt.date(2026, 11, 23), 9), tick=False):
        # 1. applied and filed (备案)
        institution = institutions.institution_apply(founder, application(county_a), png_upload())
        institutions.institution_review(institution, officer, True, "材料齐全")
        institution.refresh_from_db()
        assert institution.status == InstitutionStatus.FILED and institution.filing_number
        assert RoleGrant.objects.filter(user=founder, role=Role.TRAINING_INSTITUTION).exists()

        # 2. a class at the market's sign-up point, 20 sessions of 4 课时, submitted and approved
        point = institutions.signup_point_save(
            institution,
            founder,
            {"market": market.pk, "kind": SignUpPointKind.SIGNUP, "location": "服务大厅东侧2号窗口"},
        )
        training_class = classes.class_save(
            institution,
            founder,
            {
                "item": item("electrician-special").pk,
                "title": "低压电工作业第1期",
                "venue_kind": VenueKind.MARKET_SIGNUP,
                "market": market.pk,
                "capacity": 30,
                "waitlist_limit": 5,
                "starts_on": FIRST_DAY.isoformat(),
                "ends_on": (FIRST_DAY + dt.timedelta(days=SESSIONS - 1)).isoformat(),
                "teachers": "张工（高级电工）",
                "roster_plan": "面向市场内零工",
                "exam_plan": "应急管理部门统一考核",
            },
        )
        days = [FIRST_DAY + dt.timedelta(days=i) for i in range(SESSIONS)]
        for day in days:
            classes.session_add(training_class, founder, starts_at=at(day, 9), ends_at=at(day, 12))
        classes.class_submit(training_class, founder)
        classes.class_review(training_class, officer, True, "同意开班")
        training_class.refresh_from_db()
        assert training_class.status == ClassStatus.APPROVED
        assert training_class.scope_unit == county_a and training_class.market == market
        assert point in training_class.signup_points.all()
        assert sum(s.class_hours for s in training_class.sessions.all()) == 80

        # 3. thirty seats, then the waiting list
        trainee = make_worker(unit=county_a)
        others = [UserFactory(scope_unit=county_a, roles=[Role.WORKER]) for _ in range(29)]
        for worker in [*others, trainee]:
            enrollment.enroll(training_class, worker, worker)
        late = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
        waiting = enrollment.enroll(training_class, late, late)
        training_class.refresh_from_db()
        assert waiting.status == EnrollmentStatus.WAITLISTED
        assert (training_class.enrolled_count, training_class.waitlist_count) == (30, 1)
        assert Enrollment.objects.filter(training_class=training_class, status="enrolled").count() == 30
        seat = Enrollment.objects.get(training_class=training_class, worker=trainee)

    # 4. the class runs: the trainee signs in by the classroom's QR code at 19 sessions, on time and at the
    # venue; the teacher marks the one they signed in to late (no phone that day)
    with time_machine.travel(at(FIRST_DAY, 8, 30), tick=False):
        classes.class_start(training_class, founder)
    sessions = list(training_class.sessions.order_by("starts_at"))
    for session in sessions[:-1]:
        with time_machine.travel(session.starts_at + dt.timedelta(minutes=5), tick=False):
            code = attendance.qr_current(session)
            attendance.qr_sign_in(
                session=session,
                worker=trainee,
                token=code.token,
                lat=market.lat + 0.0003,  # about 33 m north of the market
                lng=market.lng,
                device_id="trainee-phone-0001-abcdef",
            )
    with time_machine.travel(sessions[-1].starts_at + dt.timedelta(minutes=30), tick=False):
        attendance.teacher_mark(session=sessions[-1], enrollment=seat, status_code="present", actor=founder)
    seat.refresh_from_db()
    assert seat.hours_attended == 80
    marks = Attendance.objects.filter(enrollment=seat)
    assert marks.filter(method="qr", status_id="present").count() == 19
    assert marks.get(session=sessions[-1]).marked_by == founder

    # 5. completion, certificate, and the licensed posting opens
    with time_machine.travel(at(days[-1], 15), tick=False):
        result = results.result_record(enrollment=seat, actor=founder, exam_score=Decimal("86"), passed=True)
        assert result.completed and result.hours_attended == 80 and result.hours_required == 80
        electrician = occupation("electrician")
        posting = published_posting(occupation=electrician, title="配电箱检修 低压电工", scope_unit=county_a)
        with pytest.raises(DomainError) as refused:  # not yet certified: the licensed-work rule
            jobs_services.application_apply(posting=posting, worker=trainee, actor=trainee)
        assert refused.value.code == "not_eligible"
        results.certificate_issue(
            enrollment=seat,
            actor=founder,
            number="T370702202612001",
            issuer="潍坊市应急管理局",
            issued_on=days[-1],
        )
        classes.class_complete(training_class, founder)
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.COMPLETED
    assert TrainingClass.objects.get(pk=training_class.pk).status == ClassStatus.COMPLETED
    profile_certificate = Certificate.objects.get(profile__user=trainee, number="T370702202612001")
    assert profile_certificate.status == CertificateStatus.VERIFIED
    with time_machine.travel(at(days[-1] + dt.timedelta(days=1), 9), tick=False):
        applied = jobs_services.application_apply(posting=posting, worker=trainee, actor=trainee)
    assert Application.objects.get(pk=applied.pk).worker == trainee

    # 6. the subsidy claim, with the calculator's figures: registered unemployed on the training date,
    # first claim of the year, ¥800 (rate 800, cap 800, free class), rule SD-2025-37
    category(trainee, PersonCategoryKind.REGISTERED_UNEMPLOYED, dt.date(2026, 6, 1))
    with time_machine.travel(at(dt.date(2027, 1, 4), 10), tick=False):
        claim = claims.claim_create_and_submit(enrollment=seat, actor=trainee)
    claim = TrainingClaim.objects.get(pk=claim.pk)
    assert claim.status == ClaimStatus.SUBMITTED and claim.amount == Decimal("800.00")
    assert "SD-2025-37" in claim.rule_version
    assert claim.evidence_sha256 == evidence_hash(claim.evidence)
    marks = [session["attendance"] for session in claim.evidence["sessions"]]
    assert len(marks) == SESSIONS and all(mark["counts_hours"] for mark in marks)
    assert [mark["method"] for mark in marks].count("qr") == 19 and marks[-1]["marked_by"] == founder.pk
    assert claim.evidence["class"]["approval"]["reviewed_by"] == officer.pk
    assert len(claim.evidence["roster"]) == 31  # thirty seats and the waiting list, as the class had them
    assert Institution.objects.get(pk=institution.pk).status == InstitutionStatus.FILED
