"""The escalation scan benchmark (issue 16: over every open case on L ≤ 30 s).

``time_escalation(size)`` runs ``disputes.services.case_escalate_due`` at one instant, batch after batch
(its ``limit`` per call), until a call escalates nothing: every running clock past its warning share or its
due date is escalated once (the column set, the audit row written, each county staff member told in the
inbox). ``bench_data`` leaves every running clock unescalated, so the first run meets them all (the worst
case: the periodic task normally meets only what fell due in the last 15 minutes). A second run at the same
instant must escalate nothing. Afterwards the marks, the inbox messages, their delivery rows and the audit
rows the run wrote are removed (``keep`` leaves them), so the benchmark can be run again on the same data.

    .venv/bin/python -m bench.escalation --size L   (after `make bench-data BENCH_SIZE=L`)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

LIMIT_SECONDS_ON_L = 30


def _counts(now) -> dict:
    from disputes.models import Case, CaseClock

    running = CaseClock.objects.running()
    return {
        "open_cases": Case.objects.open().count(),
        "running_clocks": running.count(),
        "due_clocks": CaseClock.objects.due_for_escalation(now).count(),
    }


def _undo(started, now) -> None:
    """Remove what the timed runs wrote (in SQL; the runs are the only writers of these rows since
    ``started``)."""
    from django.db import connection, transaction

    from disputes.services.cases import SYSTEM_USER_NAME

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE disputes_caseclock SET escalated_warn_at = NULL, escalated_overdue_at = NULL "
            "WHERE escalated_warn_at = %s OR escalated_overdue_at = %s",
            [now, now],
        )
        cursor.execute(
            "DELETE FROM core_inboxmessage WHERE created_at >= %s AND url LIKE %s",
            [started, "/admin/disputes/case/%"],
        )
        cursor.execute(
            "DELETE FROM core_messagedelivery WHERE created_at >= %s AND idempotency_key LIKE %s",
            [started, "caseclock:%"],
        )
        cursor.execute(
            "DELETE FROM core_auditlog WHERE at >= %s AND actor_id IN "
            "(SELECT id FROM accounts_user WHERE real_name = %s AND phone IS NULL)",
            [started, SYSTEM_USER_NAME],
        )


def time_escalation(size: str = "XS", *, keep: bool = False) -> dict:
    """Seconds for one complete escalation scan at one instant (and for a second, idempotent one)."""
    from django.utils import timezone

    from disputes.services import case_escalate_due

    now = timezone.now()
    started = now
    before = _counts(now)
    t0 = time.perf_counter()
    escalated, calls = 0, 0
    while True:
        done = case_escalate_due(now=now)
        calls += 1
        escalated += done
        if not done:
            break
    first = time.perf_counter() - t0
    t0 = time.perf_counter()
    again = case_escalate_due(now=now)
    second = time.perf_counter() - t0
    if not keep:
        _undo(started, now)
    return {
        "size": size,
        **before,
        "escalated": escalated,
        "calls": calls,
        "seconds": first,
        "second_run_escalated": again,
        "second_run_seconds": second,
        "limit_seconds_on_L": LIMIT_SECONDS_ON_L,
    }


def line(result: dict) -> str:
    return (
        f"Escalation scan (in-process, one instant, `case_escalate_due` until it escalates nothing): "
        f"{result['open_cases']} open cases, {result['running_clocks']} running clocks, "
        f"{result['due_clocks']} due → {result['escalated']} escalated in {result['seconds']:.1f} s "
        f"({result['calls']} calls; second run {result['second_run_escalated']} in "
        f"{result['second_run_seconds']:.2f} s; limit on L: {result['limit_seconds_on_L']} s)."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS", choices=["XS", "S", "L"])
    parser.add_argument("--keep", action="store_true", help="keep the escalations (marks, messages, audit)")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("escalation bench: skipped — needs PostgreSQL in DATABASE_URL", flush=True)
        return 0
    print(line(time_escalation(args.size, keep=args.keep)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
