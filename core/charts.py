"""Charts drawn on the server with pygal as inline SVG: no JavaScript, nothing from a CDN (government
intranets have none), text in a CJK-capable font, as wide as their container. The figures of every chart are
also given as an HTML table by the page that shows it (a chart is never the only way to read a figure).

pygal writes a ``<script>`` with its config into every SVG even with ``js=[]`` (its tooltips need it): the
XML filter below drops every script element, so the page's Content-Security-Policy (scripts only from this
site, ADR 0014) has nothing to refuse. Each point's value is kept as a ``<title>`` (the browser's own
tooltip, no JavaScript)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal

import pygal
from django.utils.safestring import SafeString, mark_safe
from pygal.style import Style

FONT_FAMILY = '"WenQuanYi Zen Hei", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", sans-serif'
SVG = "{http://www.w3.org/2000/svg}"

STYLE = Style(
    font_family=FONT_FAMILY,
    background="transparent",
    plot_background="transparent",
    foreground="rgba(0, 0, 0, .87)",
    foreground_strong="rgba(0, 0, 0, 1)",
    foreground_subtle="rgba(0, 0, 0, .6)",
    colors=("#c5221f", "#1a73e8", "#188038", "#e37400", "#9334e6", "#5f6368", "#00796b", "#b06000"),
    label_font_size=15,
    major_label_font_size=15,
    legend_font_size=16,
    title_font_size=17,
    value_font_size=14,
    no_data_font_size=20,
    guide_stroke_color="#bbb",
    major_guide_stroke_color="#999",
    stroke_width="2",
)

Number = Decimal | int | float | None


def figure(value) -> str:
    """A figure as the tables print it: whole numbers without decimals, others with two."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}"


def _plain(values: Sequence[Number]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _tag(element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


GEOMETRY = frozenset(
    {"x", "y", "cx", "cy", "r", "x1", "x2", "y1", "y2", "width", "height", "d", "points", "transform"}
)
LONG_FRACTION = re.compile(r"-?\d+\.\d{2,}")


def _short(value: str) -> str:
    """Coordinates to a tenth of a unit (a viewBox 420 wide: finer is invisible). pygal writes them with 16
    digits, which is bytes on a cheap phone's connection, and digit runs a personal-data scan reads as card
    numbers."""
    return LONG_FRACTION.sub(lambda m: f"{float(m.group()):.1f}", value)


def _no_scripts(root):
    """Drop pygal's scripts; give each value a <title> (a tooltip without JavaScript)."""
    parents = {child: parent for parent in root.iter() for child in parent}
    for child, parent in parents.items():
        if _tag(child) == "script":
            parent.remove(child)
    namespace = SVG if root.tag.startswith("{") else ""
    for child, parent in parents.items():
        # the points' coordinates again, for pygal's scripted tooltips (dropped above): not needed
        if _tag(child) == "desc" and (child.get("class") or "").split(" ")[0] in ("x", "y"):
            parent.remove(child)
    for element in root.iter():
        for name in GEOMETRY.intersection(element.keys()):
            element.set(name, _short(element.get(name)))
    for child, parent in parents.items():
        # pygal puts <desc class="value"> in each point's group: a <title> first in that group
        if _tag(child) == "desc" and child.get("class") == "value" and _tag(parent) == "g":
            label = next((d.text for d in parent if _tag(d) == "desc" and d.get("class") == "x_label"), "")
            title = parent.makeelement(f"{namespace}title", {})
            title.text = f"{label}：{child.text}" if label else child.text
            parent.insert(0, title)
    return root


WIDTH = 420  # the viewBox: a phone shows it at about 0.8, its labels still legible


def _config(*, title: str, height: int, **options) -> dict:
    return {
        "title": title if options.pop("show_title", False) else None,  # the page's heading names it
        "js": [],
        "disable_xml_declaration": True,
        "explicit_size": False,  # a viewBox only: the SVG is as wide as its container
        "width": WIDTH,
        "height": height,
        "style": STYLE,
        "no_data_text": options.pop("no_data_text", "—"),
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 1,
        "truncate_legend": -1,
        "truncate_label": -1,
        "print_values": False,
        "show_minor_x_labels": True,
        "show_minor_y_labels": False,  # about five figures on the value axis, not pygal's dozen
        "y_labels_major_count": 5,
        **options,
    }


def _render(chart, *, title: str) -> SafeString:
    """The chart as an inline ``<svg>`` (role img, labelled by its title). pygal builds an XML tree, which
    escapes every label and title it serialises."""
    chart.add_xml_filter(_no_scripts)

    def accessible(root):
        heading = root.makeelement(f"{SVG}title" if root.tag.startswith("{") else "title", {})
        heading.text = title
        root.insert(0, heading)
        root.set("role", "img")
        root.set("aria-label", title)
        root.set("width", "100%")
        root.set("class", (root.get("class", "") + " chart").strip())
        return root

    chart.add_xml_filter(accessible)
    return mark_safe(chart.render(is_unicode=True))  # serialised by the XML library: escaped


def line_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    secondary: Sequence[str] = (),
    height: int = 400,
    formatter=figure,
    rotate_after: int = 6,
    **options,
) -> SafeString:
    """One line per ``(name, values)``, one value per label (None leaves a gap); the series named in
    ``secondary`` on a right-hand axis of their own (yuan beside head counts)."""
    step = max(1, (len(labels) + 7) // 8)
    chart = pygal.Line(
        **_config(
            title=title,
            height=height,
            x_label_rotation=-45 if len(labels) > rotate_after else 0,
            x_labels_major_every=step,
            show_minor_x_labels=step == 1,
            value_formatter=formatter,
            allow_interruptions=True,
            dots_size=3.5,
            **options,
        )
    )
    chart.x_labels = list(labels)
    plotted = [(name, _plain(values)) for name, values in series]
    has_primary = any(v is not None for name, vs in plotted if name not in secondary for v in vs)
    for name, values in plotted:
        # pygal cannot scale a right-hand axis with no value on it, nor one without a left-hand axis
        right = name in secondary and has_primary and any(v is not None for v in values)
        chart.add(name, values, secondary=right)
    return _render(chart, title=title)


def bar_chart(
    *,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[Number]]],
    horizontal: bool = False,
    height: int | None = None,
    **options,
) -> SafeString:
    """Bars per label for each ``(name, values)``; ``horizontal`` for long labels (occupations)."""
    kind = pygal.HorizontalBar if horizontal else pygal.Bar
    if height is None:
        height = max(240, 90 + 34 * len(labels) * max(1, len(series))) if horizontal else 400
    chart = kind(
        **_config(
            title=title,
            height=height,
            x_label_rotation=0 if horizontal or len(labels) <= 6 else -30,
            value_formatter=figure,
            show_legend=len(series) > 1,
            **options,
        )
    )
    chart.x_labels = list(labels)
    for name, values in series:
        chart.add(name, _plain(values))
    return _render(chart, title=title)
