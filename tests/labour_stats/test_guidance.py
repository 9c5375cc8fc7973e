"""Wage guidance prices: percentiles as PostgreSQL's percentile_cont (checked against NumPy), suppression,
draft → published and immutability, the published median behind the posting-form warning."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import numpy as np
import pytest
from django.utils import timezone

from core.errors import InvalidTransition, NotPermitted
from core.models import AuditLog
from jobs import services
from labour_stats.calculators import percentile_linear
from labour_stats.choices import GuidanceStatus
from labour_stats.models import WageGuidance, WageGuidanceCell
from labour_stats.selectors import published_median
from labour_stats.services import guidance_compute, guidance_publish
from labour_stats.tasks import guidance_compute_task
from tests.jobs.factories import make_employer, occupation, posting_data
from tests.work.factories import MONTH, settled_orders
from work.choices import WorkOrderStatus
from work.models import WorkOrder

FRACTIONS = (0.1, 0.25, 0.5, 0.75, 0.9)
FIELDS = ("p10", "p25", "p50", "p75", "p90")


def numpy_reference(wages) -> list[Decimal]:
    values = np.array([float(w) for w in wages])
    return [Decimal(str(np.percentile(values, f * 100, method="linear"))) for f in FRACTIONS]


def cell_values(cell) -> list[Decimal]:
    return [getattr(cell, f) for f in FIELDS]


@pytest.mark.parametrize("n", [1, 2, 7, 30, 31, 57])
def test_python_percentiles_equal_numpy_linear(n):
    rng = random.Random(n)
    wages = sorted(Decimal(rng.randrange(12000, 45000)) / 100 for _ in range(n))
    for fraction, expected in zip(FRACTIONS, numpy_reference(wages), strict=True):
        got = percentile_linear(wages, Decimal(str(fraction)))
        assert abs(got - expected) < Decimal("0.000001")


@pytest.mark.parametrize("seed,n,employers", [(1, 30, 5), (2, 43, 6), (3, 64, 7)])
def test_computed_percentiles_equal_numpy_within_one_cent(county_a, seed, n, employers):
    """Runs on the configured database: Python on SQLite, percentile_cont on PostgreSQL."""
    rng = random.Random(seed)
    wages = [
        Decimal(rng.randrange(15000, 42000)) / 100 + Decimal(rng.choice(["0", "0.005"])) for _ in range(n)
    ]
    wages = [w.quantize(Decimal("0.01")) for w in wages]
    settled_orders(wages, employers=employers)

    guidance = guidance_compute(month=MONTH)

    county = WageGuidanceCell.objects.get(
        guidance=guidance, occupation=occupation("cleaner"), scope_unit=county_a
    )
    city = WageGuidanceCell.objects.get(guidance=guidance, occupation=occupation("cleaner"), scope_unit=None)
    for cell in (county, city):
        assert cell.sample_size == n
        assert cell.employer_count == employers
        for got, expected in zip(cell_values(cell), numpy_reference(wages), strict=True):
            assert abs(got - expected) <= Decimal("0.01"), (got, expected)
        assert cell_values(cell) == sorted(cell_values(cell))
    assert guidance.status == GuidanceStatus.DRAFT


def test_percentiles_round_half_up_to_the_cent(county_a, settings):
    settings.LINGONG_GUIDANCE_MIN_OBSERVATIONS = 2
    settings.LINGONG_GUIDANCE_MIN_EMPLOYERS = 1
    # P50 of (100.00, 100.01) is 100.005 → 100.01; P10 is 100.001 → 100.00; P90 is 100.009 → 100.01
    settled_orders(["100.00", "100.01"], employers=1)
    cell = guidance_compute(month=MONTH).cells.get(scope_unit=None)
    assert cell_values(cell) == [
        Decimal("100.00"),
        Decimal("100.00"),
        Decimal("100.01"),
        Decimal("100.01"),
        Decimal("100.01"),
    ]


def test_only_settled_work_of_the_month_counts(county_a, settings):
    settings.LINGONG_GUIDANCE_MIN_OBSERVATIONS = 3
    settings.LINGONG_GUIDANCE_MIN_EMPLOYERS = 1
    settled_orders(["200", "210", "220"], employers=1)
    settled_orders(["999"], employers=1, month=dt.date(2025, 4, 1))  # next month
    approved = settled_orders(["1"], employers=1)  # same month, not settled
    WorkOrder.objects.filter(pk=approved[0].pk).update(status=WorkOrderStatus.APPROVED)

    cell = guidance_compute(month=MONTH).cells.get(scope_unit=None)

    assert cell.sample_size == 3
    assert cell.p50 == Decimal("210.00")


def test_cells_under_the_thresholds_are_not_stored(county_a, county_b):
    settled_orders([200] * 29, employers=5)  # county A: 29 observations
    settled_orders([180] * 40, employers=4, unit_code="370783")  # county B: only 4 employers
    settled_orders([300] * 30, employers=5, occupation_code="electrician")  # exactly at the thresholds

    guidance = guidance_compute(month=MONTH)

    cells = {(c.occupation.code, c.scope_unit_id) for c in guidance.cells.select_related("occupation")}
    assert ("cleaner", county_a.pk) not in cells
    assert ("cleaner", county_b.pk) not in cells
    assert ("cleaner", None) in cells  # 69 observations from 9 employers city-wide
    assert ("electrician", county_a.pk) in cells
    assert ("electrician", None) in cells
    assert guidance.min_observations == 30 and guidance.min_employers == 5


def test_recomputing_a_draft_replaces_its_cells(county_a):
    settled_orders([200] * 30, employers=5)
    guidance = guidance_compute(month=MONTH)
    assert guidance.cells.get(scope_unit=None).sample_size == 30
    settled_orders([260] * 30, employers=5)

    guidance = guidance_compute(month=MONTH)

    assert WageGuidance.objects.count() == 1
    assert guidance.cells.filter(scope_unit=None).count() == 1
    cell = guidance.cells.get(scope_unit=None)
    assert cell.sample_size == 60 and cell.employer_count == 10
    assert cell.p50 == Decimal("230.00")


def test_a_published_month_does_not_change_when_new_work_arrives(county_a, city_staff):
    settled_orders([200 + i for i in range(30)], employers=5)
    guidance = guidance_publish(guidance=guidance_compute(month=MONTH), actor=city_staff)
    before = sorted((c.scope_unit_id or 0, *cell_values(c), c.sample_size) for c in guidance.cells.all())
    settled_orders([500] * 40, employers=6)

    with pytest.raises(InvalidTransition):
        guidance_compute(month=MONTH)

    guidance.refresh_from_db()
    assert guidance.status == GuidanceStatus.PUBLISHED
    assert (
        sorted((c.scope_unit_id or 0, *cell_values(c), c.sample_size) for c in guidance.cells.all()) == before
    )
    assert guidance_compute_task(month=MONTH.isoformat()) == 0  # the monthly task leaves it alone too
    assert (
        sorted((c.scope_unit_id or 0, *cell_values(c), c.sample_size) for c in guidance.cells.all()) == before
    )


def test_publish_is_for_city_staff_audited_and_once(county_a, city_staff, officer):
    settled_orders([200] * 30, employers=5)
    guidance = guidance_compute(month=MONTH)

    with pytest.raises(NotPermitted):
        guidance_publish(guidance=guidance, actor=officer)
    guidance.refresh_from_db()
    assert guidance.status == GuidanceStatus.DRAFT

    guidance_publish(guidance=guidance, actor=city_staff)
    guidance.refresh_from_db()
    assert guidance.status == GuidanceStatus.PUBLISHED
    assert guidance.published_by == city_staff and guidance.published_at is not None
    assert AuditLog.objects.filter(actor=city_staff, object_id=str(guidance.pk), action="transition").exists()
    with pytest.raises(InvalidTransition):
        guidance_publish(guidance=guidance, actor=city_staff)


def test_published_median_prefers_the_county_then_the_city(county_a, county_b, city_staff):
    cleaner = occupation("cleaner")
    assert published_median(occupation=cleaner, scope_unit=county_a, on=MONTH) is None
    settled_orders([250] * 30, employers=5)  # county A
    settled_orders([150] * 10, employers=2, unit_code="370783")  # county B: suppressed
    guidance = guidance_compute(month=MONTH)
    assert published_median(occupation=cleaner, scope_unit=county_a, on=MONTH) is None  # draft only
    guidance_publish(guidance=guidance, actor=city_staff)

    assert published_median(occupation=cleaner, scope_unit=county_a, on=MONTH) == Decimal("250.00")
    city = guidance.cells.get(scope_unit=None).p50
    assert published_median(occupation=cleaner, scope_unit=county_b, on=MONTH) == city
    assert published_median(occupation=cleaner, scope_unit=None, on=dt.date(2025, 6, 9)) == city
    assert published_median(occupation=cleaner, scope_unit=county_a, on=dt.date(2025, 2, 28)) is None


def test_posting_below_the_published_median_gets_a_warning(county_a, city_staff):
    settled_orders([300] * 30, employers=5)
    guidance_publish(guidance=guidance_compute(month=MONTH), actor=city_staff)
    employer = make_employer(unit=county_a)
    start = timezone.localdate() + dt.timedelta(days=1)
    data = posting_data(scope_unit=county_a, work_start_date=start, work_end_date=start)

    low = services.posting_create(
        employer=employer, actor=employer.user, data={**data, "wage_amount": Decimal("220")}
    )
    high = services.posting_create(
        employer=employer, actor=employer.user, data={**data, "wage_amount": Decimal("320")}
    )

    assert any("300.00" in str(w) for w in low.warnings), low.warnings
    assert high.warnings == []


def test_monthly_task_computes_last_months_draft(county_a, settings):
    settings.LINGONG_GUIDANCE_MIN_OBSERVATIONS = 1
    settings.LINGONG_GUIDANCE_MIN_EMPLOYERS = 1
    today = timezone.localdate()
    last = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    settled_orders([210], employers=1, month=last)

    assert guidance_compute_task() == 2  # county cell and city-wide cell

    guidance = WageGuidance.objects.get(month=last)
    assert guidance.status == GuidanceStatus.DRAFT


def test_the_schedule_exists_from_the_migration(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    importlib.import_module("labour_stats.migrations.0002_schedules").schedule(apps, None)  # idempotent
    task = PeriodicTask.objects.get(task="labour_stats.tasks.guidance_compute_task")
    assert (task.crontab.day_of_month, task.crontab.hour, task.crontab.minute) == ("1", "2", "0")


def test_admin_computes_and_publishes_through_the_services(client_as, county_a, city_staff, officer):
    settled_orders([200] * 30, employers=5)
    staff = client_as(city_staff)
    response = staff.post("/admin/labour_stats/wageguidance/add/", {"month": "2025-03-15"})
    assert response.status_code == 302, response.content[:2000]
    guidance = WageGuidance.objects.get(month=MONTH)
    assert guidance.cells.count() == 2 and guidance.status == GuidanceStatus.DRAFT
    assert staff.get(f"/admin/labour_stats/wageguidance/{guidance.pk}/change/").status_code == 200

    county = client_as(officer)
    county.post("/admin/labour_stats/wageguidance/", {"action": "publish", "_selected_action": [guidance.pk]})
    guidance.refresh_from_db()
    assert guidance.status == GuidanceStatus.DRAFT

    staff.post("/admin/labour_stats/wageguidance/", {"action": "publish", "_selected_action": [guidance.pk]})
    guidance.refresh_from_db()
    assert guidance.status == GuidanceStatus.PUBLISHED and guidance.published_by == city_staff
    assert staff.get("/admin/labour_stats/supplydemandstat/").status_code == 200
