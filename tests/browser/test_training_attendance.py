"""Training sign-in in Chromium: the teacher's classroom screen shows the rotating code; a trainee's phone
opens the sign-in page from it, the location script sends the phone's position (inside the fence) and the
trainee is signed in; a second trainee on the same phone is refused and the attempt shows on the sheet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from accounts.choices import Role
from tests.accounts.factories import UserFactory

PASSWORD = "pass-word-123"


def _log_in(page, base, phone):
    page.goto(base + "/accounts/login/")
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_trainee_signs_in_by_location_and_a_shared_phone_is_refused(chromium, live_server, county_a):
    from django.apps import apps

    from tests.training.factories import enroll, institution_member, make_class
    from training.models import Attendance, ClassSession, SignInAttempt
    from training.reference import seed_reference

    seed_reference(apps.get_model)  # transactional tests flush the seeded reference data
    training_class = make_class(starts_on=timezone.localdate(), sessions=0)
    now = timezone.now()
    session = ClassSession.objects.create(
        training_class=training_class,
        starts_at=now - dt.timedelta(minutes=5),
        ends_at=now + dt.timedelta(hours=3),
        class_hours=4,
    )
    teacher = institution_member(training_class.institution, teacher=True, phone="13900000201")
    worker = UserFactory(scope_unit=county_a, roles=[Role.WORKER], phone="13900000202")
    friend = UserFactory(scope_unit=county_a, roles=[Role.WORKER], phone="13900000203")
    mine, theirs = enroll(training_class, worker), enroll(training_class, friend)
    base = live_server.url

    screen = chromium.new_context(locale="zh-CN").new_page()
    _log_in(screen, base, teacher.phone)
    screen.goto(f"{base}/training/institution/sessions/{session.pk}/qr/")
    assert screen.locator("svg.qr").count() == 1
    token = screen.locator("#qr-token").inner_text().strip()

    phone = chromium.new_context(
        viewport={"width": 360, "height": 740},
        locale="zh-CN",
        geolocation={"latitude": training_class.venue_lat, "longitude": training_class.venue_lng},
        permissions=["geolocation"],
    )
    page = phone.new_page()
    _log_in(page, base, worker.phone)
    page.goto(f"{base}/training/signin/{session.pk}/?t={token}")
    page.click("[data-signin-gps]")  # shown by the script; it fills the position and submits
    page.wait_for_selector("#signin-result")
    row = Attendance.objects.get(enrollment=mine)
    assert row.status_id == "present" and not row.flagged and row.distance_m == 0

    # the same phone, another trainee: the login goes, the device cookie stays
    kept = [c for c in phone.cookies() if c["name"] == "lingong_training_device"]
    assert kept and kept[0]["httpOnly"]
    phone.clear_cookies()
    phone.add_cookies(kept)
    _log_in(page, base, friend.phone)
    page.goto(f"{base}/training/signin/{session.pk}/?t={token}")
    page.click("[data-signin-gps]")
    page.wait_for_selector(".msg-error")
    assert "一部手机每节课只能为一人签到" in page.content()
    assert not Attendance.objects.filter(enrollment=theirs).exists()
    assert SignInAttempt.objects.filter(enrollment=theirs).count() == 1

    screen.goto(f"{base}/training/institution/classes/{training_class.pk}/attendance/")
    assert "尝试为" in screen.content()
