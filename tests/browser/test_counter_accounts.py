"""Issue 14 item 5 in headless Chromium at 360×640, by clicking from `/`: a market's counter staff log in,
open an account for a worker who has no phone (ID card checked, the signed notice's scan uploaded), the
worker card's print page opens; then they serve the worker by typing the card number and apply to a
posting for them. The rest of the chain (hired, confirmed, checked in and out at the counter, paid, receipt
confirmed at the counter, rated) goes through the services the pages call, as test_journeys does; the
stored state is asserted at the end: one account, no phone, every step recorded as assisted."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.contrib.auth.hashers import is_password_usable
from django.utils import timezone
from PIL import Image

from accounts.choices import Role
from accounts.idgen import make_resident_id
from accounts.models import Consent, CounterAccount, User
from jobs.choices import ApplicationSource
from jobs.models import Application
from tests.accounts.factories import UserFactory
from work.calculators import SHANGHAI
from work.choices import CheckMethod, PaymentMethod, PaymentStatus, RatingDirection, WorkOrderStatus
from work.models import Rating, WorkOrder

from . import test_journeys
from .test_journeys import Person

jobs_seed = test_journeys.jobs_seed

PASSWORD = "counter-work-2026"


def scan_png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (620, 877), 255).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_counter_opens_an_account_for_a_worker_without_a_phone_and_serves_them_by_card(
    chromium,
    live_server,
    jobs_seed,
    settings,
    tmp_path,
):
    from jobs import services as jobs_services
    from work import services as work

    from ..jobs.factories import make_employer, published_posting

    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    operator = UserFactory(phone="13600000077", roles=[Role.MARKET_OPERATOR], password=PASSWORD)
    employer = make_employer()
    posting = published_posting(employer, title="小区保洁 一天", headcount=1)
    id_number = make_resident_id("370702", dt.date(1959, 2, 14), seq=61, male=True)

    staff = Person(chromium, live_server.url, "counter", js=False)
    page = staff.page
    page.goto(live_server.url + "/")
    staff.look("home")
    staff.click('main a:has-text("登录")', "login")
    page.fill("#id_username", operator.phone)
    page.fill("#id_password", PASSWORD)
    staff.click("main button[type=submit]", "logged-in")

    # --- open the account ---
    staff.nav("服务台")
    staff.click('a:has-text("为没有手机的劳动者开户")', "open-form")
    page.fill("#id_real_name", "马长顺")
    page.fill("#id_id_number", id_number)
    page.check("#id_id_checked")
    page.select_option("#id_scope_unit", label="潍城区")
    page.fill("#id_relative_phone", "13900000002")
    page.select_option("#id_relative_relation", value="子女")
    page.set_input_files(
        "#id_consent_scan", files=[{"name": "consent.png", "mimeType": "image/png", "buffer": scan_png()}]
    )
    staff.click('button:has-text("开户并打印服务卡")', "card")
    assert "/card/" in page.url, staff.message()
    account = CounterAccount.objects.get()
    assert page.locator("[data-card-number]").inner_text().replace(" ", "") == account.card_number
    assert page.locator(".worker-card svg.qr").count() == 1
    assert id_number not in page.content() and "马**" in page.content()

    # --- serve the worker by typing the card number, and apply for them ---
    staff.nav("服务台")
    page.fill("#id_card_number", account.card_display)
    staff.click('button:has-text("按服务卡办理")', "serving")
    assert "正在为" in staff.message()
    staff.click('a:has-text("为他找活")', "search")
    page.fill("#id_q", "保洁")
    staff.click("form.search-form button[type=submit]", "results")
    staff.click('a:has-text("小区保洁 一天")', "posting")
    staff.click('button:has-text("报名（代办）")', "applied")
    assert "报名成功" in staff.message(), staff.message()
    staff.context.close()

    worker = User.objects.get(id_number=id_number)
    application = Application.objects.get(worker=worker, posting=posting)
    assert application.source == ApplicationSource.COUNTER and application.acted_by == operator

    # --- hired, and the work done and paid through the counter (the services the pages call) ---
    jobs_services.application_accept(application=application, actor=employer.user)
    order = WorkOrder.objects.get(worker=worker)
    start = dt.datetime.combine(order.work_date, dt.time(8, 0), tzinfo=SHANGHAI)
    work.work_order_confirm(order=order, actor=operator, now=start - dt.timedelta(hours=12))
    work.work_order_check_in(order=order, actor=operator, method=CheckMethod.COUNTER, now=start)
    work.work_order_check_out(
        order=order, actor=operator, method=CheckMethod.COUNTER, now=start + dt.timedelta(hours=9)
    )
    work.work_order_approve(order=order, actor=employer.user, now=start + dt.timedelta(hours=10))
    payment = work.payment_request(
        work_order=order, actor=employer.user, idempotency_key="pay-1", method=PaymentMethod.CASH
    )
    work.payment_record_offline(payment=payment, actor=employer.user, method=PaymentMethod.CASH)
    work.payment_confirm_receipt(payment=payment, actor=operator)
    work.rating_create(work_order=order, actor=employer.user, stars=5, tags=["准时"])

    # --- what is stored ---
    worker.refresh_from_db()
    assert worker.phone is None and not is_password_usable(worker.password)
    assert User.objects.filter(id_number=id_number).count() == 1
    account.refresh_from_db()
    assert account.user == worker and account.created_by == operator
    assert account.relative_phone == "13900000002" and account.relative_relation == "子女"
    consent = Consent.objects.get(user=worker)
    assert consent.recorded_by == operator and consent.paper_scan.read()[:3] == b"\xff\xd8\xff"
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.SETTLED
    assert order.check_in_method == order.check_out_method == CheckMethod.COUNTER
    assert order.acted_by == operator
    # a day's wage is paid as is (DESIGN.md): 220 for the day worked
    assert order.amount == posting.wage_amount == 220
    payment.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.worker_confirmed_at is not None
    assert payment.worker_confirmed_at <= timezone.now()
    rating = Rating.objects.get(work_order=order, direction=RatingDirection.EMPLOYER_TO_WORKER)
    assert rating.ratee_id == worker.pk and rating.stars == 5
    # every step the counter took is an event on the worker's behalf
    assisted = order.events.filter(on_behalf_of=worker).values_list("to_status", flat=True)
    assert {WorkOrderStatus.CONFIRMED, WorkOrderStatus.CHECKED_IN, WorkOrderStatus.CHECKED_OUT} <= set(
        assisted
    )
    assert application.events.filter(on_behalf_of=worker, actor=operator).exists()
    assert re.fullmatch(r"\d{9}", account.card_number)
