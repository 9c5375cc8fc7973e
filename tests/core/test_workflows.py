"""Every status change in the project writes an event row and an audit row (ADR 0003, 0012).

Three checks make that hold everywhere, admin actions included:

- every status field of every app has a workflow (``core.workflow.REGISTRY``) whose table lists every status;
- walking every edge of every table through ``Workflow.move`` writes the status, one event row (from, to,
  actor, reason, on-behalf-of) and one audit row, and an edge outside the table is a 409 that changes nothing;
- no code but ``Workflow.move`` assigns a workflow field (a scan of the apps' source), so the services and
  the admin actions, which call the services, cannot change a status without both rows.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from core.choices import AuditAction
from core.errors import InvalidTransition
from core.models import AuditLog, DeadTask, MessageDelivery, OutboxMessage
from core.workflow import REGISTRY, workflow_for
from disputes.models import Case, SafetyReport
from guidance.models import GuidanceBooking, GuidanceSlot, PolicyArticle, Question
from jobs import services as jobs_services
from jobs.choices import ApplicationStatus, ReportReason
from jobs.models import (
    Application,
    Certificate,
    EmployerProfile,
    Occupation,
    Posting,
    PostingReport,
    WorkerProfile,
)
from labour_stats.models import WageGuidance
from markets.models import Inspection, Market, OnlinePlatform, WebhookDelivery
from reports.models import PeriodApproval, ReportRun
from subsidies.models import Application as SubsidyApplication
from subsidies.models import (
    ContributionImport,
    DisbursementBatch,
    DisbursementRun,
    EligibilityDecision,
    Objection,
    Offer,
    OfferRun,
    OperatorAssessment,
    ProgramType,
)
from subsidies.models import Payment as SubsidyPayment
from training.models import Attendance, Enrollment, Institution, TrainingClaim, TrainingClass
from work.choices import PaymentBackend, PaymentMethod, RatingDirection
from work.models import Payment, Rating, Refund, WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer, make_worker
from ..markets.factories import InspectionFactory, MarketFactory, OnlinePlatformFactory
from ..training.factories import enroll, make_class, make_institution

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "core",
    "accounts",
    "markets",
    "jobs",
    "work",
    "labour_stats",
    "guidance",
    "training",
    "disputes",
    "subsidies",
    "reports",
)
# Status fields that are not a workflow, each with its reason (recorded in ADR 0012).
NOT_WORKFLOWS = {
    # A delivery row is itself the log of its attempts (attempts, last status code, last error, delivered
    # at); nobody acts on it, the retry scan does.
    (WebhookDelivery, "status"): "delivery log",
    # The same kind of log (ADR 0013): the relay and the workers write them; staff act on dead tasks only.
    (OutboxMessage, "status"): "outbox log",
    (MessageDelivery, "status"): "delivery log",
    # An attendance row's status is a reference to the statuses-as-data table, set once by the sign-in or the
    # teacher's mark (corrections are a new mark by a named person), not a workflow.
    (Attendance, "status"): "attendance mark",
    # A recompute's run is the worker's log of one task (queued, running, done or failed with its message):
    # nobody moves it, the start is audited (reports/runs.py), and the one-active-run constraint guards it.
    (ReportRun, "status"): "run log",
}


def _subjects(county_a):
    """One way to make a row of each workflow's model in any state (the state set directly: arranging)."""
    employer = make_employer(unit=county_a)
    worker = make_worker(unit=county_a)

    def posting():
        return draft_posting(employer)

    def application():
        return Application.objects.create(posting=posting(), worker=worker, status=ApplicationStatus.ACCEPTED)

    def work_order():
        app = application()
        start = timezone.now() + dt.timedelta(days=1)
        return WorkOrder.objects.create(
            application=app,
            posting=app.posting,
            worker=worker,
            work_date=start.date(),
            starts_at=start,
            ends_at=start + dt.timedelta(hours=8),
            amount=Decimal("200"),
        )

    counter = iter(range(10_000))
    months = iter(range(1, 10_000))

    def walk_batch():
        return DisbursementBatch.objects.create(
            number=f"FF-walk-{next(counter)}",
            program_type=ProgramType.objects.get(code="flexible_social_insurance"),
            scope_unit=county_a,
            created_by=UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF]),
        )

    return {
        Market: lambda: MarketFactory(scope_unit=county_a),
        OnlinePlatform: lambda: OnlinePlatformFactory(scope_unit=county_a),
        Inspection: lambda: InspectionFactory(
            market=MarketFactory(scope_unit=county_a), rectify_deadline=timezone.localdate()
        ),
        EmployerProfile: lambda: make_employer(unit=county_a),
        Posting: posting,
        PostingReport: lambda: jobs_services.posting_report(
            posting=posting(), reporter=None, reason=ReportReason.SCAM
        ),
        Application: application,
        Certificate: lambda: Certificate.objects.create(
            profile=WorkerProfile.objects.get_or_create(user=worker)[0],
            occupation=Occupation.objects.get(code="electrician"),
            name="低压电工作业操作证",
            number=f"T{next(counter)}",
            issuer="潍坊市应急管理局",
        ),
        WorkOrder: work_order,
        Payment: lambda: Payment.objects.create(
            work_order=work_order(),
            backend=PaymentBackend.OFFLINE,
            method=PaymentMethod.CASH,
            idempotency_key=f"walk-{next(counter)}",
            amount=Decimal("200"),
        ),
        Refund: lambda: Refund.objects.create(
            payment=Payment.objects.create(
                work_order=work_order(),
                backend=PaymentBackend.SANDBOX,
                method=PaymentMethod.ONLINE,
                idempotency_key=f"walk-{next(counter)}",
                amount=Decimal("200"),
                status="succeeded",
            ),
            idempotency_key=f"walk-refund-{next(counter)}",
            amount=Decimal("200"),
            reason="测试",
        ),
        Rating: lambda: Rating.objects.create(
            work_order=(order := work_order()),
            direction=RatingDirection.EMPLOYER_TO_WORKER,
            rater=order.posting.employer.user,
            ratee=worker,
            stars=3,
        ),
        DeadTask: lambda: DeadTask.objects.create(
            task="core.tasks.audit_purge_task", task_id="t", exception="E"
        ),
        WageGuidance: lambda: WageGuidance.objects.create(
            month=dt.date(2020, 1, 1) + dt.timedelta(days=31 * next(counter))
        ),
        PolicyArticle: lambda: PolicyArticle.objects.create(
            title="政策", category="employment", effective_from=dt.date(2026, 1, 1), body="正文"
        ),
        Question: lambda: Question.objects.create(
            scope_unit=county_a,
            channel="online",
            category="employment",
            title="问",
            body="问",
            due_on=dt.date(2026, 1, 8),
            due_at=timezone.now(),
            remind_at=timezone.now(),
        ),
        GuidanceBooking: lambda: GuidanceBooking.objects.create(
            slot=GuidanceSlot.objects.create(
                market=MarketFactory(scope_unit=county_a),
                starts_at=timezone.now() + dt.timedelta(days=1),
                ends_at=timezone.now() + dt.timedelta(days=1, hours=1),
                counsellor="张老师",
            ),
            person=UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
        ),
        Institution: lambda: make_institution(unit_code=county_a.code),
        TrainingClass: lambda: make_class(make_institution(unit_code=county_a.code)),
        Enrollment: lambda: enroll(make_class(make_institution(unit_code=county_a.code))),
        TrainingClaim: lambda: TrainingClaim.objects.create(
            enrollment=enroll(make_class(make_institution(unit_code=county_a.code))),
            claimant_kind="person",
            amount=800,
            rule_version="SD-2025-37",
            evidence_sha256="0" * 64,
            created_by=UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
        ),
        # each on its own lane: the one-running-import constraint is per lane
        ContributionImport: lambda: ContributionImport.objects.create(
            file="subsidies/contributions/walk.csv",
            file_name="walk.csv",
            lane=f"walk-{next(counter)}",
            uploaded_by=UserFactory(scope_unit=county_a, roles=[Role.CITY_STAFF]),
        ),
        OfferRun: lambda: OfferRun.objects.create(as_of=dt.date(2026, 4, 10), lane=f"walk-{next(counter)}"),
        Offer: lambda: Offer.objects.create(
            person=UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
            program_type=ProgramType.objects.get(code="flexible_social_insurance"),
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31),
            amount=Decimal("300.00"),
            decision=EligibilityDecision.objects.create(
                person=worker,
                program_type=ProgramType.objects.get(code="flexible_social_insurance"),
                period_start=dt.date(2026, 3, 1),
                period_end=dt.date(2026, 3, 31),
                eligible=True,
                amount=Decimal("300.00"),
                digest="0" * 64,
            ),
        ),
        SubsidyApplication: lambda: SubsidyApplication.objects.create(
            number=f"BT-walk-{next(counter)}",
            person=worker,
            program_type=ProgramType.objects.get(code="flexible_social_insurance"),
            scope_unit=county_a,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 1, 31),
            amount_requested=Decimal("300.00"),
        ),
        Objection: lambda: Objection.objects.create(
            application=SubsidyApplication.objects.create(
                number=f"BT-obj-{next(counter)}",
                person=worker,
                program_type=ProgramType.objects.get(code="flexible_social_insurance"),
                scope_unit=county_a,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 1, 31),
                amount_requested=Decimal("300.00"),
                status="public_notice",
            ),
            text="走查异议",
        ),
        OperatorAssessment: lambda: OperatorAssessment.objects.create(
            market=MarketFactory(scope_unit=county_a),
            period_start=dt.date(2026, 7, 1),
            period_end=dt.date(2026, 9, 30),
        ),
        # disbursement (ADR 0035): a batch, a payment in it (each on its own application: one live payment
        # per application), a run on its own batch (one running run per batch)
        DisbursementBatch: lambda: walk_batch(),
        SubsidyPayment: lambda: SubsidyPayment.objects.create(
            batch=walk_batch(),
            application=SubsidyApplication.objects.create(
                number=f"BT-pay-{next(counter)}",
                person=worker,
                program_type=ProgramType.objects.get(code="flexible_social_insurance"),
                scope_unit=county_a,
                period_start=dt.date(2026, 1, 1),
                period_end=dt.date(2026, 1, 31),
                amount_requested=Decimal("300.00"),
            ),
            person=worker,
            idempotency_key=f"SUB-walk-{next(counter)}",
            amount=Decimal("300.00"),
            account_kind="ss_card",
            bank_name="潍坊银行",
            holder_name="走查",
            account_masked="****0018",
        ),
        DisbursementRun: lambda: DisbursementRun.objects.create(
            batch=(batch := walk_batch()),
            kind="generate",
            lane=f"batch:{batch.pk}",
            started_by=batch.created_by,
        ),
        PeriodApproval: lambda: PeriodApproval.objects.create(
            period=f"{2000 + (m := next(months)) // 12}{m % 12 + 1:02d}", org_unit=county_a
        ),
        Case: lambda: Case.objects.create(
            number=f"TS-walk-{next(counter)}",
            scope_unit=county_a,
            channel="online",
            relationship_type="labour",
            queue="inspection",
            respondent_name="某建筑公司",
            facts="欠薪",
        ),
        SafetyReport: lambda: SafetyReport.objects.create(
            number=f"YH-walk-{next(counter)}",
            scope_unit=county_a,
            market=(market := MarketFactory(scope_unit=county_a)),
            hazard_kind="fire",
            description="电线裸露",
            inspection=InspectionFactory(market=market),
            dismiss_reason="走查",
        ),
    }


def _in_state(make, workflow, status):
    row = make()
    # Arranging the starting state directly (a test's privilege; the code under test never does this).
    type(row)._default_manager.filter(pk=row.pk).update(**{workflow.field: status})
    row.refresh_from_db()
    return row


def test_every_status_field_has_a_workflow_with_a_complete_table():
    covered = {(w.model, w.field) for w in REGISTRY}
    for config in (apps.get_app_config(label) for label in APPS):
        for model in config.get_models():
            for field in model._meta.concrete_fields:
                if (
                    field.name != "status"
                    and not field.name.endswith("_status")
                    and (model, field.name) not in covered
                ):
                    continue
                if (model, field.name) in NOT_WORKFLOWS:
                    continue
                if field.name in ("from_status", "to_status"):
                    continue  # the event rows' own columns
                assert (model, field.name) in covered, f"{model._meta.label}.{field.name} has no workflow"
    for workflow in REGISTRY:
        field = workflow.model._meta.get_field(workflow.field)
        values = {value for value, _label in field.choices}
        assert set(workflow.table) == values, f"{workflow.label}: the table must list every status"
        for targets in workflow.table.values():
            assert set(targets) <= values, workflow.label


@pytest.mark.django_db
def test_every_edge_of_every_table_writes_the_status_an_event_row_and_an_audit_row(county_a):
    actor = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    helped = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
    subjects = _subjects(county_a)
    walked = 0
    for workflow in REGISTRY:
        make = subjects[workflow.model]
        for from_status, to_status in workflow.edges():
            row = _in_state(make, workflow, from_status)
            events = workflow.event_model._default_manager.filter(**{workflow.subject: row})
            before_events = events.count()
            with transaction.atomic():
                workflow.move(row, to_status, actor=actor, reason="走查", on_behalf_of=helped)
            row.refresh_from_db()
            assert getattr(row, workflow.field) == to_status, workflow.label
            assert events.count() == before_events + 1, (workflow.label, from_status, to_status)
            event = events.order_by("-id").first()
            assert (event.from_status, event.to_status) == (from_status, to_status)
            assert (event.actor, event.on_behalf_of, event.reason) == (actor, helped, "走查")
            audit = AuditLog.objects.filter(
                action=AuditAction.TRANSITION,
                content_type=ContentType.objects.get_for_model(workflow.model),
                object_id=str(row.pk),
            ).latest("id")
            assert audit.before == {workflow.field: from_status}
            assert audit.after == {workflow.field: to_status}
            assert (audit.actor, audit.on_behalf_of, audit.reason) == (actor, helped, "走查")
            walked += 1
    assert walked == sum(len(w.edges()) for w in REGISTRY) > 40


@pytest.mark.django_db
def test_an_edge_outside_the_table_is_409_and_changes_nothing(county_a):
    subjects = _subjects(county_a)
    for workflow in REGISTRY:
        terminal = next((s for s, targets in workflow.table.items() if not targets), None)
        if terminal is None:
            continue
        row = _in_state(subjects[workflow.model], workflow, terminal)
        target = next(iter(workflow.table))  # any status: nothing leaves a terminal one
        events = workflow.event_model._default_manager.filter(**{workflow.subject: row}).count()
        with pytest.raises(InvalidTransition), transaction.atomic():
            workflow.move(row, target, actor=None)
        row.refresh_from_db()
        assert getattr(row, workflow.field) == terminal
        assert workflow.event_model._default_manager.filter(**{workflow.subject: row}).count() == events


def test_move_refuses_to_run_outside_a_transaction(transactional_db):
    workflow = workflow_for(Market)
    with pytest.raises(RuntimeError):
        workflow.move(Market(pk=1, status="planned"), "operating", actor=None)


WORKFLOW_FIELDS = sorted({w.field for w in REGISTRY})
# ``row.status = …`` or ``.update(status=…)`` in Python (not ``w.status = %s`` in an SQL string).
ASSIGNMENT = re.compile(
    r"\.(%s)\s*=(?!=|\s*%%s)|update\([^)]*\b(%s)=" % ("|".join(WORKFLOW_FIELDS), "|".join(WORKFLOW_FIELDS))
)
# Where a status is assigned on purpose: the helper itself (by setattr), the delivery logs (webhooks, the
# outbox, messages) and the recompute runs' log (reports.runs: a ReportRun is no workflow, NOT_WORKFLOWS).
ASSIGNMENT_ALLOWED = {
    "core/workflow.py",
    "markets/publishing.py",
    "core/queue.py",
    "core/notifications.py",
    "reports/runs.py",
}


def test_no_code_but_the_workflow_helper_assigns_a_workflow_field():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            rel = path.relative_to(ROOT).as_posix()
            if "/migrations/" in rel or rel in ASSIGNMENT_ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if ASSIGNMENT.search(line):
                    offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "status set outside Workflow.move:\n" + "\n".join(offenders)
