"""Outcomes per provider and catalogue item (as an eligible-training-provider list shows them, from the
portal's own records): per (institution, catalogue item, completion month) the completers, how many were
certified, how many found settled work within 3 and 6 months, and their median daily earnings before and
after. Kept as counts in ``OutcomeCohort`` (rates are derived for display), recomputed nightly.

Definitions (one person counted once per cohort):

- a **completer** is a person with a COMPLETED enrollment whose result has a completion date
  (``TrainingResult.completed_on``); the **cohort** is (the class's institution, the class's catalogue item,
  the first day of the completion month). A person who completed the same item twice with one institution in
  one month is counted once, at the earliest completion and the earliest class start;
- **certified**: one of those enrollments has a ``TrainingCertificate``;
- **worked_3m / worked_6m**: a settled work order (``WorkOrder.status`` = settled) with ``work_date`` in
  (completed_on, completed_on + 3 / 6 calendar months] (month ends clamp, as PostgreSQL's interval does);
- **daily earnings before**: the person's settled work orders with a daily wage (``WorkOrder.daily_wage``)
  and ``work_date`` in [class start − 3 months, class start) — the three months before the training began,
  so the training itself does not depress the figure; **after**: ``work_date`` in (completed_on,
  completed_on + 3 months]. Each person's own figure is the median of those orders' daily wages;
  ``earnings_known_before/after`` counts the persons who have one, and ``median_daily_before/after`` is the
  median over those persons of their own medians (the mean of the two middle values for an even count),
  exact in decimals and rounded to 2 places (half up), or empty when nobody has one.

On PostgreSQL everything is one SQL statement (medians exact over sorted numeric arrays); elsewhere a Python
fallback computes the same from three bulk reads. A run deletes and re-creates every row in one transaction:
running it twice gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from work.choices import WorkOrderStatus
from work.models import WorkOrder

from ..choices import EnrollmentStatus
from ..models import Enrollment, OutcomeCohort, TrainingCertificate
from .eligibility import add_months

CENT = Decimal("0.01")
FIELDS = (
    "completers",
    "certified",
    "worked_3m",
    "worked_6m",
    "earnings_known_before",
    "earnings_known_after",
    "median_daily_before",
    "median_daily_after",
)

SQL = """
WITH comp AS (
    SELECT c.institution_id, c.item_id, date_trunc('month', r.completed_on)::date AS cohort_month,
        e.worker_id, min(r.completed_on) AS completed_on, min(c.starts_on) AS starts_on,
        bool_or(tc.id IS NOT NULL) AS certified
    FROM training_enrollment e
    JOIN training_trainingclass c ON c.id = e.training_class_id
    JOIN training_trainingresult r ON r.enrollment_id = e.id
    LEFT JOIN training_trainingcertificate tc ON tc.enrollment_id = e.id
    WHERE e.status = %s AND r.completed_on IS NOT NULL
    GROUP BY 1, 2, 3, 4
),
person_work AS (
    SELECT comp.institution_id, comp.item_id, comp.cohort_month, comp.worker_id,
        bool_or(w.work_date <= (comp.completed_on + interval '3 months')::date) AS w3,
        true AS w6,
        array_agg(w.daily_wage ORDER BY w.daily_wage) FILTER (
            WHERE w.daily_wage IS NOT NULL AND w.work_date <= (comp.completed_on + interval '3 months')::date
        ) AS after_wages
    FROM comp
    JOIN work_workorder w ON w.worker_id = comp.worker_id AND w.status = %s
        AND w.work_date > comp.completed_on
        AND w.work_date <= (comp.completed_on + interval '6 months')::date
    GROUP BY 1, 2, 3, 4
),
person_before AS (
    SELECT comp.institution_id, comp.item_id, comp.cohort_month, comp.worker_id,
        array_agg(w.daily_wage ORDER BY w.daily_wage) AS before_wages
    FROM comp
    JOIN work_workorder w ON w.worker_id = comp.worker_id AND w.status = %s
        AND w.daily_wage IS NOT NULL
        AND w.work_date >= (comp.starts_on - interval '3 months')::date AND w.work_date < comp.starts_on
    GROUP BY 1, 2, 3, 4
),
person AS (
    SELECT comp.institution_id, comp.item_id, comp.cohort_month, comp.certified,
        coalesce(pw.w3, false) AS w3, coalesce(pw.w6, false) AS w6,
        (pb.before_wages[(cardinality(pb.before_wages) + 1) / 2]
            + pb.before_wages[(cardinality(pb.before_wages) + 2) / 2]) / 2 AS before_median,
        (pw.after_wages[(cardinality(pw.after_wages) + 1) / 2]
            + pw.after_wages[(cardinality(pw.after_wages) + 2) / 2]) / 2 AS after_median
    FROM comp
    LEFT JOIN person_work pw USING (institution_id, item_id, cohort_month, worker_id)
    LEFT JOIN person_before pb USING (institution_id, item_id, cohort_month, worker_id)
),
cohort AS (
    SELECT institution_id, item_id, cohort_month,
        count(*) AS completers,
        count(*) FILTER (WHERE certified) AS certified,
        count(*) FILTER (WHERE w3) AS worked_3m,
        count(*) FILTER (WHERE w6) AS worked_6m,
        count(before_median) AS earnings_known_before,
        count(after_median) AS earnings_known_after,
        array_agg(before_median ORDER BY before_median) FILTER (WHERE before_median IS NOT NULL) AS b,
        array_agg(after_median ORDER BY after_median) FILTER (WHERE after_median IS NOT NULL) AS a
    FROM person
    GROUP BY 1, 2, 3
)
SELECT institution_id, item_id, cohort_month, completers, certified, worked_3m, worked_6m,
    earnings_known_before, earnings_known_after,
    round((b[(cardinality(b) + 1) / 2] + b[(cardinality(b) + 2) / 2]) / 2, 2),
    round((a[(cardinality(a) + 1) / 2] + a[(cardinality(a) + 2) / 2]) / 2, 2)
FROM cohort
"""


def _rows_postgresql() -> list[tuple]:
    with connection.cursor() as cursor:
        # parameters in order: the completed status (comp), the settled status (after, before)
        cursor.execute(SQL, [EnrollmentStatus.COMPLETED, WorkOrderStatus.SETTLED, WorkOrderStatus.SETTLED])
        return cursor.fetchall()


def _median(values):
    return statistics.median(sorted(values)) if values else None


def _rows_python() -> list[tuple]:
    """The same figures from bulk reads, for SQLite (development)."""
    completions = Enrollment.objects.filter(
        status=EnrollmentStatus.COMPLETED, result__completed_on__isnull=False
    ).values_list(
        "pk",
        "worker_id",
        "training_class__institution_id",
        "training_class__item_id",
        "training_class__starts_on",
        "result__completed_on",
    )
    certified_ids = set(TrainingCertificate.objects.values_list("enrollment_id", flat=True))
    persons: dict[tuple, dict] = {}
    for pk, worker_id, institution_id, item_id, starts_on, completed_on in completions.order_by(
        "result__completed_on", "pk"
    ):
        key = (institution_id, item_id, completed_on.replace(day=1), worker_id)
        entry = persons.setdefault(
            key, {"completed_on": completed_on, "starts_on": starts_on, "certified": False}
        )
        entry["starts_on"] = min(entry["starts_on"], starts_on)
        entry["certified"] |= pk in certified_ids
    workers = {key[3] for key in persons}
    orders = defaultdict(list)
    for worker_id, work_date, wage in WorkOrder.objects.filter(
        status=WorkOrderStatus.SETTLED, worker_id__in=workers
    ).values_list("worker_id", "work_date", "daily_wage"):
        orders[worker_id].append((work_date, wage))
    cohorts: dict[tuple, dict] = defaultdict(
        lambda: {"completers": 0, "certified": 0, "worked_3m": 0, "worked_6m": 0, "b": [], "a": []}
    )
    for (institution_id, item_id, month, worker_id), entry in persons.items():
        done, start = entry["completed_on"], entry["starts_on"]
        end3, end6, before_from = add_months(done, 3), add_months(done, 6), add_months(start, -3)
        mine = orders.get(worker_id, [])
        cohort = cohorts[(institution_id, item_id, month)]
        cohort["completers"] += 1
        cohort["certified"] += entry["certified"]
        cohort["worked_3m"] += any(done < d <= end3 for d, _ in mine)
        cohort["worked_6m"] += any(done < d <= end6 for d, _ in mine)
        before = _median([w for d, w in mine if w is not None and before_from <= d < start])
        after = _median([w for d, w in mine if w is not None and done < d <= end3])
        if before is not None:
            cohort["b"].append(before)
        if after is not None:
            cohort["a"].append(after)
    rows = []
    for (institution_id, item_id, month), c in cohorts.items():
        b, a = _median(c["b"]), _median(c["a"])
        rows.append(
            (
                institution_id,
                item_id,
                month,
                c["completers"],
                c["certified"],
                c["worked_3m"],
                c["worked_6m"],
                len(c["b"]),
                len(c["a"]),
                None if b is None else Decimal(b).quantize(CENT, ROUND_HALF_UP),
                None if a is None else Decimal(a).quantize(CENT, ROUND_HALF_UP),
            )
        )
    return rows


@transaction.atomic
def recompute_outcomes(today: dt.date | None = None) -> int:
    """Recompute every cohort from the records (delete and re-create in one transaction). ``today`` is when
    the figures were computed (a cohort whose 6-month window has not yet passed is still counting up).
    Returns the number of cohorts."""
    rows = _rows_postgresql() if connection.vendor == "postgresql" else _rows_python()
    computed_at = timezone.now()
    if today is not None:
        computed_at = timezone.make_aware(dt.datetime.combine(today, dt.time(3)))
    OutcomeCohort.objects.all().delete()
    objects = [
        OutcomeCohort(
            institution_id=row[0],
            item_id=row[1],
            cohort_month=row[2],
            **dict(zip(FIELDS, row[3:], strict=True)),
            computed_at=computed_at,
        )
        for row in rows
    ]
    OutcomeCohort.objects.bulk_create(objects, batch_size=2000)
    return len(objects)


def min_completers() -> int:
    """Cohorts with fewer completers show counts only, no rates or medians (small cells identify people)."""
    return settings.LINGONG_TRAINING_OUTCOME_MIN_COMPLETERS


def _share(part: int, whole: int) -> str:
    return f"{(Decimal(part) * 100 / whole).quantize(Decimal('1'), ROUND_HALF_UP)}%" if whole else ""


def display_row(cohort: OutcomeCohort) -> dict:
    """One cohort with its derived rates (certificate rate, share working within 3 and 6 months) — hidden
    below the small-cell threshold."""
    small = cohort.completers < min_completers()
    return {
        "cohort": cohort,
        "item": cohort.item,
        "month": cohort.cohort_month,
        "completers": cohort.completers,
        "suppressed": small,
        "min_completers": min_completers(),
        "certified_rate": "" if small else _share(cohort.certified, cohort.completers),
        "worked_3m_rate": "" if small else _share(cohort.worked_3m, cohort.completers),
        "worked_6m_rate": "" if small else _share(cohort.worked_6m, cohort.completers),
        "median_daily_before": None if small else cohort.median_daily_before,
        "median_daily_after": None if small else cohort.median_daily_after,
    }


def public_rows(institution) -> list[dict]:
    """The institution's cohorts for its public page (``templates/training/_outcomes.html``, context var
    ``outcomes``), newest month first."""
    cohorts = (
        OutcomeCohort.objects.filter(institution=institution)
        .select_related("item")
        .order_by("-cohort_month", "item__code")
    )
    return [display_row(c) for c in cohorts]
