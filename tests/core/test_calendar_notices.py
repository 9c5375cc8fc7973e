"""The working-day calendar against the State Council's holiday notices for 2025 (国办发明电〔2024〕12号) and
2026 (国办发明电〔2025〕7号). Every expected date below was counted by hand from the notices' text, never
from the code:

2025  春节 1月28日–2月4日放假，1月26日（周日）、2月8日（周六）上班；劳动节 5月1日–5日，4月27日（周日）上班；
      国庆中秋 10月1日–8日放假，9月28日（周日）、10月11日（周六）上班。
2026  元旦 1月1日–3日，1月4日（周日）上班；春节 2月15日–23日放假，2月14日（周六）、2月28日（周六）上班；
      劳动节 5月1日–5日，5月9日（周六）上班；中秋 9月25日–27日；国庆 10月1日–7日，9月20日（周日）、
      10月10日（周六）上班。
"""

from __future__ import annotations

import datetime as dt

import pytest

from core.calendar import SHANGHAI, add_working_days, end_of_day, is_working_day

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 1, 26), True),  # Sunday, make-up day before the Spring Festival
        (D(2025, 1, 28), False),  # New Year's Eve (除夕), a Tuesday
        (D(2025, 2, 4), False),  # last day of the Spring Festival holiday, a Tuesday
        (D(2025, 2, 8), True),  # Saturday make-up day
        (D(2025, 4, 27), True),  # Sunday make-up day before Labour Day
        (D(2025, 5, 5), False),  # Monday, Labour Day holiday
        (D(2025, 9, 28), True),  # Sunday make-up day before National Day
        (D(2025, 10, 8), False),  # Wednesday, last day of the National Day holiday
        (D(2025, 10, 9), True),
        (D(2025, 10, 11), True),  # Saturday make-up day after National Day
        (D(2026, 1, 4), True),  # Sunday make-up day after New Year
        (D(2026, 2, 14), True),  # Saturday make-up day before the Spring Festival
        (D(2026, 2, 23), False),  # Monday, last day of the Spring Festival holiday
        (D(2026, 2, 28), True),  # Saturday make-up day after the Spring Festival
        (D(2026, 5, 9), True),  # Saturday make-up day after Labour Day
        (D(2026, 9, 20), True),  # Sunday make-up day before National Day
        (D(2026, 9, 25), False),  # Friday, Mid-Autumn Festival
        (D(2026, 10, 7), False),  # Wednesday, last day of the National Day holiday
        (D(2026, 10, 8), True),
        (D(2026, 10, 10), True),  # Saturday make-up day
        (D(2026, 10, 11), False),  # an ordinary Sunday
    ],
)
def test_is_working_day_follows_the_notices(day, working):
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("received", "n", "due"),
    [
        # the last working day before National Day 2025 (Tue 30 Sep): Oct 9, 10, 11 (Sat, make-up), 13, 14
        (D(2025, 9, 30), 5, D(2025, 10, 14)),
        # the last working day before National Day 2026 (Wed 30 Sep): Oct 8, 9, 10 (Sat, make-up), 12, 13
        (D(2026, 9, 30), 5, D(2026, 10, 13)),
        # a Sunday make-up day counts as received on a working day: Sep 29, 30, Oct 9, 10, 11 (Sat)
        (D(2025, 9, 28), 5, D(2025, 10, 11)),
        # the last working day before the 2025 Spring Festival (Mon 27 Jan): Feb 5, 6, 7, 8 (Sat), 10
        (D(2025, 1, 27), 5, D(2025, 2, 10)),
        # Fri 13 Feb 2026: Feb 14 (Sat, make-up), then after the holiday Feb 24, 25, 26, 27
        (D(2026, 2, 13), 5, D(2026, 2, 27)),
        # Tue 24 Feb 2026: Feb 25, 26, 27, 28 (Sat, make-up), Mar 2
        (D(2026, 2, 24), 5, D(2026, 3, 2)),
        # one working day after the Labour Day 2026 holiday starts: Wed 6 May
        (D(2026, 4, 30), 1, D(2026, 5, 6)),
        # backwards over the 2026 National Day holiday
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
        (D(2026, 10, 12), -2, D(2026, 10, 9)),  # Sat 10 Oct counts: Oct 10, Oct 9
    ],
)
def test_add_working_days_over_the_2025_and_2026_holidays(received, n, due):
    assert add_working_days(received, n) == due


def test_a_due_date_ends_at_midnight_shanghai():
    assert end_of_day(D(2025, 10, 14)) == dt.datetime(2025, 10, 15, 0, 0, tzinfo=SHANGHAI)
    assert end_of_day(D(2025, 10, 14)).astimezone(dt.UTC) == dt.datetime(2025, 10, 14, 16, 0, tzinfo=dt.UTC)
