"""Benchmark data (issue 6): a city's markets, employers, workers, postings over two years and the settled
work orders that wage guidance stands on, generated deterministically from a seed.

- Bulk only: PostgreSQL COPY (psycopg's ``cursor.copy``) for the big tables, ``bulk_create`` elsewhere and on
  SQLite (size XS runs there for CI). Primary keys are assigned here and the sequences reset afterwards, so
  foreign keys need no read-back.
- Resumable: each phase runs in one transaction and is skipped when its rows are already there (counted by
  their marker: phone prefixes for generated users, the ``bench-`` check-in token for work orders …).
- Generated users share one precomputed password hash (``BENCH_PASSWORD``); nobody can log in by SMS.
- Coordinates cluster around the markets, inside the default city's counties (Shandong); occupations are the
  seeded 工种 with a Zipf-like skew; titles and descriptions come from Chinese templates; ``search_text`` and
  ``search_tokens`` are built exactly as ``jobs.services._prepare`` builds them (``jobs.search``).
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import Organization, RoleGrant, User
from core.models import Division, ScopeUnit
from disputes.models import Case
from jobs import search
from jobs.choices import (
    ApplicationStatus,
    EmployerKind,
    PostingStatus,
    Settlement,
    SkillLevel,
    VerificationStatus,
    WageUnit,
)
from jobs.models import (
    Application,
    EmployerProfile,
    Occupation,
    Posting,
    PostingWindow,
    SeekerSpell,
    WorkerProfile,
    WorkerSkill,
)
from markets.choices import MarketKind, MarketStatus, OperatingModel
from markets.models import Market
from work.choices import CheckMethod, WorkOrderStatus
from work.models import WorkOrder
from work.services import refresh_all_worker_records

BENCH_PASSWORD = "Bench@2026"
WORKER_PHONE = "17"  # + 9 digits
EMPLOYER_PHONE = "16"
STAFF_PHONE = "15000000000"
MARKET_HOTLINE = "0536-8"
QR_PREFIX = "bench-"


@dataclass(frozen=True)
class Size:
    workers: int
    employers: int
    postings: int
    open_postings: int
    markets: int
    work_orders: int
    months: int
    # training (issue 15): filed institutions, classes with their sessions, enrollments, attendance rows
    institutions: int = 20
    classes: int = 200
    enrollments: int = 3_000
    attendance: int = 40_000
    # disputes (issue 16): complaints as cases, with claim lines, events and clocks
    cases: int = 2_000
    # subsidies (issue 17): contribution months confirmed by the social-insurance system
    contribution_months: int = 6_000
    # subsidy applications (issue 17) across the statuses of the workflow, with events and budgets
    applications: int = 1_000


SIZES = {
    "XS": Size(
        workers=2_000,
        employers=200,
        postings=2_000,
        open_postings=600,
        markets=20,
        work_orders=5_000,
        months=6,
    ),
    "S": Size(
        workers=100_000,
        employers=10_000,
        postings=200_000,
        open_postings=30_000,
        markets=120,
        work_orders=500_000,
        months=24,
        institutions=300,
        classes=5_000,
        enrollments=150_000,
        attendance=2_000_000,
        cases=20_000,
        contribution_months=600_000,
        applications=20_000,
    ),
    "L": Size(
        workers=1_000_000,
        employers=60_000,
        postings=1_000_000,
        open_postings=300_000,
        markets=300,
        work_orders=5_000_000,
        months=24,
        institutions=1_500,
        classes=25_000,
        enrollments=750_000,
        attendance=10_000_000,
        cases=1_000_000,
        contribution_months=12_000_000,
        applications=500_000,
    ),
}

# Approximate centres (WGS-84) of the default city's counties (潍坊, 370700); other cities fall back to the
# map centre with a spread.
COUNTY_CENTRES = {
    "370702": (36.71, 119.02),
    "370703": (36.78, 119.22),
    "370704": (36.65, 119.17),
    "370705": (36.71, 119.13),
    "370724": (36.51, 118.54),
    "370725": (36.71, 118.83),
    "370781": (36.68, 118.48),
    "370782": (35.99, 119.41),
    "370783": (36.88, 118.79),
    "370784": (36.48, 119.22),
    "370785": (36.38, 119.76),
    "370786": (36.86, 119.40),
}
# The most common gig occupations first; the rest follow in taxonomy order with a Zipf-like tail.
COMMON = [
    "construction_helper",
    "cleaner",
    "porter",
    "assembler",
    "loader",
    "kitchen_helper",
    "rider",
    "picker",
    "greenhouse",
    "hourly_helper",
    "warehouse_sorter",
    "bricklayer",
    "electrician",
    "waiter",
    "mover",
    "vegetable_sorter",
    "nanny",
    "carpenter",
    "packer",
    "security",
]
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎"
)
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰萍建华红梅志强海燕文建国春华金凤德胜"
PLACES = [
    "小区",
    "工地",
    "物流园",
    "蔬菜大棚",
    "果园",
    "食品厂",
    "服装厂",
    "饭店",
    "酒店",
    "商场",
    "仓库",
    "学校食堂",
    "农贸市场",
    "写字楼",
    "家庭",
    "工业园",
]
PERKS = ["日结", "包午饭", "管吃住", "当天结算", "有交通补贴", "长期合作", "多劳多得", "可带工具"]
TITLE_TEMPLATES = [
    "{place}招{occ}{n}名",
    "急招{occ}，{perk}",
    "{county}{place}需要{occ}",
    "{occ}{n}人，{perk}",
    "{place}{occ}临时用工",
    "招{occ}：{place}，{perk}",
]
DESC_TEMPLATES = [
    "{county}{place}需要{occ}{n}名，{start}开工，每天{hours}小时，{perk}。",
    "工作地点在{county}{place}，主要做{occ}相关的活，要求身体健康、能吃苦，{perk}。",
    "{place}活多，招{occ}，有经验优先，新手可以学，工资{wage}元/天，{perk}。",
    "{county}一家{place}临时缺人，{occ}{n}名，早上{start_time}到岗，{perk}，{perk2}。",
]
ORG_SUFFIX = [
    "建筑劳务有限公司",
    "物流有限公司",
    "家政服务有限公司",
    "食品有限公司",
    "农业合作社",
    "人力资源有限公司",
]


def _centre(unit: ScopeUnit, default: tuple[float, float]) -> tuple[float, float]:
    return COUNTY_CENTRES.get(unit.code) or COUNTY_CENTRES.get(unit.division_id) or default


def _jitter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    """A point around (lat, lng), normally distributed with ``km`` standard deviation."""
    dlat = rng.gauss(0, km) / 111.0
    dlng = rng.gauss(0, km) / (111.0 * math.cos(math.radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def _day_after(day: dt.date) -> dt.datetime:
    """The first instant after ``day`` (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


class Loader:
    """Writes rows: COPY on PostgreSQL, bulk_create elsewhere."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.pg = connection.vendor == "postgresql"

    def next_id(self, model) -> int:
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        return (last or 0) + 1

    def insert(self, model, fields: list[str], rows) -> int:
        count = 0
        if self.pg:
            table = connection.ops.quote_name(model._meta.db_table)
            columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
            with connection.cursor() as cursor:
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            return count
        names = [model._meta.get_field(f).attname for f in fields]
        batch = []
        for row in rows:
            batch.append(model(**dict(zip(names, row, strict=True))))
            if len(batch) >= 2000:
                model.objects.bulk_create(batch)
                count += len(batch)
                batch = []
        if batch:
            model.objects.bulk_create(batch)
            count += len(batch)
        return count

    def reset_sequences(self, models) -> None:
        statements = connection.ops.sequence_reset_sql(no_style(), models)
        if statements:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)


PHASES = (
    "markets",
    "employers",
    "workers",
    "postings",
    "work",
    "records",
    "guidance",
    "training",
    "disputes",
    "subsidies",
    "subsidy_applications",
)


class Command(BaseCommand):
    help = "Generate benchmark data (sizes XS, S, L) deterministically; resumable; bulk inserts."

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), default="XS")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--phases",
            default=",".join(PHASES),
            help="comma-separated phases to run, in their fixed order (default: all). E.g. an S base with an "
            "L-sized disputes phase: --size S --phases markets,…,training, then --size L --phases disputes",
        )

    # --- setup -------------------------------------------------------------------------------------------

    def handle(self, *args, size: str, seed: int, phases: str = "", **options):
        wanted = {p.strip() for p in (phases or ",".join(PHASES)).split(",") if p.strip()}
        if unknown := wanted - set(PHASES):
            raise CommandError(f"Unknown phases: {', '.join(sorted(unknown))} (known: {', '.join(PHASES)}).")
        self.size = SIZES[size]
        self.seed = seed
        self.loader = Loader(self.stdout)
        self.tz = ZoneInfo("Asia/Shanghai")
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.units = list(ScopeUnit.objects.filter(kind="county", is_active=True).order_by("code"))
        if not self.units:
            raise CommandError("No county scope units: run `manage.py load_divisions` first.")
        occupations = list(
            Occupation.objects.filter(parent__isnull=False, is_active=True).select_related("parent")
        )
        if not occupations:
            raise CommandError("No occupations: run the migrations first.")
        by_code = {o.code: o for o in occupations}
        ordered = [by_code[c] for c in COMMON if c in by_code]
        ordered += sorted((o for o in occupations if o.code not in COMMON), key=lambda o: o.sort)
        self.occupations = ordered
        self.occ_weights = [1.0 / (rank + 1) ** 0.9 for rank in range(len(ordered))]
        self.towns = {
            u.pk: list(
                Division.objects.filter(parent_id=u.division_id, level="town").values_list("code", flat=True)
            )
            for u in self.units
        }
        self.password = make_password(BENCH_PASSWORD)
        started = time.monotonic()
        for name in (p for p in PHASES if p in wanted):
            t0 = time.monotonic()
            done = getattr(self, f"phase_{name}")()
            note = "skipped (already loaded)" if done is None else f"{done} rows"
            self.stdout.write(f"{name:10s} {note} in {time.monotonic() - t0:.1f}s")
        self.finish()
        self.stdout.write(self.style.SUCCESS(f"bench data {size} ready in {time.monotonic() - started:.0f}s"))

    def rng(self, phase: str) -> random.Random:
        return random.Random(f"{self.seed}:{phase}")

    def pick_occupation(self, rng: random.Random) -> Occupation:
        return rng.choices(self.occupations, weights=self.occ_weights)[0]

    # --- markets -----------------------------------------------------------------------------------------

    def phase_markets(self):
        if Market.objects.filter(hotline__startswith=MARKET_HOTLINE).exists():
            return None
        rng = self.rng("markets")
        from django.conf import settings

        default = tuple(settings.LINGONG_MAP_CENTER)
        kinds = [MarketKind.COMPREHENSIVE, MarketKind.INDUSTRY, MarketKind.STATION]
        rows = []
        with transaction.atomic():
            for i in range(self.size.markets):
                unit = self.units[i % len(self.units)]
                lat, lng = _jitter(rng, *_centre(unit, default), km=6)
                kind = rng.choices(kinds, weights=[2, 1, 5])[0]
                status = rng.choices(
                    [MarketStatus.OPERATING, MarketStatus.PLANNED, MarketStatus.SUSPENDED], weights=[90, 6, 4]
                )[0]
                rows.append(
                    Market(
                        name=f"{unit.name}{rng.choice(PLACES)}零工{'驿站' if kind == MarketKind.STATION else '市场'}{i + 1}号",
                        kind=kind,
                        status=status,
                        scope_unit=unit,
                        address=f"{unit.name}{rng.choice(PLACES)}东侧{rng.randint(1, 300)}号",
                        lat=lat,
                        lng=lng,
                        transit=f"乘{rng.randint(1, 80)}路公交车到站下车向北{rng.randint(1, 5) * 100}米。",
                        operating_model=rng.choice(OperatingModel.values),
                        operator_name=f"{unit.name}人力资源服务中心",
                        opens_at=dt.time(rng.choice((4, 5, 6)), 0),
                        closes_at=dt.time(rng.choice((10, 11, 12, 18)), 0),
                        capacity=rng.choice((100, 200, 500, 1000)),
                        services="岗位发布、职业介绍、政策咨询、技能培训报名",
                        hotline=f"{MARKET_HOTLINE}{i:06d}",
                        complaint_channel="12333 或 市场服务台",
                        description=f"{unit.name}的零工市场，清晨用工高峰。",
                    )
                )
            Market.objects.bulk_create(rows)
        return len(rows)

    def markets(self) -> list[tuple[int, int, float, float]]:
        """(id, scope_unit_id, lat, lng) of the generated markets, any status (workers gather at all)."""
        return list(
            Market.objects.filter(hotline__startswith=MARKET_HOTLINE)
            .order_by("pk")
            .values_list("pk", "scope_unit_id", "lat", "lng", "status")
        )

    # --- users -------------------------------------------------------------------------------------------

    def _users(self, *, prefix: str, count: int, first_id: int, rng: random.Random, units: list[int]):
        """User rows for ``count`` people; the i-th person lives in ``units[i]``."""
        fields = [
            "id",
            "password",
            "is_superuser",
            "phone",
            "phone_verified_at",
            "real_name",
            "birth_date",
            "gender",
            "id_review_flag",
            "is_active",
            "is_staff",
            "date_joined",
            "scope_unit",
        ]
        start = self.now - dt.timedelta(days=30 * self.size.months)
        span = int((self.now - start).total_seconds())

        def rows():
            for i in range(count):
                joined = start + dt.timedelta(seconds=rng.randrange(span))
                born = dt.date(self.today.year - rng.randint(18, 62), rng.randint(1, 12), rng.randint(1, 28))
                yield (
                    first_id + i,
                    self.password,
                    False,
                    f"{prefix}{i:09d}",
                    joined,
                    _name(rng),
                    born,
                    rng.choice("MMMF"),
                    "",
                    True,
                    False,
                    joined,
                    units[i],
                )

        n = self.loader.insert(User, fields, rows())
        self.loader.insert(
            RoleGrant,
            ["user", "role", "created_at", "updated_at"],
            (
                (first_id + i, Role.WORKER if prefix == WORKER_PHONE else Role.EMPLOYER, self.now, self.now)
                for i in range(count)
            ),
        )
        return n

    def phase_employers(self):
        if User.objects.filter(phone__startswith=EMPLOYER_PHONE).exists():
            return None
        rng = self.rng("employers")
        markets = self.markets()
        n = self.size.employers
        # Employers sit in the counties of the markets, in proportion; contiguous per county.
        units = sorted(markets[i % len(markets)][1] for i in range(n))
        with transaction.atomic():
            first_user = self.loader.next_id(User)
            self._users(prefix=EMPLOYER_PHONE, count=n, first_id=first_user, rng=rng, units=units)
            first_org = self.loader.next_id(Organization)
            orgs, profiles = [], []
            names = User.objects.filter(pk__gte=first_user, pk__lt=first_user + n).order_by("pk")
            names = list(names.values_list("real_name", flat=True))
            unit_names = {u.pk: u.name for u in self.units}
            for i in range(n):
                user_id, unit = first_user + i, units[i]
                if rng.random() < 0.35:
                    org_id = first_org + len(orgs)
                    name = f"潍坊{unit_names[unit][:2]}{rng.choice('鑫华顺达兴隆盛泰恒')}{rng.choice('源宇通信安福')}{rng.choice(ORG_SUFFIX)}"
                    orgs.append(
                        (org_id, name, f"913707{i:012d}", "", names[i], user_id, unit, self.now, self.now)
                    )
                    profiles.append((user_id, EmployerKind.ORGANIZATION, org_id, name, unit))
                else:
                    profiles.append((user_id, EmployerKind.PERSON, None, f"{names[i][0]}先生/女士", unit))
            self.loader.insert(
                Organization,
                [
                    "id",
                    "name",
                    "uscc",
                    "uscc_review_flag",
                    "contact_name",
                    "owner",
                    "scope_unit",
                    "created_at",
                    "updated_at",
                ],
                orgs,
            )
            self.loader.insert(
                EmployerProfile,
                [
                    "user",
                    "kind",
                    "organization",
                    "display_name",
                    "scope_unit",
                    "status",
                    "review_note",
                    "trusted",
                    "reviewed_at",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        u,
                        k,
                        o,
                        d,
                        s,
                        VerificationStatus.APPROVED,
                        "",
                        rng.random() < 0.3,
                        self.now,
                        self.now,
                        self.now,
                    )
                    for u, k, o, d, s in profiles
                ),
            )
            self.loader.reset_sequences([User, RoleGrant, Organization, EmployerProfile])
        return n

    def phase_workers(self):
        if User.objects.filter(phone__startswith=WORKER_PHONE).exists():
            return None
        rng = self.rng("workers")
        markets = self.markets()
        n = self.size.workers
        homes = []
        for _ in range(n):
            m = markets[rng.randrange(len(markets))]
            homes.append((m[1], *_jitter(rng, m[2], m[3], km=4)))
        homes.sort(key=lambda h: h[0])  # contiguous per county
        with transaction.atomic():
            first_user = self.loader.next_id(User)
            self._users(
                prefix=WORKER_PHONE, count=n, first_id=first_user, rng=rng, units=[h[0] for h in homes]
            )
            first_profile = self.loader.next_id(WorkerProfile)
            days = ["1234567", "1234567", "123456", "12345", "67", "1357"]
            self.loader.insert(
                WorkerProfile,
                [
                    "id",
                    "user",
                    "home_lat",
                    "home_lng",
                    "max_distance_km",
                    "available_days",
                    "available_from",
                    "available_to",
                    "expected_wage",
                    "expected_unit",
                    "contact_preference",
                    "notify_sms",
                    "notify_wechat",
                    "notify_inbox",
                    "created_at",
                    "updated_at",
                ],
                (
                    (
                        first_profile + i,
                        first_user + i,
                        homes[i][1],
                        homes[i][2],
                        rng.choice((5, 10, 15, 20, 30)),
                        rng.choice(days),
                        dt.time(rng.choice((5, 6, 7)), 0),
                        dt.time(rng.choice((12, 17, 18, 20)), 0),
                        Decimal(rng.randrange(120, 320, 10)) if rng.random() < 0.8 else None,
                        WageUnit.DAY,
                        "phone",
                        True,
                        False,
                        True,
                        self.now,
                        self.now,
                    )
                    for i in range(n)
                ),
            )
            levels = [SkillLevel.BEGINNER, SkillLevel.SKILLED, SkillLevel.EXPERT]

            def skills():
                for i in range(n):
                    seen = set()
                    for _ in range(rng.choice((1, 1, 2, 2, 3))):
                        occ = self.pick_occupation(rng)
                        if occ.pk in seen:
                            continue
                        seen.add(occ.pk)
                        yield (
                            first_profile + i,
                            occ.pk,
                            rng.choices(levels, weights=[3, 5, 2])[0],
                            rng.randint(0, 15),
                        )

            self.loader.insert(WorkerSkill, ["profile", "occupation", "level", "years"], skills())
            # seeking from registration in each skill's occupation (ADR 0041); listed first: no query may run
            # on the connection during a COPY
            spells = list(
                WorkerSkill.objects.filter(profile_id__gte=first_profile).values_list(
                    "profile_id", "occupation_id", "profile__created_at"
                )
            )
            self.loader.insert(
                SeekerSpell,
                ["profile", "occupation", "started_at", "ended_at", "end_reason"],
                ((p, o, at, None, "") for p, o, at in spells),
            )
            self.loader.reset_sequences([User, RoleGrant, WorkerProfile, WorkerSkill, SeekerSpell])
        return n

    # --- postings ----------------------------------------------------------------------------------------

    def phase_postings(self):
        if Posting.objects.filter(contact_phone__startswith=EMPLOYER_PHONE).exists():
            return None
        rng = self.rng("postings")
        markets = self.markets()
        markets_by_unit: dict[int, list] = {}
        for m in markets:
            markets_by_unit.setdefault(m[1], []).append(m)
        employers = list(
            EmployerProfile.objects.filter(user__phone__startswith=EMPLOYER_PHONE)
            .order_by("pk")
            .values_list("pk", "scope_unit_id", "display_name", "user__real_name", "user__phone")
        )
        unit_names = {u.pk: u.name for u in self.units}
        size = self.size
        span_days = 30 * size.months
        n_open = size.open_postings
        fields = [
            "employer",
            "occupation",
            "title",
            "description",
            "requirements",
            "scope_unit",
            "town",
            "address",
            "lat",
            "lng",
            "market",
            "work_start_date",
            "work_end_date",
            "start_time",
            "end_time",
            "headcount",
            "wage_amount",
            "wage_unit",
            "estimated_daily_wage",
            "daily_wage",
            "settlement",
            "contact_name",
            "contact_phone",
            "status",
            "screen_flags",
            "review_note",
            "published_at",
            "accepted_count",
            "search_text",
            "search_tokens",
            "created_at",
            "updated_at",
        ]
        # Wage level per occupation (daily, yuan): licensed trades earn more.
        base_wage = {
            o.pk: (280 if o.licensed else 170) + (rng.randrange(0, 80, 10)) for o in self.occupations
        }

        def rows():
            for i in range(size.postings):
                emp_id, unit, display, contact, phone = employers[rng.randrange(len(employers))]
                occ = self.pick_occupation(rng)
                is_open = i < n_open
                duration = rng.choices((0, 1, 2, 4, 6, 13, 29), weights=(30, 20, 15, 12, 10, 8, 5))[0]
                if is_open:
                    start = self.today + dt.timedelta(days=rng.randint(-3, 14))
                    start = max(start, self.today - dt.timedelta(days=duration))
                    status = PostingStatus.PUBLISHED
                else:
                    start = self.today - dt.timedelta(days=rng.randint(duration + 1, span_days))
                    status = rng.choices(
                        (PostingStatus.EXPIRED, PostingStatus.FILLED, PostingStatus.CLOSED),
                        weights=(70, 20, 10),
                    )[0]
                end = start + dt.timedelta(days=duration)
                local_markets = markets_by_unit.get(unit) or markets
                m = local_markets[rng.randrange(len(local_markets))]
                lat, lng = _jitter(rng, m[2], m[3], km=3)
                near_market = (
                    m[0] if rng.random() < 0.4 and m[4] == MarketStatus.OPERATING and m[1] == unit else None
                )
                daily = Decimal(base_wage[occ.pk] + rng.randrange(-40, 90, 5))
                unit_kind = rng.choices((WageUnit.DAY, WageUnit.HOUR, WageUnit.PIECE), weights=(70, 25, 5))[0]
                if unit_kind == WageUnit.HOUR:
                    amount = (daily / 8).quantize(Decimal("0.1"))
                    daily = (amount * 8).quantize(Decimal("0.01"))
                    estimated = None
                elif unit_kind == WageUnit.PIECE:
                    amount, estimated = Decimal("0.5"), daily
                else:
                    amount, estimated = daily, None
                county = unit_names[unit]
                place = rng.choice(PLACES)
                headcount = rng.choices((1, 2, 3, 5, 8, 10, 20), weights=(20, 25, 20, 15, 10, 6, 4))[0]
                values = {
                    "occ": occ.name,
                    "n": headcount,
                    "perk": rng.choice(PERKS),
                    "perk2": rng.choice(PERKS),
                    "county": county,
                    "place": place,
                    "start": f"{start.month}月{start.day}日",
                    "start_time": f"{rng.choice((6, 7, 8))}点",
                    "hours": rng.choice((4, 8, 9, 10)),
                    "wage": daily,
                }
                title = rng.choice(TITLE_TEMPLATES).format(**values)[:60]
                description = "".join(
                    rng.choice(DESC_TEMPLATES).format(**values) for _ in range(rng.choice((1, 2, 3)))
                )
                doc = search.document(
                    SimpleNamespace(
                        title=title,
                        description=description,
                        occupation=occ,
                        employer=SimpleNamespace(display_name=display),
                    )
                )
                published = dt.datetime.combine(
                    start - dt.timedelta(days=rng.randint(1, 7)), dt.time(8), self.tz
                )
                published += dt.timedelta(minutes=rng.randrange(600))
                towns = self.towns.get(unit) or [None]
                yield (
                    emp_id,
                    occ.pk,
                    title,
                    description,
                    "身体健康，服从安排。" if rng.random() < 0.5 else "",
                    unit,
                    towns[rng.randrange(len(towns))],
                    f"{county}{place}{rng.randint(1, 300)}号",
                    lat,
                    lng,
                    near_market,
                    start,
                    end,
                    dt.time(rng.choice((6, 7, 8)), 0),
                    dt.time(rng.choice((12, 17, 18)), 0),
                    headcount,
                    amount,
                    unit_kind,
                    estimated,
                    daily,
                    rng.choices(Settlement.values, weights=(60, 30, 10))[0],
                    contact,
                    phone,
                    status,
                    "[]" if self.loader.pg else [],
                    "",
                    published,
                    0,
                    doc,
                    search.posting_tokens(doc, lat, lng),
                    published,
                    published,
                )

        with transaction.atomic():
            first_posting = self.loader.next_id(Posting)
            n = self.loader.insert(Posting, fields, rows())
            # validity windows (ADR 0041): a published posting's is open; the others' closed after the last
            # work day (the generator keeps no event history)
            windows = [
                (
                    pk,
                    published,
                    None if status == PostingStatus.PUBLISHED else _day_after(end),
                    "" if status == PostingStatus.PUBLISHED else status,
                )
                for pk, published, status, end in Posting.objects.filter(
                    pk__gte=first_posting, published_at__isnull=False
                ).values_list("pk", "published_at", "status", "work_end_date")
            ]
            windows = [(pk, o, max(c, o) if c else None, r) for pk, o, c, r in windows]
            self.loader.insert(PostingWindow, ["posting", "opened_at", "closed_at", "close_reason"], windows)
            self.loader.reset_sequences([Posting, PostingWindow])
        return n

    # --- applications and settled work orders ------------------------------------------------------------

    def phase_work(self):
        if WorkOrder.objects.filter(qr_token__startswith=QR_PREFIX).exists():
            return None
        rng = self.rng("work")
        past = list(
            Posting.objects.filter(contact_phone__startswith=EMPLOYER_PHONE, work_end_date__lt=self.today)
            .order_by("pk")
            .values_list(
                "pk", "work_start_date", "work_end_date", "headcount", "daily_wage", "start_time", "end_time"
            )
        )
        if not past:
            return 0
        workers = list(
            User.objects.filter(phone__startswith=WORKER_PHONE).order_by("pk").values_list("pk", flat=True)
        )
        target = self.size.work_orders
        per_posting = target / len(past)
        rng.shuffle(past)
        first_app = self.loader.next_id(Application)
        apps: list[tuple] = []
        orders: list[tuple] = []
        hired: dict[int, int] = {}
        pairs: set[tuple[int, int]] = set()  # (posting, worker) is unique
        # Enough passes over the past postings to reach the target (hires stay within each headcount).
        while len(orders) < target:
            before = len(orders)
            for pk, start, end, headcount, daily, t_start, t_end in past:
                if len(orders) >= target:
                    break
                room = headcount - hired.get(pk, 0)
                if room <= 0:
                    continue
                dates = (end - start).days + 1
                k = min(room, max(1, round(rng.expovariate(1 / max(per_posting / min(dates, 3), 1)))))
                chosen = set()
                for _ in range(k):
                    w = workers[rng.randrange(len(workers))]
                    if w in chosen or (pk, w) in pairs:
                        continue
                    chosen.add(w)
                    pairs.add((pk, w))
                    app_id = first_app + len(apps)
                    decided = dt.datetime.combine(start - dt.timedelta(days=1), dt.time(18), self.tz)
                    apps.append((app_id, pk, w, decided))
                    for d in sorted(rng.sample(range(dates), min(dates, rng.randint(1, 3)))):
                        day = start + dt.timedelta(days=d)
                        begins = dt.datetime.combine(day, t_start, self.tz)
                        ends = dt.datetime.combine(day, t_end, self.tz)
                        hours = Decimal(max(1, min(12, (ends - begins).seconds // 3600 - 1)))
                        wage = (daily * Decimal(rng.uniform(0.9, 1.1))).quantize(Decimal("0.01"))
                        amount = (wage * hours / 8).quantize(Decimal("0.01"))
                        orders.append((app_id, pk, w, day, begins, ends, hours, amount, wage))
                hired[pk] = hired.get(pk, 0) + len(chosen)
            if len(orders) == before:
                break
        del orders[target:]
        used_apps = {o[0] for o in orders}
        apps = [a for a in apps if a[0] in used_apps]
        with transaction.atomic():
            self.loader.insert(
                Application,
                [
                    "id",
                    "posting",
                    "worker",
                    "status",
                    "source",
                    "note",
                    "decided_at",
                    "created_at",
                    "updated_at",
                ],
                (
                    (a, p, w, ApplicationStatus.ACCEPTED, "self", "", d, d - dt.timedelta(hours=5), d)
                    for a, p, w, d in apps
                ),
            )

            def order_rows():
                for i, (app_id, pk, w, day, begins, ends, hours, amount, wage) in enumerate(orders):
                    out = begins + dt.timedelta(hours=float(hours) + 1)
                    yield (
                        app_id,
                        pk,
                        w,
                        day,
                        begins,
                        ends,
                        WorkOrderStatus.SETTLED,
                        begins - dt.timedelta(hours=12),
                        begins - dt.timedelta(minutes=rng.randint(0, 20)),
                        rng.choice((CheckMethod.GPS, CheckMethod.QR, CheckMethod.COUNTER)),
                        out,
                        CheckMethod.GPS,
                        hours,
                        amount,
                        wage,
                        out + dt.timedelta(hours=48),
                        out + dt.timedelta(hours=2),
                        False,
                        out + dt.timedelta(days=7),
                        out + dt.timedelta(hours=rng.randint(3, 30)),
                        "",
                        "",
                        f"{QR_PREFIX}{self.seed}-{i}",
                        out,
                        out,
                    )

            self.loader.insert(
                WorkOrder,
                [
                    "application",
                    "posting",
                    "worker",
                    "work_date",
                    "starts_at",
                    "ends_at",
                    "status",
                    "confirmed_at",
                    "checked_in_at",
                    "check_in_method",
                    "checked_out_at",
                    "check_out_method",
                    "hours_worked",
                    "amount",
                    "daily_wage",
                    "approval_deadline",
                    "approved_at",
                    "auto_approved",
                    "settle_deadline",
                    "settled_at",
                    "cancelled_by",
                    "cancel_reason",
                    "qr_token",
                    "created_at",
                    "updated_at",
                ],
                order_rows(),
            )
            self.loader.reset_sequences([Application, WorkOrder])
            # Hires count against each posting's headcount (one statement).
            from django.db.models import Count, OuterRef, Subquery
            from django.db.models.functions import Coalesce

            hires = (
                Application.objects.filter(posting=OuterRef("pk"), status=ApplicationStatus.ACCEPTED)
                .order_by()
                .values("posting")
                .annotate(n=Count("pk"))
                .values("n")
            )
            Posting.objects.filter(
                contact_phone__startswith=EMPLOYER_PHONE, work_end_date__lt=self.today
            ).update(accepted_count=Coalesce(Subquery(hires), 0))
        return len(orders)

    # --- the workers' stored record (what matching reads) ------------------------------------------------

    def phase_records(self):
        """Reliability and rating on every worker's profile, as the services keep them as work goes on."""
        if WorkerProfile.objects.filter(reliability__isnull=False).exists():
            return None
        refresh_all_worker_records()
        return WorkerProfile.objects.filter(reliability__isnull=False).count()

    # --- wage guidance, the public map, statistics -------------------------------------------------------

    def phase_guidance(self):
        """Publish the wage guidance of the last complete month (the API scenario reads it), as a staff
        member of the city would."""
        from core.months import previous_month
        from labour_stats.choices import GuidanceStatus
        from labour_stats.models import WageGuidance
        from labour_stats.services import guidance_compute, guidance_publish

        month = previous_month(self.today)
        if WageGuidance.objects.filter(month=month, status=GuidanceStatus.PUBLISHED).exists():
            return None
        staff = User.objects.filter(phone=STAFF_PHONE).first()
        if staff is None:
            staff = User.objects.create_superuser(STAFF_PHONE, None, real_name="压测管理员")
            staff.set_unusable_password()
            staff.save(update_fields=["password"])
        guidance = guidance_compute(month=month, actor=staff)
        guidance_publish(guidance=guidance, actor=staff)
        return guidance.cells.count()

    def phase_training(self):
        from bench.training_data import generate

        return generate(self)

    def phase_disputes(self):
        from bench.disputes_data import generate

        return generate(self)

    def phase_subsidies(self):
        from bench.subsidies_data import generate

        return generate(self)

    def phase_subsidy_applications(self):
        from bench.subsidy_applications_data import generate

        return generate(self)

    def finish(self) -> None:
        from markets.publishing import map_publish

        map_publish(force=True)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            t0 = time.monotonic()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
                cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
                (db_size,) = cursor.fetchone()
            self.stdout.write(f"VACUUM ANALYZE in {time.monotonic() - t0:.1f}s; database size {db_size}")
        counts = {
            "workers": User.objects.filter(phone__startswith=WORKER_PHONE).count(),
            "postings": Posting.objects.count(),
            "open postings": Posting.objects.open().count(),
            "markets": Market.objects.count(),
            "settled work orders": WorkOrder.objects.filter(status=WorkOrderStatus.SETTLED).count(),
            "cases (open)": f"{Case.objects.count()} ({Case.objects.open().count()})",
        }
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
