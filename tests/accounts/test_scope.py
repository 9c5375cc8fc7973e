"""County scope: one queryset method (visible_to) in the admin, the API and the pages."""

import pytest

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_user_list_hides_other_county(officer, worker, worker_b):
    ids = set(User.objects.visible_to(officer).values_list("id", flat=True))
    assert worker.id in ids and officer.id in ids
    assert worker_b.id not in ids
    assert ids == set(User.objects.filter(scope_unit=officer.scope_unit).values_list("id", flat=True))


def test_api_user_list_returns_only_own_county(api_as, officer, worker, worker_b):
    response = api_as(officer).get("/api/v1/users/", {"page_size": 100})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == set(User.objects.filter(scope_unit=officer.scope_unit).values_list("id", flat=True))
    assert worker_b.id not in ids


def test_api_other_county_record_is_404(api_as, officer, worker_b):
    response = api_as(officer).get(f"/api/v1/users/{worker_b.id}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_api_client_of_county_a_sees_only_county_a(api_client_a, worker, worker_b):
    response = api_client_a.get("/api/v1/users/", {"page_size": 100})
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert worker.id in ids and worker_b.id not in ids
    assert api_client_a.get(f"/api/v1/users/{worker_b.id}/").status_code == 404
    assert api_client_a.get(f"/api/v1/users/{worker.id}/").status_code == 200


def test_anonymous_is_refused(api, worker):
    response = api.get("/api/v1/users/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert api.get(f"/api/v1/users/{worker.id}/").status_code == 401


def test_worker_cannot_list_people(api_as, worker):
    assert api_as(worker).get("/api/v1/users/").status_code == 403


def test_admin_other_county_record_behaves_as_missing(client_as, officer, worker, worker_b):
    client = client_as(officer)
    listing = client.get("/admin/accounts/user/")
    assert listing.status_code == 200
    shown = {obj.pk for obj in listing.context["cl"].result_list}
    assert worker.pk in shown and worker_b.pk not in shown
    missing = client.get("/admin/accounts/user/999999/change/", follow=True)
    other = client.get(f"/admin/accounts/user/{worker_b.pk}/change/", follow=True)
    assert other.redirect_chain == missing.redirect_chain == [("/admin/", 302)]
    assert [str(m) for m in other.context["messages"]] == [
        str(m).replace("999999", str(worker_b.pk)) for m in missing.context["messages"]
    ]
    assert client.get(f"/admin/accounts/user/{worker.pk}/change/").status_code == 200


def test_city_staff_sees_every_county(officer, worker, worker_b, city_staff):
    ids = set(User.objects.visible_to(city_staff).values_list("id", flat=True))
    assert {worker.id, worker_b.id, officer.id} <= ids
