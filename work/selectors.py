"""Scoped reads of work and pay. Work-order reads show the effective status: a checked-out order past its
approval deadline is approved even before the periodic scan has stored it (and its amount is the one the
approval will store)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Avg, Case, CharField, Count, Exists, F, OuterRef, Sum, Value, When, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.utils import timezone

from .calculators import compute_amount
from .choices import AppealOutcome, PaymentStatus, RatingDirection, WorkOrderStatus
from .models import Payment, Rating, WorkOrder

RELIABILITY_WINDOW = 50
LIVE = (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED)


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or timezone.now()


# --- the effective status ---------------------------------------------------------------------------------


def effective_status(order: WorkOrder, now: dt.datetime | None = None) -> str:
    """The status as reads must show it: a checked-out order past its approval deadline is approved even
    before the periodic scan has stored it."""
    if (
        order.status == WorkOrderStatus.CHECKED_OUT
        and order.approval_deadline is not None
        and order.approval_deadline <= _now(now)
    ):
        return WorkOrderStatus.APPROVED
    return order.status


def effective_amount(order: WorkOrder, now: dt.datetime | None = None) -> Decimal | None:
    """The amount due: stored at approval, or computed for an order approved by its deadline (not yet
    stored by the scan)."""
    if order.amount is not None:
        return order.amount
    if effective_status(order, now) == WorkOrderStatus.APPROVED:
        return compute_amount(order)[0]
    return None


def with_effective_status(queryset, now: dt.datetime | None = None):
    """Annotate ``effective_status`` (see effective_status) so lists filter and show it in SQL."""
    return queryset.annotate(
        effective_status=Case(
            When(
                status=WorkOrderStatus.CHECKED_OUT,
                approval_deadline__lte=_now(now),
                then=Value(WorkOrderStatus.APPROVED.value),
            ),
            default=F("status"),
            output_field=CharField(),
        )
    )


# --- work orders ------------------------------------------------------------------------------------------


def work_order_list(*, user, now: dt.datetime | None = None):
    """Work orders in the user's scope (a worker theirs, an employer their postings', staff their county's)
    with the effective status."""
    qs = WorkOrder.objects.visible_to(user).select_related(
        "posting", "posting__employer", "posting__occupation", "posting__scope_unit", "worker"
    )
    return with_effective_status(qs, now)


def work_order_list_for_worker(*, worker, now: dt.datetime | None = None):
    """One worker's own work orders (their pages, and a counter serving them)."""
    qs = WorkOrder.objects.filter(worker=worker).select_related(
        "posting", "posting__employer", "posting__occupation", "posting__scope_unit"
    )
    return with_effective_status(qs, now)


def work_order_list_for_employer(*, user, now: dt.datetime | None = None):
    """The orders of one employer's postings (their timesheet)."""
    return work_order_list(user=user, now=now).filter(posting__employer__user=user)


def work_orders_unconfirmed(*, employer_user, now: dt.datetime | None = None):
    """An employer's orders that start within the next day and are still not confirmed by the worker."""
    now = _now(now)
    return WorkOrder.objects.filter(
        posting__employer__user=employer_user,
        status=WorkOrderStatus.SCHEDULED,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=1),
    ).select_related("posting", "worker")


def work_order_for(*, user, pk: int) -> WorkOrder | None:
    """A work order named in a request body, within what the caller may see."""
    return WorkOrder.objects.visible_to(user).filter(pk=pk).first()


# --- payments and ratings ---------------------------------------------------------------------------------


def payment_list(*, user):
    return (
        Payment.objects.visible_to(user).select_related("work_order__posting").order_by("-created_at", "-id")
    )


def rating_list(*, user):
    return Rating.objects.visible_to(user).order_by("-created_at", "-id")


def payments_of(order: WorkOrder) -> list[Payment]:
    """Every payment attempt of one work order, newest first (the order was already read within scope)."""
    return list(
        Payment.objects.filter(work_order=order).prefetch_related("refunds").order_by("-created_at", "-id")
    )


def ratings_of(order: WorkOrder) -> dict[str, Rating]:
    """The order's ratings by direction (the order was already read within scope)."""
    return {r.direction: r for r in Rating.objects.filter(work_order=order)}


def work_orders_to_pay(*, user, now: dt.datetime | None = None):
    """An employer's completed orders (approved, also by their deadline) with no payment pending or
    succeeded: what the 付款 page asks them to pay."""
    live = Payment.objects.filter(
        work_order=OuterRef("pk"), status__in=[PaymentStatus.PENDING, PaymentStatus.SUCCEEDED]
    )
    return (
        work_order_list_for_employer(user=user, now=now)
        .filter(effective_status=WorkOrderStatus.APPROVED)
        .exclude(Exists(live))
        .order_by("work_date", "id")
    )


def payments_of_employer(*, user):
    """The payments of an employer's work orders, newest first."""
    return (
        Payment.objects.filter(work_order__posting__employer__user=user)
        .select_related("work_order__posting", "work_order__worker")
        .order_by("-created_at", "-id")
    )


# --- a worker's record ------------------------------------------------------------------------------------


def reliabilities(user_ids: Iterable[int]) -> dict[int, float]:
    """completed / (completed + no-shows) over each worker's last ``RELIABILITY_WINDOW`` work orders with an
    outcome (completed = approved or settled; no-shows count; scheduled, cancelled and disputed orders
    neither help nor hurt), newest work date first, for the workers who have any. One query (a window
    function numbers each worker's orders)."""
    completed = {WorkOrderStatus.APPROVED, WorkOrderStatus.SETTLED}
    rows = (
        WorkOrder.objects.filter(
            worker_id__in=list(user_ids), status__in=[*completed, WorkOrderStatus.NO_SHOW]
        )
        .annotate(
            n=Window(
                RowNumber(), partition_by=[F("worker_id")], order_by=[F("work_date").desc(), F("id").desc()]
            )
        )
        .filter(n__lte=RELIABILITY_WINDOW)
        .values_list("worker_id", "status")
    )
    done: dict[int, int] = {}
    total: dict[int, int] = {}
    for worker_id, status in rows:
        total[worker_id] = total.get(worker_id, 0) + 1
        done[worker_id] = done.get(worker_id, 0) + (status in completed)
    return {worker_id: done[worker_id] / n for worker_id, n in total.items()}


def ratings(user_ids: Iterable[int]) -> dict[int, float]:
    """Average stars each worker received from employers, counting ratings only (a rating removed on appeal
    does not count), for the workers who have any. One query."""
    rows = (
        Rating.objects.filter(ratee_id__in=list(user_ids), direction=RatingDirection.EMPLOYER_TO_WORKER)
        .exclude(appeal_outcome=AppealOutcome.REMOVED)
        .values("ratee_id")
        .annotate(avg=Avg("stars"))
        .order_by()
        .values_list("ratee_id", "avg")
    )
    return {ratee_id: float(avg) for ratee_id, avg in rows}


def reliability_of(user) -> float | None:
    return reliabilities([user.pk]).get(user.pk)


def rating_of(user) -> float | None:
    return ratings([user.pk]).get(user.pk)


# --- earnings ---------------------------------------------------------------------------------------------


def earnings(user, *, start: dt.date | None = None, end: dt.date | None = None):
    """The user's own settled work orders (never anyone else's, whatever their staff scope) and their
    totals per month: (orders, months, total, count)."""
    orders = WorkOrder.objects.filter(worker=user, status=WorkOrderStatus.SETTLED)
    if start:
        orders = orders.filter(work_date__gte=start)
    if end:
        orders = orders.filter(work_date__lt=end)
    months = list(
        orders.annotate(month=TruncMonth("work_date"))
        .values("month")
        .annotate(total=Sum("amount"), count=Count("id"), days=Count("work_date", distinct=True))
        .order_by("-month")
    )
    for row in months:
        if isinstance(row["month"], dt.datetime):
            row["month"] = row["month"].date()
    total = sum((row["total"] or Decimal("0") for row in months), Decimal("0"))
    count = sum(row["count"] for row in months)
    return orders, months, total, count
