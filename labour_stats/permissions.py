"""Who may do what with labour-market statistics. Published figures are public; drafts are staff's to read in
the admin; only city staff publish."""

from __future__ import annotations

from accounts.choices import Role
from core.permissions import signed_in
from core.scope import scope_of

ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("labour_stats.*",),
    Role.COUNTY_STAFF: ("labour_stats.view_*",),
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = ()


def can_publish_guidance(user) -> bool:
    """City staff (a city-wide scope) with the change permission compute and publish; county staff do not."""
    return bool(signed_in(user) and scope_of(user).all and user.has_perm("labour_stats.change_wageguidance"))
