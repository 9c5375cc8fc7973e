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
from django.views.decorators.http import require_http_methods

from core.errors import DomainError
from core.forms import apply_domain_error

from . import directory as directories
from . import selectors, services
from .extensions import panels_for
from .filtersets import MarketFilterSet
from .forms import OperatorMarketForm
from .models import DirectorySnapshot, Facility, Market
from .publishing import market_feature, platform_feature, public_platforms


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
    platforms = list(public_platforms())
    if filterset.is_valid() and filterset.form.cleaned_data.get("county"):
        platforms = [p for p in platforms if p.scope_unit_id == filterset.form.cleaned_data["county"].pk]
    context = {
        "filter": filterset,
        "markets": markets,
        "platforms": platforms,
        "features": {
            "type": "FeatureCollection",
            "features": [market_feature(m) for m in markets] + [platform_feature(p) for p in platforms],
        },
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
        "market_panels": panels_for(market),
    }
    return render(request, "markets/market_detail.html", context)


def notice_list(request):
    return render(request, "markets/notice_list.html", {"notices": selectors.notice_list_public()})


def _xlsx_response(*, title: str, sheets: list[tuple[str, dict]], filename: str) -> HttpResponse:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for name, table in sheets:
        ws = wb.create_sheet(name)
        ws.append([title])
        ws.append(table["headers"])
        for row in table["rows"]:
            ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def directory(request):
    """The directory (名录) of markets and approved online platforms as cities publish it each quarter:
    printable page, CSV or XLSX. ``?quarter=2026Q3`` shows a past quarter's published snapshot."""
    today = timezone.localdate()
    current = directories.quarter_of(today)
    asked = request.GET.get("quarter")
    quarter = directories.parse_quarter(asked) if asked else current
    if quarter is None:
        raise Http404
    snapshot = None
    if quarter != current:
        snapshot = DirectorySnapshot.objects.filter(quarter=quarter).first()
        if snapshot is None:
            raise Http404
        tables = snapshot.body
    else:
        tables = directories.directory_tables()
    markets, platforms = tables["markets"], tables["platforms"]
    fmt = request.GET.get("format")
    filename = f"gig-markets-{quarter}"
    if fmt == "csv":
        # One table per file, as spreadsheet tools and county systems read CSV: ``table=platforms`` for the
        # online platforms, the markets otherwise.
        platforms_only = request.GET.get("table") == "platforms"
        table = platforms if platforms_only else markets
        name = f"online-platforms-{quarter}" if platforms_only else filename
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(table["headers"])
        writer.writerows(table["rows"])
        return response
    if fmt == "xlsx":
        return _xlsx_response(
            title=_("零工市场名录（%(q)s）") % {"q": quarter},
            sheets=[(quarter, markets), (_("线上平台"), platforms)],
            filename=filename,
        )
    past = DirectorySnapshot.objects.exclude(quarter=current).values_list("quarter", flat=True)
    return render(
        request,
        "markets/directory.html",
        {
            "headers": markets["headers"],
            "rows": markets["rows"],
            "platforms": platforms,
            "quarter": quarter,
            "current": current,
            "snapshot": snapshot,
            "past_quarters": list(past),
            "today": today,
        },
    )


def platform_detail(request, pk: int):
    """An approved online platform's public page: what it offers and how to reach it."""
    platform = public_platforms().filter(pk=pk).first()
    if platform is None:
        raise Http404
    return render(request, "markets/platform_detail.html", {"platform": platform})


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
