"""Alipay (支付宝) through ``python-alipay-sdk``: a signed mobile-website (``alipay.trade.wap.pay``) or
computer-website (``alipay.trade.page.pay``) pay URL the employer opens, asynchronous notifications verified
RSA2 (SHA256withRSA) over the sorted parameters with the Alipay public key, trade queries, closing, refunds
and refund queries. The gateway host is ``LINGONG_ALIPAY_GATEWAY`` (a fake on 127.0.0.1 in the tests)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from urllib.parse import parse_qsl

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ..choices import PaymentBackend, PaymentStatus, RefundStatus
from .base import CallbackData, GatewayUnavailable, ProviderState, order_ref, read_key

logger = logging.getLogger(__name__)

TRADE_STATES = {
    "TRADE_SUCCESS": PaymentStatus.SUCCEEDED,
    "TRADE_FINISHED": PaymentStatus.SUCCEEDED,
    "TRADE_CLOSED": PaymentStatus.FAILED,
    "WAIT_BUYER_PAY": PaymentStatus.PENDING,
}
OK = "10000"


def notify_url() -> str:
    return settings.LINGONG_ALIPAY_NOTIFY_URL or (
        settings.LINGONG_PAYMENT_SITE_URL.rstrip("/") + reverse("api:payment-callback-alipay")
    )


@lru_cache(maxsize=4)
def _client_for(config: tuple):
    from alipay import AliPay
    from alipay.utils import AliPayConfig

    gateway, appid, key_path, pub_path, notify, timeout = config
    client = AliPay(
        appid=appid,
        app_notify_url=notify,
        app_private_key_string=read_key(key_path),
        alipay_public_key_string=read_key(pub_path),
        sign_type="RSA2",
        config=AliPayConfig(timeout=timeout),
    )
    client._gateway = gateway  # the library's host is a constant; ours is a setting
    return client


def client():
    s = settings
    if not s.LINGONG_ALIPAY_APPID:
        raise GatewayUnavailable(_("支付宝未配置。"), code="gateway_not_configured")
    return _client_for(
        (
            s.LINGONG_ALIPAY_GATEWAY,
            s.LINGONG_ALIPAY_APPID,
            s.LINGONG_ALIPAY_APP_PRIVATE_KEY_PATH,
            s.LINGONG_ALIPAY_PUBLIC_KEY_PATH,
            notify_url(),
            s.LINGONG_PAYMENT_HTTP_TIMEOUT,
        )
    )


def _call(what: str, fn, **kwargs) -> dict:
    """One server API call: the verified ``…_response`` object. Network errors and answers whose signature
    does not verify are ``GatewayUnavailable``; business errors come back with their ``code``."""
    try:
        data = fn(**kwargs)
    except GatewayUnavailable:
        raise
    except Exception as exc:  # URLError, AliPayException, AliPayValidationError
        logger.warning("alipay %s failed: %s", what, exc)
        raise GatewayUnavailable() from exc
    return data if isinstance(data, dict) else {}


def _refused(data: dict) -> GatewayUnavailable:
    message = str(data.get("sub_msg") or data.get("msg") or data.get("code") or "")[:200]
    return GatewayUnavailable(
        _("支付宝拒绝了请求：%(m)s") % {"m": message} if message else None, code="gateway_refused"
    )


def _amount(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        return None


class AlipayGateway:
    """Alipay, wap pay (or page pay, ``LINGONG_ALIPAY_TRADE_TYPE``)."""

    backend = PaymentBackend.ALIPAY

    def start(self, payment, *, idempotency_key: str) -> None:
        out_trade_no = order_ref(idempotency_key)
        expire = timezone.localtime() + dt.timedelta(minutes=settings.LINGONG_SANDBOX_TIMEOUT_MINUTES)
        ali = client()
        pay = ali.api_alipay_trade_page_pay if settings.LINGONG_ALIPAY_TRADE_TYPE == "page" else None
        pay = pay or ali.api_alipay_trade_wap_pay
        return_url = settings.LINGONG_PAYMENT_SITE_URL.rstrip("/") + reverse(
            "work:employer_order", args=[payment.work_order_id]
        )
        query = pay(
            subject=(_("劳务费") + f" #{payment.work_order_id}")[:100],
            out_trade_no=out_trade_no,
            total_amount=str(payment.amount),
            return_url=return_url,
            time_expire=expire.strftime("%Y-%m-%d %H:%M:%S"),
        )
        payment.provider_ref = out_trade_no
        payment.checkout_url = settings.LINGONG_ALIPAY_GATEWAY + "?" + query
        payment.save(update_fields=["provider_ref", "checkout_url", "updated_at"])

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
        try:
            params = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True))
            signature = params.pop("sign", "")
            if not signature or params.get("sign_type", "RSA2") != "RSA2":
                return None
            raw = dict(params)
            if not client().verify(params, signature):
                return None
            if raw.get("app_id") != settings.LINGONG_ALIPAY_APPID or not raw.get("notify_id"):
                return None
            state = TRADE_STATES.get(raw.get("trade_status", ""), PaymentStatus.PENDING)
            return CallbackData(
                event_id=raw["notify_id"][:64],
                provider_ref=raw["out_trade_no"],
                provider_txn=raw.get("trade_no", "")[:64],
                succeeded=state == PaymentStatus.SUCCEEDED,
                pending=state == PaymentStatus.PENDING,
                amount=_amount(raw.get("total_amount")),
                reason=raw.get("trade_status", "")[:300],
                raw=raw,
            )
        except Exception:  # bad encoding, bad base64, missing fields, an unknown sign type
            return None

    def query(self, payment) -> ProviderState | None:
        data = _call("query", client().api_alipay_trade_query, out_trade_no=payment.provider_ref)
        if data.get("sub_code") == "ACQ.TRADE_NOT_EXIST":
            # a wap/page trade exists at Alipay only once the payer opened the cashier
            return ProviderState(status=PaymentStatus.PENDING)
        if data.get("code") != OK:
            raise _refused(data)
        return ProviderState(
            status=TRADE_STATES.get(str(data.get("trade_status")), PaymentStatus.PENDING),
            amount=_amount(data.get("total_amount")),
            provider_txn=str(data.get("trade_no", ""))[:64],
            reason=str(data.get("trade_status", "")),
        )

    def close(self, payment) -> None:
        data = _call("close", client().api_alipay_trade_close, out_trade_no=payment.provider_ref)
        if data.get("code") != OK and data.get("sub_code") != "ACQ.TRADE_NOT_EXIST":
            raise _refused(data)

    def refund(self, payment, refund) -> ProviderState:
        data = _call(
            "refund",
            client().api_alipay_trade_refund,
            refund_amount=str(refund.amount),
            out_trade_no=payment.provider_ref,
            out_request_no=refund.provider_ref,
            refund_reason=refund.reason[:80],
        )
        if data.get("code") != OK:
            raise _refused(data)
        if data.get("fund_change") == "Y":
            return ProviderState(status=RefundStatus.SUCCEEDED, provider_txn=str(data.get("trade_no", "")))
        # "N": this out_request_no was refunded before (a retry) or is still processing: ask.
        return self.query_refund(payment, refund) or ProviderState(status=RefundStatus.PENDING)

    def query_refund(self, payment, refund) -> ProviderState | None:
        data = _call(
            "query_refund",
            client().api_alipay_trade_fastpay_refund_query,
            out_request_no=refund.provider_ref,
            out_trade_no=payment.provider_ref,
        )
        if data.get("code") != OK:
            raise _refused(data)
        if data.get("refund_status") == "REFUND_SUCCESS":
            return ProviderState(status=RefundStatus.SUCCEEDED, amount=_amount(data.get("refund_amount")))
        return ProviderState(status=RefundStatus.PENDING)
