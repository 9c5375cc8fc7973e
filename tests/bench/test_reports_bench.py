"""The reports benchmark (issue 18) at size XS: the nightly and the full recompute as ``bench.reports`` times
them (the second compute of a month writes nothing; every month of the 24 has facts), and the county-month
report scenario: each county's own token, 200 with only that county's rows, within two queries per request
as the load generator sends them (its Authorization header). Timings are never asserted here."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import scenarios as bench_scenarios
from tests.conftest import ensure_divisions


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """XS data and the timed recomputes, inside one transaction rolled back at the end (as the smoke test)."""
    from bench.reports import time_reports

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_divisions()
            call_command("bench_data", "--size", "XS", "--seed", "13", verbosity=0)
            result = time_reports("XS")
            yield result, {s.name: s for s in bench_scenarios.build(seed=13, variants=6)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_months_up_to_ends_with_the_open_month():
    import datetime as dt

    from bench.reports import months_up_to

    months = months_up_to(dt.date(2026, 2, 14), 24)
    assert (months[0], months[-2], months[-1], len(months)) == ("202403", "202601", "202602", 24)


def test_the_recomputes_cover_24_months_and_a_second_compute_writes_nothing(bench, db):
    from reports.models import Fact

    result, _ = bench
    today = timezone.localdate()
    assert result["months"][-1] == f"{today:%Y%m}" and len(result["months"]) == 24
    # every month has facts for the city and every county (the totals of every computed indicator)
    by_month = set(Fact.objects.filter(period__in=result["months"]).values_list("period", flat=True))
    assert by_month == set(result["months"])
    assert result["facts"] == Fact.objects.filter(period__in=result["months"]).count()
    # the first nightly run met a month without facts and created them; the second changed nothing
    assert result["nightly"]["first"]["created"] > 0
    assert result["nightly"]["again"]["created"] == result["nightly"]["again"]["deleted"] == 0
    assert result["idempotent"]["wrote_nothing"] is True


def test_the_county_month_report_scenario(bench, db):
    from core.models import ScopeUnit

    _, scenarios = bench
    scenario = scenarios["report"]
    assert scenario.max_queries == 2
    counties = set(ScopeUnit.objects.filter(is_active=True).values_list("code", flat=True))
    asked = set()
    for request in scenario.requests:
        client = Client()
        headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in request.headers.items()}
        client.get(request.path, HTTP_ACCEPT="application/json", **headers)  # the token's last-used stamp
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(request.path, HTTP_ACCEPT="application/json", **headers)
        assert response.status_code == 200, response.content[:300]
        assert len(ctx.captured_queries) <= scenario.max_queries, [q["sql"] for q in ctx.captured_queries]
        code = request.path.split("org_unit=")[1].split("&")[0]
        rows = response.json()["results"]
        assert rows and {r["org_unit"] for r in rows} == {code}
        asked.add(code)
    assert asked == counties  # every county's own token


def test_the_scenario_requests_carry_the_token_to_the_load_generator(bench, db):
    from bench.run import wire_requests

    _, scenarios = bench
    wired = wire_requests(scenarios["report"], {}, "csrf")
    assert all(item["headers"]["Authorization"].startswith("Token lg_") for item in wired)
    assert all(item["cookie"] is None for item in wired)
