"""Charts drawn on the server as inline SVG by ``core.charts`` (pygal): no JavaScript, no CDN (government
intranets have none). The page prints the same figures as a table beside each chart."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from core.charts import line_chart


def yuan(value) -> str:
    return f"{Decimal(value):,.2f}"


def svg_line_chart(
    points: list[tuple[dt.date, Decimal]], *, title: str, height: int = 300
) -> SafeString | str:
    """A small accessible line chart of (month, value) as inline SVG; values in yuan (each point's value
    is its tooltip, ``2025-03：214.50``)."""
    if not points:
        return ""
    return line_chart(
        title=title,
        labels=[f"{month:%Y-%m}" for month, _v in points],
        series=[(_("中位数（元/天）"), [value for _m, value in points])],
        height=height,
        formatter=yuan,
        rotate_after=3,
        show_legend=False,
    )
