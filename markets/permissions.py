"""Who may do what to a market. Scope (which markets one sees) is in the querysets."""

from __future__ import annotations

from core.scope import scope_of


def can_manage_market(user, market) -> bool:
    """County staff of the market's county, city staff: status transitions, inspections, full edits."""
    return bool(
        getattr(user, "is_authenticated", False)
        and user.has_perm("markets.change_market")
        and scope_of(user).covers(market.scope_unit_id)
    )


def can_operate_market(user, market) -> bool:
    """The market's own operator (bound through MarketOperator): profile, hours and facilities only."""
    return bool(
        getattr(user, "is_authenticated", False)
        and getattr(user, "pk", None)
        and user.has_role("market_operator")
        and market.operator_links.filter(user_id=user.pk).exists()
    )
