"""Public statistics pages (wage guidance prices with median-trend charts, supply and demand; both with
CSV/XLSX downloads) and a worker's earnings with a printable earnings statement (收入证明), used later for
subsidies. Charts are inline SVG drawn here on the server: no JavaScript library, no CDN."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import OrderedDict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from core.models import Division, ScopeUnit

from .choices import GuidanceStatus, WorkOrderStatus
from .guidance import median_trend, published_cells
from .models import Occupation, SupplyDemandStat, WageGuidance, WorkOrder
from .stats import SupplyDemandFilterSet, WageGuidanceFilterSet, parse_month

MAX_CHARTS = 12


# --- downloads ----------------------------------------------------------------------------------------------


def table_response(
    *, fmt: str, filename: str, title: str, headers: list[str], rows: list[list]
) -> HttpResponse:
    """CSV with a UTF-8 BOM (so Excel shows Chinese) or XLSX (a title row, then the table)."""
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(headers)
        writer.writerows(["" if v is None else v for v in row] for row in rows)
        return response
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = filename[:31]
    ws.append([title])
    ws.append(headers)
    for row in rows:
        ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def _filter_choices(request) -> dict:
    return {
        "counties": ScopeUnit.objects.filter(is_active=True).order_by("code"),
        "occupations": Occupation.objects.filter(is_active=True, parent__isnull=False)
        .select_related("parent")
        .order_by("parent__sort", "sort", "code"),
        "selected": {k: request.GET.get(k, "") for k in ("month", "county", "occupation")},
    }


# --- charts -------------------------------------------------------------------------------------------------


def svg_line_chart(
    points: list[tuple[dt.date, Decimal]], *, title: str, width: int = 320, height: int = 170
) -> str:
    """A small accessible line chart of (month, value) as inline SVG; values in yuan."""
    if not points:
        return ""
    left, right, top, bottom = 48, 12, 14, 30
    values = [float(v) for _, v in points]
    low, high = min(values), max(values)
    if high - low < 1:
        low, high = low - 5, high + 5
    pad = (high - low) * 0.1
    low, high = low - pad, high + pad
    plot_w, plot_h = width - left - right, height - top - bottom
    n = len(points)

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - low) / (high - low))

    coords = [(x(i), y(v)) for i, v in enumerate(values)]
    parts = [
        format_html(
            '<svg class="chart" viewBox="0 0 {} {}" width="100%" role="img" aria-label="{}" '
            'xmlns="http://www.w3.org/2000/svg"><title>{}</title>',
            width,
            height,
            title,
            title,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>',
            left,
            top + plot_h,
            left + plot_w,
            top + plot_h,
        ),
        format_html('<line x1="{}" y1="{}" x2="{}" y2="{}" class="axis"/>', left, top, left, top + plot_h),
    ]
    for v in (high - pad, low + pad):
        parts.append(
            format_html(
                '<text x="{}" y="{}" class="tick" text-anchor="end">{}</text>',
                left - 4,
                f"{y(v) + 4:.1f}",
                f"{v:.0f}",
            )
        )
    if n > 1:
        parts.append(
            format_html(
                '<polyline points="{}" class="line" fill="none"/>',
                " ".join(f"{cx:.1f},{cy:.1f}" for cx, cy in coords),
            )
        )
    step = max(1, (n + 5) // 6)
    for i, ((month, value), (cx, cy)) in enumerate(zip(points, coords, strict=True)):
        parts.append(
            format_html(
                '<circle cx="{}" cy="{}" r="3.5" class="dot"><title>{}：{} 元</title></circle>',
                f"{cx:.1f}",
                f"{cy:.1f}",
                f"{month:%Y-%m}",
                value,
            )
        )
        if i % step == 0 or i == n - 1:
            parts.append(
                format_html(
                    '<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>',
                    f"{cx:.1f}",
                    height - 10,
                    f"{month:%y-%m}",
                )
            )
    parts.append("</svg>")
    # every part but the constant closing tag was built with format_html, which escapes its arguments
    return mark_safe("".join(str(p) for p in parts))


# --- wage guidance ------------------------------------------------------------------------------------------

GUIDANCE_HEADERS = [
    _("月份"),
    _("县（市、区）"),
    _("工种"),
    _("低位数（P10）"),
    _("P25"),
    _("中位数（P50）"),
    _("P75"),
    _("高位数（P90）"),
    _("样本数"),
    _("用工方数"),
]


def wage_guidance(request):
    """The published wage guidance table of a month (latest by default), filterable, downloadable, with
    the median trend of each occupation shown."""
    months = list(
        WageGuidance.objects.filter(status=GuidanceStatus.PUBLISHED)
        .order_by("-month")
        .values_list("month", flat=True)
    )
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
    if fmt in ("csv", "xlsx"):
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
        **_filter_choices(request),
        "months": months,
        "month": month,
        "headers": headers,
        "rows": rows,
        "charts": charts,
        "query": data.urlencode(),
        "section": "wages",
    }
    context["selected"]["month"] = f"{month:%Y-%m}" if month else ""
    return render(request, "jobs/stats_wage_guidance.html", context)


# --- supply and demand --------------------------------------------------------------------------------------

SUPPLY_HEADERS = [
    _("月份"),
    _("县（市、区）"),
    _("工种"),
    _("需求人数"),
    _("求职人数"),
    _("求人倍率"),
    _("新增求职登记"),
    _("发布岗位数"),
    _("录用人数"),
    _("平均招满天数"),
]


def supply_demand(request):
    months = list(SupplyDemandStat.objects.order_by("-month").values_list("month", flat=True).distinct())
    data = request.GET.copy()
    month = parse_month(data.get("month")) or (months[0] if months else None)
    if month is not None:
        data["month"] = f"{month:%Y-%m}"
    base = SupplyDemandStat.objects.select_related("occupation", "scope_unit")
    filterset = SupplyDemandFilterSet(data, queryset=base)
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
    if fmt in ("csv", "xlsx"):
        label = f"{month:%Y-%m}" if month else "none"
        return table_response(
            fmt=fmt,
            filename=f"supply-demand-{label}",
            title=_("人力资源市场供求状况（%(m)s）") % {"m": label},
            headers=headers,
            rows=rows,
        )
    context = {
        **_filter_choices(request),
        "months": months,
        "month": month,
        "headers": headers,
        "rows": rows,
        "query": data.urlencode(),
    }
    context["section"] = "supply"
    context["selected"]["month"] = f"{month:%Y-%m}" if month else ""
    return render(request, "jobs/stats_supply_demand.html", context)


# --- a worker's earnings ------------------------------------------------------------------------------------


def _earnings(user, *, start: dt.date | None = None, end: dt.date | None = None):
    """The user's own settled work orders (never anyone else's, whatever their staff scope) and their
    totals per month."""
    orders = WorkOrder.objects.filter(worker=user, status=WorkOrderStatus.SETTLED)
    if start:
        orders = orders.filter(work_date__gte=start)
    if end:
        orders = orders.filter(work_date__lt=end)
    months = list(
        orders.annotate(month=TruncMonth("work_date"))
        .values("month")
        .annotate(total=Sum("amount"), count=Count("id"), days=Count("work_date", distinct=True))
        .order_by("-month")
    )
    for row in months:
        if isinstance(row["month"], dt.datetime):
            row["month"] = row["month"].date()
    total = sum((row["total"] or Decimal("0") for row in months), Decimal("0"))
    count = sum(row["count"] for row in months)
    return orders, months, total, count


def _period(request) -> tuple[dt.date | None, dt.date | None]:
    start = parse_month(request.GET.get("from"))
    last = parse_month(request.GET.get("to"))
    end = None
    if last:
        end = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return start, end


@login_required
def my_earnings(request):
    start, end = _period(request)
    orders, months, total, count = _earnings(request.user, start=start, end=end)
    orders = orders.select_related("posting", "posting__occupation", "posting__employer").order_by(
        "-work_date", "-id"
    )[:200]
    return render(
        request,
        "jobs/stats_earnings.html",
        {"orders": orders, "months": months, "total": total, "count": count, "section": "earnings"},
    )


def bureau_name() -> str:
    city = (
        Division.objects.filter(code=settings.LINGONG_CITY_CODE).values_list("name", flat=True).first() or ""
    )
    return _("%(city)s人力资源和社会保障局") % {"city": city}


@login_required
def my_earnings_statement(request):
    """The printable earnings statement (收入证明 / 灵活就业证明) for the chosen months."""
    start, end = _period(request)
    _orders, months, total, count = _earnings(request.user, start=start, end=end)
    context = {
        "person": request.user,
        "id_masked": request.user.masked_id_number,
        "months": months,
        "first": months[-1]["month"] if months else None,
        "last": months[0]["month"] if months else None,
        "total": total,
        "count": count,
        "days": sum(row["days"] for row in months),
        "today": timezone.localdate(),
        "bureau": bureau_name(),
        "site_name": settings.LINGONG_SITE_NAME,
        "section": "earnings",
    }
    return render(request, "jobs/stats_earnings_statement.html", context)
