"""Benchmark data for subsidy applications (issue 17), the ``subsidy_applications`` phase of ``bench_data``
(after ``subsidies``, whose contributors and insured lists it applies for): S 20,000 applications, L 500,000,
across the counties and the two programs people apply for, in the statuses a live year shows, with their
events, reviewers and a budget per program, county and year. Written by COPY (bulk_create on SQLite).

Correct by construction:
- one application per person, program and period: social insurance for one of the last six contribution
  months on record (never a month the previous system subsidised), accident
  insurance for the current year of a person on an insured list; the requested amount is the rule's —
  2/3 of the month's pension and medical contributions, and half the year's premiums up to ¥100;
- the status follows ``APPLICATION_TRANSITIONS`` and the events are exactly its path: created as a draft
  and submitted by the person, taken into county review and decided by one of the county's two reviewers,
  decided at city level by one of two city reviewers (never the county reviewer), the notice of five
  working days, approved when it ended with no objection (with its entitlement rows, as
  ``notice_conclude`` writes them). Returned and rejected ones stop at the level that decided;
- disbursement is left to the payment-batch bench (no application here is disbursed);
- each county's budget for a program and year is twice what its applications hold, and at least ¥1,000,000.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.models import RoleGrant, User
from core.calendar import add_working_days
from subsidies.choices import ApplicationStatus as S
from subsidies.choices import EntitlementSource
from subsidies.models import (
    Application,
    ApplicationEvent,
    Budget,
    ContributionMonth,
    Entitlement,
    InsuredPremium,
    ProgramType,
)

NUMBER_PREFIX = "BTBENCH"  # marks the generated applications (resumability)
STAFF_PHONE = "1520000"  # + county index (2 digits) + reviewer index (2 digits); city reviewers "99"
CENT = Decimal("0.01")
SI_RATIO = Decimal(2) / Decimal(3)
ACCIDENT_SHARE, ACCIDENT_CAP = Decimal("0.5"), Decimal("100.00")
SI_SHARE = 0.7  # of the applications: social insurance; the rest accident insurance
RECENT_MONTHS = 6
BEIJING = ZoneInfo("Asia/Shanghai")
# status weights (a year in progress: most decided, a queue at each level)
STATUS_WEIGHTS = [
    (S.DRAFT, 2),
    (S.SUBMITTED, 6),
    (S.COUNTY_REVIEW, 12),
    (S.CITY_REVIEW, 8),
    (S.PUBLIC_NOTICE, 5),
    (S.APPROVED, 50),
    (S.RETURNED, 9),
    (S.REJECTED, 8),
]
APPLICATION_FIELDS = [
    "id",
    "number",
    "person",
    "program_type",
    "scope_unit",
    "period_start",
    "period_end",
    "status",
    "amount_requested",
    "amount_approved",
    "statement",
    "dedup_reasons",
    "submitted_at",
    "county_reviewer",
    "county_reviewed_at",
    "city_reviewer",
    "city_reviewed_at",
    "notice_start",
    "notice_end",
    "approved_at",
    "return_reason",
    "reject_reason",
    "created_at",
    "updated_at",
]
EVENT_FIELDS = ["application", "from_status", "to_status", "reason", "actor", "at"]
ENTITLEMENT_FIELDS = [
    "person",
    "program_type",
    "month",
    "amount",
    "source",
    "reference",
    "application",
    "created_at",
    "updated_at",
]


def _month_end(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


@dataclass(frozen=True)
class Gaps:
    submit: dt.timedelta
    accept: dt.timedelta
    county: dt.timedelta
    city: dt.timedelta
    county_decides: bool
    position: float


# a status its period leaves no time for becomes the one before it on the path
FALLBACK = {
    S.APPROVED: S.PUBLIC_NOTICE,
    S.PUBLIC_NOTICE: S.CITY_REVIEW,
    S.RETURNED: S.COUNTY_REVIEW,
    S.REJECTED: S.COUNTY_REVIEW,
    S.CITY_REVIEW: S.COUNTY_REVIEW,
    S.COUNTY_REVIEW: S.SUBMITTED,
    S.SUBMITTED: S.DRAFT,
    S.DRAFT: S.DRAFT,
}


def _path(status, made, gaps: Gaps, reviewer: int, city: int, person: int, notice_end):
    """The application's reviewer fields and its events (from, to, reason, actor, at) for ``status``, made
    at ``made``: exactly the transitions ``APPLICATION_TRANSITIONS`` allows on the way there."""
    row = {
        "submitted_at": None,
        "county_reviewer": None,
        "county_reviewed_at": None,
        "city_reviewer": None,
        "city_reviewed_at": None,
        "notice_start": None,
        "notice_end": None,
        "approved_at": None,
        "amount_approved": None,
        "return_reason": "",
        "reject_reason": "",
    }
    path = [("", S.DRAFT, "", person, made)]
    if status == S.DRAFT:
        return row, path
    at = made + gaps.submit
    row["submitted_at"] = at
    path.append((S.DRAFT, S.SUBMITTED, "", person, at))
    if status == S.SUBMITTED:
        return row, path
    at += gaps.accept
    path.append((S.SUBMITTED, S.COUNTY_REVIEW, "县级受理", reviewer, at))
    if status == S.COUNTY_REVIEW:
        return row, path
    at += gaps.county
    row["county_reviewer"], row["county_reviewed_at"] = reviewer, at
    stopped = status in (S.RETURNED, S.REJECTED)
    if stopped and gaps.county_decides:
        reason = "材料不全，请补充缴费凭证。" if status == S.RETURNED else "不符合补贴条件。"
        row["return_reason" if status == S.RETURNED else "reject_reason"] = reason
        path.append((S.COUNTY_REVIEW, status, reason, reviewer, at))
        return row, path
    row["amount_approved"] = True  # the requested amount, set by the caller
    path.append((S.COUNTY_REVIEW, S.CITY_REVIEW, "", reviewer, at))
    if status == S.CITY_REVIEW:
        return row, path
    at += gaps.city
    row["city_reviewer"], row["city_reviewed_at"] = city, at
    if stopped:
        reason = "核定金额有误，请县级复核。" if status == S.RETURNED else "同期已享受补贴。"
        row["return_reason" if status == S.RETURNED else "reject_reason"] = reason
        path.append((S.CITY_REVIEW, status, reason, city, at))
        return row, path
    row["notice_start"] = timezone.localdate(at)
    row["notice_end"] = notice_end(row["notice_start"])
    path.append((S.CITY_REVIEW, S.PUBLIC_NOTICE, "", city, at))
    if status == S.PUBLIC_NOTICE:
        return row, path
    # concluded by the daily task the night after the notice ended (01:00 Beijing)
    at = dt.datetime.combine(row["notice_end"] + dt.timedelta(days=1), dt.time(1), tzinfo=BEIJING)
    row["approved_at"] = at
    path.append((S.PUBLIC_NOTICE, S.APPROVED, "公示期满无异议", None, at))
    return row, path


def generate(cmd) -> int | None:
    size = cmd.size
    if Application.objects.filter(number__startswith=NUMBER_PREFIX).exists():
        return None
    rng = cmd.rng("subsidy_applications")
    loader = cmd.loader
    now = cmd.now
    total = size.applications
    si = ProgramType.objects.get(code="flexible_social_insurance")
    accident = ProgramType.objects.get(code="gig_accident_insurance")
    t0 = time.monotonic()
    # --- everything read before the first COPY (a connection in COPY mode runs no other query) ----------
    last = ContributionMonth.objects.order_by("-month").values_list("month", flat=True).first()
    if last is None:
        cmd.stdout.write("  subsidy applications: no contribution months (run the subsidies phase first)")
        return 0
    recent = sorted(
        set(
            ContributionMonth.objects.filter(month__gt=last - dt.timedelta(days=31 * RECENT_MONTHS))
            .values_list("month", flat=True)
            .distinct()
        )
    )
    county_of = dict(
        User.objects.filter(phone__startswith="17", scope_unit__isnull=False).values_list(
            "pk", "scope_unit_id"
        )
    )
    n_si = round(total * SI_SHARE)
    # social insurance: (person, month) pairs of recent contribution months, drawn without repeats
    contributors = sorted(
        {
            pk
            for pk in ContributionMonth.objects.filter(month=last).values_list("person_id", flat=True)
            if pk in county_of
        }
    )
    # never a month the previous system subsidised (the earliest months; at XS they reach the recent ones)
    legacy = set(
        Entitlement.objects.filter(program_type=si, month__in=recent).values_list("person_id", "month")
    )
    pairs = [(pk, month) for pk in contributors for month in recent if (pk, month) not in legacy]
    wanted = sorted(rng.sample(pairs, min(n_si, len(pairs))))
    paid = {}
    wanted_people = sorted({pk for pk, _m in wanted})
    for start in range(0, len(wanted_people), 20_000):
        for pk, month, pension, medical in ContributionMonth.objects.filter(
            person_id__in=wanted_people[start : start + 20_000], month__in=recent
        ).values_list("person_id", "month", "pension_paid", "medical_paid"):
            paid[pk, month] = pension + medical
    year = last.year
    premiums = {
        pk: total_premium
        for pk, total_premium in InsuredPremium.objects.filter(month__year=year, is_manager=False)
        .values("person_id")
        .annotate(total=Sum("premium"))
        .values_list("person_id", "total")
        .order_by("person_id")
        if pk in county_of
    }
    insured = sorted(premiums)
    accident_people = rng.sample(insured, min(total - len(wanted), len(insured)))
    units = sorted({county_of[pk] for pk, _m in wanted} | {county_of[pk] for pk in accident_people})
    cmd.stdout.write(
        f"  subsidy applications: {len(wanted)} social-insurance and {len(accident_people)} accident-insurance "
        f"applications over {len(units)} counties, read in {time.monotonic() - t0:.1f}s"
    )

    written = 0
    with transaction.atomic():
        # --- reviewers: two per county (county staff), two at city level -------------------------------
        first_staff = loader.next_id(User)
        staff_rows, grants, county_staff = [], [], {}
        for ui, unit_id in enumerate(units):
            for k in range(2):
                pk = first_staff + len(staff_rows)
                staff_rows.append(
                    User(
                        pk=pk,
                        phone=f"{STAFF_PHONE}{ui:02d}{k:02d}",
                        password=cmd.password,
                        real_name=f"补贴县级审核员{ui + 1}-{k + 1}",
                        scope_unit_id=unit_id,
                        is_staff=True,
                        phone_verified_at=now,
                    )
                )
                grants.append(RoleGrant(user_id=pk, role=Role.COUNTY_STAFF, scope_unit_id=unit_id))
                county_staff.setdefault(unit_id, []).append(pk)
        city_staff = []
        for k in range(2):
            pk = first_staff + len(staff_rows)
            staff_rows.append(
                User(
                    pk=pk,
                    phone=f"{STAFF_PHONE}99{k:02d}",
                    password=cmd.password,
                    real_name=f"补贴市级复核员{k + 1}",
                    is_staff=True,
                    phone_verified_at=now,
                )
            )
            grants.append(RoleGrant(user_id=pk, role=Role.CITY_STAFF, scope_unit=None))
            city_staff.append(pk)
        User.objects.bulk_create(staff_rows)
        RoleGrant.objects.bulk_create(grants)
        loader.reset_sequences([User, RoleGrant])
        written += len(staff_rows) + len(grants)

        # --- applications, their events and the entitlements of the approved ones ----------------------
        statuses = [s for s, _w in STATUS_WEIGHTS]
        weights = [w for _s, w in STATUS_WEIGHTS]
        first_app = loader.next_id(Application)
        apps, events, entitlements = [], [], []
        held: dict[tuple[int, int, int], Decimal] = {}
        work = [(si, pk, month, _month_end(month)) for pk, month in wanted] + [
            (accident, pk, dt.date(year, 1, 1), dt.date(year, 12, 31)) for pk in accident_people
        ]
        rng.shuffle(work)
        notice_end = functools.cache(
            lambda day: add_working_days(day, settings.LINGONG_SUBSIDY_NOTICE_WORKING_DAYS)
        )
        for index, (program, pk, start, end) in enumerate(work):
            app_id = first_app + index
            unit = county_of[pk]
            if program is si:
                amount = (paid[pk, start] * SI_RATIO).quantize(CENT, ROUND_HALF_UP)
            else:
                amount = min((premiums[pk] * ACCIDENT_SHARE).quantize(CENT, ROUND_HALF_UP), ACCIDENT_CAP)
            status = rng.choices(statuses, weights)[0]
            gaps = Gaps(
                submit=dt.timedelta(minutes=rng.randint(1, 60)),
                accept=dt.timedelta(hours=rng.uniform(2, 72)),
                county=dt.timedelta(hours=rng.uniform(1, 48)),
                city=dt.timedelta(hours=rng.uniform(1, 48)),
                county_decides=rng.random() < 0.6,  # a return or rejection: more often at county level
                position=rng.random(),
            )
            reviewer, city = rng.choice(county_staff[unit]), rng.choice(city_staff)
            # made after the period's month (social insurance) or in the year (accident insurance)
            earliest = dt.datetime.combine(
                end + dt.timedelta(days=1) if program is si else start, dt.time(1), tzinfo=dt.UTC
            )
            earliest = max(earliest, now - dt.timedelta(days=120))
            while True:  # the status, or the nearest earlier one its period leaves time for
                _row, path = _path(status, earliest, gaps, reviewer, city, pk, notice_end)
                span = path[-1][-1] - earliest
                if earliest + span <= now:
                    lo, hi = earliest, now - span
                    if status == S.PUBLIC_NOTICE:  # still in its notice today
                        lo = max(lo, hi - dt.timedelta(days=4))
                    made = lo + (hi - lo) * gaps.position
                    row, path = _path(status, made, gaps, reviewer, city, pk, notice_end)
                    ok = path[-1][-1] <= now and (
                        status != S.PUBLIC_NOTICE or row["notice_end"] >= now.date()
                    )
                    if ok:
                        break
                status = FALLBACK[status]
            row.update(
                id=app_id,
                number=f"{NUMBER_PREFIX}{app_id:08d}",
                person=pk,
                program_type=program.pk,
                scope_unit=unit,
                period_start=start,
                period_end=end,
                status=status,
                amount_requested=amount,
                amount_approved=amount if row["amount_approved"] else None,
                statement="",
                dedup_reasons="[]",
                created_at=made,
                updated_at=path[-1][-1],
            )
            if status == S.APPROVED:
                at = row["approved_at"]
                entitlements.append(
                    (
                        pk,
                        program.pk,
                        start,
                        amount,
                        EntitlementSource.APPLICATION,
                        row["number"],
                        app_id,
                        at,
                        at,
                    )
                )
            if status in (S.PUBLIC_NOTICE, S.APPROVED):
                key = (program.pk, unit, start.year)
                held[key] = held.get(key, Decimal(0)) + amount
            apps.append(tuple(row[f] for f in APPLICATION_FIELDS))
            events.extend((app_id, *e) for e in path)
        if not loader.pg:  # bulk_create takes the JSON value itself
            apps = [
                tuple([] if f == "dedup_reasons" else v for f, v in zip(APPLICATION_FIELDS, a, strict=True))
                for a in apps
            ]
        budgets = [
            Budget(
                program_type_id=program_id,
                scope_unit_id=unit_id,
                year=year_,
                amount=max(Decimal("1000000.00"), (2 * amount).quantize(CENT)),
                notice="bench 预算",
            )
            for (program_id, unit_id, year_), amount in sorted(held.items())
        ]
        existing = set(Budget.objects.values_list("program_type_id", "scope_unit_id", "year"))
        Budget.objects.bulk_create(
            b for b in budgets if (b.program_type_id, b.scope_unit_id, b.year) not in existing
        )
        written += len(budgets)
        written += loader.insert(Application, APPLICATION_FIELDS, apps)
        written += loader.insert(ApplicationEvent, EVENT_FIELDS, events)
        written += loader.insert(Entitlement, ENTITLEMENT_FIELDS, entitlements)
        loader.reset_sequences([Application, ApplicationEvent, Entitlement, Budget])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in (Application, ApplicationEvent, Entitlement):
                cursor.execute(f"ANALYZE {table._meta.db_table}")
    return written
