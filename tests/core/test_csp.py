"""The Content-Security-Policy header (issue 11, item 15): scripts only from this site or with the nonce,
no plugins, no framing; the map's tile hosts follow the map settings."""

from __future__ import annotations

import pytest
from django.test import override_settings

from core.middleware import map_tile_sources


def _policy(client, path="/"):
    header = client.get(path)["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


@pytest.mark.django_db
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_every_page_carries_a_policy_without_inline_script(client):
    policy = _policy(client)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"][0] == "'self'"
    # only this site's files (a page that renders ``request.csp_nonce`` adds its nonce): no unsafe-inline
    assert [src for src in policy["script-src"] if not src.startswith("'nonce-")] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["img-src"] == ["'self'", "data:"]
    # the API answers carry it too
    assert "Content-Security-Policy" in client.get("/api/v1/markets/")


@pytest.mark.django_db
@override_settings(
    LINGONG_MAP_TILE_URL="https://t{s}.tianditu.gov.cn/vec_w/wmts?TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=k",
    LINGONG_MAP_LABEL_URL="https://t{s}.tianditu.gov.cn/cva_w/wmts?TILEMATRIX={z}&tk=k",
)
def test_the_map_tile_servers_are_allowed_images(client):
    assert _policy(client, "/markets/")["img-src"] == ["'self'", "data:", "https://*.tianditu.gov.cn"]


@pytest.mark.parametrize(
    "tile, label, expected",
    [
        ("", "", []),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "", ["https://*.tile.openstreetmap.org"]),
        ("http://10.1.2.3:8080/tiles/{z}/{x}/{y}.png", "", ["http://10.1.2.3:8080"]),
        (
            "https://a.example/{z}/{x}/{y}.png",
            "https://b.example/{z}/{x}/{y}.png",
            ["https://a.example", "https://b.example"],
        ),
        ("/tiles/{z}/{x}/{y}.png", "", []),  # same origin: 'self' already allows it
    ],
)
def test_tile_sources(settings, tile, label, expected):
    settings.LINGONG_MAP_TILE_URL = tile
    settings.LINGONG_MAP_LABEL_URL = label
    assert map_tile_sources() == expected
