"""Work-and-pay test data: settled work orders as history (bulk rows, as the demo's history)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from core.models import ScopeUnit
from jobs.choices import ApplicationStatus
from jobs.models import Application
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer, occupation

MONTH = dt.date(2025, 3, 1)


def settled_orders(
    wages, *, employers: int = 5, occupation_code: str = "cleaner", unit_code: str = "370702", month=MONTH
) -> list[WorkOrder]:
    """Settled work orders with these daily wages in ``month``, spread round-robin over ``employers``
    distinct employers of one county (one posting each; one worker per 28 orders of a posting)."""
    unit = ScopeUnit.objects.get(code=unit_code)
    occ = occupation(occupation_code)
    postings = [
        draft_posting(make_employer(unit=unit), occupation=occ, scope_unit=unit) for _ in range(employers)
    ]
    applications: dict[tuple[int, int], Application] = {}
    workers: list = []
    orders = []
    for i, wage in enumerate(wages):
        posting = postings[i % employers]
        slot = i // employers
        day, w = slot % 28, slot // 28
        while len(workers) <= w:
            workers.append(UserFactory(scope_unit=unit, roles=[Role.WORKER]))
        key = (posting.pk, w)
        if key not in applications:
            applications[key] = Application.objects.create(
                posting=posting, worker=workers[w], status=ApplicationStatus.ACCEPTED
            )
        work_date = month + dt.timedelta(days=day)
        start = timezone.make_aware(dt.datetime.combine(work_date, dt.time(8)))
        orders.append(
            WorkOrder(
                application=applications[key],
                posting=posting,
                worker=workers[w],
                work_date=work_date,
                starts_at=start,
                ends_at=start + dt.timedelta(hours=8),
                status=WorkOrderStatus.SETTLED,
                hours_worked=Decimal("8"),
                amount=Decimal(wage),
                daily_wage=Decimal(wage),
                settled_at=start + dt.timedelta(hours=10),
            )
        )
    return WorkOrder.objects.bulk_create(orders)
