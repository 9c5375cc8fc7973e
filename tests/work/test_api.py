"""The work-order API: scoping (a worker sees only theirs, an employer only theirs, county staff only their
county's — list ids and 404), anonymous / outsider / wrong role / happy path for the workflow actions, the
check-in radius with the distance in the message, and reads that show approval once the deadline passed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest

from jobs.choices import WageUnit
from tests.conftest import nothing_written
from work import services as work
from work.choices import CheckMethod, WorkOrderStatus
from work.models import WorkOrder

from ..jobs.factories import make_employer
from .test_work_orders import FAR, NEAR, _jobs_seed, checked_out, hire  # noqa: F401

pytestmark = pytest.mark.django_db

URL = "/api/v1/work-orders/"


def at(moment):
    """Time travel for the API: the services read django.utils.timezone.now."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


@pytest.fixture
def orders(county_a, county_b):
    a1 = hire(unit=county_a)
    a2 = hire(unit=county_a)
    b1 = hire(unit=county_b)
    return a1, a2, b1


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_anonymous_gets_nothing(api, orders):
    assert api.get(URL).status_code in (401, 403)
    with nothing_written():
        assert api.post(f"{URL}{orders[0].pk}/confirm/").status_code in (401, 403)


def test_worker_sees_only_their_work_orders(api_as, orders):
    a1, a2, b1 = orders
    client = api_as(a1.worker)
    assert ids(client.get(URL)) == {a1.pk}
    assert client.get(f"{URL}{a2.pk}/").status_code == 404
    body = client.get(f"{URL}{a1.pk}/").json()
    assert body["worker_name"] == a1.worker.real_name and body["qr_token"] == ""


def test_employer_sees_only_their_postings_work_orders(api_as, orders):
    a1, a2, b1 = orders
    client = api_as(a1.posting.employer.user)
    assert ids(client.get(URL)) == {a1.pk}
    assert client.get(f"{URL}{b1.pk}/").status_code == 404
    assert client.get(f"{URL}{a1.pk}/").json()["qr_token"] == a1.qr_token


def test_county_staff_see_only_their_countys_work_orders(
    api_as, officer, officer_b, city_staff, orders, django_assert_max_num_queries
):
    a1, a2, b1 = orders
    client = api_as(officer)
    with django_assert_max_num_queries(12):
        assert ids(client.get(URL)) == {a1.pk, a2.pk}
    assert client.get(f"{URL}{b1.pk}/").status_code == 404
    body = client.get(f"{URL}{a1.pk}/").json()
    assert body["worker_name"] != a1.worker.real_name  # masked for staff
    assert ids(api_as(officer_b).get(URL)) == {b1.pk}
    refused = api_as(officer_b)
    with nothing_written():
        assert refused.post(f"{URL}{a1.pk}/cancel/", {"reason": "x"}).status_code == 404
    assert ids(api_as(city_staff).get(URL)) >= {a1.pk, a2.pk, b1.pk}


def test_check_in_outside_the_radius_answers_400_with_the_distance(api_as, orders):
    order = orders[0]
    client = api_as(order.worker)
    with at(order.starts_at):
        response = client.post(
            f"{URL}{order.pk}/check-in/", {"method": "gps", "lat": FAR[0], "lng": FAR[1]}, format="json"
        )
    assert response.status_code == 400
    assert response.json()["code"] == "too_far"
    assert "1.1公里" in response.json()["message"] and "500米" in response.json()["message"]
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SCHEDULED and order.check_in_distance_m is None


def test_check_in_inside_the_radius_and_outsider_and_wrong_role(api_as, orders, worker_b):
    order, other, _ = orders
    with at(order.starts_at):
        assert (
            api_as(other.worker)
            .post(f"{URL}{order.pk}/check-in/", {"method": "qr", "qr_token": order.qr_token}, format="json")
            .status_code
            == 404
        )
        assert (
            api_as(order.posting.employer.user)
            .post(f"{URL}{order.pk}/check-in/", {"method": "counter"}, format="json")
            .status_code
            == 403
        )
        response = api_as(order.worker).post(
            f"{URL}{order.pk}/check-in/", {"method": "gps", "lat": NEAR[0], "lng": NEAR[1]}, format="json"
        )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == WorkOrderStatus.CHECKED_IN
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_IN and 100 < order.check_in_distance_m < 120
    assert order.events.filter(to_status=WorkOrderStatus.CHECKED_IN, actor=order.worker).exists()


def test_counter_check_in_by_county_staff(api_as, officer, orders):
    order = orders[0]
    with at(order.starts_at):
        response = api_as(officer).post(f"{URL}{order.pk}/check-in/", {"method": "counter"}, format="json")
    assert response.status_code == 200, response.content
    order.refresh_from_db()
    assert order.acted_by == officer
    assert order.events.get(to_status=WorkOrderStatus.CHECKED_IN).on_behalf_of == order.worker


def test_employer_corrects_and_approves_worker_sees_corrections(api_as, county_a):
    order = checked_out(hire(unit=county_a, wage_unit=WageUnit.HOUR, wage_amount=Decimal("25")))
    employer = api_as(order.posting.employer.user)
    worker = api_as(order.worker)
    with at(order.checked_out_at + dt.timedelta(hours=1)):
        assert worker.post(f"{URL}{order.pk}/approve/", {}, format="json").status_code == 403
        response = employer.post(
            f"{URL}{order.pk}/correct-hours/", {"hours": "8.00", "reason": "午休不计"}, format="json"
        )
        assert response.status_code == 200, response.content
        response = employer.post(f"{URL}{order.pk}/approve/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["amount"] == "200.00"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED and order.amount == Decimal("200.00")
    assert order.daily_wage == Decimal("200.00")
    assert order.events.filter(to_status=WorkOrderStatus.APPROVED, actor=order.posting.employer.user).exists()
    seen = worker.get(f"{URL}{order.pk}/").json()["corrections"]
    assert [(c["hours_before"], c["hours_after"], c["reason"]) for c in seen] == [
        ("8.50", "8.00", "午休不计")
    ]
    # approving twice is an illegal transition: 409, nothing changed
    with at(order.checked_out_at + dt.timedelta(hours=2)):
        response = employer.post(f"{URL}{order.pk}/approve/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert WorkOrder.objects.get(pk=order.pk).approved_at == order.approved_at


def test_reads_show_approved_after_the_deadline_before_the_scan(api_as, county_a):
    order = checked_out(hire(unit=county_a, wage_unit=WageUnit.DAY, wage_amount=Decimal("220")))
    client = api_as(order.worker)
    with at(order.approval_deadline + dt.timedelta(minutes=1)):
        body = client.get(f"{URL}{order.pk}/").json()
        approved = ids(client.get(URL, {"status": "approved"}))
    assert body["status"] == "approved" and body["stored_status"] == "checked_out"
    assert body["amount"] == "220.00"
    assert approved == {order.pk}
    assert ids(client.get(URL, {"status": "approved"})) == set()  # before the deadline it is not


def test_record_end_and_no_show_and_cancel(api_as, county_a):
    employer_profile = make_employer(unit=county_a)
    order = hire(unit=county_a, employer=employer_profile)
    employer = api_as(employer_profile.user)
    work.work_order_check_in(
        order=order, actor=order.worker, method=CheckMethod.QR, qr_token=order.qr_token, now=order.starts_at
    )
    with at(order.starts_at + dt.timedelta(hours=12)):
        response = employer.post(
            f"{URL}{order.pk}/record-end/",
            {"ended_at": (order.starts_at + dt.timedelta(hours=8)).isoformat()},
            format="json",
        )
    assert response.status_code == 200, response.content
    assert response.json()["hours_worked"] == "8.00" and response.json()["check_out_method"] == "employer"

    second = hire(unit=county_a, employer=employer_profile)
    with at(second.starts_at - dt.timedelta(hours=1)):
        assert employer.post(f"{URL}{second.pk}/no-show/", {}, format="json").status_code == 400
    with at(second.starts_at + dt.timedelta(hours=1)):
        response = employer.post(f"{URL}{second.pk}/no-show/", {"reason": "没来"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "no_show"

    third = hire(unit=county_a)
    response = api_as(third.worker).post(f"{URL}{third.pk}/cancel/", {"reason": "生病"}, format="json")
    assert response.status_code == 200
    assert response.json()["cancelled_by"] == "worker" and response.json()["status"] == "cancelled"


# --- pages ------------------------------------------------------------------------------------------------


def test_worker_page_shows_check_in_form_and_every_correction(client_as, county_a):
    order = checked_out(hire(unit=county_a))
    work.work_order_correct_hours(
        order=order, actor=order.posting.employer.user, hours=Decimal("8"), reason="午休不计"
    )
    page = client_as(order.worker).get(f"/work/{order.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "午休不计" in body and "8.50" in body and "8.00" in body
    assert client_as(hire(unit=county_a).worker).get(f"/work/{order.pk}/").status_code == 404
    fresh = hire(unit=county_a)
    body = client_as(fresh.worker).get(f"/work/{fresh.pk}/").content.decode()
    assert 'name="lat"' in body and 'name="qr_token"' in body and "checkin.js" in body
    assert fresh.posting.title in client_as(fresh.worker).get("/work/").content.decode()


def test_worker_checks_in_with_the_code_without_javascript_and_gps_too_far(client_as, county_a):
    order = hire(unit=county_a)
    client = client_as(order.worker)
    with at(order.starts_at):
        response = client.post(
            f"/work/{order.pk}/check-in/", {"lat": FAR[0], "lng": FAR[1], "qr_token": ""}, follow=True
        )
        assert "超出500米签到范围" in response.content.decode()
        assert WorkOrder.objects.get(pk=order.pk).status == WorkOrderStatus.SCHEDULED
        client.post(f"/work/{order.pk}/check-in/", {"lat": "", "lng": "", "qr_token": order.qr_token})
    assert WorkOrder.objects.get(pk=order.pk).check_in_method == CheckMethod.QR


def test_employer_qr_page_scan_and_timesheet_approve(client_as, county_a):
    order = hire(unit=county_a)
    employer = client_as(order.posting.employer.user)
    qr = employer.get(f"/work/employer/{order.pk}/qr/")
    assert qr.status_code == 200 and b"<svg" in qr.content
    assert client_as(order.worker).get(f"/work/employer/{order.pk}/qr/").status_code == 404
    with at(order.starts_at):
        assert client_as(order.worker).get(f"/work/{order.pk}/scan/?t={order.qr_token}").status_code == 200
        client_as(order.worker).post(f"/work/{order.pk}/scan/", {"qr_token": order.qr_token})
    with at(order.starts_at + dt.timedelta(hours=8)):
        client_as(order.worker).post(f"/work/{order.pk}/scan/", {"qr_token": order.qr_token})
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_OUT and order.hours_worked == Decimal("8.00")
    sheet = employer.get(f"/work/employer/?date={order.work_date.isoformat()}")
    assert sheet.status_code == 200 and "确认工时和金额" in sheet.content.decode()
    with at(order.checked_out_at + dt.timedelta(hours=1)):
        employer.post(f"/work/employer/{order.pk}/approve/")
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED and order.amount == Decimal("220.00")
