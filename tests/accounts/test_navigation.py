"""Every role's way forward (issue 13): the header menu by role, the page login lands on, the home page's
service cards as links."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.choices import Role

from .factories import UserFactory

PASSWORD = "pass-word-123"  # UserFactory's

pytestmark = pytest.mark.django_db


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav aria-label="[^"]*" class="site-nav">(.*?)</nav>', html, re.S).group(1)
    return [re.sub(r"<[^>]+>", "", label).strip() for label in re.findall(r"<a [^>]*>(.*?)</a>", nav)]


@pytest.mark.parametrize(
    ("roles", "expected"),
    [
        (
            [Role.WORKER],
            ["找活", "我的工作", "收入", "我的找活", "维权投诉", "政策咨询", "培训", "消息", "我的"],
        ),
        ([Role.EMPLOYER], ["招人", "用工", "付款", "维权投诉", "政策咨询", "培训", "消息", "我的"]),
        (
            [Role.WORKER, Role.EMPLOYER],
            [
                "找活",
                "我的工作",
                "收入",
                "我的找活",
                "招人",
                "用工",
                "付款",
                "维权投诉",
                "政策咨询",
                "培训",
                "消息",
                "我的",
            ],
        ),
        ([Role.MARKET_OPERATOR], ["我的市场", "服务台", "政策咨询", "培训", "消息", "我的"]),
        ([Role.COUNTY_STAFF], ["服务台", "政策咨询", "培训", "消息", "我的", "管理后台"]),
        ([Role.TRAINING_INSTITUTION], ["我的机构", "政策咨询", "培训", "消息", "我的"]),
    ],
)
def test_header_menu_follows_the_roles(client_as, county_a, roles, expected):
    user = UserFactory(scope_unit=county_a, roles=roles)
    assert nav_links(client_as(user).get("/").content.decode()) == expected


@pytest.mark.parametrize(
    ("roles", "more"),
    [
        ([Role.WORKER], ["培训", "消息", "我的"]),  # nine items: the first six in the line
        ([Role.EMPLOYER], ["消息", "我的"]),
        ([Role.MARKET_OPERATOR], []),  # six items: no 更多
        ([Role.COUNTY_STAFF], []),
    ],
)
def test_items_past_the_sixth_go_into_a_more_menu_in_the_same_order(client_as, county_a, roles, more):
    user = UserFactory(scope_unit=county_a, roles=roles)
    html = client_as(user).get("/").content.decode()
    menu = re.search(r'<details class="nav-more">(.*?)</details>', html, re.S)
    if not more:
        assert menu is None and "更多" not in re.search(r'class="site-nav">(.*?)</nav>', html, re.S).group(1)
        return
    assert "<summary>更多" in menu.group(1)
    inside = [re.sub(r"<[^>]+>", "", a).strip() for a in re.findall(r"<a [^>]*>(.*?)</a>", menu.group(1))]
    assert inside == more
    assert nav_links(html)[-len(more) :] == more  # the menu's order is unchanged, only folded


def test_more_is_marked_when_it_holds_the_current_page_and_shows_the_unread_count(client_as, worker):
    from core.models import InboxMessage

    InboxMessage.objects.create(user=worker, body="明天8点上工，请准时到岗。")
    InboxMessage.objects.create(user=worker, body="工资已到账。")
    html = client_as(worker).get("/accounts/profile/").content.decode()
    summary = re.search(r"<summary([^>]*)>(.*?)</summary>", html, re.S)
    assert summary.group(1) == ' class="current"'
    assert "2 条未读" in summary.group(2)
    assert '<a href="/accounts/profile/" aria-current="page">' in html
    elsewhere = client_as(worker).get("/work/earnings/").content.decode()
    assert "<summary>更多" in elsewhere  # not marked where the current page is in the line


def test_anonymous_menu_leads_to_the_public_pages_and_login(client, db):
    html = client.get("/").content.decode()
    assert nav_links(html) == ["找活", "零工市场", "工资指导价", "政策咨询", "技能培训", "登录", "注册"]


def test_current_page_is_marked_in_the_menu(client_as, worker):
    html = client_as(worker).get("/work/earnings/").content.decode()
    assert re.search(r'<a href="/work/earnings/" aria-current="page">', html)
    assert 'href="/work/" aria-current' not in html


@pytest.mark.parametrize(
    ("roles", "home"),
    [
        ([Role.WORKER], "/jobs/me/"),
        ([Role.EMPLOYER], "/jobs/employer/"),
        ([Role.MARKET_OPERATOR], "/markets/manage/"),
        ([Role.COUNTY_STAFF], "/admin/"),
        ([Role.TRAINING_INSTITUTION], "/training/institution/"),
    ],
)
def test_login_lands_on_the_roles_home(county_a, roles, home):
    user = UserFactory(scope_unit=county_a, roles=roles)
    response = Client().post("/accounts/login/", {"username": user.phone, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == home


def test_login_keeps_a_safe_next(worker):
    response = Client().post(
        "/accounts/login/", {"username": worker.phone, "password": PASSWORD, "next": "/work/"}
    )
    assert response["Location"] == "/work/"


def test_home_page_cards_are_links_to_working_pages(client, db):
    html = client.get("/").content.decode()
    cards = re.search(r'<ul class="cards links">(.*?)</ul>', html, re.S).group(1)
    hrefs = re.findall(r'<a href="([^"]+)"', cards)
    assert len(hrefs) == 9
    for href in hrefs:
        assert client.get(href).status_code == 200, href
    # what is not built yet is said plainly, not promised
    assert "尚未开通" in html and "投诉维权" in html
    assert "/training/" in hrefs
    assert "/subsidies/" in hrefs
