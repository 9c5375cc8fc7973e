"""The daily-equivalent wage (DESIGN.md): per day as is; per hour × 8; per piece or per job = amount paid ÷
hours worked × 8 once worked, else the employer's stated estimate. Used for filters, the minimum-wage check
(``core.wages.minimum_wage``) and wage guidance."""

from __future__ import annotations

from decimal import Decimal

from core.wages import HOURS_PER_DAY, to_cents

from .choices import WageUnit


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
