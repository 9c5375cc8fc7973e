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


# --- city-wide tokens (no unit: the whole city) -------------------------------------------------------------


def test_city_staff_issue_a_city_wide_token_with_county_null(api_as, city_staff):
    response = api_as(city_staff).post("/api/v1/api-clients/", {**PAYLOAD, "county": None}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["county"] is None
    record = ApiClient.objects.get(pk=response.json()["id"])
    assert record.scope_unit_id is None and record.is_city_wide
    assert str(record) == f"{PAYLOAD['name']} (全市)"
    row = AuditLog.objects.get(action=AuditAction.CREATE, object_id=str(record.pk))
    assert row.actor_id == city_staff.pk and row.after["scope_unit"] is None
    me = token_client(response.json()["token"]).get("/api/v1/me/").json()
    assert me["kind"] == "api_client" and me["county"] is None and me["city_wide"] is True


def test_a_city_wide_token_must_be_asked_for_explicitly(api_as, city_staff):
    # leaving the county out is an error, not the whole city by default
    payload = {k: v for k, v in PAYLOAD.items() if k != "county"}
    response = api_as(city_staff).post("/api/v1/api-clients/", payload, format="json")
    assert response.status_code == 400
    assert "county" in response.json()["fields"]
    assert not ApiClient.objects.exists()


def test_county_token_me_names_its_county_and_is_not_city_wide(api_client_a):
    me = api_client_a.get("/api/v1/me/").json()
    assert me["county"] == "370702" and me["city_wide"] is False


def test_city_wide_token_reads_every_county(api_client_city, worker, worker_b):
    ids = {r["id"] for r in api_client_city.get("/api/v1/users/", {"page_size": 100}).json()["results"]}
    assert {worker.pk, worker_b.pk} <= ids
    assert api_client_city.get(f"/api/v1/users/{worker_b.pk}/").status_code == 200


def test_city_wide_token_still_cannot_write(api_client_city):
    response = api_client_city.post("/api/v1/api-clients/", PAYLOAD, format="json")
    assert response.status_code == 403
    assert ApiClient.objects.count() == 1


ADD_URL = "/admin/accounts/apiclient/add/"


@pytest.mark.parametrize("choice", ["city", "county"])
def test_admin_issues_city_and_county_tokens_audited_alike(client_as, city_staff, county_a, choice):
    client = client_as(city_staff)
    form = client.get(ADD_URL)
    assert form.status_code == 200
    assert "全市" in form.content.decode()
    value = "city" if choice == "city" else str(county_a.pk)
    response = client.post(ADD_URL, {"name": "对接系统", "scope_unit": value, "days": 30}, follow=True)
    assert response.status_code == 200
    record = ApiClient.objects.get(name="对接系统")
    assert record.scope_unit_id == (None if choice == "city" else county_a.pk)
    assert record.created_by == city_staff
    row = AuditLog.objects.get(action=AuditAction.CREATE, object_id=str(record.pk))
    assert row.actor_id == city_staff.pk
    assert row.after["scope_unit"] == (None if choice == "city" else county_a.pk)
    assert row.scope_unit_id == record.scope_unit_id
    # the raw token was shown once, in the message, and is not in the audit row
    shown = [str(m) for m in response.context["messages"]]
    assert any("lg_" in m for m in shown)
    assert "lg_" not in str(row.after)


def test_admin_token_form_left_untouched_issues_nothing(client_as, city_staff):
    response = client_as(city_staff).post(ADD_URL, {"name": "对接系统", "scope_unit": "", "days": 30})
    assert response.status_code == 200  # the form again, with the error
    assert response.context["adminform"].form.errors["scope_unit"]
    assert not ApiClient.objects.exists()
    assert not AuditLog.objects.filter(action=AuditAction.CREATE).exists()


def test_admin_lists_and_shows_a_city_wide_token_as_the_whole_city(client_as, city_staff, api_client_city):
    client = client_as(city_staff)
    listing = client.get("/admin/accounts/apiclient/")
    assert listing.status_code == 200 and "全市" in listing.content.decode()
    change = client.get(f"/admin/accounts/apiclient/{api_client_city.record.pk}/change/")
    assert change.status_code == 200 and "全市" in change.content.decode()
