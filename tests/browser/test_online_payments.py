"""The employer pays online and refunds, in headless Chromium at 360×640, starting at `/` and clicking only:
through Alipay (the fake's cashier page on 127.0.0.1 posts the signed notification back and returns the
browser to the order) and through WeChat Pay (the page shows the Native code as an inline QR code; the payer
pays on their phone — the fake marks it paid — and 我已付款，查询支付结果 asks the provider). The stored state
is asserted at the end of each."""

from __future__ import annotations

import pytest

from work.choices import PaymentBackend, PaymentStatus, RefundStatus, WorkOrderStatus
from work.models import Payment, PaymentCallback, Refund

from ..work import payment_fakes
from ..work.test_payments import approved_order, employer_of
from .test_journeys import Person, jobs_seed  # noqa: F401 (fixture)


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


def login_and_open_order_to_pay(boss: Person, employer) -> None:
    page = boss.page
    page.goto(boss.url + "/")
    boss.look("home")
    boss.click('a:has-text("登录")', "login")
    page.fill("#id_username", employer.phone)
    page.fill("#id_password", "pass-word-123")
    boss.click("main button[type=submit]", "logged-in")
    boss.nav("付款")
    boss.click('a:has-text("去付款")', "order-to-pay")
    boss.click("#pay-form button[type=submit]", "paid-online")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_employer_pays_with_alipay_and_refunds(chromium, live_server, jobs_seed, settings, tmp_path):  # noqa: F811
    fake = payment_fakes.FakeAlipay().start()
    try:
        payment_fakes.configure(settings, tmp_path, alipay=fake, site=live_server.url)
        settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.ALIPAY
        order = approved_order(amount="260.00")
        employer = employer_of(order)
        boss = Person(chromium, live_server.url, "employer-alipay", js=True)
        login_and_open_order_to_pay(boss, employer)
        assert "前往支付宝付款" in boss.page.content()
        boss.click("#checkout-link", "alipay-cashier")
        assert "支付宝收银台" in boss.page.content() and "¥260.00" in boss.page.content()
        boss.click("#alipay-pay", "back-from-alipay")  # Alipay notifies the site, then sends the browser back
        assert boss.page.url.startswith(f"{live_server.url}/work/employer/{order.pk}/")
        payment = Payment.objects.get()
        order.refresh_from_db()
        assert payment.status == PaymentStatus.SUCCEEDED and payment.backend == PaymentBackend.ALIPAY
        assert order.status == WorkOrderStatus.SETTLED
        assert PaymentCallback.objects.get().signature_valid

        # --- the employer refunds it (paid twice by mistake, say) ---
        boss.page.reload()
        boss.page.click("#refund summary")
        boss.page.fill("#id_reason", "已用现金另付，退回线上款")
        boss.click("#refund-form button[type=submit]", "refunded")
        assert "已退款" in boss.message()
        refund = Refund.objects.get()
        payment.refresh_from_db()
        order.refresh_from_db()
        assert refund.status == RefundStatus.SUCCEEDED and refund.amount == 260
        assert refund.reason == "已用现金另付，退回线上款" and refund.requested_by == employer
        assert fake.refunds[refund.provider_ref]["refund_amount"] == "260.00"
        assert payment.status == PaymentStatus.REFUNDED
        assert order.status == WorkOrderStatus.APPROVED and order.settled_at is None
        boss.context.close()
    finally:
        fake.stop()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_employer_pays_with_wechatpay_qr_and_queries_the_result(
    chromium,
    live_server,
    jobs_seed,  # noqa: F811
    settings,
    tmp_path,
):
    fake = payment_fakes.FakeWeChatPay().start()
    try:
        payment_fakes.configure(settings, tmp_path, wechat=fake, site=live_server.url)
        settings.LINGONG_PAYMENT_BACKEND = PaymentBackend.WECHATPAY
        order = approved_order(amount="199.90")
        boss = Person(chromium, live_server.url, "employer-wechat", js=False)
        login_and_open_order_to_pay(boss, employer_of(order))
        assert boss.page.locator(".qr-box svg").count() == 1  # drawn on the server, no script, no CDN
        payment = Payment.objects.get()
        assert fake.orders[payment.provider_ref]["amount"]["total"] == 19990  # 199.90 yuan in fen
        fake.pay(payment.provider_ref)  # the payer scans and pays on their phone; the notification is late
        boss.click("#sync-form button", "queried")
        assert "支付成功" in boss.message()
        payment.refresh_from_db()
        order.refresh_from_db()
        assert payment.status == PaymentStatus.SUCCEEDED and payment.provider_txn
        assert order.status == WorkOrderStatus.SETTLED
        boss.context.close()
    finally:
        fake.stop()
