"""Well-formed identity numbers for demo data, factories and benchmarks (never for real people)."""

from __future__ import annotations

import datetime as dt

from stdnum.cn import ric, uscc


def make_resident_id(area: str, birth: dt.date, seq: int = 1, male: bool = True) -> str:
    """An 18-digit resident ID with a valid check digit. ``seq`` picks the 3-digit order code."""
    order = (seq * 2 + (1 if male else 0)) % 1000
    if (order % 2 == 1) != male:
        order = (order + 1) % 1000
    body = f"{area}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_uscc(area: str, seq: int = 1, kind: str = "91") -> str:
    """A unified social credit code (registration dept + type, area, organization code) with its check digit."""
    org = f"{seq:08d}"
    # Organization code (GB 11714) check digit.
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(c) * w for c, w in zip(org, weights, strict=True))
    check = 11 - total % 11
    org_check = {10: "X", 11: "0"}.get(check, str(check))
    body = f"{kind}{area}{org}{org_check}"
    return body + uscc.calc_check_digit(body)
