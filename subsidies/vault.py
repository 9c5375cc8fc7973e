"""Sealing the full account number a payment keeps for the bank's file (ADR 0035).

A payment snapshots the payee's account when it is created: the masked number (shown everywhere) and the
full number, which only the bank's payment file needs. The full number is stored sealed — Fernet (AES-128-CBC
with an HMAC-SHA256, from ``cryptography``) under a key derived with HKDF from ``SECRET_KEY`` for this one
use — so a database dump, a backup, an admin screen or a serializer that picks up the column shows a token,
never the number. ``SECRET_KEY_FALLBACKS`` still open tokens sealed before a key rotation. Only
``payment_file`` in the disbursement services unseals, and every export is an audit row.
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

INFO = b"lingong.subsidies.payment-account"


def _key(secret: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=INFO).derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


@lru_cache(maxsize=4)
def _fernet(secret: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_key(secret), *(_key(s) for s in fallbacks)])


def _current() -> MultiFernet:
    return _fernet(settings.SECRET_KEY, tuple(getattr(settings, "SECRET_KEY_FALLBACKS", ()) or ()))


def seal(value: str) -> str:
    """The sealed token of ``value`` (empty stays empty)."""
    if not value:
        return ""
    return _current().encrypt(value.encode()).decode()


def unseal(token: str) -> str:
    """The value sealed in ``token``; a token no key opens is a ValueError."""
    if not token:
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "the payment's account was sealed under a key that is no longer configured"
        ) from None
