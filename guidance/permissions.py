"""Who may do what in policy consultation and career guidance. Published policies, the FAQ and the open
appointment times are public; a question is its asker's and its county's staff's; a market's counter (its
operator) serves the appointments at that market."""

from __future__ import annotations

from accounts.choices import Role
from core.permissions import signed_in
from core.scope import scope_of

ROLE_PERMISSIONS = {
    Role.CITY_STAFF: ("guidance.*",),
    Role.COUNTY_STAFF: ("guidance.*",),
    Role.MARKET_OPERATOR: ("guidance.view_guidanceslot", "guidance.view_guidancebooking"),
}
API_CLIENT_PERMISSIONS: tuple[str, ...] = (
    "guidance.view_policyarticle",
    "guidance.view_question",
    "guidance.view_guidanceslot",
    "guidance.view_guidancebooking",
)


def can_answer(user, question) -> bool:
    """Staff of the question's county (or the city) with the change permission."""
    return bool(
        signed_in(user)
        and user.has_perm("guidance.change_question")
        and scope_of(user).covers(question.scope_unit_id)
    )


def can_record_questions(user) -> bool:
    """Counter and hotline staff record questions asked in person or by phone."""
    return bool(signed_in(user) and user.has_perm("guidance.add_question") and not scope_of(user).is_empty)


def can_serve_market(user, market) -> bool:
    """A market's counter: its county's staff, city staff, or the market's own operator."""
    if not signed_in(user):
        return False
    if user.has_perm("guidance.change_guidancebooking") and scope_of(user).covers(market.scope_unit_id):
        return True
    return bool(
        user.has_role(Role.MARKET_OPERATOR) and market.operator_links.filter(user_id=user.pk).exists()
    )
