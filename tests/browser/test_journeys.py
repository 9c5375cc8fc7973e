"""The whole journey of issue 13 in headless Chromium at 360×640, by clicking links and buttons only
(the first address, `/`, is the only one typed): a worker registers, fills in 求职登记; an employer
registers, does 用工登记, posts a job, sees the recommended workers and invites one; the worker applies;
the employer accepts; the worker confirms and, on the day, checks in and out; the employer approves and
pays; the worker confirms receipt; both rate. The stored state is asserted at the end. It runs with
JavaScript (check-in by the phone's location) and without (check-in with the code the employer shows).

Staff's part (approving the employer registration and the posting in the admin) is done through the same
services the admin buttons call: those pages are staff's, tested in tests/jobs/test_admin.py.

On every page visited the test measures the page at 100% and at 200% text: it must never scroll sideways.
Screenshots of each page land in var/screens/ for a person to look at."""

from __future__ import annotations

import datetime as dt
import importlib
import os
import re

import pytest
import time_machine

from accounts.idgen import make_resident_id
from core import notifications
from jobs.models import Occupation, Posting
from work.calculators import SHANGHAI
from work.choices import PaymentStatus, RatingDirection, WorkOrderStatus
from work.models import Payment, Rating, WorkOrder

from .helpers import nav_selector, reveal

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop

SCREENS = os.path.join(os.path.dirname(__file__), "..", "..", "var", "screens")
SITE = (36.7100, 119.0240)
PASSWORD = "gig-work-2026"


@pytest.fixture
def jobs_seed(county_a):
    from django.apps import apps

    if not Occupation.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(apps, None)


class Person:
    """One browser context: a phone in one person's hand. ``look`` checks the page it is on."""

    def __init__(self, browser, live_url, name, *, js: bool, geolocation=None):
        options = {
            "viewport": {"width": 360, "height": 640},
            "locale": "zh-CN",
            "java_script_enabled": js,
        }
        if geolocation:
            options.update(
                geolocation={"latitude": geolocation[0], "longitude": geolocation[1]},
                permissions=["geolocation"],
            )
        self.context = browser.new_context(**options)
        self.page = self.context.new_page()
        self.name, self.url, self.js, self.shots = name, live_url, js, 0
        self.errors: list[str] = []
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))
        self.page.on("pageerror", lambda e: self.errors.append(f"script error {e}"))

    def look(self, what: str) -> None:
        page = self.page
        assert not self.errors, self.errors
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert wide <= 1, f"{page.url} scrolls sideways by {wide}px at 360px"
        self.shots += 1
        tag = f"{'js' if self.js else 'nojs'}-{self.name}-{self.shots:02d}-{what}"
        os.makedirs(SCREENS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENS, f"{tag}.png"), full_page=True)
        page.evaluate("document.documentElement.style.setProperty('font-size', '200%', 'important')")
        wide = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        page.evaluate("document.documentElement.style.removeProperty('font-size')")
        assert wide <= 1, f"{page.url} scrolls sideways by {wide}px at 200% text"

    def click(self, selector: str, what: str = "") -> None:
        if selector.startswith("nav.site-nav"):
            reveal(self.page, selector)  # the item may be in 更多
        try:
            with self.page.expect_navigation(timeout=20000):  # every step leads to a page (scripts submit)
                self.page.click(selector)
        except Exception:
            self.page.screenshot(path=os.path.join(SCREENS, "failed.png"), full_page=True)
            raise
        self.page.wait_for_load_state()
        self.look(what or re.sub(r"\W+", "_", selector)[:30])

    def nav(self, label: str) -> None:
        self.click(nav_selector(label), label)

    def message(self) -> str:
        return " ".join(self.page.locator(".messages").all_inner_texts())


def register(person: Person, *, phone: str, name: str, account_type: str, birth: dt.date, seq: int) -> None:
    page = person.page
    page.goto(person.url + "/")
    person.look("home")
    person.click('main a:has-text("注册")', "register")
    page.fill("#id_phone", phone)
    person.click("button[value=send_code]", "code-sent")
    code = re.search(r"(\d{6})", notifications.outbox[-1].body).group(1)
    page.check(f"input[name=account_type][value={account_type}]")
    page.fill("#id_code", code)
    page.fill("#id_real_name", name)
    page.fill("#id_id_number", make_resident_id("370702", birth, seq=seq))
    page.select_option("#id_scope_unit", label="潍城区")
    page.fill("#id_password", PASSWORD)
    page.check("#id_consent")
    person.click("button[value=register]", "registered")


def journey(chromium, live_url, *, js: bool):
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    worker = Person(chromium, live_url, "worker", js=js, geolocation=SITE if js else None)
    boss = Person(chromium, live_url, "employer", js=js)
    w, b = worker.page, boss.page

    # --- the worker registers and fills in 求职登记 ---
    register(
        worker, phone="13912345678", name="张建国", account_type="worker", birth=dt.date(1968, 4, 18), seq=7
    )
    assert w.url.endswith("/jobs/me/profile/")
    w.select_option("#id_skills-0-occupation", value="cleaner")
    w.fill("#id_skills-0-years", "6")
    for day in range(1, 8):
        w.check(f"input[name=available_days][value='{day}']")
    w.fill("#id_home_lat", "36.7120")
    w.fill("#id_home_lng", "119.0250")
    worker.click('button:has-text("保存求职登记")', "profile-saved")
    assert w.url.endswith("/jobs/me/") and "求职登记已保存" in worker.message()

    # --- the employer registers, does 用工登记 and posts ---
    register(
        boss,
        phone="13712345678",
        name="周丽",
        account_type="employer_person",
        birth=dt.date(1980, 2, 3),
        seq=9,
    )
    assert b.url.endswith("/jobs/employer/register/")
    b.check("input[name=kind][value=person]")
    b.fill("#id_display_name", "周女士家")
    boss.click("main button[type=submit]", "employer-registered")
    assert b.url.endswith("/jobs/employer/")
    from jobs import services as jobs_services
    from jobs.models import EmployerProfile
    from tests.accounts.factories import UserFactory

    officer = UserFactory(scope_unit=EmployerProfile.objects.get().scope_unit, roles=["county_staff"])
    jobs_services.employer_review(employer=EmployerProfile.objects.get(), actor=officer, approve=True)

    boss.click('a:has-text("发布新岗位")', "posting-form")
    b.select_option("#id_occupation", value="cleaner")
    b.fill("#id_title", "家庭保洁 一天")
    b.fill("#id_description", "三室一厅日常保洁，工具由雇主提供。")
    b.select_option("#id_scope_unit", label="潍城区")
    b.fill("#id_address", "潍城区胜利西街100号")
    b.fill("#id_lat", str(SITE[0]))
    b.fill("#id_lng", str(SITE[1]))
    b.fill("#id_work_start_date", tomorrow.isoformat())
    b.fill("#id_work_end_date", tomorrow.isoformat())
    b.fill("#id_start_time", "08:00")
    b.fill("#id_end_time", "17:00")
    b.fill("#id_headcount", "1")
    b.fill("#id_wage_amount", "220")
    b.select_option("#id_wage_unit", value="day")
    b.select_option("#id_settlement", value="daily")
    boss.click("button[value=submit]", "posting-submitted")
    posting = Posting.objects.get()
    assert posting.status in ("pending_review", "published"), boss.message()
    if posting.status == "pending_review":
        checklist = {key: True for key, _ in jobs_services.REVIEW_CHECKLIST}
        jobs_services.posting_approve(posting=posting, actor=officer, checklist=checklist)

    # --- the employer sees the recommended workers and invites the worker ---
    boss.nav("招人")
    boss.click('a:has-text("推荐的劳动者")', "recommended")
    card = b.locator("li[data-worker]").first
    assert "张*" in card.inner_text() and "13912345678" not in b.content()
    boss.click('li[data-worker] button:has-text("邀请报名")', "invited")
    assert "已邀请" in b.content()

    # --- the worker searches, opens the posting and applies ---
    worker.nav("找活")
    w.fill("#id_q", "保洁")
    worker.click("form.search-form button[type=submit]", "search")
    worker.click('a:has-text("家庭保洁 一天")', "posting")
    worker.click('button:has-text("我要报名")', "applied")
    assert "报名成功" in worker.message()

    # --- the employer accepts ---
    boss.nav("招人")
    boss.click('.applicant button:text-is("录用")', "accepted")
    assert "已录用" in boss.message()

    # --- the worker confirms they will come ---
    worker.nav("我的工作")
    worker.click('a:has-text("家庭保洁 一天")', "order")
    worker.click('button:has-text("确认到岗")', "confirmed")
    order = WorkOrder.objects.get()
    assert order.status == WorkOrderStatus.CONFIRMED

    # --- on the day: check in at 08:30 ---
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(8, 30), tzinfo=SHANGHAI), tick=True):
        if js:
            worker.nav("我的工作")
            worker.click('a:has-text("家庭保洁 一天")', "order-day")
            worker.click('button:has-text("定位签到")', "checked-in")
        else:
            boss.nav("用工")
            boss.click('a:has-text("出示签到码")', "qr")
            token = b.locator("code").inner_text()
            worker.nav("我的工作")
            worker.click('a:has-text("家庭保洁 一天")', "order-day")
            w.fill("#qr_token", token)
            worker.click('button:has-text("用签到码提交")', "checked-in")
        assert "签到成功" in worker.message(), worker.message()

    # --- check out at 17:05; the employer approves and pays ---
    with time_machine.travel(dt.datetime.combine(tomorrow, dt.time(17, 5), tzinfo=SHANGHAI), tick=True):
        if js:
            worker.click('button:has-text("定位签退")', "checked-out")
        else:
            boss.nav("用工")
            boss.click('a:has-text("出示签退码")', "qr-out")
            token = b.locator("code").inner_text()
            w.reload()
            w.fill("#qr_token", token)
            worker.click('button:has-text("用签到码提交")', "checked-out")
        assert "签退成功" in worker.message(), worker.message()

        boss.nav("用工")
        boss.click('button:has-text("确认工时和金额")', "approved")
        assert "请付款" in boss.message()
        b.check("input[name=method][value=wechat]")
        b.fill("#id_payee_account", "zjg1968")
        boss.click('button:has-text("登记已付款")', "paid")
        assert "等待劳动者确认收款" in b.content()

        # --- the worker confirms receipt and rates the employer ---
        worker.nav("我的工作")
        worker.click('a:has-text("家庭保洁 一天")', "order-paid")
        worker.click('#receipt button:has-text("确认收款")', "receipt")
        assert "已确认收款" in worker.message()
        w.check("input[name=stars][value='5']")
        w.check("input[name=tags][value=结算及时]")
        w.fill("#id_comment", "按时结算，人很好。")
        worker.click('button:has-text("提交评价")', "worker-rated")
        worker.nav("收入")
        assert "220" in w.content()

        # --- the employer rates the worker ---
        boss.nav("付款")
        boss.click(".payment-item a", "payment-record")
        b.check("input[name=stars][value='5']")
        b.check("input[name=tags][value=准时]")
        boss.click('button:has-text("提交评价")', "employer-rated")

    order.refresh_from_db()
    payment = Payment.objects.get(work_order=order)
    assert order.status == WorkOrderStatus.SETTLED and order.hours_worked > 8
    assert payment.status == PaymentStatus.SUCCEEDED and payment.worker_confirmed_at is not None
    assert payment.amount == order.amount == 220
    ratings = {r.direction: r for r in Rating.objects.filter(work_order=order)}
    assert ratings[RatingDirection.WORKER_TO_EMPLOYER].stars == 5
    assert ratings[RatingDirection.EMPLOYER_TO_WORKER].tags == ["准时"]
    assert order.check_in_method == ("gps" if js else "qr")

    # --- the worker switches the page to English with the footer's switch (and back to the order) ---
    worker.click('nav.site-nav a:has-text("我的工作")', "work-list")
    w.select_option("#lang-select", "en")
    worker.click(".lang button[type=submit]", "english")
    assert w.locator("html").get_attribute("lang") == "en"
    worker.click('a:has-text("家庭保洁 一天")', "order-english")
    assert "Settled" in w.content() or "settled" in w.content()
    worker.context.close()
    boss.context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_whole_journey_by_clicking_from_the_home_page(chromium, live_server, jobs_seed):
    journey(chromium, live_server.url, js=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_whole_journey_without_javascript(chromium, live_server, jobs_seed):
    journey(chromium, live_server.url, js=False)
