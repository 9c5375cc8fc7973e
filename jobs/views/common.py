"""What the labour market's pages share: the map settings and how a wage reads."""

from __future__ import annotations

from django.conf import settings

from ..choices import WageUnit


def map_config() -> dict:
    return {
        "tiles": settings.LINGONG_MAP_TILE_URL,
        "labels": settings.LINGONG_MAP_LABEL_URL,
        "subdomains": settings.LINGONG_MAP_TILE_SUBDOMAINS,
        "attribution": settings.LINGONG_MAP_ATTRIBUTION,
        "center": settings.LINGONG_MAP_CENTER,
        "zoom": settings.LINGONG_MAP_ZOOM,
    }


def wage_text(posting) -> str:
    """ "220 元/天", "0.015 元/件": the rate as posted, without trailing zeros."""
    unit = dict(WageUnit.choices).get(posting.wage_unit, "")
    return f"{posting.wage_amount.normalize():f} {unit}"
