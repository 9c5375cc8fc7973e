"""The reports benchmarks (issue 18): the nightly open-month recompute (≤ 30 s on L) and the full recompute of
24 months (≤ 5 min on L), in-process as the tasks run them (``reports.services.compute``); and the county
tokens of the county-month report scenario (``bench.scenarios``: p95 ≤ 30 ms at 50 req/s, ≤ 2 queries).

``time_reports(size)``:

1. the nightly run (``services.compute_open_month``, what ``compute_open_month_task`` does) twice: the first
   on a month without facts (what the first night after go-live meets), the second over its own facts
   (every other night: the figures recomputed and compared, nothing written where nothing changed);
2. the full recompute: the 24 months up to the open month, one ``compute`` each, as a staff recompute from
   the dashboard or ``compute_period_task`` runs them, month after month;
3. one of those months again: it must write nothing (the compute is idempotent), or the result says so.

The facts stay (the report scenario reads them, and they are what the nightly task would have written).
Periods a city has accepted are skipped by ``compute`` (409 period_locked): the bench data has none.

    .venv/bin/python -m bench.reports --size L   (after `make bench-data BENCH_SIZE=L`)
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import os
import sys
import time

LIMIT_FULL_SECONDS_ON_L = 300
LIMIT_NIGHTLY_SECONDS_ON_L = 30
MONTHS = 24
TOKEN_NAME = "基准测试报表"  # the bench's county tokens (one per county, reused run after run)


def months_up_to(today: dt.date, count: int = MONTHS) -> list[str]:
    """The ``count`` month codes ending with today's (oldest first)."""
    year, month = today.year, today.month
    out = []
    for _ in range(count):
        out.append(f"{year}{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return out[::-1]


def _summary(summary) -> dict:
    return {k: v for k, v in dataclasses.asdict(summary).items() if k != "period"}


def time_reports(size: str = "XS") -> dict:
    from django.db import connection
    from django.utils import timezone

    from reports import services
    from reports.models import Fact
    from work.models import WorkOrder

    today = timezone.localdate()
    codes = months_up_to(today)
    open_code = codes[-1]
    Fact.objects.filter(period=open_code).delete()  # the first night's run meets a month without facts

    t0 = time.perf_counter()
    nightly_first = services.compute_open_month(today=today)
    nightly_first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    nightly_again = services.compute_open_month(today=today)
    nightly_again_s = time.perf_counter() - t0

    per_month = {}
    totals = dict.fromkeys(("created", "updated", "unchanged", "deleted"), 0)
    t0 = time.perf_counter()
    for code in codes:
        started = time.perf_counter()
        summary = services.compute(code)
        per_month[code] = round(time.perf_counter() - started, 2)
        for key in totals:
            totals[key] += getattr(summary, key)
    full_s = time.perf_counter() - t0

    check_code = codes[-2]
    t0 = time.perf_counter()
    again = services.compute(check_code)
    again_s = time.perf_counter() - t0
    return {
        "size": size,
        "vendor": connection.vendor,
        "work_orders": WorkOrder.objects.count(),
        "months": codes,
        "facts": Fact.objects.filter(period__in=codes).count(),
        "nightly": {
            "period": open_code,
            "first_seconds": nightly_first_s,
            "first": _summary(nightly_first),
            "again_seconds": nightly_again_s,
            "again": _summary(nightly_again),
            "limit_seconds_on_L": LIMIT_NIGHTLY_SECONDS_ON_L,
        },
        "full": {
            "seconds": full_s,
            "per_month_seconds": per_month,
            "slowest_month": max(per_month, key=per_month.get),
            **totals,
            "limit_seconds_on_L": LIMIT_FULL_SECONDS_ON_L,
        },
        "idempotent": {
            "period": check_code,
            "seconds": again_s,
            **_summary(again),
            "wrote_nothing": again.created == again.updated == again.deleted == 0,
        },
    }


def line(result: dict) -> str:
    n, f, i = result["nightly"], result["full"], result["idempotent"]
    return (
        f"Reports (in-process over {result['work_orders']:,} work orders): nightly open-month recompute "
        f"{n['period']} {n['first_seconds']:.1f} s on a month without facts ({n['first']['created']} facts), "
        f"{n['again_seconds']:.1f} s over its own (limit on L {n['limit_seconds_on_L']} s); full recompute of "
        f"{len(result['months'])} months {f['seconds']:.1f} s ({result['facts']:,} facts; slowest "
        f"{f['slowest_month']} {f['per_month_seconds'][f['slowest_month']]:.1f} s; limit on L "
        f"{f['limit_seconds_on_L']} s); {i['period']} again {i['seconds']:.1f} s, "
        + (
            "wrote nothing."
            if i["wrote_nothing"]
            else f"wrote {i['created']}+{i['updated']}+{i['deleted']} rows!"
        )
    )


def county_tokens(seed: int = 2026) -> list[tuple[str, str]]:
    """(county code, raw token) for every county scope unit: the bench's own API clients, one per county,
    created once (their secrets derive from the seed, so a later run rebuilds the same raw token) and kept
    valid for a year from each run."""
    from datetime import timedelta

    from django.utils import timezone

    from accounts.models import ApiClient, hash_secret
    from reports.orgunits import units

    out = []
    expires = timezone.now() + timedelta(days=365)
    for index, unit in enumerate(units()):
        prefix = f"bnrp{index:04d}"
        secret = hashlib.sha256(f"{seed}:bench-report:{unit.code}".encode()).hexdigest()
        raw = f"lg_{prefix}_{secret}"
        ApiClient.objects.update_or_create(
            token_prefix=prefix,
            defaults={
                "name": f"{TOKEN_NAME}{unit.name}",
                "scope_unit": unit,
                "token_hash": hash_secret(raw),
                "expires_at": expires,
                "revoked_at": None,
            },
        )
        out.append((unit.code, raw))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS", choices=["XS", "S", "L"])
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    print(line(time_reports(args.size)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
