"""The outcome recompute benchmark (issue 15: all providers over L ≤ 60 s).

``time_outcomes(size)`` times ``training.services.outcomes.recompute_outcomes`` over the database's
completed enrollments and settled work orders. When the database holds no completed training yet (the
training part of ``bench_data`` is another change), it first builds its own minimal set on the bench's workers
— institutions, classes, completed enrollments with results and some certificates (S: 300 / 5,000 / 150,000;
L: ×5) — marked by their credit-code prefix, and removes it afterwards (``keep`` leaves it).

    .venv/bin/python -m bench.outcomes --size S   (after `make bench-data BENCH_SIZE=S`)
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time

MARK = "91BENCHOUT"  # uscc prefix of the institutions this benchmark builds
SIZES = {"XS": (30, 500, 15_000), "S": (300, 5_000, 150_000), "L": (1_500, 25_000, 750_000)}


def _build(size: str, seed: int) -> int:
    from django.db import transaction

    from accounts.choices import Role
    from accounts.models import User
    from core.models import ScopeUnit
    from training.choices import ClassStatus, EnrollmentStatus, InstitutionStatus
    from training.models import (
        CatalogueItem,
        Enrollment,
        Institution,
        TrainingCertificate,
        TrainingClass,
        TrainingResult,
    )

    institutions, classes, enrollments = SIZES[size]
    rng = random.Random(seed)
    units = list(ScopeUnit.objects.filter(is_active=True).values_list("pk", flat=True))
    items = list(CatalogueItem.objects.values_list("pk", flat=True))
    workers = list(
        User.objects.filter(role_grants__role=Role.WORKER)
        .order_by("pk")
        .values_list("pk", flat=True)[:enrollments]
    )
    if not workers or not items or not units:
        raise SystemExit("no workers, catalogue or counties: run `make bench-data BENCH_SIZE=…` first")
    with transaction.atomic():
        made = Institution.objects.bulk_create(
            Institution(
                name=f"基准测试培训学校{n:05d}",
                uscc=f"{MARK}{n:08d}",
                licence_number=f"BENCH{n:06d}",
                scope_unit_id=rng.choice(units),
                address="基准测试地址",
                contact_name="王老师",
                contact_phone="0536-8123456",
                status=InstitutionStatus.FILED,
            )
            for n in range(institutions)
        )
        first_day = dt.date.today().replace(day=1) - dt.timedelta(days=540)
        class_rows = []
        for n in range(classes):
            starts = first_day + dt.timedelta(days=rng.randrange(480))
            institution = made[n % institutions]
            class_rows.append(
                TrainingClass(
                    institution=institution,
                    item_id=rng.choice(items),
                    scope_unit_id=institution.scope_unit_id,
                    title=f"基准班{n}",
                    status=ClassStatus.COMPLETED,
                    capacity=60,
                    enrolled_count=min(60, enrollments // classes + 1),
                    starts_on=starts,
                    ends_on=starts + dt.timedelta(days=20),
                )
            )
        made_classes = TrainingClass.objects.bulk_create(class_rows, batch_size=2000)
        rows, seen = [], set()
        for n in range(enrollments):
            training_class = made_classes[n % classes]
            k = n * 7919
            worker = workers[k % len(workers)]
            while (training_class.pk, worker) in seen:  # one live enrollment per worker and class
                k += 1
                worker = workers[k % len(workers)]
            seen.add((training_class.pk, worker))
            rows.append(
                Enrollment(training_class=training_class, worker_id=worker, status=EnrollmentStatus.COMPLETED)
            )
        made_enrollments = Enrollment.objects.bulk_create(rows, batch_size=5000)
        by_class = {c.pk: c for c in made_classes}
        TrainingResult.objects.bulk_create(
            (
                TrainingResult(
                    enrollment=e,
                    hours_attended=80,
                    hours_required=80,
                    passed=True,
                    completed=True,
                    completed_on=by_class[e.training_class_id].ends_on,
                )
                for e in made_enrollments
            ),
            batch_size=5000,
        )
        TrainingCertificate.objects.bulk_create(
            (
                TrainingCertificate(
                    enrollment=e,
                    certificate_type="training",
                    number=f"BENCHOUT{e.pk}",
                    issuer="基准测试",
                    issued_on=by_class[e.training_class_id].ends_on,
                )
                for i, e in enumerate(made_enrollments)
                if i % 4
            ),
            batch_size=5000,
        )
    return len(made_enrollments)


def _remove() -> None:
    """Delete what ``_build`` made, in SQL (the ORM's cascade would read every row first)."""
    from django.db import connection, transaction

    mine = "SELECT id FROM training_institution WHERE uscc LIKE %s"
    classes = f"SELECT id FROM training_trainingclass WHERE institution_id IN ({mine})"
    enrollments = f"SELECT id FROM training_enrollment WHERE training_class_id IN ({classes})"
    statements = [
        f"DELETE FROM training_outcomecohort WHERE institution_id IN ({mine})",
        f"DELETE FROM training_trainingcertificate WHERE enrollment_id IN ({enrollments})",
        f"DELETE FROM training_trainingresult WHERE enrollment_id IN ({enrollments})",
        f"DELETE FROM training_enrollment WHERE training_class_id IN ({classes})",
        f"DELETE FROM training_trainingclass WHERE institution_id IN ({mine})",
        "DELETE FROM training_institution WHERE uscc LIKE %s",
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql, [f"{MARK}%"])


def _results_for_bench_data() -> int:
    """``bench_data``'s training phase writes completed enrollments without their result rows, and the
    recompute dates a completion by its result: add the missing results (passed, completed on the class's last
    day, the hours attended against the catalogue minimum in force) in one statement. Idempotent."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO training_trainingresult
                (enrollment_id, hours_attended, hours_required, passed, completed, completed_on, recorded_at)
            SELECT e.id, e.hours_attended,
                   COALESCE((SELECT r.min_class_hours FROM training_cataloguerate r
                             WHERE r.item_id = c.item_id AND r.effective_from <= c.starts_on
                             ORDER BY r.effective_from DESC LIMIT 1), e.hours_attended),
                   TRUE, TRUE, c.ends_on, now()
            FROM training_enrollment e
            JOIN training_trainingclass c ON c.id = e.training_class_id
            WHERE e.status = 'completed'
              AND NOT EXISTS (SELECT 1 FROM training_trainingresult t WHERE t.enrollment_id = e.id)
            """
        )
        return cursor.rowcount


def time_outcomes(size: str = "XS", *, seed: int = 2026, keep: bool = False) -> dict:
    """Seconds for one recompute of every provider's outcomes (and a second, idempotent run)."""
    from training.choices import EnrollmentStatus
    from training.models import Enrollment
    from training.services.outcomes import recompute_outcomes

    built = 0
    if not Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).exists():
        t0 = time.perf_counter()
        built = _build(size, seed)
        print(
            f"outcomes: built {built} completed enrollments in {time.perf_counter() - t0:.1f} s", flush=True
        )
    results = _results_for_bench_data()
    if results:
        print(f"outcomes: gave {results} completed enrollments of bench_data their results", flush=True)
    completed = Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED).count()
    try:
        t0 = time.perf_counter()
        cohorts = recompute_outcomes()
        first = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = recompute_outcomes()
        second = time.perf_counter() - t0
    finally:
        if built and not keep:
            _remove()
    return {
        "size": size,
        "completed_enrollments": completed,
        "cohorts": cohorts,
        "seconds": first,
        "second_run_seconds": second,
        "idempotent": cohorts == again,
        "built_own_data": bool(built),
        "limit_seconds_on_L": 60,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="XS", choices=sorted(SIZES))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the training rows this benchmark builds")
    args = parser.parse_args(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.bench"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        print("outcomes bench: skipped — needs PostgreSQL in DATABASE_URL", flush=True)
        return 0
    result = time_outcomes(args.size, seed=args.seed, keep=args.keep)
    print(
        f"outcome recompute ({result['size']}): {result['completed_enrollments']} completed enrollments → "
        f"{result['cohorts']} cohorts in {result['seconds']:.1f} s (second run {result['second_run_seconds']:.1f} s)",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
