"""Filters the pages share: a money rate as posted (350, 0.015 — never 350.0000 or 3.5E+2)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def rate(value) -> str:
    """A rate with up to 4 places, without trailing zeros, in the active language's number format."""
    if value in (None, ""):
        return ""
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    places = max(0, -number.normalize().as_tuple().exponent)
    return number_format(number, decimal_pos=min(places, 4))
