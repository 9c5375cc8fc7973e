"""Who may do what in the labour market. Role rules (which Django permissions each role carries), the
predicates the services use to decide access (``require_*``: 404 to outsiders, 403 to insiders without the
right), the one rule of who sees a person's name and number unmasked, and the DRF classes that gate the API
by role (the services decide the rest). Scope itself lives in the querysets (``visible_to``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from rest_framework import permissions

from accounts.choices import Role
from core.audit import note_disclosure
from core.permissions import has_role, require_access, signed_in, token_may_read
from core.scope import scope_of

# Role permissions over this app's models, collected by accounts (JobsConfig.ready).
ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("jobs.*",),
    Role.COUNTY_STAFF: (
        "jobs.view_*",
        "jobs.change_posting",
        "jobs.add_posting",
        "jobs.change_employerprofile",
        "jobs.add_workerprofile",
        "jobs.change_workerprofile",
        "jobs.*_workerskill",
        "jobs.*_certificate",
        "jobs.add_personcategory",
        "jobs.change_personcategory",
        "jobs.change_application",
        "jobs.change_postingreport",
        "jobs.*_jobfair",
        "jobs.*_fairbooth",
        "jobs.*_fairregistration",
    ),
}
API_CLIENT_PERMISSIONS = (
    "jobs.view_occupation",
    "jobs.view_posting",
    "jobs.view_application",
    "jobs.view_jobfair",
)


# --- roles ----------------------------------------------------------------------------------------------


def staff_for(actor, unit_id, perm: str | None = None) -> bool:
    """Staff whose scope covers the unit (and who hold ``perm``, when named)."""
    if not scope_of(actor).covers(unit_id):
        return False
    return perm is None or bool(signed_in(actor) and actor.has_perm(perm))


def is_jobs_staff(user) -> bool:
    """County or city staff who work on postings (review, referral): a scope and the model permission."""
    return bool(signed_in(user) and not scope_of(user).is_empty and user.has_perm("jobs.change_posting"))


def is_market_operator(user) -> bool:
    return has_role(user, Role.MARKET_OPERATOR)


def can_serve_counter(user) -> bool:
    """Counter service: county/city staff who may register workers, and market operators' counter staff."""
    if not signed_in(user):
        return False
    staff = not scope_of(user).is_empty and user.has_perm("jobs.change_workerprofile")
    return staff or is_market_operator(user)


def serves_card_holder(worker_id, actor) -> bool:
    """Any counter in the city may act for a counter-managed worker (one with a worker card, ADR 0019); they
    find them only by the card, and every out-of-county access is audited (``jobs.views.counter``)."""
    from accounts.models import CounterAccount

    return can_serve_counter(actor) and CounterAccount.objects.filter(user_id=worker_id).exists()


def is_employer(user) -> bool:
    if not signed_in(user):
        return False
    return has_role(user, Role.EMPLOYER) or hasattr(user, "employer_profile")


def is_worker(user) -> bool:
    return has_role(user, Role.WORKER)


# --- personal data: who sees a person unmasked ----------------------------------------------------------


def hire_is_live(last_work_date: dt.date | None, today: dt.date | None = None) -> bool:
    """A hire's contacts stay open from acceptance until ``LINGONG_HIRE_CONTACT_DAYS`` after its last work
    date (time to settle pay and raise a dispute), then close again."""
    if last_work_date is None:
        return False
    today = today or timezone.localdate()
    return last_work_date + dt.timedelta(days=settings.LINGONG_HIRE_CONTACT_DAYS) >= today


def sees_person(
    viewer, *, person_id: int | None, counterpart_id: int | None, hired_until: dt.date | None, unit_id=None
) -> bool:
    """Whether ``viewer`` may see a person's name and mobile number unmasked: the person themselves, and the
    other party of a live hire (the employer of a worker they accepted; the worker an employer accepted)
    until ``hired_until`` (the hire's last work date) plus the grace days — nobody else, staff included, who
    reveal one value at a time through the audited reveal. Each disclosure to the other party is audited
    (ADR 0014: PIPL art. 13(1)(2), necessary to perform the work agreed). The posting's contact is the
    employer's person; an applicant is the worker's."""
    pk = getattr(viewer, "pk", None)
    if pk is None or not signed_in(viewer):
        return False
    if pk == person_id:
        return True
    if pk == counterpart_id and hire_is_live(hired_until):
        note_disclosure(viewer=viewer, person_id=person_id, unit_id=unit_id)
        return True
    return False


# --- access inside the services -------------------------------------------------------------------------


def require_employer_side(
    posting, actor, *, perm: str = "jobs.change_posting", visible: bool = False
) -> None:
    """A step on a posting (or its applications) that is its employer's, or staff in scope's: 404 for anyone
    else, 403 for those who see it (``visible``: an applicant seeing their own application) or staff in scope
    without ``perm``."""
    own = signed_in(actor) and posting.employer.user_id == actor.pk
    staff = staff_for(actor, posting.scope_unit_id)
    require_access(
        allowed=own or (staff and actor.has_perm(perm)),
        visible=own or staff or visible,
    )


def require_reviewer(posting, actor) -> None:
    """Review (approve, reject): staff in the posting's scope with the posting permission."""
    staff = staff_for(actor, posting.scope_unit_id)
    require_access(allowed=staff and actor.has_perm("jobs.change_posting"), visible=staff)


def may_act_for(worker, actor, *, unit_ids=(), counter: bool = True) -> bool:
    """Acting for a worker (registration, apply, withdraw, fairs): the worker themselves; staff whose scope
    covers the worker or one of ``unit_ids`` (e.g. the posting's county); market counter staff for whoever
    comes to their counter (``counter``)."""
    if signed_in(actor) and actor.pk == worker.pk:
        return True
    staff = any(scope_of(actor).covers(u) for u in (worker.scope_unit_id, *unit_ids))
    return staff or (counter and (is_market_operator(actor) or serves_card_holder(worker.pk, actor)))


def require_for_worker(worker, actor, *, unit_ids=(), counter: bool = True, visible: bool = False) -> None:
    """``may_act_for`` or 404 (403 when the record is ``visible`` to the actor anyway)."""
    require_access(allowed=may_act_for(worker, actor, unit_ids=unit_ids, counter=counter), visible=visible)


def workers_served_by(actor):
    """The people a staff member or market counter may act for: county staff their scope's residents (city
    staff everyone), market counter staff anyone who comes to the market (the services allow it). Found by
    id (API) or by full mobile number (counter page), never by partial search."""
    from accounts.models import User

    people = User.objects.filter(is_active=True, anonymized_at__isnull=True).select_related("scope_unit")
    if not scope_of(actor).is_empty and actor.has_perm("jobs.change_workerprofile"):
        scoped = people.visible_to(actor)
        return people if is_market_operator(actor) else scoped
    if is_market_operator(actor):
        return people
    return people.none()


# --- the API's role gates (who may try a step at all; the services decide the rest) ----------------------


class IsEmployerOrJobsStaff(permissions.BasePermission):
    """Posting and application writes: employers (their own) and staff (in scope: the services check it)."""

    def has_permission(self, request, view):
        return is_employer(request.user) or is_jobs_staff(request.user)


class IsJobsReviewer(permissions.BasePermission):
    """Review actions (approve, reject): staff with the posting permission; scope is the queryset's."""

    def has_permission(self, request, view):
        return is_jobs_staff(request.user)


class AuthenticatedRead(permissions.BasePermission):
    """Scoped lists for any signed-in person, and for a county system whose token lists the model; writes
    are decided per action."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and token_may_read(request, view))


class CanApply(permissions.BasePermission):
    """Applying: a worker for themselves, or staff / market counter staff for a worker."""

    def has_permission(self, request, view):
        user = request.user
        return is_worker(user) or is_jobs_staff(user) or can_serve_counter(user)


class PostingPermission(permissions.BasePermission):
    """Anyone searches and reads open postings; writes are for employers and staff (scope in services)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return IsEmployerOrJobsStaff().has_permission(request, view)


class ApplicationPermission(permissions.BasePermission):
    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return AuthenticatedRead().has_permission(request, view)
        return CanApply().has_permission(request, view)


class PublicReadStaffCreate(permissions.BasePermission):
    """Fairs: anyone reads; creating one needs ``jobs.add_jobfair`` (the service checks the county scope)."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        user = request.user
        return bool(user and user.is_authenticated and user.has_perm("jobs.add_jobfair"))
