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
    from jobs.models import Posting
    from markets.models import Market
    from work.models import WorkOrder

    assert Market.objects.count() == 20
    assert Posting.objects.count() == 2000
    assert Posting.objects.open().count() == 600
    assert WorkOrder.objects.filter(status="settled").count() == 5000
    # validity windows (ADR 0041): a spell per skill, a window per published posting, open while published
    from jobs.models import PostingWindow, SeekerSpell, WorkerSkill

    assert SeekerSpell.objects.count() == WorkerSkill.objects.count() > 0
    assert PostingWindow.objects.count() == Posting.objects.filter(published_at__isnull=False).count()
    assert (
        PostingWindow.objects.filter(closed_at__isnull=True).count()
        == Posting.objects.filter(status="published").count()
    )
    posting = Posting.objects.order_by("pk").first()
    assert posting.search_text and posting.search_tokens
    # Built exactly as jobs.services._prepare builds them.
    from jobs import search

    assert posting.search_text == search.document(posting)
    assert posting.search_tokens == search.posting_tokens(posting.search_text, posting.lat, posting.lng)
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


def test_recommended_workers_queries(scenarios, db, settings):
    """≤ 4 queries as deployed: sessions come from the cache (production's cached_db engine), so the
    request runs the user with their role grants (1), the posting (1), the scored candidates (1) and the
    best profiles (1) — whatever the number of candidates."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    first = scenarios["recommend"].requests[0]
    fetch(first.path, first.user_id)  # the process reads the occupation tree once (jobs.occupations)
    recommended = 0
    for request in scenarios["recommend"].requests:
        response, queries = fetch(request.path, request.user_id)
        assert response.status_code == 200, response.content[:300]
        assert queries <= 4, (request.path, queries)
        assert all(row["reasons"] and row["worker"]["skills"] for row in response.json())
        recommended += len(response.json())
    assert recommended  # not vacuous: some postings have recommendations on XS


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


# --- keyword results against brute force (issue 6: "identical to a brute-force substring check") ----------


@pytest.mark.parametrize("page_size", [100, 7])
def test_keyword_results_are_identical_to_a_brute_force_substring_check(scenarios, db, page_size):
    """Every keyword variant through the API, all keyset pages, against the open postings that the plain
    filters select without the token index, the haversine radius and `q in document(posting)` in Python."""
    from bench.run import check_keywords

    result = check_keywords(scenarios["keyword"].requests, page_size=page_size)
    assert result["mismatches"] == []
    assert result["identical"] == result["variants"] == len(scenarios["keyword"].requests)
    assert result["results"] > 0, "the generated data should answer some of the keyword searches"


def test_brute_force_is_not_vacuous(scenarios, db):
    """The brute force drops what the keyword does not contain and keeps the order by distance."""
    from bench.run import brute_force_ids
    from jobs.models import Posting

    path = scenarios["keyword"].requests[0].path
    without_q = path.split("&q=")[0]
    every = brute_force_ids(without_q)
    found = brute_force_ids(path)
    assert set(found) <= set(every) and [pk for pk in every if pk in set(found)] == found
    assert brute_force_ids(f"{without_q}&q=不会出现的词语") == []
    assert Posting.objects.filter(pk__in=every).count() == len(every)


# --- the mixed workload ----------------------------------------------------------------------------------


def test_mixed_workload_has_the_issue_weights_and_is_deterministic(scenarios, db):
    mixed = scenarios["mixed"].requests
    counts = bench_scenarios.mix_of(mixed)
    rounds = len(mixed) // 100
    assert len(mixed) == 100 * rounds and rounds >= 1
    assert counts == {kind: weight * rounds for kind, weight in bench_scenarios.MIX.items()}
    # Each round of 100 slots holds the weights, interleaved (not in blocks).
    first = [bench_scenarios.kind_of(r) for r in mixed[:100]]
    assert {k: first.count(k) for k in bench_scenarios.MIX} == bench_scenarios.MIX
    assert first[:60] != ["search"] * 60
    parts = {kind: [r for r in mixed if bench_scenarios.kind_of(r) == kind] for kind in bench_scenarios.MIX}
    again = bench_scenarios.interleave(parts, seed=7)
    assert [bench_scenarios.kind_of(r) for r in again] == [bench_scenarios.kind_of(r) for r in mixed]
    # Built only from the other scenarios' variants, plus the writes.
    others = {
        r.path
        for name in ("search", "keyword", "detail", "geojson", "wage")
        for r in scenarios[name].requests
    }
    assert {r.path for r in mixed if r.method == "GET"} <= others


def test_mixed_workload_writes_are_employer_drafts_through_the_api_with_csrf(scenarios, db):
    """The writes as the load generator sends them: the employer's session and CSRF cookies and the CSRF
    header (bench.run builds them), with CSRF checks on as in gunicorn. Without the header: refused."""
    from django.conf import settings

    from bench import run
    from jobs.models import Posting

    writes = [r for r in scenarios["mixed"].requests if r.method == "POST"]
    assert writes and all(r.user_id and r.path == "/api/v1/postings/" for r in writes)
    token = run.csrf_token()
    cookies = run.sessions_for({r.user_id for r in writes}, token)
    wired = [
        w for w in run.wire_requests(scenarios["mixed"], cookies, token, tagged=True) if w["method"] == "POST"
    ]
    assert wired[0]["tag"] == "write" and wired[0]["headers"]["X-CSRFTOKEN"] == token
    assert f"{settings.CSRF_COOKIE_NAME}={token}" in wired[0]["cookie"]

    def post(item, headers):
        client = run._client(item["cookie"])
        client.handler.enforce_csrf_checks = True
        extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
        return client.post(
            item["path"],
            item["body"],
            content_type="application/json",
            HTTP_ACCEPT="application/json",
            **extra,
        )

    refused = post(wired[0], {})
    assert refused.status_code == 403, refused.content[:300]
    before = Posting.objects.count()
    for item in wired:
        for _ in range(2):  # repeatable: the same request twice makes two drafts
            response = post(item, item["headers"])
            assert response.status_code == 201, response.content[:500]
            assert response.json()["status"] == "draft"
    made = Posting.objects.order_by("-pk")[: 2 * len(wired)]
    assert Posting.objects.count() == before + 2 * len(wired)
    assert all(p.title.startswith(bench_scenarios.WRITE_TITLE_PREFIX) and p.status == "draft" for p in made)
    assert not Posting.objects.open().filter(title__startswith=bench_scenarios.WRITE_TITLE_PREFIX).exists()


def test_mixed_workload_queries_measure_in_process(scenarios, db):
    """bench.run's in-process phase on the mixed workload: its sample holds every kind, writes included."""
    from bench import run

    mixed = scenarios["mixed"]
    cookies = run.sessions_for({r.user_id for r in mixed.requests if r.user_id}, run.csrf_token())
    picked = run.sample(mixed.requests, 10)
    assert len(picked) == 10 and {bench_scenarios.kind_of(r) for r in picked} == set(bench_scenarios.MIX)
    measured = run.measure_queries(mixed, cookies)
    assert set(measured["statuses"]) == {200, 201}
    assert set(measured["queries_by_kind"]) == set(bench_scenarios.MIX)


# --- the load generator ----------------------------------------------------------------------------------


def test_loadgen_sends_writes_with_body_and_headers_and_reports_per_kind():
    """bench.loadgen (standard library only) against a stub server: GETs in the old [path, cookie] form,
    POSTs with a JSON body and headers, latencies per tag; open and closed loop."""
    import http.server
    import json
    import threading

    from bench import loadgen

    seen = []

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def do_GET(self):
            seen.append(("GET", self.path, self.headers.get("Cookie"), None, None))
            self._answer(200)

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(
                ("POST", self.path, self.headers.get("Cookie"), body, self.headers.get("X-CSRFToken"))
            )
            ok = self.headers.get("X-CSRFToken") == "t" and self.headers["Content-Type"] == "application/json"
            self._answer(201 if ok else 403)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        requests = [
            ["/a/", None],
            {"method": "GET", "path": "/b/", "cookie": "s=1", "tag": "search"},
            {
                "method": "POST",
                "path": "/w/",
                "cookie": "s=1; csrftoken=t",
                "body": json.dumps({"title": "基准测试"}, ensure_ascii=False),
                "headers": {"X-CSRFToken": "t"},
                "tag": "write",
            },
        ]
        base = {"host": "127.0.0.1", "port": server.server_address[1], "requests": requests, "warmup": 0}
        opened = loadgen.run({**base, "mode": "open", "rate": 60, "duration": 0.5, "pool": 4})
        closed = loadgen.run({**base, "mode": "closed", "concurrency": 2, "duration": 0.3})
    finally:
        server.shutdown()
        server.server_close()
    for result in (opened, closed):
        assert result["errors"] == 0 and result["requests"] > 0, result["statuses"]
        assert set(result["tags"]) == {"search", "write"}
        assert result["tags"]["write"]["statuses"] == {"201": result["tags"]["write"]["statuses"]["201"]}
        assert len(result["tags"]["write"]["latencies_ms"]) == result["tags"]["write"]["statuses"]["201"]
    posts = [s for s in seen if s[0] == "POST"]
    assert posts and posts[0][1:] == ("/w/", "s=1; csrftoken=t", '{"title": "基准测试"}'.encode(), "t")
    assert ("GET", "/a/", None, None, None) in seen


def test_course_search_queries_and_training_data(scenarios, db):
    """Course search answers within its query allowance; the training rows are consistent: counters equal
    the rows, the totals are the size's, attendance rows exist for past sessions only."""
    from django.db.models import Count, F, Q

    from bench.management.commands.bench_data import SIZES
    from training import selectors
    from training.models import Attendance, Enrollment, TrainingClass

    selectors._local.clear()
    size = SIZES["XS"]
    assert Enrollment.objects.count() == size.enrollments
    assert Attendance.objects.count() == size.attendance
    assert TrainingClass.objects.count() == size.classes
    mismatched = (
        TrainingClass.objects.annotate(
            seated=Count("enrollments", filter=~Q(enrollments__status__in=["waitlisted", "withdrawn"])),
            waiting=Count("enrollments", filter=Q(enrollments__status="waitlisted")),
        )
        .exclude(enrolled_count=F("seated"), waitlist_count=F("waiting"))
        .count()
    )
    assert mismatched == 0
    found = 0
    for request in scenarios["courses"].requests:
        fetch(request.path)  # the form's choices are cached for minutes: warm them, as bench.run does
        response, queries = fetch(request.path)
        assert response.status_code == 200, request.path
        scenario = scenarios["courses"]
        assert scenario.min_queries <= queries <= scenario.max_queries, (request.path, queries)
        found += len(response.context["classes"]) if response.context else 0
    assert found  # the searches are not vacuous
