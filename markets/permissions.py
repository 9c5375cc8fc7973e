"""Who may do what to a market: the role rules over this app's models (collected by accounts from
MarketsConfig.ready) and the predicates the services decide access with. Scope (which markets one sees) is in
the querysets."""

from __future__ import annotations

from accounts.choices import Role
from core.scope import scope_of

ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("markets.*",),
    Role.COUNTY_STAFF: (
        "markets.view_*",
        "markets.add_market",
        "markets.change_market",
        "markets.*_marketphoto",
        "markets.*_marketoperator",
        "markets.add_publicnotice",
        "markets.change_publicnotice",
        "markets.add_onlineplatform",
        "markets.change_onlineplatform",
        "markets.add_inspection",
        "markets.change_inspection",
        "markets.*_inspectionfinding",
        "markets.*_inspectionphoto",
    ),
}
API_CLIENT_PERMISSIONS = ("markets.view_market", "markets.view_onlineplatform", "markets.view_inspection")


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
