"""Issue 17's first page in Chromium, on a phone-sized screen, from `/` by clicks: a certified hard-to-employ
worker with settled work and a confirmed contribution last month signs in, opens "what can I get" from their
home and sees the amount with its reasons; no JavaScript needed (the page is tried with it off too).
Screenshots go to /tmp/h46_shots/."""

from __future__ import annotations

import datetime as dt
import importlib
import os

import pytest
from django.utils import timezone

from accounts.choices import Role
from tests.accounts.factories import UserFactory

PASSWORD = "pass-word-123"
SHOTS = "/tmp/h46_shots"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("javascript", [True, False])
def test_a_worker_signs_in_and_sees_what_they_can_get(chromium, live_server, county_a, javascript):
    from django.apps import apps

    from core.months import month_start, previous_month
    from jobs.models import Occupation
    from subsidies.models import EligibilityDecision
    from tests.subsidies.factories import certify, contribution, work_days

    if not Occupation.objects.exists():  # transactional tests flush the seeded occupations: put them back
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(apps, None)
    person = UserFactory(
        scope_unit=county_a,
        roles=[Role.WORKER],
        birth_date=dt.date(1980, 6, 15),
        gender="M",
        real_name="李大成",
    )
    last = previous_month(month_start(timezone.localdate()))
    certify(person, valid_from=last - dt.timedelta(days=300))
    work_days(person, last, 5)
    contribution(person, last)

    context = chromium.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, java_script_enabled=javascript
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))
    page.goto(live_server.url + "/")
    with page.expect_navigation():
        page.click('nav.site-nav >> text="登录"')
    page.fill("#id_username", person.phone)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.url.endswith("/jobs/me/")
    with page.expect_navigation():
        page.click('main >> text="我能享受什么补贴"')
    assert page.url.endswith("/subsidies/mine/")
    card = page.locator('li.program[data-program="flexible_social_insurance"]')
    month = card.locator("section.period").first
    # 2/3 × min(800 + 320, 4,000 × 0.28) = 746.67 for last month
    assert f"{last:%Y-%m}" in month.inner_text()
    assert "可以享受：746.67 元" in month.locator(".answer").inner_text()
    month.locator("summary").click()
    assert "已认定为就业困难人员" in month.inner_text()
    assert "本平台记录当月结算用工 5 天、收入 1000.00 元" in month.inner_text()
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, f"what_can_i_get_js_{javascript}.png"), full_page=True)
    assert not errors, errors
    # no sideways scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390 if javascript else True
    assert EligibilityDecision.objects.filter(person=person, period_start=last, eligible=True).exists()
    context.close()
