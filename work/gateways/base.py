"""The gateway interface that every payment backend implements, and what it hands back (ADR 0009, 0018)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext_lazy as _

from core.errors import DomainError

SIGNATURE_TOLERANCE_SECONDS = 300


class GatewayUnavailable(DomainError):
    """The provider did not answer, or answered with an error: nothing was stored (the caller's transaction
    rolls back), and the same idempotency key may try again."""

    status = 503
    default_code = "gateway_unavailable"
    default_message = _("支付通道暂时不可用，请稍后再试。")


@dataclass(frozen=True)
class CallbackData:
    """A provider's notification, authenticated and read: which payment (or refund), what happened.
    ``pending`` is a notification that moves nothing (Alipay's WAIT_BUYER_PAY); ``refund_ref`` is set when it
    is about a refund (WeChat Pay's REFUND.* events) and ``succeeded`` then means the refund succeeded."""

    event_id: str
    provider_ref: str
    succeeded: bool
    amount: Decimal | None = None
    reason: str = ""
    raw: dict = field(default_factory=dict)
    pending: bool = False
    provider_txn: str = ""
    refund_ref: str = ""


@dataclass(frozen=True)
class ProviderState:
    """What a provider says, when asked, about a payment or a refund: ``status`` is a PaymentStatus or
    RefundStatus value ("pending", "succeeded", "failed")."""

    status: str
    amount: Decimal | None = None
    provider_txn: str = ""
    reason: str = ""


class Gateway(Protocol):
    backend: str

    def start(self, payment, *, idempotency_key: str) -> None:
        """Hand a new pending payment to the provider (inside the request's transaction), with the payment's
        idempotency key: the provider's own order number is derived from it (``order_ref``: WeChat Pay and
        Alipay ``out_trade_no``), so a start repeated after a crash or a retry makes no second order. Sets
        ``provider_ref`` and, for a provider the payer pays at, ``checkout_url``. Raises
        ``GatewayUnavailable`` when the provider refuses or cannot be reached."""

    def verify_callback(self, body: bytes, headers: Mapping[str, str]) -> CallbackData | None:
        """The notification if its signature is valid and it parses, else None. Never raises."""

    def query(self, payment) -> ProviderState | None:
        """Ask the provider about a pending payment (reconciliation); None when it cannot tell."""

    def close(self, payment) -> None:
        """Close the provider's order of a payment we give up on (timeout), so it can no longer be paid."""

    def refund(self, payment, refund) -> ProviderState:
        """Ask the provider to refund ``refund.amount`` of a succeeded payment; ``refund.provider_ref``
        (from the refund's own idempotency key) is the provider's refund number, so a retry is one refund."""

    def query_refund(self, payment, refund) -> ProviderState | None:
        """Ask the provider about a pending refund."""


def order_ref(idempotency_key: str) -> str:
    """Our order number at an online provider for an idempotency key: 32 characters of [0-9a-z] (WeChat Pay
    allows 6–32, Alipay 64), the same for the same key."""
    return "lg" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:30]


def refund_ref(idempotency_key: str) -> str:
    """Our refund number (WeChat Pay ``out_refund_no``, Alipay ``out_request_no``) for a refund's key."""
    return "rf" + hashlib.sha256(("refund:" + idempotency_key).encode()).hexdigest()[:30]


def fen(amount: Decimal) -> int:
    """Yuan with 2 places as integer fen (WeChat Pay's unit)."""
    return int((amount * 100).to_integral_value())


def read_key(path: str) -> str:
    if not path:
        raise GatewayUnavailable(_("支付通道未配置密钥。"), code="gateway_not_configured")
    with open(path, encoding="utf-8") as handle:
        return handle.read()
