"""Calendar months, as statistics, earnings statements and reports count them (Asia/Shanghai): a month is
named by its first day."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def previous_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The month's first instant and the next month's, aware in the current time zone."""
    month = month_start(month)
    start = timezone.make_aware(dt.datetime.combine(month, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(next_month(month), dt.time.min))
    return start, end


def parse_month(value: str | None) -> dt.date | None:
    """Parse a month: "2025-03" or "2025-03-01" → 2025-03-01; anything else → None."""
    if not value:
        return None
    try:
        return month_start(dt.date.fromisoformat(value if len(value) > 7 else f"{value}-01"))
    except (ValueError, TypeError):
        return None
