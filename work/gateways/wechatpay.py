"""WeChat Pay API v3 (微信支付) through ``wechatpayv3``: Native orders (the pay page shows ``code_url`` as a
QR code the payer scans), signed callbacks verified with the platform public key (微信支付公钥, its id in
``Wechatpay-Serial``) and decrypted with the APIv3 key, order queries, closing, refunds and refund queries.

Every request carries ``Authorization: WECHATPAY2-SHA256-RSA2048 mchid=…,nonce_str=…,signature=…,
timestamp=…,serial_no=…`` signed with the merchant's API private key, and every answer is checked against the
platform public key (the library does both). The API host is ``LINGONG_WECHATPAY_API_BASE`` (a fake on
127.0.0.1 in the tests). Only public-key mode is used: the library's certificate download is never
triggered, because a callback whose serial is not our public key id is refused before it is read."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import PaymentBackend, PaymentStatus, RefundStatus
from .base import (
    SIGNATURE_TOLERANCE_SECONDS,
    CallbackData,
    GatewayUnavailable,
    ProviderState,
    fen,
    order_ref,
    read_key,
)

logger = logging.getLogger(__name__)

TRADE_STATES = {
    "SUCCESS": PaymentStatus.SUCCEEDED,
    "CLOSED": PaymentStatus.FAILED,
    "REVOKED": PaymentStatus.FAILED,
    "PAYERROR": PaymentStatus.FAILED,
    "REFUND": PaymentStatus.SUCCEEDED,  # paid, then (partly) refunded at the provider
}
REFUND_STATES = {
    "SUCCESS": RefundStatus.SUCCEEDED,
    "CLOSED": RefundStatus.FAILED,
    "ABNORMAL": RefundStatus.FAILED,
}


def notify_url() -> str:
    return settings.LINGONG_WECHATPAY_NOTIFY_URL or (
        settings.LINGONG_PAYMENT_SITE_URL.rstrip("/") + reverse("api:payment-callback-wechatpay")
    )


@lru_cache(maxsize=4)
def _client_for(config: tuple):
    from wechatpayv3 import WeChatPay, WeChatPayType

    api_base, mchid, appid, serial, key_path, apiv3_key, pub_path, pub_id, notify, timeout = config
    client = WeChatPay(
        wechatpay_type=WeChatPayType.NATIVE,
        mchid=mchid,
        private_key=read_key(key_path),
        cert_serial_no=serial,
        appid=appid,
        apiv3_key=apiv3_key,
        notify_url=notify,
        public_key=read_key(pub_path),
        public_key_id=pub_id,
        timeout=(5, timeout),
    )
    # The library's host is a constant; the deployment's (or the test fake's) is a setting.
    client._core._gate_way = api_base.rstrip("/")
    return client


def client():
    s = settings
    if not (
        s.LINGONG_WECHATPAY_MCHID and s.LINGONG_WECHATPAY_APIV3_KEY and s.LINGONG_WECHATPAY_PUBLIC_KEY_ID
    ):
        raise GatewayUnavailable(_("微信支付未配置。"), code="gateway_not_configured")
    return _client_for(
        (
            s.LINGONG_WECHATPAY_API_BASE,
            s.LINGONG_WECHATPAY_MCHID,
            s.LINGONG_WECHATPAY_APPID,
            s.LINGONG_WECHATPAY_CERT_SERIAL_NO,
            s.LINGONG_WECHATPAY_PRIVATE_KEY_PATH,
            s.LINGONG_WECHATPAY_APIV3_KEY,
            s.LINGONG_WECHATPAY_PUBLIC_KEY_PATH,
            s.LINGONG_WECHATPAY_PUBLIC_KEY_ID,
            notify_url(),
            s.LINGONG_PAYMENT_HTTP_TIMEOUT,
        )
    )


def _call(what: str, fn, *args, **kwargs) -> tuple[int, dict]:
    """One request to the provider: (HTTP status, JSON answer). Network errors, answers whose signature does
    not verify and non-JSON answers are ``GatewayUnavailable``."""
    try:
        code, text = fn(*args, **kwargs)
    except GatewayUnavailable:
        raise
    except Exception as exc:  # requests' errors, the library's "failed to verify the signature"
        logger.warning("wechatpay %s failed: %s", what, exc)
        raise GatewayUnavailable() from exc
    try:
        data = json.loads(text) if text else {}
    except (TypeError, ValueError):
        data = {}
    return code, data if isinstance(data, dict) else {}


def _refused(data: dict) -> GatewayUnavailable:
    message = str(data.get("message") or data.get("code") or "")[:200]
    return GatewayUnavailable(
        _("微信支付拒绝了请求：%(m)s") % {"m": message} if message else None, code="gateway_refused"
    )


class WeChatPayGateway:
    """WeChat Pay v3, Native pay."""

    backend = PaymentBackend.WECHATPAY

    def start(self, payment, *, idempotency_key: str) -> None:
        out_trade_no = order_ref(idempotency_key)
        expire = timezone.localtime() + dt.timedelta(minutes=settings.LINGONG_SANDBOX_TIMEOUT_MINUTES)
        wx = client()
        code, data = _call(
            "pay",
            wx.pay,
            description=(_("劳务费") + f" #{payment.work_order_id}")[:100],
            out_trade_no=out_trade_no,
            amount={"total": fen(payment.amount), "currency": "CNY"},
            time_expire=expire.isoformat(timespec="seconds"),
        )
        if code != 200 or not str(data.get("code_url", "")):
            raise _refused(data)
        payment.provider_ref = out_trade_no
        payment.checkout_url = str(data["code_url"])[:2000]
        payment.save(update_fields=["provider_ref", "checkout_url", "updated_at"])

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
        h = {str(k).lower(): str(v) for k, v in headers.items()}
        if h.get("wechatpay-serial", "") != settings.LINGONG_WECHATPAY_PUBLIC_KEY_ID or not h.get(
            "wechatpay-serial"
        ):
            return None
        timestamp = h.get("wechatpay-timestamp", "")
        if not (timestamp.isascii() and timestamp.isdigit()):
            return None
        if abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
            return None
        try:
            data = client().callback(h, body.decode("utf-8"))
            if not data:
                return None
            resource = data["resource"]
            event_type = str(data["event_type"])
            if resource.get("mchid", settings.LINGONG_WECHATPAY_MCHID) != settings.LINGONG_WECHATPAY_MCHID:
                return None
            if event_type.startswith("REFUND."):
                state = REFUND_STATES.get(str(resource.get("refund_status")), RefundStatus.PENDING)
                return CallbackData(
                    event_id=str(data["id"])[:64],
                    provider_ref=str(resource["out_trade_no"]),
                    refund_ref=str(resource["out_refund_no"]),
                    succeeded=state == RefundStatus.SUCCEEDED,
                    pending=state == RefundStatus.PENDING,
                    amount=Decimal(int(resource["amount"]["refund"])) / 100,
                    reason=str(resource.get("refund_status", ""))[:300],
                    raw=data,
                )
            if resource.get("appid", settings.LINGONG_WECHATPAY_APPID) != settings.LINGONG_WECHATPAY_APPID:
                return None
            state = TRADE_STATES.get(str(resource.get("trade_state")), PaymentStatus.PENDING)
            return CallbackData(
                event_id=str(data["id"])[:64],
                provider_ref=str(resource["out_trade_no"]),
                provider_txn=str(resource.get("transaction_id", ""))[:64],
                succeeded=state == PaymentStatus.SUCCEEDED,
                pending=state == PaymentStatus.PENDING,
                amount=Decimal(int(resource["amount"]["total"])) / 100,
                reason=str(resource.get("trade_state_desc", ""))[:300],
                raw=data,
            )
        except Exception:  # a bad signature, undecryptable resource or a body of the wrong shape
            return None

    def query(self, payment) -> ProviderState | None:
        code, data = _call("query", client().query, out_trade_no=payment.provider_ref)
        if code == 404 or data.get("code") == "ORDER_NOT_EXIST":
            return ProviderState(status=PaymentStatus.FAILED, reason=_("微信支付没有这笔订单"))
        if code != 200:
            raise _refused(data)
        state = TRADE_STATES.get(str(data.get("trade_state")), PaymentStatus.PENDING)
        amount = (data.get("amount") or {}).get("total")
        return ProviderState(
            status=state,
            amount=Decimal(int(amount)) / 100 if amount is not None else None,
            provider_txn=str(data.get("transaction_id", ""))[:64],
            reason=str(data.get("trade_state_desc", ""))[:300],
        )

    def close(self, payment) -> None:
        code, data = _call("close", client().close, out_trade_no=payment.provider_ref)
        if code not in (200, 204):
            raise _refused(data)

    def refund(self, payment, refund) -> ProviderState:
        code, data = _call(
            "refund",
            client().refund,
            out_refund_no=refund.provider_ref,
            out_trade_no=payment.provider_ref,
            amount={"refund": fen(refund.amount), "total": fen(payment.amount), "currency": "CNY"},
            reason=refund.reason[:80],
        )
        if code != 200:
            raise _refused(data)
        return ProviderState(
            status=REFUND_STATES.get(str(data.get("status")), RefundStatus.PENDING),
            provider_txn=str(data.get("refund_id", ""))[:64],
        )

    def query_refund(self, payment, refund) -> ProviderState | None:
        code, data = _call("query_refund", client().query_refund, out_refund_no=refund.provider_ref)
        if code != 200:
            raise _refused(data)
        return ProviderState(status=REFUND_STATES.get(str(data.get("status")), RefundStatus.PENDING))
