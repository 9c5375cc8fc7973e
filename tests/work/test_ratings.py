"""Ratings both ways, once per party, after completion; one appeal by the rated party, decided by county
staff; a removed rating stops counting; reliability over the last 50 work orders."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from core.errors import DomainError, NotFound, NotPermitted
from core.models import AuditLog
from jobs.models import WorkerProfile
from work import selectors as matching
from work import services as ratings
from work.choices import AppealOutcome, RatingDirection, WorkOrderStatus
from work.models import Rating, WorkOrder

from ..jobs.factories import make_worker
from .test_payments import _no_match_notifications, approved_order, employer_of  # noqa: F401


@pytest.mark.django_db
def test_ratings_once_per_party_after_completion():
    order = approved_order()
    employer = employer_of(order)
    by_employer = ratings.rating_create(work_order=order, actor=employer, stars=5, tags=["准时", "技术好"])
    by_worker = ratings.rating_create(work_order=order, actor=order.worker, stars=4, tags=["结算及时"])
    assert by_employer.direction == RatingDirection.EMPLOYER_TO_WORKER and by_employer.ratee == order.worker
    assert by_worker.direction == RatingDirection.WORKER_TO_EMPLOYER and by_worker.ratee == employer
    with pytest.raises(DomainError) as exc:
        ratings.rating_create(work_order=order, actor=employer, stars=1)
    assert exc.value.code == "already_rated"
    assert Rating.objects.count() == 2
    assert AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Rating)).count() == 2


@pytest.mark.django_db
def test_rating_refused_before_completion_with_bad_input_or_by_outsiders(officer):
    order = approved_order()
    with pytest.raises(DomainError) as exc:
        ratings.rating_create(work_order=order, actor=order.worker, stars=6)
    assert "stars" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        ratings.rating_create(
            work_order=order, actor=order.worker, stars=3, tags=["技术好"]
        )  # a worker's tag
    assert "tags" in exc.value.fields
    with pytest.raises(NotFound):
        ratings.rating_create(work_order=order, actor=make_worker(), stars=3)
    with pytest.raises(NotPermitted):
        ratings.rating_create(work_order=order, actor=officer, stars=3)
    WorkOrder.objects.filter(pk=order.pk).update(status=WorkOrderStatus.CHECKED_IN)
    with pytest.raises(DomainError) as exc:
        ratings.rating_create(work_order=order, actor=order.worker, stars=3)
    assert exc.value.code == "invalid_transition"
    assert not Rating.objects.exists()


def stored_record(worker) -> tuple[float | None, float | None]:
    from jobs.models import WorkerProfile

    return WorkerProfile.objects.values_list("reliability", "rating").get(user=worker)


@pytest.mark.django_db
def test_work_order_outcomes_keep_the_stored_reliability(officer):
    """Matching reads the stored record (issue 6: no counting per request); work_order_move keeps it."""
    from work.services import work_order_move

    worker = make_worker()
    assert stored_record(worker) == (None, None)
    done = approved_order(worker=worker)  # put into approved directly: no record yet
    assert stored_record(worker) == (None, None)
    later = approved_order(worker=worker)
    WorkOrder.objects.filter(pk=later.pk).update(status=WorkOrderStatus.SCHEDULED)
    later.refresh_from_db()
    with transaction.atomic():
        work_order_move(later, WorkOrderStatus.NO_SHOW, officer, reason="未到岗")
    assert stored_record(worker)[0] == pytest.approx(1 / 2)  # one approved, one no-show
    with transaction.atomic():
        work_order_move(done, WorkOrderStatus.SETTLED, officer)
    assert stored_record(worker)[0] == pytest.approx(1 / 2)
    # the nightly safety net and the bulk backfill agree with the per-worker refresh
    WorkerProfile.objects.filter(user=worker).update(reliability=None)
    assert ratings.refresh_recent_worker_records(since=timezone.now() - dt.timedelta(hours=1)) >= 1
    assert stored_record(worker)[0] == pytest.approx(1 / 2)
    WorkerProfile.objects.filter(user=worker).update(reliability=None)
    ratings.refresh_all_worker_records()
    assert stored_record(worker)[0] == pytest.approx(1 / 2)


@pytest.mark.django_db
def test_appeal_once_and_removed_rating_stops_counting(officer, officer_b):
    worker = make_worker()
    first, second = approved_order(worker=worker), approved_order(worker=worker)
    low = ratings.rating_create(work_order=first, actor=employer_of(first), stars=1)
    ratings.rating_create(work_order=second, actor=employer_of(second), stars=5)
    assert matching.rating_of(worker) == 3.0
    assert stored_record(worker)[1] == 3.0  # the record matching reads, kept by the rating service
    with pytest.raises(NotPermitted):  # only the rated party appeals
        ratings.rating_appeal(rating=low, actor=employer_of(first), reason="我评错了")
    ratings.rating_appeal(rating=low, actor=worker, reason="当天按时到岗，评价不实")
    with pytest.raises(DomainError) as exc:
        ratings.rating_appeal(rating=low, actor=worker, reason="再申诉一次")
    assert exc.value.code == "invalid_transition"
    with pytest.raises(NotFound):  # another county's officer
        ratings.rating_decide_appeal(rating=low, actor=officer_b, outcome=AppealOutcome.REMOVED)
    with pytest.raises(NotPermitted):
        ratings.rating_decide_appeal(rating=low, actor=worker, outcome=AppealOutcome.REMOVED)
    assert matching.rating_of(worker) == 3.0  # still counts while pending
    ratings.rating_decide_appeal(
        rating=low, actor=officer, outcome=AppealOutcome.REMOVED, note="考勤记录显示准时"
    )
    low.refresh_from_db()
    assert low.appeal_outcome == AppealOutcome.REMOVED and low.appeal_decided_by == officer and not low.counts
    assert matching.rating_of(worker) == 5.0
    assert stored_record(worker)[1] == 5.0
    assert AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Rating),
        object_id=str(low.pk),
        actor=officer,
        after={"appeal_outcome": "removed"},
    ).exists()
    with pytest.raises(DomainError):  # decided once
        ratings.rating_decide_appeal(rating=low, actor=officer, outcome=AppealOutcome.UPHELD)


@pytest.mark.django_db
def test_ratings_bulk_is_one_query(django_assert_num_queries):
    workers = [make_worker() for _ in range(3)]
    for w in workers[:2]:
        order = approved_order(worker=w)
        ratings.rating_create(work_order=order, actor=employer_of(order), stars=4)
    with django_assert_num_queries(1):
        result = matching.ratings([w.pk for w in workers])
    assert result == {workers[0].pk: 4.0, workers[1].pk: 4.0}


@pytest.mark.django_db
def test_reliability_over_the_last_50_outcomes(django_assert_num_queries):
    worker = make_worker()
    order = approved_order(worker=worker)
    assert matching.reliability_of(worker) == 1.0
    template = {
        f: getattr(order, f) for f in ("application_id", "posting_id", "worker_id", "starts_at", "ends_at")
    }
    base = order.work_date
    # 10 old no-shows, then 50 newer completed: the no-shows fall out of the window
    for i in range(10):
        WorkOrder.objects.create(
            **template, work_date=base - dt.timedelta(days=100 + i), status=WorkOrderStatus.NO_SHOW
        )
    assert matching.reliability_of(worker) == pytest.approx(1 / 11)
    for i in range(49):
        WorkOrder.objects.create(
            **template, work_date=base - dt.timedelta(days=1 + i), status=WorkOrderStatus.SETTLED
        )
    # cancelled and upcoming orders neither help nor hurt
    WorkOrder.objects.create(
        **template, work_date=base + dt.timedelta(days=3), status=WorkOrderStatus.SCHEDULED
    )
    WorkOrder.objects.create(
        **template, work_date=base - dt.timedelta(days=60), status=WorkOrderStatus.CANCELLED
    )
    assert matching.reliability_of(worker) == 1.0
    WorkOrder.objects.create(
        **template, work_date=base + dt.timedelta(days=1), status=WorkOrderStatus.NO_SHOW
    )
    other = make_worker()
    with django_assert_num_queries(1):
        result = matching.reliabilities([worker.pk, other.pk])
    assert result == {worker.pk: pytest.approx(49 / 50)}


@pytest.mark.django_db
def test_ratings_api_scoped_with_appeal_and_decision(api, api_as, officer, officer_b):
    order = approved_order()
    employer, worker = employer_of(order), order.worker
    created = api_as(employer).post(
        "/api/v1/ratings/", {"work_order": order.pk, "stars": 2, "tags": ["迟到"]}, format="json"
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert (
        api_as(employer)
        .post("/api/v1/ratings/", {"work_order": order.pk, "stars": 2}, format="json")
        .status_code
        == 400
    )
    assert (
        api_as(make_worker())
        .post("/api/v1/ratings/", {"work_order": order.pk, "stars": 2}, format="json")
        .status_code
        == 404
    )
    assert api.get("/api/v1/ratings/").status_code in (401, 403)
    assert [r["id"] for r in api_as(worker).get("/api/v1/ratings/").json()["results"]] == [pk]
    assert [r["id"] for r in api_as(officer).get("/api/v1/ratings/").json()["results"]] == [pk]
    assert api_as(officer_b).get(f"/api/v1/ratings/{pk}/").status_code == 404
    assert api_as(make_worker()).get(f"/api/v1/ratings/{pk}/").status_code == 404
    assert (
        api_as(employer)
        .post(f"/api/v1/ratings/{pk}/appeal/", {"reason": "自己申诉"}, format="json")
        .status_code
        == 403
    )
    appealed = api_as(worker).post(f"/api/v1/ratings/{pk}/appeal/", {"reason": "当天没有迟到"}, format="json")
    assert appealed.status_code == 200 and appealed.json()["appeal_outcome"] == "pending"
    assert (
        api_as(worker)
        .post(f"/api/v1/ratings/{pk}/appeal/", {"reason": "再来一次"}, format="json")
        .status_code
        == 409
    )
    assert (
        api_as(worker)
        .post(f"/api/v1/ratings/{pk}/decide-appeal/", {"outcome": "removed"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_as(officer_b)
        .post(f"/api/v1/ratings/{pk}/decide-appeal/", {"outcome": "removed"}, format="json")
        .status_code
        == 404
    )
    decided = api_as(officer).post(
        f"/api/v1/ratings/{pk}/decide-appeal/", {"outcome": "removed"}, format="json"
    )
    assert decided.status_code == 200 and decided.json()["counts"] is False
    assert Rating.objects.get(pk=pk).appeal_outcome == AppealOutcome.REMOVED


@pytest.mark.django_db
def test_admin_lists_are_scoped_and_the_appeal_action_calls_the_service(client_as, officer, officer_b):
    from work import services as payments
    from work.choices import PaymentBackend, PaymentMethod

    order = approved_order()
    payments.payment_request(
        work_order=order,
        actor=employer_of(order),
        idempotency_key="adm",
        method=PaymentMethod.CASH,
        backend=PaymentBackend.OFFLINE,
    )
    rating = ratings.rating_create(work_order=order, actor=employer_of(order), stars=1)
    ratings.rating_appeal(rating=rating, actor=order.worker, reason="评价不实")
    client = client_as(officer)
    for model in ("payment", "paymentcallback", "arrearsalert", "rating"):
        assert client.get(f"/admin/work/{model}/").status_code == 200, model
    assert client.get(f"/admin/work/payment/{order.payments.get().pk}/change/").status_code == 200
    assert client_as(officer_b).get(f"/admin/work/rating/{rating.pk}/change/").status_code in (302, 404)
    response = client.post(
        "/admin/work/rating/", {"action": "remove_on_appeal", "_selected_action": [rating.pk]}
    )
    assert response.status_code == 302
    rating.refresh_from_db()
    assert rating.appeal_outcome == AppealOutcome.REMOVED and rating.appeal_decided_by == officer


@pytest.mark.django_db
def test_reliability_and_rating_are_unknown_until_work_orders_exist():
    worker = make_worker()
    assert matching.reliability_of(worker) is None
    assert matching.rating_of(worker) is None
