"""Scoped reads of the labour market: postings, applications, registrations, fairs, and the people a counter
may serve. Pages and the API read through these (an object outside the reader's scope is not found)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound, NotPermitted
from core.geo import bounding_box, distance_km_expression
from core.permissions import signed_in
from core.scope import scope_of
from core.services import personal_lookup

from .choices import ApplicationStatus, CertificateStatus, PostingStatus
from .models import (
    Application,
    Certificate,
    EmployerProfile,
    FairBooth,
    Invitation,
    JobFair,
    Occupation,
    Posting,
    WorkerProfile,
)
from .permissions import can_serve_counter, is_jobs_staff, sees_person, staff_for, workers_served_by

# --- postings ---------------------------------------------------------------------------------------------


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
    if signed_in(user):
        today = timezone.localdate()
        return base.filter(
            Q(employer__user=user) | Q(status=PostingStatus.PUBLISHED, work_end_date__gte=today)
        )
    return base.open()


# Statuses a posting has once it was public: its page stays readable after it filled, closed or expired, so
# that shared links and printed QR codes keep working (the apply button is gone, the status says why).
ONCE_PUBLIC = (PostingStatus.PUBLISHED, PostingStatus.FILLED, PostingStatus.CLOSED, PostingStatus.EXPIRED)


def posting_for_page(*, user, pk: int) -> Posting | None:
    """A posting's public page: what ``posting_list`` shows the user, or any posting that was published once
    (filled, closed, expired). Drafts and postings in review stay hidden from all but their insiders."""
    posting = posting_list(user=user).filter(pk=pk).first()
    if posting is None:
        posting = (
            Posting.objects.select_related(
                "occupation", "occupation__parent", "scope_unit", "employer", "market"
            )
            .filter(pk=pk, status__in=ONCE_PUBLIC)
            .first()
        )
    return posting


def posting_get_for_employer(*, user, pk: int) -> Posting | None:
    return (
        Posting.objects.filter(pk=pk, employer__user=user)
        .select_related("occupation", "employer", "scope_unit")
        .first()
    )


def posting_is_insider(*, posting: Posting, user) -> bool:
    """The posting's employer, or staff in its scope: they see its review note."""
    return (signed_in(user) and posting.employer.user_id == user.pk) or staff_for(user, posting.scope_unit_id)


def contact_visible(*, posting: Posting, user) -> bool:
    """The employer's contact in full: for the employer and the workers they accepted (``sees_person``)."""
    if not signed_in(user):
        return False
    hired = (
        user.pk != posting.employer.user_id
        and Application.objects.filter(
            posting=posting, worker_id=user.pk, status=ApplicationStatus.ACCEPTED
        ).exists()
    )
    return sees_person(
        user,
        person_id=posting.employer.user_id,
        counterpart_id=user.pk,
        hired_until=posting.work_end_date if hired else None,
        unit_id=posting.scope_unit_id,
    )


# --- applications and people ------------------------------------------------------------------------------


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


def certificate_of(*, worker, pk: int) -> Certificate | None:
    """One certificate of the worker (whose pages these are)."""
    return Certificate.objects.filter(pk=pk, profile__user=worker).select_related("profile__user").first()


def invitations_for(*, worker) -> list:
    """Open postings the worker was invited to and has not applied to yet, newest first."""
    return list(
        Invitation.objects.filter(worker=worker, posting__in=Posting.objects.open())
        .exclude(posting__applications__worker=worker)
        .select_related("posting", "posting__employer", "posting__occupation")
        .order_by("-created_at")[:20]
    )


def invited_worker_ids(*, posting) -> set[int]:
    return set(Invitation.objects.filter(posting=posting).values_list("worker_id", flat=True))


def worker_to_invite(*, pk: int):
    """A worker with a job-seeker registration, whom an employer may invite (the service checks the rest)."""
    from accounts.models import User

    return User.objects.filter(pk=pk, is_active=True, worker_profile__isnull=False).first()


def employer_profile_of(user) -> EmployerProfile | None:
    if not signed_in(user):
        return None
    return EmployerProfile.objects.filter(user=user).select_related("scope_unit").first()


def worker_served(*, actor, pk: int):
    """The worker ``pk`` whom staff or a market counter act for (403 for anyone else, 404 outside whom they
    serve)."""
    if not (is_jobs_staff(actor) or can_serve_counter(actor)):
        raise NotPermitted(_("只有工作人员或市场服务台可以代他人办理。"))
    worker = workers_served_by(actor).filter(pk=pk).first()
    if worker is None:
        raise NotFound(_("未找到该劳动者。"))
    return worker


def worker_at_counter(*, actor, phone: str, request=None):
    """The worker a counter serves, found by the whole mobile number they give at the counter (never a
    partial one), or None. The counter service's own lookup right (staff or a market's counter staff):
    audited as a reveal and rate-limited like every lookup by a personal value (ADR 0014)."""
    if not can_serve_counter(actor):
        raise NotPermitted()
    worker = workers_served_by(actor).filter(phone=phone).first()
    personal_lookup(
        actor=actor,
        kind="phone",
        value=phone,
        found=worker is not None,
        reason=_("服务台按手机号查找劳动者"),
        request=request,
    )
    return worker


def eligibility_problem(*, worker, occupation: Occupation, on: dt.date | None = None) -> str | None:
    """Why a worker may not take work in an occupation, or None. Licensed occupations need a certificate on
    record that staff verified and that is valid on the day; minors never do licensed or minors-forbidden
    work."""
    on = on or timezone.localdate()
    if occupation.closed_to_minors and worker.is_minor:
        return _("未满18周岁不能从事该工种。")
    if occupation.licensed:
        certificates = Certificate.objects.filter(profile__user=worker, occupation=occupation).filter(
            Q(expires_on__isnull=True) | Q(expires_on__gte=on)
        )
        if not certificates.filter(status=CertificateStatus.VERIFIED).exists():
            if certificates.exists():
                return _("该工种为特种作业，您的操作证书还没有经过工作人员核验。")
            return _("该工种为特种作业，须持有效的操作证书。")
    return None


# --- fairs ------------------------------------------------------------------------------------------------


def _with_counts(queryset):
    return queryset.select_related("scope_unit", "market").annotate(
        booth_count=Count("booths", distinct=True), registration_count=Count("registrations", distinct=True)
    )


def fair_list(*, user, now: dt.datetime | None = None):
    """Everyone: fairs that have not ended yet (soonest first). Staff also see every fair in their scope,
    past ones included (to record outcomes)."""
    now = now or timezone.now()
    upcoming = Q(ends_at__gte=now)
    scope = scope_of(user)
    if scope.all:
        condition = Q()
    elif scope.unit_ids:
        condition = upcoming | Q(scope_unit_id__in=scope.unit_ids)
    else:
        condition = upcoming
    return _with_counts(JobFair.objects.filter(condition)).order_by("starts_at", "id")


def fair_get(*, user, pk: int) -> JobFair | None:
    return fair_list(user=user).filter(pk=pk).first()


def fair_booths(*, fair: JobFair):
    return FairBooth.objects.filter(fair=fair).select_related("employer").order_by("booked_at", "id")


def fair_can_record(*, user, fair: JobFair) -> bool:
    """Whether the user may record this fair's outcome (staff in scope with the permission)."""
    return staff_for(user, fair.scope_unit_id, "jobs.change_jobfair")


def fair_can_assist(*, user, fair: JobFair) -> bool:
    """Whether the user may register workers for this fair at a counter."""
    if not getattr(user, "is_authenticated", False):
        return False
    return staff_for(user, fair.scope_unit_id) or user.has_role("market_operator")


# --- market boards ---------------------------------------------------------------------------------------

BOARD_MAX_POSTINGS = 60


def board_postings(*, market, today: dt.date, radius_km: float = 10.0, limit: int = BOARD_MAX_POSTINGS):
    """Open postings with work today or tomorrow that are attached to the market or lie within
    ``radius_km`` of it (haversine, after a bounding-box prefilter), soonest first, then nearest."""
    tomorrow = today + dt.timedelta(days=1)
    min_lat, max_lat, min_lng, max_lng = bounding_box(market.lat, market.lng, radius_km)
    near = Q(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    return list(
        Posting.objects.open(today)
        .filter(work_start_date__lte=tomorrow)
        .filter(Q(market=market) | near)
        .annotate(distance_km=distance_km_expression(market.lat, market.lng))
        .filter(Q(market=market) | Q(distance_km__lte=radius_km))
        .select_related("occupation", "employer")
        .order_by("work_start_date", "distance_km", "-daily_wage", "id")[:limit]
    )
