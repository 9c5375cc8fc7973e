"""A market operator keeps their own market's profile, hours and facilities through web pages — audited
and re-published — and nothing else: another operator's market is a 404, the name and address are the
county's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from core.choices import AuditAction
from core.errors import NotFound, NotPermitted
from core.models import AuditLog
from markets import services
from markets.models import Facility, MapPublishState, Market

pytestmark = pytest.mark.django_db


def form_post(market, **changes):
    data = {
        "opens_at": market.opens_at.strftime("%H:%M"),
        "closes_at": market.closes_at.strftime("%H:%M"),
        "open_days": list(market.open_days),
        "capacity": str(market.capacity),
        "services": market.services,
        "hotline": market.hotline,
        "complaint_channel": market.complaint_channel,
        "transit": market.transit,
        "description": market.description,
        "operator_contact": market.operator_contact,
        "operator_contact_phone": market.operator_contact_phone,
        "facilities": [str(pk) for pk in market.facilities.values_list("pk", flat=True)],
    }
    data.update(changes)
    return data


def market_updates(market):
    return AuditLog.objects.filter(
        action=AuditAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Market),
        object_id=str(market.pk),
    )


def test_operator_edits_their_own_market(client_as, operator, market):
    client = client_as(operator)
    assert market.name in client.get("/markets/manage/").content.decode()
    page = client.get(f"/markets/manage/{market.pk}/")
    assert page.status_code == 200
    shelter = Facility.objects.get(code="rain_shelter")
    response = client.post(
        f"/markets/manage/{market.pk}/",
        form_post(
            market,
            opens_at="04:30",
            open_days=["1", "2", "3", "4", "5", "6"],
            hotline="0536-5212333",
            facilities=[str(shelter.pk)],
        ),
    )
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.opens_at == dt.time(4, 30)
    assert market.open_days == "123456"
    assert market.hotline == "0536-5212333"
    assert list(market.facilities.values_list("code", flat=True)) == ["rain_shelter"]
    audit = market_updates(market).get()
    assert audit.actor == operator
    assert audit.after["hotline"] == "0536-5212333" and audit.after["facilities"] == ["rain_shelter"]
    assert audit.before["facilities"] == []
    assert MapPublishState.objects.get().dirty  # re-published (debounced)


def test_operator_gets_404_for_another_operators_market(client_as, operator, market_b, operator_b):
    client = client_as(operator)
    assert client.get(f"/markets/manage/{market_b.pk}/").status_code == 404
    response = client.post(f"/markets/manage/{market_b.pk}/", form_post(market_b, hotline="0536-0000000"))
    assert response.status_code == 404
    market_b.refresh_from_db()
    assert market_b.hotline != "0536-0000000"
    assert not market_updates(market_b).exists()
    assert market_b.name not in client.get("/markets/manage/").content.decode()


def test_operator_cannot_change_name_or_address_through_the_api(api_as, operator, market):
    name, address = market.name, market.address
    client = api_as(operator)
    for body in ({"name": "改名市场"}, {"address": "别处1号"}, {"hotline": "0536-1111111"}):
        response = client.patch(f"/api/v1/markets/{market.pk}/", body, format="json")
        assert response.status_code in (403, 404)
    market.refresh_from_db()
    assert (market.name, market.address) == (name, address)
    assert market.hotline != "0536-1111111"
    assert not market_updates(market).exists()


def test_operator_cannot_change_name_through_the_service(operator, market):
    name = market.name
    with pytest.raises(NotPermitted) as info:
        services.market_update_profile(
            market=market, actor=operator, data={"name": "改名市场", "hotline": "0536-1"}
        )
    assert "name" in info.value.fields
    market.refresh_from_db()
    assert market.name == name and market.hotline != "0536-1"


def test_operator_form_does_not_offer_name_address_or_status(client_as, operator, market):
    fields = client_as(operator).get(f"/markets/manage/{market.pk}/").context["form"].fields
    assert not {"name", "address", "lat", "lng", "status", "scope_unit"} & set(fields)
    # a forged field is ignored
    client_as(operator).post(
        f"/markets/manage/{market.pk}/", form_post(market, name="伪造名称", status="banned")
    )
    market.refresh_from_db()
    assert market.name != "伪造名称" and market.status == "operating"


def test_operator_cannot_transition_their_market(api_as, operator, market):
    response = api_as(operator).post(
        f"/api/v1/markets/{market.pk}/transition/", {"to_status": "closed", "reason": "不干了"}, format="json"
    )
    assert response.status_code in (403, 404)
    market.refresh_from_db()
    assert market.status == "operating"


def test_someone_without_the_operator_role_cannot_manage_even_if_bound(client_as, worker, market):
    from markets.models import MarketOperator

    MarketOperator.objects.create(market=market, user=worker)
    with pytest.raises(NotFound):
        services.market_update_profile(market=market, actor=worker, data={"hotline": "0536-2"})
    market.refresh_from_db()
    assert market.hotline != "0536-2"


def test_manage_pages_need_login(client, market):
    response = client.get(f"/markets/manage/{market.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_officer_edits_name_through_the_api_and_it_is_audited(api_as, officer, market):
    response = api_as(officer).patch(
        f"/api/v1/markets/{market.pk}/", {"name": "潍城区综合零工市场"}, format="json"
    )
    assert response.status_code == 200
    market.refresh_from_db()
    assert market.name == "潍城区综合零工市场"
    audit = market_updates(market).get()
    assert audit.actor == officer and audit.after == {"name": "潍城区综合零工市场"}


def test_a_save_that_changes_nothing_is_not_an_edit(client_as, operator, market):
    response = client_as(operator).post(f"/markets/manage/{market.pk}/", form_post(market))
    assert response.status_code == 302
    assert not market_updates(market).exists()
    assert not MapPublishState.objects.filter(dirty=True).exists()
