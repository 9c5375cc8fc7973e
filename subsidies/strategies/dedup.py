"""De-duplication and limits, counted over what is already on record for the person (``Entitlement`` rows,
across every county, agency and platform: the person is one person by resident ID).

- ``month_limit`` (social insurance): the same month is never subsidised twice; at most ``max_months``
  months (``max_months_graduate`` for graduates); a hard-to-employ person within
  ``retirement_extension_years`` of the statutory retirement age at the first subsidised month is subsidised
  until retirement instead (the retirement rule refuses the months from then on).
- ``yearly_cap`` (accident insurance): at most ``yearly_cap`` yuan a calendar year; what was granted this
  year is taken off first.
- ``claim_once`` (training claims): the training app's same-level-once rule decides; nothing more here.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from ..retirement import retirement_age, track_for
from .registry import Decision, register, yuan
from .social_insurance import GRADUATE, HARD_TO_EMPLOY, months_between


@register("dedup", "month_limit")
def month_limit(facts, params: dict, d: Decision) -> None:
    if facts.month_already_granted:
        d.refuse(
            "same_month",
            _("%(month)s 已经享受过社保补贴，同一月份不重复享受。")
            % {"month": facts.month.strftime("%Y-%m")},
        )
    limit = params.get("max_months_graduate") if facts.category == GRADUATE else params.get("max_months")
    extension_years = params.get("retirement_extension_years")
    track = track_for(facts.gender, params.get("female_retirement_track") or "55")
    extended = False
    if facts.category == HARD_TO_EMPLOY and extension_years and facts.birth_date and track:
        first = facts.first_month or facts.month
        to_retirement = months_between(first, retirement_age(facts.birth_date, track).date)
        extended = to_retirement <= extension_years * 12
        d.figure("retirement_extension_years", extension_years)
    d.figure("months_used", facts.months_used)
    d.figure("month_limit", None if extended else limit)
    d.figure("extended_to_retirement", extended)
    if extended:
        d.reason(
            "month_limit",
            _("首次享受时距法定退休年龄不足 %(years)s 年，可享受至退休（已享受 %(used)s 个月）。")
            % {"years": extension_years, "used": facts.months_used},
        )
    elif limit is None:
        d.reason("month_limit", _("本地未设享受月数上限。"))
    elif facts.months_used >= limit:
        d.refuse(
            "month_limit",
            _("已享受 %(used)s 个月，达到最长 %(limit)s 个月。")
            % {"used": facts.months_used, "limit": limit},
        )
    else:
        d.figure("months_left_after", limit - facts.months_used - 1)
        d.reason(
            "month_limit",
            _("已享受 %(used)s 个月，最长 %(limit)s 个月，本月之后还可享受 %(left)s 个月。")
            % {"used": facts.months_used, "limit": limit, "left": limit - facts.months_used - 1},
        )
    if d.refused and d.amount is not None:
        d.figure("amount_before_refusal", str(d.amount))
        d.amount = Decimal("0.00")


@register("dedup", "yearly_cap")
def yearly_cap(facts, params: dict, d: Decision) -> None:
    cap = params.get("yearly_cap")
    granted = yuan(facts.granted_this_year)
    d.figure("granted_this_year", str(granted))
    if cap is None:
        d.reason("yearly_cap", _("本地未设每年上限。"))
        return
    remaining = max(Decimal(cap) - granted, Decimal("0.00"))
    d.figure("yearly_cap", str(cap))
    d.figure("yearly_remaining", str(yuan(remaining)))
    if remaining == 0:
        d.refuse(
            "yearly_cap",
            _("%(year)s 年已享受 %(granted)s 元，达到每人每年 %(cap)s 元上限（各机构、平台合计）。")
            % {"year": facts.year, "granted": granted, "cap": cap},
        )
        if d.amount is not None:
            d.figure("amount_before_cap", str(d.amount))
            d.amount = Decimal("0.00")
        return
    if d.amount is not None and d.amount > remaining:
        d.figure("amount_before_cap", str(d.amount))
        d.amount = yuan(remaining)
        d.reason(
            "yearly_cap",
            _(
                "每人每年上限 %(cap)s 元（各机构、平台合计），今年已享受 %(granted)s 元，本次最多 %(remaining)s 元。"
            )
            % {"cap": cap, "granted": granted, "remaining": yuan(remaining)},
        )
    else:
        d.reason(
            "yearly_cap",
            _("每人每年上限 %(cap)s 元（各机构、平台合计），今年已享受 %(granted)s 元。")
            % {"cap": cap, "granted": granted},
        )


@register("dedup", "claim_once")
def claim_once(facts, params: dict, d: Decision) -> None:
    d.reason("claim_once", _("同一职业同一等级只享受一次，由培训补贴申领时核对。"))
