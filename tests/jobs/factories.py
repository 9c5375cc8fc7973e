"""Factories for jobs. Postings go through the real service (daily wage, screening, search tokens), so a
factory posting is what an employer would have made; `published_posting` walks the review workflow."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from core.models import ScopeUnit
from jobs import services
from jobs.choices import EmployerKind, Settlement, VerificationStatus, WageUnit
from jobs.models import EmployerProfile, Occupation, WorkerProfile
from tests.accounts.factories import UserFactory


def occupation(code: str = "electrician") -> Occupation:
    return Occupation.objects.get(code=code)


def make_employer(
    *, unit: ScopeUnit | None = None, approved: bool = True, trusted: bool = False, user=None
) -> EmployerProfile:
    unit = unit or ScopeUnit.objects.get(code="370702")
    user = user or UserFactory(scope_unit=unit, roles=[Role.EMPLOYER])
    return EmployerProfile.objects.create(
        user=user,
        kind=EmployerKind.PERSON,
        display_name=f"{user.real_name}家",
        scope_unit=unit,
        status=VerificationStatus.APPROVED if approved else VerificationStatus.PENDING,
        trusted=trusted,
    )


def posting_data(**overrides) -> dict:
    unit = overrides.pop("scope_unit", None) or ScopeUnit.objects.get(code="370702")
    today = timezone.localdate()
    data = {
        "occupation": occupation("cleaner"),
        "title": "家庭保洁 半天",
        "description": "三室一厅开荒保洁，自带工具者优先。",
        "requirements": "",
        "scope_unit": unit,
        "address": "潍城区胜利西街100号",
        "lat": 36.7100,
        "lng": 119.0240,
        "work_start_date": today + dt.timedelta(days=1),
        "work_end_date": today + dt.timedelta(days=1),
        "start_time": dt.time(8, 0),
        "end_time": dt.time(17, 0),
        "headcount": 2,
        "wage_amount": Decimal("220"),
        "wage_unit": WageUnit.DAY,
        "settlement": Settlement.DAILY,
        "contact_name": "周女士",
        "contact_phone": "13700000001",
    }
    data.update(overrides)
    return data


def draft_posting(employer: EmployerProfile | None = None, **overrides):
    employer = employer or make_employer()
    return services.posting_create(
        employer=employer, actor=employer.user, data=posting_data(**overrides)
    ).posting


def published_posting(employer: EmployerProfile | None = None, reviewer=None, **overrides):
    """A posting through draft → pending_review → published (reviewed by a county officer in scope)."""
    employer = employer or make_employer(unit=overrides.get("scope_unit"))
    posting = draft_posting(employer, **overrides)
    services.posting_submit(posting=posting, actor=employer.user)
    posting.refresh_from_db()
    if posting.status == "pending_review":
        reviewer = reviewer or UserFactory(scope_unit=posting.scope_unit, roles=[Role.COUNTY_STAFF])
        checklist = {key: True for key, _ in services.REVIEW_CHECKLIST}
        services.posting_approve(posting=posting, actor=reviewer, checklist=checklist)
        posting.refresh_from_db()
    return posting


def make_worker(
    *, unit: ScopeUnit | None = None, skills=(("cleaner", "skilled", 3),), lat=36.71, lng=119.03, **profile
):
    unit = unit or ScopeUnit.objects.get(code="370702")
    user = UserFactory(scope_unit=unit, roles=[Role.WORKER])
    defaults = {
        "home_lat": lat,
        "home_lng": lng,
        "expected_wage": Decimal("200"),
        "expected_unit": WageUnit.DAY,
    }
    defaults.update(profile)
    services.worker_profile_save(
        user=user,
        actor=user,
        data=defaults,
        skills=[(occupation(code), level, years) for code, level, years in skills],
    )
    return user


def worker_profile(user) -> WorkerProfile:
    return WorkerProfile.objects.get(user=user)
