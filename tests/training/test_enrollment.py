"""Enrollment: a seat while seats are left, then the waiting list, then 名额已满; one live enrollment per
worker and class (a repeat returns it); counter enrollments record who acted; a withdrawal promotes the
first of the waiting list; counters equal the rows, under concurrency too (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections

from accounts.choices import Role
from core.choices import AuditAction
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog, InboxMessage
from training.choices import ClassStatus, EnrollmentChannel, EnrollmentStatus, InstitutionStatus
from training.models import Enrollment, EnrollmentEvent, TrainingClass
from training.services.enrollment import enroll, withdraw

from ..accounts.factories import UserFactory
from .factories import institution_member, make_class, make_institution

pytestmark = pytest.mark.django_db

FUTURE = dt.date.today() + dt.timedelta(days=10)


def workers(n: int) -> list:
    return [UserFactory(roles=[Role.WORKER]) for _ in range(n)]


def counts(training_class: TrainingClass) -> tuple[int, int, int, int]:
    """(enrolled_count, waitlist_count, enrolled rows, waitlisted rows)."""
    training_class.refresh_from_db()
    rows = Enrollment.objects.filter(training_class=training_class)
    return (
        training_class.enrolled_count,
        training_class.waitlist_count,
        rows.filter(status=EnrollmentStatus.ENROLLED).count(),
        rows.filter(status=EnrollmentStatus.WAITLISTED).count(),
    )


def test_thirty_enroll_the_31st_waits_and_is_promoted_when_one_withdraws():
    training_class = make_class(capacity=30, waitlist_limit=10, starts_on=FUTURE, sessions=2)
    people = workers(31)
    seats = [enroll(training_class, w, w) for w in people[:30]]
    assert {e.status for e in seats} == {EnrollmentStatus.ENROLLED}
    last = enroll(training_class, people[30], people[30])
    assert last.status == EnrollmentStatus.WAITLISTED and last.waitlisted_at is not None
    assert counts(training_class) == (30, 1, 30, 1)

    withdraw(seats[4], people[4])

    seats[4].refresh_from_db()
    last.refresh_from_db()
    assert seats[4].status == EnrollmentStatus.WITHDRAWN and seats[4].withdrawn_at is not None
    assert last.status == EnrollmentStatus.ENROLLED
    assert counts(training_class) == (30, 0, 30, 0)
    promoted = EnrollmentEvent.objects.get(enrollment=last, to_status=EnrollmentStatus.ENROLLED)
    assert promoted.from_status == EnrollmentStatus.WAITLISTED
    assert InboxMessage.objects.filter(user=people[30], body__contains="候补转为正式").exists()


def test_the_waiting_list_is_served_in_order_and_a_full_class_refuses():
    training_class = make_class(capacity=1, waitlist_limit=2, starts_on=FUTURE)
    a, b, c, d = workers(4)
    first = enroll(training_class, a, a)
    second = enroll(training_class, b, b)
    third = enroll(training_class, c, c)
    with pytest.raises(DomainError) as refused:
        enroll(training_class, d, d)
    assert refused.value.code == "class_full" and "名额已满" in str(refused.value.message)
    assert not Enrollment.objects.filter(worker=d).exists()
    withdraw(first, a)
    second.refresh_from_db()
    third.refresh_from_db()
    assert (second.status, third.status) == (EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITLISTED)
    # a place on the waiting list given back frees it, and nobody is promoted
    withdraw(third, c)
    assert counts(training_class) == (1, 0, 1, 0)


def test_a_repeat_returns_the_live_enrollment_and_writes_nothing_more():
    training_class = make_class(starts_on=FUTURE)
    (w,) = workers(1)
    first = enroll(training_class, w, w)
    again = enroll(training_class, w, w)
    assert again.pk == first.pk
    assert counts(training_class) == (1, 0, 1, 0)
    assert EnrollmentEvent.objects.filter(enrollment=first).count() == 1
    # after a withdrawal the worker may enroll again: a new row
    withdraw(first, w)
    back = enroll(training_class, w, w)
    assert back.pk != first.pk and back.status == EnrollmentStatus.ENROLLED


def test_enroll_writes_the_event_and_the_audit_row():
    training_class = make_class(starts_on=FUTURE)
    (w,) = workers(1)
    enrollment = enroll(training_class, w, w)
    event = EnrollmentEvent.objects.get(enrollment=enrollment)
    assert (event.from_status, event.to_status, event.actor_id, event.on_behalf_of_id) == (
        "",
        EnrollmentStatus.ENROLLED,
        w.pk,
        None,
    )
    assert enrollment.channel == EnrollmentChannel.ONLINE
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(enrollment.pk)).exists()


def test_a_counter_enrollment_records_who_acted(officer):
    training_class = make_class(starts_on=FUTURE)
    (w,) = workers(1)
    enrollment = enroll(training_class, w, officer, EnrollmentChannel.COUNTER)
    enrollment.refresh_from_db()
    assert enrollment.channel == EnrollmentChannel.COUNTER and enrollment.assisted_by_id == officer.pk
    event = EnrollmentEvent.objects.get(enrollment=enrollment)
    assert (event.actor_id, event.on_behalf_of_id) == (officer.pk, w.pk)
    audit = AuditLog.objects.get(action=AuditAction.CREATE, object_id=str(enrollment.pk))
    assert audit.on_behalf_of_id == w.pk


def test_nobody_else_enrolls_a_worker_or_withdraws_them(worker, officer_b):
    training_class = make_class(starts_on=FUTURE)
    other = UserFactory(roles=[Role.WORKER])
    with pytest.raises(NotPermitted):
        enroll(training_class, worker, other)
    with pytest.raises(NotPermitted):
        enroll(training_class, worker, officer_b)  # another county's staff, a worker of county A
    enrollment = enroll(training_class, worker, worker)
    with pytest.raises(NotFound):
        withdraw(enrollment, other)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED


def test_only_a_worker_enrolls(employer):
    training_class = make_class(starts_on=FUTURE)
    with pytest.raises(NotPermitted) as refused:
        enroll(training_class, employer, employer)
    assert refused.value.code == "worker_role_required"
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize(
    "change, code",
    [
        ({"status": ClassStatus.SUBMITTED}, "class_not_open"),
        ({"status": ClassStatus.COMPLETED}, "class_not_open"),
        ({"enrollment_closes_on": dt.date.today() - dt.timedelta(days=1)}, "enrollment_closed"),
        ({"starts_on": dt.date.today() - dt.timedelta(days=3), "ends_on": FUTURE}, "enrollment_closed"),
    ],
)
def test_a_class_that_does_not_take_enrollments_refuses(change, code):
    fields = {"starts_on": FUTURE, **change}
    training_class = make_class(**fields)
    (w,) = workers(1)
    with pytest.raises(DomainError) as refused:
        enroll(training_class, w, w)
    assert refused.value.code == code
    assert counts(training_class) == (0, 0, 0, 0)


def test_a_class_ended_or_of_an_unfiled_institution_refuses():
    ended = make_class(
        starts_on=dt.date.today() - dt.timedelta(days=9), ends_on=dt.date.today() - dt.timedelta(days=2)
    )
    unfiled = make_class(make_institution(status=InstitutionStatus.SUSPENDED), starts_on=FUTURE)
    (w,) = workers(1)
    with pytest.raises(DomainError) as refused:
        enroll(ended, w, w)
    assert refused.value.code == "class_ended"
    with pytest.raises(DomainError) as refused:
        enroll(unfiled, w, w)
    assert refused.value.code == "institution_not_filed"


def test_no_withdrawal_once_the_class_completed():
    training_class = make_class(starts_on=FUTURE)
    (w,) = workers(1)
    enrollment = enroll(training_class, w, w)
    TrainingClass.objects.filter(pk=training_class.pk).update(status=ClassStatus.COMPLETED)
    with pytest.raises(InvalidTransition):
        withdraw(enrollment, w)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ENROLLED


# --- concurrency (PostgreSQL) -------------------------------------------------------------------------------


def run_together(target, count: int) -> list:
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = target(i)
        except Exception as exc:  # reported to the test through results
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results


@pytest.fixture
def _seeded(postgres_transactional):
    """Transactional tests flush every table: put back the occupations and the training reference data."""
    from django.apps import apps

    from training.reference import seed_reference

    from ..jobs.test_concurrency import ensure_jobs_seed

    ensure_jobs_seed()
    seed_reference(apps.get_model)
    yield
    ensure_jobs_seed()
    seed_reference(apps.get_model)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_forty_concurrent_enrollments_fill_thirty_seats_and_ten_waiting_places(_seeded, monkeypatch):
    monkeypatch.setattr("training.services.enrollment.notify", lambda *a, **k: None)
    training_class = make_class(capacity=30, waitlist_limit=12, starts_on=FUTURE)
    people = workers(40)

    results = run_together(lambda i: enroll(training_class, people[i], people[i]), 40)

    assert not [r for r in results if isinstance(r, Exception)], results
    statuses = [r.status for r in results]
    assert statuses.count(EnrollmentStatus.ENROLLED) == 30
    assert statuses.count(EnrollmentStatus.WAITLISTED) == 10
    assert counts(training_class) == (30, 10, 30, 10)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_withdrawals_and_repeats_keep_the_counters_exact(_seeded, monkeypatch):
    monkeypatch.setattr("training.services.enrollment.notify", lambda *a, **k: None)
    training_class = make_class(capacity=10, waitlist_limit=10, starts_on=FUTURE)
    people = workers(20)
    rows = [enroll(training_class, w, w) for w in people]  # 10 seats, 10 waiting

    def step(i: int):
        if i < 5:
            return withdraw(rows[i], people[i])  # five seats freed: five promoted
        return enroll(training_class, people[i], people[i])  # repeats: nothing changes

    results = run_together(step, 20)

    assert not [r for r in results if isinstance(r, Exception)], results
    assert counts(training_class) == (10, 5, 10, 5)
    assert Enrollment.objects.filter(status=EnrollmentStatus.WITHDRAWN).count() == 5


# --- API ------------------------------------------------------------------------------------------------------

API = "/api/v1/training-enrollments/"


def test_api_enroll_repeat_and_withdraw(api_as, worker):
    training_class = make_class(capacity=1, waitlist_limit=1, starts_on=FUTURE)
    client = api_as(worker)
    created = client.post(API, {"training_class": training_class.pk}, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == EnrollmentStatus.ENROLLED
    again = client.post(API, {"training_class": training_class.pk}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"]
    listed = client.get(API, {"training_class": training_class.pk, "status": "enrolled"}).json()
    assert [r["id"] for r in listed["results"]] == [created.json()["id"]]
    done = client.post(f"{API}{created.json()['id']}/withdraw/", {}, format="json")
    assert done.status_code == 200 and done.json()["status"] == EnrollmentStatus.WITHDRAWN
    training_class.refresh_from_db()
    assert training_class.enrolled_count == 0
    # a second withdrawal is an illegal transition
    assert client.post(f"{API}{created.json()['id']}/withdraw/", {}, format="json").status_code == 409


def test_api_full_class_answers_400_class_full(api_as):
    training_class = make_class(capacity=1, waitlist_limit=0, starts_on=FUTURE)
    a, b = workers(2)
    assert api_as(a).post(API, {"training_class": training_class.pk}, format="json").status_code == 201
    refused = api_as(b).post(API, {"training_class": training_class.pk}, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "class_full"
    assert not Enrollment.objects.filter(worker=b).exists()


def test_api_staff_enroll_for_a_worker_of_their_county(api_as, officer, officer_b, worker):
    training_class = make_class(starts_on=FUTURE)
    body = {"training_class": training_class.pk, "worker": worker.pk}
    assert api_as(officer_b).post(API, body, format="json").status_code == 404
    done = api_as(officer).post(API, body, format="json")
    assert done.status_code == 201
    enrollment = Enrollment.objects.get(pk=done.json()["id"])
    assert enrollment.channel == EnrollmentChannel.COUNTER and enrollment.assisted_by_id == officer.pk


def test_api_scope_of_the_list(api, api_as, officer, officer_b, worker, worker_b):
    training_class = make_class(starts_on=FUTURE)  # county A
    mine = enroll(training_class, worker, worker)
    member = institution_member(training_class.institution)
    other_member = institution_member(make_institution())

    def listed(user):
        return [r["id"] for r in api_as(user).get(API).json()["results"]]

    assert listed(worker) == [mine.pk]
    assert listed(worker_b) == []
    assert listed(officer) == [mine.pk]
    assert listed(officer_b) == []
    assert listed(member) == [mine.pk]
    assert listed(other_member) == []
    assert api_as(officer_b).get(f"{API}{mine.pk}/").status_code == 404
    assert api_as(worker_b).post(f"{API}{mine.pk}/withdraw/", {}, format="json").status_code == 404
    assert api.get(API).status_code in (401, 403)
    mine.refresh_from_db()
    assert mine.status == EnrollmentStatus.ENROLLED


def test_api_list_query_count(api_as, officer, django_assert_max_num_queries):
    training_class = make_class(capacity=30, starts_on=FUTURE)
    for w in workers(12):
        enroll(training_class, w, w)
    client = api_as(officer)
    client.get(API)
    with django_assert_max_num_queries(7):  # session, user, count, page, and the session saved
        response = client.get(API)
    assert response.json()["count"] == 12
