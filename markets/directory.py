"""The quarterly directory (名录) of gig markets and approved online platforms (notice §4: "线上线下" markets
brought into public employment services and published). The current quarter is read live; each quarter is
also kept as a published snapshot (``DirectorySnapshot``), refreshed daily while the quarter runs and frozen
once it is over."""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from .models import DirectorySnapshot, Market
from .publishing import public_platforms

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")

MARKET_COLUMNS = [  # labels lazy: the list is built at import, read in the request's language
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


def _services(p) -> str:
    offered = [
        label
        for label, on in (
            (_("岗位发布"), p.offers_publishing),
            (_("供需匹配"), p.offers_matching),
            (_("线上支付劳务费"), p.offers_payment),
        )
        if on
    ]
    return _("、").join(offered)


PLATFORM_COLUMNS = [
    (_lazy("县（市、区）"), lambda p: p.scope_unit.name),
    (_lazy("名称"), lambda p: p.name),
    (_lazy("形式"), lambda p: p.get_kind_display()),
    (_lazy("运营单位"), lambda p: p.operator_name),
    (_lazy("网址或入口"), lambda p: p.url),
    (_lazy("服务内容"), _services),
    (_lazy("服务电话"), lambda p: p.hotline),
]


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def parse_quarter(value: str) -> str | None:
    """ "2026Q3" → "2026Q3"; anything else → None."""
    return value if isinstance(value, str) and QUARTER_RE.match(value) else None


def _table(columns, objects) -> dict:
    return {
        "headers": [str(label) for label, _get in columns],
        "rows": [[str(get(obj)) for _label, get in columns] for obj in objects],
    }


def directory_tables() -> dict:
    """Today's directory: {"markets": {"headers", "rows"}, "platforms": {"headers", "rows"}}."""
    markets = (
        Market.objects.public()
        .select_related("scope_unit")
        .prefetch_related("facilities")
        .order_by("scope_unit__code", "kind", "name")
    )
    return {
        "markets": _table(MARKET_COLUMNS, markets),
        "platforms": _table(PLATFORM_COLUMNS, public_platforms()),
    }


@transaction.atomic
def directory_publish(*, now=None) -> DirectorySnapshot:
    """Store today's directory as the current quarter's snapshot (in the site's language, as published).
    Past quarters are never touched. Safe to run twice."""
    now = now or timezone.now()
    quarter = quarter_of(timezone.localdate(now))
    with translation.override(settings.LANGUAGE_CODE):
        tables = directory_tables()
    counts = {
        "market_count": len(tables["markets"]["rows"]),
        "platform_count": len(tables["platforms"]["rows"]),
    }
    snap = DirectorySnapshot.objects.select_for_update().filter(quarter=quarter).first()
    if snap is None:
        return DirectorySnapshot.objects.create(
            quarter=quarter, body=tables, first_published_at=now, published_at=now, **counts
        )
    snap.body = tables
    snap.published_at = now
    snap.market_count = counts["market_count"]
    snap.platform_count = counts["platform_count"]
    snap.save()
    return snap
