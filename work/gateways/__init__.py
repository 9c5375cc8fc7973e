"""Settlement and payment of labor fees (线上劳务费支付): one gateway interface, the services that move a
payment along PAYMENT_TRANSITIONS, and the wage-arrears scan.

Gateways
--------
A backend implements ``Gateway``: ``start(payment)`` hands a new (pending) payment to the provider, and
``verify_callback(body, headers)`` authenticates a provider's asynchronous notification and reads it.

- ``OfflineGateway`` (the default): the employer pays outside the platform (cash, bank, WeChat, Alipay
  transfer) and records it (``payment_record_offline``): the payment succeeded. The work order is settled
  only when the worker confirms receipt (``payment_confirm_receipt``). It never receives callbacks.
- ``SandboxGateway``: behaves like an online provider. ``start`` leaves the payment pending and, on commit,
  a Celery task sends an HMAC-SHA256-signed callback (headers ``X-Sandbox-Timestamp`` and
  ``X-Sandbox-Signature`` over ``"<timestamp>.<body>"`` with ``LINGONG_SANDBOX_PAYMENT_SECRET``) to
  ``/api/v1/payments/callbacks/sandbox/``. Deterministic outcomes for tests and demos: an amount whose
  cents are .13 fails, .14 times out (never calls back; ``payment_expire_stale`` fails it after
  ``LINGONG_SANDBOX_TIMEOUT_MINUTES``), anything else succeeds. In eager mode, or with no
  ``LINGONG_SANDBOX_CALLBACK_URL``, the task calls ``payment_callback`` directly instead of HTTP.
- ``WeChatPayGateway`` (``work.gateways.wechatpay``, on ``wechatpayv3``): a Native order whose ``code_url``
  the pay page shows as a QR code; callbacks are checked against the platform public key
  (Wechatpay-Signature/-Timestamp/-Nonce/-Serial, RSA-SHA256) and their resource decrypted with the APIv3 key
  (AES-256-GCM). ``AlipayGateway`` (``work.gateways.alipay``, on ``python-alipay-sdk``): a signed wap or page
  pay URL the employer opens; callbacks are form posts signed RSA2 over the sorted parameters. Both answer
  ``query`` (reconciliation of a payment whose callback never came), ``close`` and ``refund`` /
  ``query_refund``. Hosts, merchant ids and key paths are settings (README). ADR 0018.

Idempotency
-----------
Every attempt carries a unique idempotency key, handed to the gateway (``start(payment, idempotency_key=…)``)
so that the provider's order is keyed by it too: a replayed request returns the same payment (unique key,
the partial unique constraint ``payment_one_live_per_order``, and the work order row locked). A callback's
event id is processed once (unique constraint ``callback_once_per_event``, the work order and payment rows
locked). Locks are always taken work order first, then payment.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.queue import enqueue

from ..choices import PaymentBackend, PaymentMethod, PaymentStatus, RefundStatus
from .alipay import AlipayGateway
from .base import CallbackData, Gateway, GatewayUnavailable, ProviderState, order_ref, refund_ref
from .wechatpay import WeChatPayGateway

__all__ = [
    "GATEWAYS",
    "AlipayGateway",
    "CallbackData",
    "Gateway",
    "GatewayUnavailable",
    "OfflineGateway",
    "ProviderState",
    "SandboxGateway",
    "WeChatPayGateway",
    "gateway_for",
    "order_ref",
    "refund_ref",
]

OFFLINE_METHODS = frozenset(
    {PaymentMethod.CASH, PaymentMethod.BANK, PaymentMethod.WECHAT, PaymentMethod.ALIPAY}
)
OFFLINE_METHOD_CHOICES = [(m.value, m.label) for m in PaymentMethod if m in OFFLINE_METHODS]
SIGNATURE_HEADER = "x-sandbox-signature"
TIMESTAMP_HEADER = "x-sandbox-timestamp"
SIGNATURE_TOLERANCE_SECONDS = 300
SANDBOX_FAIL_CENTS = 13
SANDBOX_TIMEOUT_CENTS = 14


# --- the gateway interface ----------------------------------------------------------------------------------


class OfflineGateway:
    """Offline transfer recorded by the employer and confirmed by the worker. No provider, no callbacks."""

    backend = PaymentBackend.OFFLINE

    def start(self, payment, *, idempotency_key: str) -> None:
        return None

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
        return None

    def query(self, payment) -> ProviderState | None:
        return None

    def close(self, payment) -> None:
        return None

    def refund(self, payment, refund) -> ProviderState:
        raise DomainError(_("线下转账不能在平台退款，请与劳动者线下协商。"), code="not_online")

    def query_refund(self, payment, refund) -> ProviderState | None:
        return None


def _secret() -> bytes:
    return settings.LINGONG_SANDBOX_PAYMENT_SECRET.encode()


def sandbox_sign(body: bytes, timestamp: str) -> str:
    return hmac.new(_secret(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def sandbox_headers(body: bytes, timestamp: str | None = None) -> dict[str, str]:
    timestamp = timestamp or str(int(time.time()))
    return {"X-Sandbox-Timestamp": timestamp, "X-Sandbox-Signature": sandbox_sign(body, timestamp)}


def sandbox_outcome(amount: Decimal) -> str | None:
    """What the sandbox provider does with an amount: "succeeded", "failed", or None (times out)."""
    cents = int((amount * 100) % 100)
    if cents == SANDBOX_FAIL_CENTS:
        return PaymentStatus.FAILED
    if cents == SANDBOX_TIMEOUT_CENTS:
        return None
    return PaymentStatus.SUCCEEDED


def sandbox_notification(payment, outcome: str) -> bytes:
    """The body the sandbox provider posts for ``payment``. The event id is stable per payment and
    outcome, as a real provider's notification id is across its retries."""
    return json.dumps(
        {
            "event_id": f"evt_{payment.provider_ref}_{outcome}",
            "provider_ref": payment.provider_ref,
            "status": outcome,
            "amount": str(payment.amount),
            "reason": "" if outcome == PaymentStatus.SUCCEEDED else "sandbox: card declined",
        },
        separators=(",", ":"),
        sort_keys=True,
    ).encode()


def sandbox_order_ref(idempotency_key: str) -> str:
    """The sandbox provider's order number for an idempotency key: the same key is the same order, as a
    real provider's order keyed by our ``out_trade_no`` is."""
    return "sbx" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]


class SandboxGateway:
    """An online provider's behaviour without the provider: asynchronous signed callbacks, failures and
    timeouts."""

    backend = PaymentBackend.SANDBOX

    def start(self, payment, *, idempotency_key: str) -> None:
        payment.provider_ref = sandbox_order_ref(idempotency_key)
        payment.save(update_fields=["provider_ref", "updated_at"])
        enqueue("work.tasks.payment_sandbox_callback_task", payment_id=payment.pk)

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
        lowered = {k.lower(): v for k, v in headers.items()}
        signature, timestamp = lowered.get(SIGNATURE_HEADER, ""), lowered.get(TIMESTAMP_HEADER, "")
        if not signature or not (timestamp.isascii() and timestamp.isdigit()):
            return None
        if abs(time.time() - int(timestamp)) > SIGNATURE_TOLERANCE_SECONDS:
            return None
        if not hmac.compare_digest(sandbox_sign(body, timestamp).encode(), signature.encode()):
            return None
        try:
            data = json.loads(body)
            return CallbackData(
                event_id=str(data["event_id"])[:64],
                provider_ref=str(data["provider_ref"]),
                succeeded=data["status"] == PaymentStatus.SUCCEEDED,
                amount=Decimal(str(data["amount"])),
                reason=str(data.get("reason", ""))[:300],
                raw=data,
            )
        except (ValueError, KeyError, TypeError, ArithmeticError, RecursionError):
            return None

    def query(self, payment) -> ProviderState | None:
        """The sandbox provider knows what it will do with an amount: a timeout stays pending (None)."""
        outcome = sandbox_outcome(payment.amount)
        if outcome is None:
            return None
        return ProviderState(
            status=outcome,
            amount=payment.amount,
            reason="" if outcome == PaymentStatus.SUCCEEDED else "sandbox: card declined",
        )

    def close(self, payment) -> None:
        return None

    def refund(self, payment, refund) -> ProviderState:
        return ProviderState(status=RefundStatus.SUCCEEDED, amount=refund.amount)

    def query_refund(self, payment, refund) -> ProviderState | None:
        return ProviderState(status=RefundStatus.SUCCEEDED, amount=refund.amount)


GATEWAYS: dict[str, Gateway] = {
    PaymentBackend.OFFLINE: OfflineGateway(),
    PaymentBackend.SANDBOX: SandboxGateway(),
    PaymentBackend.WECHATPAY: WeChatPayGateway(),
    PaymentBackend.ALIPAY: AlipayGateway(),
}


def gateway_for(backend: str) -> Gateway:
    try:
        return GATEWAYS[backend]
    except KeyError:
        raise DomainError(
            _("不支持的支付通道。"), code="unknown_backend", fields={"backend": [_("不支持的支付通道。")]}
        ) from None
