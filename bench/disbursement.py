"""The disbursement benchmark (issue 17: a 100,000-payment batch ≤ 60 s).

``time_disbursement(payments)`` makes its own data — ``payments`` workers (no phone, no ID: bench people) in
one county, each with a payee account and an approved application of the social-insurance program, reviewed
by two bench reviewers — then times, through the services a disbursing officer calls:

1. **generate**: the batch run (``disbursement_run`` of a ``generate`` run: chunks of applications locked with
   ``SKIP LOCKED``, payments bulk-inserted with sealed accounts, their event and audit rows);
2. **export**: the bank's CSV payment file (every payment moved to exported: ``Workflow.move_many``; every
   account unsealed);
3. **result import**: a result file with every payment paid (payments to paid, applications to disbursed);
4. **result import again**: the same file (every row unchanged, nothing written).

Then it deletes everything it made (``keep`` leaves it). PostgreSQL only.

    .venv/bin/python -m bench.disbursement --payments 100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from decimal import Decimal

LIMIT_SECONDS = 60
BENCH_NAME = "发放压测"  # the bench people's real name


def _make(n: int):
    from django.db import transaction
    from django.utils import timezone

    from accounts.choices import Role
    from accounts.models import RoleGrant, User
    from core.models import ScopeUnit
    from subsidies.choices import AccountKind, ApplicationStatus
    from subsidies.models import Application, PayeeAccount, ProgramType

    unit = ScopeUnit.objects.get(code="370702")
    program = ProgramType.objects.get(code="flexible_social_insurance")
    stamp = timezone.now().strftime("%H%M%S")
    with transaction.atomic():
        officer, county_reviewer = (
            User.objects.create(real_name=f"{BENCH_NAME}{label}", scope_unit=unit)
            for label in ("经办", "县审")
        )
        city_reviewer = User.objects.create(real_name=f"{BENCH_NAME}市审")
        RoleGrant.objects.bulk_create(
            [
                RoleGrant(user=officer, role=Role.COUNTY_STAFF, scope_unit=unit),
                RoleGrant(user=county_reviewer, role=Role.COUNTY_STAFF, scope_unit=unit),
                RoleGrant(user=city_reviewer, role=Role.CITY_STAFF),
            ]
        )
    people, now = [], timezone.now()
    for start in range(0, n, 10_000):
        with transaction.atomic():
            batch = User.objects.bulk_create(
                [User(real_name=BENCH_NAME, scope_unit=unit) for _ in range(start, min(start + 10_000, n))]
            )
            PayeeAccount.objects.bulk_create(
                [
                    PayeeAccount(
                        person=p,
                        kind=AccountKind.SOCIAL_SECURITY_CARD,
                        bank_name="潍坊银行",
                        account_number=f"6217{p.pk:015d}",
                        holder_name=BENCH_NAME,
                    )
                    for p in batch
                ]
            )
            Application.objects.bulk_create(
                [
                    Application(
                        number=f"B{stamp}{start + i:08d}",
                        person=p,
                        program_type=program,
                        scope_unit=unit,
                        period_start=dt.date(2026, 1, 1),
                        period_end=dt.date(2026, 3, 31),
                        status=ApplicationStatus.APPROVED,
                        amount_requested=Decimal("746.67"),
                        amount_approved=Decimal("746.67"),
                        county_reviewer=county_reviewer,
                        city_reviewer=city_reviewer,
                        approved_at=now,
                    )
                    for i, p in enumerate(batch)
                ]
            )
            people += batch
    return officer, program, unit, [officer, county_reviewer, city_reviewer, *people]


def _undo(users, batch_id) -> None:
    from django.db import connection, transaction

    ids = [u.pk for u in users]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM subsidies_paymentevent WHERE payment_id IN (SELECT id FROM subsidies_payment WHERE batch_id = %s)",
            [batch_id],
        )
        cursor.execute("DELETE FROM subsidies_payment WHERE batch_id = %s", [batch_id])
        cursor.execute(
            "DELETE FROM subsidies_disbursementrunevent WHERE run_id IN "
            "(SELECT id FROM subsidies_disbursementrun WHERE batch_id = %s)",
            [batch_id],
        )
        cursor.execute("DELETE FROM subsidies_disbursementrun WHERE batch_id = %s", [batch_id])
        cursor.execute("DELETE FROM subsidies_disbursementbatchevent WHERE batch_id = %s", [batch_id])
        cursor.execute("DELETE FROM subsidies_disbursementbatch WHERE id = %s", [batch_id])
        cursor.execute(
            "DELETE FROM subsidies_applicationevent WHERE application_id IN "
            "(SELECT id FROM subsidies_application WHERE person_id = ANY(%s))",
            [ids],
        )
        cursor.execute("DELETE FROM subsidies_application WHERE person_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM subsidies_payeeaccount WHERE person_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM core_auditlog WHERE actor_id = ANY(%s)", [ids])
        cursor.execute(
            "DELETE FROM core_outboxmessage WHERE task = %s", ["subsidies.tasks.disbursement_run_task"]
        )
        cursor.execute("DELETE FROM accounts_rolegrant WHERE user_id = ANY(%s)", [ids])
        cursor.execute("DELETE FROM accounts_user WHERE id = ANY(%s)", [ids])


def time_disbursement(payments: int = 100_000, *, keep: bool = False) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from subsidies import bankfiles
    from subsidies.models import DisbursementRun
    from subsidies.services import disbursement as services

    t0 = time.perf_counter()
    officer, program, unit, users = _make(payments)
    made = time.perf_counter() - t0
    batch = services.batch_create(actor=officer, program_type=program, scope_unit=unit)
    result = {"payments": payments, "data_seconds": round(made, 1), "limit_seconds": LIMIT_SECONDS}
    try:
        run = services.batch_generate_start(batch=batch, actor=officer)
        t0 = time.perf_counter()
        services.disbursement_run(run_id=run.pk)
        result["generate_seconds"] = round(time.perf_counter() - t0, 1)
        run.refresh_from_db()
        result["generated"] = run.counts.get("added", 0)
        t0 = time.perf_counter()
        _name, data = services.batch_export(batch=batch, actor=officer, fmt="csv")
        result["export_seconds"] = round(time.perf_counter() - t0, 1)
        result["file_mb"] = round(len(data) / 1e6, 1)
        keys = list(batch.payments.values_list("idempotency_key", flat=True))
        result_file = bankfiles.sample_result_file((k, "成功", "") for k in keys)
        timings = []
        for _ in range(2):
            run = services.result_import_start(
                batch=batch, actor=officer, uploaded_file=SimpleUploadedFile("result.csv", result_file)
            )
            t0 = time.perf_counter()
            services.disbursement_run(run_id=run.pk)
            timings.append(round(time.perf_counter() - t0, 1))
            run = DisbursementRun.objects.get(pk=run.pk)
            result.setdefault("import_counts", []).append(run.counts)
        result["import_seconds"], result["reimport_seconds"] = timings
        batch.refresh_from_db()
        result["paid"] = batch.paid_count
    finally:
        if not keep:
            _undo(users, batch.pk)
    return result


def line(result: dict) -> str:
    return (
        f"Disbursement (in-process, {result['payments']:,} approved applications): generate "
        f"{result.get('generate_seconds')} s ({result.get('generated', 0):,} payments; limit "
        f"{result['limit_seconds']} s), bank file {result.get('export_seconds')} s ({result.get('file_mb')} MB), "
        f"result import {result.get('import_seconds')} s ({result.get('paid', 0):,} paid), same file again "
        f"{result.get('reimport_seconds')} s ({result.get('import_counts', [{}, {}])[-1]}); data "
        f"{result['data_seconds']} s."
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--payments", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help="keep the rows it made")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.bench")
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("disbursement bench: skipped — needs PostgreSQL in DATABASE_URL", flush=True)
        return 0
    print(line(time_disbursement(args.payments, keep=args.keep)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
