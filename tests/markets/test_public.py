"""The public register: only operating markets on the map page, the feed, the list and the detail pages;
suspensions, bans and weather stoppages announced on the notices page; the directory exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.utils import timezone

from markets import services
from markets.choices import MarketStatus, NoticeKind
from markets.models import MarketEvent, PublicNotice

from .factories import MarketFactory

pytestmark = pytest.mark.django_db

HIDDEN = [MarketStatus.PLANNED, MarketStatus.SUSPENDED, MarketStatus.CLOSED, MarketStatus.BANNED]


@pytest.fixture
def one_of_each(county_a, county_b):
    """One market in every status (county A), plus an operating one in county B."""
    markets = {
        s: MarketFactory(scope_unit=county_a, status=s, name=f"状态{s}市场") for s in MarketStatus.values
    }
    markets["operating_b"] = MarketFactory(scope_unit=county_b, name="寿光运营市场")
    return markets


def test_map_page_lists_only_operating_markets(client, one_of_each):
    response = client.get("/markets/")
    assert response.status_code == 200
    shown = {m.pk for m in response.context["markets"]}
    assert shown == {one_of_each[MarketStatus.OPERATING].pk, one_of_each["operating_b"].pk}
    features = response.context["features"]["features"]
    assert {f["id"] for f in features} == shown
    html = response.content.decode()
    for status in HIDDEN:
        assert one_of_each[status].name not in html
    assert one_of_each[MarketStatus.OPERATING].name in html


def test_geojson_feed_carries_only_operating_markets(api, one_of_each):
    response = api.get("/api/v1/markets/geojson/")
    assert response.status_code == 200
    ids = {f["id"] for f in json.loads(response.content)["features"]}
    assert ids == {one_of_each[MarketStatus.OPERATING].pk, one_of_each["operating_b"].pk}


def test_public_api_list_shows_only_operating_markets(api, one_of_each):
    response = api.get("/api/v1/markets/", {"page_size": 100})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {one_of_each[MarketStatus.OPERATING].pk, one_of_each["operating_b"].pk}
    # asking for another status does not open the door
    for status in HIDDEN:
        response = api.get("/api/v1/markets/", {"status": status})
        assert response.json()["results"] == []


@pytest.mark.parametrize("status", HIDDEN)
def test_public_detail_of_a_hidden_market_is_404(client, api, county_a, status):
    hidden = MarketFactory(scope_unit=county_a, status=status)
    assert client.get(f"/markets/{hidden.pk}/").status_code == 404
    assert api.get(f"/api/v1/markets/{hidden.pk}/").status_code == 404


def test_public_detail_of_an_operating_market_shows_hours_and_hotline(client, market):
    response = client.get(f"/markets/{market.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert market.name in html and market.address in html and market.hotline in html


def test_public_list_of_anonymous_is_query_bounded(api, county_a, django_assert_max_num_queries):
    for _ in range(15):
        MarketFactory(scope_unit=county_a)
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/markets/", {"page_size": 100})
    assert len(response.json()["results"]) == 15


def test_ban_is_announced_on_the_notices_page(client, officer, market, county_a):
    refuge = MarketFactory(scope_unit=county_a, name="北关街道零工驿站")
    services.market_ban(
        market=market,
        actor=officer,
        reason="占用机动车道聚集候工",
        alternative="请到胜利西街零工市场",
        alternative_market=refuge,
    )
    market.refresh_from_db()
    assert market.status == MarketStatus.BANNED
    notice = PublicNotice.objects.get(market=market)
    assert notice.kind == NoticeKind.BAN and notice.alternative_market == refuge
    assert notice.starts_on == timezone.localdate()

    html = client.get("/markets/notices/").content.decode()
    assert market.name in html
    assert timezone.localdate().strftime("%Y-%m-%d") in html
    assert "占用机动车道聚集候工" in html
    assert "请到胜利西街零工市场" in html
    assert refuge.name in html and f"/markets/{refuge.pk}/" in html
    # and the banned market is gone from the map page
    response = client.get("/markets/")
    assert market.pk not in {m.pk for m in response.context["markets"]}
    assert market.name not in response.content.decode()


def test_suspension_is_announced_and_ends_when_the_market_reopens(client, officer, market):
    services.market_suspend(
        market=market, actor=officer, reason="暴雨导致雨棚受损", alternative="请到寒亭区零工市场"
    )
    notice = PublicNotice.objects.get(market=market)
    assert notice.kind == NoticeKind.SUSPENSION
    html = client.get("/markets/notices/").content.decode()
    assert market.name in html and "暴雨导致雨棚受损" in html and "请到寒亭区零工市场" in html

    services.market_start(market=market, actor=officer, reason="雨棚修复完毕")
    notice.refresh_from_db()
    assert notice.ends_on == timezone.localdate() - dt.timedelta(days=1)
    assert "暴雨导致雨棚受损" not in client.get("/markets/notices/").content.decode()
    assert list(MarketEvent.objects.filter(market=market).values_list("to_status", flat=True)) == [
        MarketStatus.OPERATING,
        MarketStatus.SUSPENDED,
    ]


def test_weather_notice_shows_on_the_notices_page(client, county_a, market):
    PublicNotice.objects.create(
        scope_unit=county_a,
        kind=NoticeKind.WEATHER,
        title="高温停市",
        reason="气象台发布高温红色预警",
        alternative="请关注本页恢复开市通知",
        starts_on=timezone.localdate(),
    )
    PublicNotice.objects.create(  # over already: not shown
        scope_unit=county_a,
        kind=NoticeKind.WEATHER,
        title="上周暴雨停市",
        reason="暴雨",
        starts_on=timezone.localdate() - dt.timedelta(days=7),
        ends_on=timezone.localdate() - dt.timedelta(days=6),
    )
    html = client.get("/markets/notices/").content.decode()
    assert "高温停市" in html and "气象台发布高温红色预警" in html and "请关注本页恢复开市通知" in html
    assert "上周暴雨停市" not in html


# --- directory ----------------------------------------------------------------------------------------


def test_directory_csv_has_a_bom_and_only_operating_markets(client, one_of_each):
    response = client.get("/markets/directory/", {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    names = {row[1] for row in rows[1:]}
    assert names == {one_of_each[MarketStatus.OPERATING].name, one_of_each["operating_b"].name}
    assert rows[0][1] == "名称"


def test_directory_xlsx_opens_in_openpyxl(client, one_of_each):
    from openpyxl import load_workbook

    response = client.get("/markets/directory/", {"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "零工市场名录" in rows[0][0]
    assert rows[1][1] == "名称"
    assert {row[1] for row in rows[2:]} == {
        one_of_each[MarketStatus.OPERATING].name,
        one_of_each["operating_b"].name,
    }


def test_directory_page_is_printable_html(client, one_of_each):
    response = client.get("/markets/directory/")
    assert response.status_code == 200
    html = response.content.decode()
    assert one_of_each[MarketStatus.OPERATING].name in html
    assert one_of_each[MarketStatus.BANNED].name not in html


# --- filters ------------------------------------------------------------------------------------------


def test_public_filters_by_county_kind_and_facility(api, client, county_a, county_b):
    from markets.models import Facility

    shelter, toilet = Facility.objects.get(code="rain_shelter"), Facility.objects.get(code="toilet")
    both = MarketFactory(scope_unit=county_a, kind="comprehensive", facilities=[shelter, toilet])
    shelter_only = MarketFactory(scope_unit=county_a, kind="station", facilities=[shelter])
    other_county = MarketFactory(scope_unit=county_b, kind="station", facilities=[shelter, toilet])

    def ids(**params):
        rows = api.get("/api/v1/markets/", params).json()["results"]
        page = {m.pk for m in client.get("/markets/", params).context["markets"]}
        assert {r["id"] for r in rows} == page  # one FilterSet for the API and the page
        return page

    assert ids(county="370702") == {both.pk, shelter_only.pk}
    assert ids(kind="station") == {shelter_only.pk, other_county.pk}
    assert ids(facility=["rain_shelter", "toilet"]) == {both.pk, other_county.pk}
    assert ids(facility="rain_shelter", county="370783") == {other_county.pk}
    assert ids(q=both.address) == {both.pk}


def test_open_now_filter_follows_hours_and_days(api, county_a, monkeypatch):
    # Wednesday 2026-05-06, 06:30 in Asia/Shanghai
    moment = timezone.make_aware(dt.datetime(2026, 5, 6, 6, 30))
    monkeypatch.setattr(timezone, "now", lambda: moment)
    dawn = MarketFactory(scope_unit=county_a, opens_at=dt.time(5), closes_at=dt.time(11))
    MarketFactory(scope_unit=county_a, opens_at=dt.time(8), closes_at=dt.time(18))
    MarketFactory(scope_unit=county_a, opens_at=dt.time(5), closes_at=dt.time(11), open_days="12" + "4567")
    night = MarketFactory(scope_unit=county_a, opens_at=dt.time(22), closes_at=dt.time(7))
    rows = api.get("/api/v1/markets/", {"open_now": "true"}).json()["results"]
    assert {r["id"] for r in rows} == {dawn.pk, night.pk}
    assert all(r["is_open_now"] for r in rows)
