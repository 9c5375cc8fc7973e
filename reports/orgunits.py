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
    unit = ScopeUnit.objects.filter(code=code).first()
    if unit is None or not scope.covers(unit.pk):
        raise NotFound(_("未找到该统计单位。"))
    return OrgUnit(unit.code, unit.name, unit.pk)
