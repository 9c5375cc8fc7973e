"""`make bench`: the portal against its own limits on this machine, in one run (issue 6).

1. Migrates, loads the divisions and generates the data of ``--size`` (resumable: a loaded size is skipped).
2. In-process, before any load: the queries each scenario runs per request (Django test client with
   CaptureQueriesContext) and the ``EXPLAIN ANALYZE`` time of that SQL (the database's limit); the time of
   one month's exact wage guidance figures.
3. Starts gunicorn (config.wsgi, ``config.settings.bench``: DEBUG off, production middleware, PostgreSQL and
   Redis) on a free loopback port and loads it from a second process (``bench.loadgen``): open-loop at the
   offered rate (latency) and closed-loop with N clients (saturation), each after a discarded warm-up and
   in ``--repetitions`` repetitions. CPU seconds of gunicorn, PostgreSQL and the load generator come from
   /proc stat deltas.
4. With the ``mixed`` scenario (60 % search, 10 % keyword, 15 % detail, 5 % map, 5 % wage, 5 % writes): its
   knee — the open-loop offered rate is stepped up (``--knee-rates``, each step ``--duration`` in
   ``--repetitions``) until a step misses p95 ≤ 200 ms with no errors; the knee is the highest rate that
   held. ``--knee`` runs only that.
5. Writes bench-results/<timestamp>.json and .md and the latest summary into docs/performance.md.

Also in step 2: every keyword variant's results (all keyset pages) against a brute-force substring check
over the postings that the same filters select without the token index (``keyword_bruteforce``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
DOC = ROOT / "docs" / "performance.md"
START_MARK = "<!-- bench:latest:start -->"
END_MARK = "<!-- bench:latest:end -->"
CLK_TCK = os.sysconf("SC_CLK_TCK")
KNEE_RATES = "25,50,75,100,150,200"
KNEE_P95_MS = 200.0  # the criterion for the mixed workload: p95 ≤ 200 ms and no errors
KNEE_TARGET, KNEE_STRETCH = 100, 200


# --- /proc ------------------------------------------------------------------------------------------------


def _proc_stat(pid: int) -> tuple[str, int, float] | None:
    """(comm, parent pid, CPU seconds) of a process, or None when it has gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    comm = raw[raw.index("(") + 1 : raw.rindex(")")]
    fields = raw[raw.rindex(")") + 2 :].split()
    return comm, int(fields[1]), (int(fields[11]) + int(fields[12])) / CLK_TCK


def cpu_snapshot(app_root: int) -> dict[str, float]:
    """CPU seconds so far of the app (gunicorn master and its workers) and of the database (postgres)."""
    procs = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _proc_stat(int(entry))
            if stat:
                procs[int(entry)] = stat
    app = {app_root}
    changed = True
    while changed:
        changed = False
        for pid, (_, ppid, _) in procs.items():
            if ppid in app and pid not in app:
                app.add(pid)
                changed = True
    return {
        "app": sum(procs[p][2] for p in app if p in procs),
        "db": sum(cpu for comm, _, cpu in procs.values() if comm.startswith("postgres")),
    }


# --- statistics -------------------------------------------------------------------------------------------


def percentile(sorted_values: list[float], fraction: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * fraction
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def summarize(values: list[float]) -> dict:
    s = sorted(values)
    return {
        "n": len(s),
        "p50": percentile(s, 0.5),
        "p95": percentile(s, 0.95),
        "p99": percentile(s, 0.99),
        "max": s[-1] if s else None,
    }


# --- in-process measurements ------------------------------------------------------------------------------


def ensure_database(connection) -> None:
    """Create the benchmark's database when it does not exist yet (a fresh clone: `make bench` and go)."""
    import psycopg
    from django.db import OperationalError

    try:
        connection.ensure_connection()
        return
    except OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
    params = connection.get_connection_params()
    name = params.pop("dbname")
    params.pop("context", None)
    params.pop("cursor_factory", None)
    params.pop("prepare_threshold", None)
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    print(f"created database {name}", flush=True)


def prepare_data(size: str, seed: int) -> None:
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)
    call_command("load_divisions", verbosity=0)
    call_command("bench_data", "--size", size, "--seed", str(seed))


def session_cookie(user_id: int) -> str:
    """A logged-in session for a generated user, made directly (no login form, no lockout counters)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from accounts.models import User

    user = User.objects.get(pk=user_id)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def csrf_token() -> str:
    """A CSRF secret for the run's cookie (Django accepts the unmasked secret in the header as well)."""
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    return get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)


def sessions_for(user_ids, token: str) -> dict[int, str]:
    """The Cookie header of each user: a logged-in session and the CSRF cookie (what a browser holds after
    logging in and loading a page), so the user's writes pass SessionAuthentication's CSRF check."""
    from django.conf import settings

    return {uid: f"{session_cookie(uid)}; {settings.CSRF_COOKIE_NAME}={token}" for uid in user_ids}


def write_headers(token: str, host: str = "127.0.0.1") -> dict[str, str]:
    """The headers of a session write: the CSRF token header, and Origin/Referer as a browser sends them
    (same origin; over plain HTTP Django checks the Origin when it is present)."""
    from django.conf import settings

    header = settings.CSRF_HEADER_NAME.removeprefix("HTTP_").replace("_", "-")
    return {header: token, "Origin": f"http://{host}", "Referer": f"http://{host}/"}


def wire_requests(scenario, cookies: dict[int, str], token: str, *, tagged: bool = False) -> list[dict]:
    """The scenario's requests as the load generator takes them (bench.loadgen)."""
    from bench.scenarios import kind_of

    out = []
    for r in scenario.requests:
        item = {"method": r.method, "path": r.path, "cookie": cookies.get(r.user_id) if r.user_id else None}
        if r.body is not None:
            item["body"] = json.dumps(r.body, ensure_ascii=False)
        if r.method not in ("GET", "HEAD", "OPTIONS"):
            item["headers"] = write_headers(token)
        if r.headers:
            item["headers"] = {**item.get("headers", {}), **r.headers}
        if tagged:
            item["tag"] = kind_of(r)
        out.append(item)
    return out


def _client(cookie: str | None):
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    for pair in (cookie or "").split(";"):
        name, _, value = pair.strip().partition("=")
        if name:
            client.cookies[name] = value
    return client


def _send(client, request):
    headers = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in (request.headers or {}).items()}
    if request.method == "GET":
        return client.get(request.path, HTTP_ACCEPT="application/json", **headers)
    return client.generic(
        request.method,
        request.path,
        json.dumps(request.body, ensure_ascii=False),
        content_type="application/json",
        HTTP_ACCEPT="application/json",
        **headers,
    )


def sample(requests, n: int) -> list:
    """The first ``n`` requests, but the first of every kind among them (a mixed workload's writes, map and
    wage pages are rare in its first slots)."""
    from bench.scenarios import kind_of

    firsts: dict[str, object] = {}
    for r in requests:
        firsts.setdefault(kind_of(r), r)
    picked = list(firsts.values())[:n]
    picked += [r for r in requests if all(r is not p for p in picked)][: n - len(picked)]
    return sorted(picked, key=lambda r: next(i for i, x in enumerate(requests) if x is r))


def measure_queries(scenario, cookies: dict[int, str]) -> dict:
    """Queries per request (min, max over the variants) and the EXPLAIN ANALYZE time of their SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.scenarios import kind_of

    counts, explain_ms, statuses, by_kind = [], [], set(), {}
    for i, request in enumerate(sample(scenario.requests, 10)):
        client = _client(cookies.get(request.user_id) if request.user_id else None)
        if request.method == "GET":
            _send(client, request)  # warm caches (and the GeoJSON snapshot) first; a write only once
        with CaptureQueriesContext(connection) as ctx:
            response = _send(client, request)
        statuses.add(response.status_code)
        counts.append(len(ctx.captured_queries))
        by_kind.setdefault(kind_of(request), []).append(len(ctx.captured_queries))
        if i < 5 and connection.vendor == "postgresql":
            explain_ms.append(explain(q["sql"] for q in ctx.captured_queries))
    out = {
        "queries_min": min(counts),
        "queries_max": max(counts),
        "statuses": sorted(statuses),
        "explain_ms": statistics.median(explain_ms) if explain_ms else None,
    }
    if len(by_kind) > 1:  # a mixed workload: the range per kind of request
        out["queries_by_kind"] = {k: [min(v), max(v)] for k, v in by_kind.items()}
    return out


def explain(statements) -> float:
    """The summed planning + execution time (ms) of the SELECTs, by EXPLAIN (ANALYZE) on PostgreSQL."""
    from django.db import connection

    total = 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
            (plan,) = cursor.fetchone()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            total += plan[0].get("Planning Time", 0) + plan[0].get("Execution Time", 0)
    return total


def api_ids(path: str, page_size: int = 100, client=None) -> tuple[int, list[int]]:
    """(status, ids) of a posting search through the API in-process, following the keyset ``next`` links
    until the last page (pages of ``page_size``, at most the paginator's maximum)."""
    client = client or _client(None)
    ids: list[int] = []
    url = f"{path}{'&' if '?' in path else '?'}page_size={page_size}"
    for _ in range(100_000):
        response = client.get(url, HTTP_ACCEPT="application/json")
        if response.status_code != 200:
            return response.status_code, ids
        body = response.json()
        ids.extend(row["id"] for row in body["results"])
        if not body.get("next"):
            return 200, ids
        url = body["next"]
    raise RuntimeError(f"no last page: {path}")


BRUTE_FORCE_PARAMS = {
    "q",
    "occupation",
    "lat",
    "lng",
    "radius_km",
    "date_from",
    "date_to",
    "wage_min",
    "ordering",
}


def brute_force_ids(path: str, documents: dict[int, str] | None = None) -> list[int]:
    """The ids a posting search should return, worked out without the token index: the open postings that
    the plain filters select in SQL (dates, wage, occupation, a bounding box 1 km wider than the radius),
    the exact haversine radius in Python, then a substring check of the normalized keyword in each
    posting's searchable text built afresh by ``jobs.search.document``; in the requested order."""
    from django.db.models import Q

    from core.geo import bounding_box, haversine_km
    from jobs import search
    from jobs.models import Posting

    params = dict(parse_qsl(urlsplit(path).query))
    unknown = set(params) - BRUTE_FORCE_PARAMS
    if unknown:
        raise ValueError(f"brute force does not know {sorted(unknown)} ({path})")
    qs = Posting.objects.open().select_related("occupation__parent", "employer")
    if "occupation" in params:
        code = params["occupation"]
        qs = qs.filter(Q(occupation__code=code) | Q(occupation__parent__code=code))
    if "date_from" in params:
        qs = qs.filter(work_end_date__gte=dt.date.fromisoformat(params["date_from"]))
    if "date_to" in params:
        qs = qs.filter(work_start_date__lte=dt.date.fromisoformat(params["date_to"]))
    if "wage_min" in params:
        qs = qs.filter(daily_wage__gte=params["wage_min"])
    origin = radius = None
    if "lat" in params:
        origin = float(params["lat"]), float(params["lng"])
    if "radius_km" in params:
        radius = float(params["radius_km"])
        min_lat, max_lat, min_lng, max_lng = bounding_box(*origin, radius + 1.0)
        qs = qs.filter(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
    needle = search.normalize(params.get("q", "")).strip()
    documents = {} if documents is None else documents
    rows = []
    for posting in qs.iterator(chunk_size=2000):
        distance = haversine_km(*origin, posting.lat, posting.lng) if origin else math.inf
        if radius is not None and distance > radius:
            continue
        if needle:
            if posting.pk not in documents:
                documents[posting.pk] = search.document(posting)
            if needle not in documents[posting.pk]:
                continue
        rows.append((posting, distance))
    ordering = params.get("ordering") or "-published"
    key = {
        "distance": lambda row: (row[1], row[0].pk),
        "-wage": lambda row: (-row[0].daily_wage, -row[0].pk),
        "-published": lambda row: (-row[0].published_at.timestamp(), -row[0].pk),
    }[ordering]
    return [posting.pk for posting, _ in sorted(rows, key=key)]


def check_keywords(requests, page_size: int = 100) -> dict:
    """Each keyword variant's API results (all pages) against ``brute_force_ids``: identical ids in the
    same order, or a mismatch with what differs."""
    t0 = time.perf_counter()
    documents: dict[int, str] = {}
    identical, results, mismatches = 0, 0, []
    client = _client(None)
    for request in requests:
        status, got = api_ids(request.path, page_size, client)
        expected = brute_force_ids(request.path, documents)
        results += len(expected)
        if status == 200 and got == expected:
            identical += 1
            continue
        mismatches.append(
            {
                "path": request.path,
                "status": status,
                "api": len(got),
                "brute_force": len(expected),
                "missing": sorted(set(expected) - set(got))[:20],
                "extra": sorted(set(got) - set(expected))[:20],
                "same_ids_other_order": status == 200 and sorted(got) == sorted(expected),
            }
        )
    return {
        "variants": len(requests),
        "identical": identical,
        "results": results,
        "page_size": page_size,
        "seconds": round(time.perf_counter() - t0, 2),
        "mismatches": mismatches,
    }


def time_guidance(all_months: bool = False) -> dict:
    """One month's exact wage guidance figures (the percentile query over settled work orders), and with
    ``all_months`` every month that has settled work orders, one after another (the issue: one month ≤ 10 s,
    all 24 ≤ 3 min on L)."""
    from django.db.models.functions import TruncMonth
    from django.utils import timezone

    from core.months import previous_month
    from labour_stats.calculators import guidance_figures
    from work.models import WorkOrder

    month = previous_month(timezone.localdate())
    t0 = time.perf_counter()
    cells = guidance_figures(month=month)
    result = {"month": f"{month:%Y-%m}", "seconds": time.perf_counter() - t0, "cells": len(cells)}
    if all_months:
        months = sorted(
            WorkOrder.objects.filter(status="settled")
            .order_by()
            .annotate(m=TruncMonth("work_date"))
            .values_list("m", flat=True)
            .distinct()
        )
        t0 = time.perf_counter()
        total = sum(len(guidance_figures(month=m)) for m in months)
        result["all"] = {"months": len(months), "seconds": time.perf_counter() - t0, "cells": total}
    return result


# --- the server and the load ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.bench")
    cmd = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread" if threads > 1 else "sync",
        "--threads",
        str(threads),
        "--log-level",
        "warning",
        "--keep-alive",
        "30",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /healthz/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                if s.recv(32).startswith(b"HTTP/1."):
                    return proc
        except OSError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("gunicorn did not start")


def load(spec: dict, app_root: int) -> dict:
    before = cpu_snapshot(app_root)
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bench.loadgen"],
        input=json.dumps(spec),
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    wall = time.perf_counter() - t0
    after = cpu_snapshot(app_root)
    if out.returncode != 0:
        raise RuntimeError(out.stderr)
    result = json.loads(out.stdout)
    result["cpu_s"] = {
        "app": after["app"] - before["app"],
        "db": after["db"] - before["db"],
        "loadgen": result.pop("loadgen_cpu_s"),
        "wall": wall,
    }
    return result


def run_scenario(scenario, requests: list[dict], args, port: int, app_root: int) -> dict:
    per_rep = max(args.duration / args.repetitions, 0.5)
    base = {"host": "127.0.0.1", "port": port, "requests": requests}
    out = {}
    for mode in ("open", "closed"):
        spec = dict(base, mode=mode, warmup=args.warmup, duration=per_rep)
        if mode == "open":
            spec["rate"] = args.rate or scenario.rate
        else:
            spec["concurrency"] = args.concurrency
        reps = []
        for i in range(args.repetitions):
            spec["warmup"] = args.warmup if i == 0 else 0.0
            reps.append(load(spec, app_root))
        latencies = [v for r in reps for v in r["latencies_ms"]]
        cpu = {k: sum(r["cpu_s"][k] for r in reps) for k in ("app", "db", "loadgen", "wall")}
        out[mode] = {
            "loop": reps[0]["loop"],
            "rate": spec.get("rate"),
            "concurrency": spec.get("concurrency"),
            "repetitions": len(reps),
            "latency_ms": summarize(latencies),
            "latency_p95_per_repetition": [summarize(r["latencies_ms"])["p95"] for r in reps],
            "throughput": statistics.mean(r["throughput"] for r in reps),
            "throughput_per_repetition": [r["throughput"] for r in reps],
            "errors": sum(r["errors"] for r in reps),
            "statuses": {
                k: sum(r["statuses"].get(k, 0) for r in reps)
                for k in {k for r in reps for k in r["statuses"]}
            },
            "cpu_s": cpu,
        }
        if any(r.get("tags") for r in reps):
            out[mode]["by_kind"] = _tag_summary(reps)
    return out


def _tag_summary(reps: list[dict]) -> dict:
    """Per kind of request (a mixed workload's tags): latency percentiles and errors over the repetitions."""
    out = {}
    for tag in sorted({t for r in reps for t in r.get("tags", {})}):
        entries = [r["tags"][tag] for r in reps if tag in r.get("tags", {})]
        latency = summarize([v for e in entries for v in e["latencies_ms"]])
        out[tag] = {**latency, "errors": sum(e["errors"] for e in entries)}
    return out


def run_knee(requests: list[dict], args, port: int, app_root: int) -> dict:
    """Open loop at each offered rate of ``--knee-rates`` in turn (each ``--duration`` split over the
    repetitions, the first after the warm-up) until a step misses p95 ≤ 200 ms or has an error; the knee is
    the highest rate that held."""
    per_rep = max(args.duration / args.repetitions, 0.5)
    steps, knee = [], None
    for rate in args.knee_rates:
        reps = []
        for i in range(args.repetitions):
            spec = {
                "host": "127.0.0.1",
                "port": port,
                "requests": requests,
                "mode": "open",
                "rate": rate,
                "warmup": args.warmup if i == 0 else 0.0,
                "duration": per_rep,
            }
            reps.append(load(spec, app_root))
        latency = summarize([v for r in reps for v in r["latencies_ms"]])
        errors = sum(r["errors"] for r in reps)
        held = latency["p95"] is not None and latency["p95"] <= args.knee_p95 and errors == 0
        steps.append(
            {
                "rate": rate,
                "repetitions": len(reps),
                "latency_ms": latency,
                "latency_p95_per_repetition": [summarize(r["latencies_ms"])["p95"] for r in reps],
                "throughput": statistics.mean(r["throughput"] for r in reps),
                "errors": errors,
                "statuses": {
                    k: sum(r["statuses"].get(k, 0) for r in reps)
                    for k in sorted({k for r in reps for k in r["statuses"]})
                },
                "by_kind": _tag_summary(reps),
                "cpu_s": {k: sum(r["cpu_s"][k] for r in reps) for k in ("app", "db", "loadgen", "wall")},
                "held": held,
            }
        )
        print(
            f"knee       {rate:g}/s p50 {fmt(latency['p50'])} p95 {fmt(latency['p95'])} p99 "
            f"{fmt(latency['p99'])} ms · {steps[-1]['throughput']:.1f} req/s · errors {errors} · "
            f"{'holds' if held else 'misses'}",
            flush=True,
        )
        if not held:
            break
        knee = rate
    return {
        "criterion": f"p95 ≤ {args.knee_p95:g} ms and no errors",
        "p95_limit_ms": args.knee_p95,
        "rates": args.knee_rates,
        "duration_per_step": args.duration,
        "repetitions": args.repetitions,
        "steps": steps,
        "knee": knee,
        "target": KNEE_TARGET,
        "stretch": KNEE_STRETCH,
    }


# --- report -----------------------------------------------------------------------------------------------


def machine(args) -> dict:
    import django
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        (pg,) = cursor.fetchone()
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        (db_size,) = cursor.fetchone()
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    cpu_model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu_model,
        "memory_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "database_size": db_size,
        "gunicorn": f"{args.workers} workers × {args.threads} threads ({'gthread' if args.threads > 1 else 'sync'})",
    }


def fmt(v, digits=1) -> str:
    return "–" if v is None else f"{v:.{digits}f}"


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Run {report['started']} · size **{report['size']}** · {report['duration']} s per mode per scenario "
        f"(and per step of the knee) in {report['repetitions']} repetitions after a {report['warmup']} s "
        "warm-up (discarded)",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB; Python {m['python']}, Django {m['django']}, "
        f"PostgreSQL {m['postgresql']} (database {m['database_size']}); gunicorn {m['gunicorn']}; app, database and "
        "load generator share the machine.",
    ]
    if report["scenarios"]:
        lines += [
            "",
            "Open loop = constant arrival schedule at the offered rate, latency from the due time; closed loop = "
            f"{report['concurrency']} clients back to back (saturation). Percentiles from all samples of the "
            "repetitions.",
            "",
            "| scenario | queries/req | SQL (EXPLAIN ANALYZE) ms | open-loop rate | p50 ms | p95 ms | p99 ms | "
            "errors | saturation req/s | × bare | p50 ÷ SQL | CPU s app / db / loadgen (closed) |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
    bare = report["scenarios"].get("bare", {}).get("closed", {}).get("throughput")
    for name, s in report["scenarios"].items():
        q = s["queries"]
        o, c = s["open"], s["closed"]
        ratio = c["throughput"] / bare if bare else None
        queries = f"{q['queries_min']}" + (
            f"–{q['queries_max']}" if q["queries_max"] != q["queries_min"] else ""
        )
        cpu = c["cpu_s"]
        p50, sql_ms = o["latency_ms"]["p50"], q["explain_ms"]
        over_sql = p50 / sql_ms if p50 is not None and sql_ms else None  # the request against its raw SQL
        lines.append(
            f"| {name}: {s['title']} | {queries} | {fmt(sql_ms, 2)} | {fmt(o['rate'], 0)}/s | "
            f"{fmt(p50)} | {fmt(o['latency_ms']['p95'])} | {fmt(o['latency_ms']['p99'])} | "
            f"{o['errors'] + c['errors']} | {fmt(c['throughput'])} | {fmt(ratio, 2)} | {fmt(over_sql, 1)} | "
            f"{fmt(cpu['app'])} / {fmt(cpu['db'])} / {fmt(cpu['loadgen'])} |"
        )
    kb = report.get("keyword_bruteforce")
    if kb:
        lines += ["", keyword_line(kb)]
    g = report.get("guidance")
    if g:
        lines += [
            "",
            f"Wage guidance figures for {g['month']} (exact percentiles, in-process): {g['seconds']:.2f} s, {g['cells']} cells."
            + (
                f" All {g['all']['months']} months one after another: {g['all']['seconds']:.1f} s"
                f" ({g['all']['cells']} cells)."
                if g.get("all")
                else ""
            ),
        ]
    o = report.get("outcomes")
    if o:
        lines += ["", outcomes_line(o)]
    e = report.get("escalation")
    if e:
        from .escalation import line as escalation_line

        lines += ["", escalation_line(e)]
    if r := report.get("reports"):
        from .reports import line as reports_line

        lines += ["", reports_line(r)]
    f = report.get("offers")
    if f:
        from .offers import line as offers_line

        lines += ["", offers_line(f)]
    if report.get("knee"):
        lines += ["", *knee_markdown(report["knee"])]
    return "\n".join(lines) + "\n"


def outcomes_line(o: dict) -> str:
    return (
        f"Training outcome recompute (all providers, in-process): {o['completed_enrollments']} completed"
        f" enrollments → {o['cohorts']} cohorts in {o['seconds']:.1f} s (second run {o['second_run_seconds']:.1f} s"
        f"{', on its own data set' if o['built_own_data'] else ''}; limit on L: 60 s)."
    )


def keyword_line(kb: dict) -> str:
    head = (
        f"Keyword search against a brute-force substring check (same filters in SQL without the token index, "
        f"haversine radius and `q in jobs.search.document(posting)` in Python; every keyset page of "
        f"{kb['page_size']}): "
    )
    if kb["identical"] == kb["variants"]:
        return (
            head
            + f"**{kb['identical']}/{kb['variants']} variants identical** ({kb['results']} results, ids and order)."
        )
    worst = "; ".join(
        f"`{m['path']}` API {m['api']} vs {m['brute_force']}"
        + (" (order)" if m["same_ids_other_order"] else "")
        for m in kb["mismatches"][:3]
    )
    return head + f"**{kb['variants'] - kb['identical']} of {kb['variants']} variants differ**: {worst}."


def knee_markdown(knee: dict) -> list[str]:
    total = sum(knee.get("mix", {}).values()) or 1
    mix = ", ".join(f"{n / total:.0%} {kind}" for kind, n in knee.get("mix", {}).items())
    lines = [
        f"**Mixed workload knee** (open loop; {mix} of a sequence of {total} requests, cycled; each step "
        f"{knee['duration_per_step']} s in {knee['repetitions']} repetitions; criterion {knee['criterion']}; "
        "the stepping stops at the first step that misses it)",
        "",
        "| offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors | slowest kind (p95 ms) | holds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for step in knee["steps"]:
        lat = step["latency_ms"]
        kinds = step.get("by_kind") or {}
        slowest = max(kinds.items(), key=lambda kv: kv[1]["p95"] or 0, default=None)
        slow = f"{slowest[0]} {fmt(slowest[1]['p95'])}" if slowest else "–"
        lines.append(
            f"| {step['rate']:g}/s | {fmt(step['throughput'])} | {fmt(lat['p50'])} | {fmt(lat['p95'])} | "
            f"{fmt(lat['p99'])} | {step['errors']} | {slow} | {'yes' if step['held'] else '**no**'} |"
        )
    value = knee["knee"]
    verdict = (
        "none held"
        if value is None
        else f"**{value:g} req/s**"
        + (
            " (at the highest rate tried)"
            if knee["steps"] and knee["steps"][-1]["held"] and value == knee["steps"][-1]["rate"]
            else ""
        )
    )
    met = value is not None and value >= knee["target"]
    stretch = value is not None and value >= knee["stretch"]
    lines += [
        "",
        f"Knee: {verdict}; target ≥ {knee['target']} req/s {'met' if met else 'missed'}, stretch "
        f"{knee['stretch']} req/s {'met' if stretch else 'not reached'}.",
    ]
    return lines


def write_doc(md: str, report: dict) -> None:
    text = DOC.read_text() if DOC.exists() else "# Performance\n\n"
    block = f"{START_MARK}\n{md}\nFull results: `bench-results/{report['stamp']}.json`.\n{END_MARK}"
    if START_MARK in text and END_MARK in text:
        head, rest = text.split(START_MARK, 1)
        text = head + block + rest.split(END_MARK, 1)[1]
    else:
        text = text.rstrip() + "\n\n## Latest run\n\n" + block + "\n"
    DOC.write_text(text)


# --- main -------------------------------------------------------------------------------------------------


def _rates(text: str) -> list[float]:
    rates = sorted({float(v) for v in text.split(",") if v.strip()})
    if not rates or rates[0] <= 0:
        raise argparse.ArgumentTypeError("positive rates, comma-separated")
    return rates


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS", choices=["XS", "S", "L"])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--duration",
        type=float,
        default=30,
        help="seconds per scenario per mode, and per step of the knee (all repetitions)",
    )
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=1.0)
    parser.add_argument(
        "--rate", type=float, default=None, help="open-loop offered rate (default: the issue's per scenario)"
    )
    parser.add_argument("--concurrency", type=int, default=8, help="closed-loop clients")
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--scenarios", default="", help="comma-separated names (default: all)")
    parser.add_argument(
        "--knee",
        action="store_true",
        help="only the mixed workload's knee (no other scenario, no bare baseline, no closed loop)",
    )
    parser.add_argument(
        "--knee-rates",
        type=_rates,
        default=_rates(KNEE_RATES),
        help=f"open-loop rates (req/s) the knee steps through, lowest first (default {KNEE_RATES})",
    )
    parser.add_argument(
        "--knee-p95", type=float, default=KNEE_P95_MS, help="the knee's p95 limit in ms (issue: 200)"
    )
    parser.add_argument(
        "--no-knee", action="store_true", help="run the mixed scenario without stepping to its knee"
    )
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/performance.md")
    parser.add_argument(
        "--no-guidance-months",
        action="store_true",
        help="time one month's wage guidance only (by default S and L also time every month)",
    )
    parser.add_argument(
        "--render",
        metavar="JSON",
        help="only render an earlier run's results (bench-results/*.json) as Markdown (and into the doc)",
    )
    args = parser.parse_args(argv)
    if args.knee and args.no_knee:
        parser.error("--knee and --no-knee exclude each other")
    if args.render:
        report = json.loads(Path(args.render).read_text())
        md = markdown(report)
        print(md)
        if not args.no_doc:
            write_doc(md, report)
        return 0

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("make bench needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)", file=sys.stderr)
        return 2
    ensure_database(connection)
    started = dt.datetime.now().astimezone()
    stamp = started.strftime("%Y%m%dT%H%M%S")
    prepare_data(args.size, args.seed)
    wanted_names = {n.strip() for n in args.scenarios.split(",") if n.strip()}
    reports_result = None
    if not args.knee and (not wanted_names or "reports" in wanted_names):
        # before the scenarios are built: the county-month report scenario reads the facts computed here
        from .reports import line as reports_line
        from .reports import time_reports

        reports_result = time_reports(args.size)
        print(reports_line(reports_result), flush=True)

    from bench.scenarios import build, mix_of

    everything = build(seed=args.seed)
    scenarios = everything
    if args.knee:
        scenarios = [s for s in everything if s.name == "mixed"]
    elif args.scenarios:
        wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
        scenarios = [s for s in everything if s.name in wanted or s.name == "bare"]
    names = {s.name for s in scenarios}
    token = csrf_token()
    cookies = sessions_for({r.user_id for s in scenarios for r in s.requests if r.user_id}, token)
    report = {
        "started": started.isoformat(timespec="seconds"),
        "stamp": stamp,
        "size": args.size,
        "seed": args.seed,
        "duration": args.duration,
        "repetitions": args.repetitions,
        "warmup": args.warmup,
        "concurrency": args.concurrency,
        "machine": machine(args),
        "scenarios": {},
    }
    if reports_result is not None:
        report["reports"] = reports_result
    measured = {}
    for s in scenarios:
        measured[s.name] = measure_queries(s, cookies)
        print(
            f"{s.name:10s} queries/request {measured[s.name]['queries_min']}–{measured[s.name]['queries_max']}, "
            f"SQL {fmt(measured[s.name]['explain_ms'], 2)} ms, status {measured[s.name]['statuses']}"
            + (
                f", by kind {measured[s.name]['queries_by_kind']}"
                if "queries_by_kind" in measured[s.name]
                else ""
            ),
            flush=True,
        )
    if names & {"keyword", "mixed"}:
        keyword = next(s for s in everything if s.name == "keyword")
        report["keyword_bruteforce"] = check_keywords(keyword.requests)
        print(keyword_line(report["keyword_bruteforce"]), flush=True)
    if not args.knee and (not args.scenarios or "wage" in names):
        report["guidance"] = time_guidance(all_months=args.size != "XS" and not args.no_guidance_months)
    if not args.knee and (
        not args.scenarios or "escalation" in {n.strip() for n in args.scenarios.split(",")}
    ):
        from .escalation import line as escalation_line
        from .escalation import time_escalation

        report["escalation"] = time_escalation(args.size)
        print(escalation_line(report["escalation"]), flush=True)
    if not args.knee and (not args.scenarios or "offers" in {n.strip() for n in args.scenarios.split(",")}):
        from .offers import line as offers_line
        from .offers import time_offers

        report["offers"] = time_offers(args.size)
        print(offers_line(report["offers"]), flush=True)
    if not args.knee and (not args.scenarios or "outcomes" in names):
        from .outcomes import time_outcomes

        report["outcomes"] = time_outcomes(args.size, seed=args.seed)
        print(outcomes_line(report["outcomes"]), flush=True)
    connection.close()

    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads)
    try:
        for s in scenarios:
            requests = wire_requests(s, cookies, token, tagged=s.name == "mixed")
            if not args.knee:
                result = run_scenario(s, requests, args, port, server.pid)
                report["scenarios"][s.name] = {"title": s.title, "queries": measured[s.name], **result}
                o, c = result["open"], result["closed"]
                print(
                    f"{s.name:10s} open-loop {fmt(o['rate'], 0)}/s p50 {fmt(o['latency_ms']['p50'])} p95 "
                    f"{fmt(o['latency_ms']['p95'])} p99 {fmt(o['latency_ms']['p99'])} ms · closed-loop "
                    f"{fmt(c['throughput'])} req/s · errors {o['errors'] + c['errors']}",
                    flush=True,
                )
            if s.name == "mixed" and not args.no_knee:
                report["knee"] = {
                    "scenario": s.name,
                    "title": s.title,
                    "mix": mix_of(s.requests),
                    "queries": measured[s.name],
                    **run_knee(requests, args, port, server.pid),
                }
    finally:
        server.terminate()
        server.wait(timeout=30)
    RESULTS.mkdir(exist_ok=True)
    md = markdown(report)
    for s in report["scenarios"].values():  # the raw samples stay out of the JSON; the summaries stay
        for mode in ("open", "closed"):
            s[mode].pop("latencies_ms", None)
    (RESULTS / f"{stamp}.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    (RESULTS / f"{stamp}.md").write_text(md)
    if not args.no_doc:
        write_doc(md, report)
    print("\n" + md)
    print(
        f"written: bench-results/{stamp}.json, bench-results/{stamp}.md"
        + ("" if args.no_doc else ", docs/performance.md")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
