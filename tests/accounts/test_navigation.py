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
