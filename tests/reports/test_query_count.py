"""The county-month report (``GET /api/v1/reports/values/?period=YYYYMM&org_unit=<county>`` by a county token)
runs at most two SQL queries: the token (with its unit, ``select_related``) and the facts (with their
indicator and unit). The org unit is the token's own, known from the token's row. Counted: every query on
every connection (default and replica) during the request, after one warming request — the token's
``last_used_at`` update happens at most once per 5 minutes (``accounts.authentication``), so the warming
request takes it and the counted one does not. The ETag/304 answer costs the same two."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from jobs.models import WorkerProfile
from reports import services

from ..jobs.factories import make_worker
from .factories import SHANGHAI

pytestmark = pytest.mark.django_db(databases="__all__")

URL = "/api/v1/reports/values/"
NOVEMBER = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
QUERY = {"period": "202611", "org_unit": "370702"}


@pytest.fixture
def facts(county_a, county_b):
    for unit in (county_a, county_b):
        WorkerProfile.objects.filter(user=make_worker(unit=unit)).update(created_at=NOVEMBER)
    services.compute("202611")


class _AllConnections:
    def __enter__(self):
        self.contexts = [CaptureQueriesContext(connections[alias]) for alias in ("default", "replica")]
        for context in self.contexts:
            context.__enter__()
        return self

    def __exit__(self, *exc):
        for context in self.contexts:
            context.__exit__(*exc)

    @property
    def sql(self) -> list[str]:
        return [q["sql"] for context in self.contexts for q in context.captured_queries]


def test_county_month_report_runs_at_most_two_queries(api_client_a, facts):
    warm = api_client_a.get(URL, QUERY)
    assert warm.status_code == 200
    with _AllConnections() as captured:
        response = api_client_a.get(URL, QUERY)
    assert response.status_code == 200
    assert response.json()["count"] > 0
    assert {r["org_unit"] for r in response.json()["results"]} == {"370702"}
    assert len(captured.sql) <= 2, captured.sql

    with _AllConnections() as again:
        not_modified = api_client_a.get(URL, QUERY, HTTP_IF_NONE_MATCH=response["ETag"])
    assert not_modified.status_code == 304
    assert len(again.sql) <= 2, again.sql


def test_county_token_asking_for_another_county_is_still_404(api_client_a, facts):
    response = api_client_a.get(URL, {**QUERY, "org_unit": "370783"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
