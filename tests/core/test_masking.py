"""Personal data (PIPL): resident IDs and mobile numbers are masked in every list, page, export and API
response for every role; the person sees their own in full."""

from __future__ import annotations

import csv
import io

import pytest

from accounts.choices import Role
from accounts.models import User
from core.choices import AuditAction
from core.masking import mask_bank_account, mask_dict, mask_id_number, mask_name, mask_phone
from core.models import AuditLog

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


# --- unit: core.masking ---------------------------------------------------------------------------------


def test_mask_id_number_keeps_area_code_and_last_four():
    assert mask_id_number("370702199001011234") == "370702********1234"
    assert mask_id_number("37070219900101123X") == "370702********123X"


def test_mask_phone_keeps_first_three_and_last_four():
    assert mask_phone("13812345678") == "138****5678"


def test_masks_of_empty_and_short_values_reveal_nothing():
    assert mask_id_number(None) == mask_id_number("") == mask_phone(None) == ""
    assert mask_id_number("1234567890") == "*" * 10
    assert mask_phone("123456") == "******"


def test_other_masks():
    assert mask_bank_account("6222020200112233445") == "*" * 15 + "3445"
    assert mask_name("张三丰") == "张**"


def test_mask_dict_masks_the_models_personal_fields_only():
    data = {"phone": "13812345678", "id_number": "370702199001011234", "real_name": "张三"}
    assert mask_dict(User, data) == {
        "phone": "138****5678",
        "id_number": "370702********1234",
        "real_name": "张三",
    }


# --- helpers ---------------------------------------------------------------------------------------------


@pytest.fixture
def people(worker, worker_b, employer, officer, officer_b):
    """Everyone with both a phone and a resident ID, in both counties."""
    return [worker, worker_b, employer, officer, officer_b]


def assert_masked_only(body: str, users, *, expect_shown=()):
    for user in users:
        assert user.phone not in body, f"full phone of {user.pk} leaked"
        if user.id_number:
            assert user.id_number not in body, f"full ID of {user.pk} leaked"
    for user in expect_shown:
        assert mask_phone(user.phone) in body, f"user {user.pk} not listed (masked)"


def viewer(request, name):
    return request.getfixturevalue(name)


STAFF = ["officer", "city_staff", "auditor"]


# --- API ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", [*STAFF, "api_client_a"])
def test_api_user_list_and_detail_show_masked_values_only(request, api_as, who, people, worker):
    if who == "api_client_a":
        client = request.getfixturevalue("api_client_a")
    else:
        client = api_as(viewer(request, who))
    everyone = [*people, *User.objects.exclude(pk__in=[p.pk for p in people])]

    listing = client.get("/api/v1/users/", {"page_size": 100})
    assert listing.status_code == 200
    rows = {row["id"]: row for row in listing.json()["results"]}
    assert rows[worker.pk]["phone"] == mask_phone(worker.phone)
    assert rows[worker.pk]["id_number"] == mask_id_number(worker.id_number)
    assert_masked_only(listing.content.decode(), everyone, expect_shown=[worker])

    detail = client.get(f"/api/v1/users/{worker.pk}/")
    assert detail.status_code == 200
    assert detail.json()["phone"] == "139****" + worker.phone[-4:]
    assert detail.json()["id_number"] == worker.id_number[:6] + "********" + worker.id_number[-4:]
    assert_masked_only(detail.content.decode(), everyone, expect_shown=[worker])


def test_api_user_search_by_full_number_still_answers_masked(api_as, officer, worker):
    response = api_as(officer).get("/api/v1/users/", {"q": worker.phone})
    assert [row["id"] for row in response.json()["results"]] == [worker.pk]
    body = response.content.decode()
    assert worker.phone not in body and worker.id_number not in body


def test_api_me_shows_the_person_their_own_full_values(api_as, worker, worker_b):
    response = api_as(worker).get("/api/v1/me/")
    assert response.status_code == 200
    data = response.json()
    assert data["phone"] == worker.phone
    assert data["id_number"] == worker.id_number
    assert data["county"] == "370702"
    assert worker_b.phone not in response.content.decode()


def test_api_me_of_staff_is_their_own_only(api_as, officer, worker):
    body = api_as(officer).get("/api/v1/me/").content.decode()
    assert officer.phone in body and officer.id_number in body
    assert worker.phone not in body and worker.id_number not in body


# --- admin -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", STAFF)
def test_admin_user_changelist_shows_masked_values_only(request, client_as, who, people, worker):
    me = viewer(request, who)
    response = client_as(me).get("/admin/accounts/user/")
    assert response.status_code == 200
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert worker.pk in shown
    # The admin header greets the viewer by their own login name; everyone else's data stays masked.
    others = list(User.objects.exclude(pk=me.pk))
    assert_masked_only(response.content.decode(), others, expect_shown=[worker])
    assert me.id_number is None or me.id_number not in response.content.decode()


@pytest.mark.parametrize("who", STAFF)
def test_admin_user_change_page_shows_masked_values_only(request, client_as, who, people, worker):
    me = viewer(request, who)
    response = client_as(me).get(f"/admin/accounts/user/{worker.pk}/change/")
    assert response.status_code == 200
    body = response.content.decode()
    assert mask_phone(worker.phone) in body
    assert mask_id_number(worker.id_number) in body
    assert_masked_only(body, list(User.objects.exclude(pk=me.pk)))
    # No form field carries the raw values back to the browser either.
    form = response.context["adminform"].form
    assert "phone" not in form.fields and "id_number" not in form.fields


@pytest.mark.parametrize("who", STAFF)
def test_admin_csv_export_is_masked_with_bom_and_audited(request, client_as, who, people, worker, employer):
    me = viewer(request, who)
    client = client_as(me)
    before = AuditLog.objects.filter(action=AuditAction.EXPORT).count()
    response = client.post(
        "/admin/accounts/user/",
        {"action": "export_as_csv", "_selected_action": [worker.pk, employer.pk], "index": 0},
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    raw = response.content
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "手机号码"
    assert sorted(r[0] for r in rows[1:]) == sorted([mask_phone(worker.phone), mask_phone(employer.phone)])
    assert_masked_only(text, User.objects.all())

    assert AuditLog.objects.filter(action=AuditAction.EXPORT).count() == before + 1
    row = AuditLog.objects.filter(action=AuditAction.EXPORT).latest("id")
    assert row.actor_id == me.pk
    assert row.actor_label == mask_phone(me.phone)
    assert row.after == {"model": "accounts.User", "rows": 2}


def test_admin_csv_export_of_other_county_rows_exports_nothing(client_as, officer, worker_b):
    response = client_as(officer).post(
        "/admin/accounts/user/", {"action": "export_as_csv", "_selected_action": [worker_b.pk], "index": 0}
    )
    # The selection is applied to the scoped queryset: a header and no rows.
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1
    assert (
        worker_b.phone not in response.content.decode()
        and mask_phone(worker_b.phone) not in response.content.decode()
    )
    assert AuditLog.objects.get(action=AuditAction.EXPORT).after == {"model": "accounts.User", "rows": 0}


def test_admin_export_masks_personal_fields_listed_as_plain_columns(rf, officer, worker):
    """Any scoped admin that lists a personal field directly still exports it masked."""
    from django.contrib import admin as django_admin

    from core.admin import ScopedAdmin, export_as_csv

    class PlainUserAdmin(ScopedAdmin):
        list_display = ("phone", "id_number", "real_name", "gender")

    request = rf.post("/admin/accounts/user/")
    request.user = officer
    response = export_as_csv(
        PlainUserAdmin(User, django_admin.site), request, User.objects.filter(pk=worker.pk)
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["手机号码", "身份证号码", "姓名", "性别"],
        [mask_phone(worker.phone), mask_id_number(worker.id_number), worker.real_name, "男"],
    ]
    assert AuditLog.objects.get(action=AuditAction.EXPORT).actor_id == officer.pk


def test_admin_user_list_of_county_auditor_is_scoped_and_masked(client_as, county_a, worker, worker_b):
    county_auditor = UserFactory(scope_unit=county_a, roles=[Role.AUDITOR])
    response = client_as(county_auditor).get("/admin/accounts/user/")
    shown = {obj.pk for obj in response.context["cl"].result_list}
    assert worker.pk in shown and worker_b.pk not in shown
    assert_masked_only(response.content.decode(), [worker, worker_b])


# --- reveal: one value at a time, by a permitted officer in scope, with a logged reason ---------------


def reveal_rows():
    return AuditLog.objects.filter(action=AuditAction.REVEAL)


def test_api_reveal_by_officer_in_scope_returns_value_and_logs_it(api_as, officer, worker):
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "id_number", "reason": "核实身份"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"field": "id_number", "value": worker.id_number}

    row = reveal_rows().get()
    assert row.actor_id == officer.pk
    assert row.actor_label == mask_phone(officer.phone)
    assert row.reason == "核实身份"
    assert row.object_id == str(worker.pk)
    assert row.content_type.model_class() is User
    assert row.scope_unit_id == worker.scope_unit_id
    assert row.after == {"field": "id_number", "value": mask_id_number(worker.id_number)}
    assert worker.id_number not in str(row.after) and worker.id_number not in row.object_repr


def test_api_reveal_phone(api_as, officer, worker):
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "phone", "reason": "电话回访"}, format="json"
    )
    assert response.json()["value"] == worker.phone
    assert reveal_rows().get().after == {"field": "phone", "value": mask_phone(worker.phone)}


def test_api_reveal_by_city_staff_covers_every_county(api_as, city_staff, worker_b):
    response = api_as(city_staff).post(
        f"/api/v1/users/{worker_b.pk}/reveal/", {"field": "id_number", "reason": "核实身份"}, format="json"
    )
    assert response.json()["value"] == worker_b.id_number
    assert reveal_rows().get().actor_id == city_staff.pk


def test_api_reveal_of_other_county_is_404_and_not_logged(api_as, officer_b, worker):
    response = api_as(officer_b).post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "id_number", "reason": "核实身份"}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert worker.id_number not in response.content.decode()
    assert not reveal_rows().exists()


@pytest.mark.parametrize("who", ["worker_b", "employer", "auditor", "api_client_a"])
def test_api_reveal_by_role_without_permission_is_403_and_not_logged(request, api_as, who, worker):
    client = request.getfixturevalue(who) if who == "api_client_a" else api_as(request.getfixturevalue(who))
    response = client.post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "id_number", "reason": "核实身份"}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert worker.id_number not in response.content.decode()
    assert not reveal_rows().exists()


def test_api_reveal_by_anonymous_is_401(api, worker):
    response = api.post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "phone", "reason": "核实身份"}, format="json"
    )
    assert response.status_code == 401
    assert not reveal_rows().exists()


@pytest.mark.parametrize("payload", [{"field": "id_number"}, {"field": "id_number", "reason": ""}])
def test_api_reveal_without_reason_is_400_with_field_error(api_as, officer, worker, payload):
    response = api_as(officer).post(f"/api/v1/users/{worker.pk}/reveal/", payload, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "invalid"
    assert body["fields"]["reason"]
    assert worker.id_number not in response.content.decode()
    assert not reveal_rows().exists()


def test_api_reveal_of_a_non_personal_field_is_400(api_as, officer, worker):
    response = api_as(officer).post(
        f"/api/v1/users/{worker.pk}/reveal/", {"field": "password", "reason": "核实身份"}, format="json"
    )
    assert response.status_code == 400
    assert "field" in response.json()["fields"]
    assert not reveal_rows().exists()


def test_admin_reveal_asks_why_then_shows_and_logs(client_as, officer, worker):
    client = client_as(officer)
    url = f"/admin/accounts/user/{worker.pk}/reveal/id_number/"
    form_page = client.get(url)
    assert form_page.status_code == 200
    body = form_page.content.decode()
    assert 'name="reason"' in body
    assert mask_id_number(worker.id_number) in body and worker.id_number not in body
    assert not reveal_rows().exists()

    shown = client.post(url, {"reason": "核实身份"})
    assert shown.status_code == 200
    assert worker.id_number in shown.content.decode()
    row = reveal_rows().get()
    assert (row.actor_id, row.reason, row.object_id) == (officer.pk, "核实身份", str(worker.pk))
    assert row.after == {"field": "id_number", "value": mask_id_number(worker.id_number)}


def test_admin_reveal_without_reason_shows_nothing_and_logs_nothing(client_as, officer, worker):
    response = client_as(officer).post(f"/admin/accounts/user/{worker.pk}/reveal/id_number/", {"reason": ""})
    assert response.status_code == 200
    assert worker.id_number not in response.content.decode()
    assert not reveal_rows().exists()


def test_admin_change_page_links_to_reveal_for_permitted_officer_only(client_as, officer, auditor, worker):
    link = f"/admin/accounts/user/{worker.pk}/reveal/id_number/"
    assert link in client_as(officer).get(f"/admin/accounts/user/{worker.pk}/change/").content.decode()
    assert link not in client_as(auditor).get(f"/admin/accounts/user/{worker.pk}/change/").content.decode()


def test_admin_reveal_of_other_county_is_404(client_as, officer_b, worker):
    client = client_as(officer_b)
    url = f"/admin/accounts/user/{worker.pk}/reveal/id_number/"
    assert client.get(url).status_code == 404
    response = client.post(url, {"reason": "核实身份"})
    assert response.status_code == 404
    assert worker.id_number not in response.content.decode()
    assert not reveal_rows().exists()


def test_admin_reveal_by_auditor_is_refused(client_as, auditor, worker):
    response = client_as(auditor).post(
        f"/admin/accounts/user/{worker.pk}/reveal/id_number/", {"reason": "核实身份"}
    )
    assert response.status_code == 403
    assert not reveal_rows().exists()
