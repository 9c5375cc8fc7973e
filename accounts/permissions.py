"""Role rules: which Django model permissions each role carries. ``RoleBackend`` grants them, so the admin,
the API (``core.permissions.ModelPermission``) and the pages ask the same question. Scope is not here: it
lives in the querysets (``visible_to``)."""

from __future__ import annotations

from fnmatch import fnmatchcase
from functools import cache

from django.contrib.auth.models import Permission

from .choices import Role

# Patterns over "app_label.codename". Later apps add their models' patterns here.
ROLE_PERMISSIONS: dict[str, tuple[str, ...]] = {
    Role.CITY_STAFF: (
        "core.view_division",
        "core.*_scopeunit",
        "core.reveal_personal_data",
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
        "django_celery_beat.*",
        "markets.*",
        "jobs.*",
    ),
    Role.COUNTY_STAFF: (
        "core.view_division",
        "core.view_scopeunit",
        "core.reveal_personal_data",
        "accounts.view_user",
        "accounts.change_user",
        "accounts.view_organization",
        "accounts.change_organization",
        "accounts.view_consent",
        "markets.view_*",
        "markets.add_market",
        "markets.change_market",
        "markets.*_marketphoto",
        "markets.*_marketoperator",
        "markets.add_publicnotice",
        "markets.change_publicnotice",
        "markets.add_onlineplatform",
        "markets.change_onlineplatform",
        "markets.add_inspection",
        "markets.change_inspection",
        "markets.*_inspectionfinding",
        "markets.*_inspectionphoto",
        "jobs.view_*",
        "jobs.change_posting",
        "jobs.add_posting",
        "jobs.change_employerprofile",
        "jobs.add_workerprofile",
        "jobs.change_workerprofile",
        "jobs.*_workerskill",
        "jobs.*_certificate",
        "jobs.change_application",
        "jobs.change_postingreport",
        "jobs.*_jobfair",
        "jobs.*_fairbooth",
        "jobs.*_fairregistration",
        "jobs.view_*",
        "jobs.change_rating",
        "jobs.change_workorder",
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
        "markets.view_market",
        "markets.view_onlineplatform",
        "markets.view_inspection",
        "jobs.view_occupation",
        "jobs.view_posting",
        "jobs.view_application",
        "jobs.view_jobfair",
    }
)

EXCLUDED_APPS = ("admin", "contenttypes", "sessions", "axes")


@cache
def _all_permissions() -> tuple[str, ...]:
    rows = Permission.objects.exclude(content_type__app_label__in=EXCLUDED_APPS).values_list(
        "content_type__app_label", "codename"
    )
    return tuple(f"{app}.{codename}" for app, codename in rows)


def permissions_for_roles(roles) -> frozenset[str]:
    patterns = [p for role in roles for p in ROLE_PERMISSIONS.get(role, ())]
    if not patterns:
        return frozenset()
    return frozenset(perm for perm in _all_permissions() if any(fnmatchcase(perm, p) for p in patterns))


def reset_cache() -> None:
    _all_permissions.cache_clear()
