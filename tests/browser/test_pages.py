"""End-to-end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright, no browser download).
Skips locally without Chromium; CI installs it and fails if these skip."""

from __future__ import annotations

import os
import re
import shutil

import pytest

from accounts.models import User
from core import notifications
from tests.conftest import needs

from .helpers import nav_click

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


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/register/",
        "/accounts/login/",
        "/accounts/password-reset/",
        "/accounts/privacy/",
        "/jobs/",
        "/markets/",
        "/markets/directory/",
        "/markets/notices/",
        "/board/fairs/",
        "/stats/",
        "/stats/supply-demand/",
    ],
)
def test_pages_reflow_at_200_percent_text_on_a_small_phone(browser, live_server, path):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(live_server.url + path)
    assert _no_horizontal_scroll(page)
    page.add_style_tag(content="html { font-size: 200% !important; }")
    assert _no_horizontal_scroll(page), f"{path} scrolls sideways at 200% text"
    # every form control has a visible label
    unlabeled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea')]
             .filter(el => !(el.labels && el.labels.length)).map(el => el.name)"""
    )
    assert unlabeled == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_worker_registers_without_javascript(browser, live_server):
    import datetime as dt

    from accounts.idgen import make_resident_id

    context = browser.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    page = context.new_page()
    page.goto(live_server.url + "/accounts/register/")
    page.fill("#id_phone", "13912345678")
    page.click("button[value=send_code]")
    assert "验证码已发送" in page.content()
    code = re.search(r"(\d{6})", notifications.outbox[-1].body).group(1)
    page.check("input[name=account_type][value=worker]")
    page.fill("#id_code", code)
    page.fill("#id_real_name", "张建国")
    id_number = make_resident_id("370702", dt.date(1968, 4, 18), seq=7)
    page.fill("#id_id_number", id_number)
    page.select_option("#id_scope_unit", label="潍城区")
    page.fill("#id_password", "gig-work-2026")
    page.check("#id_consent")
    page.click("button[value=register]")
    # a new worker goes on to job-seeker registration (issue 13), and their account page shows their number
    assert page.url.endswith("/jobs/me/profile/")
    nav_click(page, "我的")  # in 更多 for a worker
    assert "13912345678" in page.content()
    user = User.objects.get(phone="13912345678")
    assert user.id_number == id_number and user.scope_unit.code == "370702"
    assert user.has_role("worker")
    context.close()
