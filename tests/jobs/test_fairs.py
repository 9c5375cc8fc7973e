"""Job fairs (集市, 夜市): staff hold them in their scope, employers book booths that never exceed the
capacity (also under concurrent bookings, on PostgreSQL), workers register (or are registered at a counter),
staff record the outcome counts — each write audited — and the `/api/v1/job-fairs/` endpoint."""

from __future__ import annotations

import datetime as dt
import importlib
import threading

import pytest
from django.apps import apps as django_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.utils import timezone

from accounts.choices import Role
from core.choices import AuditAction
from core.errors import DomainError, NotFound, NotPermitted
from core.models import AuditLog, MinimumWageTier
from jobs import services
from jobs.choices import FairKind
from jobs.models import FairBooth, FairRegistration, JobFair, Occupation
from tests.accounts.factories import UserFactory

from .factories import make_employer, make_worker


def ensure_jobs_seed() -> None:
    """The occupations and minimum wages that migration 0002 seeds (transactional tests flush them)."""
    if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)


@pytest.fixture(scope="module", autouse=True)
def _jobs_seed_around_flush(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_jobs_seed()
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()


def fair_data(unit, **overrides) -> dict:
    starts = timezone.now() + dt.timedelta(days=3)
    data = {
        "kind": FairKind.DAY,
        "title": "潍城区春风行动招聘集市",
        "theme": "家政、建筑专场",
        "scope_unit": unit,
        "market": None,
        "place": "潍城区胜利西街人社局广场",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=3),
        "booth_capacity": 10,
    }
    data.update(overrides)
    return data


@pytest.fixture
def fair(officer, county_a):
    return services.fair_create(actor=officer, data=fair_data(county_a))


def past_fair(officer, unit, **overrides) -> JobFair:
    starts = timezone.now() - dt.timedelta(days=2)
    return services.fair_create(
        actor=officer,
        data=fair_data(unit, starts_at=starts, ends_at=starts + dt.timedelta(hours=3), **overrides),
    )


def audit_rows(obj, action=None):
    rows = AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=str(obj.pk))
    return rows.filter(action=action) if action else rows


# --- creating fairs ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fair_create_by_county_officer_is_stored_and_audited(officer, county_a):
    fair = services.fair_create(actor=officer, data=fair_data(county_a, kind=FairKind.DAY))
    fair.refresh_from_db()
    assert fair.scope_unit == county_a and fair.booth_capacity == 10 and fair.kind == FairKind.DAY
    row = audit_rows(fair, AuditAction.CREATE).get()
    assert row.actor == officer and row.scope_unit_id == county_a.pk and row.after["title"] == fair.title


@pytest.mark.django_db
def test_fair_create_outside_scope_or_without_role_is_refused(officer_b, worker, county_a):
    for actor in (officer_b, worker):
        with pytest.raises(NotPermitted):
            services.fair_create(actor=actor, data=fair_data(county_a))
    assert not JobFair.objects.exists()


@pytest.mark.django_db
def test_fair_create_at_an_operating_market_takes_its_address(officer, county_a):
    from tests.markets.factories import MarketFactory

    market = MarketFactory(scope_unit=county_a, name="潍城区零工市场", address="潍坊市潍城区胜利西街102号")
    fair = services.fair_create(actor=officer, data=fair_data(county_a, market=market, place=""))
    assert fair.place == "潍城区零工市场（潍坊市潍城区胜利西街102号）"
    suspended = MarketFactory(scope_unit=county_a, status="suspended")
    with pytest.raises(DomainError) as exc:
        services.fair_create(actor=officer, data=fair_data(county_a, market=suspended))
    assert "market" in exc.value.fields


@pytest.mark.django_db
def test_fair_create_checks_times_and_that_a_night_fair_is_in_the_evening(officer, county_a):
    morning = timezone.make_aware(
        dt.datetime.combine(timezone.localdate() + dt.timedelta(days=2), dt.time(8, 0))
    )
    with pytest.raises(DomainError) as exc:
        services.fair_create(
            actor=officer,
            data=fair_data(county_a, starts_at=morning, ends_at=morning - dt.timedelta(hours=1)),
        )
    assert "ends_at" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.fair_create(
            actor=officer,
            data=fair_data(
                county_a, kind=FairKind.NIGHT, starts_at=morning, ends_at=morning + dt.timedelta(hours=3)
            ),
        )
    assert "starts_at" in exc.value.fields and "夜市" in exc.value.message
    evening = morning.replace(hour=18, minute=30)
    night = services.fair_create(
        actor=officer,
        data=fair_data(
            county_a, kind=FairKind.NIGHT, starts_at=evening, ends_at=evening + dt.timedelta(hours=2)
        ),
    )
    assert night.get_kind_display() == "夜市"


# --- booths -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_booking_never_exceeds_booth_capacity(officer, county_a):
    fair = services.fair_create(actor=officer, data=fair_data(county_a, booth_capacity=2))
    employers = [make_employer() for _ in range(3)]
    for employer in employers[:2]:
        services.fair_book_booth(fair=fair, employer=employer, actor=employer.user, positions="保洁员5名")
    with pytest.raises(DomainError) as exc:
        services.fair_book_booth(fair=fair, employer=employers[2], actor=employers[2].user)
    assert exc.value.code == "booths_full" and "展位已订满" in exc.value.message
    assert FairBooth.objects.filter(fair=fair).count() == 2
    assert not FairBooth.objects.filter(employer=employers[2]).exists()


@pytest.mark.django_db
def test_booking_is_audited_and_twice_is_a_clear_error(fair):
    employer = make_employer()
    booth = services.fair_book_booth(fair=fair, employer=employer, actor=employer.user, positions="电工2名")
    row = audit_rows(booth, AuditAction.CREATE).get()
    assert (
        row.actor == employer.user
        and row.scope_unit_id == fair.scope_unit_id
        and row.after["positions"] == "电工2名"
    )
    with pytest.raises(DomainError) as exc:
        services.fair_book_booth(fair=fair, employer=employer, actor=employer.user)
    assert exc.value.code == "already_booked" and exc.value.fields["employer"] == ["已预订过该招聘会的展位。"]
    assert FairBooth.objects.filter(fair=fair).count() == 1


@pytest.mark.django_db
def test_booking_needs_an_approved_employer_and_a_fair_not_yet_started(fair, officer, county_a):
    pending = make_employer(approved=False)
    with pytest.raises(DomainError) as exc:
        services.fair_book_booth(fair=fair, employer=pending, actor=pending.user)
    assert exc.value.code == "employer_not_approved"
    started = past_fair(officer, county_a)
    employer = make_employer()
    with pytest.raises(DomainError) as exc:
        services.fair_book_booth(fair=started, employer=employer, actor=employer.user)
    assert exc.value.code == "fair_closed"
    assert not FairBooth.objects.exists()


@pytest.mark.django_db
def test_booking_for_another_employer_needs_staff_in_scope(fair, officer):
    employer, stranger = make_employer(), make_employer()
    with pytest.raises(NotFound):
        services.fair_book_booth(fair=fair, employer=employer, actor=stranger.user)
    booth = services.fair_book_booth(fair=fair, employer=employer, actor=officer)
    assert audit_rows(booth).get().on_behalf_of == employer.user


def _book_in_threads(fair_id: int, employer_ids: list[int]) -> list:
    from jobs.models import EmployerProfile

    barrier = threading.Barrier(len(employer_ids))
    results: list = [None] * len(employer_ids)

    def work(i: int) -> None:
        try:
            employer = EmployerProfile.objects.select_related("user").get(pk=employer_ids[i])
            fair = JobFair.objects.get(pk=fair_id)
            barrier.wait(timeout=30)
            results[i] = services.fair_book_booth(fair=fair, employer=employer, actor=employer.user)
        except Exception as exc:  # reported to the test through results
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(employer_ids))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_bookings_never_exceed_booth_capacity(postgres, officer, county_a):
    fair = services.fair_create(actor=officer, data=fair_data(county_a, booth_capacity=3))
    employers = [make_employer() for _ in range(8)]
    results = _book_in_threads(fair.pk, [e.pk for e in employers])
    booked = [r for r in results if isinstance(r, FairBooth)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(booked) == 3 and len(refused) == 5, results
    assert {r.code for r in refused} == {"booths_full"}
    assert FairBooth.objects.filter(fair=fair).count() == 3
    assert AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(FairBooth)).count() == 3


# --- registration, attendance, outcome ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_worker_registers_once_and_the_registration_is_audited(fair, worker):
    registration = services.fair_register_worker(fair=fair, worker=worker, actor=worker)
    assert FairRegistration.objects.get(fair=fair, worker=worker) == registration
    row = audit_rows(registration, AuditAction.CREATE).get()
    assert row.actor == worker and row.on_behalf_of is None and row.scope_unit_id == fair.scope_unit_id
    with pytest.raises(DomainError) as exc:
        services.fair_register_worker(fair=fair, worker=worker, actor=worker)
    assert exc.value.code == "already_registered"
    assert FairRegistration.objects.filter(fair=fair).count() == 1


@pytest.mark.django_db
def test_counter_staff_register_a_worker_on_their_behalf(fair, county_a):
    from tests.markets.factories import operator_user

    counter = operator_user(scope_unit=county_a)
    elder = make_worker()
    registration = services.fair_register_worker(fair=fair, worker=elder, actor=counter)
    row = audit_rows(registration).get()
    assert row.actor == counter and row.on_behalf_of == elder


@pytest.mark.django_db
def test_registration_needs_a_worker_and_an_open_fair(fair, officer, employer, county_a):
    with pytest.raises(NotPermitted):
        services.fair_register_worker(fair=fair, worker=employer, actor=employer)  # no job-seeker role
    stranger = UserFactory(roles=[Role.WORKER])
    with pytest.raises(NotPermitted):
        services.fair_register_worker(fair=fair, worker=make_worker(), actor=stranger)
    ended = past_fair(officer, county_a)
    with pytest.raises(DomainError) as exc:
        services.fair_register_worker(fair=ended, worker=make_worker(), actor=officer)
    assert exc.value.code == "fair_closed"
    assert not FairRegistration.objects.exists()


@pytest.mark.django_db
def test_outcome_counts_are_stored_and_audited(officer, county_a):
    fair = past_fair(officer, county_a)
    services.fair_record_outcome(fair=fair, actor=officer, attendance=386, intents=142, hires=57)
    fair.refresh_from_db()
    assert (fair.attendance, fair.intents, fair.hires) == (386, 142, 57)
    row = audit_rows(fair, AuditAction.UPDATE).get()
    assert row.actor == officer
    assert row.before == {"attendance": 0, "intents": 0, "hires": 0}
    assert row.after == {"attendance": 386, "intents": 142, "hires": 57}


@pytest.mark.django_db
def test_outcome_is_refused_when_inconsistent_early_or_out_of_scope(officer, officer_b, worker, county_a):
    fair = past_fair(officer, county_a)
    with pytest.raises(DomainError) as exc:
        services.fair_record_outcome(fair=fair, actor=officer, attendance=10, intents=5, hires=6)
    assert "hires" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.fair_record_outcome(fair=fair, actor=officer, attendance=10, intents=12, hires=1)
    assert "intents" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        services.fair_record_outcome(fair=fair, actor=officer, attendance=-1, intents=0, hires=0)
    assert "attendance" in exc.value.fields
    with pytest.raises(NotFound):
        services.fair_record_outcome(fair=fair, actor=officer_b, attendance=1, intents=0, hires=0)
    upcoming = services.fair_create(actor=officer, data=fair_data(county_a))
    with pytest.raises(DomainError) as exc:
        services.fair_record_outcome(fair=upcoming, actor=officer, attendance=1, intents=0, hires=0)
    assert exc.value.code == "fair_not_started"
    fair.refresh_from_db()
    assert (fair.attendance, fair.intents, fair.hires) == (0, 0, 0)
    assert not audit_rows(fair, AuditAction.UPDATE).exists()


@pytest.mark.django_db
def test_attendance_is_marked_audited_and_bounds_the_outcome(officer, county_a):
    fair = past_fair(officer, county_a)
    fair.ends_at = timezone.now() + dt.timedelta(hours=1)  # still going on
    JobFair.objects.filter(pk=fair.pk).update(ends_at=fair.ends_at)
    workers = [make_worker() for _ in range(3)]
    for w in workers:
        services.fair_register_worker(fair=fair, worker=w, actor=w)
    for w in workers[:2]:
        registration = services.fair_mark_attended(fair=fair, worker=w, actor=officer)
        assert registration.attended
    assert audit_rows(registration, AuditAction.UPDATE).get().after == {"attended": True}
    with pytest.raises(DomainError) as exc:
        services.fair_mark_attended(fair=fair, worker=make_worker(), actor=officer)
    assert exc.value.code == "not_registered"
    with pytest.raises(DomainError) as exc:
        services.fair_record_outcome(fair=fair, actor=officer, attendance=1, intents=0, hires=0)
    assert "attendance" in exc.value.fields and "2" in exc.value.fields["attendance"][0]
    services.fair_record_outcome(fair=fair, actor=officer, attendance=2, intents=1, hires=1)


# --- API ----------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_api_lists_upcoming_fairs_to_anyone_with_counts(
    api, fair, officer, county_a, django_assert_max_num_queries
):
    past_fair(officer, county_a, title="上周的夜市")
    for _ in range(3):
        services.fair_create(actor=officer, data=fair_data(county_a))
    employer = make_employer()
    services.fair_book_booth(fair=fair, employer=employer, actor=employer.user)
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/job-fairs/")
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()["results"]}
    assert len(rows) == 4 and "上周的夜市" not in {r["title"] for r in rows.values()}
    assert rows[fair.pk]["booths_booked"] == 1 and rows[fair.pk]["booths_left"] == 9
    assert rows[fair.pk]["county"] == county_a.code and rows[fair.pk]["kind_display"] == "集市"


@pytest.mark.django_db
def test_api_staff_see_their_past_fairs_others_do_not(api_as, officer, officer_b, county_a):
    old = past_fair(officer, county_a)
    assert api_as(officer).get(f"/api/v1/job-fairs/{old.pk}/").status_code == 200
    assert api_as(officer_b).get(f"/api/v1/job-fairs/{old.pk}/").status_code == 404


@pytest.mark.django_db
def test_api_create_fair(api, api_as, officer, officer_b, worker, county_a):
    starts = timezone.now() + dt.timedelta(days=5)
    body = {
        "kind": "day",
        "title": "潍城区家政专场集市",
        "county": county_a.code,
        "place": "潍城区人社局广场",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + dt.timedelta(hours=3)).isoformat(),
        "booth_capacity": 12,
    }
    assert api.post("/api/v1/job-fairs/", body, format="json").status_code in (401, 403)
    assert api_as(worker).post("/api/v1/job-fairs/", body, format="json").status_code == 403
    assert api_as(officer_b).post("/api/v1/job-fairs/", body, format="json").status_code == 403
    assert not JobFair.objects.exists()
    response = api_as(officer).post("/api/v1/job-fairs/", body, format="json")
    assert response.status_code == 201, response.json()
    fair = JobFair.objects.get(pk=response.json()["id"])
    assert fair.title == "潍城区家政专场集市" and fair.booth_capacity == 12 and fair.scope_unit == county_a
    assert audit_rows(fair, AuditAction.CREATE).exists()


@pytest.mark.django_db
def test_api_book_booth(api, api_as, fair, worker):
    url = f"/api/v1/job-fairs/{fair.pk}/book/"
    assert api.post(url, {}, format="json").status_code in (401, 403)
    response = api_as(worker).post(url, {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    employer = make_employer()
    response = api_as(employer.user).post(url, {"positions": "保洁员5名"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["employer_name"] == employer.display_name
    booth = FairBooth.objects.get(fair=fair, employer=employer)
    assert booth.positions == "保洁员5名" and audit_rows(booth).exists()
    again = api_as(employer.user).post(url, {}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_booked"
    assert FairBooth.objects.filter(fair=fair).count() == 1


@pytest.mark.django_db
def test_api_register(api, api_as, fair, employer):
    url = f"/api/v1/job-fairs/{fair.pk}/register/"
    assert api.post(url).status_code in (401, 403)
    assert api_as(employer).post(url).status_code == 403
    worker = make_worker()
    response = api_as(worker).post(url)
    assert response.status_code == 201 and response.json()["fair"] == fair.pk
    assert FairRegistration.objects.filter(fair=fair, worker=worker).count() == 1
    assert api_as(worker).post(url).json()["code"] == "already_registered"


@pytest.mark.django_db
def test_api_outcome(api_as, officer, officer_b, worker, county_a):
    fair = past_fair(officer, county_a)
    url = f"/api/v1/job-fairs/{fair.pk}/outcome/"
    body = {"attendance": 120, "intents": 45, "hires": 18}
    assert api_as(worker).post(url, body, format="json").status_code == 403
    assert api_as(officer_b).post(url, body, format="json").status_code == 404
    bad = api_as(officer).post(url, {"attendance": 10, "intents": 20, "hires": 0}, format="json")
    assert bad.status_code == 400 and "intents" in bad.json()["fields"]
    response = api_as(officer).post(url, body, format="json")
    assert response.status_code == 200 and response.json()["hires"] == 18
    fair.refresh_from_db()
    assert (fair.attendance, fair.intents, fair.hires) == (120, 45, 18)
    assert audit_rows(fair, AuditAction.UPDATE).get().after == body


# --- pages --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_fair_pages_register_and_book_without_javascript(client, client_as, fair):
    page = client.get("/board/fairs/")
    assert page.status_code == 200 and fair.title in page.content.decode()
    detail = client.get(f"/board/fairs/{fair.pk}/").content.decode()
    assert "登录后报名" in detail
    assert client.post(f"/board/fairs/{fair.pk}/register/").status_code == 302  # to the login page
    assert not FairRegistration.objects.exists()

    worker = make_worker()
    as_worker = client_as(worker)
    assert "我要报名" in as_worker.get(f"/board/fairs/{fair.pk}/").content.decode()
    response = as_worker.post(f"/board/fairs/{fair.pk}/register/", follow=True)
    assert "报名成功" in response.content.decode() and "您已报名" in response.content.decode()
    assert FairRegistration.objects.filter(fair=fair, worker=worker).exists()

    employer = make_employer()
    response = client_as(employer.user).post(
        f"/board/fairs/{fair.pk}/book/", {"positions": "搬运工3名"}, follow=True
    )
    html = response.content.decode()
    assert "展位预订成功" in html and "搬运工3名" in html and employer.display_name in html
    again = client_as(employer.user).post(f"/board/fairs/{fair.pk}/book/", {"positions": ""}, follow=True)
    assert "已预订" in again.content.decode()
    assert FairBooth.objects.filter(fair=fair).count() == 1


@pytest.mark.django_db
def test_fair_page_counter_registers_by_phone_and_staff_record_outcome(client_as, officer, county_a):
    fair = past_fair(officer, county_a)
    JobFair.objects.filter(pk=fair.pk).update(ends_at=timezone.now() + dt.timedelta(hours=1))
    elder = make_worker()
    as_officer = client_as(officer)
    html = as_officer.get(f"/board/fairs/{fair.pk}/").content.decode()
    assert "代为报名" in html and "登记成效" in html
    as_officer.post(f"/board/fairs/{fair.pk}/register/", {"phone": elder.phone})
    registration = FairRegistration.objects.get(fair=fair, worker=elder)
    assert audit_rows(registration).get().on_behalf_of == elder
    as_officer.post(f"/board/fairs/{fair.pk}/outcome/", {"attendance": 30, "intents": 12, "hires": 5})
    fair.refresh_from_db()
    assert (fair.attendance, fair.intents, fair.hires) == (30, 12, 5)


@pytest.mark.django_db
def test_fair_page_of_another_countys_past_fair_is_404(client_as, officer, officer_b, county_a):
    fair = past_fair(officer, county_a)
    assert client_as(officer_b).get(f"/board/fairs/{fair.pk}/").status_code == 404
    assert (
        client_as(officer_b)
        .post(f"/board/fairs/{fair.pk}/outcome/", {"attendance": 1, "intents": 0, "hires": 0})
        .status_code
        == 404
    )
