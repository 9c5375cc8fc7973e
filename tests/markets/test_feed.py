"""The public GeoJSON feed: a valid FeatureCollection with [lng, lat] points, an ETag answered with 304,
no query on a cache hit, and a ban that takes the market off at once."""

from __future__ import annotations

import json

import pytest

from markets import services
from markets.choices import MarketStatus
from markets.models import MapSnapshot

from .factories import MarketFactory, OnlinePlatformFactory

pytestmark = pytest.mark.django_db

FEED = "/api/v1/markets/geojson/"


@pytest.fixture
def markets(county_a, county_b):
    return [
        MarketFactory(scope_unit=county_a, name="潍城区零工市场", lat=36.7100, lng=119.0240),
        MarketFactory(scope_unit=county_b, name="寿光市零工市场", lat=36.8810, lng=118.7910),
        MarketFactory(
            scope_unit=county_a, name="北关街道零工驿站", lat=36.7220, lng=119.0090, kind="station"
        ),
    ]


def test_feed_is_a_valid_feature_collection_with_lng_lat_points(api, markets, county_a):
    MarketFactory(scope_unit=county_a, status=MarketStatus.PLANNED, name="筹建中的驿站")
    response = api.get(FEED)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/geo+json")
    data = json.loads(response.content)
    assert set(data) == {"type", "features"} and data["type"] == "FeatureCollection"
    by_id = {m.pk: m for m in markets}
    assert sorted(f["id"] for f in data["features"]) == sorted(by_id)
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        lng, lat = feature["geometry"]["coordinates"]
        market = by_id[feature["id"]]
        assert (lng, lat) == pytest.approx((market.lng, market.lat), abs=1e-6)
        assert -180 <= lng <= 180 and -90 <= lat <= 90
        props = feature["properties"]
        assert props["name"] == market.name and props["county"] == market.scope_unit.code
        assert props["address"] == market.address and props["hotline"] == market.hotline
        assert props["url"] == f"/markets/{market.pk}/"


def test_unchanged_feed_answers_304_to_its_etag(api, markets):
    first = api.get(FEED)
    etag = first["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2
    again = api.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    # a stale or foreign tag gets the body
    assert api.get(FEED, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    assert api.get(FEED, HTTP_IF_NONE_MATCH=f'"x", {etag}').status_code == 304


def test_ban_changes_the_etag_and_drops_the_market_at_once(
    api, officer, markets, django_capture_on_commit_callbacks
):
    etag = api.get(FEED)["ETag"]
    banned = markets[0]
    with django_capture_on_commit_callbacks(execute=True):
        services.market_ban(market=banned, actor=officer, reason="占道聚集，交通安全风险高")
    banned.refresh_from_db()
    assert banned.status == MarketStatus.BANNED
    response = api.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] != etag
    ids = {f["id"] for f in json.loads(response.content)["features"]}
    assert banned.pk not in ids and ids == {markets[1].pk, markets[2].pk}
    latest = MapSnapshot.objects.latest()
    assert latest.feature_count == 2 and f'"{latest.etag}"' == response["ETag"]


def test_cached_feed_makes_no_query_on_a_hit(api, markets, django_assert_num_queries):
    warm = api.get(FEED)
    assert warm.status_code == 200
    with django_assert_num_queries(0):
        hit = api.get(FEED)
    assert hit.status_code == 200 and hit.content == warm.content
    with django_assert_num_queries(0):
        assert api.get(FEED, HTTP_IF_NONE_MATCH=warm["ETag"]).status_code == 304


def test_feed_is_cacheable_by_clients(api, markets):
    response = api.get(FEED)
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]


def test_empty_map_is_still_a_feature_collection(api):
    data = json.loads(api.get(FEED).content)
    assert data == {"type": "FeatureCollection", "features": []}


def test_online_platforms_list_only_approved_ones_to_the_public(api, county_a):
    approved = OnlinePlatformFactory(scope_unit=county_a, name="鸢都零工")
    OnlinePlatformFactory(scope_unit=county_a, name="待审平台", status="pending")
    OnlinePlatformFactory(scope_unit=county_a, name="暂停平台", status="suspended")
    rows = api.get("/api/v1/online-platforms/").json()["results"]
    assert [row["id"] for row in rows] == [approved.pk]


def test_feed_picks_up_a_version_published_by_another_process(api, markets, monkeypatch):
    """Under `make run` the worker publishes debounced edits with a cache of its own: the web process's
    cached snapshot must expire so the feed serves the newer version."""
    import time

    from markets import publishing

    etag = api.get(FEED)["ETag"]
    current = MapSnapshot.objects.latest()
    newer = json.loads(current.body)
    newer["features"] = newer["features"][:1]
    body = json.dumps(newer, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    MapSnapshot.objects.create(
        version=current.version + 1, etag="other-process-v2", body=body, feature_count=1
    )
    assert api.get(FEED)["ETag"] == etag  # still the cached one for a moment
    real_time, real_monotonic = time.time, time.monotonic
    monkeypatch.setattr(time, "time", lambda: real_time() + publishing.CACHE_SECONDS + 1)
    # and past the second for which each process trusts its own copy
    monkeypatch.setattr(time, "monotonic", lambda: real_monotonic() + publishing.LOCAL_SECONDS + 1)
    response = api.get(FEED, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert response["ETag"] == '"other-process-v2"'
    assert len(json.loads(response.content)["features"]) == 1
