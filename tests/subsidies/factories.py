"""Subsidies test data: a certified person, settled work days in a month, contribution months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from jobs.choices import ApplicationStatus
from jobs.models import Application
from jobs.services.registration import person_category_record
from subsidies.models import ContributionMonth, ProgramType
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer


def program(code: str = "flexible_social_insurance") -> ProgramType:
    return ProgramType.objects.get(code=code)


def certify(person, category: str = "hard_to_employ", valid_from=dt.date(2025, 9, 1), officer=None):
    """Staff record the category with evidence (jobs' service, as the counter does)."""
    officer = officer or UserFactory(scope_unit=person.scope_unit, roles=[Role.COUNTY_STAFF])
    return person_category_record(
        person=person, actor=officer, category=category, valid_from=valid_from, evidence="认定表"
    )


def work_days(
    person, month: dt.date, days: int, wage: str = "200", *, status=WorkOrderStatus.SETTLED, employer=None
):
    """``days`` work orders of ``person`` on the first days of ``month`` at ``wage`` each."""
    employer = employer or make_employer(unit=person.scope_unit)
    posting = draft_posting(employer, scope_unit=person.scope_unit)
    application = Application.objects.create(
        posting=posting, worker=person, status=ApplicationStatus.ACCEPTED
    )
    orders = []
    for i in range(days):
        work_date = month + dt.timedelta(days=i)
        start = timezone.make_aware(dt.datetime.combine(work_date, dt.time(8)))
        orders.append(
            WorkOrder(
                application=application,
                posting=posting,
                worker=person,
                work_date=work_date,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=8),
                status=status,
                hours_worked=Decimal("8"),
                amount=Decimal(wage),
                daily_wage=Decimal(wage),
                settled_at=start + dt.timedelta(hours=10) if status == WorkOrderStatus.SETTLED else None,
            )
        )
    return WorkOrder.objects.bulk_create(orders)


def contribution(person, month: dt.date, pension="800.00", medical="320.00"):
    return ContributionMonth.objects.create(
        person=person, month=month, pension_paid=Decimal(pension), medical_paid=Decimal(medical)
    )
