"""Money rules (DESIGN.md): Decimal throughout; amounts in yuan with 2 places, unit rates up to 4.

Daily-equivalent wage: per day as is; per hour × 8; per piece or per job = amount paid ÷ hours worked × 8
once worked, else the employer's stated estimate. Minimum wages are rows with effective dates: the hourly
standard of the county's tier × 8 is the daily floor."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from core.models import ScopeUnit

from .choices import WageUnit
from .models import CountyWageTier, MinimumWageTier

CENT = Decimal("0.01")
HOURS_PER_DAY = Decimal(8)


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def daily_equivalent(
    *,
    amount: Decimal,
    unit: str,
    estimated_daily: Decimal | None = None,
    amount_paid: Decimal | None = None,
    hours_worked: Decimal | None = None,
) -> Decimal | None:
    """The daily-equivalent wage in yuan (2 places), or None when it cannot be known yet."""
    if unit == WageUnit.DAY:
        return to_cents(amount)
    if unit == WageUnit.HOUR:
        return to_cents(amount * HOURS_PER_DAY)
    if amount_paid is not None and hours_worked:
        return to_cents(amount_paid / hours_worked * HOURS_PER_DAY)
    return to_cents(estimated_daily) if estimated_daily is not None else None


@dataclass(frozen=True)
class MinimumWage:
    tier: int
    hourly: Decimal
    effective_from: dt.date
    notice: str

    @property
    def daily(self) -> Decimal:
        return to_cents(self.hourly * HOURS_PER_DAY)


def minimum_wage(scope_unit: ScopeUnit, on: dt.date) -> MinimumWage | None:
    """The minimum wage in force for a county on a date (its tier, then that tier's standard)."""
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
        tier=tier.tier, hourly=standard.hourly, effective_from=standard.effective_from, notice=standard.notice
    )
