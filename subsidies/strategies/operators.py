"""The gig-market operator subsidy (purchase of services, ADR 0033): eligibility is the consistency checks of
the recomputed records (a failing one disqualifies, with its reason); the amount is the scheme's score of the
KPIs. Pure: the facts are the figures and failed checks ``subsidies.kpis`` found, the params the scheme row's
``as_params()``.

Scoring, per item of the scheme: ``points × (value − zero_at) ÷ (full_at − zero_at)``, held between 0 and the
item's points (so ``full_at`` below ``zero_at`` scores lower values higher), rounded half up to 0.01; an item
whose figure does not exist (no complaints: no closure rate) scores its points or nothing as the item says.
The score is the sum. Below ``min_score`` nothing is paid. Per point: score × amount per point; bands: the
amount of the highest band the score reaches. Then at most ``cap``; money to the cent, half up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

from .registry import Decision, register, yuan

POINT = Decimal("0.01")


@dataclass(frozen=True)
class OperatorFacts:
    """What the engine found for one market and period: each KPI's figure (None where it does not exist) and
    the checks that failed as (code, reason)."""

    figures: dict
    failed_checks: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def _to_decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    return Decimal(str(value))


def item_points(value, *, points, full_at, zero_at, if_missing) -> Decimal:
    """One item's points (see the module docstring)."""
    points = Decimal(str(points))
    value = _to_decimal(value)
    if value is None:
        return points.quantize(POINT) if if_missing == "full" else Decimal("0.00")
    full_at, zero_at = Decimal(str(full_at)), Decimal(str(zero_at))
    share = Fraction(value - zero_at) / Fraction(full_at - zero_at)
    share = min(max(share, Fraction(0)), Fraction(1))
    exact = Fraction(points) * share
    return (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(POINT, rounding=ROUND_HALF_UP)


@register("eligibility", "operator_kpi")
def operator_kpi(facts: OperatorFacts | None, params: dict, d: Decision) -> None:
    if facts is None:  # a person's "what can I get": markets are assessed by staff, per market and period
        d.need("kpi", _("零工市场运营补贴按市场和考核期重新统计的指标评分，由人社部门测算。"))
        return
    for code, text in facts.failed_checks:
        d.refuse(code, _("数据核验不通过，取消资格：%(reason)s") % {"reason": text})
    if not facts.failed_checks:
        d.reason("checks", _("数据核验全部通过。"))


@register("amount", "kpi_score")
def kpi_score(facts: OperatorFacts | None, params: dict, d: Decision) -> None:
    if facts is None or "items" not in params:
        return
    items = []
    score = Decimal("0.00")
    for item in params["items"]:
        value = facts.figures.get(item["kpi"])
        awarded = item_points(
            value,
            points=item["points"],
            full_at=item["full_at"],
            zero_at=item["zero_at"],
            if_missing=item["if_missing"],
        )
        score += awarded
        items.append(
            {
                "kpi": item["kpi"],
                "value": None if value is None else str(value),
                "points": str(item["points"]),
                "full_at": str(item["full_at"]),
                "zero_at": str(item["zero_at"]),
                "awarded": str(awarded),
            }
        )
    d.figure("score_items", items)
    d.figure("score", str(score))
    min_score = Decimal(str(params.get("min_score") or 0))
    d.figure("min_score", str(min_score))
    if score < min_score:
        d.reason("min_score", _("得分%(s)s低于最低得分%(m)s，不予补贴。") % {"s": score, "m": min_score})
        d.amount = Decimal("0.00")
        return
    if params["amount_rule"] == "bands":
        reached = [b for b in params["bands"] if score >= Decimal(str(b["min_score"]))]
        amount = Decimal(str(reached[-1]["amount"])) if reached else Decimal("0")
        d.reason("bands", _("得分%(s)s，按所达分档定额。") % {"s": score})
    else:
        per_point = Decimal(str(params["amount_per_point"]))
        amount = score * per_point
        d.figure("amount_per_point", str(per_point))
        d.reason("per_point", _("得分%(s)s × 每分%(p)s元。") % {"s": score, "p": per_point})
    amount = yuan(amount)
    cap = params.get("cap")
    if cap is not None and amount > Decimal(str(cap)):
        d.reason("cap", _("超过每个市场每期上限%(c)s元，按上限。") % {"c": cap})
        amount = yuan(cap)
    d.figure("cap", None if cap is None else str(cap))
    d.amount = amount


@register("dedup", "market_period")
def market_period(facts, params: dict, d: Decision) -> None:
    d.reason("market_period", _("每个市场每个考核期只测算一次（复核后不再重算）。"))
