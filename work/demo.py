"""Demo work and pay history, so the wage guidance and supply-demand pages show real tables and charts:
seven past months of completed and settled work in three counties — 潍城区 and 寿光市 with six employers per
common occupation (their county cells clear the publication thresholds), 青州市 with three (its county cells
are suppressed but count city-wide) — each work order with its full event trail and an offline payment the
worker confirmed (the labour_stats demo then computes and publishes the wage guidance of these months). The
demo worker 13900000001 (if the accounts demo ran) has earnings among them.

Bulk-created rows: this is history imported as it happened (as a data migration from an earlier system would
load it), not live workflow — the services stamp their steps with the present and refuse to back-date
check-ins. The live demo (today's postings, hires and work orders) goes through the services
(``jobs.demo``). Idempotent: a second run changes nothing."""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.idgen import make_resident_id
from accounts.models import RoleGrant, User
from core.models import ScopeUnit
from core.months import previous_month
from jobs.choices import (
    ApplicationStatus,
    EmployerKind,
    PostingStatus,
    Settlement,
    SkillLevel,
    VerificationStatus,
    WageUnit,
)
from jobs.demo import demo_password_hash
from jobs.models import (
    Application,
    ApplicationEvent,
    EmployerProfile,
    Occupation,
    Posting,
    PostingEvent,
    WorkerProfile,
    WorkerSkill,
)

from .choices import CheckMethod, PaymentBackend, PaymentMethod, PaymentStatus, WorkOrderStatus
from .models import Payment, PaymentEvent, WorkOrder, WorkOrderEvent

D = Decimal
MONTHS = 7
QR_PREFIX = "demo-w-"
# occupation: (base daily wage, posting title)
OCCUPATIONS = {
    "cleaner": (D("200"), "日常保洁"),
    "construction_helper": (D("260"), "工地小工"),
    "porter": (D("240"), "搬运装卸"),
    "kitchen_helper": (D("180"), "后厨帮工"),
    "electrician": (D("360"), "水电维修（持证）"),
}
# county: (employers, wage factor, (lat, lng), address)
COUNTIES = {
    "370702": (6, D("1.00"), (36.7100, 119.1020), "潍城区胜利西街"),
    "370783": (6, D("0.95"), (36.8810, 118.7910), "寿光市圣城街"),
    "370781": (3, D("0.92"), (36.6860, 118.4790), "青州市范公亭路"),
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马胡朱郭何林高罗"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "国庆", "丽华", "德明", "春梅", "永刚", "玉兰", "卫东"]
DEMO_WORKER = "13900000001"
CITY_STAFF = "13800000001"
ADMIN = "13800000000"


def _aware(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _person(phone: str, name: str, county: str, *, seq: int, birth: dt.date, role: str) -> User:
    unit = ScopeUnit.objects.get(code=county)
    user = User.objects.filter(phone=phone).first()
    if user is None:
        id_number = make_resident_id(county, birth, seq=seq)
        while User.objects.filter(id_number=id_number).exists():
            seq += 1
            id_number = make_resident_id(county, birth, seq=seq)
        now = timezone.now()
        user = User.objects.create(
            phone=phone,
            real_name=name,
            scope_unit=unit,
            id_number=id_number,
            birth_date=birth,
            gender="M",
            phone_verified_at=now,
            real_name_verified_at=now,
            password=demo_password_hash(),
        )
    RoleGrant.objects.get_or_create(user=user, role=role)
    return user


def _employers() -> dict[str, list[EmployerProfile]]:
    out: dict[str, list[EmployerProfile]] = {}
    n = 0
    for county, (count, _factor, _seat, _address) in COUNTIES.items():
        unit = ScopeUnit.objects.get(code=county)
        out[county] = []
        for i in range(count):
            n += 1
            name = f"{SURNAMES[n % len(SURNAMES)]}{GIVEN[n % len(GIVEN)]}"
            user = _person(
                f"1370100{n:04d}",
                name,
                county,
                seq=600 + n,
                birth=dt.date(1970 + n % 20, 1 + n % 12, 3),
                role=Role.EMPLOYER,
            )
            kind = EmployerKind.ORGANIZATION if i % 2 else EmployerKind.PERSON
            display = f"{unit.name}{['鑫源', '宏达', '安居', '顺丰', '惠民', '金穗'][i]}{'服务有限公司' if i % 2 else '工程队'}"
            profile, _ = EmployerProfile.objects.get_or_create(
                user=user,
                defaults={
                    "kind": kind,
                    "display_name": display,
                    "scope_unit": unit,
                    "status": VerificationStatus.APPROVED,
                    "reviewed_at": timezone.now(),
                },
            )
            out[county].append(profile)
    return out


def _workers(first_month: dt.date) -> dict[str, list[User]]:
    """Eight workers per county with skills in every demo occupation (registered before the first month,
    one or two more in each later month so new registrations show), plus the demo worker in 潍城区."""
    occupations = {code: Occupation.objects.get(code=code) for code in OCCUPATIONS}
    out: dict[str, list[User]] = {}
    n = 0
    for county in COUNTIES:
        out[county] = []
        for i in range(8):
            n += 1
            name = f"{SURNAMES[(n * 7) % len(SURNAMES)]}{GIVEN[(n * 5) % len(GIVEN)]}"
            user = _person(
                f"1390100{n:04d}",
                name,
                county,
                seq=700 + n,
                birth=dt.date(1965 + n % 30, 1 + n % 12, 9),
                role=Role.WORKER,
            )
            profile, created = WorkerProfile.objects.get_or_create(
                user=user,
                defaults={
                    "available_days": "1234567" if i % 3 else "123456",
                    "expected_wage": D("200"),
                    "expected_unit": WageUnit.DAY,
                },
            )
            if created:
                for code, occupation in occupations.items():
                    if (i + len(code)) % 3 or code == "cleaner":
                        WorkerSkill.objects.get_or_create(
                            profile=profile,
                            occupation=occupation,
                            defaults={"level": SkillLevel.SKILLED, "years": 1 + i % 6},
                        )
                registered = (
                    first_month - dt.timedelta(days=20)
                    if i < 4
                    else first_month + dt.timedelta(days=35 * (i - 3))
                )
                WorkerProfile.objects.filter(pk=profile.pk).update(created_at=_aware(registered, 9))
            out[county].append(user)
    demo = User.objects.filter(phone=DEMO_WORKER).first()
    if demo is not None:
        out["370702"][0] = demo
    return out


def _wage(
    rng: random.Random, base: Decimal, factor: Decimal, month_index: int, employer_index: int
) -> Decimal:
    drift = D("1") + D("0.012") * month_index  # wages creep up through the year
    employer = D("1") + (D(employer_index % 5) - D("2")) * D("0.03")
    noise = D(str(round(rng.gauss(1.0, 0.06), 3)))
    value = base * factor * drift * employer * noise
    step = D("10") if rng.random() < 0.7 else D("1")  # most employers pay round amounts
    return ((value / step).quantize(D("1"), rounding=ROUND_HALF_UP) * step).quantize(D("0.01"))


def _month_history(
    month: dt.date, month_index: int, employers, workers, rng: random.Random, approver_of
) -> int:
    """Postings published early in the month, two hires each, three work days per hire, all settled."""
    occupations = {code: Occupation.objects.get(code=code) for code in OCCUPATIONS}
    orders: list[WorkOrder] = []
    for county, (count, factor, (lat, lng), address) in COUNTIES.items():
        unit = ScopeUnit.objects.get(code=county)
        for e_index, employer in enumerate(employers[county][:count]):
            for o_index, (code, (base, title)) in enumerate(OCCUPATIONS.items()):
                start = month + dt.timedelta(days=3 + (e_index + o_index) % 10)
                end = start + dt.timedelta(days=2)
                published_at = _aware(month + dt.timedelta(days=(e_index + o_index) % 3), 9, 30)
                posting_wage = _wage(rng, base, factor, month_index, e_index)
                posting = Posting.objects.create(
                    employer=employer,
                    occupation=occupations[code],
                    title=f"{title}（{month:%-m}月）",
                    description=f"{employer.display_name}招{title}，包午餐，当日结算。",
                    scope_unit=unit,
                    address=f"{address}{10 + e_index * 7}号",
                    lat=lat + 0.003 * e_index,
                    lng=lng + 0.002 * o_index,
                    work_start_date=start,
                    work_end_date=end,
                    start_time=dt.time(8),
                    end_time=dt.time(17),
                    headcount=2,
                    wage_amount=posting_wage,
                    wage_unit=WageUnit.DAY,
                    daily_wage=posting_wage,
                    settlement=Settlement.DAILY,
                    contact_name=employer.user.real_name[:1] + "先生",
                    contact_phone=employer.user.phone,
                    status=PostingStatus.CLOSED,
                    published_at=published_at,
                    accepted_count=2,
                )
                filled_at = published_at + dt.timedelta(hours=18 + rng.randrange(0, 60))
                PostingEvent.objects.bulk_create(
                    [
                        PostingEvent(
                            posting=posting,
                            from_status=PostingStatus.DRAFT,
                            to_status=PostingStatus.PENDING_REVIEW,
                            at=published_at - dt.timedelta(hours=2),
                        ),
                        PostingEvent(
                            posting=posting,
                            from_status=PostingStatus.PENDING_REVIEW,
                            to_status=PostingStatus.PUBLISHED,
                            at=published_at,
                        ),
                        PostingEvent(
                            posting=posting,
                            from_status=PostingStatus.PUBLISHED,
                            to_status=PostingStatus.FILLED,
                            at=filled_at,
                        ),
                        PostingEvent(
                            posting=posting,
                            from_status=PostingStatus.FILLED,
                            to_status=PostingStatus.CLOSED,
                            at=_aware(end, 18),
                        ),
                    ]
                )
                pool = workers[county]
                for h in range(2):
                    worker = pool[(e_index * 2 + o_index + h + month_index) % len(pool)]
                    application, _ = Application.objects.get_or_create(
                        posting=posting,
                        worker=worker,
                        defaults={"status": ApplicationStatus.ACCEPTED, "decided_at": filled_at},
                    )
                    ApplicationEvent.objects.bulk_create(
                        [
                            ApplicationEvent(
                                application=application,
                                to_status=ApplicationStatus.APPLIED,
                                actor=worker,
                                at=published_at + dt.timedelta(hours=3 + h),
                            ),
                            ApplicationEvent(
                                application=application,
                                from_status=ApplicationStatus.APPLIED,
                                to_status=ApplicationStatus.ACCEPTED,
                                actor=employer.user,
                                at=filled_at,
                            ),
                        ]
                    )
                    for d in range(3):
                        day = start + dt.timedelta(days=d)
                        wage = (
                            posting_wage
                            if rng.random() < 0.8
                            else _wage(rng, base, factor, month_index, e_index)
                        )
                        check_in = _aware(day, 7, rng.randrange(30, 60))
                        check_out = _aware(day, 17, rng.randrange(0, 20))
                        approved = check_out + dt.timedelta(hours=2)
                        settled = approved + dt.timedelta(hours=1 + rng.randrange(0, 30))
                        orders.append(
                            WorkOrder(
                                application=application,
                                posting=posting,
                                worker=worker,
                                work_date=day,
                                starts_at=_aware(day, 8),
                                ends_at=_aware(day, 17),
                                status=WorkOrderStatus.SETTLED,
                                confirmed_at=_aware(day - dt.timedelta(days=1), 19),
                                checked_in_at=check_in,
                                check_in_method=CheckMethod.GPS if d % 3 else CheckMethod.QR,
                                check_in_distance_m=rng.randrange(5, 300),
                                checked_out_at=check_out,
                                check_out_method=CheckMethod.GPS,
                                hours_worked=D("8.00"),
                                amount=wage,
                                daily_wage=wage,
                                approval_deadline=check_out + dt.timedelta(hours=48),
                                approved_at=approved,
                                approved_by=approver_of(employer),
                                settle_deadline=approved + dt.timedelta(days=7),
                                settled_at=settled,
                                qr_token=f"{QR_PREFIX}{posting.pk}-{application.pk}-{d}",
                            )
                        )
    WorkOrder.objects.bulk_create(orders)
    events, payments = [], []
    steps = [
        (WorkOrderStatus.SCHEDULED, WorkOrderStatus.CONFIRMED, "confirmed_at", "worker"),
        (WorkOrderStatus.CONFIRMED, WorkOrderStatus.CHECKED_IN, "checked_in_at", "worker"),
        (WorkOrderStatus.CHECKED_IN, WorkOrderStatus.CHECKED_OUT, "checked_out_at", "worker"),
        (WorkOrderStatus.CHECKED_OUT, WorkOrderStatus.APPROVED, "approved_at", "employer"),
        (WorkOrderStatus.APPROVED, WorkOrderStatus.SETTLED, "settled_at", "worker"),
    ]
    for order in orders:  # bulk_create sets the primary keys (PostgreSQL, SQLite ≥ 3.35)
        events.append(
            WorkOrderEvent(
                work_order=order,
                to_status=WorkOrderStatus.SCHEDULED,
                actor=order.posting.employer.user,
                at=order.approved_at - dt.timedelta(days=5),
            )
        )
        for before, after, field, who in steps:
            actor = order.worker if who == "worker" else order.posting.employer.user
            events.append(
                WorkOrderEvent(
                    work_order=order,
                    from_status=before,
                    to_status=after,
                    actor=actor,
                    at=getattr(order, field),
                )
            )
        payments.append(
            Payment(
                work_order=order,
                backend=PaymentBackend.OFFLINE,
                method=PaymentMethod.WECHAT if order.pk % 3 else PaymentMethod.CASH,
                idempotency_key=f"{QR_PREFIX}{order.pk}",
                amount=order.amount,
                status=PaymentStatus.SUCCEEDED,
                recorded_by=order.posting.employer.user,
                succeeded_at=order.settled_at - dt.timedelta(minutes=30),
                worker_confirmed_at=order.settled_at,
            )
        )
    WorkOrderEvent.objects.bulk_create(events)
    Payment.objects.bulk_create(payments)
    PaymentEvent.objects.bulk_create(
        [
            PaymentEvent(
                payment=p,
                from_status=PaymentStatus.PENDING,
                to_status=PaymentStatus.SUCCEEDED,
                actor=p.recorded_by,
                at=p.succeeded_at,
            )
            for p in payments
        ]
    )
    return len(orders)


def seed(stdout=None) -> None:
    if WorkOrder.objects.filter(qr_token__startswith=QR_PREFIX).exists():
        return
    if not User.objects.filter(phone__in=[CITY_STAFF, ADMIN]).exists():
        return  # the accounts demo did not run
    months = demo_months()
    rng = random.Random(20250301)
    total = 0
    with transaction.atomic():
        employers = _employers()
        workers = _workers(months[0])
        for index, month in enumerate(months):
            total += _month_history(month, index, employers, workers, rng, lambda e: e.user)
    if stdout:
        stdout.write(f"  work: {total} settled work orders over {len(months)} months")


def demo_months(today: dt.date | None = None) -> list[dt.date]:
    """The demo history's months: the ``MONTHS`` calendar months before this one, oldest first."""
    months = [previous_month(today or timezone.localdate())]
    for _ in range(MONTHS - 1):
        months.insert(0, previous_month(months[0]))
    return months
