"""The accident-insurance subsidy for gig workers (意外伤害保险补贴), for one person and calendar year.

Eligibility (``gig_accident_insurance``), per premium row of the insured lists on record:

- ``injury_covered``: a row whose work is already covered by the platform's per-order occupational-injury
  premium (职业伤害保障) is left out;
- ``manager``: a row for a manager of the agency or platform is left out;
- ``age``: the person must be ``min_age``–``max_age`` (16–60) in the row's month (birth date needed);
- ``employment_record``: a registered employment record with the payer in the row's month (a work order on
  one of the payer's postings; for a policy the person bought, any work order in the month). A payer that
  is not registered on the portal → unknown, needs the record.

No premium on record → unknown, needs the insured list. Amount (``share_of_premium``): ``share ×`` the
premiums of the rows kept, to the cent; the yearly cap (``dedup.yearly_cap``) comes after.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from .registry import Decision, register, yuan


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class PremiumRow:
    row_id: int
    payer_name: str
    month: dt.date
    premium: Decimal
    injury_covered: bool = False
    is_manager: bool = False
    employment_record: bool | None = True  # None: the payer is not on the portal, nothing to check against


@dataclass(frozen=True)
class AccidentFacts:
    year: int
    birth_date: dt.date | None = None
    rows: tuple[PremiumRow, ...] = field(default_factory=tuple)
    granted_this_year: Decimal = Decimal("0")


@register("eligibility", "gig_accident_insurance")
def gig_accident_insurance(facts: AccidentFacts, params: dict, d: Decision) -> None:
    d.figure("year", facts.year)
    min_age, max_age = params.get("min_age") or 16, params.get("max_age") or 60
    d.figure("min_age", min_age)
    d.figure("max_age", max_age)
    if not facts.rows:
        d.need(
            "insured_list",
            _("还没有 %(year)s 年的意外伤害保险投保记录（由平台、家政机构报送投保名单，或本人提交保单）。")
            % {"year": facts.year},
        )
        d.figure("rows", [])
        return
    if facts.birth_date is None:
        d.need(
            "age",
            _("需要出生日期（实名认证后自动取得），以核对 %(min)s–%(max)s 周岁。")
            % {"min": min_age, "max": max_age},
        )
    kept, rows, unknown_payers = [], [], []
    for row in facts.rows:
        entry = {
            "row": row.row_id,
            "payer": row.payer_name,
            "month": row.month.isoformat()[:7],
            "premium": str(row.premium),
        }
        if row.injury_covered:
            entry["excluded"] = "injury_covered"
        elif row.is_manager:
            entry["excluded"] = "manager"
        elif facts.birth_date is not None and not (min_age <= age_on(facts.birth_date, row.month) <= max_age):
            entry["excluded"] = "age"
            entry["age"] = age_on(facts.birth_date, row.month)
        elif row.employment_record is False:
            entry["excluded"] = "employment_record"
        elif row.employment_record is None:
            entry["excluded"] = "employment_record_unknown"
            unknown_payers.append(row.payer_name)
        else:
            kept.append(row)
        rows.append(entry)
    d.figure("rows", rows)
    excluded = {e["excluded"] for e in rows if "excluded" in e}
    if "injury_covered" in excluded:
        d.reason("injury_covered", _("已由平台单笔职业伤害保障覆盖的投保记录不再补贴。"))
    if "manager" in excluded:
        d.reason("manager", _("管理人员的投保记录不在补贴范围。"))
    if "age" in excluded:
        d.reason(
            "age", _("投保月份不在 %(min)s–%(max)s 周岁的记录不补贴。") % {"min": min_age, "max": max_age}
        )
    if "employment_record" in excluded:
        d.reason("employment_record", _("当月在本平台没有与投保单位的用工记录的，不补贴。"))
    if unknown_payers:
        d.need(
            "employment_record",
            _("投保单位（%(payers)s）未在本平台登记，需要与其的用工登记记录。")
            % {"payers": "、".join(sorted(set(unknown_payers)))},
        )
    premium = sum((row.premium for row in kept), Decimal("0"))
    d.figure("eligible_premium", str(yuan(premium)))
    d.figure("rows_kept", len(kept))
    if not kept and not unknown_payers and facts.birth_date is not None:
        d.refuse("no_eligible_row", _("%(year)s 年没有符合条件的投保记录。") % {"year": facts.year})
    elif kept:
        d.reason(
            "insured_list",
            _("符合条件的投保记录 %(count)s 条，保费合计 %(premium)s 元。")
            % {"count": len(kept), "premium": yuan(premium)},
        )


@register("amount", "share_of_premium")
def share_of_premium(facts: AccidentFacts, params: dict, d: Decision) -> None:
    if "eligible_premium" not in d.figures:
        return
    premium = Decimal(d.figures["eligible_premium"])
    share = Decimal(params["share"])
    d.figure("share", str(share))
    d.amount = yuan(share * premium)
    d.figure("share_times_premium", str(d.amount))
    d.reason(
        "amount",
        _("补贴 = %(share)s%% × %(premium)s 元 = %(amount)s 元。")
        % {"share": (share * 100).normalize(), "premium": yuan(premium), "amount": d.amount},
    )
