"""Charts drawn on the server as inline SVG: no JavaScript library, no CDN (government intranets have none)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.html import format_html
from django.utils.safestring import mark_safe


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
