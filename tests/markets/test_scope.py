"""County scope: county staff see and act on their county's markets only, in the admin and the API; a
county system's token sees its county; another county's market is a 404."""

from __future__ import annotations

import pytest

from markets.choices import MarketStatus
from markets.models import MarketEvent

from .factories import InspectionFactory, MarketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def spread(county_a, county_b):
    a = [MarketFactory(scope_unit=county_a, status=s, name=f"潍城{s}") for s in MarketStatus.values]
    b = [MarketFactory(scope_unit=county_b, status=s, name=f"寿光{s}") for s in MarketStatus.values]
    return a, b


def test_admin_changelist_shows_only_the_officers_county(client_as, officer, spread):
    a, b = spread
    response = client_as(officer).get("/admin/markets/market/")
    assert response.status_code == 200
    shown = {m.pk for m in response.context["cl"].result_list}
    assert shown == {m.pk for m in a}
    assert response.context["cl"].result_count == len(a)


def test_admin_change_page_of_another_county_is_not_reachable(client_as, officer, spread):
    _a, b = spread
    response = client_as(officer).get(f"/admin/markets/market/{b[0].pk}/change/")
    assert response.status_code in (302, 404)  # the admin redirects "does not exist" to the index
    assert client_as(officer).get(f"/admin/markets/market/{b[0].pk}/transition/").status_code == 404


def test_admin_changelist_shows_every_county_to_city_staff(client_as, city_staff, spread):
    a, b = spread
    shown = {m.pk for m in client_as(city_staff).get("/admin/markets/market/").context["cl"].result_list}
    assert shown == {m.pk for m in a + b}


def test_admin_inspections_are_scoped(client_as, officer, spread):
    a, b = spread
    mine, theirs = InspectionFactory(market=a[1]), InspectionFactory(market=b[1])
    shown = {i.pk for i in client_as(officer).get("/admin/markets/inspection/").context["cl"].result_list}
    assert mine.pk in shown and theirs.pk not in shown


def test_officer_api_lists_every_status_in_their_county_only(api_as, officer, spread):
    a, b = spread
    rows = api_as(officer).get("/api/v1/markets/", {"page_size": 100}).json()["results"]
    assert {r["id"] for r in rows} == {m.pk for m in a}
    assert {r["status"] for r in rows} == set(MarketStatus.values)
    # filtering by the other county finds nothing
    rows = api_as(officer).get("/api/v1/markets/", {"county": "370783"}).json()["results"]
    assert rows == []


def test_officer_api_detail_of_another_county_is_404(api_as, officer, spread):
    a, b = spread
    assert api_as(officer).get(f"/api/v1/markets/{a[0].pk}/").status_code == 200  # planned, their own
    for market in b:
        assert api_as(officer).get(f"/api/v1/markets/{market.pk}/").status_code == 404


def test_officer_of_county_b_cannot_transition_a_county_a_market(api_as, officer_b, market):
    response = api_as(officer_b).post(
        f"/api/v1/markets/{market.pk}/transition/",
        {"to_status": "banned", "reason": "越权取缔"},
        format="json",
    )
    assert response.status_code == 404
    market.refresh_from_db()
    assert market.status == MarketStatus.OPERATING
    assert not MarketEvent.objects.filter(market=market).exists()


def test_officer_of_county_b_cannot_edit_a_county_a_market(api_as, officer_b, market):
    response = api_as(officer_b).patch(f"/api/v1/markets/{market.pk}/", {"name": "越权改名"}, format="json")
    assert response.status_code == 404
    market.refresh_from_db()
    assert market.name != "越权改名"


def test_officer_cannot_create_a_market_in_another_county(api_as, officer):
    from markets.models import Market

    response = api_as(officer).post(
        "/api/v1/markets/",
        {
            "name": "越权新建",
            "kind": "station",
            "county": "370783",
            "address": "寿光某处",
            "lat": 36.88,
            "lng": 118.79,
            "operating_model": "bureau",
            "hotline": "0536-1",
            "complaint_channel": "12333",
        },
        format="json",
    )
    assert response.status_code == 403
    assert not Market.objects.filter(name="越权新建").exists()


def test_county_system_token_sees_only_its_county(api_client_a, spread):
    a, b = spread
    rows = api_client_a.get("/api/v1/markets/", {"page_size": 100}).json()["results"]
    assert {r["id"] for r in rows} == {m.pk for m in a}
    assert api_client_a.get(f"/api/v1/markets/{b[1].pk}/").status_code == 404


def test_officer_list_pins_its_query_count(api_as, officer, county_a, django_assert_max_num_queries):
    for _ in range(20):
        MarketFactory(scope_unit=county_a)
    client = api_as(officer)
    client.get("/api/v1/markets/")  # warm the session
    with django_assert_max_num_queries(10):
        response = client.get("/api/v1/markets/", {"page_size": 100})
    assert len(response.json()["results"]) == 20


def test_contact_phone_is_masked_in_the_api(api_as, officer, county_a):
    market = MarketFactory(scope_unit=county_a, operator_contact_phone="13712345678")
    row = api_as(officer).get(f"/api/v1/markets/{market.pk}/").json()
    assert row["operator_contact_phone"] != "13712345678" and row["operator_contact_phone"].endswith("5678")
