"""The computed indicators' arithmetic: for a period, each indicator's value per scope unit, counted from
the raw records of the apps to the left **as they were in the period** — rows whose own timestamp (created,
published, accepted, settled, received, resolved, completed) falls in [start, end), and for a stock
indicator the rows that existed before the period's end. One grouped query per indicator (three for
counter services); a unit with no rows is absent (the service writes it as 0).

Rows without a scope unit (a worker registered without a county) belong to no unit and so to no figure:
the city's figure of an additive indicator is the sum of its units' (ADR 0036)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum
from django.utils import timezone

from disputes.models import Case
from jobs.choices import ApplicationSource, ApplicationStatus
from jobs.models import Application, ApplicationEvent, EmployerProfile, Posting, WorkerProfile
from training.choices import EnrollmentChannel, EnrollmentStatus
from training.models import Enrollment, EnrollmentEvent, TrainingResult
from work.models import WorkOrder

from .periods import Period

PerUnit = dict[int, Decimal]
CENT = Decimal("0.01")


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's first instant and the instant after it, aware in the current time zone (Asia/Shanghai)."""
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(period.end, dt.time.min))
    return start, end


def _count(qs: QuerySet, unit: str, *, distinct: str = "") -> PerUnit:
    measure = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = qs.filter(**{f"{unit}__isnull": False}).values(unit).annotate(n=measure).values_list(unit, "n")
    return {u: Decimal(n) for u, n in rows}


def _within(field: str, period: Period) -> dict:
    start, end = bounds(period)
    return {f"{field}__gte": start, f"{field}__lt": end}


def _before_end(field: str, period: Period) -> dict:
    return {f"{field}__lt": bounds(period)[1]}


def workers_new(p: Period) -> PerUnit:
    return _count(WorkerProfile.objects.filter(**_within("created_at", p)), "user__scope_unit")


def workers_total(p: Period) -> PerUnit:
    return _count(WorkerProfile.objects.filter(**_before_end("created_at", p)), "user__scope_unit")


def employers_new(p: Period) -> PerUnit:
    return _count(EmployerProfile.objects.filter(**_within("created_at", p)), "scope_unit")


def employers_total(p: Period) -> PerUnit:
    return _count(EmployerProfile.objects.filter(**_before_end("created_at", p)), "scope_unit")


def postings_new(p: Period) -> PerUnit:
    return _count(Posting.objects.filter(**_within("published_at", p)), "scope_unit")


def hires(p: Period) -> PerUnit:
    events = ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))
    return _count(events, "application__posting__scope_unit", distinct="application")


def work_orders_settled(p: Period) -> PerUnit:
    return _count(WorkOrder.objects.filter(**_within("settled_at", p)), "posting__scope_unit")


def wages_paid(p: Period) -> PerUnit:
    rows = (
        WorkOrder.objects.filter(
            posting__scope_unit__isnull=False, amount__isnull=False, **_within("settled_at", p)
        )
        .values("posting__scope_unit")
        .annotate(total=Sum("amount"))
        .values_list("posting__scope_unit", "total")
    )
    return {u: Decimal(total).quantize(CENT) for u, total in rows}


def counter_services(p: Period) -> PerUnit:
    parts = [
        _count(
            WorkerProfile.objects.filter(assisted_by__isnull=False, **_within("created_at", p)),
            "user__scope_unit",
        ),
        _count(
            Application.objects.filter(source=ApplicationSource.COUNTER, **_within("created_at", p)),
            "posting__scope_unit",
        ),
        _count(
            Enrollment.objects.filter(channel=EnrollmentChannel.COUNTER, **_within("created_at", p)),
            "training_class__scope_unit",
        ),
    ]
    total: dict[int, Decimal] = defaultdict(Decimal)
    for part in parts:
        for unit, n in part.items():
            total[unit] += n
    return dict(total)


def complaints_received(p: Period) -> PerUnit:
    return _count(Case.objects.filter(**_within("received_at", p)), "scope_unit")


def complaints_closed(p: Period) -> PerUnit:
    return _count(Case.objects.filter(**_within("resolved_at", p)), "scope_unit")


def trainees_enrolled(p: Period) -> PerUnit:
    events = EnrollmentEvent.objects.filter(to_status=EnrollmentStatus.ENROLLED, **_within("at", p))
    return _count(events, "enrollment__training_class__scope_unit", distinct="enrollment")


def trainees_completed(p: Period) -> PerUnit:
    results = TrainingResult.objects.filter(completed=True, completed_on__gte=p.start, completed_on__lt=p.end)
    return _count(results, "enrollment__training_class__scope_unit")


# --- breakdowns: (unit, value) -> figure; only the cells that have rows (the service writes no zeros) ----------

PerCell = dict[tuple[int, str], Decimal]


def _count_by(qs: QuerySet, unit: str, key: str, *, distinct: str = "") -> PerCell:
    measure = Count(distinct, distinct=True) if distinct else Count("pk")
    rows = (
        qs.filter(**{f"{unit}__isnull": False})
        .values(unit, key)
        .annotate(n=measure)
        .values_list(unit, key, "n")
    )
    return {(u, v or ""): Decimal(n) for u, v, n in rows}


def postings_new_by_occupation(p: Period) -> PerCell:
    return _count_by(Posting.objects.filter(**_within("published_at", p)), "scope_unit", "occupation__code")


def hires_by_occupation(p: Period) -> PerCell:
    events = ApplicationEvent.objects.filter(to_status=ApplicationStatus.ACCEPTED, **_within("at", p))
    return _count_by(
        events,
        "application__posting__scope_unit",
        "application__posting__occupation__code",
        distinct="application",
    )


def work_orders_settled_by_occupation(p: Period) -> PerCell:
    orders = WorkOrder.objects.filter(**_within("settled_at", p))
    return _count_by(orders, "posting__scope_unit", "posting__occupation__code")


def wages_paid_by_occupation(p: Period) -> PerCell:
    rows = (
        WorkOrder.objects.filter(
            posting__scope_unit__isnull=False, amount__isnull=False, **_within("settled_at", p)
        )
        .values("posting__scope_unit", "posting__occupation__code")
        .annotate(total=Sum("amount"))
        .values_list("posting__scope_unit", "posting__occupation__code", "total")
    )
    return {(u, v or ""): Decimal(total).quantize(CENT) for u, v, total in rows}


# indicator code -> breakdown key -> calculator (a subset of each indicator's allowed breakdowns)
BREAKDOWNS: dict[str, dict[str, Callable[[Period], PerCell]]] = {
    "postings_new": {"occupation": postings_new_by_occupation},
    "hires": {"occupation": hires_by_occupation},
    "work_orders_settled": {"occupation": work_orders_settled_by_occupation},
    "wages_paid": {"occupation": wages_paid_by_occupation},
}

CALCULATORS: dict[str, Callable[[Period], PerUnit]] = {
    fn.__name__: fn
    for fn in (
        workers_new,
        workers_total,
        employers_new,
        employers_total,
        postings_new,
        hires,
        work_orders_settled,
        wages_paid,
        counter_services,
        complaints_received,
        complaints_closed,
        trainees_enrolled,
        trainees_completed,
    )
}
