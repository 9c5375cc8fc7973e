"""Pure arithmetic of work and pay, shared by the services and the reads: planned times of a work date,
hours between two instants, the amount due by the posting's wage unit (DESIGN.md's money rules)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext as _

from core.wages import CENT, HOURS_PER_DAY, to_cents
from jobs.choices import WageUnit
from jobs.wages import daily_equivalent

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
HOUR = Decimal(3600)
MAX_HOURS = Decimal(24)


def planned_times(posting, day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A work date's planned start and end in Asia/Shanghai; a shift past midnight ends the next day."""
    starts = dt.datetime.combine(day, posting.start_time, tzinfo=SHANGHAI)
    ends = dt.datetime.combine(day, posting.end_time, tzinfo=SHANGHAI)
    if ends <= starts:
        ends += dt.timedelta(days=1)
    return starts, ends


def hours_between(start: dt.datetime, end: dt.datetime) -> Decimal:
    """Hours worked between two instants: Decimal, 2 places, never below 0 or above 24."""
    seconds = Decimal(int((end - start).total_seconds()))
    hours = (seconds / HOUR).quantize(CENT, rounding=ROUND_HALF_UP)
    return min(max(hours, Decimal(0)), MAX_HOURS)


def notice_hours(starts_at: dt.datetime, now: dt.datetime) -> Decimal:
    """Hours between now and a planned start, one decimal (negative after it), within the column's range."""
    notice = (Decimal(int((starts_at - now).total_seconds())) / HOUR).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return max(min(notice, Decimal("99999.9")), Decimal("-99999.9"))


def format_distance(metres: float) -> str:
    if metres >= 1000:
        return _("%(km)s公里") % {"km": f"{metres / 1000:.1f}"}
    return _("%(m)s米") % {"m": int(round(metres))}


def compute_amount(order) -> tuple[Decimal, Decimal | None]:
    """(amount, daily_wage) from the posting's wage unit: per hour rate × hours; per day the rate for the
    day worked; per piece rate × pieces; per job the job amount, shared over its work dates (the last date
    takes the remainder, so the shares add up to the job amount). Piece work with no count recorded falls
    back to the employer's estimated daily income for the hours worked."""
    posting = order.posting
    rate, unit = posting.wage_amount, posting.wage_unit
    hours = order.hours_worked or Decimal(0)
    if unit == WageUnit.HOUR:
        amount = rate * hours
    elif unit == WageUnit.DAY:
        amount = rate
    elif unit == WageUnit.PIECE:
        if order.pieces is not None:
            amount = rate * order.pieces
        else:
            amount = (posting.estimated_daily_wage or Decimal(0)) * min(hours, HOURS_PER_DAY) / HOURS_PER_DAY
    else:
        dates = posting.work_dates
        share = to_cents(rate / len(dates))
        amount = rate - share * (len(dates) - 1) if order.work_date == dates[-1] else share
    amount = to_cents(amount)
    daily = daily_equivalent(
        amount=rate,
        unit=unit,
        estimated_daily=posting.estimated_daily_wage,
        amount_paid=amount,
        hours_worked=order.hours_worked,
    )
    return amount, daily
