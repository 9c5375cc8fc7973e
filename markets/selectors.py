"""Scoped reads of markets."""

from __future__ import annotations

from core.scope import scope_of

from .choices import PlatformStatus
from .models import Market, OnlinePlatform, PublicNotice


def has_staff_scope(user) -> bool:
    return not scope_of(user).is_empty


def market_list(*, user):
    """Staff and county systems: every market in their scope, any status. Everyone else: the public
    register (operating markets only)."""
    base = Market.objects.select_related("scope_unit", "town").prefetch_related("facilities")
    if has_staff_scope(user):
        return base.visible_to(user)
    return base.public()


def market_public_get(*, pk: int) -> Market | None:
    return (
        Market.objects.public()
        .select_related("scope_unit", "town")
        .prefetch_related("facilities", "photos")
        .filter(pk=pk)
        .first()
    )


def market_operated_by(*, user):
    return Market.objects.filter(operator_links__user=user).select_related("scope_unit")


def platform_list(*, user):
    base = OnlinePlatform.objects.select_related("scope_unit")
    if has_staff_scope(user):
        return base.visible_to(user)
    return base.filter(status=PlatformStatus.APPROVED)


def notice_list_public():
    return PublicNotice.objects.current().select_related("market", "alternative_market", "scope_unit")
