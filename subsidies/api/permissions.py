"""The subsidies API's permission classes (the services and the scoped querysets decide the rest)."""

from __future__ import annotations

from rest_framework import permissions

from core.permissions import token_may_read


class SignedInRead(permissions.BasePermission):
    """Reads only: people (their rows are scoped to their county, or their own) and county tokens with the
    model's view permission."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        return request.method in permissions.SAFE_METHODS and token_may_read(request, view)


class StaffRead(permissions.BasePermission):
    """Reads for staff with the model's view permission (county or city), and county tokens likewise."""

    def has_permission(self, request, view):
        if (
            not request.user
            or not request.user.is_authenticated
            or request.method not in permissions.SAFE_METHODS
        ):
            return False
        model = view.queryset.model
        return request.user.has_perm(f"{model._meta.app_label}.view_{model._meta.model_name}")
