"""Training reads. Course search (``course_list``): the classes open for enrollment, filtered by occupation
(a category matches its occupations), county, a point and radius (bounding box on the venue point, then the
haversine distance, nearest first: ADR 0004), start date, subsidised only and mode. One query per page
(the page view reads a row more than it shows instead of counting): the subsidy rate in force and the
form's occupation and county choices come from cached copies (ADR 0011), so the page query stays a plain
indexed scan (correlated subqueries cost more to plan than the scan itself)."""

from __future__ import annotations

import datetime as dt
import time

from django.core.cache import cache
from django.db.models import F, OuterRef, Q, Subquery
from django.utils import timezone

from core.geo import bounding_box, distance_km_expression
from core.models import ScopeUnit
from jobs.occupations import tree

from .choices import OPEN_CLASS_STATUSES, EnrollmentStatus, InstitutionStatus
from .models import CatalogueItem, CatalogueRate, ClassSession, Enrollment, TrainingClass

CHOICES_SECONDS = 300
RATES_SECONDS = 60
LOCAL_SECONDS = 5.0  # a process trusts its copy of a cached value this long before asking the cache again
_local: dict[str, tuple[float, object]] = {}


def _cached(key: str, load, seconds: int):
    """``cache.get_or_set`` with a process-local copy in front (read at most every ``LOCAL_SECONDS``): the
    course list asks for three small values per request and each cache round trip costs more than the
    page's SQL."""
    now = time.monotonic()
    hit = _local.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = cache.get_or_set(key, load, seconds)
    _local[key] = (now + LOCAL_SECONDS, value)
    return value


def open_for_enrollment_q(today: dt.date) -> Q:
    """The classes that take enrollments today (the same rule as the enrollment service's check)."""
    return Q(
        status__in=OPEN_CLASS_STATUSES, institution__status=InstitutionStatus.FILED, ends_on__gte=today
    ) & (Q(enrollment_closes_on__gte=today) | Q(enrollment_closes_on__isnull=True, starts_on__gte=today))


def rate_in_force(today: dt.date, field: str = "rate") -> Subquery:
    """The catalogue item's rate in force today for the class's county (a county's own row first, then the
    city-wide one, the latest notice first)."""
    rows = (
        CatalogueRate.objects.effective_on(today)
        .filter(item_id=OuterRef("item_id"))
        .filter(Q(scope_unit__isnull=True) | Q(scope_unit_id=OuterRef("scope_unit_id")))
        .order_by(F("scope_unit_id").asc(nulls_last=True), "-effective_from")
        .values(field)[:1]
    )
    return Subquery(rows)


def course_list(
    *,
    occupation=None,
    county_id: int | None = None,
    near: tuple[float, float] | None = None,
    radius_km: float = 20.0,
    starts_from: dt.date | None = None,
    subsidised_only: bool = False,
    mode: str = "",
    today: dt.date | None = None,
):
    """Open classes with institution and market and, near a point, ``distance_km`` (nearest first; else the
    soonest start first). ``with_rates`` adds the rate in force to a page's rows without a query."""
    today = today or timezone.localdate()
    qs = TrainingClass.objects.filter(open_for_enrollment_q(today)).select_related("institution", "market")
    if occupation is not None:
        qs = qs.filter(item__occupation_id__in=tree().family_ids(occupation))
    if county_id:
        qs = qs.filter(scope_unit_id=county_id)
    if starts_from:
        qs = qs.filter(starts_on__gte=starts_from)
    if subsidised_only:
        qs = qs.filter(subsidised=True)
    if mode:
        qs = qs.filter(mode=mode)
    if near is not None:
        lat, lng = near
        min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_km)
        qs = (
            qs.filter(
                venue_lat__gte=min_lat, venue_lat__lte=max_lat, venue_lng__gte=min_lng, venue_lng__lte=max_lng
            )
            .annotate(distance_km=distance_km_expression(lat, lng, "venue_lat", "venue_lng"))
            .filter(distance_km__lte=radius_km)
            .order_by("distance_km", "starts_on", "id")
        )
    else:
        qs = qs.order_by("starts_on", "id")
    return qs


def rates_in_force(today: dt.date | None = None) -> dict:
    """{(item id, county id or None): (rate, minimum class hours)} of the rates in force today: a few dozen
    rows, kept in the shared cache for ``RATES_SECONDS`` (a new notice's row shows on the course list
    within that time; a class's page and the claim calculator read the table itself)."""
    today = today or timezone.localdate()

    def load():
        out: dict = {}
        rows = CatalogueRate.objects.effective_on(today).order_by("effective_from", "id")
        for item_id, unit_id, rate, hours in rows.values_list(
            "item_id", "scope_unit_id", "rate", "min_class_hours"
        ):
            out[(item_id, unit_id)] = (rate, hours)  # the latest notice last: it wins
        return out

    return _cached(f"training:rates:{today:%Y%m%d}", load, RATES_SECONDS)


def with_rates(rows, today: dt.date | None = None) -> list:
    """Set ``subsidy_rate`` and ``min_hours`` on each class of a page: the county's own rate, else the
    city-wide one."""
    rates = rates_in_force(today)
    rows = list(rows)
    for row in rows:
        found = rates.get((row.item_id, row.scope_unit_id)) or rates.get((row.item_id, None))
        row.subsidy_rate, row.min_hours = found if found else (None, None)
    return rows


def course_get(pk: int, *, today: dt.date | None = None) -> TrainingClass | None:
    """One class as the public sees it: approved, running or completed classes of an institution that is
    filed (a class not yet approved, or of a suspended institution, is not public)."""
    today = today or timezone.localdate()
    return (
        TrainingClass.objects.filter(
            pk=pk,
            status__in=(*OPEN_CLASS_STATUSES, "completed"),
            institution__status=InstitutionStatus.FILED,
        )
        .select_related("institution", "market", "item", "item__occupation", "scope_unit")
        .annotate(subsidy_rate=rate_in_force(today), min_hours=rate_in_force(today, "min_class_hours"))
        .first()
    )


def occupation_choices() -> list[tuple[str, str]]:
    """The occupations of the active catalogue (by code), for the search form: cached for minutes."""

    def load():
        ids = set(CatalogueItem.objects.filter(is_active=True).values_list("occupation_id", flat=True))
        occupations = tree()
        rows = sorted((occupations.by_id[i] for i in ids if i in occupations.by_id), key=lambda o: o.sort)
        return [(o.code, o.name) for o in rows]

    return _cached("training:occupation-choices", load, CHOICES_SECONDS)


def county_choices() -> list[tuple[int, str]]:
    def load():
        return list(
            ScopeUnit.objects.filter(is_active=True).order_by("kind", "code").values_list("pk", "name")
        )

    return _cached("training:county-choices", load, CHOICES_SECONDS)


def my_enrollments(worker):
    """A worker's enrollments, newest first, with the class, its institution and the catalogue's minimum
    hours in force on the class's first day."""
    return (
        Enrollment.objects.filter(worker=worker)
        .select_related("training_class", "training_class__institution", "training_class__market")
        .annotate(
            min_hours=Subquery(
                CatalogueRate.objects.filter(
                    item_id=OuterRef("training_class__item_id"),
                    effective_from__lte=OuterRef("training_class__starts_on"),
                )
                .filter(
                    Q(effective_to__isnull=True) | Q(effective_to__gte=OuterRef("training_class__starts_on"))
                )
                .filter(
                    Q(scope_unit__isnull=True) | Q(scope_unit_id=OuterRef("training_class__scope_unit_id"))
                )
                .order_by(F("scope_unit_id").asc(nulls_last=True), "-effective_from")
                .values("min_class_hours")[:1]
            ),
            next_session=Subquery(
                ClassSession.objects.filter(
                    training_class_id=OuterRef("training_class_id"), ends_at__gte=timezone.now()
                )
                .order_by("starts_at")
                .values("starts_at")[:1]
            ),
        )
        .order_by("-created_at", "-id")
    )


def live_enrollment(training_class, worker) -> Enrollment | None:
    """The worker's enrollment in the class that is not withdrawn (at most one), or None."""
    if not getattr(worker, "pk", None):
        return None
    return (
        Enrollment.objects.filter(training_class=training_class, worker=worker)
        .exclude(status=EnrollmentStatus.WITHDRAWN)
        .first()
    )
