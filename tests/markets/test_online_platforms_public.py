"""Approved online platforms (线上零工平台) on the public map, in the GeoJSON feed and in the quarterly
directory, as the notice's §4 asks ("线上线下"); past quarters' directories are kept as published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
import time_machine

from markets import services
from markets.choices import PlatformStatus
from markets.directory import directory_publish
from markets.models import DirectorySnapshot
from work.calculators import SHANGHAI

from .factories import MarketFactory, OnlinePlatformFactory

pytestmark = pytest.mark.django_db

FEED = "/api/v1/markets/geojson/"


@pytest.fixture
def platforms(county_a, county_b):
    return {
        status: OnlinePlatformFactory(scope_unit=county_a, status=status, name=f"平台{status}")
        for status in PlatformStatus.values
    } | {"approved_b": OnlinePlatformFactory(scope_unit=county_b, name="寿光零工小程序")}


def test_feed_carries_approved_platforms_without_a_point_and_markets_with_one(api, county_a, platforms):
    market = MarketFactory(scope_unit=county_a, name="潍城区零工市场")
    data = json.loads(api.get(FEED).content)
    by_category = {}
    for feature in data["features"]:
        by_category.setdefault(feature["properties"]["category"], []).append(feature)
    assert [f["id"] for f in by_category["market"]] == [market.pk]
    assert by_category["market"][0]["geometry"]["type"] == "Point"
    online = {f["properties"]["name"]: f for f in by_category["online_platform"]}
    assert set(online) == {platforms[PlatformStatus.APPROVED].name, "寿光零工小程序"}
    approved = online[platforms[PlatformStatus.APPROVED].name]
    assert approved["geometry"] is None  # RFC 7946 §3.2: a feature may have no geometry
    assert approved["id"] == f"platform-{platforms[PlatformStatus.APPROVED].pk}"
    props = approved["properties"]
    assert props["county"] == county_a.code and props["operator_name"] == "潍坊鸢都人力资源有限公司"
    assert props["url"] == f"/markets/platforms/{platforms[PlatformStatus.APPROVED].pk}/"
    assert props["services"] == ["publishing"]  # the factory's platform offers publishing only


def test_suspending_a_platform_takes_it_off_the_feed_at_once(
    api, officer, platforms, django_capture_on_commit_callbacks
):
    etag = api.get(FEED)["ETag"]
    platform = platforms[PlatformStatus.APPROVED]
    with django_capture_on_commit_callbacks(execute=True):
        services.platform_transition(platform=platform, to_status=PlatformStatus.SUSPENDED, actor=officer)
    response = api.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    names = {f["properties"]["name"] for f in json.loads(response.content)["features"]}
    assert platform.name not in names and "寿光零工小程序" in names


def test_map_page_lists_the_approved_platforms(client, platforms):
    html = client.get("/markets/").content.decode()
    assert platforms[PlatformStatus.APPROVED].name in html and "寿光零工小程序" in html
    for status in (PlatformStatus.PENDING, PlatformStatus.REJECTED, PlatformStatus.SUSPENDED):
        assert platforms[status].name not in html
    detail = client.get(f"/markets/platforms/{platforms[PlatformStatus.APPROVED].pk}/")
    assert detail.status_code == 200 and "潍坊鸢都人力资源有限公司" in detail.content.decode()
    assert client.get(f"/markets/platforms/{platforms[PlatformStatus.PENDING].pk}/").status_code == 404


def test_county_filter_narrows_the_platform_list_too(client, county_b, platforms):
    context = client.get("/markets/", {"county": county_b.code}).context
    assert [p.name for p in context["platforms"]] == ["寿光零工小程序"]


def test_directory_lists_platforms_on_the_page_in_csv_and_in_xlsx(client, county_a, platforms):
    from openpyxl import load_workbook

    MarketFactory(scope_unit=county_a, name="潍城区零工市场")
    approved = {platforms[PlatformStatus.APPROVED].name, "寿光零工小程序"}
    html = client.get("/markets/directory/").content.decode()
    assert all(name in html for name in approved)
    assert platforms[PlatformStatus.PENDING].name not in html
    response = client.get("/markets/directory/", {"format": "csv", "table": "platforms"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["县（市、区）", "名称"]
    assert {row[1] for row in rows[1:]} == approved
    markets_csv = client.get("/markets/directory/", {"format": "csv"}).content.decode("utf-8-sig")
    assert "潍城区零工市场" in markets_csv and "寿光零工小程序" not in markets_csv
    book = load_workbook(io.BytesIO(client.get("/markets/directory/", {"format": "xlsx"}).content))
    assert len(book.worksheets) == 2
    sheet = list(book.worksheets[1].iter_rows(values_only=True))
    assert {row[1] for row in sheet[2:]} == approved


def test_a_past_quarter_is_the_directory_as_published_then(client, officer, county_a, platforms):
    old = MarketFactory(scope_unit=county_a, name="旧址零工市场")
    with time_machine.travel(dt.datetime(2026, 9, 30, 20, 0, tzinfo=SHANGHAI), tick=False):
        q3 = directory_publish()
    assert q3.quarter == "2026Q3" and q3.market_count == 1 and q3.platform_count == 2
    # the next quarter: the old market closes, a new one opens, a platform is suspended
    old.status = "closed"
    old.save()
    MarketFactory(scope_unit=county_a, name="新址零工市场")
    services.platform_transition(
        platform=platforms[PlatformStatus.APPROVED], to_status=PlatformStatus.SUSPENDED, actor=officer
    )
    with time_machine.travel(dt.datetime(2026, 10, 1, 8, 0, tzinfo=SHANGHAI), tick=False):
        q4 = directory_publish()
        directory_publish()  # twice: still one row per quarter
        past = client.get("/markets/directory/", {"quarter": "2026Q3"}).content.decode()
        now = client.get("/markets/directory/").content.decode()
    assert q4.quarter == "2026Q4" and DirectorySnapshot.objects.count() == 2
    q3.refresh_from_db()
    assert q3.market_count == 1 and q3.platform_count == 2  # frozen
    assert "旧址零工市场" in past and "新址零工市场" not in past
    assert platforms[PlatformStatus.APPROVED].name in past
    assert "新址零工市场" in now and "旧址零工市场" not in now
    assert platforms[PlatformStatus.APPROVED].name not in now
    assert 'href="?quarter=2026Q3"' in now  # past quarters are linked from the current one


@pytest.mark.parametrize("quarter", ["2026Q5", "x", "2025Q1"])
def test_an_unknown_or_malformed_quarter_is_404(client, quarter):
    assert client.get("/markets/directory/", {"quarter": quarter}).status_code == 404
