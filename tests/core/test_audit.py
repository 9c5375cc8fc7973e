"""The audit trail: every staff change and login is one masked, append-only row, kept at least 184 days,
readable by auditors in their scope and editable by nobody."""

from __future__ import annotations

import runpy
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.audit import audit_record, changed, snapshot
from core.choices import AuditAction
from core.masking import mask_id_number, mask_phone
from core.models import AuditLog

from ..accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def form_data(response) -> dict:
    """The POST body a browser would send back from an admin change page, unchanged."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if value is True:
                data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(v) for v in value]
            else:
                data[key] = str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        add(formset.management_form)
        for form in formset.forms:
            add(form)
    return data


def updates():
    return AuditLog.objects.filter(action=AuditAction.UPDATE)


# --- admin edits -------------------------------------------------------------------------------------------


def test_admin_change_by_officer_writes_only_changed_fields(client_as, officer, worker):
    client = client_as(officer)
    url = f"/admin/accounts/user/{worker.pk}/change/"
    data = form_data(client.get(url))
    old_name = worker.real_name
    data["real_name"] = "新名字"

    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    worker.refresh_from_db()
    assert worker.real_name == "新名字"

    row = updates().get()
    assert row.actor_id == officer.pk
    assert row.actor_label == mask_phone(officer.phone)
    assert row.content_type == ContentType.objects.get_for_model(User)
    assert row.object_id == str(worker.pk)
    assert row.scope_unit_id == worker.scope_unit_id
    assert row.before == {"real_name": old_name}
    assert row.after == {"real_name": "新名字"}
    assert row.ip_address == "127.0.0.1"


def test_admin_save_without_changes_writes_no_row(client_as, officer, worker):
    client = client_as(officer)
    url = f"/admin/accounts/user/{worker.pk}/change/"
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert not updates().exists()


def test_admin_scope_change_by_city_staff_is_audited(client_as, city_staff, worker, county_a, county_b):
    client = client_as(city_staff)
    url = f"/admin/accounts/user/{worker.pk}/change/"
    data = form_data(client.get(url))
    data["scope_unit"] = str(county_b.pk)
    data["id_review_flag"] = "unknown_area"
    assert client.post(url, data).status_code == 302
    worker.refresh_from_db()
    assert worker.scope_unit_id == county_b.pk

    row = updates().get()
    assert row.before == {"scope_unit": county_a.pk, "id_review_flag": ""}
    assert row.after == {"scope_unit": county_b.pk, "id_review_flag": "unknown_area"}
    assert worker.phone not in str(row.before) + str(row.after)


def test_admin_officer_cannot_move_a_person_out_of_their_scope(client_as, officer, worker, county_b):
    client = client_as(officer)
    url = f"/admin/accounts/user/{worker.pk}/change/"
    data = form_data(client.get(url))
    data["scope_unit"] = str(county_b.pk)
    response = client.post(url, data)
    assert response.status_code == 200  # the form refuses a unit outside the officer's scope
    assert "scope_unit" in response.context["adminform"].form.errors
    worker.refresh_from_db()
    assert worker.scope_unit.code == "370702"
    assert not updates().exists()


def test_snapshot_and_changed_mask_personal_data(worker):
    phone, id_number = worker.phone, worker.id_number
    before = snapshot(worker)
    assert "password" not in before
    worker.phone, worker.id_number = "13812345678", "370702199001011234"
    b, a = changed(before, snapshot(worker))
    assert a == {"phone": "138****5678", "id_number": "370702********1234"}
    assert b == {"phone": mask_phone(phone), "id_number": mask_id_number(id_number)}


def test_audit_rows_of_service_changes_hold_masked_values(worker):
    from accounts.services import user_anonymize

    phone, id_number = worker.phone, worker.id_number
    user_anonymize(user=worker, actor=worker)
    row = AuditLog.objects.get(action=AuditAction.DELETE, object_id=str(worker.pk))
    assert row.before["phone"] == mask_phone(phone)
    assert row.before["id_number"] == mask_id_number(id_number)
    assert phone not in str(row.before) and id_number not in str(row.before)


# --- append-only -----------------------------------------------------------------------------------------


@pytest.fixture
def row(worker):
    return audit_record(actor=worker, action=AuditAction.UPDATE, obj=worker, before={"a": 1}, after={"a": 2})


def test_audit_row_cannot_be_saved_again(row):
    row.reason = "改过"
    with pytest.raises(TypeError):
        row.save()
    row.refresh_from_db()
    assert row.reason == ""


def test_audit_row_cannot_be_deleted(row):
    with pytest.raises(TypeError):
        row.delete()
    assert AuditLog.objects.filter(pk=row.pk).exists()


def test_audit_queryset_cannot_update_or_delete(row):
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=row.pk).update(reason="改过")
    with pytest.raises(TypeError):
        AuditLog.objects.all().update(reason="改过")
    with pytest.raises(TypeError):
        AuditLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(TypeError):
        AuditLog.objects.all().delete()
    row.refresh_from_db()
    assert row.reason == "" and row.after == {"a": 2}


# --- retention -------------------------------------------------------------------------------------------


def aged(days: int) -> AuditLog:
    return AuditLog.objects.create(at=timezone.now() - timedelta(days=days), action=AuditAction.UPDATE)


def test_purge_keeps_184_days_even_when_the_setting_is_lower(settings):
    settings.LINGONG_AUDIT_RETENTION_DAYS = 10
    young, half_year, old = aged(100), aged(183), aged(400)
    assert AuditLog.objects.purge_expired() == 1
    assert set(AuditLog.objects.values_list("pk", flat=True)) == {young.pk, half_year.pk}
    assert not AuditLog.objects.filter(pk=old.pk).exists()


def test_purge_honours_a_longer_setting(settings):
    settings.LINGONG_AUDIT_RETENTION_DAYS = 365
    kept, gone = aged(300), aged(366)
    assert AuditLog.objects.purge_expired() == 1
    assert list(AuditLog.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditLog.objects.filter(pk=gone.pk).exists()


def test_purge_with_a_given_now(settings):
    settings.LINGONG_AUDIT_RETENTION_DAYS = 184
    row = aged(0)
    assert AuditLog.objects.purge_expired(now=timezone.now() + timedelta(days=183)) == 0
    assert AuditLog.objects.purge_expired(now=timezone.now() + timedelta(days=185)) == 1
    assert not AuditLog.objects.filter(pk=row.pk).exists()


def test_settings_clamp_retention_to_184_days(monkeypatch):
    base = Path(django_settings.BASE_DIR) / "config" / "settings" / "base.py"
    monkeypatch.setenv("LINGONG_AUDIT_RETENTION_DAYS", "10")
    assert runpy.run_path(str(base))["LINGONG_AUDIT_RETENTION_DAYS"] == 184
    monkeypatch.setenv("LINGONG_AUDIT_RETENTION_DAYS", "400")
    assert runpy.run_path(str(base))["LINGONG_AUDIT_RETENTION_DAYS"] == 400
    assert django_settings.LINGONG_AUDIT_RETENTION_DAYS >= 184


# --- reading the trail: API --------------------------------------------------------------------------------


@pytest.fixture
def trail(officer, worker, worker_b):
    a = audit_record(actor=officer, action=AuditAction.UPDATE, obj=worker, after={"real_name": "甲"})
    b = audit_record(actor=officer, action=AuditAction.UPDATE, obj=worker_b, after={"real_name": "乙"})
    return a, b


def test_city_auditor_reads_the_whole_audit_log(api_as, auditor, trail, django_assert_max_num_queries):
    a, b = trail
    client = api_as(auditor)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/audit-log/", {"page_size": 200})
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()["results"]}
    assert {a.pk, b.pk} <= set(rows)
    assert rows[a.pk]["county"] == "370702" and rows[b.pk]["county"] == "370783"
    assert rows[a.pk]["after"] == {"real_name": "甲"}
    assert rows[a.pk]["object_type"] == "user"
    assert client.get(f"/api/v1/audit-log/{b.pk}/").json()["id"] == b.pk


def test_county_auditor_reads_only_their_county(api_as, county_a, trail):
    a, b = trail
    county_auditor = UserFactory(scope_unit=county_a, roles=[Role.AUDITOR])
    client = api_as(county_auditor)
    response = client.get("/api/v1/audit-log/", {"page_size": 200})
    assert response.status_code == 200
    ids = {r["id"] for r in response.json()["results"]}
    assert a.pk in ids and b.pk not in ids
    assert ids == set(AuditLog.objects.filter(scope_unit=county_a).values_list("pk", flat=True))
    assert client.get(f"/api/v1/audit-log/{b.pk}/").status_code == 404


def test_audit_log_filters(api_as, auditor, trail):
    a, b = trail
    response = api_as(auditor).get("/api/v1/audit-log/", {"county": "370783", "action": "update"})
    assert [r["id"] for r in response.json()["results"]] == [b.pk]


@pytest.mark.parametrize("who", ["officer", "city_staff", "worker"])
def test_audit_log_api_refuses_non_auditors(request, api_as, who, trail):
    response = api_as(request.getfixturevalue(who)).get("/api/v1/audit-log/")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_audit_log_api_refuses_anonymous_and_api_clients(api, api_client_a, trail):
    response = api.get("/api/v1/audit-log/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert api_client_a.get("/api/v1/audit-log/").status_code == 403


def test_audit_log_api_is_read_only_even_for_auditors(api_as, auditor, trail):
    a, _b = trail
    client = api_as(auditor)
    assert client.post("/api/v1/audit-log/", {"action": "update"}, format="json").status_code in (403, 405)
    assert client.delete(f"/api/v1/audit-log/{a.pk}/").status_code in (403, 405)
    assert client.patch(f"/api/v1/audit-log/{a.pk}/", {"reason": "x"}, format="json").status_code in (
        403,
        405,
    )
    a.refresh_from_db()
    assert a.reason == "" and AuditLog.objects.filter(pk=a.pk).exists()


# --- reading the trail: admin ------------------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("13700000000", "pass-word-123")


@pytest.mark.parametrize("who", ["auditor", "superuser", "city_staff"])
def test_admin_audit_log_has_no_add_change_or_delete(request, client_as, who, trail):
    a, _b = trail
    client = client_as(request.getfixturevalue(who))
    assert client.get("/admin/core/auditlog/add/").status_code == 403
    assert client.post("/admin/core/auditlog/add/", {"action": "update"}).status_code == 403
    assert client.post(f"/admin/core/auditlog/{a.pk}/change/", {"reason": "改过"}).status_code == 403
    assert client.get(f"/admin/core/auditlog/{a.pk}/delete/").status_code == 403
    assert client.post(f"/admin/core/auditlog/{a.pk}/delete/", {"post": "yes"}).status_code == 403
    a.refresh_from_db()
    assert a.reason == ""
    assert AuditLog.objects.filter(pk=a.pk).exists()


def test_admin_audit_log_list_for_auditor_has_no_delete_action(client_as, auditor, trail):
    a, _b = trail
    client = client_as(auditor)
    listing = client.get("/admin/core/auditlog/")
    assert listing.status_code == 200
    assert a in listing.context["cl"].result_list
    assert "delete_selected" not in listing.content.decode()
    response = client.post("/admin/core/auditlog/", {"action": "delete_selected", "_selected_action": [a.pk]})
    assert response.status_code in (200, 302, 403)
    assert AuditLog.objects.filter(pk=a.pk).exists()
    page = client.get(f"/admin/core/auditlog/{a.pk}/change/")
    assert page.status_code == 200  # view only
    assert 'name="_save"' not in page.content.decode()


def test_admin_county_auditor_sees_only_county_rows(client_as, county_a, trail):
    a, b = trail
    county_auditor = UserFactory(scope_unit=county_a, roles=[Role.AUDITOR])
    listing = client_as(county_auditor).get("/admin/core/auditlog/")
    shown = set(listing.context["cl"].result_list)
    assert a in shown and b not in shown


def test_officer_has_no_admin_audit_log(client_as, officer, trail):
    assert client_as(officer).get("/admin/core/auditlog/").status_code == 403


# --- logins -------------------------------------------------------------------------------------------


def test_login_success_writes_a_row_with_the_actor(client, worker):
    response = client.post(
        "/accounts/login/", {"username": worker.phone, "password": "pass-word-123"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 302
    row = AuditLog.objects.get(action=AuditAction.LOGIN_SUCCESS)
    assert row.actor_id == worker.pk
    assert row.actor_label == mask_phone(worker.phone)
    assert row.object_id == str(worker.pk)
    assert row.ip_address == "10.1.2.3"


def test_login_failure_writes_a_row_with_the_masked_number(client, worker):
    response = client.post(
        "/accounts/login/", {"username": worker.phone, "password": "wrong-password"}, REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    row = AuditLog.objects.get(action=AuditAction.LOGIN_FAILURE)
    assert row.actor is None
    assert row.actor_label == mask_phone(worker.phone)
    assert worker.phone not in row.actor_label
    assert row.object_id == str(worker.pk)
    assert row.ip_address == "10.1.2.3"
    assert not AuditLog.objects.filter(action=AuditAction.LOGIN_SUCCESS).exists()


def test_login_failure_for_unknown_number_is_logged_masked(client, db):
    client.post("/accounts/login/", {"username": "13612345678", "password": "wrong-password"})
    row = AuditLog.objects.get(action=AuditAction.LOGIN_FAILURE)
    assert row.actor_label == "136****5678"
    assert row.object_id == ""
