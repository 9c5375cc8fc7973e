"""The worker's stored record that matching reads (``WorkerProfile.reliability`` and ``.rating``): kept in the
same transaction whenever a work order reaches or leaves an outcome or an employer's rating of the worker
changes, recomputed nightly for the workers touched lately (the safety net), and all at once by the
benchmark loader. The figures follow the rules of ``work.selectors.reliabilities`` and ``.ratings``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import connection

from jobs.models import WorkerProfile

from ..models import Rating, WorkOrder
from ..selectors import ratings, reliabilities

OUTCOME_STATUSES = frozenset({"approved", "settled", "no_show"})
REFRESH_CHUNK = 1000


def refresh_worker_records(user_ids: Iterable[int]) -> int:
    """Store the reliability and rating of these workers on their profiles (what matching reads): two queries
    and one update per thousand workers. Returns the number of profiles written."""
    ids = sorted(set(user_ids))
    written = 0
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start : start + REFRESH_CHUNK]
        reliability, rating = reliabilities(chunk), ratings(chunk)
        profiles = list(WorkerProfile.objects.filter(user_id__in=chunk).only("pk", "user_id"))
        for profile in profiles:
            profile.reliability = reliability.get(profile.user_id)
            profile.rating = rating.get(profile.user_id)
        WorkerProfile.objects.bulk_update(profiles, ["reliability", "rating"])
        written += len(profiles)
    return written


def _refresh_all_sql() -> tuple[str, ...]:
    """Every worker at once: two UPDATEs with correlated subqueries, the same rules as ``reliabilities`` and
    ``ratings``."""
    profiles, orders, rated = (
        WorkerProfile._meta.db_table,
        WorkOrder._meta.db_table,
        Rating._meta.db_table,
    )
    return (
        f"""
        UPDATE {profiles} SET reliability = (
            SELECT AVG(CASE WHEN x.status IN ('approved', 'settled') THEN 1.0 ELSE 0.0 END) FROM (
                SELECT w.status FROM {orders} w
                WHERE w.worker_id = {profiles}.user_id AND w.status IN ('approved', 'settled', 'no_show')
                ORDER BY w.work_date DESC, w.id DESC LIMIT 50
            ) x
        )
        """,
        f"""
        UPDATE {profiles} SET rating = (
            SELECT AVG(r.stars * 1.0) FROM {rated} r
            WHERE r.ratee_id = {profiles}.user_id AND r.direction = 'employer_to_worker'
              AND r.appeal_outcome <> 'removed'
        )
        """,
    )


def refresh_all_worker_records() -> None:
    with connection.cursor() as cursor:
        for sql in _refresh_all_sql():
            cursor.execute(sql)


def refresh_recent_worker_records(*, since: dt.datetime) -> int:
    """The nightly safety net: workers whose work orders or ratings changed since ``since``."""
    ids = set(WorkOrder.objects.filter(updated_at__gte=since).values_list("worker_id", flat=True))
    ids |= set(Rating.objects.filter(created_at__gte=since).values_list("ratee_id", flat=True))
    ids |= set(Rating.objects.filter(appeal_decided_at__gte=since).values_list("ratee_id", flat=True))
    return refresh_worker_records(ids)
