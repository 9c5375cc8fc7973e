"""Report periods, pure: ``202611`` (a month), ``2026Q4`` (a quarter), ``2026`` (a year) → (kind, start, end)
with ``end`` the first day after the period (half-open, as ``core.months.month_bounds``). Bad input raises
the one error type with a field-level message (``fields={"period": …}``); nothing here touches the database."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import DomainError
from core.months import next_month

from .choices import PeriodKind

_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")
MIN_YEAR, MAX_YEAR = 2000, 2100


@dataclass(frozen=True)
class Period:
    code: str
    kind: str
    start: dt.date
    end: dt.date  # exclusive

    def months(self) -> list[dt.date]:
        out, month = [], self.start
        while month < self.end:
            out.append(month)
            month = next_month(month)
        return out


def _bad(field: str, value) -> DomainError:
    message = _("统计期格式应为 202611（月）、2026Q4（季）或 2026（年）。")
    return DomainError(message, code="invalid_period", fields={field: [message]})


def parse_period(value, *, field: str = "period") -> Period:
    text = str(value or "").strip().upper()
    year = month = quarter = None
    if m := _MONTH.match(text):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12:
            raise _bad(field, value)
    elif m := _QUARTER.match(text):
        year, quarter = int(m[1]), int(m[2])
    elif m := _YEAR.match(text):
        year = int(m[1])
    else:
        raise _bad(field, value)
    if not MIN_YEAR <= year <= MAX_YEAR:
        message = _("统计期的年份应在 %(lo)s 至 %(hi)s 之间。") % {"lo": MIN_YEAR, "hi": MAX_YEAR}
        raise DomainError(message, code="invalid_period", fields={field: [message]})
    if month is not None:
        start = dt.date(year, month, 1)
        return Period(f"{year:04d}{month:02d}", PeriodKind.MONTH, start, next_month(start))
    if quarter is not None:
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        return Period(f"{year:04d}Q{quarter}", PeriodKind.QUARTER, start, end)
    return Period(f"{year:04d}", PeriodKind.YEAR, dt.date(year, 1, 1), dt.date(year + 1, 1, 1))


def month_period(day: dt.date) -> Period:
    """The month containing ``day`` (the open month of the nightly run)."""
    return parse_period(f"{day:%Y%m}")
