"""Token authentication for county office systems (``Authorization: Token lg_…``)."""

from __future__ import annotations

import hmac
import re
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.permissions import SAFE_METHODS

from core.scope import CITY, Scope

from .models import ApiClient, hash_secret
from .permissions import api_client_permissions

TOKEN_PREFIX = "lg_"
TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-]+")


class ApiClientPrincipal:
    """Stands in for ``request.user`` when a county system calls: read-only, scoped to its unit (or, for a
    city-wide token with no unit, to the whole city like city staff)."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, client: ApiClient):
        self.api_client = client

    def __str__(self) -> str:
        return f"api:{self.api_client.name}"

    def get_scope(self) -> Scope:
        if self.api_client.scope_unit_id is None:
            return CITY
        return Scope(unit_ids=frozenset({self.api_client.scope_unit_id}))

    def has_perm(self, perm: str, obj=None) -> bool:
        return perm in api_client_permissions()

    def has_perms(self, perms, obj=None) -> bool:
        return all(self.has_perm(p) for p in perms)

    def has_role(self, role: str) -> bool:
        return False


def split_token(raw: str) -> tuple[str, str] | None:
    """lg_<prefix>_<secret> -> (prefix, secret); None for anything else (also any character a token never
    has, so that nothing odd reaches a query)."""
    if not raw.startswith(TOKEN_PREFIX) or not TOKEN_CHARS.fullmatch(raw) or len(raw) > 200:
        return None
    parts = raw[len(TOKEN_PREFIX) :].split("_", 1)
    if len(parts) != 2 or not all(parts):
        return None
    return parts[0], parts[1]


class ApiClientTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("Token", "Bearer")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] not in self.keywords:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("令牌格式不正确。"))
        parts = split_token(header[1])
        if parts is None:
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        prefix, _secret = parts
        client = ApiClient.objects.select_related("scope_unit").filter(token_prefix=prefix).first()
        if client is None or not hmac.compare_digest(client.token_hash, hash_secret(header[1])):
            raise exceptions.AuthenticationFailed(_("令牌无效。"))
        if not client.is_usable:
            raise exceptions.AuthenticationFailed(_("令牌已过期或已吊销。"))
        view = (getattr(request, "parser_context", None) or {}).get("view")
        if request.method not in SAFE_METHODS and not getattr(view, "token_writes", False):
            # County office systems read; the one write they make is the reports push, whose view opts in
            # (``token_writes``, ADR 0043): every other write by a token is refused.
            raise exceptions.PermissionDenied(_("县（市、区）业务系统的令牌只能读取数据。"))
        now = timezone.now()
        if client.last_used_at is None or now - client.last_used_at > timedelta(minutes=5):
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        return ApiClientPrincipal(client), client

    def authenticate_header(self, request):
        return "Token"
