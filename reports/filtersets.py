"""The pull API's query: indicator (code), period (required: 202611, 2026Q4, 2026), org_unit (``city`` or a
scope unit's code; outside the reader's scope → 404) and breakdown (absent or ``total``: the totals; else
the breakdown's key). Parsed into a ``ValuesQuery`` with field-level errors, then applied to the facts the
reader may see."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from core.errors import DomainError

from .models import Fact, Indicator
from .orgunits import OrgUnit, resolve
from .periods import Period, parse_period


@dataclass(frozen=True)
class ValuesQuery:
    period: Period
    indicator: str = ""
    org_unit: OrgUnit | None = None
    breakdown: str = ""

    def apply(self, facts: QuerySet[Fact]) -> QuerySet[Fact]:
        facts = facts.filter(period=self.period.code, breakdown_key=self.breakdown)
        if self.indicator:
            facts = facts.filter(indicator__code=self.indicator)
        if self.org_unit is not None:
            if self.org_unit.unit_id is None:
                facts = facts.filter(org_unit__isnull=True)
            else:
                facts = facts.filter(org_unit_id=self.org_unit.unit_id)
        return facts


def parse_values_query(params, *, principal) -> ValuesQuery:
    period = parse_period(params.get("period"))
    indicator = (params.get("indicator") or "").strip()
    if indicator and not Indicator.objects.filter(code=indicator).exists():
        message = _("没有这个统计指标。")
        raise DomainError(message, code="unknown_indicator", fields={"indicator": [message]})
    breakdown = (params.get("breakdown") or "").strip()
    if breakdown == "total":
        breakdown = ""
    org_code = (params.get("org_unit") or "").strip()
    org_unit = resolve(org_code, principal=principal) if org_code else None
    return ValuesQuery(period=period, indicator=indicator, org_unit=org_unit, breakdown=breakdown)
