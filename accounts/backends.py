from __future__ import annotations

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

from .permissions import permissions_for_roles
from .validators import normalize_phone


def canonical_phone(value: str | None) -> str:
    """The login name as stored (11 digits), or the input unchanged when it is not a valid number."""
    try:
        return normalize_phone(value or "")
    except ValidationError:
        return (value or "").strip()


def axes_username(request, credentials) -> str:
    """django-axes counts failures per (account, address): normalise the number as login does."""
    raw = (credentials or {}).get("username") or (request.POST.get("username") if request else "")
    return canonical_phone(raw)


class RoleBackend(ModelBackend):
    """Login by mobile number; permissions from the user's role grants as well as Django's own."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.DEBUG and password == settings.LINGONG_DEMO_PASSWORD:
            # The demo city's accounts share a published password: with DEBUG off (a real deployment)
            # it opens nothing, even where a demo database was seeded.
            return None
        return super().authenticate(request, username=canonical_phone(username), password=password, **kwargs)

    def get_user(self, user_id):
        """The signed-in user with their role grants folded into the same query (one query per request)."""
        from .models import User, packed_grants_expression

        user = (
            User._default_manager.annotate(packed_grants=packed_grants_expression())
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        user._grants_packed = True
        return user

    def get_role_permissions(self, user_obj) -> frozenset[str]:
        if not user_obj.is_active or user_obj.is_anonymous:
            return frozenset()
        if not hasattr(user_obj, "_role_perm_cache"):
            user_obj._role_perm_cache = permissions_for_roles(user_obj.role_set)
        return user_obj._role_perm_cache

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous:
            return set()
        return {*super().get_all_permissions(user_obj), *self.get_role_permissions(user_obj)}
