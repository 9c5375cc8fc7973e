"""Where each role goes: the header menu of every page and the page a person lands on after logging in.

Menus are built from role grants (read once per request with the user) and URL names, so nothing here
imports the apps whose pages the items lead to (the import direction holds: ``reverse`` takes a string).
A person may hold several roles (a foreman both works and employs): they see the union, in a fixed order."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    key: str
    url_name: str
    label: str

    @property
    def url(self) -> str:
        return reverse(self.url_name)


WORKER_ITEMS = (
    NavItem("find", "jobs:search", _("找活")),
    NavItem("work", "work:list", _("我的工作")),
    NavItem("earnings", "work:earnings", _("收入")),
    NavItem("worker_home", "jobs:worker_home", _("我的找活")),
)
EMPLOYER_ITEMS = (
    NavItem("hire", "jobs:employer_dashboard", _("招人")),
    NavItem("timesheet", "work:timesheet", _("用工")),
    NavItem("pay", "work:payments", _("付款")),
)
COUNTER_ITEM = NavItem("counter", "jobs:counter", _("服务台"))
MARKET_ITEM = NavItem("markets", "markets:manage_list", _("我的市场"))
INSTITUTION_ITEM = NavItem("institution", "training:institution_home", _("我的机构"))
ADMIN_ITEM = NavItem("admin", "admin:index", _("管理后台"))
PROFILE_ITEM = NavItem("profile", "accounts:profile", _("我的"))
INBOX_ITEM = NavItem("inbox", "accounts:inbox", _("消息"))
PUBLIC_ITEMS = (
    NavItem("find", "jobs:search", _("找活")),
    NavItem("map", "markets:map", _("零工市场")),
    NavItem("stats", "stats:wage_guidance", _("工资指导价")),
    NavItem("guidance", "guidance:index", _("政策咨询")),
    NavItem("training", "training:courses", _("技能培训")),
)
GUIDANCE_ITEM = PUBLIC_ITEMS[3]
# signed in, a shorter label: the worker's menu already wraps on a phone
TRAINING_ITEM = NavItem("training", "training:courses", _("培训"))
RIGHTS_ITEM = NavItem("rights", "disputes:my_complaints", _("维权投诉"))


def _roles(user) -> frozenset[str]:
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    # a county system's token (the browsable API renders a page for it) has no roles, only permissions
    return frozenset(getattr(user, "role_set", ()) or ())


def menu(user) -> list[NavItem]:
    """The header menu of a signed-in person (the public menu otherwise), without log in/out."""
    roles = _roles(user)
    if not getattr(user, "is_authenticated", False):
        return list(PUBLIC_ITEMS)
    items: list[NavItem] = []
    if Role.WORKER in roles:
        items.extend(WORKER_ITEMS)
    if Role.EMPLOYER in roles:
        items.extend(EMPLOYER_ITEMS)
    if Role.MARKET_OPERATOR in roles:
        items.append(MARKET_ITEM)
    if Role.TRAINING_INSTITUTION in roles:
        items.append(INSTITUTION_ITEM)
    if roles & {Role.MARKET_OPERATOR, Role.COUNTY_STAFF, Role.CITY_STAFF}:
        items.append(COUNTER_ITEM)
    if not items:
        items.extend(PUBLIC_ITEMS[:1])
    if roles & {Role.WORKER, Role.EMPLOYER}:
        items.append(RIGHTS_ITEM)
    items.append(GUIDANCE_ITEM)
    items.append(TRAINING_ITEM)
    items.append(INBOX_ITEM)
    items.append(PROFILE_ITEM)
    if user.is_staff or roles & STAFF_ROLES:
        items.append(ADMIN_ITEM)
    return items


NAV_SHOWN = 6  # items a phone's header shows in a line or two; the rest go into 更多 (a <details>, no JS)


def split(items: list[NavItem]) -> tuple[list[NavItem], list[NavItem]]:
    """The items shown in the header and those in its 更多 menu: all shown up to ``NAV_SHOWN``, else the first
    ``NAV_SHOWN`` (the menu's fixed order puts each role's own pages first) and the rest in 更多."""
    if len(items) <= NAV_SHOWN:
        return list(items), []
    return list(items[:NAV_SHOWN]), list(items[NAV_SHOWN:])


def home_url(user) -> str:
    """The page a person lands on after logging in: the role's home (a worker their job search home, an
    employer their dashboard, counter staff the counter, staff the admin), else their account page."""
    roles = _roles(user)
    if Role.WORKER in roles:
        return reverse("jobs:worker_home")
    if Role.EMPLOYER in roles:
        return reverse("jobs:employer_dashboard")
    if Role.MARKET_OPERATOR in roles:
        return reverse("markets:manage_list")
    if Role.TRAINING_INSTITUTION in roles:
        return reverse("training:institution_home")
    if getattr(user, "is_staff", False) or roles & STAFF_ROLES:
        return reverse("admin:index")
    return reverse("accounts:profile")


def first_step_url(user) -> str:
    """Where a person who has just registered goes next: a worker fills in 求职登记, an employer 用工登记."""
    roles = _roles(user)
    if Role.WORKER in roles:
        return reverse("jobs:worker_profile")
    if Role.EMPLOYER in roles:
        return reverse("jobs:employer_register")
    return home_url(user)


def current(items: list[NavItem], path: str) -> str | None:
    """The key of the item whose address is the longest prefix of ``path`` (shown as the current page)."""
    best, length = None, 0
    for item in items:
        url = item.url
        if url != "/" and path.startswith(url) and len(url) > length:
            best, length = item.key, len(url)
    return best


def context(request) -> dict:
    """Template context processor: ``nav_items`` (with ``nav_current``), split into ``nav_shown`` and
    ``nav_more`` (the 更多 menu, with ``nav_more_current`` when the current page is in it), ``nav_home`` and
    ``nav_unread`` (the person's unread inbox messages, shown beside 消息, and on 更多 when 消息 is in it)."""
    from core.selectors import inbox_unread_count

    user = getattr(request, "user", None)
    items = menu(user)
    signed_in = getattr(user, "is_authenticated", False)
    home = home_url(user) if signed_in else reverse("home")
    unread = inbox_unread_count(user=user) if signed_in else 0
    now = current(items, request.path)
    shown, more = split(items)
    return {
        "nav_items": items,
        "nav_shown": shown,
        "nav_more": more,
        "nav_more_current": any(item.key == now for item in more),
        "nav_more_unread": unread if any(item.key == INBOX_ITEM.key for item in more) else 0,
        "nav_current": now,
        "nav_home": home,
        "nav_unread": unread,
    }
