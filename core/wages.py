"""Money rules (DESIGN.md) and the minimum wage in force (ADR 0010): Decimal throughout, amounts in yuan with
2 places. Minimum wages are rows with effective dates — a tier's standard (``MinimumWageTier``) and each
county's tier (``CountyWageTier``) — read by postings (the daily floor: the hourly standard × 8) and by
disputes and subsidies (12 × the monthly standard)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .models import CountyWageTier, MinimumWageTier, ScopeUnit

CENT = Decimal("0.01")
HOURS_PER_DAY = Decimal(8)


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MinimumWage:
    tier: int
    hourly: Decimal
    monthly: Decimal
    effective_from: dt.date
    notice: str

    @property
    def daily(self) -> Decimal:
        return to_cents(self.hourly * HOURS_PER_DAY)


def minimum_wage(scope_unit: ScopeUnit, on: dt.date) -> MinimumWage | None:
    """The minimum wage in force for a county (or a functional zone: its own row, else its county's) on a
    date; None when no row covers it (nothing is invented)."""
    tier = None
    for code in (scope_unit.code, scope_unit.division_id):
        tier = (
            CountyWageTier.objects.filter(county_code=code, effective_from__lte=on)
            .order_by("-effective_from")
            .first()
        )
        if tier is not None:
            break
    if tier is None:
        return None
    standard = (
        MinimumWageTier.objects.filter(tier=tier.tier, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )
    if standard is None:
        return None
    return MinimumWage(
        tier=tier.tier,
        hourly=standard.hourly,
        monthly=standard.monthly,
        effective_from=standard.effective_from,
        notice=standard.notice,
    )
