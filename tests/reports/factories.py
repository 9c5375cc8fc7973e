"""Raw history for the reports tests: for each county, rows of every app stamped at instants on and around
the boundaries of October 2026 and of 2026Q4 (Asia/Shanghai), as an import of an earlier system would load
them (bulk timestamps; the services would stamp every step with the present)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.choices import Role
from core.models import ScopeUnit
from disputes.choices import Channel, Queue, RelationshipType
from disputes.models import Case
from jobs.choices import ApplicationSource, ApplicationStatus
from jobs.models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    Posting,
    PostingWindow,
    SeekerSpell,
    WorkerProfile,
)
from training.choices import EnrollmentChannel, EnrollmentStatus
from training.models import Enrollment, EnrollmentEvent, TrainingResult
from work.choices import WorkOrderStatus
from work.models import ArrearsAlert, WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer, make_worker, occupation
from ..training.factories import enroll, make_class, make_institution

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SHANGHAI)


INSTANTS = [
    at(2026, 9, 30, 23, 59, 59),  # the last second before October and before Q4
    at(2026, 10, 1, 0, 0),  # the first instant of October
    at(2026, 10, 31, 23, 59, 59),  # the last second of October
    at(2026, 11, 1, 0, 0),  # November (in Q4, not in October)
    at(2026, 12, 31, 23, 59),  # the last minute of Q4
    at(2027, 1, 1, 0, 0),  # after Q4
]


def history(unit: ScopeUnit, *, skip: tuple[int, ...] = ()) -> None:
    """One row of each kind per instant (except the ``skip`` indexes), in ``unit``."""
    counter_staff = UserFactory(scope_unit=unit, roles=[Role.COUNTY_STAFF])
    training_class = make_class(make_institution(unit_code=unit.code))
    for i, instant in enumerate(INSTANTS):
        if i in skip:
            continue
        skills = (
            (("cleaner", "skilled", 3), ("electrician", "skilled", 2))
            if i % 2
            else (("cleaner", "skilled", 3),)
        )
        worker = make_worker(unit=unit, skills=skills)
        WorkerProfile.objects.filter(user=worker).update(
            created_at=instant, assisted_by=counter_staff if i % 2 else None
        )
        employer = make_employer(unit=unit)
        EmployerProfile.objects.filter(pk=employer.pk).update(created_at=instant)
        posting = draft_posting(
            employer,
            scope_unit=unit,
            occupation=occupation("electrician" if i % 2 else "cleaner"),
            headcount=i + 1,
        )
        Posting.objects.filter(pk=posting.pk).update(published_at=instant if i != 3 else None)
        application = Application.objects.create(
            posting=posting,
            worker=worker,
            status=ApplicationStatus.WITHDRAWN if i == 1 else ApplicationStatus.ACCEPTED,
            source=ApplicationSource.COUNTER if i % 2 == 0 else ApplicationSource.SELF,
            decided_at=instant,
        )
        Application.objects.filter(pk=application.pk).update(created_at=instant)
        ApplicationEvent.objects.create(
            application=application, from_status="", to_status=ApplicationStatus.APPLIED, at=instant
        )
        ApplicationEvent.objects.create(
            application=application,
            from_status=ApplicationStatus.APPLIED,
            to_status=ApplicationStatus.ACCEPTED,
            at=instant,
        )
        if i == 1:  # accepted, then the hire withdrawn a day later: still a hire of its own month
            ApplicationEvent.objects.create(
                application=application,
                from_status=ApplicationStatus.ACCEPTED,
                to_status=ApplicationStatus.WITHDRAWN,
                at=instant + dt.timedelta(days=1),
            )
        start = instant - dt.timedelta(hours=10)
        order = WorkOrder.objects.create(
            application=application,
            posting=posting,
            worker=worker,
            work_date=timezone.localtime(start).date(),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            status=WorkOrderStatus.SETTLED,
            hours_worked=Decimal("8"),
            amount=Decimal("200.10") + i,
            daily_wage=Decimal("200.10") + i,
            settled_at=instant,
        )
        Case.objects.create(
            number=f"T{unit.code}{i}",
            scope_unit=unit,
            channel=Channel.ONLINE,
            relationship_type=RelationshipType.LABOUR,
            facts="工资未结清。",
            respondent_name="潍坊某劳务公司",
            queue=Queue.MEDIATION,
            received_at=instant,
            resolved_at=INSTANTS[i + 1] if i + 1 < len(INSTANTS) else None,
            accepted_at=instant + dt.timedelta(hours=1),  # the last second of October is accepted in November
        )
        if i % 2 == 0:
            ArrearsAlert.objects.create(work_order=order, amount=Decimal("100.00"), raised_at=instant)
        enrollment = enroll(training_class, worker, status=EnrollmentStatus.ENROLLED)
        Enrollment.objects.filter(pk=enrollment.pk).update(
            created_at=instant - dt.timedelta(days=2),
            channel=EnrollmentChannel.COUNTER if i % 3 == 0 else EnrollmentChannel.ONLINE,
        )
        # a waiting-list place two days before, the seat at the instant (only the seat is an enrolment)
        EnrollmentEvent.objects.create(
            enrollment=enrollment,
            from_status="",
            to_status=EnrollmentStatus.WAITLISTED,
            at=instant - dt.timedelta(days=2),
        )
        EnrollmentEvent.objects.create(
            enrollment=enrollment,
            from_status=EnrollmentStatus.WAITLISTED,
            to_status=EnrollmentStatus.ENROLLED,
            at=instant,
        )
        TrainingResult.objects.create(
            enrollment=enrollment,
            hours_attended=40,
            hours_required=40,
            passed=i % 2 == 0,
            completed=i % 2 == 0,
            completed_on=timezone.localtime(instant).date(),
        )
        validity_windows(worker, posting, i, instant)


def validity_windows(worker, posting, i: int, instant: dt.datetime) -> None:
    """The seeking spells and posting windows around the boundaries (ADR 0041), replacing the ones the
    services opened just now: seeker 1 stops seeking mid-October and seeks again from December; seeker 2's
    spell ends at the first instant of November (valid in October, not in November); posting 0's window
    closes at the first instant of October (not valid in it); posting 2's stays open into November;
    posting 1 is filled on 10-10 and republished on 10-20 (two windows, one posting)."""
    SeekerSpell.objects.filter(profile__user=worker).delete()
    ends = {1: instant + dt.timedelta(days=14), 2: at(2026, 11, 1, 0, 0)}
    for occupation_id in WorkerProfile.objects.get(user=worker).skills.values_list(
        "occupation_id", flat=True
    ):
        SeekerSpell.objects.create(
            profile=worker.worker_profile,
            occupation_id=occupation_id,
            started_at=instant,
            ended_at=ends.get(i),
            end_reason="unavailable" if i in ends else "",
        )
        if i == 1:
            SeekerSpell.objects.create(
                profile=worker.worker_profile, occupation_id=occupation_id, started_at=at(2026, 12, 1, 8, 0)
            )
    PostingWindow.objects.filter(posting=posting).delete()
    if i == 3:  # never published
        return
    if i == 1:
        PostingWindow.objects.create(
            posting=posting, opened_at=instant, closed_at=at(2026, 10, 10), close_reason="filled"
        )
        PostingWindow.objects.create(posting=posting, opened_at=at(2026, 10, 20))
        return
    closes = {0: at(2026, 10, 1, 0, 0), 2: at(2026, 11, 1, 0, 59, 59), 4: at(2027, 1, 1, 0, 0)}
    PostingWindow.objects.create(
        posting=posting,
        opened_at=instant,
        closed_at=closes.get(i),
        close_reason="closed" if i in closes else "",
    )
