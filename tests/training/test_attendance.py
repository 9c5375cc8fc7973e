"""Attendance that cannot be faked: the rotating QR code, the sign-in window, the geofence, one device per
person per session, statuses from data, teacher and counter marks, exact hours, private photos, scope."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.choices import Role
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog
from training.choices import AttendanceMethod, ClassMode, ClassStatus, EnrollmentStatus
from training.models import Attendance, Enrollment, SignInAttempt
from training.services import attendance as svc

from ..accounts.factories import UserFactory
from ..conftest import nothing_written
from .factories import enroll, institution_member, make_class, make_institution
from .factories_attendance import (
    DEVICE_A,
    DEVICE_B,
    M_PER_DEG_LAT,
    PERIOD,
    at,
    first_session,
    png_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(worker):
    institution = make_institution()
    training_class = make_class(institution, sessions=2)
    enrollment = enroll(training_class, worker)
    session = first_session(training_class)
    return training_class, enrollment, session


def sign(session, worker, *, when, token=None, device=DEVICE_A, lat=None, lng=None, **extra):
    training_class = session.training_class
    token = token if token is not None else svc.qr_token(session, svc.qr_step(when))
    return svc.qr_sign_in(
        session=session,
        worker=worker,
        token=token,
        lat=training_class.venue_lat if lat is None else lat,
        lng=training_class.venue_lng if lng is None else lng,
        device_id=device,
        now=when,
        **extra,
    )


# --- the rotating code --------------------------------------------------------------------------------------


def test_the_code_is_the_hmac_of_the_secret_and_the_time_step(setup, settings):
    import hmac

    _, _, session = setup
    step = 1_000_000
    expected = hmac.new(
        (settings.SECRET_KEY + session.qr_secret).encode(), f"{session.pk}:{step}".encode(), hashlib.sha256
    ).hexdigest()[:16]
    assert svc.qr_token(session, step) == expected
    assert svc.qr_token(session, step + 1) != expected


def test_the_current_and_the_previous_code_are_accepted_and_nothing_older(setup):
    _, _, session = setup
    t0 = at(session, 0)
    token = svc.qr_token(session, svc.qr_step(t0))
    assert svc.qr_token_valid(session, token, t0)
    assert svc.qr_token_valid(session, token, t0 + dt.timedelta(seconds=PERIOD + 1))  # the next period
    assert not svc.qr_token_valid(session, token, t0 + dt.timedelta(seconds=2 * PERIOD + 1))


# --- sign-in ------------------------------------------------------------------------------------------------


def test_a_valid_sign_in_writes_one_row_present_with_the_hours(setup, worker):
    training_class, enrollment, session = setup
    when = at(session, 5)  # 5 minutes after the start: not later than the 15 of "late"
    row = sign(session, worker, when=when)
    assert Attendance.objects.filter(session=session).count() == 1
    row.refresh_from_db()
    assert row.status_id == "present" and row.method == AttendanceMethod.QR
    assert row.distance_m == 0 and row.signed_at == when and not row.flagged
    assert row.device_hash and DEVICE_A not in row.device_hash
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 4  # one session of 4 class hours
    assert AuditLog.objects.filter(object_id=str(row.pk), action="create").exists()


def test_a_sign_in_later_than_late_after_minutes_is_late(setup, worker):
    _, enrollment, session = setup
    row = sign(session, worker, when=at(session, 16))  # 16 > 15 minutes after the start
    assert row.status_id == "late"
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 4  # late still counts its hours


def test_exactly_at_the_late_threshold_is_still_present(setup, worker):
    _, _, session = setup
    assert sign(session, worker, when=at(session, 15)).status_id == "present"


def test_an_expired_code_is_refused_and_nothing_is_written(setup, worker):
    _, enrollment, session = setup
    t0 = at(session, 0)
    token = svc.qr_token(session, svc.qr_step(t0))
    later = t0 + dt.timedelta(seconds=2 * PERIOD + 1)  # two periods on: the photo of the screen is stale
    with time_machine.travel(later, tick=False), nothing_written():
        with pytest.raises(DomainError) as exc:
            sign(session, worker, when=later, token=token)
    assert exc.value.code == "token_expired"
    assert str(exc.value.message) == "签到码已过期，请扫描教室屏幕上的最新二维码"
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 0


def test_outside_the_geofence_is_refused_with_the_distance(setup, worker):
    training_class, enrollment, session = setup
    assert training_class.geofence_m == 200
    with nothing_written(), pytest.raises(DomainError) as exc:
        sign(session, worker, when=at(session, 1), lat=training_class.venue_lat + 0.01)
    assert exc.value.code == "outside_geofence"
    assert str(round(0.01 * M_PER_DEG_LAT)) in str(exc.value.message)  # 1112 metres
    assert not Attendance.objects.exists()


def test_a_second_person_on_the_same_device_is_refused_and_the_attempt_recorded(setup, worker):
    training_class, first, session = setup
    friend = UserFactory(roles=[Role.WORKER])
    second = enroll(training_class, friend)
    mine = sign(session, worker, when=at(session, 1))
    with pytest.raises(DomainError) as exc:
        sign(session, friend, when=at(session, 2))
    assert exc.value.code == "device_used"
    assert not Attendance.objects.filter(enrollment=second).exists()
    assert Attendance.objects.filter(session=session).count() == 1
    second.refresh_from_db()
    assert second.hours_attended == 0
    attempt = SignInAttempt.objects.get()
    assert attempt.enrollment == second and attempt.device_of == mine and attempt.session == session
    # the same friend on their own phone signs in
    assert sign(session, friend, when=at(session, 3), device=DEVICE_B).enrollment == second


def test_signing_in_again_returns_the_row_already_there(setup, worker):
    _, enrollment, session = setup
    row = sign(session, worker, when=at(session, 1))
    with nothing_written():
        again = sign(session, worker, when=at(session, 20))
    assert again.pk == row.pk and again.status_id == "present"


def test_only_an_enrolled_trainee_signs_in(setup):
    training_class, _, session = setup
    waiting = enroll(training_class, status=EnrollmentStatus.WAITLISTED)
    with nothing_written(), pytest.raises(NotPermitted):
        sign(session, waiting.worker, when=at(session, 1))
    with pytest.raises(NotPermitted):
        sign(session, UserFactory(roles=[Role.WORKER]), when=at(session, 1))


def test_sign_in_only_within_the_window(setup, worker, settings):
    _, _, session = setup
    opens = settings.LINGONG_TRAINING_SIGNIN_OPENS_MINUTES
    with pytest.raises(DomainError) as exc:
        sign(session, worker, when=at(session, -opens - 1))
    assert exc.value.code == "signin_not_open"
    with pytest.raises(DomainError) as exc:
        sign(session, worker, when=session.ends_at + dt.timedelta(minutes=1))
    assert exc.value.code == "signin_closed"
    assert sign(session, worker, when=at(session, -opens + 1)).status_id == "present"


def test_without_a_position_or_a_device_id_an_offline_sign_in_is_refused(setup, worker):
    _, _, session = setup
    token = svc.qr_token(session, svc.qr_step(at(session, 1)))
    with nothing_written(), pytest.raises(DomainError) as exc:
        svc.qr_sign_in(session=session, worker=worker, token=token, device_id=DEVICE_A, now=at(session, 1))
    assert exc.value.code == "position_required"
    with pytest.raises(DomainError) as exc:
        sign(session, worker, when=at(session, 1), device="")
    assert exc.value.code == "device_required"


def test_an_online_class_signs_in_by_the_code_only(worker):
    training_class = make_class(sessions=1, mode=ClassMode.ONLINE, online_platform="某某学习平台")
    enroll(training_class, worker)
    session = first_session(training_class)
    when = at(session, 1)
    row = svc.qr_sign_in(
        session=session,
        worker=worker,
        token=svc.qr_token(session, svc.qr_step(when)),
        device_id=DEVICE_A,
        now=when,
    )
    assert row.distance_m is None and row.status_id == "present"


def test_a_position_typed_by_hand_is_accepted_inside_the_fence_but_flagged(setup, worker):
    _, _, session = setup
    row = sign(session, worker, when=at(session, 1), manual_position=True)
    row.refresh_from_db()
    assert row.flagged and "手动" in row.flag_reason


def test_a_photo_is_stored_privately_with_its_hash(setup, worker, settings, tmp_path):
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    _, _, session = setup
    photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    row = sign(session, worker, when=at(session, 1), photo=photo)
    row.refresh_from_db()
    stored = row.photo.read()
    assert stored[:3] == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert row.photo_sha256 == hashlib.sha256(stored).hexdigest()
    assert str(tmp_path) in row.photo.path
    with pytest.raises(ValueError):
        row.photo.url  # noqa: B018 — private files have no URL


def test_a_file_that_is_not_an_image_is_refused(setup, worker, settings, tmp_path):
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    _, _, session = setup
    fake = SimpleUploadedFile("me.png", b"<script>alert(1)</script>", content_type="image/png")
    with nothing_written(), pytest.raises(DomainError) as exc:
        sign(session, worker, when=at(session, 1), photo=fake)
    assert exc.value.code == "invalid_photo"


# --- marks --------------------------------------------------------------------------------------------------


def test_the_teacher_marks_and_is_recorded_and_a_change_keeps_the_previous_status(setup):
    training_class, enrollment, session = setup
    teacher = institution_member(training_class.institution, admin=False, teacher=True)
    row = svc.teacher_mark(session=session, enrollment=enrollment, status_code="absent", actor=teacher)
    row.refresh_from_db()
    assert row.marked_by == teacher and row.method == AttendanceMethod.TEACHER and row.status_id == "absent"
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 0
    svc.teacher_mark(
        session=session, enrollment=enrollment, status_code="present", actor=teacher, note="补登"
    )
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 4
    change = AuditLog.objects.filter(object_id=str(row.pk), action="update").get()
    assert change.before["status"] == "absent" and change.after["status"] == "present"
    assert Attendance.objects.filter(session=session).count() == 1


def test_hours_are_the_sum_of_the_sessions_whose_status_counts(worker):
    training_class = make_class(sessions=3, hours_per_session=4)
    enrollment = enroll(training_class, worker)
    teacher = institution_member(training_class.institution, teacher=True)
    s1, s2, s3 = training_class.sessions.order_by("starts_at")
    for session, code in ((s1, "present"), (s2, "late"), (s3, "excused")):
        svc.teacher_mark(session=session, enrollment=enrollment, status_code=code, actor=teacher)
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 4 + 4 + 0


def test_marks_stop_when_the_class_is_completed(setup):
    training_class, enrollment, session = setup
    teacher = institution_member(training_class.institution, teacher=True)
    svc.teacher_mark(session=session, enrollment=enrollment, status_code="present", actor=teacher)
    type(training_class).objects.filter(pk=training_class.pk).update(status=ClassStatus.COMPLETED)
    with nothing_written(), pytest.raises(InvalidTransition):
        svc.teacher_mark(session=session, enrollment=enrollment, status_code="absent", actor=teacher)


def test_who_may_mark(setup, worker, officer, officer_b):
    training_class, enrollment, session = setup
    other_institution = institution_member(make_institution(), teacher=True)
    with pytest.raises(NotFound):
        svc.teacher_mark(
            session=session, enrollment=enrollment, status_code="present", actor=other_institution
        )
    with pytest.raises(NotFound):
        svc.teacher_mark(session=session, enrollment=enrollment, status_code="present", actor=officer_b)
    with pytest.raises(NotPermitted):  # the trainee sees their own record but does not mark it
        svc.teacher_mark(session=session, enrollment=enrollment, status_code="present", actor=worker)
    row = svc.teacher_mark(session=session, enrollment=enrollment, status_code="excused", actor=officer)
    assert row.marked_by == officer


def test_the_counter_marks_for_the_worker_it_serves(setup, worker, officer):
    _, enrollment, session = setup
    row = svc.counter_mark(session=session, worker=worker, status_code="present", actor=officer)
    assert row.method == AttendanceMethod.COUNTER and row.marked_by == officer
    log = AuditLog.objects.filter(object_id=str(row.pk)).get()
    assert log.on_behalf_of == worker
    with pytest.raises(NotPermitted):
        svc.counter_mark(session=session, worker=worker, status_code="present", actor=worker)


def test_attendance_rows_are_scoped(setup, worker, officer, officer_b):
    training_class, enrollment, session = setup
    svc.teacher_mark(session=session, enrollment=enrollment, status_code="present", actor=officer)
    member = institution_member(training_class.institution)
    assert svc.attendance_visible_to(worker).count() == 1
    assert svc.attendance_visible_to(officer).count() == 1
    assert svc.attendance_visible_to(member).count() == 1
    assert svc.attendance_visible_to(officer_b).count() == 0
    assert Enrollment.objects.visible_to(officer_b).count() == 0


# --- pages --------------------------------------------------------------------------------------------------


def test_the_classroom_screen_shows_the_rotating_code_to_the_institution_only(
    setup, client_as, worker, officer_b
):
    training_class, _, session = setup
    member = institution_member(training_class.institution)
    url = reverse("training:session_qr", args=[session.pk])
    when = at(session, 1)
    with time_machine.travel(when, tick=False):
        response = client_as(member).get(url)
        assert response.status_code == 200
        body = response.content.decode()
        assert "<svg" in body and f'content="{PERIOD}"' in body  # reloads itself each period, no JavaScript
        assert svc.qr_token(session, svc.qr_step(when)) in body  # the URL in the code carries the token
        assert client_as(officer_b).get(url).status_code == 404
        assert client_as(worker).get(url).status_code == 404


def test_the_sign_in_page_sets_the_device_cookie_and_signs_in(setup, client_as, worker):
    training_class, enrollment, session = setup
    client = client_as(worker)
    url = reverse("training:signin", args=[session.pk])
    when = at(session, 2)
    token = svc.qr_token(session, svc.qr_step(when))
    with time_machine.travel(when, tick=False):
        page = client.get(url, {"t": token})
        assert page.status_code == 200 and svc.DEVICE_COOKIE in page.cookies
        data = {"t": token, "lat": training_class.venue_lat, "lng": training_class.venue_lng, "manual": ""}
        response = client.post(url, data)
    assert response.status_code == 200
    row = Attendance.objects.get(enrollment=enrollment)
    assert row.status_id == "present" and not row.flagged
    assert row.device_hash == svc.device_hash(page.cookies[svc.DEVICE_COOKIE].value)
    assert "已签到" in response.content.decode()


def test_the_sign_in_page_refuses_a_second_person_on_the_same_phone(setup, client, worker):
    training_class, _, session = setup
    friend = UserFactory(roles=[Role.WORKER])
    second = enroll(training_class, friend)
    url = reverse("training:signin", args=[session.pk])
    when = at(session, 2)
    token = svc.qr_token(session, svc.qr_step(when))
    data = {"t": token, "lat": training_class.venue_lat, "lng": training_class.venue_lng, "manual": "1"}
    with time_machine.travel(when, tick=False):
        client.force_login(worker)
        client.get(url, {"t": token})
        assert client.post(url, data).status_code == 200
        client.force_login(friend)  # the same browser, so the same device cookie
        response = client.post(url, data)
    assert response.status_code == 400
    assert "一部手机每节课只能为一人签到" in response.content.decode()
    assert not Attendance.objects.filter(enrollment=second).exists()
    assert SignInAttempt.objects.filter(enrollment=second).count() == 1
    assert Attendance.objects.get().flagged  # the position was typed in by hand


def test_the_sign_in_page_is_404_for_someone_not_in_the_class(setup, client_as):
    _, _, session = setup
    outsider = UserFactory(roles=[Role.WORKER])
    assert client_as(outsider).get(reverse("training:signin", args=[session.pk])).status_code == 404


def test_the_attendance_sheet_marks_and_is_scoped(setup, client_as, officer_b, worker):
    training_class, enrollment, session = setup
    teacher = institution_member(training_class.institution, teacher=True)
    url = reverse("training:attendance_sheet", args=[training_class.pk])
    assert client_as(officer_b).get(url).status_code == 404
    assert client_as(worker).get(url).status_code == 404
    client = client_as(teacher)
    response = client.post(url, {"session": session.pk, "enrollment": enrollment.pk, "status": "late"})
    assert response.status_code == 302
    row = Attendance.objects.get(enrollment=enrollment)
    assert row.marked_by == teacher and row.status_id == "late"
    page = client.get(url)
    assert page.status_code == 200 and "迟到" in page.content.decode()


def test_a_photo_is_served_only_to_the_institution_and_scoped_staff(
    setup, worker, officer, officer_b, client_as, client, settings, tmp_path
):
    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    training_class, _, session = setup
    photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    row = sign(session, worker, when=at(session, 1), photo=photo)
    url = reverse("training:attendance_photo", args=[row.pk])
    member = institution_member(training_class.institution)
    ok = client_as(member).get(url)
    assert ok.status_code == 200 and b"".join(ok.streaming_content)[:3] == b"\xff\xd8\xff"
    assert client_as(officer).get(url).status_code == 200
    assert client_as(officer_b).get(url).status_code == 404
    assert client_as(institution_member(make_institution())).get(url).status_code == 404
    assert client_as(UserFactory(roles=[Role.WORKER])).get(url).status_code == 404
    assert client.get(url).status_code == 302  # to the login page


def test_the_counter_marks_for_the_worker_it_serves_by_page(setup, client_as, officer, worker):
    _, enrollment, session = setup
    client = client_as(officer)
    s = client.session
    s["jobs_counter_worker"] = worker.pk
    s.save()
    url = reverse("training:counter_attendance")
    page = client.get(url)
    assert page.status_code == 200 and session.training_class.title in page.content.decode()
    assert client.post(url, {"session": session.pk, "status": "present"}).status_code == 302
    row = Attendance.objects.get(enrollment=enrollment)
    assert row.method == AttendanceMethod.COUNTER and row.marked_by == officer
    assert client_as(worker).get(url).status_code == 404


# --- API ----------------------------------------------------------------------------------------------------


def test_api_qr_for_the_classroom_screen_of_a_member(setup, api_as, worker, officer_b):
    training_class, _, session = setup
    member = institution_member(training_class.institution)
    url = f"/api/v1/training-sessions/{session.pk}/qr/"
    when = at(session, 1)
    with time_machine.travel(when, tick=False):
        response = api_as(member).get(url)
        assert response.status_code == 200
        assert response.json()["token"] == svc.qr_token(session, svc.qr_step(when))
        assert response.json()["period_seconds"] == PERIOD
        assert api_as(officer_b).get(url).status_code == 404
        assert api_as(worker).get(url).status_code == 404
    assert "qr_secret" not in api_as(member).get("/api/v1/training-sessions/").content.decode()


def test_api_sign_in_then_refusal_of_a_second_person_on_the_device(setup, api_as, api, worker):
    training_class, enrollment, session = setup
    friend = UserFactory(roles=[Role.WORKER])
    second = enroll(training_class, friend)
    url = f"/api/v1/training-sessions/{session.pk}/sign-in/"
    when = at(session, 20)  # 20 > 15 minutes after the start: late
    data = {
        "token": svc.qr_token(session, svc.qr_step(when)),
        "lat": training_class.venue_lat,
        "lng": training_class.venue_lng,
        "device_id": DEVICE_A,
    }
    with time_machine.travel(when, tick=False):
        assert api.post(url, data, format="json").status_code in (401, 403)
        response = api_as(worker).post(url, data, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["status"] == "late"
        refused = api_as(friend).post(url, data, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "device_used"
    assert Attendance.objects.filter(enrollment=enrollment, status_id="late").count() == 1
    assert not Attendance.objects.filter(enrollment=second).exists()


def test_api_attendance_is_scoped_and_marked_by_teachers(setup, api_as, worker, officer_b, officer):
    training_class, enrollment, session = setup
    teacher = institution_member(training_class.institution, teacher=True)
    payload = {"session": session.pk, "enrollment": enrollment.pk, "status": "excused", "note": "病假"}
    assert (
        api_as(officer_b).post("/api/v1/training-attendance/mark/", payload, format="json").status_code == 404
    )
    assert api_as(worker).post("/api/v1/training-attendance/mark/", payload, format="json").status_code == 403
    response = api_as(teacher).post("/api/v1/training-attendance/mark/", payload, format="json")
    assert response.status_code == 200 and response.json()["marked_by"] == teacher.pk
    row = Attendance.objects.get(enrollment=enrollment)
    assert row.status_id == "excused" and row.marked_by == teacher and row.note == "病假"
    for user, count in ((worker, 1), (officer, 1), (teacher, 1), (officer_b, 0)):
        listed = api_as(user).get("/api/v1/training-attendance/")
        assert listed.status_code == 200 and listed.json()["count"] == count
    body = api_as(officer).get("/api/v1/training-attendance/").content.decode()
    assert "device_hash" not in body and '"lat"' not in body
    assert api_as(officer_b).get(f"/api/v1/training-attendance/{row.pk}/").status_code == 404


# --- admin --------------------------------------------------------------------------------------------------


def test_admin_lists_in_scope_and_corrects_through_the_service(setup, client_as, officer, officer_b, worker):
    training_class, enrollment, session = setup
    row = sign(session, worker, when=at(session, 1))
    client = client_as(officer)
    for model in ("attendance", "signinattempt", "trainingresult", "trainingcertificate", "attendancestatus"):
        assert client.get(f"/admin/training/{model}/").status_code == 200, model
    page = client.get(f"/admin/training/attendance/{row.pk}/change/")
    assert page.status_code == 200
    other = client_as(officer_b).get(f"/admin/training/attendance/{row.pk}/change/", follow=True)
    assert other.redirect_chain == [("/admin/", 302)]
    response = client.post(
        "/admin/training/attendance/", {"action": "mark_excused", "_selected_action": [row.pk]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status_id == "excused" and row.marked_by == officer and row.method == AttendanceMethod.TEACHER
    enrollment.refresh_from_db()
    assert enrollment.hours_attended == 0


# --- concurrency and query counts ---------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ins_from_one_device_sign_in_one_person(county_a):
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    from django.apps import apps

    from training.reference import seed_reference

    seed_reference(apps.get_model)
    training_class = make_class(sessions=1)
    people = [UserFactory(roles=[Role.WORKER]) for _ in range(6)]
    for person in people:
        enroll(training_class, person)
    session = first_session(training_class)
    when = at(session, 1)
    barrier = threading.Barrier(len(people))
    outcomes = []

    def go(person):
        barrier.wait()
        try:
            sign(session, person, when=when)
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=go, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1 and outcomes.count("device_used") == 5
    assert Attendance.objects.filter(session=session).count() == 1
    assert SignInAttempt.objects.filter(session=session).count() == 5


def test_the_attendance_list_does_not_grow_queries_with_rows(
    setup, api_as, officer, django_assert_max_num_queries
):
    training_class, enrollment, session = setup
    for _ in range(5):
        other = enroll(training_class)
        svc.teacher_mark(session=session, enrollment=other, status_code="present", actor=officer)
    client = api_as(officer)
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/training-attendance/")
    assert response.json()["count"] == 5
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/training-sessions/").json()["count"] == 2
