"""seed_demo builds believable markets for the default city: every county, online platforms, inspections
and one banned roadside market with its notice. Running it again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from core.models import ScopeUnit
from markets.choices import MarketKind, MarketStatus, NoticeKind, PlatformStatus, RiskGrade
from markets.models import (
    Inspection,
    InspectionFinding,
    MapSnapshot,
    Market,
    MarketEvent,
    MarketOperator,
    OnlinePlatform,
    PublicNotice,
)

pytestmark = pytest.mark.django_db

COUNTIES = {
    "370702",
    "370703",
    "370704",
    "370705",
    "370724",
    "370725",
    "370781",
    "370782",
    "370783",
    "370784",
    "370785",
    "370786",
}


def counts() -> dict:
    models = (
        Market,
        MarketEvent,
        OnlinePlatform,
        PublicNotice,
        Inspection,
        InspectionFinding,
        MapSnapshot,
        MarketOperator,
    )
    return {m.__name__: m.objects.count() for m in models}


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_covers_every_county(seeded):
    assert COUNTIES <= set(ScopeUnit.objects.values_list("code", flat=True))
    comprehensive = Market.objects.filter(kind=MarketKind.COMPREHENSIVE, status=MarketStatus.OPERATING)
    assert set(comprehensive.values_list("scope_unit__code", flat=True)) == COUNTIES
    operating = Market.objects.filter(status=MarketStatus.OPERATING)
    assert (
        set(operating.filter(kind=MarketKind.STATION).values_list("scope_unit__code", flat=True)) == COUNTIES
    )
    for market in operating:
        assert market.hotline and market.complaint_channel and market.address
        assert 35 < market.lat < 38 and 118 < market.lng < 120.5


def test_seed_demo_has_two_approved_online_platforms(seeded):
    assert OnlinePlatform.objects.filter(status=PlatformStatus.APPROVED).count() == 2


def test_seed_demo_has_one_banned_market_with_its_notice(seeded, client):
    banned = Market.objects.get(status=MarketStatus.BANNED)
    event = MarketEvent.objects.get(market=banned, to_status=MarketStatus.BANNED)
    assert event.reason
    notice = PublicNotice.objects.get(market=banned)
    assert notice.kind == NoticeKind.BAN and notice.alternative and notice.alternative_market.is_public
    html = client.get("/markets/notices/").content.decode()
    assert banned.name in html and notice.reason in html
    assert banned.pk not in {m.pk for m in client.get("/markets/").context["markets"]}


def test_seed_demo_has_inspections_with_something_for_staff_to_do(seeded):
    assert Inspection.objects.count() >= 3
    assert Inspection.objects.filter(risk_grade=RiskGrade.HIGH).exists()
    assert Inspection.objects.overdue().exists()
    assert Inspection.objects.awaiting_action().exists()
    assert MapSnapshot.objects.exists()


def test_seed_demo_twice_changes_nothing(seeded, settings):
    before = counts()
    statuses = dict(Market.objects.values_list("pk", "status"))
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == before
    assert dict(Market.objects.values_list("pk", "status")) == statuses


def test_seed_demo_is_refused_without_debug(settings):
    from django.core.management.base import CommandError

    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not Market.objects.exists()
