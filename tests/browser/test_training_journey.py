"""Issue 15's whole training path by pages, in Chromium, from `/` by clicks (the only addresses typed are each
person's first `/` and the sign-in link the classroom screen shows, which a trainee's phone follows from the
QR code): an institution applies to be filed with its credit code and licence scan; county staff file it in
the admin; the institution sets up a classroom in a market, applies for an electrician class (80 课时) and
staff approve it; 29 workers are enrolled by the service, the 30th finds the class from the course search
and takes the last seat, a 31st goes on the waiting list; the trainee signs in by the classroom's QR code
inside the fence, the teacher marks the other sessions; the institution records the pass and the
certificate, which lands verified on the worker's registration; the worker applies to a licensed
electrician posting and claims the subsidy with the calculator's figures. The stored state is checked at
the end. 19 sessions lie in the past (arranged by the service), today's is added on the page around now so
its sign-in window is open; the results wait for its end (time_machine, ticking, moves the clock there). Screenshots of the class page, the QR screen and the claim page go to /tmp/h36_shots/."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import os
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.choices import Role
from core.calendar import SHANGHAI
from tests.accounts.factories import UserFactory

from .helpers import nav_selector, reveal

PASSWORD = "pass-word-123"
SHOTS = "/tmp/h36_shots"


class Person:
    """One browser context; every response of 400 and more (a 500 above all) fails the test."""

    def __init__(self, browser, base, name, **options):
        self.context = browser.new_context(locale="zh-CN", **options)
        self.page = self.context.new_page()
        self.base, self.name = base, name
        self.errors: list[str] = []
        self.page.on("response", lambda r: r.status >= 400 and self.errors.append(f"{r.status} {r.url}"))

    def click(self, selector: str) -> None:
        if selector.startswith("nav.site-nav"):
            reveal(self.page, selector)  # the item may be in 更多
        with self.page.expect_navigation():
            self.page.click(selector)
        self.page.wait_for_load_state()
        assert not self.errors, self.errors

    def nav(self, label: str) -> None:
        self.click(nav_selector(label))

    def log_in(self, phone: str) -> None:
        """From `/`: the menu's 登录, the form, and the role's home."""
        self.page.goto(self.base + "/")
        self.nav("登录")
        self.log_in_here(phone)

    def log_in_here(self, phone: str) -> None:
        self.page.fill("#id_username", phone)
        self.page.fill("#id_password", PASSWORD)
        self.click("main form button[type=submit]")

    def shot(self, what: str) -> None:
        os.makedirs(SHOTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(SHOTS, f"{what}.png"), full_page=True)

    def messages(self) -> str:
        return " ".join(self.page.locator(".messages").all_inner_texts())


def _png() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 220, 255)).save(buffer, format="PNG")
    return buffer.getvalue()


def _admin_action(staff: Person, model: str, search: str, action: str) -> None:
    """In the admin: the model's list from the index, the row found by its name, the action run on it."""
    page = staff.page
    staff.click("#site-name a, div.breadcrumbs a >> nth=0")  # the admin's index
    staff.click(f"a[href$='/admin/training/{model}/'] >> nth=0")
    page.fill("#searchbar", search)
    staff.click("#changelist-search [type=submit]")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", action)
    staff.click("#changelist-form button[name=index]")
    done = page.locator("ul.messagelist").inner_text()
    assert "1 项" in done and not page.locator("ul.messagelist li.error").count(), done


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_whole_training_path_by_pages(chromium, live_server, county_a):
    from django.apps import apps
    from django.core.cache import cache

    from core.calendar import seed_from_chinese_calendar
    from core.models import CalendarDay
    from jobs.choices import CertificateStatus, PersonCategoryKind
    from jobs.models import Application, Certificate, Occupation
    from jobs.services import person_category_record
    from tests.jobs.factories import make_worker, published_posting
    from tests.markets.factories import MarketFactory
    from tests.training.factories import uscc
    from training.choices import ClaimStatus, ClassStatus, EnrollmentStatus, InstitutionStatus
    from training.models import (
        Attendance,
        CatalogueItem,
        Enrollment,
        Institution,
        TrainingClaim,
        TrainingClass,
    )
    from training.reference import seed_reference
    from training.services import attendance as attendance_services
    from training.services import classes as class_services
    from training.services.enrollment import enroll

    # transactional tests flush the seeded reference data: put it back
    seed_from_chinese_calendar(CalendarDay)
    if not Occupation.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(apps, None)
    seed_reference(apps.get_model)
    cache.clear()  # the course list caches the rates in force (row ids change with every flush)

    base = live_server.url
    today = timezone.localdate()
    market = MarketFactory(scope_unit=county_a, name="潍城区零工市场（测试）")
    founder = UserFactory(scope_unit=county_a, roles=[Role.TRAINING_INSTITUTION], phone="13900000301")
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900000302")
    item = CatalogueItem.objects.get(code="electrician-special")

    # 1. the institution applies from `/` through the menu (我的机构 leads a new member to the application)
    inst = Person(chromium, base, "institution", viewport={"width": 1280, "height": 900})
    p = inst.page
    inst.log_in(founder.phone)
    inst.click("a.brand")
    inst.nav("我的机构")
    assert "/training/institution/apply/" in p.url
    p.fill("#id_name", "潍城区明德职业培训学校")
    p.fill("#id_uscc", uscc(4321))
    p.fill("#id_licence_number", "教民1370702700321")
    p.set_input_files("#id_licence_scan", {"name": "licence.png", "mimeType": "image/png", "buffer": _png()})
    p.select_option("#id_scope_unit", str(county_a.pk))
    p.fill("#id_address", "潍城区东风西街321号")
    p.fill("#id_contact_name", "王老师")
    p.fill("#id_contact_phone", "0536-8123456")
    inst.click("main form button.primary")
    institution = Institution.objects.get()
    assert institution.status == InstitutionStatus.APPLIED and institution.licence_scan

    # 2. county staff file it in the admin, reached from the site's menu
    staff = Person(chromium, base, "staff", viewport={"width": 1280, "height": 900})
    staff.log_in(officer.phone)  # staff land in the admin; the site's menu leads back there
    staff.click("a[href='/']")
    staff.nav("管理后台")
    _admin_action(staff, "institution", institution.name, "file_institutions")
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.FILED and institution.filing_number

    # 3. a classroom in the market, a class at it with its sessions, submitted; staff approve it
    inst.nav("我的机构")
    inst.click("nav.subnav >> text=报名点和教室")
    p.select_option("#id_market", str(market.pk))
    p.select_option("#id_kind", "classroom")
    p.fill("#id_location", "服务大厅二楼培训教室")
    inst.click("main form.stack button.primary")
    inst.click("nav.subnav >> text=机构首页")
    inst.click("text=申请开班")
    past = 19  # 19 past mornings of 4 课时 (by the service) + today's 4 课时 (by the page) = 80 课时
    p.select_option("#id_item", str(item.pk))
    p.fill("#id_title", "低压电工作业培训班（市场教室）")
    p.select_option("#id_venue_kind", "market_classroom")
    p.select_option("#id_market", str(market.pk))
    p.fill("#id_capacity", "30")
    p.fill("#id_starts_on", (today - dt.timedelta(days=past)).isoformat())
    p.fill("#id_ends_on", today.isoformat())
    p.fill("#id_enrollment_closes_on", today.isoformat())
    inst.click("main form button[type=submit]")
    training_class = TrainingClass.objects.get()
    assert training_class.market_id == market.pk and list(training_class.signup_points.all())
    for i in range(past, 0, -1):
        start = dt.datetime.combine(today - dt.timedelta(days=i), dt.time(9, 0), tzinfo=SHANGHAI)
        class_services.session_add(
            training_class,
            founder,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=3),
            topic=f"第{past - i + 1}讲",
        )
    now = timezone.localtime(timezone.now(), SHANGHAI).replace(second=0, microsecond=0)
    starts, ends = now - dt.timedelta(minutes=2), now + dt.timedelta(minutes=178)  # 180 min: 4 课时
    p.fill("#id_session-starts_at", starts.strftime("%Y-%m-%dT%H:%M"))
    p.fill("#id_session-ends_at", ends.strftime("%Y-%m-%dT%H:%M"))
    p.fill("#id_session-topic", "实操考核前复习")
    inst.click("form:has(input[value=session_add]) button[type=submit]")
    assert class_services.class_hours_of(training_class) == 80
    inst.click("form:has(input[value=submit]) button.primary")
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.SUBMITTED
    _admin_action(staff, "trainingclass", training_class.title, "approve_classes")
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.APPROVED

    # 4. 29 seats taken by the service; the 30th worker finds the class from `/` and enrolls; a 31st waits
    for _i in range(29):
        other = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
        enroll(training_class, other, other)
    worker = make_worker(unit=county_a)
    person_category_record(
        person=worker,
        actor=officer,
        category=PersonCategoryKind.FLEXIBLE,
        valid_from=today - dt.timedelta(days=60),
        evidence="灵活就业登记",
    )
    phone = Person(
        chromium,
        base,
        "worker",
        viewport={"width": 360, "height": 740},
        geolocation={"latitude": training_class.venue_lat, "longitude": training_class.venue_lng},
        permissions=["geolocation"],
    )
    w = phone.page
    w.goto(base + "/")
    phone.click("main >> text=技能培训")
    w.select_option("#id_occupation", "electrician")
    phone.click("form[role=search] button[type=submit]")
    phone.click(f"text={training_class.title}")
    phone.click("text=登录后报名")
    phone.log_in_here(worker.phone)
    phone.shot("class-page")
    phone.click("form[action$='/enroll/'] button.primary")
    assert "报名成功" in phone.messages()
    mine = Enrollment.objects.get(training_class=training_class, worker=worker)
    assert mine.status == EnrollmentStatus.ENROLLED
    late = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
    assert enroll(training_class, late, late).status == EnrollmentStatus.WAITLISTED
    training_class.refresh_from_db()
    assert (training_class.enrolled_count, training_class.waitlist_count) == (30, 1)
    assert (
        Enrollment.objects.filter(training_class=training_class, status=EnrollmentStatus.ENROLLED).count()
        == 30
    )

    # 5. today's session: the classroom screen from the class page, the phone follows its sign-in link
    inst.nav("我的机构")
    inst.click(f"text={training_class.title}")
    today_session = training_class.sessions.get(starts_at=starts)
    inst.click(f"[data-session-qr='{today_session.pk}']")
    assert p.locator("svg.qr").count() == 1
    inst.shot("session-qr")
    signin_url = p.locator("#signin-url").get_attribute("href")
    assert signin_url.startswith(f"{base}/training/signin/{today_session.pk}/?t=")
    w.goto(signin_url)  # what the phone's camera opens from the QR code
    w.click("[data-signin-gps]")  # the location script fills the position and submits
    w.wait_for_selector("#signin-result")
    signed = Attendance.objects.get(session=today_session, enrollment=mine)
    assert signed.status_id == "present" and signed.method == "qr" and not signed.flagged
    # the earlier sessions: the teacher marks the first on the sheet, the rest through the service
    inst.click("text=考勤表")
    earlier = list(training_class.sessions.exclude(pk=today_session.pk).order_by("starts_at"))
    sheet_form = p.locator(f"form:has(input[name=session][value='{earlier[0].pk}'])")
    sheet_form.locator("select[name=enrollment]").select_option(str(mine.pk))
    sheet_form.locator("select[name=status]").select_option("present")
    with p.expect_navigation():
        sheet_form.locator("button[type=submit]").click()
    assert "已登记考勤" in inst.messages()
    for session in earlier[1:]:
        attendance_services.teacher_mark(
            session=session, enrollment=mine, status_code="present", actor=founder
        )
    mine.refresh_from_db()
    assert mine.hours_attended == 80

    # 6. after the last session: the pass and the certificate on the results page
    with time_machine.travel(ends + dt.timedelta(minutes=10), tick=True):
        inst.click("text=结业与证书")
        row = p.locator("tbody tr").filter(has=p.locator("th", has_text=re.compile(rf"#{mine.pk}$")))
        row.locator("input[name=exam_score]").fill("92")
        row.locator("input[name=passed]").check()
        inst.click(f"tbody tr:has(input[name=enrollment][value='{mine.pk}']) button:has-text('登记结果')")
        assert "已登记结业结果" in inst.messages()
        row = p.locator(f"tbody tr:has(input[name=enrollment][value='{mine.pk}'])")
        row.locator("input[name=number]").fill("T370702202600321")
        row.locator("input[name=issuer]").fill("潍坊市应急管理局")
        row.locator("input[name=issued_on]").fill(timezone.localdate().isoformat())
        inst.click(f"tbody tr:has(input[name=enrollment][value='{mine.pk}']) button:has-text('登记证书')")
        assert "已登记证书" in inst.messages()
        mine.refresh_from_db()
        assert mine.status == EnrollmentStatus.COMPLETED
        certificate = Certificate.objects.get(profile__user=worker, number="T370702202600321")
        assert certificate.status == CertificateStatus.VERIFIED

        # 7. the licensed electrician posting now takes the worker's application
        posting = published_posting(
            scope_unit=county_a,
            occupation=Occupation.objects.get(code="electrician"),
            title="低压配电维修电工 一天",
            description="小区配电箱检修，须持低压电工作业证。",
        )
        phone.nav("找活")
        phone.click(f"text={posting.title}")
        phone.click("form[action$='/apply/'] button.primary")
        application = Application.objects.get(posting=posting, worker=worker)
        assert application.status == "applied"

        # 8. 我的培训 from the worker's home, the claim with the calculator's figures
        phone.nav("我的找活")
        phone.click("main >> text=我的培训")
        phone.click(f"li.enrollment-item[data-id='{mine.pk}'] >> text=申领培训补贴")
        phone.shot("claim")
        # electrician-special: rate ¥800, cap ¥800, no higher rate for work after training; the class is
        # free (fee 0, so no fee cap): 800
        assert "800" in w.locator("main").inner_text()
        phone.click("main form button[type=submit]")
        assert "800" in phone.messages()
        inst.nav("我的机构")
        inst.click("nav.subnav >> text=补贴申领")  # the institution sees the claim made in its trainee's name
        assert "800" in p.locator("main").inner_text()

    claim = TrainingClaim.objects.get(enrollment=mine)
    assert claim.status == ClaimStatus.SUBMITTED
    assert claim.amount == Decimal("800.00")
    assert claim.rule_version and claim.evidence_sha256
