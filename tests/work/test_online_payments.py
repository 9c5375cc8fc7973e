"""WeChat Pay v3 and Alipay behind the gateway interface, against local fakes on 127.0.0.1 that sign with RSA
keys generated at test time (tests/work/payment_fakes.py): create → signed callback → settled; forged and
replayed callbacks change nothing; a lost callback is settled by the reconciliation query; 30 concurrent
duplicate requests make one payment (PostgreSQL); refunds end to end. Expected amounts come from the rule
(yuan with 2 places; WeChat Pay counts in fen), never from the code's output."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
from decimal import Decimal
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.utils import timezone

from core.errors import NotFound, NotPermitted
from core.models import AuditLog
from work import services as payments
from work.choices import PaymentBackend, PaymentMethod, PaymentStatus, RefundStatus, WorkOrderStatus
from work.gateways import GatewayUnavailable, order_ref
from work.models import (
    Payment,
    PaymentCallback,
    PaymentEvent,
    Refund,
    RefundEvent,
    RejectedCallbackCount,
    WorkOrderEvent,
)

from ..accounts.factories import UserFactory
from ..jobs.factories import make_employer
from ..jobs.test_concurrency import run_together
from . import payment_fakes
from .test_payments import _seeded_after_flush, approved_order, employer_of  # noqa: F401 (fixture)

WX_URL = "/api/v1/payments/callbacks/wechatpay/"
ALI_URL = "/api/v1/payments/callbacks/alipay/"


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


@pytest.fixture
def wechat(settings, tmp_path):
    fake = payment_fakes.FakeWeChatPay().start()
    payment_fakes.configure(settings, tmp_path, wechat=fake, site="http://testserver")
    yield fake
    fake.stop()


@pytest.fixture
def alipay(settings, tmp_path):
    fake = payment_fakes.FakeAlipay().start()
    payment_fakes.configure(settings, tmp_path, alipay=fake, site="http://testserver")
    yield fake
    fake.stop()


def pay_online(order, backend, key="k-1", actor=None):
    return payments.payment_request(
        work_order=order,
        actor=actor or employer_of(order),
        idempotency_key=key,
        method=PaymentMethod.ONLINE,
        backend=backend,
    )


def open_cashier(payment) -> None:
    """The employer's browser opens the Alipay pay URL (the trade exists at Alipay from then on)."""
    with urllib.request.urlopen(payment.checkout_url, timeout=10) as response:
        assert response.status == 200 and "支付宝收银台" in response.read().decode()


def post_wechat(client, body, headers):
    return client.post(WX_URL, data=body, content_type="application/json", headers=headers)


def post_alipay(client, body):
    return client.post(ALI_URL, data=body, content_type="application/x-www-form-urlencoded")


def assert_settled(payment, order):
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.SUCCEEDED and payment.succeeded_at is not None
    assert order.status == WorkOrderStatus.SETTLED and order.settled_at is not None
    assert list(payment.events.order_by("id").values_list("to_status", flat=True)) == ["pending", "succeeded"]
    assert WorkOrderEvent.objects.filter(work_order=order, to_status=WorkOrderStatus.SETTLED).count() == 1
    assert AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Payment),
        object_id=str(payment.pk),
        after={"status": "succeeded"},
    ).exists()


def snapshot_state(payment):
    payment.refresh_from_db()
    payment.work_order.refresh_from_db()
    return (
        payment.status,
        payment.work_order.status,
        PaymentEvent.objects.count(),
        WorkOrderEvent.objects.count(),
        RefundEvent.objects.count(),
    )


# --- create → signed callback → settled ----------------------------------------------------------------------


@pytest.mark.django_db
def test_wechatpay_native_order_then_signed_callback_settles(wechat, client):
    order = approved_order(amount="220.00")
    payment = pay_online(order, PaymentBackend.WECHATPAY, key="wx-1")
    payment.refresh_from_db()
    # the provider was asked once, authenticated (the fake checks the WECHATPAY2-SHA256-RSA2048 header), for
    # 220.00 yuan = 22000 fen, keyed by our order number from the idempotency key
    assert wechat.creates == 1 and wechat.rejected == 0
    placed = wechat.orders[order_ref("wx-1")]
    assert placed["amount"] == {"total": 22000, "currency": "CNY"}
    assert placed["notify_url"] == "http://testserver" + WX_URL
    assert payment.status == PaymentStatus.PENDING and payment.provider_ref == order_ref("wx-1")
    assert payment.checkout_url == placed["code_url"] and payment.checkout_url.startswith("weixin://")

    paid = wechat.pay(payment.provider_ref)  # the payer scans the code and pays
    body, headers = wechat.paid_notification(payment.provider_ref, event_id="EV-1")
    response = post_wechat(client, body, headers)
    assert response.status_code == 200 and response.json()["code"] == "SUCCESS"
    assert_settled(payment, order)
    payment.refresh_from_db()
    assert payment.provider_txn == paid["transaction_id"]
    callback = PaymentCallback.objects.get()
    assert callback.signature_valid and callback.event_id == "EV-1" and callback.payment == payment


@pytest.mark.django_db
def test_alipay_wap_url_then_signed_notification_settles(alipay, client):
    order = approved_order(amount="220.00")
    payment = pay_online(order, PaymentBackend.ALIPAY, key="ali-1")
    payment.refresh_from_db()
    url = urlsplit(payment.checkout_url)
    assert payment.checkout_url.startswith(alipay.gateway + "?")
    params = dict(parse_qsl(url.query))
    assert alipay.check_request(params)  # signed RSA2 with the app's key
    biz = json.loads(params["biz_content"])
    assert (
        params["method"] == "alipay.trade.wap.pay" and params["notify_url"] == "http://testserver" + ALI_URL
    )
    assert biz["out_trade_no"] == order_ref("ali-1") and biz["total_amount"] == "220.00"
    assert params["return_url"] == f"http://testserver/work/employer/{order.pk}/"

    open_cashier(payment)
    alipay.pay(payment.provider_ref)
    response = post_alipay(client, alipay.notification(payment.provider_ref, notify_id="N-1"))
    assert response.status_code == 200 and response.content == b"success"
    assert_settled(payment, order)
    payment.refresh_from_db()
    assert payment.provider_txn == alipay.orders[payment.provider_ref]["trade_no"]


# --- forged and replayed callbacks change nothing -------------------------------------------------------------


@pytest.mark.django_db
def test_forged_wechatpay_callbacks_change_nothing(wechat, client):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.WECHATPAY)
    wechat.pay(payment.provider_ref)
    before = snapshot_state(payment)
    forger = payment_fakes.new_key()
    body, headers = wechat.paid_notification(payment.provider_ref, key=forger)  # signed with another key
    assert post_wechat(client, body, headers).status_code == 400
    body, headers = wechat.paid_notification(payment.provider_ref)
    tampered = body.replace(b'"summary": "', b'"summary": "x')  # body changed after signing
    assert post_wechat(client, tampered, headers).status_code == 400
    assert post_wechat(client, body, {**headers, "Wechatpay-Serial": "OTHER"}).status_code == 400
    old = str(int(timezone.now().timestamp()) - 3600)
    body, headers = wechat.paid_notification(payment.provider_ref, timestamp=old)  # an hour old
    assert post_wechat(client, body, headers).status_code == 400
    assert post_wechat(client, b"junk", {}).status_code == 400
    assert snapshot_state(payment) == before
    assert before[:2] == (PaymentStatus.PENDING, WorkOrderStatus.APPROVED)
    assert not PaymentCallback.objects.exists()
    assert RejectedCallbackCount.objects.get(backend=PaymentBackend.WECHATPAY).count == 5


@pytest.mark.django_db
def test_forged_alipay_notifications_change_nothing(alipay, client):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.ALIPAY)
    open_cashier(payment)
    alipay.pay(payment.provider_ref)
    before = snapshot_state(payment)
    forged = alipay.notification(payment.provider_ref, key=payment_fakes.new_key())
    response = post_alipay(client, forged)
    assert response.status_code == 400 and response.content == b"fail"
    genuine = alipay.notification(payment.provider_ref)
    assert post_alipay(client, genuine.replace(b"total_amount=", b"total_amount=1")).status_code == 400
    assert post_alipay(client, b"%%%").status_code == 400
    assert snapshot_state(payment) == before and not PaymentCallback.objects.exists()


@pytest.mark.django_db
def test_replayed_wechatpay_callback_is_processed_once(wechat, client):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.WECHATPAY)
    wechat.pay(payment.provider_ref)
    body, headers = wechat.paid_notification(payment.provider_ref, event_id="EV-9")
    assert post_wechat(client, body, headers).status_code == 200
    after_first = snapshot_state(payment)
    second = post_wechat(client, body, headers)
    assert second.status_code == 200 and second.json()["message"] == "duplicate"
    assert snapshot_state(payment) == after_first
    assert PaymentCallback.objects.count() == 1
    assert PaymentEvent.objects.filter(payment=payment, to_status="succeeded").count() == 1


@pytest.mark.django_db
def test_old_callbacks_after_a_refund_change_nothing(alipay, client):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.ALIPAY)
    open_cashier(payment)
    alipay.pay(payment.provider_ref)
    first = alipay.notification(payment.provider_ref, notify_id="N-1")
    assert post_alipay(client, first).content == b"success"
    payments.payment_refund(payment=payment, actor=employer_of(order), idempotency_key="r-1", reason="多付了")
    after_refund = snapshot_state(payment)
    assert after_refund[:2] == (PaymentStatus.REFUNDED, WorkOrderStatus.APPROVED)
    # the same notification again, and a fresh TRADE_SUCCESS one about the same (now refunded) trade
    assert post_alipay(client, first).content == b"success"
    late = alipay.notification(payment.provider_ref, notify_id="N-2")
    assert post_alipay(client, late).content == b"success"
    assert snapshot_state(payment) == after_refund
    assert not Payment.objects.filter(status=PaymentStatus.SUCCEEDED).exists()


# --- a lost callback is settled by the reconciliation query ---------------------------------------------------


@pytest.mark.django_db
def test_lost_wechatpay_callback_is_settled_by_reconciliation(wechat):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.WECHATPAY)
    wechat.pay(payment.provider_ref)  # paid, but the notification never arrives
    assert payments.payment_reconcile()["succeeded"] == 0  # too young to ask about
    counts = payments.payment_reconcile(now=timezone.now() + dt.timedelta(minutes=11))
    assert counts["succeeded"] == 1
    assert_settled(payment, order)
    assert (
        "GET",
        f"/v3/pay/transactions/out-trade-no/{payment.provider_ref}?mchid=1900000109",
    ) in wechat.requests
    # running it again finds nothing to do
    assert payments.payment_reconcile(now=timezone.now() + dt.timedelta(minutes=12))["succeeded"] == 0


@pytest.mark.django_db
def test_lost_alipay_notification_is_settled_by_the_management_command(alipay, capsys):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.ALIPAY)
    open_cashier(payment)
    alipay.pay(payment.provider_ref)
    Payment.objects.filter(pk=payment.pk).update(created_at=timezone.now() - dt.timedelta(minutes=15))
    call_command("payments_reconcile")
    assert "succeeded=1" in capsys.readouterr().out
    assert_settled(payment, order)


@pytest.mark.django_db
def test_unpaid_online_payment_past_the_timeout_is_closed_and_failed(wechat, alipay):
    wx_order, ali_order = approved_order(), approved_order()
    wx = pay_online(wx_order, PaymentBackend.WECHATPAY, key="wx-t")
    ali = pay_online(ali_order, PaymentBackend.ALIPAY, key="ali-t")  # never opened: no trade at Alipay
    later = timezone.now() + dt.timedelta(minutes=31)
    assert payments.payment_expire_stale(now=later) == 2
    wx.refresh_from_db()
    ali.refresh_from_db()
    assert wx.status == ali.status == PaymentStatus.FAILED
    assert wechat.orders[wx.provider_ref]["trade_state"] == "CLOSED"
    wx_order.refresh_from_db()
    assert wx_order.status == WorkOrderStatus.APPROVED  # may be paid again with a new key
    again = pay_online(wx_order, PaymentBackend.WECHATPAY, key="wx-t2")
    assert again.pk != wx.pk and again.status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_reconciliation_task_is_seeded_and_runs():
    from django_celery_beat.models import PeriodicTask

    from work.tasks import payment_reconcile_task

    assert PeriodicTask.objects.filter(task="work.tasks.payment_reconcile_task", enabled=True).exists()
    assert payment_reconcile_task.run() == {
        "succeeded": 0,
        "failed": 0,
        "pending": 0,
        "refunds": 0,
        "errors": 0,
    }


@pytest.mark.django_db
def test_employer_query_button_settles_a_paid_order(wechat, client_as):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.WECHATPAY)
    wechat.pay(payment.provider_ref)
    response = client_as(employer_of(order)).post(f"/work/employer/{order.pk}/payments/{payment.pk}/sync/")
    assert response.status_code == 302
    assert_settled(payment, order)


# --- idempotency and provider errors ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("backend", [PaymentBackend.WECHATPAY, PaymentBackend.ALIPAY])
def test_replayed_online_request_returns_the_same_payment(backend, wechat, alipay):
    order = approved_order()
    first = pay_online(order, backend, key="same")
    replay = pay_online(order, backend, key="same")
    assert replay.replayed and replay.pk == first.pk and Payment.objects.count() == 1
    if backend == PaymentBackend.WECHATPAY:
        assert wechat.creates == 1


@pytest.mark.django_db
def test_provider_refusing_the_merchant_signature_stores_nothing(wechat, settings, tmp_path):
    # the deployment's private key is not the one registered with the provider: it answers 401 SIGN_ERROR
    wrong = payment_fakes.write_keys(
        tmp_path / "..", other=payment_fakes.private_pem(payment_fakes.new_key())
    )
    settings.LINGONG_WECHATPAY_PRIVATE_KEY_PATH = wrong["other"]
    from work.gateways import wechatpay

    wechatpay._client_for.cache_clear()
    order = approved_order()
    with pytest.raises(GatewayUnavailable) as exc:
        pay_online(order, PaymentBackend.WECHATPAY)
    assert exc.value.status == 503 and wechat.rejected == 1
    assert not Payment.objects.exists() and not PaymentEvent.objects.exists()
    order.refresh_from_db()
    assert order.status == WorkOrderStatus.APPROVED


@pytest.mark.django_db
def test_api_answers_a_provider_outage_in_the_one_error_shape(wechat, api_as):
    wechat.stop()
    order = approved_order()
    response = api_as(employer_of(order)).post(
        "/api/v1/payments/",
        {"work_order": order.pk, "method": "online", "backend": "wechatpay"},
        format="json",
        headers={"Idempotency-Key": "k-down"},
    )
    assert response.status_code == 503 and response.json()["code"] == "gateway_unavailable"
    assert not Payment.objects.exists()


# --- refunds ---------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_wechatpay_refund_end_to_end_through_its_notification(wechat, client):
    order = approved_order(amount="180.50")
    payment = pay_online(order, PaymentBackend.WECHATPAY)
    wechat.pay(payment.provider_ref)
    post_wechat(client, *wechat.paid_notification(payment.provider_ref))
    assert_settled(payment, order)
    employer = employer_of(order)

    refund = payments.payment_refund(
        payment=payment, actor=employer, idempotency_key="rf-1", reason="重复付款"
    )
    refund.refresh_from_db()
    sent = wechat.refunds[refund.provider_ref]
    assert sent["amount"] == {"refund": 18050, "total": 18050, "currency": "CNY"}  # 180.50 yuan in fen
    assert sent["out_trade_no"] == payment.provider_ref
    assert refund.status == RefundStatus.PENDING and refund.amount == Decimal("180.50")  # WeChat: PROCESSING
    assert payments.payment_refund(
        payment=payment, actor=employer, idempotency_key="rf-1", reason="重复付款"
    ).replayed
    assert len(wechat.refunds) == 1 and Refund.objects.count() == 1

    wechat.finish_refund(refund.provider_ref)
    response = post_wechat(client, *wechat.refund_notification(refund.provider_ref))
    assert response.status_code == 200
    refund.refresh_from_db()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.succeeded_at is not None
    assert payment.status == PaymentStatus.REFUNDED
    assert order.status == WorkOrderStatus.APPROVED and order.settled_at is None  # owed again
    assert list(refund.events.order_by("id").values_list("to_status", flat=True)) == ["pending", "succeeded"]
    assert (
        WorkOrderEvent.objects.filter(work_order=order, from_status="settled", to_status="approved").count()
        == 1
    )
    assert (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Refund), object_id=str(refund.pk)
        ).count()
        >= 2
    )  # created, succeeded
    # the order can be paid again, with a new key
    assert pay_online(order, PaymentBackend.WECHATPAY, key="k-again").status == PaymentStatus.PENDING


@pytest.mark.django_db
def test_wechatpay_refund_without_notification_is_settled_by_reconciliation(wechat, client):
    order = approved_order()
    payment = pay_online(order, PaymentBackend.WECHATPAY)
    wechat.pay(payment.provider_ref)
    post_wechat(client, *wechat.paid_notification(payment.provider_ref))
    refund = payments.payment_refund(
        payment=payment, actor=employer_of(order), idempotency_key="r", reason="取消"
    )
    wechat.finish_refund(refund.provider_ref)
    assert payments.payment_reconcile(now=timezone.now() + dt.timedelta(minutes=1))["refunds"] == 1
    refund.refresh_from_db()
    payment.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and payment.status == PaymentStatus.REFUNDED


@pytest.mark.django_db
def test_alipay_refund_through_the_api_by_county_staff(alipay, client, api_as, officer):
    order = approved_order(unit=officer.scope_unit)
    payment = pay_online(order, PaymentBackend.ALIPAY)
    open_cashier(payment)
    alipay.pay(payment.provider_ref)
    post_alipay(client, alipay.notification(payment.provider_ref))
    url = f"/api/v1/payments/{payment.pk}/refund/"
    # the worker may see the payment but not refund it; nobody else sees it
    assert (
        api_as(order.worker)
        .post(url, {"reason": "退款"}, format="json", headers={"Idempotency-Key": "x"})
        .status_code
        == 403
    )
    outsider = make_employer(unit=officer.scope_unit).user
    assert (
        api_as(outsider)
        .post(url, {"reason": "退款"}, format="json", headers={"Idempotency-Key": "x"})
        .status_code
        == 404
    )
    bad = api_as(officer).post(url, {"reason": ""}, format="json", headers={"Idempotency-Key": "x"})
    assert bad.status_code == 400 and "reason" in bad.json()["fields"]
    response = api_as(officer).post(
        url, {"reason": "用工方申请退款"}, format="json", headers={"Idempotency-Key": "rk"}
    )
    assert response.status_code == 201 and response.json()["status"] == "succeeded"
    replay = api_as(officer).post(
        url, {"reason": "用工方申请退款"}, format="json", headers={"Idempotency-Key": "rk"}
    )
    assert replay.status_code == 200 and replay.json()["id"] == response.json()["id"]
    refund = Refund.objects.get()
    assert alipay.refunds[refund.provider_ref]["refund_amount"] == str(payment.amount)
    payment.refresh_from_db()
    order.refresh_from_db()
    assert payment.status == PaymentStatus.REFUNDED and order.status == WorkOrderStatus.APPROVED
    assert refund.requested_by == officer
    again = api_as(officer).post(
        url, {"reason": "再退一次"}, format="json", headers={"Idempotency-Key": "rk2"}
    )
    assert again.status_code == 409 and Refund.objects.count() == 1


@pytest.mark.django_db
def test_refund_refused_for_offline_and_for_other_people(wechat):
    order = approved_order()
    offline = payments.payment_request(
        work_order=order, actor=employer_of(order), idempotency_key="off", method="cash", backend="offline"
    )
    payments.payment_record_offline(payment=offline, actor=employer_of(order))
    with pytest.raises(Exception) as exc:
        payments.payment_refund(payment=offline, actor=employer_of(order), idempotency_key="r", reason="退款")
    assert exc.value.code == "invalid_transition"
    with pytest.raises(NotPermitted):
        payments.payment_refund(payment=offline, actor=order.worker, idempotency_key="r2", reason="退款")
    with pytest.raises(NotFound):
        payments.payment_refund(payment=offline, actor=UserFactory(), idempotency_key="r3", reason="退款")
    assert not Refund.objects.exists()


# --- concurrency (PostgreSQL) ----------------------------------------------------------------------------------

DUPLICATES = 30


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("backend", [PaymentBackend.WECHATPAY, PaymentBackend.ALIPAY])
def test_concurrent_duplicate_online_requests_make_one_payment(
    backend,
    postgres,
    _seeded_after_flush,  # noqa: F811
    settings,
    tmp_path,
):
    wechat = payment_fakes.FakeWeChatPay().start()
    alipay = payment_fakes.FakeAlipay().start()
    payment_fakes.configure(settings, tmp_path, wechat=wechat, alipay=alipay, site="http://testserver")
    try:
        order = approved_order()
        employer = employer_of(order)
        results = run_together(lambda i: pay_online(order, backend, key="dup", actor=employer).pk, DUPLICATES)
        assert not [r for r in results if isinstance(r, Exception)], results
        assert len(set(results)) == 1
        payment = Payment.objects.get()
        assert payment.status == PaymentStatus.PENDING and payment.provider_ref == order_ref("dup")
        assert PaymentEvent.objects.filter(payment=payment).count() == 1
        if backend == PaymentBackend.WECHATPAY:
            assert wechat.creates == 1  # the provider's order was made once
        # and 30 different keys for the same order still make one live payment
        results = run_together(lambda i: _try(order, backend, f"k{i}", employer), DUPLICATES)
        assert Payment.objects.count() == 1
        assert all(r in ("payment_exists", payment.pk) for r in results), results
    finally:
        wechat.stop()
        alipay.stop()


def _try(order, backend, key, actor):
    try:
        return pay_online(order, backend, key=key, actor=actor).pk
    except Exception as exc:  # DomainError payment_exists
        return getattr(exc, "code", repr(exc))


@pytest.mark.django_db
def test_admin_refund_action_calls_the_service_in_scope_only(alipay, client, client_as, officer, officer_b):
    order = approved_order(unit=officer.scope_unit)
    payment = pay_online(order, PaymentBackend.ALIPAY)
    open_cashier(payment)
    alipay.pay(payment.provider_ref)
    post_alipay(client, alipay.notification(payment.provider_ref))
    # another county's officer does not even see the payment: nothing happens
    client_as(officer_b).post(
        "/admin/work/payment/", {"action": "refund_payments", "_selected_action": [payment.pk]}
    )
    assert not Refund.objects.exists()
    client_as(officer).post(
        "/admin/work/payment/", {"action": "refund_payments", "_selected_action": [payment.pk]}
    )
    refund = Refund.objects.get()
    payment.refresh_from_db()
    order.refresh_from_db()
    assert refund.status == RefundStatus.SUCCEEDED and refund.requested_by == officer
    assert payment.status == PaymentStatus.REFUNDED and order.status == WorkOrderStatus.APPROVED
    assert AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Refund), object_id=str(refund.pk), actor=officer
    ).exists()
    # a second try is refused (the payment is refunded) and writes nothing
    client_as(officer).post(
        "/admin/work/payment/", {"action": "refund_payments", "_selected_action": [payment.pk]}
    )
    assert Refund.objects.count() == 1
