"""Outcomes equal a brute-force recount over the test data (plain Python over the rows, apart from the SQL),
are idempotent, and hide rates in small cells."""

from __future__ import annotations

import calendar
import datetime as dt
import random
import statistics
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template.loader import render_to_string

from training.choices import EnrollmentStatus
from training.models import Enrollment, OutcomeCohort, TrainingCertificate, TrainingResult
from training.services.outcomes import public_rows, recompute_outcomes
from work.choices import WorkOrderStatus
from work.models import WorkOrder

from .factories import enroll, make_class, make_institution
from .factories_claims import complete, person, settled_work

pytestmark = pytest.mark.django_db
D = dt.date


def plus_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    year, month = day.year + y, m + 1
    return D(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def brute_force() -> dict:
    """Every cohort's figures, recounted from the rows one by one."""
    people = {}
    for e in Enrollment.objects.select_related("training_class").all():
        if e.status != EnrollmentStatus.COMPLETED:
            continue
        result = TrainingResult.objects.filter(enrollment=e).first()
        if result is None or result.completed_on is None:
            continue
        key = (
            e.training_class.institution_id,
            e.training_class.item_id,
            result.completed_on.replace(day=1),
            e.worker_id,
        )
        certified = TrainingCertificate.objects.filter(enrollment=e).exists()
        if key in people:
            old = people[key]
            people[key] = (
                min(old[0], result.completed_on),
                min(old[1], e.training_class.starts_on),
                old[2] or certified,
            )
        else:
            people[key] = (result.completed_on, e.training_class.starts_on, certified)
    orders = [o for o in WorkOrder.objects.all() if o.status == WorkOrderStatus.SETTLED]
    cohorts = defaultdict(lambda: {"n": 0, "cert": 0, "w3": 0, "w6": 0, "before": [], "after": []})
    for (inst, itm, month, worker_id), (done, start, certified) in people.items():
        c = cohorts[(inst, itm, month)]
        c["n"] += 1
        c["cert"] += certified
        mine = [o for o in orders if o.worker_id == worker_id]
        c["w3"] += any(done < o.work_date <= plus_months(done, 3) for o in mine)
        c["w6"] += any(done < o.work_date <= plus_months(done, 6) for o in mine)
        before = [
            o.daily_wage
            for o in mine
            if o.daily_wage is not None and plus_months(start, -3) <= o.work_date < start
        ]
        after = [
            o.daily_wage
            for o in mine
            if o.daily_wage is not None and done < o.work_date <= plus_months(done, 3)
        ]
        if before:
            c["before"].append(statistics.median(before))
        if after:
            c["after"].append(statistics.median(after))

    def med(values):
        return statistics.median(values).quantize(Decimal("0.01"), ROUND_HALF_UP) if values else None

    return {
        key: (
            c["n"],
            c["cert"],
            c["w3"],
            c["w6"],
            len(c["before"]),
            len(c["after"]),
            med(c["before"]),
            med(c["after"]),
        )
        for key, c in cohorts.items()
    }


def stored() -> dict:
    return {
        (o.institution_id, o.item_id, o.cohort_month): (
            o.completers,
            o.certified,
            o.worked_3m,
            o.worked_6m,
            o.earnings_known_before,
            o.earnings_known_after,
            o.median_daily_before,
            o.median_daily_after,
        )
        for o in OutcomeCohort.objects.all()
    }


@pytest.fixture
def history():
    """Two institutions, three classes, 18 trainees with mixed outcomes and work before and after."""
    rng = random.Random(15)
    a, b = make_institution(), make_institution()
    classes = [
        (make_class(a, item_code="electrician-special", starts_on=D(2025, 11, 3)), D(2025, 11, 28)),
        (make_class(a, item_code="cleaner-ability", starts_on=D(2025, 12, 1)), D(2026, 1, 31)),
        (make_class(b, item_code="electrician-special", starts_on=D(2025, 11, 10)), D(2025, 11, 30)),
    ]
    for n in range(18):
        training_class, done = classes[n % 3]
        worker = person()
        enrollment = enroll(training_class, worker)
        if n % 7 == 6:
            continue  # still enrolled: not a completer
        if n % 9 == 8:
            Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.NOT_COMPLETED)
            continue
        complete(enrollment, completed_on=done, certified=n % 4 != 0)
        start = training_class.starts_on
        # boundaries: the completion day (not after), 3 and 6 months exactly, the class start (not before)
        days = [
            done,
            plus_months(done, 3),
            plus_months(done, 6),
            plus_months(done, 6) + dt.timedelta(days=1),
            start,
            plus_months(start, -3),
            plus_months(start, -3) - dt.timedelta(days=1),
        ]
        for day in rng.sample(days, k=rng.randint(0, 4)):
            settled_work(worker, day, wage=str(rng.choice([150, 180, 200, 220, 245.5, 260])))
        for _ in range(rng.randint(0, 3)):
            settled_work(
                worker, done + dt.timedelta(days=rng.randint(1, 80)), wage=str(rng.choice([190, 201, 230]))
            )
        if n % 5 == 0:
            settled_work(worker, done + dt.timedelta(days=10), wage="999", status=WorkOrderStatus.CANCELLED)
    # one trainee who completed the same item twice with one institution in one month counts once
    twice = person()
    for day in (D(2025, 11, 12), D(2025, 11, 20)):
        c = make_class(a, item_code="electrician-special", starts_on=day - dt.timedelta(days=5))
        complete(enroll(c, twice), completed_on=day, certified=day.day == 20)
    settled_work(twice, D(2026, 1, 5), wage="210")
    return a, b


def test_recompute_equals_the_brute_force_count(history):
    expected = brute_force()
    assert len(expected) >= 3
    assert recompute_outcomes() == len(expected)
    assert stored() == expected
    assert sum(v[0] for v in expected.values()) > 10


def test_the_python_fallback_equals_the_brute_force_count(history, monkeypatch):
    from training.services import outcomes

    monkeypatch.setattr(outcomes, "_rows_postgresql", outcomes._rows_python)
    outcomes.recompute_outcomes()
    assert stored() == brute_force()


def test_recompute_is_idempotent(history):
    recompute_outcomes()
    first = stored()
    recompute_outcomes()
    assert stored() == first
    assert OutcomeCohort.objects.count() == len(first)


def test_a_handmade_cohort():
    """Three completers of one class (completed 2026-01-15, started 2026-01-05): figures by hand."""
    inst = make_institution()
    training_class = make_class(inst, item_code="cleaner-ability", starts_on=D(2026, 1, 5))
    x, y, z = person(), person(), person()
    for w, cert in ((x, True), (y, True), (z, False)):
        complete(enroll(training_class, w), completed_on=D(2026, 1, 15), certified=cert)
    settled_work(x, D(2025, 10, 5), wage="100")  # before: [2025-10-05, 2026-01-05)
    settled_work(x, D(2025, 12, 1), wage="140")  # x before = 120
    settled_work(x, D(2026, 4, 15), wage="300")  # after, on the 3-month day: x after = 300, worked 3m
    settled_work(y, D(2026, 1, 4), wage="200")  # y before = 200
    settled_work(y, D(2026, 5, 1), wage="250")  # 6 months only, not in the after window
    settled_work(z, D(2026, 1, 15), wage="500")  # the completion day: nothing
    recompute_outcomes()
    row = OutcomeCohort.objects.get(institution=inst)
    assert row.cohort_month == D(2026, 1, 1)
    assert (row.completers, row.certified, row.worked_3m, row.worked_6m) == (3, 2, 1, 2)
    assert (row.earnings_known_before, row.earnings_known_after) == (2, 1)
    assert row.median_daily_before == Decimal("160.00")  # median of 120 and 200
    assert row.median_daily_after == Decimal("300.00")


def test_small_cells_hide_rates(settings):
    settings.LINGONG_TRAINING_OUTCOME_MIN_COMPLETERS = 5
    inst = make_institution()
    small = make_class(inst, item_code="cleaner-ability", starts_on=D(2026, 1, 5))
    large = make_class(inst, item_code="electrician-special", starts_on=D(2026, 1, 5))
    for _ in range(4):
        complete(enroll(small, person()), completed_on=D(2026, 1, 15))
    workers = [person() for _ in range(5)]
    for n, w in enumerate(workers):
        complete(enroll(large, w), completed_on=D(2026, 2, 10), certified=n < 4)
    settled_work(workers[0], D(2026, 3, 1), wage="200")
    recompute_outcomes()
    rows = {r["item"].code: r for r in public_rows(inst)}
    assert rows["cleaner-ability"]["suppressed"] and rows["cleaner-ability"]["certified_rate"] == ""
    assert rows["cleaner-ability"]["median_daily_after"] is None
    big = rows["electrician-special"]
    assert not big["suppressed"]
    assert (big["certified_rate"], big["worked_3m_rate"], big["worked_6m_rate"]) == ("80%", "20%", "20%")
    assert big["median_daily_after"] == Decimal("200.00")
    html = render_to_string("training/_outcomes.html", {"outcomes": public_rows(inst)})
    assert "80%" in html and "人数较少" in html
