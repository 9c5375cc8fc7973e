"""Public statistics pages: wage guidance prices with median-trend charts, and supply and demand; both
filterable by month, county and occupation, and downloadable as CSV or XLSX."""

from __future__ import annotations

from collections import OrderedDict

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.exports import FORMATS, table_response
from core.models import ScopeUnit
from core.months import parse_month

from .charts import svg_line_chart
from .filtersets import SupplyDemandFilterSet, WageGuidanceFilterSet
from .forms import filter_choices
from .selectors import (
    median_trend,
    published_cells,
    published_months,
    supply_demand_list,
    supply_demand_months,
)

MAX_CHARTS = 12


# --- wage guidance ------------------------------------------------------------------------------------------

GUIDANCE_HEADERS = [
    gettext_lazy("月份"),
    gettext_lazy("县（市、区）"),
    gettext_lazy("工种"),
    gettext_lazy("低位数（P10）"),
    gettext_lazy("P25"),
    gettext_lazy("中位数（P50）"),
    gettext_lazy("P75"),
    gettext_lazy("高位数（P90）"),
    gettext_lazy("样本数"),
    gettext_lazy("用工方数"),
]


def wage_guidance(request):
    """The published wage guidance table of a month (latest by default), filterable, downloadable, with
    the median trend of each occupation shown."""
    months = published_months()
    data = request.GET.copy()
    month = parse_month(data.get("month")) or (months[0] if months else None)
    if month is not None:
        data["month"] = f"{month:%Y-%m}"
    filterset = WageGuidanceFilterSet(data, queryset=published_cells())
    cells = list(
        filterset.qs.order_by(
            "occupation__parent__sort", "occupation__sort", "occupation__code", "scope_unit__code"
        )
        if month is not None
        else []
    )
    headers = [str(h) for h in GUIDANCE_HEADERS]
    rows = [
        [
            f"{c.guidance.month:%Y-%m}",
            c.scope_unit.name if c.scope_unit else _("全市"),
            c.occupation.name,
            c.p10,
            c.p25,
            c.p50,
            c.p75,
            c.p90,
            c.sample_size,
            c.employer_count,
        ]
        for c in cells
    ]
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        label = f"{month:%Y-%m}" if month else "none"
        return table_response(
            fmt=fmt,
            filename=f"wage-guidance-{label}",
            title=_("市场工资指导价位（%(m)s，元/天）") % {"m": label},
            headers=headers,
            rows=rows,
        )
    county = data.get("county") or ""
    unit = ScopeUnit.objects.filter(code=county).first() if county and county != "city" else None
    charts = []
    seen = OrderedDict()
    for c in cells:
        seen.setdefault(c.occupation_id, c.occupation)
    for occupation_id, occupation in list(seen.items())[:MAX_CHARTS]:
        trend = median_trend(occupation_id=occupation_id, scope_unit_id=unit.pk if unit else None)
        where = unit.name if unit else _("全市")
        title = _("%(o)s 中位数走势（%(w)s，元/天）") % {"o": occupation.name, "w": where}
        if trend:
            charts.append({"title": title, "svg": svg_line_chart(trend, title=title), "points": trend})
    context = {
        **filter_choices(request),
        "months": months,
        "month": month,
        "headers": headers,
        "rows": rows,
        "charts": charts,
        "query": data.urlencode(),
        "section": "wages",
    }
    context["selected"]["month"] = f"{month:%Y-%m}" if month else ""
    return render(request, "labour_stats/wage_guidance.html", context)


# --- supply and demand --------------------------------------------------------------------------------------

SUPPLY_HEADERS = [
    gettext_lazy("月份"),
    gettext_lazy("县（市、区）"),
    gettext_lazy("工种"),
    gettext_lazy("需求人数"),
    gettext_lazy("求职人数"),
    gettext_lazy("求人倍率"),
    gettext_lazy("新增求职登记"),
    gettext_lazy("发布岗位数"),
    gettext_lazy("录用人数"),
    gettext_lazy("平均招满天数"),
]


def supply_demand(request):
    months = supply_demand_months()
    data = request.GET.copy()
    month = parse_month(data.get("month")) or (months[0] if months else None)
    if month is not None:
        data["month"] = f"{month:%Y-%m}"
    filterset = SupplyDemandFilterSet(data, queryset=supply_demand_list())
    stats = list(
        filterset.qs.order_by(
            "occupation__parent__sort", "occupation__sort", "occupation__code", "scope_unit__code"
        )
        if month is not None
        else []
    )
    headers = [str(h) for h in SUPPLY_HEADERS]
    rows = [
        [
            f"{s.month:%Y-%m}",
            s.scope_unit.name if s.scope_unit else _("全市"),
            s.occupation.name,
            s.open_positions,
            s.active_seekers,
            s.ratio,
            s.new_registrations,
            s.postings,
            s.hires,
            s.avg_days_to_fill,
        ]
        for s in stats
    ]
    fmt = request.GET.get("format")
    if fmt in FORMATS:
        label = f"{month:%Y-%m}" if month else "none"
        return table_response(
            fmt=fmt,
            filename=f"supply-demand-{label}",
            title=_("人力资源市场供求状况（%(m)s）") % {"m": label},
            headers=headers,
            rows=rows,
        )
    context = {
        **filter_choices(request),
        "months": months,
        "month": month,
        "headers": headers,
        "rows": rows,
        "query": data.urlencode(),
    }
    context["section"] = "supply"
    context["selected"]["month"] = f"{month:%Y-%m}" if month else ""
    return render(request, "labour_stats/supply_demand.html", context)
