"""The application's doors (ADR 0030): the worker's pages (apply with the calculator's amount pre-filled,
track in plain words), the counter applying for a worker, the public notice with masked names and IDs and its
objection form, and the API — scoped by county (404 outside), an action per transition, the one error shape
(403 for the same officer at two levels), notices public read, objections public write. Personas: anonymous,
worker, other county, auditor, county staff, city staff."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import Role
from subsidies.choices import ApplicationStatus as S
from subsidies.models import Application, Budget, Objection
from subsidies.services.applications import (
    application_city_review,
    application_county_review,
    application_submit,
)

from ..accounts.factories import UserFactory
from .factories import certify, contribution, program, work_days

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
MARCH_AMOUNT = "746.67"  # 2/3 × min(800 + 320, 4,000 × 0.28), the seeded SI-2025-07 row
NOW = dt.datetime(2026, 4, 7, 10, 0, tzinfo=dt.UTC)


def text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(county_a):
    person = UserFactory(
        scope_unit=county_a,
        roles=[Role.WORKER],
        birth_date=dt.date(1980, 6, 15),
        gender="M",
        real_name="王小明",
        id_number="370702198006151234",
    )
    certify(person)
    work_days(person, MARCH, 5)
    contribution(person, MARCH)
    Budget.objects.create(program_type=program(), scope_unit=county_a, year=2026, amount=Decimal("10000"))
    return person


@pytest.fixture
def city_reviewer():
    return UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF])


def in_notice(person, officer, city_reviewer) -> Application:
    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_reviewer, application=app, outcome="approve")
    app.refresh_from_db()
    return app


# --- pages --------------------------------------------------------------------------------------------------


def test_the_worker_applies_from_what_can_i_get_with_the_amount_pre_filled(client_as, person):
    client = client_as(person)
    url = f"/subsidies/apply/flexible_social_insurance/{MARCH.isoformat()}/"
    assert url in client.get("/subsidies/mine/").content.decode()
    form = client.get(url).content.decode()
    assert f'value="{MARCH_AMOUNT}"' in form
    assert client.post(url, {"amount": MARCH_AMOUNT}).status_code == 400  # not confirmed
    response = client.post(url, {"amount": MARCH_AMOUNT, "confirm": "on"})
    app = Application.objects.get(person=person)
    assert response.status_code == 302 and response["Location"] == f"/subsidies/applications/{app.pk}/"
    assert (app.status, app.amount_requested) == (S.SUBMITTED, Decimal(MARCH_AMOUNT))
    page = text(client.get(f"/subsidies/applications/{app.pk}/"))
    assert "等待县（市、区）人社局受理审核" in page
    assert "等待县（市、区）人社局受理审核" in text(client.get("/subsidies/applications/"))
    # the same link now leads to the application
    assert client.get(url)["Location"] == f"/subsidies/applications/{app.pk}/"


def test_another_person_cannot_see_the_application_page(client_as, person, county_a):
    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    other = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
    assert client_as(other).get(f"/subsidies/applications/{app.pk}/").status_code == 404


def test_the_counter_applies_for_a_worker(person, officer):
    app = application_submit(actor=officer, person=person, program=program(), day=MARCH)
    assert (app.assisted_by, app.person) == (officer, person)


def test_the_public_notice_masks_names_and_ids_and_takes_anonymous_objections(
    client, person, officer, city_reviewer, settings
):
    settings.LINGONG_SUBSIDY_OBJECTION_ANON_LIMIT = 1
    app = in_notice(person, officer, city_reviewer)
    page = client.get("/subsidies/notice/").content.decode()
    assert "王**" in page and "370702********1234" in page
    assert "王小明" not in page and "370702198006151234" not in page
    url = f"/subsidies/notice/{app.pk}/object/"
    assert client.post(url, {"text": "此人当月在外地工作。"}).status_code == 302
    objection = Objection.objects.get(application=app)
    assert objection.submitted_by is None and objection.text == "此人当月在外地工作。"
    refused = client.post(url, {"text": "再次异议"})
    assert refused.status_code == 400 and "提交太频繁" in refused.content.decode()
    assert Objection.objects.count() == 1


def test_an_application_not_in_notice_has_no_objection_form(client, person):
    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    assert client.get(f"/subsidies/notice/{app.pk}/object/").status_code == 404
    assert "王**" not in client.get("/subsidies/notice/").content.decode()


# --- API ----------------------------------------------------------------------------------------------------


def test_api_personas_and_scope(api, api_as, person, officer, officer_b, auditor, city_reviewer, county_a):
    created = api_as(person).post(
        "/api/v1/subsidy-applications/",
        {"program": "flexible_social_insurance", "day": "2026-03-15"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["status"], body["amount_requested"], body["county"]) == (
        S.SUBMITTED,
        MARCH_AMOUNT,
        county_a.code,
    )
    pk = body["id"]
    detail = f"/api/v1/subsidy-applications/{pk}/"
    assert api.get(detail).status_code in (401, 403)
    assert api_as(officer_b).get(detail).status_code == 404
    assert api_as(officer_b).post(f"{detail}county-review/", {"outcome": "approve"}).status_code == 404
    assert api_as(auditor).get(detail).status_code == 200
    refused = api_as(auditor).post(f"{detail}county-review/", {"outcome": "approve"}, format="json")
    assert refused.status_code == 403
    assert api_as(person).post(f"{detail}county-review/", {"outcome": "approve"}).status_code == 403
    assert [r["id"] for r in api_as(officer).get("/api/v1/subsidy-applications/").json()["results"]] == [pk]
    assert api_as(officer_b).get("/api/v1/subsidy-applications/").json()["results"] == []

    ok = api_as(officer).post(f"{detail}county-review/", {"outcome": "approve"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == S.CITY_REVIEW
    assert Application.objects.get(pk=pk).status == S.CITY_REVIEW


def test_api_the_same_officer_at_two_levels_gets_the_403_shape(api_as, person, county_a):
    both = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF, Role.CITY_STAFF])
    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    client = api_as(both)
    url = f"/api/v1/subsidy-applications/{app.pk}/"
    assert client.post(f"{url}county-review/", {"outcome": "approve"}, format="json").status_code == 200
    refused = client.post(f"{url}city-review/", {"outcome": "approve"}, format="json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "separation_of_duties" and refused.json()["message"]
    app.refresh_from_db()
    assert (app.status, app.city_reviewer_id) == (S.CITY_REVIEW, None)


def test_api_budget_refusal_is_a_field_error_with_the_remaining_figure(api_as, person, officer, county_a):
    Budget.objects.filter(scope_unit=county_a).update(amount=Decimal("100.00"))
    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    refused = api_as(officer).post(
        f"/api/v1/subsidy-applications/{app.pk}/county-review/", {"outcome": "approve"}, format="json"
    )
    assert refused.status_code == 400
    body = refused.json()
    assert body["code"] == "over_budget" and "剩余 100.00 元" in body["fields"]["amount_approved"][0]
    assert Application.objects.get(pk=app.pk).status == S.SUBMITTED


def test_api_notices_are_public_and_masked_and_objections_public_writes(
    api, api_as, person, officer, city_reviewer
):
    app = in_notice(person, officer, city_reviewer)
    rows = api.get("/api/v1/subsidy-notices/").json()["results"]
    assert [(r["number"], r["name"], r["id_number"], r["amount"]) for r in rows] == [
        (app.number, "王**", "370702********1234", MARCH_AMOUNT)
    ]
    assert api.get(f"/api/v1/subsidy-notices/{app.pk}/").json()["name"] == "王**"
    made = api.post("/api/v1/subsidy-objections/", {"application": app.pk, "text": "有异议"}, format="json")
    assert made.status_code == 201 and set(made.json()) == {"id", "status"}
    objection = Objection.objects.get()
    assert api.get("/api/v1/subsidy-objections/").status_code in (401, 403)
    handle = f"/api/v1/subsidy-objections/{objection.pk}/handle/"
    assert api.post(handle, {"uphold": True, "note": "成立"}, format="json").status_code in (401, 403)
    upheld = api_as(officer).post(handle, {"uphold": True, "note": "经核实成立"}, format="json")
    assert upheld.status_code == 200 and upheld.json()["status"] == "upheld"
    assert Application.objects.get(pk=app.pk).status == S.RETURNED
    # no longer on the notice: nothing to object to
    assert api.post("/api/v1/subsidy-objections/", {"application": app.pk, "text": "x"}).status_code == 404


# --- evidence and the admin ---------------------------------------------------------------------------------


def _png() -> bytes:
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 220, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_evidence_is_checked_by_its_content_and_stored_privately(client_as, person):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from subsidies.models import ApplicationEvidence

    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    client = client_as(person)
    url = f"/subsidies/applications/{app.pk}/evidence/"
    fake = SimpleUploadedFile("proof.png", b"#!/bin/sh\necho not an image", content_type="image/png")
    refused = client.post(url, {"file": fake, "description": "假图片"})
    assert refused.status_code == 400 and ApplicationEvidence.objects.count() == 0
    real = SimpleUploadedFile("proof.png", _png(), content_type="image/png")
    assert client.post(url, {"file": real, "description": "劳动合同"}).status_code == 302
    evidence = ApplicationEvidence.objects.get(application=app)
    assert (evidence.kind, evidence.description, evidence.uploaded_by) == ("image", "劳动合同", person)
    assert evidence.file.name.endswith(".jpg")  # re-encoded, the upload's name not kept


def test_admin_queue_is_scoped_and_the_city_step_refuses_the_county_reviewer(
    client_as, person, officer, officer_b, county_a
):
    app = application_submit(actor=person, person=person, program=program(), day=MARCH)
    change = f"/admin/subsidies/application/{app.pk}/change/"
    assert app.number in client_as(officer).get("/admin/subsidies/application/").content.decode()
    assert app.number not in client_as(officer_b).get("/admin/subsidies/application/").content.decode()
    assert client_as(officer_b).get(change).status_code == 302  # the admin's "does not exist" redirect
    assert client_as(officer_b).get(f"/admin/subsidies/application/{app.pk}/county/").status_code == 404
    both = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF, Role.CITY_STAFF])
    client = client_as(both)
    done = client.post(f"/admin/subsidies/application/{app.pk}/county/", {"outcome": "approve"})
    assert done.status_code == 302
    app.refresh_from_db()
    assert app.status == S.CITY_REVIEW
    refused = client.post(f"/admin/subsidies/application/{app.pk}/city/", {"outcome": "approve"}, follow=True)
    assert "同一人不能同时担任县级审核和市级复核" in refused.content.decode()
    app.refresh_from_db()
    assert (app.status, app.city_reviewer_id) == (S.CITY_REVIEW, None)
