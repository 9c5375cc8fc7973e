"""CI smoke run of the benchmark (issue 6): generate size XS in the test database, then check that every
scenario's endpoint answers and runs the number of queries per request that the issue allows. Timings are
never asserted here: they belong to `make bench`."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import scenarios as bench_scenarios
from tests.conftest import ensure_divisions


@pytest.fixture(scope="module")
def scenarios(django_db_setup, django_db_blocker):
    """XS data for the whole module inside one transaction that is rolled back at the end (as Django's
    TestCase.setUpTestData does), so other modules never see it."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_divisions()
            call_command("bench_data", "--size", "XS", "--seed", "7", verbosity=0)
            yield {s.name: s for s in bench_scenarios.build(seed=7, variants=6)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def fetch(path: str, user_id: int | None = None):
    """(response, number of queries) of one GET, the session already set up (its queries not counted)."""
    from accounts.models import User

    client = Client()
    if user_id is not None:
        client.force_login(User.objects.get(pk=user_id))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, HTTP_ACCEPT="application/json")
    return response, len(ctx.captured_queries)


def test_bench_data_is_complete_and_deterministic(scenarios, db):
    from jobs.models import Posting, WorkOrder
    from markets.models import Market

    assert Market.objects.count() == 20
    assert Posting.objects.count() == 2000
    assert Posting.objects.open().count() == 600
    assert WorkOrder.objects.filter(status="settled").count() == 5000
    posting = Posting.objects.order_by("pk").first()
    assert posting.search_text and posting.search_tokens
    # Built exactly as jobs.services._prepare builds them.
    from jobs import search

    assert posting.search_text == search.document(posting)
    assert posting.search_tokens == " ".join(search.tokens(posting.search_text))
    # Resumable: a second run skips every phase and adds nothing.
    call_command("bench_data", "--size", "XS", "--seed", "7", verbosity=0)
    assert Posting.objects.count() == 2000


@pytest.mark.urls("bench.urls")
def test_bare_view_answers(scenarios, db):
    response, queries = fetch("/bench/bare/")
    assert response.status_code == 200
    assert response.json()["ok"] is True
    assert queries == 0


@pytest.mark.parametrize("name", ["search", "keyword"])
@pytest.mark.parametrize("page_size", [1, 20, 50])
def test_search_queries_per_request(scenarios, db, name, page_size):
    scenario = scenarios[name]
    for request in scenario.requests:
        response, queries = fetch(bench_scenarios.with_page_size(request.path, page_size))
        assert response.status_code == 200, response.content[:300]
        assert scenario.min_queries <= queries <= scenario.max_queries, (request.path, queries)


def test_search_finds_postings(scenarios, db):
    found = [fetch(r.path)[0].json()["results"] for r in scenarios["search"].requests]
    assert any(found), "the generated data should answer some of the searches"


def test_posting_detail_queries(scenarios, db):
    for request in scenarios["detail"].requests:
        response, queries = fetch(request.path)
        assert response.status_code == 200
        assert queries <= 4, (request.path, queries)


@pytest.mark.xfail(
    strict=True,
    reason="issue 6 allows ≤ 4 queries; measured 12 per request on XS today (the tuning half of issue 6)",
)
def test_recommended_workers_queries(scenarios, db):
    for request in scenarios["recommend"].requests:
        response, queries = fetch(request.path, request.user_id)
        assert response.status_code == 200, response.content[:300]
        assert queries <= 4, (request.path, queries)


def test_geojson_cached_hit_runs_no_query(scenarios, db):
    (request,) = scenarios["geojson"].requests
    first, _ = fetch(request.path)
    assert first.status_code == 200
    assert first.json()["features"]
    response, queries = fetch(request.path)
    assert response.status_code == 200
    assert queries == 0


def test_wage_guidance_answers(scenarios, db):
    (request,) = scenarios["wage"].requests
    response, _ = fetch(request.path)
    assert response.status_code == 200
    assert response.json()["results"]
