"""Scoped reads for jobs, and the reads that later apps will answer (wage guidance, blacklist)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from core.scope import scope_of

from .choices import PostingStatus
from .models import Application, Certificate, EmployerProfile, Occupation, Posting, WorkerProfile


def wage_guidance_median(
    *, occupation: Occupation, scope_unit=None, on: dt.date | None = None
) -> Decimal | None:
    """The published guidance median (daily) for an occupation. Wage guidance is published by the
    work-and-pay issue; until a month is published there is nothing to compare with."""
    from importlib import import_module

    try:
        guidance = import_module("jobs.guidance")
    except ModuleNotFoundError:
        return None
    return guidance.published_median(occupation=occupation, scope_unit=scope_unit, on=on)


def employer_blacklisted(*, employer: EmployerProfile) -> bool:
    """Whether the employer is on the wage-arrears blacklist. The blacklist is kept by the disputes app,
    which registers its check here; before it exists nobody is blacklisted."""
    return any(check(employer) for check in BLACKLIST_CHECKS)


BLACKLIST_CHECKS: list = []


def posting_list_public():
    return Posting.objects.open().select_related(
        "occupation", "occupation__parent", "scope_unit", "employer", "market"
    )


def posting_list(*, user):
    """Staff: their scope's postings, any status. Employers: their own, plus the open ones. Everyone else:
    open postings."""
    base = Posting.objects.select_related(
        "occupation", "occupation__parent", "scope_unit", "employer", "market"
    )
    scope = scope_of(user)
    if not scope.is_empty:
        return base.visible_to(user)
    if getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        today = timezone.localdate()
        return base.filter(
            Q(employer__user=user) | Q(status=PostingStatus.PUBLISHED, work_end_date__gte=today)
        )
    return base.open()


def posting_get_for_employer(*, user, pk: int) -> Posting | None:
    return (
        Posting.objects.filter(pk=pk, employer__user=user)
        .select_related("occupation", "employer", "scope_unit")
        .first()
    )


def application_list(*, user):
    return Application.objects.visible_to(user).select_related(
        "posting", "posting__occupation", "posting__employer", "worker"
    )


def worker_profile_for(user) -> WorkerProfile | None:
    return (
        WorkerProfile.objects.filter(user=user)
        .prefetch_related(
            "skills__occupation",
            Prefetch("certificates", queryset=Certificate.objects.select_related("occupation")),
        )
        .first()
    )


def eligibility_problem(*, worker, occupation: Occupation, on: dt.date | None = None) -> str | None:
    """Why a worker may not take work in an occupation, or None. Licensed occupations need a valid
    certificate on record; minors never do licensed or minors-forbidden work."""
    from django.utils.translation import gettext as _

    on = on or timezone.localdate()
    if occupation.closed_to_minors and worker.is_minor:
        return _("未满18周岁不能从事该工种。")
    if occupation.licensed:
        ok = (
            Certificate.objects.filter(profile__user=worker, occupation=occupation)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
            .exists()
        )
        if not ok:
            return _("该工种为特种作业，须持有效的操作证书。")
    return None
