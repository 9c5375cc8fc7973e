"""The work pages beyond check-in (issue 13): the employer pays (offline transfer recorded, or the online
gateway), the worker confirms receipt or reports that the money never came, both rate and the rated party
appeals once; bad input is a field error on the same page (400) and changes nothing. Also check-out before
the shift or right after check-in, and the timesheet's wording of a shift that starts today."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps

from jobs import services
from jobs.models import Occupation
from work import services as work
from work.choices import CheckMethod, PaymentStatus, RatingDirection, WorkOrderStatus
from work.models import ArrearsAlert, Payment, Rating, WorkOrder

from ..jobs.factories import make_employer, make_worker, published_posting

pytestmark = pytest.mark.django_db

NEAR = (36.7110, 119.0240)


@pytest.fixture(autouse=True)
def _jobs_seed(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        if not Occupation.objects.exists():
            importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(
                django_apps, None
            )


def hire(**posting) -> WorkOrder:
    employer = make_employer()
    post = published_posting(employer, **posting)
    worker = make_worker()
    application = services.application_apply(posting=post, worker=worker, actor=worker)
    services.application_accept(application=application, actor=employer.user)
    return WorkOrder.objects.filter(application=application).order_by("work_date").first()


def approved(order=None) -> WorkOrder:
    order = order or hire()
    start = order.starts_at
    work.work_order_check_in(
        order=order, actor=order.worker, method=CheckMethod.GPS, lat=NEAR[0], lng=NEAR[1], now=start
    )
    work.work_order_check_out(
        order=order,
        actor=order.worker,
        method=CheckMethod.QR,
        qr_token=order.qr_token,
        now=start + dt.timedelta(hours=8),
    )
    work.work_order_approve(order=order, actor=order.posting.employer.user, now=start + dt.timedelta(hours=9))
    order.refresh_from_db()
    return order


def settled() -> WorkOrder:
    order = approved()
    employer = order.posting.employer.user
    payment = work.payment_request(work_order=order, actor=employer, idempotency_key="s1", method="cash")
    work.payment_record_offline(payment=payment, actor=employer)
    work.payment_confirm_receipt(payment=payment, actor=order.worker)
    order.refresh_from_db()
    return order


def test_employer_records_an_offline_payment_and_the_worker_confirms_receipt(client_as):
    order = approved()
    employer = client_as(order.posting.employer.user)
    page = employer.get(f"/work/employer/{order.pk}/")
    assert page.status_code == 200 and "登记已付款" in page.content.decode()
    key = page.context["pay_form"].initial["idempotency_key"]
    data = {"method": "wechat", "payee_account": "wx-zhang-1968", "note": "", "idempotency_key": key}
    response = employer.post(f"/work/employer/{order.pk}/pay/", data)
    assert response.status_code == 302
    # a second tap with the same key pays nothing more
    employer.post(f"/work/employer/{order.pk}/pay/", data)
    payment = Payment.objects.get(work_order=order)
    assert (payment.status, payment.method, payment.amount) == (
        PaymentStatus.SUCCEEDED,
        "wechat",
        order.amount,
    )
    assert "wx-zhang-1968" not in employer.get(f"/work/employer/{order.pk}/").content.decode()

    worker = client_as(order.worker)
    html = worker.get(f"/work/{order.pk}/").content.decode()
    assert "确认收款" in html and "wx-zhang-1968" in html  # the payee sees their own account
    assert worker.post(f"/work/{order.pk}/receipt/", {"payment": payment.pk}).status_code == 302
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == WorkOrderStatus.SETTLED and payment.worker_confirmed_at is not None
    assert order.events.filter(to_status=WorkOrderStatus.SETTLED).count() == 1


def test_pay_form_errors_are_shown_beside_the_field_and_nothing_is_paid(client_as):
    order = approved()
    employer = client_as(order.posting.employer.user)
    response = employer.post(f"/work/employer/{order.pk}/pay/", {"method": "online", "idempotency_key": "k1"})
    assert response.status_code == 400
    assert response.context["pay_form"].errors["method"]
    assert not Payment.objects.exists()


def test_nobody_else_pays_or_sees_the_order(client_as, worker_b):
    order = approved()
    other_employer = make_employer()
    assert client_as(other_employer.user).get(f"/work/employer/{order.pk}/").status_code == 404
    assert client_as(other_employer.user).post(f"/work/employer/{order.pk}/pay/", {}).status_code == 404
    assert client_as(worker_b).get(f"/work/{order.pk}/").status_code == 404


def test_worker_reports_a_payment_that_never_arrived(client_as):
    order = approved()
    payment = work.payment_request(
        work_order=order, actor=order.posting.employer.user, idempotency_key="t1", method="cash"
    )
    work.payment_record_offline(payment=payment, actor=order.posting.employer.user)
    worker = client_as(order.worker)
    empty = worker.post(f"/work/{order.pk}/not-received/", {"payment": payment.pk, "reason": ""})
    assert empty.status_code == 400 and empty.context["not_received_form"].errors["reason"]
    response = worker.post(
        f"/work/{order.pk}/not-received/", {"payment": payment.pk, "reason": "说好现金，没给"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DISPUTED
    assert ArrearsAlert.objects.get(work_order=order).amount == payment.amount


def test_both_rate_once_and_the_rated_worker_appeals_once(client_as):
    order = approved()
    assert 'id="rate-form"' not in client_as(order.worker).get(f"/work/{order.pk}/").content.decode()
    order = settled()
    assert 'id="rate-form"' in client_as(order.worker).get(f"/work/{order.pk}/").content.decode()
    employer, worker = client_as(order.posting.employer.user), client_as(order.worker)
    bad = employer.post(f"/work/employer/{order.pk}/rate/", {"stars": "9"})
    assert bad.status_code == 400 and bad.context["rating_form"].errors["stars"]
    assert (
        employer.post(f"/work/employer/{order.pk}/rate/", {"stars": "2", "tags": ["迟到"]}).status_code == 302
    )
    assert (
        worker.post(
            f"/work/{order.pk}/rate/", {"stars": "5", "tags": ["态度好"], "comment": "好"}
        ).status_code
        == 302
    )
    ratings = {r.direction: r for r in Rating.objects.filter(work_order=order)}
    assert ratings[RatingDirection.EMPLOYER_TO_WORKER].stars == 2
    assert ratings[RatingDirection.WORKER_TO_EMPLOYER].tags == ["态度好"]
    # the rating form is gone once rated; the worker sees the rating they received and may appeal it once
    html = worker.get(f"/work/{order.pk}/").content.decode()
    assert 'id="rate-form"' not in html and "申诉" in html
    assert worker.post(f"/work/{order.pk}/appeal/", {"reason": "我准时到的，有签到记录"}).status_code == 302
    rating = ratings[RatingDirection.EMPLOYER_TO_WORKER]
    rating.refresh_from_db()
    assert rating.appeal_outcome == "pending" and rating.events.count() == 1
    assert worker.post(f"/work/{order.pk}/appeal/", {"reason": "再申诉一次"}).status_code == 400
    assert rating.events.count() == 1


def test_rating_before_completion_is_refused_on_the_page(client_as):
    order = hire()
    response = client_as(order.worker).post(f"/work/{order.pk}/rate/", {"stars": "5"})
    assert response.status_code == 400 and not Rating.objects.exists()


def test_check_out_before_the_shift_starts_is_refused():
    order = hire()
    start = order.starts_at
    work.work_order_check_in(
        order=order,
        actor=order.worker,
        method=CheckMethod.GPS,
        lat=NEAR[0],
        lng=NEAR[1],
        now=start - dt.timedelta(hours=1),
    )
    with pytest.raises(Exception) as info:
        work.work_order_check_out(
            order=order,
            actor=order.worker,
            method=CheckMethod.QR,
            qr_token=order.qr_token,
            now=start - dt.timedelta(minutes=30),
        )
    assert info.value.code == "before_start"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_IN and order.hours_worked is None


def test_check_out_right_after_check_in_needs_confirmation(client_as):
    order = hire()
    start = order.starts_at
    work.work_order_check_in(
        order=order, actor=order.worker, method=CheckMethod.GPS, lat=NEAR[0], lng=NEAR[1], now=start
    )
    with pytest.raises(Exception) as info:
        work.work_order_check_out(
            order=order,
            actor=order.worker,
            method=CheckMethod.QR,
            qr_token=order.qr_token,
            now=start + dt.timedelta(minutes=1),
        )
    assert info.value.code == "short_shift"
    work.work_order_check_out(
        order=order,
        actor=order.worker,
        method=CheckMethod.QR,
        qr_token=order.qr_token,
        confirm_short=True,
        now=start + dt.timedelta(minutes=1),
    )
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.CHECKED_OUT and order.hours_worked == Decimal("0.02")


def test_timesheet_says_today_for_a_shift_that_starts_today(client_as, settings):
    import time_machine  # the clock: a shift at 06:00 that day, now 01:00

    from work.calculators import SHANGHAI

    today = dt.date.today() + dt.timedelta(days=3)
    order = hire(
        work_start_date=today, work_end_date=today, start_time=dt.time(6, 0), end_time=dt.time(14, 0)
    )
    with time_machine.travel(dt.datetime.combine(today, dt.time(1, 0), tzinfo=SHANGHAI), tick=False):
        html = client_as(order.posting.employer.user).get(f"/work/employer/?date={today}").content.decode()
    assert "今天 06:00" in html and "明天" not in html


def test_api_reports_a_payment_that_never_arrived_like_the_page(api_as):
    order = approved()
    employer = order.posting.employer.user
    payment = work.payment_request(work_order=order, actor=employer, idempotency_key="a1", method="cash")
    work.payment_record_offline(payment=payment, actor=employer)
    url = f"/api/v1/payments/{payment.pk}/not-received/"
    assert api_as(employer).post(url, {"reason": "我付了"}).status_code == 403
    assert api_as(order.worker).post(url, {"reason": ""}).status_code == 400
    response = api_as(order.worker).post(url, {"reason": "没收到"})
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.DISPUTED and ArrearsAlert.objects.filter(work_order=order).exists()
    assert api_as(order.worker).post(url, {"reason": "没收到"}).status_code == 409
