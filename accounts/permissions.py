"""Role rules: which Django model permissions each role carries. ``RoleBackend`` grants them, so the admin,
the API (``core.permissions.ModelPermission``) and the pages ask the same question. Scope is not here: it
lives in the querysets (``visible_to``)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fnmatch import fnmatchcase
from functools import cache

from django.contrib.auth.models import Permission

from .choices import Role

# Patterns over "app_label.codename" for the models of core and accounts. Every other app declares its own
# in its permissions.py (ROLE_PERMISSIONS, API_CLIENT_PERMISSIONS) and hands them to ``register`` from its
# AppConfig.ready(): strings, not imports, so the import direction holds.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CITY_STAFF: (
        "core.view_division",
        "core.*_scopeunit",
        "core.*_minimumwagetier",
        "core.*_countywagetier",
        "core.*_calendarday",
        "core.reveal_personal_data",
        "core.view_outboxmessage",
        "core.view_messagedelivery",
        "core.*_messagetemplate",
        "core.view_deadtask",
        "core.change_deadtask",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.add_user",
        "accounts.*_rolegrant",
        "accounts.view_organization",
        "accounts.change_organization",
        "accounts.view_apiclient",
        "accounts.add_apiclient",
        "accounts.change_apiclient",
        "accounts.*_privacynotice",
        "accounts.view_consent",
        "accounts.view_wechatbinding",
        "accounts.delete_wechatbinding",
        "accounts.view_counteraccount",
        "accounts.change_counteraccount",
        "django_celery_beat.*",
    ),
    Role.COUNTY_STAFF: (
        "core.view_division",
        "core.view_scopeunit",
        "core.view_minimumwagetier",
        "core.view_countywagetier",
        "core.view_calendarday",
        "core.reveal_personal_data",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_organization",
        "accounts.change_organization",
        "accounts.view_consent",
        "accounts.view_counteraccount",
        "accounts.change_counteraccount",
    ),
    # Auditors read everything in their scope and change nothing; the audit trail is theirs to read.
    Role.AUDITOR: ("*.view_*",),
}

# County office systems read; they never write or reveal.
API_CLIENT_PERMISSIONS: frozenset[str] = frozenset(
    {
        "core.view_division",
        "core.view_scopeunit",
        "accounts.view_user",
        "accounts.view_organization",
    }
)

_registered_roles: dict[str, list[str]] = {}
_registered_api: set[str] = set()


def register(*, roles: Mapping[str, Iterable[str]], api_client: Iterable[str] = ()) -> None:
    """An app's role permissions (patterns over its own "app_label.codename"), collected here."""
    for role, patterns in roles.items():
        _registered_roles.setdefault(str(role), []).extend(patterns)
    _registered_api.update(api_client)
    _patterns_for.cache_clear()
    api_client_permissions.cache_clear()


def role_patterns(role: str) -> tuple[str, ...]:
    return (*ROLE_PERMISSIONS.get(role, ()), *_registered_roles.get(str(role), ()))


@cache
def api_client_permissions() -> frozenset[str]:
    return frozenset(API_CLIENT_PERMISSIONS | _registered_api)


EXCLUDED_APPS = ("admin", "contenttypes", "sessions", "axes")


@cache
def _all_permissions() -> tuple[str, ...]:
    rows = Permission.objects.exclude(content_type__app_label__in=EXCLUDED_APPS).values_list(
        "content_type__app_label", "codename"
    )
    return tuple(f"{app}.{codename}" for app, codename in rows)


@cache
def _patterns_for(roles: frozenset[str]) -> tuple[str, ...]:
    return tuple(p for role in sorted(roles) for p in role_patterns(role))


def permissions_for_roles(roles) -> frozenset[str]:
    patterns = _patterns_for(frozenset(str(r) for r in roles))
    if not patterns:
        return frozenset()
    return frozenset(perm for perm in _all_permissions() if any(fnmatchcase(perm, p) for p in patterns))


def keeps_counter_accounts(user) -> bool:
    """Who creates and serves counter-managed accounts (ADR 0019): county or city staff and market operators'
    counter staff — the counter roles. Any of them, anywhere in the city, may serve a card holder."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if getattr(user, "api_client", None) is not None:
        return False
    roles = getattr(user, "role_set", frozenset())
    return bool(roles & {Role.COUNTY_STAFF, Role.CITY_STAFF, Role.MARKET_OPERATOR})


def reset_cache() -> None:
    _all_permissions.cache_clear()
