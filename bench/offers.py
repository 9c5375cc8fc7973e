"""The proactive eligibility run benchmark (issue 17: over L ≤ 5 min).

``time_offers(size)`` starts a proactive-offer run (免申即享) as of today and runs it in-process
(``subsidies.services.offers.offer_run_run``, what the monthly task does): every program offered to workers,
each of its periods, every candidate the records make (``offers.candidates``), the calculator over them in
chunks, the offers and their notifications. A second run right after must offer nothing (one offer per
person, program and period). Afterwards the offers, their events, the decisions, the messages and the runs
the benchmark wrote are removed (``keep`` leaves them), so it can be run again on the same data.

    .venv/bin/python -m bench.offers --size S   (after `make bench-data BENCH_SIZE=S`)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

LIMIT_SECONDS_ON_L = 300


def _undo(started) -> None:
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM subsidies_offerevent WHERE offer_id IN (SELECT id FROM subsidies_offer WHERE created_at >= %s)",
            [started],
        )
        cursor.execute("DELETE FROM subsidies_offer WHERE created_at >= %s", [started])
        cursor.execute("DELETE FROM subsidies_offerrunevent WHERE at >= %s", [started])
        cursor.execute("DELETE FROM subsidies_offerrun WHERE created_at >= %s", [started])
        cursor.execute("DELETE FROM subsidies_eligibilitydecision WHERE computed_at >= %s", [started])
        cursor.execute(
            "DELETE FROM core_inboxmessage WHERE created_at >= %s AND url LIKE %s",
            [started, "/subsidies/offers/%"],
        )
        cursor.execute(
            "DELETE FROM core_messagedelivery WHERE created_at >= %s AND idempotency_key LIKE %s",
            [started, "subsidy-offer:%"],
        )
        cursor.execute(
            "DELETE FROM core_auditlog WHERE at >= %s AND content_type_id IN "
            "(SELECT id FROM django_content_type WHERE app_label = 'subsidies' AND model IN ('offer', 'offerrun'))",
            [started],
        )


def time_offers(size: str = "XS", *, keep: bool = False) -> dict:
    from django.db import connection
    from django.utils import timezone

    from subsidies.models import ContributionMonth
    from subsidies.services import offers

    started = timezone.now()
    t0 = time.perf_counter()
    run = offers.offer_run_start(actor=None)
    run = offers.offer_run_run(run_id=run.pk)
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = offers.offer_run_start(actor=None)
    again = offers.offer_run_run(run_id=again.pk)
    second = time.perf_counter() - t0
    result = {
        "size": size,
        "contribution_months": ContributionMonth.objects.count(),
        "checked": run.rows_total,
        "offered": run.offered_count,
        "errors": run.errors,
        "seconds": first,
        "second_run_checked": again.rows_total,
        "second_run_offered": again.offered_count,
        "second_run_seconds": second,
        "limit_seconds_on_L": LIMIT_SECONDS_ON_L,
        "vendor": connection.vendor,
    }
    if not keep:
        _undo(started)
    return result


def line(result: dict) -> str:
    return (
        f"Proactive eligibility run (免申即享, in-process, as of today): {result['contribution_months']} contribution "
        f"months on record, {result['checked']} candidate checks → {result['offered']} offers "
        f"({result['errors']} errors) in {result['seconds']:.1f} s; second run {result['second_run_checked']} "
        f"checks, {result['second_run_offered']} offers in {result['second_run_seconds']:.1f} s "
        f"(limit on L: {result['limit_seconds_on_L']} s)."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS", choices=["XS", "S", "L"])
    parser.add_argument("--keep", action="store_true", help="keep the offers, decisions and messages")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    print(line(time_offers(args.size, keep=args.keep)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
