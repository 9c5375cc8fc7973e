from __future__ import annotations

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import apply_domain_error

from . import selectors, services
from .filtersets import MarketFilterSet
from .forms import OperatorMarketForm
from .models import Facility, Market
from .publishing import market_feature


def _map_config() -> dict:
    return {
        "tiles": settings.LINGONG_MAP_TILE_URL,
        "labels": settings.LINGONG_MAP_LABEL_URL,
        "subdomains": settings.LINGONG_MAP_TILE_SUBDOMAINS,
        "attribution": settings.LINGONG_MAP_ATTRIBUTION,
        "center": settings.LINGONG_MAP_CENTER,
        "zoom": settings.LINGONG_MAP_ZOOM,
    }


def market_map(request):
    """The public register: a Leaflet map and, beside it, the same markets as an accessible list that
    works without JavaScript and without map tiles."""
    base = Market.objects.public().select_related("scope_unit", "town").prefetch_related("facilities")
    filterset = MarketFilterSet(request.GET or None, queryset=base)
    markets = list(filterset.qs) if filterset.is_valid() else list(base.order_by("scope_unit__code", "name"))
    now = timezone.now()
    for market in markets:
        market.open_now = market.is_open_at(now)
    context = {
        "filter": filterset,
        "markets": markets,
        "features": {"type": "FeatureCollection", "features": [market_feature(m) for m in markets]},
        "map_config": _map_config(),
        "notice_count": selectors.notice_list_public().count(),
    }
    return render(request, "markets/market_map.html", context)


def market_detail(request, pk: int):
    market = selectors.market_public_get(pk=pk)
    if market is None:
        raise Http404
    standard = list(Facility.objects.filter(is_active=True, is_standard=True))
    have = {f.pk for f in market.facilities.all()}
    context = {
        "market": market,
        "open_now": market.is_open_at(timezone.now()),
        "standard": [(f, f.pk in have) for f in standard],
        "extra_facilities": [f for f in market.facilities.all() if not f.is_standard],
        "map_config": _map_config(),
        "feature": {"type": "FeatureCollection", "features": [market_feature(market)]},
    }
    return render(request, "markets/market_detail.html", context)


def notice_list(request):
    return render(request, "markets/notice_list.html", {"notices": selectors.notice_list_public()})


DIRECTORY_COLUMNS = [  # labels lazy: the list is built at import, read in the request's language
    (_lazy("县（市、区）"), lambda m: m.scope_unit.name),
    (_lazy("名称"), lambda m: m.name),
    (_lazy("类型"), lambda m: m.get_kind_display()),
    (_lazy("地址"), lambda m: m.address),
    (_lazy("开放时间"), lambda m: f"{m.open_days_display} {m.opens_at:%H:%M}-{m.closes_at:%H:%M}"),
    (_lazy("服务电话"), lambda m: m.hotline),
    (_lazy("投诉渠道"), lambda m: m.complaint_channel),
    (_lazy("运营模式"), lambda m: m.get_operating_model_display()),
    (_lazy("运营单位"), lambda m: m.operator_name),
    (_lazy("设施"), lambda m: _("、").join(f.label for f in m.facilities.all())),
    (_lazy("经度"), lambda m: f"{m.lng:.6f}"),
    (_lazy("纬度"), lambda m: f"{m.lat:.6f}"),
]


def directory(request):
    """The market directory (名录) as cities publish it each quarter: printable page, CSV or XLSX."""
    markets = (
        Market.objects.public()
        .select_related("scope_unit")
        .prefetch_related("facilities")
        .order_by("scope_unit__code", "kind", "name")
    )
    today = timezone.localdate()
    quarter = f"{today.year}Q{(today.month - 1) // 3 + 1}"
    fmt = request.GET.get("format")
    headers = [str(h) for h, _ in DIRECTORY_COLUMNS]
    rows = [[str(get(m)) for _, get in DIRECTORY_COLUMNS] for m in markets]
    filename = f"gig-markets-{quarter}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(headers)
        writer.writerows(rows)
        return response
    if fmt == "xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = quarter
        ws.append([_("零工市场名录（%(q)s）") % {"q": quarter}])
        ws.append(headers)
        for row in rows:
            ws.append(row)
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    return render(
        request,
        "markets/directory.html",
        {"headers": headers, "rows": rows, "quarter": quarter, "today": today},
    )


@login_required
def manage_list(request):
    markets = selectors.market_operated_by(user=request.user)
    return render(request, "markets/manage_list.html", {"markets": markets})


@login_required
@require_http_methods(["GET", "POST"])
def manage_edit(request, pk: int):
    """A market operator keeps their own market's profile, hours and facilities (not another's: 404)."""
    market = selectors.market_operated_by(user=request.user).filter(pk=pk).first()
    if market is None:
        raise Http404
    form = OperatorMarketForm(request.POST or None, instance=Market.objects.get(pk=market.pk))
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "facilities"}
        try:
            services.market_update_profile(
                market=market,
                actor=request.user,
                data=data,
                facilities=form.cleaned_data["facilities"],
                request=request,
            )
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            messages.success(request, _("已保存，地图将在一分钟内更新。"))
            return redirect("markets:manage_edit", pk=market.pk)
    return render(request, "markets/manage_edit.html", {"form": form, "market": market})
