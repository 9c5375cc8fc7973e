"""Benchmark data for subsidies (issue 17), a phase of ``bench_data``: what the proactive eligibility run and the
calculator read — the social-insurance system's confirmed contribution months (S: 600,000; L: 12,000,000),
staff-verified categories (hard-to-employ, graduates), accident-insurance premiums on platforms' insured lists,
and subsidised months on record from the previous system. Written by COPY (bulk_create on SQLite).

Correct by construction:
- contributors are drawn from the workers with the most settled work orders (the portal's evidence of
  flexible work is theirs), each with a run of consecutive contribution months ending last month — one row per
  person and month, on the first of the month, with the pension and medical amounts due on a base drawn
  between the lowest base and three times it (the social-insurance system's own arithmetic);
- half of them certified hard-to-employ before their first month, some graduates (leaving dates on both sides
  of the 24-month window), the rest neither (the calculator says "unknown — needs the category");
- a share of the hard-to-employ have months already subsidised by the previous system (legacy entitlements,
  one per person and month, never a month they are offered again);
- premiums: platform workers insured monthly by one of the platforms (an employer they worked for), a share of
  rows covered per order by occupational-injury insurance (职业伤害保障), a few managers.
"""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count

from core.months import month_start
from jobs.choices import NewFormKind, PersonCategoryKind, PersonCategorySource
from jobs.models import PersonCategory
from subsidies.choices import ContributionSource, EntitlementSource, PayerKind
from subsidies.models import ContributionMonth, Entitlement, InsuredPremium, ProgramType
from work.choices import WorkOrderStatus
from work.models import WorkOrder

EVIDENCE = "bench-认定表"  # marks the generated categories (resumability)
PENSION_RATE, MEDICAL_RATE = Decimal("0.20"), Decimal("0.08")
LOWEST_BASE = Decimal("4000")
HARD_SHARE, GRADUATE_SHARE = 0.5, 0.15
LEGACY_SHARE = 0.2  # of the hard-to-employ: some months already subsidised before the portal
INSURED_SHARE = 0.3  # of the workers of a month's platform work: insured by the platform


def _months_back(last: dt.date, n: int) -> list[dt.date]:
    months, m = [], last
    for _i in range(n):
        months.append(m)
        m = (m - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def generate(cmd) -> int | None:
    size = cmd.size
    if PersonCategory.objects.filter(evidence=EVIDENCE).exists():
        return None
    rng = cmd.rng("subsidies")
    loader = cmd.loader
    today = cmd.now.date()
    last = (month_start(today) - dt.timedelta(days=1)).replace(day=1)  # last month
    span = min(24, size.months)
    months = _months_back(last, span)
    contributors = max(1, size.contribution_months // span)
    t0 = time.monotonic()
    settled = (
        WorkOrder.objects.filter(status=WorkOrderStatus.SETTLED)
        .values("worker_id")
        .annotate(n=Count("id"))
        .order_by("-n", "worker_id")
        .values_list("worker_id", flat=True)[:contributors]
    )
    people = list(settled)
    cmd.stdout.write(f"  subsidies: {len(people)} contributors picked in {time.monotonic() - t0:.1f}s")
    si = ProgramType.objects.get(code="flexible_social_insurance")
    written = 0
    with transaction.atomic():
        # --- categories (staff-verified) ---------------------------------------------------------------
        categories, kinds = [], {}
        for pk in people:
            draw = rng.random()
            if draw < HARD_SHARE:
                kinds[pk] = PersonCategoryKind.HARD_TO_EMPLOY
                valid_from = months[0] - dt.timedelta(days=rng.randrange(30, 900))
            elif draw < HARD_SHARE + GRADUATE_SHARE:
                kinds[pk] = PersonCategoryKind.GRADUATE
                # left school between 3 years before the first month and the first month
                valid_from = months[0] - dt.timedelta(days=rng.randrange(0, 1100))
            else:
                continue
            categories.append(
                (
                    pk,
                    kinds[pk],
                    NewFormKind.NONE,
                    valid_from,
                    None,
                    PersonCategorySource.STAFF_VERIFIED,
                    EVIDENCE,
                    cmd.now,
                    cmd.now,
                )
            )
        written += loader.insert(
            PersonCategory,
            [
                "user",
                "category",
                "new_form_kind",
                "valid_from",
                "valid_to",
                "source",
                "evidence",
                "created_at",
                "updated_at",
            ],
            categories,
        )

        # --- contribution months ------------------------------------------------------------------------
        def contribution_rows():
            for pk in people:
                base = (LOWEST_BASE * Decimal(1 + 2 * rng.random())).quantize(Decimal("1"))
                pension = (base * PENSION_RATE).quantize(Decimal("0.01"))
                medical = (base * MEDICAL_RATE).quantize(Decimal("0.01"))
                for month in months:
                    yield (pk, month, pension, medical, base, ContributionSource.IMPORT, cmd.now, cmd.now)

        written += loader.insert(
            ContributionMonth,
            ["person", "month", "pension_paid", "medical_paid", "base", "source", "created_at", "updated_at"],
            contribution_rows(),
        )

        # --- months subsidised by the previous system ---------------------------------------------------
        def legacy_rows():
            for pk, kind in kinds.items():
                if kind != PersonCategoryKind.HARD_TO_EMPLOY or rng.random() >= LEGACY_SHARE:
                    continue
                for month in months[: rng.randrange(1, max(2, span // 2))]:
                    yield (
                        pk,
                        si.pk,
                        month,
                        Decimal("600.00"),
                        EntitlementSource.LEGACY,
                        "bench",
                        cmd.now,
                        cmd.now,
                    )

        written += loader.insert(
            Entitlement,
            ["person", "program_type", "month", "amount", "source", "reference", "created_at", "updated_at"],
            legacy_rows(),
        )

        # --- accident-insurance premiums: platform workers insured by a platform they worked for ----------
        first_day = dt.date(last.year, 1, 1)
        # the first settled order of each worker and month this year (read before the COPY: a connection in
        # COPY mode runs no other query)
        worked = {}
        for worker_id, employer_id, employer_name, work_date in (
            WorkOrder.objects.filter(status=WorkOrderStatus.SETTLED, work_date__gte=first_day)
            .values_list("worker_id", "posting__employer_id", "posting__employer__display_name", "work_date")
            .order_by("worker_id", "work_date")
            .iterator(chunk_size=20_000)
        ):
            worked.setdefault((worker_id, work_date.replace(day=1)), (employer_id, employer_name))

        def premium_rows():
            for (worker_id, month), (employer_id, employer_name) in worked.items():
                if rng.random() >= INSURED_SHARE:
                    continue
                yield (
                    worker_id,
                    PayerKind.PLATFORM,
                    employer_id,
                    employer_name[:100],
                    f"BENCH{worker_id:09d}{month:%y%m}",
                    month,
                    Decimal(rng.choice(("15.00", "20.00", "30.00"))),
                    None,
                    rng.random() < 0.1,  # covered per order by occupational-injury insurance
                    rng.random() < 0.02,  # a manager
                    cmd.now,
                    cmd.now,
                )

        written += loader.insert(
            InsuredPremium,
            [
                "person",
                "payer_kind",
                "payer",
                "payer_name",
                "policy_number",
                "month",
                "premium",
                "work_order",
                "injury_covered",
                "is_manager",
                "created_at",
                "updated_at",
            ],
            premium_rows(),
        )
        loader.reset_sequences([PersonCategory, ContributionMonth, Entitlement, InsuredPremium])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (ContributionMonth, PersonCategory, Entitlement, InsuredPremium):
                cursor.execute(f"ANALYZE {table._meta.db_table}")
    return written
