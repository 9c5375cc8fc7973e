"""Worker card numbers and the card's QR code (ADR 0019).

A card number is 8 random digits (the first not 0) and a Luhn check digit (python-stdnum): 9 digits, so it
is never mistaken for a mobile number (11) or a resident ID (18), a mistyped digit or swapped pair is caught
before any lookup, and it is drawn from ``secrets``, not from anything about the person: knowing a card
number tells nothing about its holder, and guessing one is a 1-in-10⁸ try at a rate-limited, audited door.
The QR code holds the number alone, so a counter's USB scanner types it into the lookup field."""

from __future__ import annotations

import re
import secrets

import segno
from django.utils.safestring import SafeString, mark_safe
from stdnum import luhn

CARD_BODY_DIGITS = 8
CARD_LENGTH = CARD_BODY_DIGITS + 1
CARD_SHAPE = re.compile(r"[1-9]\d{%d}" % (CARD_LENGTH - 1))


def new_card_number() -> str:
    body = str(secrets.randbelow(9 * 10 ** (CARD_BODY_DIGITS - 1)) + 10 ** (CARD_BODY_DIGITS - 1))
    return body + luhn.calc_check_digit(body)


def compact(value: str) -> str:
    """What a person typed or a scanner sent, without spaces or dashes."""
    return re.sub(r"[\s\-]", "", value or "")


def is_card_number(value: str) -> bool:
    """Nine digits whose last is the Luhn check digit of the others."""
    value = compact(value)
    return bool(CARD_SHAPE.fullmatch(value)) and luhn.is_valid(value)


def card_qr_svg(card_number: str, *, title: str = "") -> SafeString:
    """The card's QR code as inline SVG (segno, drawn on the server; nothing fetched). Error level Q (25%):
    a card carried in a pocket gets creased."""
    code = segno.make(card_number, error="q", micro=False)
    return mark_safe(
        code.svg_inline(
            scale=1, border=4, dark="#000", light="#fff", title=title or None, svgclass="qr", omitsize=True
        )
    )


# --- the card pass: which card holders this counter session was shown the card of ----------------------

CARD_PASS_SESSION_KEY = "accounts_card_pass"


def card_pass_remember(request, user_id: int) -> None:
    """The card was presented at this counter: its holder may be served in this session."""
    passes = [pk for pk in request.session.get(CARD_PASS_SESSION_KEY, []) if pk != user_id][-19:]
    request.session[CARD_PASS_SESSION_KEY] = [*passes, user_id]


def card_presented(request, user_id) -> bool:
    return user_id in request.session.get(CARD_PASS_SESSION_KEY, [])
