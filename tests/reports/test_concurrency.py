"""Concurrent recomputes of one period on PostgreSQL queue on the catalogue's row locks: each finishes, none
trips the unique constraint, and the table holds one row per indicator × org unit."""

from __future__ import annotations

import pytest

from core.models import ScopeUnit
from reports import services
from reports.calculators import CITY_CALCULATORS, RATIOS
from reports.models import Fact, Indicator

from ..jobs.test_concurrency import run_together

THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_recomputes_of_one_period_make_one_set_of_rows(postgres, county_a):
    results = run_together(lambda i: services.compute("202611"), THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.created for r in results) == Fact.objects.filter(period="202611").count()
    units = ScopeUnit.objects.filter(is_active=True).count()
    # no raw rows: every additive indicator is 0 everywhere; a median of nothing and a ratio over a 0
    # denominator have no row
    assert Fact.objects.filter(period="202611").count() == Indicator.objects.filter(
        method="computed"
    ).exclude(code__in=[*RATIOS, *CITY_CALCULATORS]).count() * (units + 1)
