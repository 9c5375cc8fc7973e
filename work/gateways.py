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
- WeChat Pay v3 and Alipay adapters come later behind the same interface (``start`` creates the provider's
  order, ``verify_callback`` checks the platform certificate's signature and decrypts the resource), and
  are added to ``GATEWAYS``.

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
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.queue import enqueue

from .choices import PaymentBackend, PaymentMethod, PaymentStatus

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


@dataclass(frozen=True)
class CallbackData:
    """A provider's notification, authenticated and read: which payment, what happened."""

    event_id: str
    provider_ref: str
    succeeded: bool
    amount: Decimal | None = None
    reason: str = ""
    raw: dict = field(default_factory=dict)


class Gateway(Protocol):
    backend: str

    def start(self, payment, *, idempotency_key: str) -> None:
        """Hand a new pending payment to the provider (inside the request's transaction), with the payment's
        idempotency key: the provider's own order number is derived from it (WeChat Pay ``out_trade_no``,
        Alipay ``out_trade_no``), so a start repeated after a crash or a retry makes no second order."""

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
        """The notification if its signature is valid and it parses, else None."""


class OfflineGateway:
    """Offline transfer recorded by the employer and confirmed by the worker. No provider, no callbacks."""

    backend = PaymentBackend.OFFLINE

    def start(self, payment, *, idempotency_key: str) -> None:
        return None

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
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


GATEWAYS: dict[str, Gateway] = {
    PaymentBackend.OFFLINE: OfflineGateway(),
    PaymentBackend.SANDBOX: SandboxGateway(),
}


def gateway_for(backend: str) -> Gateway:
    try:
        return GATEWAYS[backend]
    except KeyError:
        raise DomainError(
            _("不支持的支付通道。"), code="unknown_backend", fields={"backend": [_("不支持的支付通道。")]}
        ) from None
