"""The dashboards' charts and the tables beside them (issue 18), built from the fact table's reads
(``reports.selectors``) and drawn by ``core.charts`` (pygal, inline SVG, no JavaScript). Each builder returns
the SVG together with the table of the same figures: a chart's ``headers`` and ``rows`` are what it draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.charts import bar_chart, figure, line_chart
from jobs.models import Occupation

from . import selectors
from .choices import IndicatorUnit
from .orgunits import OrgUnit
from .periods import Period

TREND_CODES = ("workers_new", "postings_new", "hires", "wages_paid")  # wages on the right-hand axis
SECONDARY_CODES = ("wages_paid",)
COMPARE_CODES = ("workers_new", "postings_new", "hires")
RATIO_CODE = "demand_seeker_ratio"
RATIO_BREAKDOWN = "occupation"
TREND_MONTHS = 24


@dataclass
class Chart:
    key: str
    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list] = field(default_factory=list)  # first cell a label, then figures (or None: no fact)
    note: str = ""


def _label(indicator) -> str:
    return f"{indicator.name}（{indicator.get_unit_display()}）" if indicator else ""


DECIMAL_UNITS = (IndicatorUnit.YUAN, IndicatorUnit.RATIO, IndicatorUnit.PERCENT, IndicatorUnit.DAYS)


def _cell(value: Decimal | None, indicator=None) -> str:
    """A table cell: head counts whole, yuan, ratios, percentages and days with two decimals; no fact: —."""
    if value is None:
        return "—"
    if indicator is not None and indicator.unit in DECIMAL_UNITS:
        return f"{value:,.2f}"
    return figure(value)


def trend(*, user, org: OrgUnit, period: Period) -> Chart:
    """The headline indicators over the ``TREND_MONTHS`` months up to ``period``."""
    indicators = selectors.indicators_by_code(TREND_CODES)
    codes = [c for c in TREND_CODES if c in indicators]
    months = selectors.month_codes(period, TREND_MONTHS)
    values = selectors.fact_trend(user=user, unit_id=org.unit_id, codes=codes, periods=months)
    labels = [f"{m[:4]}-{m[4:]}" for m in months]
    series = [(_label(indicators[c]), [values[c].get(m) for m in months]) for c in codes]
    title = _("%(org)s近 %(n)s 个月主要指标走势") % {"org": org.name, "n": TREND_MONTHS}
    svg = line_chart(
        title=title,
        labels=labels,
        series=series,
        secondary=[_label(indicators[c]) for c in codes if c in SECONDARY_CODES],
    )
    rows = [
        [label, *[_cell(values[c].get(m), indicators[c]) for c in codes]]
        for label, m in zip(labels, months, strict=True)
    ]
    if not any(values[c] for c in codes):
        rows = []  # no fact in 24 months: the page says so instead of drawing an empty chart
    return Chart(
        "trend",
        title,
        svg,
        [_("月份"), *[_label(indicators[c]) for c in codes]],
        rows,
        note=_("工资发放额按右侧坐标轴。") if any(c in SECONDARY_CODES for c in codes) else "",
    )


def comparison(*, user, period: Period) -> Chart:
    """The counties' and zones' figures of ``period`` side by side (the city's dashboard)."""
    from .orgunits import units

    indicators = selectors.indicators_by_code(COMPARE_CODES)
    codes = [c for c in COMPARE_CODES if c in indicators]
    values = selectors.fact_units(user=user, codes=codes, period=period.code)
    shown = [u for u in units() if u.pk in values]
    labels = [u.name for u in shown]
    series = [(_label(indicators[c]), [values[u.pk].get(c) for u in shown]) for c in codes]
    title = _("各县（市、区）、功能区对比（%(p)s）") % {"p": _month(period)}
    svg = bar_chart(title=title, labels=labels, series=series)
    rows = [[u.name, *[_cell(values[u.pk].get(c), indicators[c]) for c in codes]] for u in shown]
    return Chart("comparison", title, svg, [_("统计单位"), *[_label(indicators[c]) for c in codes]], rows)


def ratio_by_occupation(*, user, org: OrgUnit, period: Period) -> Chart:
    """求人倍率 (valid demand ÷ valid seekers) of each occupation, highest first."""
    indicator = selectors.indicators_by_code([RATIO_CODE]).get(RATIO_CODE)
    values = selectors.fact_breakdown(
        user=user, unit_id=org.unit_id, code=RATIO_CODE, period=period.code, key=RATIO_BREAKDOWN
    )
    names = dict(Occupation.objects.filter(code__in=list(values)).values_list("code", "name"))
    ordered = sorted(values.items(), key=lambda kv: (-kv[1], names.get(kv[0], kv[0])))
    labels = [names.get(code, code) for code, _v in ordered]
    title = _("%(org)s分工种求人倍率（%(p)s）") % {"org": org.name, "p": _month(period)}
    svg = bar_chart(
        title=title,
        labels=labels,
        series=[(_label(indicator) or _("求人倍率"), [v for _c, v in ordered])],
        horizontal=True,
    )
    rows = [[label, _cell(v, indicator)] for label, (_c, v) in zip(labels, ordered, strict=True)]
    return Chart(
        "ratio",
        title,
        svg,
        [_("工种"), _label(indicator) or _("求人倍率")],
        rows,
        note=_("求人倍率 = 有效需求人数 ÷ 有效求职人数；没有求职人数的工种不计算。"),
    )


def _month(period: Period) -> str:
    return _("%(y)s年%(m)s月") % {"y": period.start.year, "m": period.start.month}
