"""The market status workflow: every legal pair of the table works through the API with an event row and
an audit row; every other pair answers 409 invalid_transition and changes nothing; bad input is 400."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.contenttypes.models import ContentType

from core.choices import AuditAction
from core.errors import InvalidTransition
from core.models import AuditLog
from markets import services
from markets.choices import MARKET_TRANSITIONS, MarketStatus
from markets.models import Market, MarketEvent, PublicNotice

from .factories import MarketFactory

pytestmark = pytest.mark.django_db

LEGAL = sorted((a, b) for a, targets in MARKET_TRANSITIONS.items() for b in targets)
ILLEGAL = sorted(
    (a, b) for a, b in itertools.product(MarketStatus.values, repeat=2) if b not in MARKET_TRANSITIONS[a]
)


def test_transition_table_is_the_one_in_the_design():
    assert set(LEGAL) == {
        ("planned", "operating"),
        ("operating", "suspended"),
        ("operating", "closed"),
        ("operating", "banned"),
        ("suspended", "operating"),
        ("suspended", "closed"),
        ("suspended", "banned"),
    }


def transition_audits(market):
    return AuditLog.objects.filter(
        action=AuditAction.TRANSITION,
        content_type=ContentType.objects.get_for_model(Market),
        object_id=str(market.pk),
    )


@pytest.mark.parametrize(("from_status", "to_status"), LEGAL)
def test_every_legal_transition_works_through_the_api(api_as, officer, county_a, from_status, to_status):
    market = MarketFactory(scope_unit=county_a, status=from_status)
    response = api_as(officer).post(
        f"/api/v1/markets/{market.pk}/transition/",
        {"to_status": to_status, "reason": "县局例行调整"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == to_status
    market.refresh_from_db()
    assert market.status == to_status
    event = MarketEvent.objects.get(market=market)
    assert (event.from_status, event.to_status, event.reason, event.actor) == (
        from_status,
        to_status,
        "县局例行调整",
        officer,
    )
    audit = transition_audits(market).get()
    assert (
        audit.actor == officer
        and audit.before == {"status": from_status}
        and audit.after == {"status": to_status}
    )
    assert audit.reason == "县局例行调整" and audit.scope_unit == county_a
    # leaving the map is announced; going (back) to operating is not
    assert PublicNotice.objects.filter(market=market, ends_on__isnull=True).exists() == (
        to_status != "operating"
    )


@pytest.mark.parametrize(("from_status", "to_status"), ILLEGAL)
def test_every_illegal_transition_is_409_and_changes_nothing(
    api_as, officer, county_a, from_status, to_status
):
    market = MarketFactory(scope_unit=county_a, status=from_status)
    response = api_as(officer).post(
        f"/api/v1/markets/{market.pk}/transition/",
        {"to_status": to_status, "reason": "试图非法变更"},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    market.refresh_from_db()
    assert market.status == from_status
    assert not MarketEvent.objects.filter(market=market).exists()
    assert not transition_audits(market).exists()
    assert not PublicNotice.objects.filter(market=market).exists()


@pytest.mark.parametrize(
    ("from_status", "to_status"),
    [("planned", "suspended"), ("banned", "operating"), ("closed", "operating")],
)
def test_illegal_transition_by_service_raises(officer, county_a, from_status, to_status):
    market = MarketFactory(scope_unit=county_a, status=from_status)
    with pytest.raises(InvalidTransition):
        services.market_transition(market=market, to_status=to_status, actor=officer, reason="试图非法变更")
    market.refresh_from_db()
    assert market.status == from_status
    assert not MarketEvent.objects.filter(market=market).exists()


@pytest.mark.parametrize(
    "body",
    [
        {"to_status": "suspended"},
        {"to_status": "suspended", "reason": ""},
        {"to_status": "suspended", "reason": "   "},
    ],
)
def test_transition_without_reason_is_400_with_field_error(api_as, officer, market, body):
    response = api_as(officer).post(f"/api/v1/markets/{market.pk}/transition/", body, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "reason" in response.json()["fields"]
    market.refresh_from_db()
    assert market.status == MarketStatus.OPERATING
    assert not MarketEvent.objects.filter(market=market).exists()


def test_service_refuses_a_blank_reason(officer, market):
    from core.errors import DomainError

    with pytest.raises(DomainError) as info:
        services.market_suspend(market=market, actor=officer, reason=" ")
    assert "reason" in info.value.fields
    market.refresh_from_db()
    assert market.status == MarketStatus.OPERATING


def test_transition_to_an_unknown_status_is_400(api_as, officer, market):
    response = api_as(officer).post(
        f"/api/v1/markets/{market.pk}/transition/",
        {"to_status": "demolished", "reason": "拆除"},
        format="json",
    )
    assert response.status_code == 400
    assert "to_status" in response.json()["fields"]
    market.refresh_from_db()
    assert market.status == MarketStatus.OPERATING


def test_transition_refused_to_anonymous_and_wrong_roles(api, api_as, worker, market):
    for client in (api, api_as(worker)):
        response = client.post(
            f"/api/v1/markets/{market.pk}/transition/",
            {"to_status": "banned", "reason": "无权操作"},
            format="json",
        )
        assert response.status_code in (401, 403)
    market.refresh_from_db()
    assert market.status == MarketStatus.OPERATING
    assert not MarketEvent.objects.exists()


def test_city_staff_may_transition_any_county(api_as, city_staff, market_b):
    response = api_as(city_staff).post(
        f"/api/v1/markets/{market_b.pk}/transition/",
        {"to_status": "suspended", "reason": "市局统一部署"},
        format="json",
    )
    assert response.status_code == 200
    market_b.refresh_from_db()
    assert market_b.status == MarketStatus.SUSPENDED
    assert MarketEvent.objects.get(market=market_b).actor == city_staff


def test_admin_transition_view_calls_the_service(client_as, officer, market):
    client = client_as(officer)
    page = client.get(f"/admin/markets/market/{market.pk}/transition/")
    assert page.status_code == 200
    offered = {value for value, _label in page.context["form"].fields["to_status"].choices}
    assert offered == {"suspended", "closed", "banned"}
    response = client.post(
        f"/admin/markets/market/{market.pk}/transition/",
        {"to_status": "suspended", "reason": "消防检查整改", "alternative": "请到北关街道零工驿站"},
    )
    assert response.status_code == 302
    market.refresh_from_db()
    assert market.status == MarketStatus.SUSPENDED
    assert MarketEvent.objects.get(market=market).reason == "消防检查整改"
    assert transition_audits(market).count() == 1
    assert PublicNotice.objects.get(market=market).alternative == "请到北关街道零工驿站"


def test_admin_does_not_let_status_be_edited_directly(client_as, officer, market):
    page = client_as(officer).get(f"/admin/markets/market/{market.pk}/change/")
    assert page.status_code == 200
    assert "status" not in page.context["adminform"].form.fields
