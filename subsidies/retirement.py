"""Statutory retirement age under the 2025 gradual reform (全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄
的决定, from 2025-01-01, and its annex tables), by gender, the original age a woman's track starts from, and
birth month. Pure arithmetic, no database.

- Men, originally 60: born 1965-01 or later, one month later for every four months of birth, up to 63
  (born 1976-09 or later: 63).
- Women originally 55 (cadres; in this city also women insured as individuals — a parameter): born 1970-01
  or later, one month per four, up to 58 (born 1981-09 or later).
- Women originally 50 (workers): born 1975-01 or later, one month per two, up to 55 (born 1984-11 or later).

Those born earlier keep the original age. The reform's voluntary early or late retirement (up to three years
either way, with 20 years' contributions) is a person's choice recorded nowhere here: the statutory age is
used (ADR 0029).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

# track: (original age in years, first birth month delayed, birth months per month of delay, most months)
TRACKS = {
    "male": (60, dt.date(1965, 1, 1), 4, 36),
    "female_55": (55, dt.date(1970, 1, 1), 4, 36),
    "female_50": (50, dt.date(1975, 1, 1), 2, 60),
}


@dataclass(frozen=True)
class RetirementAge:
    track: str
    years: int
    months: int
    date: dt.date  # the month the age is reached: the official 退休时间 (no subsidy from that month on)
    delay_months: int

    @property
    def label(self) -> str:
        if self.months:
            return _("%(years)s岁%(months)s个月") % {"years": self.years, "months": self.months}
        return _("%(years)s岁") % {"years": self.years}


def track_for(gender: str, female_track: str = "55") -> str | None:
    """``gender`` as accounts.Gender stores it ("M"/"F"); None when unknown."""
    if gender == "M":
        return "male"
    if gender == "F":
        return "female_50" if female_track == "50" else "female_55"
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def retirement_age(birth_date: dt.date, track: str) -> RetirementAge:
    """The statutory retirement age and the month retirement starts for a person born on ``birth_date``."""
    original, first, per, most = TRACKS[track]
    birth_month = birth_date.replace(day=1)
    index = (birth_month.year - first.year) * 12 + birth_month.month - first.month
    delay = 0 if index < 0 else min(most, index // per + 1)
    total = original * 12 + delay
    # the age is reached in the birth month ``total`` months on (e.g. a man born 1965-01: 60 years and 1
    # month, 退休时间 2025-02, as the annex table lists it)
    return RetirementAge(track, total // 12, total % 12, _add_months(birth_month, total), delay)
