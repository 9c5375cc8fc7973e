"""Report org units: the city (code ``city``) and its scope units — counties and functional zones, each with
its own code (markets come later). An org unit code in a request is resolved here; a unit outside the
reader's scope is 404 exactly like a unit that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import NotFound
from core.models import ScopeUnit
from core.scope import scope_of

CITY = "city"


@dataclass(frozen=True)
class OrgUnit:
    code: str
    name: str
    unit_id: int | None  # None: the whole city


def units() -> list[ScopeUnit]:
    """The scope units the reports are computed for (active counties and zones), in code order."""
    return list(ScopeUnit.objects.filter(is_active=True).order_by("code"))


def resolve(code: str, *, principal) -> OrgUnit:
    """The org unit a code names, as ``principal`` may read it; 404 for an unknown code or one outside
    their scope (a county reader asking for the city or another county)."""
    scope = scope_of(principal)
    code = (code or "").strip()
    if code == CITY:
        if not scope.all:
            raise NotFound(_("未找到该统计单位。"))
        return OrgUnit(CITY, _("全市"), None)
    unit = _own_unit(principal, code) or ScopeUnit.objects.filter(code=code).first()
    if unit is None or not scope.covers(unit.pk):
        raise NotFound(_("未找到该统计单位。"))
    return OrgUnit(unit.code, unit.name, unit.pk)


def _own_unit(principal, code: str) -> ScopeUnit | None:
    """A county token asking for its own unit: the unit came with the token's row (``select_related`` in
    ``accounts.authentication``), so the county-month report needs no query to resolve it."""
    client = getattr(principal, "api_client", None)
    if client is None or client.scope_unit_id is None:
        return None
    unit = client.scope_unit  # loaded with the token
    return unit if unit.code == code else None
