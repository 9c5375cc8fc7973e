"""The arrears blacklist by pages, in Chromium, from `/` (issue 16 must-show: a listed employer cannot publish
postings): county staff sign in, open the admin, list an employer of their county — first below the
provincial threshold (refused beside the amount), then above it with the payment order as basis; the employer
signs in and tries to submit a draft posting and sees the refusal; anyone finds the employer on the public
list from the footer, the responsible person's name masked. Stored state is checked at each step.
Screenshots go to /tmp/h42_shots/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from accounts.idgen import make_resident_id
from tests.accounts.factories import UserFactory

from .test_training_journey import Person

SHOTS = "/tmp/h42_shots"


class Shooter(Person):
    def shot(self, what: str) -> None:
        import os

        os.makedirs(SHOTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(SHOTS, f"{what}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_county_staff_list_an_employer_who_then_cannot_publish(chromium, live_server, county_a, monkeypatch):
    from disputes.models import BlacklistEntry
    from jobs.choices import PostingStatus
    from jobs.models import Posting
    from tests.jobs.factories import draft_posting, make_employer

    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)
    base = live_server.url
    today = timezone.localdate()
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900004201")
    owner = UserFactory(scope_unit=county_a, roles=[Role.EMPLOYER], phone="13900004202")
    employer = make_employer(unit=county_a, user=owner)
    posting = draft_posting(employer, title="小区绿化养护 两天")
    id_number = make_resident_id("370702", dt.date(1975, 3, 8), seq=21)

    # 1. county staff: `/` → 登录 → the admin → the blacklist → 增加
    staff = Shooter(chromium, base, "staff", viewport={"width": 1280, "height": 900})
    p = staff.page
    staff.log_in(officer.phone)
    if "/admin/" not in p.url:
        staff.nav("管理后台")
    staff.click("a[href$='/admin/disputes/blacklistentry/'] >> nth=0")
    staff.click("a.addlink[href$='/admin/disputes/blacklistentry/add/']")
    p.select_option("#id_employer", str(employer.pk))
    p.check("#id_basis_0")  # 责令限期支付逾期未支付，数额达到标准
    p.fill("#id_decided_on", today.isoformat())
    p.fill("#id_decision_number", "潍城人社失信〔2026〕3号")
    p.fill("#id_payment_order_number", "潍城人社限支〔2026〕12号")
    p.fill("#id_payment_order_deadline", (today - dt.timedelta(days=10)).isoformat())
    p.fill("#id_amount_unpaid", "8600")
    p.fill("#id_person0_name", "王建国")
    p.fill("#id_person0_id_number", id_number)
    # below the threshold: a 400 page with the error beside the amount, nothing stored
    with p.expect_navigation():
        p.click("input[name=list]")
    assert "未达到数额标准 10000.00 元" in p.locator(".errorlist").inner_text()
    staff.shot("1-below-threshold")
    assert not BlacklistEntry.objects.exists()
    staff.errors.clear()
    p.fill("#id_amount_unpaid", "12600")
    staff.click("input[name=list]")
    assert "已列入失信名单" in p.locator("ul.messagelist").inner_text()
    staff.shot("2-listed")
    entry = BlacklistEntry.objects.get()
    assert entry.employer == employer and entry.decided_by == officer
    assert entry.amount_unpaid == Decimal("12600.00") and entry.threshold_amount == Decimal("10000.00")
    assert entry.listed_from == today and entry.persons.get().id_number == id_number
    assert "王建国" not in p.content() and id_number not in p.content()

    # 2. the employer signs in from `/` and tries to submit the draft from their dashboard
    boss = Shooter(chromium, base, "employer", viewport={"width": 390, "height": 844}, is_mobile=True)
    boss.log_in(owner.phone)
    assert "/jobs/employer/" in boss.page.url
    boss.click("form[action$='/submit/'] button[type=submit]")
    refusal = boss.messages()
    assert "失信联合惩戒对象名单" in refusal and "不能发布岗位" in refusal
    boss.shot("3-employer-refused")
    posting.refresh_from_db()
    assert posting.status == PostingStatus.DRAFT
    assert not Posting.objects.filter(employer=employer, status=PostingStatus.PUBLISHED).exists()

    # 3. anyone: the footer's link to the public list, the person's name masked
    visitor = Shooter(chromium, base, "visitor", viewport={"width": 390, "height": 844}, is_mobile=True)
    visitor.page.goto(base + "/")
    visitor.click("footer >> text=欠薪失信名单")
    html = visitor.page.content()
    assert employer.display_name in html and "王**" in html and "王建国" not in html
    visitor.shot("4-public-list")
