"""Factories for the training app. Workflow fields (status) and counters are set directly here to arrange a
test; the code under test changes them only through services. Shared by every training test module: extend
in your own module rather than here."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.choices import Role
from core.calendar import SHANGHAI
from training.choices import ClassStatus, EnrollmentStatus, InstitutionStatus, SignUpPointKind, VenueKind
from training.models import (
    CatalogueItem,
    ClassSession,
    Enrollment,
    Institution,
    InstitutionMember,
    SignUpPoint,
    TrainingClass,
)

from ..accounts.factories import UserFactory, unit
from ..markets.factories import MarketFactory

_seq = iter(range(1, 10**6))


def uscc(n: int) -> str:
    """A syntactically valid unified social credit code (GB 32100-2015 check character)."""
    from stdnum.cn import uscc as std

    body = f"91370702MA{n:07d}"[:17]
    return body + std.calc_check_digit(body)


def institution_member(institution: Institution, *, admin: bool = True, teacher: bool = False, **user):
    person = UserFactory(roles=[Role.TRAINING_INSTITUTION], **user)
    InstitutionMember.objects.create(institution=institution, user=person, is_admin=admin, is_teacher=teacher)
    return person


def make_institution(
    *, unit_code: str = "370702", status: str = InstitutionStatus.FILED, **fields
) -> Institution:
    n = next(_seq)
    data = {
        "name": f"测试职业培训学校{n:03d}",
        "uscc": uscc(n),
        "licence_number": f"教民137070270{n:05d}",
        "scope_unit": unit(unit_code),
        "address": f"潍坊市潍城区东风西街{n}号",
        "contact_name": "王老师",
        "contact_phone": "0536-8123456",
        "status": status,
    }
    if status == InstitutionStatus.FILED:
        data.update(filing_number=f"WFPX{n:05d}", filed_at=timezone.now())
    data.update(fields)
    return Institution.objects.create(**data)


def item(code: str = "electrician-special") -> CatalogueItem:
    found = CatalogueItem.objects.filter(code=code).first()
    if found is None:  # a transactional test elsewhere flushed the seeded catalogue
        from django.apps import apps

        from training.reference import seed_reference

        seed_reference(apps.get_model)
        found = CatalogueItem.objects.get(code=code)
    return found


def make_class(
    institution: Institution | None = None,
    *,
    item_code: str = "electrician-special",
    market=None,
    capacity: int = 30,
    status: str = ClassStatus.APPROVED,
    starts_on: dt.date = dt.date(2026, 12, 7),
    sessions: int = 0,
    hours_per_session: int = 4,
    **fields,
) -> TrainingClass:
    """A class at a market's classroom (a market is made when none is given), with ``sessions`` daily sessions
    of ``hours_per_session`` class hours (45 min each) from 09:00 on ``starts_on``."""
    institution = institution or make_institution()
    market = market or MarketFactory(scope_unit=institution.scope_unit)
    point = SignUpPoint.objects.create(
        institution=institution,
        market=market,
        kind=SignUpPointKind.CLASSROOM,
        location="服务大厅二楼培训教室",
    )
    data = {
        "institution": institution,
        "item": item(item_code),
        "scope_unit": market.scope_unit,
        "title": f"{item(item_code).name}第{next(_seq)}期",
        "status": status,
        "venue_kind": VenueKind.MARKET_CLASSROOM,
        "market": market,
        "venue_name": market.name,
        "venue_address": market.address,
        "venue_lat": market.lat,
        "venue_lng": market.lng,
        "capacity": capacity,
        "starts_on": starts_on,
        "ends_on": starts_on + dt.timedelta(days=max(sessions - 1, 0)),
    }
    data.update(fields)
    training_class = TrainingClass.objects.create(**data)
    training_class.signup_points.add(point)
    for i in range(sessions):
        start = dt.datetime.combine(starts_on + dt.timedelta(days=i), dt.time(9, 0), tzinfo=SHANGHAI)
        ClassSession.objects.create(
            training_class=training_class,
            starts_at=start,
            ends_at=start + dt.timedelta(minutes=45 * hours_per_session),
            class_hours=hours_per_session,
            topic=f"第{i + 1}讲",
        )
    return training_class


def enroll(
    training_class: TrainingClass, worker=None, *, status: str = EnrollmentStatus.ENROLLED
) -> Enrollment:
    """Arrange an enrollment directly (the enrollment services are under test elsewhere)."""
    worker = worker or UserFactory(roles=[Role.WORKER])
    enrollment = Enrollment.objects.create(training_class=training_class, worker=worker, status=status)
    field = "enrolled_count" if status == EnrollmentStatus.ENROLLED else "waitlist_count"
    TrainingClass.objects.filter(pk=training_class.pk).update(**{field: getattr(training_class, field) + 1})
    training_class.refresh_from_db()
    return enrollment
