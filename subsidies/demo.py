"""Demo subsidies (called by `manage.py seed_demo`): the reference programs; the demo worker 张建国 (潍城区,
born 1968, so within five years of his statutory retirement) certified hard-to-employ by 潍城区's staff through
the jobs service, and the social-insurance system's contribution records for his last three months (as an
import would bring them), and this year's budgets in his county. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.models import User
from core.months import month_start, previous_month
from jobs.choices import PersonCategoryKind
from jobs.models import PersonCategory
from jobs.services.registration import person_category_record

from .models import Budget, ContributionMonth, ProgramType

WORKER_PHONE = "13900000001"
STAFF_PHONE = "13800000002"


def seed(stdout=None) -> None:
    from django.apps import apps

    from .reference import seed_reference

    seed_reference(apps.get_model)
    worker = User.objects.filter(phone=WORKER_PHONE).first()
    staff = User.objects.filter(phone=STAFF_PHONE).first()
    if worker is None or staff is None:
        return
    today = timezone.localdate()
    if not PersonCategory.objects.filter(user=worker, category=PersonCategoryKind.HARD_TO_EMPLOY).exists():
        person_category_record(
            person=worker,
            actor=staff,
            category=PersonCategoryKind.HARD_TO_EMPLOY,
            valid_from=month_start(today) - dt.timedelta(days=200),
            evidence="就业困难人员认定表（大龄失业人员）",
        )
    month = month_start(today)
    for _i in range(3):
        month = previous_month(month)
        ContributionMonth.objects.get_or_create(
            person=worker,
            month=month,
            defaults={
                "pension_paid": Decimal("800.00"),
                "medical_paid": Decimal("320.00"),
                "base": Decimal("4000.00"),
            },
        )
    # a year's budget for each program offered to workers in the demo worker's county (ADR 0030)
    if worker.scope_unit_id:
        for program in ProgramType.objects.filter(offered_to_workers=True):
            Budget.objects.get_or_create(
                program_type=program,
                scope_unit_id=worker.scope_unit_id,
                year=today.year,
                defaults={"amount": Decimal("500000.00"), "notice": "示例预算：上线前按本级预算文件录入"},
            )
    if stdout:
        stdout.write(
            "  subsidies: 4 programs, 1 hard-to-employ certification, 3 contribution months, budgets"
        )
