"""The public market map in headless Chromium (Debian's /usr/bin/chromium, Playwright): one Leaflet marker per
operating market and the list beside it; without JavaScript the list still shows every market and the map
stays hidden. No tiles are fetched (LINGONG_MAP_TILE_URL is empty)."""

from __future__ import annotations

import os

import pytest
from django.test import override_settings

from markets.choices import MarketStatus
from tests.markets.factories import MarketFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def markets(county_a, county_b):
    operating = [
        MarketFactory(scope_unit=county_a, name="潍城区零工市场", lat=36.7100, lng=119.0240),
        MarketFactory(
            scope_unit=county_a, name="北关街道零工驿站", lat=36.7220, lng=119.0090, kind="station"
        ),
        MarketFactory(scope_unit=county_b, name="寿光市零工市场", lat=36.8810, lng=118.7910),
        MarketFactory(
            scope_unit=county_b, name="寿光蔬菜产业零工市场", lat=36.8560, lng=118.7480, kind="industry"
        ),
    ]
    hidden = [
        MarketFactory(scope_unit=county_a, name=f"不应显示的{status}市场", status=status)
        for status in (MarketStatus.PLANNED, MarketStatus.SUSPENDED, MarketStatus.CLOSED, MarketStatus.BANNED)
    ]
    return operating, hidden


def _no_outside_requests(page, live_url):
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_url) or r.url.startswith("data:") else outside.append(r.url),
    )
    return outside


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_map_shows_one_marker_per_operating_market_and_the_list(chromium, live_server, markets):
    operating, hidden = markets
    page = chromium.new_page(viewport={"width": 1280, "height": 900})
    outside = _no_outside_requests(page, live_server.url)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/markets/")
    page.wait_for_selector("#market-map[data-markers]")
    assert errors == []
    assert page.is_visible("#market-map")
    assert page.get_attribute("#market-map", "data-markers") == str(len(operating))
    assert page.locator(".leaflet-marker-icon").count() == len(operating)
    titles = set(
        page.eval_on_selector_all(".leaflet-marker-icon", "els => els.map(e => e.getAttribute('title'))")
    )
    assert titles == {m.name for m in operating}
    # the accessible list beside the map
    items = page.locator("li.market-item")
    assert items.count() == len(operating)
    assert {
        int(x) for x in page.eval_on_selector_all("li.market-item", "els => els.map(e => e.dataset.id)")
    } == {m.pk for m in operating}
    text = page.inner_text(".market-list")
    for market in hidden:
        assert market.name not in text
    # a marker opens a popup that links to the market's page
    page.locator(".leaflet-marker-icon[title='潍城区零工市场']").click()
    page.wait_for_selector(".leaflet-popup-content")
    assert f"/markets/{operating[0].pk}/" in page.inner_html(".leaflet-popup-content")
    assert outside == []  # Leaflet is served locally; no tiles asked for
    page.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_without_javascript_the_list_shows_every_market_and_the_map_stays_hidden(
    chromium, live_server, markets
):
    operating, hidden = markets
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(live_server.url + "/markets/")
    assert not page.is_visible("#market-map")
    assert page.locator(".leaflet-marker-icon").count() == 0
    text = page.inner_text(".market-list")
    for market in operating:
        assert market.name in text and market.address in text and market.hotline in text
    for market in hidden:
        assert market.name not in text
    assert page.locator("li.market-item").count() == len(operating)
    # the detail page works without JavaScript too
    page.click(f"text={operating[2].name}")
    assert page.url.endswith(f"/markets/{operating[2].pk}/")
    assert operating[2].address in page.content()
    context.close()


@pytest.fixture
def platforms(county_a):
    from tests.markets.factories import OnlinePlatformFactory

    return [
        OnlinePlatformFactory(scope_unit=county_a, name="潍坊零工小程序"),
        OnlinePlatformFactory(scope_unit=county_a, name="待审核的平台", status="pending"),
    ]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_online_platforms_are_on_the_map_page_with_and_without_javascript(
    chromium, live_server, markets, platforms, javascript
):
    operating, _hidden = markets
    context = chromium.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto(live_server.url + "/")
    page.click("a[href='/markets/']")
    if javascript:
        page.wait_for_selector("#market-map[data-markers]")
        # markets are markers; platforms have no point and are not drawn as one
        assert page.get_attribute("#market-map", "data-markers") == str(len(operating))
        assert page.get_attribute("#market-map", "data-platforms") == "1"
    text = page.inner_text(".platform-list")
    assert "潍坊零工小程序" in text and "待审核的平台" not in text
    page.click("text=潍坊零工小程序")
    assert page.url.endswith(f"/markets/platforms/{platforms[0].pk}/")
    assert "潍坊鸢都人力资源有限公司" in page.content()
    context.close()
