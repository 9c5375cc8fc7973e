"""Raw history for the reports tests: for each county, rows of every app stamped at instants on and around
the boundaries of October 2026 and of 2026Q4 (Asia/Shanghai), as an import of an earlier system would load
them (bulk timestamps; the services would stamp every step with the present). Each helper after
``validity_windows`` says what its rows test at the boundaries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from accounts.choices import Role
from core.models import ScopeUnit
from disputes.choices import Channel, ClockKind, MediationOutcome, Queue, RelationshipType
from disputes.models import Case, CaseClock, ClockRule, MediationRecord
from jobs.choices import ApplicationSource, ApplicationStatus, FairKind
from jobs.models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    JobFair,
    Posting,
    PostingWindow,
    SeekerSpell,
    WorkerProfile,
)
from markets.choices import FindingResult, MarketStatus
from markets.models import Inspection, InspectionFinding, InspectionItem, Market, MarketEvent
from subsidies.choices import AccountKind, PaymentStatus
from subsidies.choices import ApplicationStatus as SubsidyStatus
from subsidies.models import Application as SubsidyApplication
from subsidies.models import ApplicationEvent as SubsidyApplicationEvent
from subsidies.models import DisbursementBatch, ProgramType
from subsidies.models import Payment as SubsidyPayment
from training.choices import CertificateType, EnrollmentChannel, EnrollmentStatus
from training.models import Enrollment, EnrollmentEvent, TrainingCertificate, TrainingResult
from work.choices import WorkOrderStatus
from work.models import ArrearsAlert, WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer, make_worker, occupation
from ..markets.factories import MarketFactory
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
    # the class's market (an import operating with no event) registered long before: not today's date
    Market.objects.filter(pk=training_class.market_id).update(created_at=at(2026, 1, 5))
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
        case = Case.objects.create(
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
        markets_and_fairs(unit, i, instant)
        outcomes(unit, i, instant, enrollment, order)
        case_clocks_and_mediation(case, i)
        subsidies(unit, i, instant, worker, counter_staff)


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


def markets_and_fairs(unit: ScopeUnit, i: int, instant: dt.datetime) -> None:
    """A market registered at each instant with its status history: market 0 is suspended at the first
    instant of October and operating again from 12-01; market 1 suspended twice in October (10-15, 10-25;
    counted once); market 2 banned on 11-15; market 3 an import operating, whose first event (suspended on
    2027-01-05) tells its status before; market 4 still planned (no event); market 5 opens after Q4. One inspection each on the instant's date, with problems on two
    checklist items for the even indexes and one for the odd. A fair (集市 or 夜市) starting at each instant."""
    status = {1: MarketStatus.SUSPENDED, 2: MarketStatus.BANNED, 3: MarketStatus.SUSPENDED}.get(i)
    status = status or (MarketStatus.PLANNED if i == 4 else MarketStatus.OPERATING)
    market = MarketFactory(scope_unit=unit, status=status)
    Market.objects.filter(pk=market.pk).update(created_at=instant)
    moves = {
        0: [(MarketStatus.SUSPENDED, at(2026, 10, 1)), (MarketStatus.OPERATING, at(2026, 12, 1))],
        1: [
            (MarketStatus.SUSPENDED, at(2026, 10, 15)),
            (MarketStatus.OPERATING, at(2026, 10, 20)),
            (MarketStatus.SUSPENDED, at(2026, 10, 25)),
        ],
        2: [(MarketStatus.BANNED, at(2026, 11, 15))],
        3: [(MarketStatus.SUSPENDED, at(2027, 1, 5))],
    }
    previous = MarketStatus.PLANNED
    opened = [] if i in (3, 4) else [(MarketStatus.OPERATING, instant)]
    if i == 3:  # imported operating: its first event, after Q4, says what it was before
        previous = MarketStatus.OPERATING
    for to_status, when in [*opened, *moves.get(i, [])]:
        MarketEvent.objects.create(
            market=market, from_status=previous, to_status=to_status, reason="测试", at=when
        )
        previous = to_status
    inspection = Inspection.objects.create(market=market, inspected_on=timezone.localtime(instant).date())
    results = (
        [FindingResult.MAJOR, FindingResult.PASS, FindingResult.MINOR]
        if i % 2 == 0
        else [
            FindingResult.PASS,
            FindingResult.PASS,
            FindingResult.MINOR,
        ]
    )
    for item, result in zip(InspectionItem.objects.order_by("pk")[:3], results, strict=True):
        InspectionFinding.objects.create(inspection=inspection, item=item, result=result)
    JobFair.objects.create(
        kind=FairKind.NIGHT if i % 2 else FairKind.DAY,
        title=f"测试招聘会{unit.code}{i}",
        scope_unit=unit,
        place="人民广场",
        starts_at=instant,
        ends_at=instant + dt.timedelta(hours=2),
        attendance=10 * (i + 1),
        intents=i + 1,
        hires=i,
    )


def outcomes(unit: ScopeUnit, i: int, instant: dt.datetime, enrollment, order) -> None:
    """A certificate on the instant's date for the completers (even indexes, completed on that date); settled
    work after completion: completer 2 (10-31) works on 2027-01-31, the last day of its 3 months; completer 4
    (12-31) on 2027-03-31 (inside) and 2027-04-01 (outside); its order of 12-31 itself is not after."""
    if i % 2:
        return
    TrainingCertificate.objects.create(
        enrollment=enrollment,
        certificate_type=CertificateType.SPECIAL_OPERATION,
        number=f"C{unit.code}{i}",
        issuer="潍坊市人社局",
        issued_on=timezone.localtime(instant).date(),
    )
    later = {2: [dt.date(2027, 1, 31)], 4: [dt.date(2027, 3, 31), dt.date(2027, 4, 1)]}.get(i, [])
    for day in later:
        start = dt.datetime.combine(day, dt.time(8), tzinfo=SHANGHAI)
        WorkOrder.objects.create(
            application=order.application,
            posting=order.posting,
            worker=order.worker,
            work_date=day,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            status=WorkOrderStatus.SETTLED,
            hours_worked=Decimal("8"),
            amount=Decimal("180.00"),
            daily_wage=Decimal("180.00"),
            settled_at=start + dt.timedelta(hours=9),
        )


def case_clocks_and_mediation(case: Case, i: int) -> None:
    """Clocks of the cases resolved in Q4 (case i is resolved at instant i + 1): case 0's stops at its
    deadline exactly (on time); case 1's an hour late; case 2's late on the original date but on time on its
    extension; case 3 has a clock on time and one never stopped, due a second before the case was resolved
    (late). A mediation agreement per case except 3: paid and confirmed an hour after receipt, except case
    1's (never confirmed); case 2's confirmation (00:59:59 on 11-01) falls in November."""
    rule = ClockRule.objects.filter(kind=ClockKind.MEDIATION).order_by("effective_from").first()
    resolved = case.resolved_at

    def clock(due_at, stopped_at, extended_due_at=None):
        CaseClock.objects.create(
            case=case,
            kind=ClockKind.MEDIATION,
            rule=rule,
            rule_version="test",
            day_kind=rule.day_kind,
            days=rule.days,
            max_extension_days=rule.max_extension_days,
            started_at=case.received_at,
            due_on=timezone.localtime(due_at).date(),
            due_at=due_at,
            extended_due_on=timezone.localtime(extended_due_at).date() if extended_due_at else None,
            extended_due_at=extended_due_at,
            stopped_at=stopped_at,
        )

    if i == 0:
        clock(resolved, resolved)
    elif i == 1:
        clock(resolved - dt.timedelta(hours=1), resolved)
    elif i == 2:
        clock(resolved - dt.timedelta(days=1), resolved, extended_due_at=resolved + dt.timedelta(days=1))
    elif i == 3:
        clock(resolved + dt.timedelta(days=3), case.received_at + dt.timedelta(days=1))
        CaseClock.objects.filter(case=case).update(kind=ClockKind.INSPECTION_ACCEPT)
        clock(resolved - dt.timedelta(seconds=1), None)
    if i == 3:
        MediationRecord.objects.create(
            case=case,
            held_on=dt.date(2026, 11, 2),
            participants="双方",
            outcome=MediationOutcome.NO_AGREEMENT,
        )
        return
    MediationRecord.objects.create(
        case=case,
        held_on=timezone.localtime(case.received_at).date(),
        participants="双方",
        outcome=MediationOutcome.AGREEMENT,
        agreed_amount=Decimal("1000.50") + 100 * i,
        paid_declared_at=case.received_at,
        receipt_confirmed_at=None if i == 1 else case.received_at + dt.timedelta(hours=1),
    )


def subsidies(unit: ScopeUnit, i: int, instant: dt.datetime, worker, officer) -> None:
    """A subsidy application submitted at each instant (two programs, alternately): application 1 is returned
    a day later and resubmitted on 11-05 (counted once, in October); application 3 was imported without events
    (its ``submitted_at``). Applications 0–2 are approved at the next instant and paid a day after that
    (application 0's first payment failed on 10-05 and its reissue was paid)."""
    program = ProgramType.objects.get(code="gig_accident_insurance" if i % 2 else "flexible_social_insurance")
    approved_at = INSTANTS[i + 1] if i < 3 else None
    application = SubsidyApplication.objects.create(
        number=f"S{unit.code}{i}",
        person=worker,
        program_type=program,
        scope_unit=unit,
        period_start=dt.date(2026, 9, 1),
        period_end=dt.date(2026, 9, 30),
        status=SubsidyStatus.DISBURSED if approved_at else SubsidyStatus.SUBMITTED,
        amount_requested=Decimal("300.00") + i,
        amount_approved=Decimal("300.00") + i if approved_at else None,
        submitted_at=at(2026, 11, 5) if i == 1 else instant,
        approved_at=approved_at,
    )
    if i != 3:
        steps = [("", SubsidyStatus.SUBMITTED, instant)]
        if i == 1:
            steps += [
                (SubsidyStatus.SUBMITTED, SubsidyStatus.RETURNED, instant + dt.timedelta(days=1)),
                (SubsidyStatus.RETURNED, SubsidyStatus.SUBMITTED, at(2026, 11, 5)),
            ]
        for from_status, to_status, when in steps:
            SubsidyApplicationEvent.objects.create(
                application=application, from_status=from_status, to_status=to_status, at=when
            )
    if approved_at is None:
        return
    batch = DisbursementBatch.objects.create(
        number=f"B{unit.code}{i}", program_type=program, scope_unit=unit, created_by=officer
    )
    attempts = [(PaymentStatus.FAILED, at(2026, 10, 5))] if i == 0 else []
    attempts.append((PaymentStatus.PAID, approved_at + dt.timedelta(days=1)))
    for attempt, (status, result_at) in enumerate(attempts, 1):
        SubsidyPayment.objects.create(
            batch=batch,
            application=application,
            person=worker,
            attempt=attempt,
            idempotency_key=f"SUB-{application.pk}-{attempt}",
            amount=application.amount_approved,
            status=status,
            account_kind=AccountKind.SOCIAL_SECURITY_CARD,
            bank_name="潍坊银行",
            holder_name="测试",
            account_masked="6223****0001",
            account_sealed="sealed",
            result_at=result_at,
        )
