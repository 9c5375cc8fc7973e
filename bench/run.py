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
4. Writes bench-results/<timestamp>.json and .md and the latest summary into docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench-results"
DOC = ROOT / "docs" / "performance.md"
START_MARK = "<!-- bench:latest:start -->"
END_MARK = "<!-- bench:latest:end -->"
CLK_TCK = os.sysconf("SC_CLK_TCK")


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


def measure_queries(scenario, cookies: dict[int, str]) -> dict:
    """Queries per request (min, max over the variants) and the EXPLAIN ANALYZE time of their SQL."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    counts, explain_ms, statuses = [], [], set()
    for i, request in enumerate(scenario.requests[:10]):
        client = Client(HTTP_HOST="127.0.0.1")
        if request.user_id:
            name, _, value = cookies[request.user_id].partition("=")
            client.cookies[name] = value
        client.get(request.path)  # warm caches (and the GeoJSON snapshot) first
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(request.path, HTTP_ACCEPT="application/json")
        statuses.add(response.status_code)
        counts.append(len(ctx.captured_queries))
        if i < 5:
            explain_ms.append(explain(q["sql"] for q in ctx.captured_queries))
    return {
        "queries_min": min(counts),
        "queries_max": max(counts),
        "statuses": sorted(statuses),
        "explain_ms": statistics.median(explain_ms) if explain_ms else None,
    }


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


def time_guidance() -> dict:
    """One month's exact wage guidance figures (the percentile query over settled work orders)."""
    from django.utils import timezone

    from jobs.guidance import guidance_figures, previous_month

    month = previous_month(timezone.localdate())
    t0 = time.perf_counter()
    cells = guidance_figures(month=month)
    return {"month": f"{month:%Y-%m}", "seconds": time.perf_counter() - t0, "cells": len(cells)}


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


def run_scenario(scenario, cookies, args, port: int, app_root: int) -> dict:
    requests = [[r.path, cookies.get(r.user_id) if r.user_id else None] for r in scenario.requests]
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
    return out


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
        f"Run {report['started']} · size **{report['size']}** · {report['duration']} s per mode per scenario in "
        f"{report['repetitions']} repetitions after a {report['warmup']} s warm-up (discarded)",
        "",
        f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory_gb']} GB; Python {m['python']}, Django {m['django']}, "
        f"PostgreSQL {m['postgresql']} (database {m['database_size']}); gunicorn {m['gunicorn']}; app, database and "
        "load generator share the machine.",
        "",
        "Open loop = constant arrival schedule at the offered rate, latency from the due time; closed loop = "
        f"{report['concurrency']} clients back to back (saturation). Percentiles from all samples of the repetitions.",
        "",
        "| scenario | queries/req | SQL (EXPLAIN ANALYZE) ms | open-loop rate | p50 ms | p95 ms | p99 ms | errors | "
        "saturation req/s | × bare | CPU s app / db / loadgen (closed) |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
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
        lines.append(
            f"| {name}: {s['title']} | {queries} | {fmt(q['explain_ms'], 2)} | {fmt(o['rate'], 0)}/s | "
            f"{fmt(o['latency_ms']['p50'])} | {fmt(o['latency_ms']['p95'])} | {fmt(o['latency_ms']['p99'])} | "
            f"{o['errors'] + c['errors']} | {fmt(c['throughput'])} | {fmt(ratio, 2)} | "
            f"{fmt(cpu['app'])} / {fmt(cpu['db'])} / {fmt(cpu['loadgen'])} |"
        )
    g = report.get("guidance")
    if g:
        lines += [
            "",
            f"Wage guidance figures for {g['month']} (exact percentiles, in-process): {g['seconds']:.2f} s, {g['cells']} cells.",
        ]
    return "\n".join(lines) + "\n"


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS", choices=["XS", "S", "L"])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--duration", type=float, default=30, help="seconds per scenario per mode (all repetitions)"
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
    parser.add_argument("--no-doc", action="store_true", help="do not update docs/performance.md")
    args = parser.parse_args(argv)

    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("make bench needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)", file=sys.stderr)
        return 2
    started = dt.datetime.now().astimezone()
    stamp = started.strftime("%Y%m%dT%H%M%S")
    prepare_data(args.size, args.seed)

    from bench.scenarios import build

    scenarios = build(seed=args.seed)
    if args.scenarios:
        wanted = {s.strip() for s in args.scenarios.split(",") if s.strip()}
        scenarios = [s for s in scenarios if s.name in wanted or s.name == "bare"]
    cookies = {
        uid: session_cookie(uid) for uid in {r.user_id for s in scenarios for r in s.requests if r.user_id}
    }
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
    measured = {}
    for s in scenarios:
        measured[s.name] = measure_queries(s, cookies)
        print(
            f"{s.name:10s} queries/request {measured[s.name]['queries_min']}–{measured[s.name]['queries_max']}, "
            f"SQL {fmt(measured[s.name]['explain_ms'], 2)} ms, status {measured[s.name]['statuses']}",
            flush=True,
        )
    if not args.scenarios or "wage" in args.scenarios:
        report["guidance"] = time_guidance()
    connection.close()

    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads)
    try:
        for s in scenarios:
            result = run_scenario(s, cookies, args, port, server.pid)
            report["scenarios"][s.name] = {"title": s.title, "queries": measured[s.name], **result}
            o, c = result["open"], result["closed"]
            print(
                f"{s.name:10s} open-loop {fmt(o['rate'], 0)}/s p50 {fmt(o['latency_ms']['p50'])} p95 "
                f"{fmt(o['latency_ms']['p95'])} p99 {fmt(o['latency_ms']['p99'])} ms · closed-loop "
                f"{fmt(c['throughput'])} req/s · errors {o['errors'] + c['errors']}",
                flush=True,
            )
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
