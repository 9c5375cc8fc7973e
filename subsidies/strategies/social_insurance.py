"""The flexible workers' social-insurance subsidy (灵活就业人员社会保险补贴): who qualifies for a month and how
much, from the facts of that month.

Eligibility (``flexible_social_insurance``), each rule a reason:

- ``category``: a certified hard-to-employ person (就业困难人员) whose certification is in force in the month,
  or a graduate (高校毕业生) whose first subsidised month is within ``graduate_window_months`` of leaving school
  (the category row's date). Neither on record → unknown, needs the category.
- ``retirement``: from the person's birth date and gender the statutory retirement month
  (``subsidies.retirement``); a month from then on is refused. No birth date or gender → unknown.
- ``flexible_work``: the portal's own settled work orders in the month — at least ``min_work_days`` days
  with work, or ``min_work_earnings`` yuan earned. Short of both → unknown, needs other evidence of flexible
  employment (the portal does not see all of anyone's work): never a silent no.
- ``contribution``: the month's contributions confirmed by the social-insurance system (imported). None →
  unknown, needs the record.

Amount (``ratio_of_contributions``): the basis is what was paid (pension + medical), or — base rule
``lowest_tier`` — at most what is due on the lowest base (``lowest_base × (pension_rate + medical_rate)``);
the subsidy is ``ratio × basis`` to the cent, at most ``monthly_cap``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from ..retirement import retirement_age, track_for
from .registry import Decision, register, yuan

HARD_TO_EMPLOY = "hard_to_employ"
GRADUATE = "graduate"


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start``'s month to ``end``'s month (2026-01 → 2026-03: 2)."""
    return (end.year - start.year) * 12 + end.month - start.month


@dataclass(frozen=True)
class SocialInsuranceFacts:
    """What the calculator knows of one person and one month (gathered from the records, or written by a
    test). ``first_month`` is the first subsidised month on record (None: this would be the first)."""

    month: dt.date
    category: str | None = None
    category_date: dt.date | None = None
    category_row_id: int | None = None
    birth_date: dt.date | None = None
    gender: str = ""
    work_days: int = 0
    work_earnings: Decimal = Decimal("0")
    pension_paid: Decimal | None = None
    medical_paid: Decimal | None = None
    contribution_base: Decimal | None = None
    contribution_row_id: int | None = None
    months_used: int = 0
    first_month: dt.date | None = None
    month_already_granted: bool = False


@register("eligibility", "flexible_social_insurance")
def flexible_social_insurance(facts: SocialInsuranceFacts, params: dict, d: Decision) -> None:
    month = facts.month
    first = facts.first_month or month
    d.figure("month", month.isoformat()[:7])
    d.figure("first_month", first.isoformat()[:7])
    # category
    d.figure("category", facts.category or "")
    d.figure("category_date", facts.category_date.isoformat() if facts.category_date else None)
    if facts.category == HARD_TO_EMPLOY:
        d.reason(
            "category",
            _("已认定为就业困难人员（认定日期 %(date)s）。") % {"date": facts.category_date},
        )
    elif facts.category == GRADUATE:
        window = params.get("graduate_window_months") or 24
        since = months_between(facts.category_date, first)
        d.figure("graduate_months_since_leaving", since)
        d.figure("graduate_window_months", window)
        if since > window:
            d.refuse(
                "category",
                _(
                    "离校已 %(since)s 个月，超过 %(window)s 个月，高校毕业生社保补贴须在离校 %(window)s 个月内开始享受。"
                )
                % {"since": since, "window": window},
            )
        else:
            d.reason(
                "category",
                _("离校 %(window)s 个月内的高校毕业生（离校日期 %(date)s，首次享受时离校 %(since)s 个月）。")
                % {"window": window, "date": facts.category_date, "since": since},
            )
    else:
        d.need(
            "category",
            _(
                "需要就业困难人员认定或高校毕业生离校登记：请带证明材料到县（市、区）人社局或零工市场服务台登记。"
            ),
        )
    # retirement
    track = track_for(facts.gender, params.get("female_retirement_track") or "55")
    if facts.birth_date is None or track is None:
        d.need("retirement", _("需要出生日期和性别（实名认证后自动取得），以计算法定退休年龄。"))
    else:
        age = retirement_age(facts.birth_date, track)
        d.figure("retirement_age", age.label)
        d.figure("retirement_month", age.date.isoformat()[:7])
        d.figure("months_to_retirement_at_first", months_between(first, age.date))
        if month >= age.date:
            d.refuse(
                "retirement",
                _("%(month)s 已到法定退休年龄（%(age)s，%(date)s 退休），不再享受。")
                % {"month": month.strftime("%Y-%m"), "age": age.label, "date": age.date.strftime("%Y-%m")},
            )
        else:
            d.reason(
                "retirement",
                _("法定退休年龄 %(age)s，%(date)s 退休。")
                % {"age": age.label, "date": age.date.strftime("%Y-%m")},
            )
    # flexible work evidenced by the portal's settled work orders
    min_days, min_earnings = params.get("min_work_days"), params.get("min_work_earnings")
    d.figure("work_days", facts.work_days)
    d.figure("work_earnings", str(yuan(facts.work_earnings)))
    d.figure("min_work_days", min_days)
    d.figure("min_work_earnings", str(min_earnings) if min_earnings is not None else None)
    by_days = min_days is not None and facts.work_days >= min_days
    by_earnings = min_earnings is not None and facts.work_earnings >= Decimal(min_earnings)
    if min_days is None and min_earnings is None:
        d.reason("flexible_work", _("本地未设灵活就业天数或收入要求。"))
    elif by_days or by_earnings:
        d.reason(
            "flexible_work",
            _("本平台记录当月结算用工 %(days)s 天、收入 %(earnings)s 元，达到灵活就业要求。")
            % {"days": facts.work_days, "earnings": yuan(facts.work_earnings)},
        )
    else:
        d.need(
            "flexible_work",
            _(
                "本平台记录当月结算用工 %(days)s 天、收入 %(earnings)s 元，不足 %(min_days)s 天或 %(min_earnings)s 元："
                "需要其他灵活就业证明材料。"
            )
            % {
                "days": facts.work_days,
                "earnings": yuan(facts.work_earnings),
                "min_days": min_days if min_days is not None else "—",
                "min_earnings": min_earnings if min_earnings is not None else "—",
            },
        )
    # the contribution confirmed by the social-insurance system
    if facts.pension_paid is None or facts.medical_paid is None:
        d.need(
            "contribution",
            _("还没有社保系统确认的 %(month)s 缴费记录（工作人员导入后自动更新）。")
            % {"month": month.strftime("%Y-%m")},
        )
    else:
        d.figure("pension_paid", str(facts.pension_paid))
        d.figure("medical_paid", str(facts.medical_paid))
        d.figure(
            "contribution_base", str(facts.contribution_base) if facts.contribution_base is not None else None
        )
        d.reason(
            "contribution",
            _("社保系统确认当月缴纳养老保险 %(pension)s 元、医疗保险 %(medical)s 元。")
            % {"pension": facts.pension_paid, "medical": facts.medical_paid},
        )


@register("amount", "ratio_of_contributions")
def ratio_of_contributions(facts: SocialInsuranceFacts, params: dict, d: Decision) -> None:
    if facts.pension_paid is None or facts.medical_paid is None:
        return
    paid = yuan(facts.pension_paid + facts.medical_paid)
    d.figure("paid", str(paid))
    basis = paid
    if params.get("base_rule") == "lowest_tier":
        due = yuan(
            Decimal(params["lowest_base"])
            * (Decimal(params["pension_rate"]) + Decimal(params["medical_rate"]))
        )
        d.figure("due_on_lowest_base", str(due))
        basis = min(paid, due)
    d.figure("basis", str(basis))
    ratio = Fraction(str(params["ratio"]))
    raw = yuan(Decimal(ratio.numerator) * basis / Decimal(ratio.denominator))
    d.figure("ratio", str(ratio))
    d.figure("ratio_times_basis", str(raw))
    cap = params.get("monthly_cap")
    amount = raw if cap is None else min(raw, Decimal(cap))
    d.figure("monthly_cap", str(cap) if cap is not None else None)
    d.amount = amount
    d.reason(
        "amount",
        _("补贴 = %(ratio)s × %(basis)s 元 = %(raw)s 元%(capped)s。")
        % {
            "ratio": ratio,
            "basis": basis,
            "raw": raw,
            "capped": (_("，按每月上限 %(cap)s 元") % {"cap": cap}) if cap is not None and raw > cap else "",
        },
    )
