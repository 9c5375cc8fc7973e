"""Role rules for jobs, shared by the API and the pages. Scope is not here: it lives in the querysets
(``visible_to`` through the selectors); these only answer "may this kind of person do this at all"."""

from __future__ import annotations

from rest_framework import permissions

from core.scope import scope_of


def _has_role(user, role: str) -> bool:
    return bool(
        getattr(user, "is_authenticated", False) and getattr(user, "has_role", None) and user.has_role(role)
    )


def is_jobs_staff(user) -> bool:
    """County or city staff who work on postings (review, referral): a scope and the model permission."""
    return bool(
        getattr(user, "is_authenticated", False)
        and not scope_of(user).is_empty
        and getattr(user, "pk", None)
        and user.has_perm("jobs.change_posting")
    )


def is_market_operator(user) -> bool:
    return _has_role(user, "market_operator")


def can_serve_counter(user) -> bool:
    """Counter service: county/city staff who may register workers, and market operators' counter staff."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return False
    staff = not scope_of(user).is_empty and user.has_perm("jobs.change_workerprofile")
    return staff or is_market_operator(user)


def employer_profile_of(user):
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return None
    from .models import EmployerProfile

    return EmployerProfile.objects.filter(user=user).select_related("scope_unit").first()


def is_employer(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return False
    return _has_role(user, "employer") or hasattr(user, "employer_profile")


def is_worker(user) -> bool:
    return _has_role(user, "worker")


class IsEmployerOrJobsStaff(permissions.BasePermission):
    """Posting writes: employers (their own postings) and staff in scope (checked by the services)."""

    def has_permission(self, request, view):
        return is_employer(request.user) or is_jobs_staff(request.user)


class IsJobsReviewer(permissions.BasePermission):
    """Review actions (approve, reject): staff with the posting permission; scope is the queryset's."""

    def has_permission(self, request, view):
        return is_jobs_staff(request.user)


class AuthenticatedRead(permissions.BasePermission):
    """Scoped lists for any signed-in person or county system; writes are decided per action."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated)


class CanApply(permissions.BasePermission):
    """Applying: a worker for themselves, or staff / market counter staff for a worker."""

    def has_permission(self, request, view):
        user = request.user
        return is_worker(user) or is_jobs_staff(user) or can_serve_counter(user)


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
