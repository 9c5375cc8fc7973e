"""The personal-data scan over the demo city as every role (issue 11; tests/guards/scan.py says what it reads
and what it allows). A view that leaks a stranger's number, in the API or on a page, fails it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from accounts.models import User

from .harness import PERSONAS, credentials, seed_demo_city
from .scan import Scanner, find_personal


def _client(creds) -> Client:
    client = Client(
        **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in creds.headers.items() if k == "Authorization"}
    )
    if creds.user is not None:
        client.force_login(creds.user)
    return client


@pytest.fixture
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


@pytest.mark.django_db
def test_no_role_reads_a_strangers_personal_data(schema):
    seed_demo_city()
    findings, read = [], {}
    for creds in credentials():
        scanner = Scanner(creds.role, _client(creds), creds.user)
        scanner.scan_api(schema)
        if creds.role != "county_token":
            scanner.scan_pages()
        findings += scanner.findings
        read[creds.role] = sum(scanner.read.values())
    report = Path(settings.BASE_DIR) / "var" / "scan.json"
    report.parent.mkdir(exist_ok=True)
    report.write_text(json.dumps(read, indent=1), encoding="utf-8")
    # the scan really read: every role reached the API and its pages (not a silent pass over nothing)
    assert all(count >= 30 for count in read.values()), read
    assert not findings, "\n".join(str(f) for f in findings[:50])


def test_the_finders_know_the_shapes():
    text = "身份证 370702196804180134，手机 13900000001，卡号 6222020200112233446；订单 123456789012"
    kinds = {kind for kind, _ in find_personal(text)}
    assert kinds == {"resident_id", "mobile", "bank_account"}
    # masked values, a wrong check digit and digits inside a token are not findings
    assert find_personal("139****0001 3707**********0134 370702196804180135 ab13900000001cd") == []


@pytest.mark.django_db
def test_a_leaking_api_field_fails_the_scan(monkeypatch, schema, county_a):
    from markets.api.serializers import MarketSerializer
    from tests.markets.factories import MarketFactory

    seed_demo_city()
    MarketFactory(scope_unit=county_a)
    stranger = User.objects.get(phone=PERSONAS["worker"])
    original = MarketSerializer.to_representation

    def leaking(self, instance):
        return {**original(self, instance), "helper": stranger.id_number}

    monkeypatch.setattr(MarketSerializer, "to_representation", leaking)
    scanner = Scanner("anonymous", Client())
    scanner.scan_api(schema)
    assert {(f.kind, f.value) for f in scanner.findings} == {("resident_id", stranger.id_number)}


@pytest.mark.django_db
def test_a_leaking_page_fails_the_scan(monkeypatch, settings):
    from django.http import HttpResponse

    import core.views

    seed_demo_city()
    stranger = User.objects.get(phone=PERSONAS["employer"])
    # the home page (every role's door) shows a stranger's number
    monkeypatch.setattr(
        core.views, "render", lambda request, *a, **k: HttpResponse(f"<p>联系 {stranger.phone}</p>")
    )
    me = User.objects.get(phone=PERSONAS["worker"])
    client = Client()
    client.force_login(me)
    scanner = Scanner("worker", client, me)
    scanner.scan_pages()
    assert ("mobile", stranger.phone) in {(f.kind, f.value) for f in scanner.findings}
