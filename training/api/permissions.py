"""The training API's one permission class (the services decide who may do what)."""

from __future__ import annotations

from rest_framework import permissions

from core.permissions import signed_in, token_may_read


class SignedInPermission(permissions.BasePermission):
    """Reads: people (their rows are scoped) and county tokens with the model's view permission; writes:
    people only (the services decide who may do what)."""

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return token_may_read(request, view)
        return signed_in(request.user)
