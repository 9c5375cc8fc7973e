"""Who may do what with work and pay. The rule of the services (``require_party``): 404 for a person who may
not see the work order at all, 403 for one who sees it but may not take this step. Role rules over this
app's models are collected by accounts (WorkConfig.ready); the DRF classes only gate the API by role."""

from __future__ import annotations

from rest_framework import permissions

from accounts.choices import Role
from core.permissions import has_role, require_access, signed_in
from core.scope import scope_of
from jobs.permissions import (
    can_serve_counter,
    is_employer,
    is_jobs_staff,
    is_market_operator,
    is_worker,
    serves_card_holder,
)

ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("work.*",),
    Role.COUNTY_STAFF: ("work.view_*", "work.change_rating", "work.change_workorder", "work.add_refund"),
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = ()


# --- relations to a work order --------------------------------------------------------------------------


def is_order_worker(order, actor) -> bool:
    return signed_in(actor) and order.worker_id == actor.pk


def is_order_employer(order, actor) -> bool:
    return signed_in(actor) and order.posting.employer.user_id == actor.pk


def is_order_staff(order, actor) -> bool:
    return scope_of(actor).covers(order.posting.scope_unit_id)


def is_order_counter(order, actor) -> bool:
    """Staff in scope, or a market operator's counter staff serving the worker who came to the counter."""
    return (
        is_order_staff(order, actor)
        or is_market_operator(actor)
        or serves_card_holder(order.worker_id, actor)
    )


def require_party(order, actor, *, worker=False, employer=False, staff=False, counter=False) -> None:
    """404 for a person who may not see the order at all, 403 for one who sees it but may not do this."""
    allowed = (
        (worker and is_order_worker(order, actor))
        or (employer and is_order_employer(order, actor))
        or (staff and is_order_staff(order, actor))
        or (counter and is_order_counter(order, actor))
    )
    visible = is_order_worker(order, actor) or is_order_employer(order, actor) or is_order_staff(order, actor)
    require_access(allowed=allowed, visible=visible)


def may_refund(order, actor) -> bool:
    """The order's employer, or staff in its scope who may refund (``work.add_refund``)."""
    return is_order_employer(order, actor) or (
        is_order_staff(order, actor) and bool(signed_in(actor) and actor.has_perm("work.add_refund"))
    )


def is_rating_staff(user) -> bool:
    """County or city staff (not auditors) who decide appeals; scope is checked per rating."""
    if not signed_in(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    return bool(
        not scope_of(user).is_empty and (has_role(user, Role.COUNTY_STAFF) or has_role(user, Role.CITY_STAFF))
    )


# --- the API's role gates ---------------------------------------------------------------------------------


class IsSignedIn(permissions.BasePermission):
    """A signed-in person; whether they are the right party is the service's question (403 or 404)."""

    def has_permission(self, request, view):
        return signed_in(request.user)


class IsWorkerOrCounter(permissions.BasePermission):
    """Confirm, check in, check out: the worker, or staff / market counter staff acting for them."""

    def has_permission(self, request, view):
        user = request.user
        return is_worker(user) or is_jobs_staff(user) or can_serve_counter(user)


class IsEmployerOrStaff(permissions.BasePermission):
    """Record end, correct hours, approve, no-show, pay: the employer, or staff in scope."""

    def has_permission(self, request, view):
        return is_employer(request.user) or is_jobs_staff(request.user)


class IsWorkOrderParty(permissions.BasePermission):
    """Cancel: the worker, the employer or staff."""

    def has_permission(self, request, view):
        user = request.user
        return is_worker(user) or is_employer(user) or is_jobs_staff(user)


class IsRatingStaff(permissions.BasePermission):
    """Deciding appeals: county or city staff; the rating's scope is the queryset's."""

    def has_permission(self, request, view):
        return is_rating_staff(request.user)
