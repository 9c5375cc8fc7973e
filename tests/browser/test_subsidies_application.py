"""Issue 17's application workflow by pages, in Chromium, from `/` by clicks: a certified worker with settled
work and a confirmed contribution last month signs in, opens "what can I get", follows 申请 (the calculator's
amount pre-filled), confirms and submits, and reads the status in plain words; county staff sign in, open the
application in the admin queue and approve it; city staff do the city review; the stored status is public
notice, and the public notice page shows the masked name. Screenshots go to /tmp/h64_shots/."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from tests.accounts.factories import UserFactory

from .test_training_journey import Person

SHOTS = "/tmp/h64_shots"


def _shot(person: Person, what: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    person.page.screenshot(path=os.path.join(SHOTS, f"{what}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_worker_applies_and_county_and_city_staff_review_in_the_admin(chromium, live_server, county_a):
    from django.apps import apps

    from core.months import month_start, previous_month
    from jobs.models import Occupation
    from subsidies.choices import ApplicationStatus
    from subsidies.models import Application, Budget
    from tests.subsidies.factories import certify, contribution, program, work_days

    if not Occupation.objects.exists():  # transactional tests flush the seeded occupations: put them back
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(apps, None)
    base = live_server.url
    person = UserFactory(
        scope_unit=county_a,
        roles=[Role.WORKER],
        birth_date=dt.date(1980, 6, 15),
        gender="M",
        real_name="李大成",
        phone="13900006401",
    )
    last = previous_month(month_start(timezone.localdate()))
    certify(person, valid_from=last - dt.timedelta(days=300))
    work_days(person, last, 5)
    contribution(person, last)
    Budget.objects.create(
        program_type=program(), scope_unit=county_a, year=last.year, amount=Decimal("50000")
    )
    county = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900006402")
    city = UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF], phone="13900006403")

    # 1. the worker, on a phone: home → what can I get → 申请 → submit
    worker = Person(chromium, base, "worker", viewport={"width": 390, "height": 844})
    w = worker.page
    worker.log_in(person.phone)
    worker.click('main >> text="我能享受什么补贴"')
    card = w.locator('li.program[data-program="flexible_social_insurance"] section.period').first
    assert f"{last:%Y-%m}" in card.inner_text()
    worker.click(
        'li.program[data-program="flexible_social_insurance"] section.period >> nth=0 >> text="申请"'
    )
    # 2/3 × min(800 + 320, 4,000 × 0.28) = 746.67, pre-filled from the calculator
    assert w.locator("#id_amount").input_value() == "746.67"
    w.check("#id_confirm")
    _shot(worker, "apply")
    worker.click("main form button.primary")
    app = Application.objects.get(person=person)
    assert app.status == ApplicationStatus.SUBMITTED and app.amount_requested == Decimal("746.67")
    assert "等待县（市、区）人社局受理审核" in w.locator("p.status").inner_text()
    _shot(worker, "status_submitted")

    # 2. county staff: the admin queue, the application, 县级审核 → 通过
    staff = Person(chromium, base, "county", viewport={"width": 1280, "height": 900})
    s = staff.page
    staff.log_in(county.phone)
    staff.click("a[href='/']")
    staff.nav("管理后台")
    staff.click("a[href$='/admin/subsidies/application/'] >> nth=0")
    staff.click(f"a:text-is('{app.number}')")
    staff.click(".field-steps a.button:text-is('县级审核')")
    s.check("input[name=outcome][value=approve]")
    staff.click("#content form input[type=submit]")
    app.refresh_from_db()
    assert (app.status, app.county_reviewer_id) == (ApplicationStatus.CITY_REVIEW, county.pk)

    # 3. city staff: the city queue, 市级复核 → 通过
    reviewer = Person(chromium, base, "city", viewport={"width": 1280, "height": 900})
    c = reviewer.page
    reviewer.log_in(city.phone)
    reviewer.click("a[href='/']")
    reviewer.nav("管理后台")
    reviewer.click("a[href$='/admin/subsidies/application/'] >> nth=0")
    reviewer.click(f"a:text-is('{app.number}')")
    reviewer.click(".field-steps a.button:text-is('市级复核')")
    c.check("input[name=outcome][value=approve]")
    reviewer.click("#content form input[type=submit]")
    app.refresh_from_db()
    assert (app.status, app.city_reviewer_id, app.amount_approved) == (
        ApplicationStatus.PUBLIC_NOTICE,
        city.pk,
        Decimal("746.67"),
    )
    _shot(reviewer, "admin_after_city")

    # 4. the worker reads the new status; the public notice shows the masked name and ID
    w.reload()
    assert "正在公示" in w.locator("p.status").inner_text()
    w.goto(base + "/subsidies/notice/")
    row = w.locator(f'li[data-number="{app.number}"]').inner_text()
    assert "李**" in row and "李大成" not in row and person.id_number not in row
    assert person.id_number[:6] in row and person.id_number[-4:] in row
    _shot(worker, "notice")
    for p in (worker, staff, reviewer):
        assert not p.errors, p.errors
        p.context.close()
