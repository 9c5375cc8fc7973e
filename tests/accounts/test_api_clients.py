"""API clients for county office systems: issued and revoked by city staff, token shown once, stored
hashed, expiring, read-only and bound to one county."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiClient, hash_secret
from core.choices import AuditAction
from core.models import AuditLog

pytestmark = pytest.mark.django_db

PAYLOAD = {"name": "潍城区业务系统", "county": "370702", "days": 30}


def token_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    return client


@pytest.fixture
def issued(api_as, city_staff):
    staff = api_as(city_staff)
    response = staff.post("/api/v1/api-clients/", PAYLOAD, format="json")
    assert response.status_code == 201, response.content
    return staff, response


def test_city_staff_issues_a_token_shown_once_and_stored_hashed(issued, city_staff, county_a):
    staff, response = issued
    data = response.json()
    raw = data["token"]
    assert raw and raw.startswith("lg_")
    assert data["county"] == "370702" and data["name"] == PAYLOAD["name"]

    record = ApiClient.objects.get(pk=data["id"])
    assert record.scope_unit == county_a
    assert record.created_by == city_staff
    assert record.token_hash == hash_secret(raw)
    assert raw.startswith(f"lg_{record.token_prefix}_")
    stored = [str(v) for v in ApiClient.objects.filter(pk=record.pk).values().get().values()]
    assert not any(raw in v or raw.split("_", 2)[2] in v for v in stored)
    expected = timezone.now() + timedelta(days=30)
    assert abs((record.expires_at - expected).total_seconds()) < 60

    row = AuditLog.objects.get(action=AuditAction.CREATE, object_id=str(record.pk))
    assert row.actor_id == city_staff.pk
    assert raw not in str(row.after)

    # Never shown again.
    detail = staff.get(f"/api/v1/api-clients/{record.pk}/")
    assert detail.status_code == 200
    assert detail.json().get("token") is None
    assert raw not in detail.content.decode()
    listing = staff.get("/api/v1/api-clients/")
    assert raw not in listing.content.decode()
    assert record.pk in {r["id"] for r in listing.json()["results"]}


def test_issued_token_authenticates_as_the_county_system(issued):
    _staff, response = issued
    raw = response.json()["token"]
    me = token_client(raw).get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["kind"] == "api_client"
    assert me.json()["county"] == "370702"
    assert me.json()["name"] == PAYLOAD["name"]
    record = ApiClient.objects.get(pk=response.json()["id"])
    assert record.last_used_at is not None


def test_bearer_keyword_works_too(issued):
    raw = issued[1].json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/me/").json()["kind"] == "api_client"


def test_revoked_token_is_refused(issued, city_staff):
    staff, response = issued
    raw, pk = response.json()["token"], response.json()["id"]
    caller = token_client(raw)
    assert caller.get("/api/v1/me/").status_code == 200

    revoke = staff.post(f"/api/v1/api-clients/{pk}/revoke/")
    assert revoke.status_code == 200
    assert revoke.json()["revoked_at"]
    record = ApiClient.objects.get(pk=pk)
    assert record.revoked_at is not None and record.revoked_by == city_staff
    row = AuditLog.objects.get(action=AuditAction.TRANSITION, object_id=str(pk))
    assert row.actor_id == city_staff.pk and row.after == {"revoked": True}

    refused = caller.get("/api/v1/me/")
    assert refused.status_code == 401
    assert refused.json()["code"] == "authentication_failed"
    assert caller.get("/api/v1/users/").status_code == 401


def test_expired_token_is_refused(issued):
    raw, pk = issued[1].json()["token"], issued[1].json()["id"]
    ApiClient.objects.filter(pk=pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = token_client(raw).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_tampered_or_unknown_token_is_refused(issued):
    raw = issued[1].json()["token"]
    assert token_client(raw[:-2] + "xx").get("/api/v1/me/").status_code == 401
    assert token_client("lg_nope_nope").get("/api/v1/me/").status_code == 401
    assert token_client("garbage").get("/api/v1/me/").status_code == 401


@pytest.mark.parametrize("who", ["officer", "auditor", "worker"])
def test_only_city_staff_may_issue(request, api_as, who):
    client = api_as(request.getfixturevalue(who))
    response = client.post("/api/v1/api-clients/", PAYLOAD, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "token" not in response.json()
    assert not ApiClient.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.CREATE).exists()


def test_anonymous_may_not_issue(api):
    response = api.post("/api/v1/api-clients/", PAYLOAD, format="json")
    assert response.status_code == 401
    assert not ApiClient.objects.exists()


def test_officer_may_not_revoke(api_as, officer, api_client_a):
    record = api_client_a.record
    response = api_as(officer).post(f"/api/v1/api-clients/{record.pk}/revoke/")
    assert response.status_code == 403
    record.refresh_from_db()
    assert record.revoked_at is None
    assert api_client_a.get("/api/v1/me/").status_code == 200


def test_issue_with_unknown_county_is_400(api_as, city_staff):
    response = api_as(city_staff).post("/api/v1/api-clients/", {**PAYLOAD, "county": "999999"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "county" in response.json()["fields"]
    assert not ApiClient.objects.exists()


def test_api_client_cannot_write(api_client_a, worker):
    reveal = api_client_a.post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "id_number", "reason": "核实身份"}, format="json"
    )
    assert reveal.status_code == 403
    assert worker.id_number not in reveal.content.decode()
    assert not AuditLog.objects.filter(action=AuditAction.REVEAL).exists()

    count = ApiClient.objects.count()
    issue = api_client_a.post("/api/v1/api-clients/", PAYLOAD, format="json")
    assert issue.status_code == 403
    assert ApiClient.objects.count() == count
    revoke = api_client_a.post(f"/api/v1/api-clients/{api_client_a.record.pk}/revoke/")
    assert revoke.status_code == 403
    api_client_a.record.refresh_from_db()
    assert api_client_a.record.revoked_at is None


def test_api_client_reads_only_its_county(api_client_a, worker, worker_b):
    ids = {r["id"] for r in api_client_a.get("/api/v1/users/", {"page_size": 100}).json()["results"]}
    assert worker.pk in ids and worker_b.pk not in ids
    assert api_client_a.get(f"/api/v1/users/{worker_b.pk}/").status_code == 404
