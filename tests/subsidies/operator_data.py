"""Generated raw records for the operator subsidy's tests (ADR 0033): markets with their operator staff, and
around a period (2026 Q3) postings, hires, work orders, counter services, complaints and inspections, some in
the period and some outside it, some at another market. Rows are arranged directly (a test's privilege);
every generated record is consistent, so a generated market passes every check until a test breaks one."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from accounts.choices import Role
from disputes.models import Case
from jobs.choices import ApplicationSource, ApplicationStatus, PostingStatus
from jobs.models import Application, Posting, WorkerProfile
from markets.models import Inspection, InspectionFinding, InspectionItem, MarketOperator
from work.choices import CheckMethod, WorkOrderStatus
from work.models import WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import draft_posting, make_employer
from ..markets.factories import MarketFactory

PERIOD = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
# the records fall between these instants: a month either side of the period
SPAN_START = dt.datetime(2026, 6, 1, 0, 0)
SPAN_DAYS = 153
BOUND_AT = dt.datetime(2026, 1, 1, 9, 0)


def at(naive: dt.datetime) -> dt.datetime:
    return timezone.make_aware(naive)


class Generator:
    """``Generator(seed).market(unit)`` builds one market's records; ``counter`` keeps every worker's work
    dates apart (no generated duplicate)."""

    def __init__(self, seed: int = 17):
        self.rng = random.Random(seed)
        self.n = 0
        self.used_days: dict[int, set] = {}

    def moment(self) -> dt.datetime:
        seconds = self.rng.randrange(SPAN_DAYS * 86400)
        return at(SPAN_START + dt.timedelta(seconds=seconds))

    def seq(self) -> int:
        self.n += 1
        return self.n

    def staff(self, market, bound_at=BOUND_AT):
        user = UserFactory(scope_unit=market.scope_unit, roles=[Role.MARKET_OPERATOR])
        link = MarketOperator.objects.create(market=market, user=user)
        MarketOperator.objects.filter(pk=link.pk).update(created_at=at(bound_at))
        return user

    def posting(self, market, employer, published_at):
        posting = draft_posting(employer, scope_unit=market.scope_unit, lat=market.lat, lng=market.lng)
        Posting.objects.filter(pk=posting.pk).update(
            market=market, status=PostingStatus.PUBLISHED, published_at=published_at
        )
        posting.refresh_from_db()
        return posting

    def work_order(self, application, *, settled: bool, counter_by=None):
        """A worked order on a free day of the worker near the acceptance: checked in and out (by GPS at the
        site, or at the counter by ``counter_by``), settled two hours after the end when ``settled``."""
        days = self.used_days.setdefault(application.worker_id, set())
        day = timezone.localtime(application.decided_at).date() + dt.timedelta(days=1)
        while day in days:
            day += dt.timedelta(days=1)
        days.add(day)
        start = at(dt.datetime.combine(day, dt.time(8)))
        end = start + dt.timedelta(hours=8)
        posting = application.posting
        gps = counter_by is None
        return WorkOrder.objects.create(
            application=application,
            posting=posting,
            worker=application.worker,
            work_date=day,
            starts_at=start,
            ends_at=end,
            status=WorkOrderStatus.SETTLED if settled else WorkOrderStatus.APPROVED,
            confirmed_at=start - dt.timedelta(hours=12),
            checked_in_at=start,
            check_in_method=CheckMethod.GPS if gps else CheckMethod.COUNTER,
            check_in_lat=posting.lat if gps else None,
            check_in_lng=posting.lng if gps else None,
            check_in_distance_m=0 if gps else None,
            checked_out_at=end,
            check_out_method=CheckMethod.GPS if gps else CheckMethod.COUNTER,
            acted_by=counter_by,
            hours_worked=Decimal("8"),
            amount=Decimal(self.rng.choice(["180.00", "200.00", "236.50", "260.00"])),
            daily_wage=Decimal("200.00"),
            approved_at=end + dt.timedelta(hours=1),
            settled_at=end + dt.timedelta(hours=2) if settled else None,
        )

    def market(self, unit, *, postings: int = 8, workers: int = 6):
        rng = self.rng
        market = MarketFactory(scope_unit=unit)
        staff = [self.staff(market), self.staff(market)]
        employer = make_employer(unit=unit)
        people = [UserFactory(scope_unit=unit, roles=[Role.WORKER]) for _ in range(workers)]
        for _p in range(postings):
            posting = self.posting(market, employer, self.moment())
            for worker in rng.sample(people, rng.randint(1, 4)):
                counter = rng.random() < 0.3
                created = posting.published_at + dt.timedelta(seconds=rng.randrange(3600, 5 * 86400))
                status = rng.choice(
                    [ApplicationStatus.ACCEPTED] * 3 + [ApplicationStatus.APPLIED, ApplicationStatus.REJECTED]
                )
                decided = (
                    created + dt.timedelta(seconds=rng.randrange(600, 3 * 86400))
                    if status != ApplicationStatus.APPLIED
                    else None
                )
                application = Application.objects.create(
                    posting=posting,
                    worker=worker,
                    status=status,
                    source=ApplicationSource.COUNTER if counter else ApplicationSource.SELF,
                    acted_by=rng.choice(staff) if counter else None,
                    decided_at=decided,
                )
                Application.objects.filter(pk=application.pk).update(created_at=created)
                application.refresh_from_db()
                if status == ApplicationStatus.ACCEPTED:
                    for _w in range(rng.randint(0, 2)):
                        self.work_order(
                            application,
                            settled=rng.random() < 0.8,
                            counter_by=rng.choice(staff) if rng.random() < 0.25 else None,
                        )
        # registrations at the counter
        for _r in range(rng.randint(1, 4)):
            person = UserFactory(scope_unit=unit, roles=[Role.WORKER])
            profile = WorkerProfile.objects.create(user=person, assisted_by=rng.choice(staff))
            WorkerProfile.objects.filter(pk=profile.pk).update(created_at=self.moment())
        # complaints: about the market, or about one of its work orders without naming the market
        orders = list(WorkOrder.objects.filter(posting__market=market))
        for _c in range(rng.randint(2, 6)):
            by_order = orders and rng.random() < 0.4
            self.case(
                unit,
                market=None if by_order else market,
                work_order=rng.choice(orders) if by_order else None,
                received_at=self.moment(),
                status=rng.choice(
                    ["received", "accepted", "mediating", "resolved", "closed", "not_accepted"]
                ),
            )
        # inspections with findings
        items = list(InspectionItem.objects.filter(is_active=True)[:4])
        for _i in range(rng.randint(1, 3)):
            inspection = Inspection.objects.create(
                market=market,
                inspected_on=timezone.localtime(self.moment()).date(),
                inspector_names="县人社局 王敏",
            )
            for item in items:
                InspectionFinding.objects.create(
                    inspection=inspection, item=item, result=rng.choice(["pass", "pass", "minor", "major"])
                )
        return market

    def case(self, unit, *, market=None, work_order=None, received_at, status="received"):
        return Case.objects.create(
            number=f"TS-op-{self.seq()}",
            scope_unit=unit,
            channel="online",
            relationship_type="labour",
            queue="inspection",
            respondent_name="某劳务公司",
            facts="欠薪",
            market=market,
            work_order=work_order,
            received_at=received_at,
            status=status,
        )
