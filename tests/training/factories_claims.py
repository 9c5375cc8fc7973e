"""Arrangements for the claims, eligibility and outcome tests: completions with results and certificates,
person categories, settled work, earlier claims. Rows are written directly (the services under test are the
calculator, the claims and the recompute)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from core.models import ScopeUnit
from jobs.choices import ApplicationStatus, PersonCategorySource
from jobs.models import Application, PersonCategory
from training.choices import ClaimantKind, ClaimStatus, EnrollmentStatus
from training.models import Enrollment, TrainingCertificate, TrainingClaim, TrainingResult
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer, occupation
from .factories import enroll, item, make_class, make_institution

_seq = iter(range(1, 10**6))


def person(unit_code: str = "370702"):
    return UserFactory(scope_unit=ScopeUnit.objects.get(code=unit_code), roles=[Role.WORKER])


def category(
    user,
    kind: str,
    valid_from: dt.date,
    valid_to=None,
    *,
    source=PersonCategorySource.STAFF_VERIFIED,
    new_form_kind: str = "",
):
    return PersonCategory.objects.create(
        user=user,
        category=kind,
        new_form_kind=new_form_kind,
        valid_from=valid_from,
        valid_to=valid_to,
        source=source,
    )


def complete(
    enrollment: Enrollment,
    *,
    completed_on: dt.date,
    certificate_on: dt.date | None = None,
    level: str | None = None,
    certified: bool = True,
) -> Enrollment:
    """Mark an enrollment completed with a result and (``certified``) a certificate of the item's type and
    level (or ``level``)."""
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.COMPLETED)
    catalogue_item = enrollment.training_class.item
    TrainingResult.objects.create(
        enrollment=enrollment,
        hours_attended=100,
        hours_required=80,
        passed=True,
        completed=True,
        completed_on=completed_on,
    )
    if certified:
        TrainingCertificate.objects.create(
            enrollment=enrollment,
            certificate_type=catalogue_item.certificate_type,
            level=level or catalogue_item.level,
            number=f"CERT{next(_seq):08d}",
            issuer="潍坊市职业技能鉴定中心",
            issued_on=certificate_on or completed_on,
        )
    enrollment.refresh_from_db()
    return enrollment


def completion(
    worker,
    *,
    item_code: str = "electrician-special",
    starts_on: dt.date = dt.date(2026, 3, 2),
    completed_on: dt.date | None = None,
    certificate_on: dt.date | None = None,
    institution=None,
    fee: Decimal = Decimal("0"),
    certified: bool = True,
) -> Enrollment:
    """A class of ``item_code`` starting on ``starts_on``, the worker enrolled and completed."""
    training_class = make_class(
        institution or make_institution(),
        item_code=item_code,
        starts_on=starts_on,
        fee=fee,
        ends_on=completed_on or starts_on + dt.timedelta(days=20),
    )
    enrollment = enroll(training_class, worker)
    completed_on = completed_on or starts_on + dt.timedelta(days=20)
    return complete(enrollment, completed_on=completed_on, certificate_on=certificate_on, certified=certified)


def prior_claim(
    worker,
    *,
    item_code: str,
    starts_on: dt.date,
    status: str = ClaimStatus.SUBMITTED,
    kind: str = ClaimantKind.PERSON,
    amount: Decimal = Decimal("800"),
) -> TrainingClaim:
    """An earlier claim of the worker (any claimant kind) for a completion of ``item_code``."""
    enrollment = completion(worker, item_code=item_code, starts_on=starts_on)
    return TrainingClaim.objects.create(
        enrollment=enrollment,
        claimant_kind=kind,
        status=status,
        amount=amount,
        rule_version="test",
        evidence={},
        evidence_sha256="",
        created_by=worker,
    )


def settled_work(
    worker,
    work_date: dt.date,
    *,
    wage: str = "200",
    occupation_code: str = "cleaner",
    status: str = WorkOrderStatus.SETTLED,
) -> WorkOrder:
    """One settled work order of the worker on ``work_date`` at ``wage`` a day."""
    unit = ScopeUnit.objects.get(code="370702")
    posting = draft_posting(make_employer(unit=unit), occupation=occupation(occupation_code), scope_unit=unit)
    application = Application.objects.create(
        posting=posting, worker=worker, status=ApplicationStatus.ACCEPTED
    )
    start = timezone.make_aware(dt.datetime.combine(work_date, dt.time(8)))
    return WorkOrder.objects.create(
        application=application,
        posting=posting,
        worker=worker,
        work_date=work_date,
        starts_at=start,
        ends_at=start + dt.timedelta(hours=8),
        status=status,
        hours_worked=Decimal("8"),
        amount=Decimal(wage),
        daily_wage=Decimal(wage),
        settled_at=start + dt.timedelta(hours=10) if status == WorkOrderStatus.SETTLED else None,
    )


__all__ = ["category", "complete", "completion", "item", "person", "prior_claim", "settled_work"]
