"""Payment cycles: the period a decision (and later an application) covers, from a day in it."""

from __future__ import annotations

import datetime as dt

from core.months import month_start, next_month

from .registry import register


@register("cycle", "monthly")
def monthly(day: dt.date) -> tuple[dt.date, dt.date]:
    start = month_start(day)
    return start, next_month(start) - dt.timedelta(days=1)


@register("cycle", "yearly")
def yearly(day: dt.date) -> tuple[dt.date, dt.date]:
    return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)


@register("cycle", "quarterly")
def quarterly(day: dt.date) -> tuple[dt.date, dt.date]:
    first = (day.month - 1) // 3 * 3 + 1
    start = dt.date(day.year, first, 1)
    end = next_month(next_month(next_month(start))) - dt.timedelta(days=1)
    return start, end


@register("cycle", "per_claim")
def per_claim(day: dt.date) -> tuple[dt.date, dt.date]:
    """A claim is its own period (training claims): the day it is decided."""
    return day, day
