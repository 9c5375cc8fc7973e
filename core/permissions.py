"""DRF permission classes. Deny by default (``DenyAll`` is the project default): every view states its own.

``ModelPermission`` maps the HTTP method to the Django model permission (view on reads), so the same role
grants that drive the admin drive the API; scope is applied separately, in each view's queryset.
"""

from __future__ import annotations

from rest_framework import permissions


class DenyAll(permissions.BasePermission):
    """The project default: a view that forgets to state its permission serves nobody."""

    def has_permission(self, request, view):
        return False


class PublicReadOnly(permissions.BasePermission):
    """Reference data and public registers: anyone may read, nobody writes through this view."""

    def has_permission(self, request, view):
        return request.method in permissions.SAFE_METHODS


class ModelPermission(permissions.DjangoModelPermissions):
    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


def has_perms(*perms: str) -> type[permissions.BasePermission]:
    """A permission class requiring every named Django permission (e.g. for workflow actions)."""

    class _HasPerms(permissions.BasePermission):
        required = perms

        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(self.required))

    _HasPerms.__name__ = "HasPerms_" + "_".join(p.replace(".", "_") for p in perms)
    return _HasPerms


# --- access inside services -----------------------------------------------------------------------------


def require_access(*, allowed: bool, visible: bool, message=None) -> None:
    """The rule every service applies (the work-order ``_require`` pattern, ADR 0012): a person who may not see
    the record at all gets 404 (``NotFound``: nobody learns that another county's record exists), one who sees
    it but may not take this step gets 403 (``NotPermitted``, with ``message`` when given)."""
    from .errors import NotFound, NotPermitted

    if allowed:
        return
    if not visible:
        raise NotFound()
    raise NotPermitted(message)


def signed_in(user) -> bool:
    """A person (not a county system's token, not anonymous)."""
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "pk", None))


def has_role(user, role: str) -> bool:
    return bool(signed_in(user) and getattr(user, "has_role", None) and user.has_role(role))


def is_api_client(user) -> bool:
    return getattr(user, "api_client", None) is not None


def token_may_read(request, view) -> bool:
    """A county system's token reads only the models its permissions list (``API_CLIENT_PERMISSIONS``): the
    view's model needs its ``view`` permission. People are not asked here (their rows are scoped)."""
    user = request.user
    if not is_api_client(user):
        return True
    model = getattr(getattr(view, "queryset", None), "model", None)
    if model is None:
        try:
            model = view.get_queryset().model
        except (AssertionError, AttributeError):  # a view without a queryset reads no model of its own
            return False
    return user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
