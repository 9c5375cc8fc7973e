import pytest

pytestmark = pytest.mark.django_db


def test_api_unknown_path_json(api):
    r = api.get("/api/v1/nothing-here/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_page_unknown_path_html(client):
    r = client.get("/nothing-here/")
    assert r.status_code == 404 and "页面不存在" in r.content.decode()


def test_admin_greets_staff_without_their_full_number(client_as, officer):
    officer.real_name = ""
    officer.save()
    html = client_as(officer).get("/admin/").content.decode()
    assert officer.phone not in html
    assert officer.phone[:3] + "****" + officer.phone[-4:] in html
