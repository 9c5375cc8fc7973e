"""Reads of the reports app: the catalogue (public) and the facts a person or a token may see."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import QuerySet

from core.months import previous_month

from .models import Fact, Indicator
from .periods import Period


def indicator_list() -> QuerySet[Indicator]:
    return Indicator.objects.order_by("sort", "code")


def fact_list(*, user) -> QuerySet[Fact]:
    return Fact.objects.visible_to(user).select_related("indicator", "org_unit")


# --- the staff dashboards (issue 18): reads of the fact table only, scoped as the API's -----------------------


def month_codes(end: Period, months: int) -> list[str]:
    """The codes of the ``months`` months up to and including the month ``end``, oldest first."""
    codes, month = [], end.start
    for _ in range(months):
        codes.append(f"{month:%Y%m}")
        month = previous_month(month)
    return codes[::-1]


def _unit_filter(unit_id: int | None) -> dict:
    return {"org_unit__isnull": True} if unit_id is None else {"org_unit_id": unit_id}


def fact_trend(*, user, unit_id: int | None, codes: list[str], periods: list[str]) -> dict[str, dict]:
    """indicator code -> {period code: value} of the totals (no breakdown) of one org unit (None: the city),
    as ``user`` may see them; a missing fact is missing (not 0)."""
    out: dict[str, dict] = {code: {} for code in codes}
    facts = fact_list(user=user).filter(
        indicator__code__in=codes, period__in=periods, breakdown_key="", **_unit_filter(unit_id)
    )
    for code, period, value in facts.values_list("indicator__code", "period", "value"):
        out[code][period] = value
    return out


def fact_units(*, user, codes: list[str], period: str) -> dict[int, dict[str, Decimal]]:
    """scope unit id -> {indicator code: value} of the units' totals of one period that ``user`` may see."""
    out: dict[int, dict[str, Decimal]] = {}
    facts = fact_list(user=user).filter(
        indicator__code__in=codes, period=period, breakdown_key="", org_unit__isnull=False
    )
    for unit_id, code, value in facts.values_list("org_unit_id", "indicator__code", "value"):
        out.setdefault(unit_id, {})[code] = value
    return out


def fact_breakdown(*, user, unit_id: int | None, code: str, period: str, key: str) -> dict[str, Decimal]:
    """breakdown value -> value of one indicator, period and org unit (None: the city) by ``key``."""
    facts = fact_list(user=user).filter(
        indicator__code=code, period=period, breakdown_key=key, **_unit_filter(unit_id)
    )
    return dict(facts.values_list("breakdown_value", "value"))


def indicators_by_code(codes) -> dict[str, Indicator]:
    return {i.code: i for i in Indicator.objects.filter(code__in=list(codes))}


# the month's headline figures a bureau publishes (the public monthly release), in this order
RELEASE_INDICATORS = (
    "workers_new",
    "employers_new",
    "postings_new",
    "hires",
    "work_orders_settled",
    "wages_paid",
    "demand_seeker_ratio",
    "complaints_received",
    "urban_new_employment",
)


def released_months() -> list[str]:
    """The months the city has accepted (``PeriodApproval`` of the city, accepted), newest first: only these
    are published."""
    from .choices import ApprovalStatus
    from .models import PeriodApproval

    rows = PeriodApproval.objects.filter(org_unit__isnull=True, status=ApprovalStatus.ACCEPTED)
    return list(rows.order_by("-period").values_list("period", flat=True))


def release_table(period: str) -> tuple[list[Indicator], list[dict]]:
    """The release of an accepted month: the headline indicators (columns) and one row per county or zone
    and the city, each with its figures (``None`` where there is none). Public: figures, no personal data."""
    indicators = [i for code in RELEASE_INDICATORS for i in Indicator.objects.filter(code=code)]
    facts = Fact.objects.filter(period=period, breakdown_key="", indicator__in=indicators).values_list(
        "indicator_id", "org_unit_id", "org_unit__name", "org_unit__code", "value"
    )
    rows: dict[int | None, dict] = {}
    for indicator_id, unit_id, name, code, value in facts:
        row = rows.setdefault(unit_id, {"code": code or "city", "name": name, "values": {}})
        row["values"][indicator_id] = value
    ordered = sorted((r for u, r in rows.items() if u is not None), key=lambda r: r["code"])
    if None in rows:
        ordered.append(rows[None])
    for row in ordered:
        row["cells"] = [row["values"].get(i.pk) for i in indicators]
    return indicators, ordered
