"""The distance filter against a brute-force haversine, and the conversion of coordinates picked on AMap
(GCJ-02) or Baidu (BD-09) maps to WGS-84."""

from __future__ import annotations

import math
import random

import pytest

from core import geo
from markets.models import Market

from .factories import MarketFactory

R_KM = 6371.0088
CENTER = (36.7, 119.1)


def haversine(lat1, lng1, lat2, lng2) -> float:
    """Written out here on purpose, not imported: the check must not share the code it checks."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = math.radians(lat2 - lat1), math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * R_KM * math.asin(math.sqrt(a))


def metres(a, b) -> float:
    return haversine(a[0], a[1], b[0], b[1]) * 1000


@pytest.fixture
def scattered(county_a, county_b):
    rng = random.Random(20260501)
    markets = []
    for i in range(30):
        lat = CENTER[0] + rng.uniform(-0.25, 0.25)
        lng = CENTER[1] + rng.uniform(-0.30, 0.30)
        markets.append(
            MarketFactory(
                scope_unit=county_a if i % 2 else county_b, lat=lat, lng=lng, name=f"散点市场{i:02d}"
            )
        )
    return markets


def expected_within(markets, lat, lng, radius):
    pairs = sorted(((haversine(lat, lng, m.lat, m.lng), m.pk) for m in markets), key=lambda p: (p[0], p[1]))
    # the fixture's points sit clear of the border, so float noise cannot flip one in or out
    assert all(abs(d - radius) > 1e-6 for d, _ in pairs)
    return [(pk, d) for d, pk in pairs if d <= radius]


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["anonymous", "city_staff"])
def test_distance_filter_matches_brute_force_haversine(api, api_as, request, scattered, who):
    client = api if who == "anonymous" else api_as(request.getfixturevalue(who))
    lat, lng, radius = 36.7, 119.1, 15
    expected = expected_within(scattered, lat, lng, radius)
    assert 3 <= len(expected) < len(scattered)  # the radius really filters
    response = client.get(
        "/api/v1/markets/",
        {"lat": lat, "lng": lng, "radius_km": radius, "ordering": "distance", "page_size": 100},
    )
    assert response.status_code == 200, response.json()
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [pk for pk, _ in expected]
    for row, (_pk, distance) in zip(rows, expected, strict=True):
        assert row["distance_km"] == pytest.approx(distance, abs=1e-3)
    assert response.json()["count"] == len(expected)


@pytest.mark.django_db
def test_distance_ordering_without_radius_sorts_everything(api, scattered):
    lat, lng = 36.75, 119.05
    response = api.get("/api/v1/markets/", {"lat": lat, "lng": lng, "ordering": "distance", "page_size": 100})
    rows = response.json()["results"]
    expected = sorted(scattered, key=lambda m: haversine(lat, lng, m.lat, m.lng))
    assert [row["id"] for row in rows] == [m.pk for m in expected]


@pytest.mark.django_db
def test_distance_filter_on_the_public_map_page(client, scattered):
    response = client.get("/markets/", {"lat": 36.7, "lng": 119.1, "radius_km": 15, "ordering": "distance"})
    expected = expected_within(scattered, 36.7, 119.1, 15)
    assert [m.pk for m in response.context["markets"]] == [pk for pk, _ in expected]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lat": 36.7, "radius_km": 5}, "lng"),
        ({"lat": 36.7, "lng": 119.1, "radius_km": 0}, "radius_km"),
        ({"lat": 36.7, "lng": 119.1, "radius_km": 5000}, "radius_km"),
        ({"lat": 95, "lng": 119.1}, "lat"),
        ({"ordering": "distance"}, "ordering"),
    ],
)
def test_bad_geographic_parameters_are_400(api, scattered, params, field):
    response = api.get("/api/v1/markets/", params)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_core_haversine_uses_the_one_earth_radius():
    assert geo.EARTH_RADIUS_KM == R_KM
    a, b = (36.7100, 119.0240), (36.8810, 118.7910)
    assert geo.haversine_km(*a, *b) == pytest.approx(haversine(*a, *b), rel=1e-12)
    # one degree of latitude along a meridian
    assert geo.haversine_km(0, 0, 1, 0) == pytest.approx(R_KM * math.pi / 180, rel=1e-12)


def test_bounding_box_contains_the_circle():
    lat, lng, radius = 36.7, 119.1, 15
    min_lat, max_lat, min_lng, max_lng = geo.bounding_box(lat, lng, radius)
    for bearing in range(0, 360, 5):
        # a point just inside the circle in every direction
        d = (radius - 0.001) / R_KM
        t = math.radians(bearing)
        p1 = math.radians(lat)
        p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(t))
        l2 = math.radians(lng) + math.atan2(
            math.sin(t) * math.sin(d) * math.cos(p1), math.cos(d) - math.sin(p1) * math.sin(p2)
        )
        assert min_lat <= math.degrees(p2) <= max_lat and min_lng <= math.degrees(l2) <= max_lng


# --- coordinate systems ----------------------------------------------------------------------------------

POINTS = [
    (36.7100, 119.0240),
    (36.8810, 118.7910),
    (35.9960, 119.4100),
    (39.9087, 116.3975),
    (22.5431, 114.0579),
]


@pytest.mark.parametrize("point", POINTS)
def test_gcj02_round_trip_is_within_a_metre(point):
    gcj = geo.wgs84_to_gcj02(*point)
    back = geo.gcj02_to_wgs84(*gcj)
    assert metres(point, back) < 1.0
    # the GCJ-02 offset in China is hundreds of metres
    assert 100 < metres(point, gcj) < 1000


def gcj02_to_bd09(lat, lng):
    """The published forward formula, written out here."""
    x_pi = math.pi * 3000.0 / 180.0
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * x_pi)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * x_pi)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


@pytest.mark.parametrize("point", POINTS)
def test_bd09_converts_back_to_wgs84(point):
    bd = gcj02_to_bd09(*geo.wgs84_to_gcj02(*point))
    assert metres(point, bd) > 500  # Baidu's offset is larger still
    assert metres(point, geo.bd09_to_wgs84(*bd)) < 2.0
    assert geo.to_wgs84(*bd, "bd09") == geo.bd09_to_wgs84(*bd)


def test_known_gcj02_offset_near_weifang():
    # Weifang people's square: GCJ-02 lies north-east of WGS-84 by a few hundred metres
    wgs = (36.7068, 119.1619)
    glat, glng = geo.wgs84_to_gcj02(*wgs)
    assert 0 < glat - wgs[0] < 0.005 and 0 < glng - wgs[1] < 0.01
    assert 200 < metres(wgs, (glat, glng)) < 800


def test_points_outside_china_are_not_shifted():
    assert geo.wgs84_to_gcj02(51.5007, -0.1246) == (51.5007, -0.1246)
    assert geo.gcj02_to_wgs84(51.5007, -0.1246) == (51.5007, -0.1246)
    assert geo.to_wgs84(36.7, 119.1, "wgs84") == (36.7, 119.1)


@pytest.mark.django_db
def test_market_created_from_an_amap_point_is_stored_in_wgs84(api_as, officer):
    wgs = (36.7100, 119.0240)
    gcj = geo.wgs84_to_gcj02(*wgs)
    response = api_as(officer).post(
        "/api/v1/markets/",
        {
            "name": "高德选点市场",
            "kind": "station",
            "county": "370702",
            "address": "潍城区某街道1号",
            "lat": gcj[0],
            "lng": gcj[1],
            "coordinate_system": "gcj02",
            "operating_model": "bureau",
            "hotline": "0536-1234567",
            "complaint_channel": "12333",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    market = Market.objects.get(name="高德选点市场")
    assert market.status == "planned"
    assert metres(wgs, (market.lat, market.lng)) < 1.0


@pytest.mark.django_db
def test_profile_edit_from_a_baidu_point_is_stored_in_wgs84(api_as, officer, market):
    wgs = (36.7200, 119.0300)
    bd = gcj02_to_bd09(*geo.wgs84_to_gcj02(*wgs))
    response = api_as(officer).patch(
        f"/api/v1/markets/{market.pk}/",
        {"lat": bd[0], "lng": bd[1], "coordinate_system": "bd09"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    market.refresh_from_db()
    assert metres(wgs, (market.lat, market.lng)) < 2.0
