"""The market board and the job-fair pages in headless Chromium (Debian's /usr/bin/chromium driven by
Playwright, no browser download). Skips locally without Chromium; CI installs it and fails if these skip."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import shutil

import pytest
from django.apps import apps as django_apps
from django.test import override_settings
from django.utils import timezone

from core.models import MinimumWageTier
from jobs import services
from jobs.choices import FairKind
from jobs.models import Occupation
from jobs.views import board as views_board
from tests.conftest import needs

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def ensure_jobs_seed() -> None:
    """The occupations and minimum wages that migration 0002 seeds (these tests flush them)."""
    if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)


@pytest.fixture(scope="module", autouse=True)
def _jobs_seed_after_module(django_db_setup, django_db_blocker):
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()


@pytest.fixture(autouse=True)
def _jobs_seed(django_db_setup, django_db_blocker, monkeypatch):
    with django_db_blocker.unblock():
        ensure_jobs_seed()
    # Commits are real here: publishing would queue match notifications, which are not the subject.
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


@pytest.fixture
def browser():
    if not CHROMIUM:
        needs("no Chromium installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover
        needs("playwright is not installed")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield browser
        browser.close()


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.fixture
def board_market():
    from tests.jobs.factories import make_employer, published_posting
    from tests.markets.factories import MarketFactory

    market = MarketFactory(name="潍城区零工市场", lat=36.7100, lng=119.0240, hotline="0536-8000022")
    employer = make_employer()
    today = timezone.localdate()
    for i in range(6):
        day = today + dt.timedelta(days=i % 2)
        published_posting(
            employer,
            title=f"胜利街家庭保洁第{i + 1}单",
            lat=market.lat + 0.004 * i,
            lng=market.lng,
            work_start_date=day,
            work_end_date=day,
        )
    return market


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_SITE_URL="https://lingong.weifang.gov.cn")  # a real host's length, not localhost's
def test_market_board_fills_an_information_screen_without_javascript(browser, live_server, board_market):
    from disputes.models import RightsContact

    # the county's own rights line (then 12333 is shown beside it): the longest form of the rights strip
    RightsContact.objects.create(scope_unit=board_market.scope_unit, rights_hotline="0536-12333")
    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 1920, "height": 1080}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/board/markets/{board_market.pk}/")
    assert page.locator("h1").inner_text() == "潍城区零工市场"
    assert "0536-8000022" in page.content() and "更新于" in page.content()
    assert (
        page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "60; url=?page=2"
    )  # 6 postings, 2 screens
    per_screen = views_board.BOARD_PAGE_SIZE
    assert page.locator(".board-item").count() == per_screen
    # very large type and high contrast, read from across the room
    style = page.evaluate(
        """() => { const s = (q, p) => getComputedStyle(document.querySelector(q))[p];
                   return {h1: parseFloat(s('h1', 'fontSize')), h2: parseFloat(s('.board-item h2', 'fontSize')),
                           bg: s('body', 'backgroundColor'), fg: s('body', 'color')}; }"""
    )
    assert style["h1"] >= 64 and style["h2"] >= 48, style
    assert style["bg"] == "rgb(0, 0, 0)" and style["fg"] == "rgb(255, 255, 255)"
    # 维权与求助 (issue 16's doors): the hotlines and the two addresses to type, as text on the screen
    rights = page.locator("section.market-panel", has_text="维权与求助").inner_text()
    for shown in (
        "维权热线 0536-12333",
        "12333",
        "政务热线 12345",
        "lingong.weifang.gov.cn/disputes/complain/",
        f"lingong.weifang.gov.cn/disputes/safety/new/?market={board_market.pk}",
    ):
        assert shown in rights, (shown, rights)
    assert page.locator("section.market-panel a").count() == 0  # a screen is read, not clicked
    # every posting carries a visible QR code, large enough to scan from a step away
    boxes = [page.locator(".board-qr svg").nth(i).bounding_box() for i in range(per_screen)]
    assert all(box and box["width"] >= 150 and abs(box["width"] - box["height"]) < 1 for box in boxes), boxes
    # one screen: nothing to scroll
    assert _no_horizontal_scroll(page)
    assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
    page.goto(f"{live_server.url}/board/markets/{board_market.pk}/?page=2")
    assert page.locator(".board-item").count() == 6 - per_screen
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_market_board_reflows_on_a_small_screen(browser, live_server, board_market):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/board/markets/{board_market.pk}/")
    assert page.locator(".board-qr svg").count() == views_board.BOARD_PAGE_SIZE
    assert _no_horizontal_scroll(page)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_fair_pages_reflow_at_200_percent_text_with_labelled_controls(browser, live_server):
    from accounts.choices import Role
    from core.models import ScopeUnit
    from tests.accounts.factories import UserFactory

    unit = ScopeUnit.objects.get(code="370702")
    officer = UserFactory(scope_unit=unit, roles=[Role.COUNTY_STAFF])
    starts = timezone.now() + dt.timedelta(days=3)
    fair = services.fair_create(
        actor=officer,
        data={
            "kind": FairKind.DAY,
            "title": "潍城区春风行动招聘集市",
            "scope_unit": unit,
            "place": "潍城区胜利西街人社局广场",
            "starts_at": starts,
            "ends_at": starts + dt.timedelta(hours=3),
            "booth_capacity": 20,
        },
    )
    for path in ("/board/fairs/", f"/board/fairs/{fair.pk}/"):
        page = browser.new_page(viewport={"width": 360, "height": 740})
        page.goto(live_server.url + path)
        assert "潍城区春风行动招聘集市" in page.content()
        page.add_style_tag(content="html { font-size: 200% !important; }")
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways at 200% text"
        unlabeled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea')]
                 .filter(el => !(el.labels && el.labels.length)).map(el => el.name)"""
        )
        assert unlabeled == []
        page.close()
