"""Classes: the draft (a catalogue item with a rate in force, the venue rules, the county), sessions (whole
45-minute class hours, no overlap), submission (a filed institution, the catalogue's minimum class hours),
review by the class's county, start, completion after the last session, cancellation (enrolled workers
told) — through the services, the pages, the admin and the API."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from core.calendar import SHANGHAI
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from training.choices import ClassMode, ClassStatus, InstitutionStatus, VenueKind
from training.models import CatalogueRate, ClassSession, TrainingClass
from training.services import classes as services

from ..markets.factories import MarketFactory
from .factories import enroll, institution_member, item, make_class, make_institution

pytestmark = pytest.mark.django_db

START = dt.date(2026, 12, 7)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


def draft_data(venue_market, **over) -> dict:
    data = {
        "item": item("electrician-special").pk,
        "title": "低压电工第1期",
        "venue_kind": VenueKind.MARKET_CLASSROOM,
        "market": venue_market.pk,
        "capacity": 30,
        "waitlist_limit": 10,
        "starts_on": START.isoformat(),
        "ends_on": (START + dt.timedelta(days=30)).isoformat(),
        "teachers": "张工",
        "roster_plan": "面向市场内零工",
        "exam_plan": "应急管理部门考核",
    }
    data.update(over)
    return data


@pytest.fixture
def institution():
    return make_institution()


@pytest.fixture
def admin(institution):
    return institution_member(institution)


def test_draft_at_a_market_classroom_takes_the_market_county_and_coordinates(institution, admin, county_b):
    market = MarketFactory(scope_unit=county_b)
    training_class = services.class_save(institution, admin, draft_data(market))
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.DRAFT
    assert training_class.scope_unit == county_b  # the market's county, not the institution's (370702)
    assert (training_class.venue_lat, training_class.venue_lng) == (market.lat, market.lng)
    assert training_class.venue_name == market.name


def test_market_venue_needs_a_market(institution, admin):
    with pytest.raises(DomainError) as exc:
        services.class_save(institution, admin, draft_data(MarketFactory(), market=""))
    assert "market" in exc.value.fields
    assert not TrainingClass.objects.exists()


def test_online_class_needs_its_platform_and_has_no_geofence(institution, admin):
    data = draft_data(MarketFactory(), mode=ClassMode.ONLINE, venue_kind="", market="")
    with pytest.raises(DomainError) as exc:
        services.class_save(institution, admin, data)
    assert "online_platform" in exc.value.fields
    training_class = services.class_save(
        institution, admin, {**data, "online_platform": "潍坊职业培训云课堂"}
    )
    training_class.refresh_from_db()
    assert training_class.venue_lat is None and training_class.market is None
    assert training_class.scope_unit == institution.scope_unit


def test_other_venue_needs_address_and_coordinates(institution, admin):
    data = draft_data(
        MarketFactory(), venue_kind=VenueKind.OTHER, market="", venue_address="奎文区某实训基地"
    )
    with pytest.raises(DomainError) as exc:
        services.class_save(institution, admin, data)
    assert "venue_lat" in exc.value.fields
    training_class = services.class_save(
        institution, admin, {**data, "venue_lat": "36.7", "venue_lng": "119.1"}
    )
    assert training_class.scope_unit == institution.scope_unit


def test_refused_without_a_rate_in_force_on_the_start_date(institution, admin):
    market = MarketFactory()
    # the seeded city-wide rate is in force from 2025-07-01: a class starting before has none
    with pytest.raises(DomainError) as exc:
        services.class_save(
            institution, admin, draft_data(market, starts_on="2025-06-01", ends_on="2025-06-30")
        )
    assert exc.value.code == "no_rate_in_force" and "item" in exc.value.fields
    # a rate that ended: a county-specific later rate is not the city-wide one
    CatalogueRate.objects.filter(item=item("electrician-special")).update(effective_to=dt.date(2026, 11, 30))
    with pytest.raises(DomainError):
        services.class_save(institution, admin, draft_data(market))
    CatalogueRate.objects.create(
        item=item("electrician-special"),
        scope_unit=market.scope_unit,
        effective_from=dt.date(2026, 12, 1),
        min_class_hours=90,
        rate=Decimal("900"),
        source="县级通知",
    )
    assert services.class_save(institution, admin, draft_data(market)).pk


def test_session_class_hours_are_whole_45_minute_periods(institution, admin):
    training_class = services.class_save(institution, admin, draft_data(MarketFactory()))
    # 09:00–12:00 is 180 minutes = 4 × 45
    session = services.session_add(training_class, admin, starts_at=at(START, 9), ends_at=at(START, 12))
    assert session.class_hours == 4
    # 14:00–15:40 is 100 minutes = 2 whole periods (and 10 minutes)
    session = services.session_add(training_class, admin, starts_at=at(START, 14), ends_at=at(START, 15, 40))
    assert session.class_hours == 2
    with pytest.raises(DomainError) as exc:  # 3 class hours need 135 minutes; 18:00–19:30 is 90
        services.session_add(
            training_class, admin, starts_at=at(START, 18), ends_at=at(START, 19, 30), class_hours=3
        )
    assert exc.value.code == "class_hours_exceed_length"
    with pytest.raises(DomainError) as exc:
        services.session_add(training_class, admin, starts_at=at(START, 11), ends_at=at(START, 13))
    assert exc.value.code == "session_overlap"
    assert ClassSession.objects.filter(training_class=training_class).count() == 2


def _with_sessions(institution, admin, n: int, hours: int = 4) -> TrainingClass:
    training_class = services.class_save(institution, admin, draft_data(MarketFactory()))
    for i in range(n):
        day = START + dt.timedelta(days=i)
        services.session_add(
            training_class, admin, starts_at=at(day, 8), ends_at=at(day, 8) + dt.timedelta(minutes=45 * hours)
        )
    return training_class


def test_submit_needs_the_catalogue_minimum_class_hours(institution, admin):
    # electrician-special needs 80 课时: 19 sessions × 4 = 76 is short, 20 × 4 = 80 reaches it
    training_class = _with_sessions(institution, admin, 19)
    with pytest.raises(DomainError) as exc:
        services.class_submit(training_class, admin)
    assert exc.value.code == "class_hours_below_minimum"
    assert "76" in str(exc.value.message) and "80" in str(exc.value.message)
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.DRAFT
    day = START + dt.timedelta(days=19)
    services.session_add(training_class, admin, starts_at=at(day, 8), ends_at=at(day, 11))
    services.class_submit(training_class, admin)
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.SUBMITTED and training_class.submitted_at is not None
    assert training_class.events.get().to_status == ClassStatus.SUBMITTED


def test_only_a_filed_institution_submits(admin, institution):
    training_class = _with_sessions(institution, admin, 20)
    institution.status = InstitutionStatus.SUSPENDED
    institution.save()
    with pytest.raises(InvalidTransition) as exc:
        services.class_submit(training_class, admin)
    assert exc.value.code == "institution_not_filed"


def test_submit_needs_sessions(institution, admin):
    training_class = services.class_save(institution, admin, draft_data(MarketFactory()))
    with pytest.raises(DomainError) as exc:
        services.class_submit(training_class, admin)
    assert exc.value.code == "no_sessions"


def test_review_by_the_class_county_only(institution, officer, officer_b):
    training_class = make_class(institution, status=ClassStatus.SUBMITTED, sessions=20)
    with pytest.raises(NotFound):
        services.class_review(training_class, officer_b, True)
    with pytest.raises(DomainError):
        services.class_review(training_class, officer, False, "")
    services.class_review(training_class, officer, False, "考核计划不完整")
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.RETURNED and training_class.review_note == "考核计划不完整"


def test_approve_start_complete(institution, admin, officer):
    training_class = make_class(institution, status=ClassStatus.SUBMITTED, sessions=2)
    services.class_review(training_class, officer, True, "同意")
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.APPROVED and training_class.reviewed_by == officer
    services.class_start(training_class, admin)
    # sessions can be added while running, not removed
    extra = services.session_add(
        training_class,
        admin,
        starts_at=at(START + dt.timedelta(days=5), 9),
        ends_at=at(START + dt.timedelta(days=5), 10, 30),
    )
    assert extra.class_hours == 2
    with pytest.raises(InvalidTransition):
        services.session_remove(training_class, admin, session_id=extra.pk)
    with pytest.raises(InvalidTransition) as exc:
        services.class_complete(training_class, admin, now=at(START + dt.timedelta(days=5), 10))
    assert exc.value.code == "sessions_not_over"
    services.class_complete(training_class, admin, now=at(START + dt.timedelta(days=5), 10, 31))
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.COMPLETED
    assert [e.to_status for e in training_class.events.order_by("id")] == ["approved", "running", "completed"]


def test_cancel_tells_enrolled_and_waiting_workers(institution, admin):
    training_class = make_class(institution, status=ClassStatus.APPROVED)
    seat = enroll(training_class)
    waiting = enroll(training_class, status="waitlisted")
    with pytest.raises(DomainError):
        services.class_cancel(training_class, admin, "")
    services.class_cancel(training_class, admin, "场地检修")
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.CANCELLED
    for enrollment in (seat, waiting):
        assert enrollment.worker.inbox.filter(body__contains="场地检修").count() == 1
    with pytest.raises(InvalidTransition):
        services.open_for_enrollment(training_class)


def test_teacher_or_outsider_cannot_write(institution, worker):
    teacher = institution_member(institution, admin=False, teacher=True)
    training_class = make_class(institution, status=ClassStatus.DRAFT)
    with pytest.raises(NotPermitted):
        services.class_submit(training_class, teacher)
    with pytest.raises(NotFound):
        services.class_submit(training_class, worker)


def test_enrollment_deadline_closes_the_class(institution):
    training_class = make_class(institution, enrollment_closes_on=dt.date(2026, 12, 1))
    assert services.enrollment_refusal(training_class, today=dt.date(2026, 12, 1)) is None
    assert services.enrollment_refusal(training_class, today=dt.date(2026, 12, 2))


# --- pages, admin and API -----------------------------------------------------------------------------------


def test_pages_create_a_class_with_sessions_submit_and_staff_approve_in_admin(
    client_as, institution, admin, officer
):
    market = MarketFactory()
    client = client_as(admin)
    data = draft_data(market, mode="offline", subsidised="on")
    data = {k: v for k, v in data.items() if v != ""}
    response = client.post(reverse("training:institution_class_new"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    training_class = TrainingClass.objects.get(institution=institution)
    assert training_class.market == market and training_class.status == ClassStatus.DRAFT
    page = reverse("training:institution_class", args=[training_class.pk])
    for i in range(20):  # 20 sessions of 08:00–11:00 = 20 × 4 = 80 课时, the catalogue minimum
        day = START + dt.timedelta(days=i)
        response = client.post(
            page,
            {"op": "session_add", "session-starts_at": f"{day} 08:00", "session-ends_at": f"{day} 11:00"},
        )
        assert response.status_code == 302
    assert sum(training_class.sessions.values_list("class_hours", flat=True)) == 80
    response = client.post(page, {"op": "submit"})
    assert response.status_code == 302
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.SUBMITTED
    shown = client.get(page).content.decode()
    assert "已安排 80 课时" in shown

    staff = client_as(officer)
    response = staff.post(
        reverse("admin:training_trainingclass_changelist"),
        {"action": "approve_classes", "_selected_action": [training_class.pk], "note": "同意开班"},
    )
    assert response.status_code == 302
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.APPROVED and training_class.reviewed_by == officer
    assert training_class.review_note == "同意开班"
    # the market page now lists the class
    assert training_class.title in client.get(reverse("markets:detail", args=[market.pk])).content.decode()


def test_class_page_roster_is_masked(client_as, institution, admin):
    training_class = make_class(institution)
    enrollment = enroll(training_class)
    page = (
        client_as(admin).get(reverse("training:institution_class", args=[training_class.pk])).content.decode()
    )
    assert enrollment.worker.phone not in page
    assert enrollment.worker.phone[-4:] in page
    assert enrollment.worker.real_name not in page


def test_api_submit_and_approve(api_as, institution, admin, officer, officer_b):
    training_class = make_class(institution, status=ClassStatus.DRAFT, sessions=20)
    response = api_as(admin).post(f"/api/v1/training-classes/{training_class.pk}/submit/")
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    assert (
        api_as(officer_b).post(f"/api/v1/training-classes/{training_class.pk}/approve/", {}).status_code
        == 404
    )
    response = api_as(officer).post(f"/api/v1/training-classes/{training_class.pk}/return/", {})
    assert response.status_code == 400
    response = api_as(officer).post(
        f"/api/v1/training-classes/{training_class.pk}/approve/", {"note": "同意"}
    )
    assert response.status_code == 200
    training_class.refresh_from_db()
    assert training_class.status == ClassStatus.APPROVED
    assert (
        api_as(officer).post(f"/api/v1/training-classes/{training_class.pk}/approve/", {}).status_code == 409
    )
    assert (
        api_as(admin).post(f"/api/v1/training-classes/{training_class.pk}/start/").json()["status"]
        == "running"
    )


def test_api_submit_short_of_hours_is_400_with_the_field(api_as, institution, admin):
    training_class = make_class(institution, status=ClassStatus.DRAFT, sessions=19)  # 19 × 4 = 76 < 80
    response = api_as(admin).post(f"/api/v1/training-classes/{training_class.pk}/submit/")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "class_hours_below_minimum" and "sessions" in body["fields"]


def test_api_courses_carry_todays_rate_and_filter(api):
    response = api.get("/api/v1/training-courses/", {"occupation": "electrician"})
    rows = {r["code"]: r for r in response.json()["results"]}
    assert set(rows) == {"electrician-special", "electrician-5", "electrician-4"}
    assert rows["electrician-special"]["min_class_hours"] == 80
    assert Decimal(rows["electrician-4"]["rate"]) == Decimal("1500")
    rider = api.get("/api/v1/training-courses/", {"new_form": "rider"}).json()["results"]
    assert [r["code"] for r in rider] == ["rider-training"]
    shortage = {
        r["code"] for r in api.get("/api/v1/training-courses/", {"shortage": "false"}).json()["results"]
    }
    assert shortage == {"cleaner-ability", "rider-training", "ride-hailing-training", "live-seller-5"}


def test_api_classes_filter_by_county_and_dates(api, institution, county_b):
    a = make_class(institution, starts_on=dt.date(2026, 12, 7))
    b = make_class(institution, market=MarketFactory(scope_unit=county_b), starts_on=dt.date(2027, 1, 4))
    assert [
        r["id"] for r in api.get("/api/v1/training-classes/", {"county": "370783"}).json()["results"]
    ] == [b.pk]
    got = api.get("/api/v1/training-classes/", {"starts_to": "2026-12-31"}).json()["results"]
    assert [r["id"] for r in got] == [a.pk]


def test_api_institution_actions(api_as, officer):
    institution = make_institution(status=InstitutionStatus.APPLIED)
    api = api_as(officer)
    response = api.post(f"/api/v1/training-institutions/{institution.pk}/file/", {"note": "齐全"})
    assert response.status_code == 200 and response.json()["filing_number"]
    assert api.post(f"/api/v1/training-institutions/{institution.pk}/suspend/", {}).status_code == 400
    assert (
        api.post(f"/api/v1/training-institutions/{institution.pk}/suspend/", {"reason": "整改"}).status_code
        == 200
    )
    assert (
        api.post(
            f"/api/v1/training-institutions/{institution.pk}/reinstate/", {"reason": "已整改"}
        ).status_code
        == 200
    )
    assert (
        api.post(f"/api/v1/training-institutions/{institution.pk}/revoke/", {"reason": "违规"}).status_code
        == 200
    )
    institution.refresh_from_db()
    assert institution.status == InstitutionStatus.REVOKED
    assert [e.to_status for e in institution.events.order_by("id")] == [
        "filed",
        "suspended",
        "filed",
        "revoked",
    ]


def test_class_edit_page_changes_a_draft_and_refuses_a_submitted_one(client_as, institution, admin):
    market = MarketFactory()
    training_class = services.class_save(institution, admin, draft_data(market))
    client = client_as(admin)
    url = reverse("training:institution_class_edit", args=[training_class.pk])
    assert client.get(url).status_code == 200
    data = {k: v for k, v in draft_data(market, title="低压电工第2期", mode="offline").items() if v != ""}
    assert client.post(url, data).status_code == 302
    training_class.refresh_from_db()
    assert training_class.title == "低压电工第2期"
    TrainingClass.objects.filter(pk=training_class.pk).update(status=ClassStatus.SUBMITTED)
    response = client.post(url, {**data, "title": "改不了"})
    assert response.status_code == 200
    training_class.refresh_from_db()
    assert training_class.title == "低压电工第2期"


def test_bad_posted_ids_are_not_errors(client_as, institution, admin):
    training_class = make_class(institution, status=ClassStatus.DRAFT)
    page = reverse("training:institution_class", args=[training_class.pk])
    response = client_as(admin).post(page, {"op": "session_remove", "session": "abc"})
    assert response.status_code == 200
    response = client_as(admin).post(page, {"op": "session_add", "session-starts_at": "not a time"})
    assert response.status_code == 200
