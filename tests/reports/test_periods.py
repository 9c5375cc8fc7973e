"""Report periods: the three spellings, and field-level errors for anything else."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import DomainError
from reports.periods import parse_period


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("202611", "month", dt.date(2026, 11, 1), dt.date(2026, 12, 1)),
        ("202612", "month", dt.date(2026, 12, 1), dt.date(2027, 1, 1)),
        ("2026Q1", "quarter", dt.date(2026, 1, 1), dt.date(2026, 4, 1)),
        ("2026q4", "quarter", dt.date(2026, 10, 1), dt.date(2027, 1, 1)),
        ("2026", "year", dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
    ],
)
def test_parse_period(text, kind, start, end):
    period = parse_period(text)
    assert (period.kind, period.start, period.end) == (kind, start, end)
    assert period.code == text.upper()


def test_quarter_has_its_three_months():
    assert parse_period("2026Q2").months() == [dt.date(2026, 4, 1), dt.date(2026, 5, 1), dt.date(2026, 6, 1)]


@pytest.mark.parametrize("text", ["", None, "2026-11", "202613", "202600", "2026Q5", "26Q1", "1899", "abc"])
def test_bad_period_is_a_field_error(text):
    with pytest.raises(DomainError) as caught:
        parse_period(text)
    assert caught.value.code == "invalid_period"
    assert list(caught.value.fields) == ["period"]
