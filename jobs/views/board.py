"""The market board: the full-screen information screen of an operating market that shows today's and
tomorrow's open postings nearby, in very large type, and reloads itself every minute (no login, no JS)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from markets.extensions import panels_for
from markets.models import Market

from ..choices import WageUnit
from ..models import Posting
from ..qr import qr_svg
from ..selectors import board_postings

BOARD_RADIUS_KM = 10.0
BOARD_PAGE_SIZE = 4  # postings per screen (large type); each refresh turns the page
BOARD_REFRESH_SECONDS = 60


def posting_path(pk: int) -> str:
    """The public page of a posting, /jobs/<id>/ (what the QR codes on the board open)."""
    return reverse("jobs:detail", args=[pk])


# --- the market board -------------------------------------------------------------------------------------


def _amount(value: Decimal) -> str:
    return f"{value.normalize():f}"


def wage_text(posting: Posting) -> str:
    text = f"{_amount(posting.wage_amount)} {posting.get_wage_unit_display()}"
    if posting.wage_unit in (WageUnit.PIECE, WageUnit.JOB, WageUnit.HOUR):
        text += _("（约 %(d)s 元/天）") % {"d": _amount(posting.daily_wage)}
    return text


def board_site(request) -> str:
    """The site's address as the board prints it before a path for people to type on a phone: the configured
    public address, else the host the screen loaded the board from; without the scheme, which phones add."""
    site = settings.LINGONG_SITE_URL or request.build_absolute_uri("/")
    return re.sub(r"^https?://", "", site).rstrip("/")


@dataclass
class BoardItem:
    posting: Posting
    day: str
    wage: str
    distance: str
    qr: str


@never_cache
def market_board(request, market_id: int):
    """The information screen of one operating market (404 for any other)."""
    market = Market.objects.public().filter(pk=market_id).first()
    if market is None:
        raise Http404
    now = timezone.localtime()
    today = now.date()
    postings = board_postings(market=market, today=today, radius_km=BOARD_RADIUS_KM)
    pages = max((len(postings) + BOARD_PAGE_SIZE - 1) // BOARD_PAGE_SIZE, 1)
    try:
        page = min(max(int(request.GET.get("page", 1)), 1), pages)
    except ValueError:
        page = 1
    shown = postings[(page - 1) * BOARD_PAGE_SIZE : page * BOARD_PAGE_SIZE]
    items = []
    for p in shown:
        day = _("今天") if p.work_start_date <= today else _("明天")
        distance = (
            _("本市场") if p.market_id == market.pk else _("%(km)s 公里") % {"km": f"{p.distance_km:.1f}"}
        )
        url = request.build_absolute_uri(posting_path(p.pk))
        items.append(
            BoardItem(
                posting=p,
                day=day,
                wage=wage_text(p),
                distance=distance,
                qr=qr_svg(url, title=_("扫码查看岗位")),
            )
        )
    next_page = page + 1 if page < pages else 1
    context = {
        "market": market,
        "items": items,
        "total": len(postings),
        "today_count": sum(1 for p in postings if p.work_start_date <= today),
        "page": page,
        "pages": pages,
        "refreshed_at": now,
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "refresh_url": f"?page={next_page}" if pages > 1 else "",
        "radius_km": int(BOARD_RADIUS_KM),
        "market_panels": panels_for(market, board=True),
        "board": True,
        "board_site": board_site(request),
    }
    return render(request, "jobs/board.html", context)
