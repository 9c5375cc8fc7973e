"""Demo complaints (called by `manage.py seed_demo`), built through the services: an online wage complaint
from the first worker about the first employer, accepted; a 劳务 complaint routed to guidance. Idempotent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from jobs.models import EmployerProfile

from . import services
from .choices import Channel, ClaimType, RelationshipType
from .models import Case


def seed(stdout=None) -> None:
    if Case.objects.exists():
        return
    worker = (
        User.objects.filter(role_grants__role=Role.WORKER, scope_unit__isnull=False).order_by("pk").first()
    )
    if worker is None:
        return
    staff = (
        User.objects.filter(role_grants__role=Role.COUNTY_STAFF, role_grants__scope_unit=worker.scope_unit)
        .order_by("pk")
        .first()
    )
    employer = EmployerProfile.objects.filter(scope_unit=worker.scope_unit).order_by("pk").first()
    month = timezone.localdate().replace(day=1) - dt.timedelta(days=1)
    wages = services.case_receive(
        actor=worker,
        channel=Channel.ONLINE,
        data={
            "relationship_type": RelationshipType.LABOUR,
            "respondent": employer,
            "respondent_name": "" if employer else "某装修队（王老板）",
            "facts": "上月在工地干了 12 天，约定每天 260 元，至今未付。",
            "withhold_identity": True,
        },
        claims=[
            {
                "claim_type": ClaimType.WAGES,
                "amount": Decimal("3120"),
                "period_from": month.replace(day=1),
                "period_to": month,
            }
        ],
    )
    if staff is not None:
        services.case_accept(case=wages, actor=staff)
    services.case_receive(
        actor=worker,
        channel=Channel.ONLINE,
        data={
            "relationship_type": RelationshipType.SERVICE,
            "respondent_name": "李女士（家庭保洁）",
            "facts": "做了两次上门保洁，说好的 300 元只给了 100 元。",
        },
        claims=[{"claim_type": ClaimType.OTHER, "amount": Decimal("200")}],
    )
    if stdout:
        stdout.write(f"  disputes: {Case.objects.count()} cases")
