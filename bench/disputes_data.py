"""Benchmark data for disputes (issue 16), a phase of ``bench_data``: complaints over the data set's months as
cases with their claim lines (1–3), one event per transition, the statutory clocks each transition started or
stopped (as ``disputes.services`` does), an approved extension on some, and two county staff per county who
handle them. Written by COPY (bulk_create on SQLite) in batches of cases.

Correct by construction:
- a case's path follows ``CASE_TRANSITIONS`` (received → accepted / not accepted → mediating, referred,
  resolved → closed), its events are that path in order and its ``accepted_at`` / ``resolved_at`` the steps'
  times; a routed queue is the first matching row of the routing table (as ``services.route``);
- clocks start and stop where the services start and stop them (``ACCEPT_CLOCK``, ``HANDLE_CLOCK``, mediation
  and referrals), with the due date of ``services.due_date`` (the working-day calendar) from the rule in force
  on the day it started; only open cases have running clocks, at most one per kind;
- claim lines carry the final-award test of ``services.final_award`` (12 × the county's monthly minimum wage on
  the day the complaint was received);
- most cases are closed (``OPEN_SHARE`` open); an open case's last step is placed so that its running clock has
  used a drawn share of its time (on time, past ``LINGONG_CASE_ESCALATE_SHARE``, or past due), so the staff
  queue's three deadline states all have rows. No running clock is escalated yet: the escalation scan of the
  benchmark meets every due clock (its worst case);
- each case carries its stored next deadline (``next_due_at``, ``next_warn_at``, ``next_due_kind``) from its
  running clocks, as ``services.case_deadline_refresh`` writes it (ADR 0031).
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import time
from decimal import Decimal

from django.conf import settings
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.idgen import make_resident_id
from accounts.models import RoleGrant, User
from core.calendar import SHANGHAI, end_of_day
from core.models import CountyWageTier, MinimumWageTier
from disputes.choices import (
    CaseStatus,
    Channel,
    ClaimType,
    ClockKind,
    DayKind,
    Queue,
    RelationshipType,
)
from disputes.models import Case, CaseClock, CaseEvent, ClaimLine, ClockExtension, ClockRule, RoutingRule
from disputes.services import due_date, final_award
from disputes.services.cases import ACCEPT_CLOCK, HANDLE_CLOCK
from jobs.models import EmployerProfile
from markets.models import Market

CASE_PREFIX = "TSB"  # + yyyymmdd + 7 digits (a generated case's number)
STAFF_PHONE = "1510000"  # + county index (2 digits) + staff index (2 digits)
STAFF_PER_COUNTY = 2
BATCH_CASES = 20_000
OPEN_SHARE = 0.06
OPEN_STATUS_WEIGHTS = {
    CaseStatus.RECEIVED: 20,
    CaseStatus.ACCEPTED: 45,
    CaseStatus.MEDIATING: 15,
    CaseStatus.REFERRED_INSPECTION: 12,
    CaseStatus.REFERRED_ARBITRATION: 8,
}
# the share of its time an open case's latest clock has used: on time, due soon (past 80 %), overdue
ELAPSED_WEIGHTS = (((0.02, 0.78), 65), ((0.82, 0.98), 20), ((1.03, 1.6), 15))
CLOSED_STATUS_WEIGHTS = {CaseStatus.CLOSED: 82, CaseStatus.RESOLVED: 7, CaseStatus.NOT_ACCEPTED: 11}
CHANNEL_WEIGHTS = {
    Channel.ONLINE: 55,
    Channel.COUNTER: 15,
    Channel.HOTLINE: 15,
    Channel.TRANSFER_12345: 10,
    Channel.ARREARS_PLATFORM: 5,
}
RELATIONSHIP_WEIGHTS = {
    RelationshipType.LABOUR: 40,
    RelationshipType.SERVICE: 40,
    RelationshipType.UNKNOWN: 20,
}
CLAIM_WEIGHTS = {
    ClaimType.WAGES: 52,
    ClaimType.OVERTIME: 12,
    ClaimType.COMPENSATION: 9,
    ClaimType.DOUBLE_WAGE: 7,
    ClaimType.INJURY_MEDICAL: 5,
    ClaimType.DEPOSIT_REFUND: 6,
    ClaimType.SOCIAL_INSURANCE: 4,
    ClaimType.OTHER: 5,
}
# amount ranges (yuan) per claim type: most within the final-award limit, some above it
AMOUNTS = {
    ClaimType.WAGES: (300, 40_000),
    ClaimType.OVERTIME: (200, 12_000),
    ClaimType.COMPENSATION: (2_000, 60_000),
    ClaimType.DOUBLE_WAGE: (3_000, 50_000),
    ClaimType.INJURY_MEDICAL: (1_000, 80_000),
    ClaimType.DEPOSIT_REFUND: (100, 3_000),
    ClaimType.SOCIAL_INSURANCE: (500, 20_000),
    ClaimType.OTHER: (100, 10_000),
}
FACTS = [
    "在{place}干了{n}天，约定每天{wage}元，工钱一直没给，多次讨要无果。",
    "{place}的活干完了，老板说月底结算，到现在{n}天了还没付，电话也不接。",
    "在{place}做了{n}天{occ}，结算时被无故扣了{cut}元押金，要求退还。",
    "每天干到晚上十点，加班费没算，{place}的负责人说没有这个说法。",
    "干活时受伤住院，医疗费{cut}元用工方不管，要求承担。",
    "{place}招工时说包吃住，干了{n}天被辞退，工资只给了一半。",
]
PLACES = ["工地", "物流园", "食品厂", "服装厂", "饭店", "仓库", "蔬菜大棚", "小区", "装修现场", "农贸市场"]
REASONS = {
    CaseStatus.NOT_ACCEPTED: [
        "不属于本部门受理范围，已告知向人民法院起诉。",
        "投诉人撤回投诉。",
        "已过投诉时效。",
    ],
    CaseStatus.RESOLVED: [
        "用工方已足额支付拖欠工资，投诉人确认收到。",
        "经调解达成协议，用工方分两次支付。",
        "已向投诉人说明法律途径，引导申请人民调解。",
        "下达劳动保障监察责令改正决定书，用工方已整改。",
    ],
}

CASE_FIELDS = [
    "id",
    "number",
    "scope_unit",
    "channel",
    "status",
    "received_at",
    "recorded_by",
    "complainant",
    "complainant_name",
    "complainant_phone",
    "withhold_identity",
    "respondent",
    "respondent_name",
    "respondent_contact",
    "market",
    "relationship_type",
    "facts",
    "signature_scan",
    "external_ticket_id",
    "external_due_on",
    "clue_id_number",
    "clue_bank_card",
    "clue_is_construction",
    "queue",
    "routing_rule",
    "routing_rule_name",
    "not_accepted_reason",
    "resolution",
    "accepted_at",
    "resolved_at",
    "created_at",
    "updated_at",
    "next_due_at",
    "next_warn_at",
    "next_due_kind",
]
CLAIM_FIELDS = [
    "case",
    "claim_type",
    "amount",
    "period_from",
    "period_to",
    "final_award_limit",
    "final_award_wage_from",
    "final_award",
]
EVENT_FIELDS = ["case", "from_status", "to_status", "reason", "actor", "on_behalf_of", "at"]
CLOCK_FIELDS = [
    "id",
    "case",
    "kind",
    "rule",
    "rule_version",
    "day_kind",
    "days",
    "max_extension_days",
    "started_at",
    "due_on",
    "due_at",
    "extended_due_on",
    "extended_due_at",
    "stopped_at",
    "escalated_warn_at",
    "escalated_overdue_at",
]
EXTENSION_FIELDS = [
    "clock",
    "days",
    "reason",
    "approved_by",
    "approved_at",
    "due_on_before",
    "due_on_after",
]


def _route(rules, claim_types: set[str], total: Decimal, relationship: str, unit_id: int, market_id):
    """``services.route`` over rows already read (the same conditions, in the same order)."""
    for rule in rules:
        if rule.claim_type and rule.claim_type not in claim_types:
            continue
        if rule.relationship_type and rule.relationship_type != relationship:
            continue
        if rule.min_amount is not None and total < rule.min_amount:
            continue
        if rule.max_amount is not None and total > rule.max_amount:
            continue
        if rule.scope_unit_id and rule.scope_unit_id != unit_id:
            continue
        if rule.market_id and rule.market_id != market_id:
            continue
        return rule
    return None


_CUMULATIVE: dict[int, tuple[list, list]] = {}


def _weighted(rng, table: dict):
    if id(table) not in _CUMULATIVE:
        total, cumulative = 0, []
        for weight in table.values():
            total += weight
            cumulative.append(total)
        _CUMULATIVE[id(table)] = (list(table), cumulative)
    values, cumulative = _CUMULATIVE[id(table)]
    return rng.choices(values, cum_weights=cumulative)[0]


def _local(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment, SHANGHAI).date()


def _calendar_days(rule: ClockRule) -> float:
    """Roughly how many calendar days a rule allows (to place an open case's steps; the stored due date is
    computed exactly)."""
    return rule.days * 1.45 if rule.day_kind == DayKind.WORKING else float(rule.days)


class _Path:
    """One case's steps and clocks, in days from its receipt (shifted onto real times at the end)."""

    def __init__(self):
        self.steps: list[tuple[float, str, str]] = []  # (t, from, to)
        self.clocks: dict[str, list] = {}  # kind -> [start t, stop t | None]
        self.stopped: list[list] = []  # clocks of the same kind stopped earlier (kept as rows)

    def step(self, t: float, to: str) -> None:
        before = self.steps[-1][2] if self.steps else ""
        self.steps.append((t, before, to))

    def start(self, kind: str, t: float) -> None:
        if kind not in self.clocks or self.clocks[kind][1] is not None:
            if kind in self.clocks:
                self.stopped.append([kind, *self.clocks[kind]])
            self.clocks[kind] = [t, None]

    def stop(self, t: float, kinds=None) -> None:
        for kind, clock in self.clocks.items():
            if clock[1] is None and (kinds is None or kind in kinds):
                clock[1] = t

    def all_clocks(self):
        yield from self.stopped
        for kind, (start, stop) in self.clocks.items():
            yield [kind, start, stop]

    def running(self):
        return [(k, s) for k, (s, e) in self.clocks.items() if e is None]


def _plan(rng, status: str, queue: str, relationship: str) -> _Path:
    """The steps to ``status`` with the clocks the services start and stop on the way."""
    path = _Path()
    t = 0.0
    path.step(t, CaseStatus.RECEIVED)
    if queue in ACCEPT_CLOCK:
        path.start(ACCEPT_CLOCK[queue], t)
    if status == CaseStatus.RECEIVED:
        return path
    t += rng.uniform(0.2, 4.5)
    if status == CaseStatus.NOT_ACCEPTED:
        path.step(t, CaseStatus.NOT_ACCEPTED)
        path.stop(t)
        return path
    path.step(t, CaseStatus.ACCEPTED)
    path.stop(t, set(ACCEPT_CLOCK.values()))
    if queue in HANDLE_CLOCK:
        path.start(HANDLE_CLOCK[queue], t)
    if status == CaseStatus.ACCEPTED:
        return path
    arbitrable = relationship != RelationshipType.SERVICE and queue != Queue.GUIDANCE
    if status == CaseStatus.MEDIATING or (
        status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and rng.random() < 0.3
    ):
        t += rng.uniform(0.5, 5)
        path.step(t, CaseStatus.MEDIATING)
        path.start(ClockKind.MEDIATION, t)
        if status == CaseStatus.MEDIATING:
            return path
    if status == CaseStatus.REFERRED_INSPECTION or (
        status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and rng.random() < 0.25
    ):
        t += rng.uniform(1, 14)
        path.step(t, CaseStatus.REFERRED_INSPECTION)
        path.stop(t, {ClockKind.MEDIATION})
        path.start(ClockKind.INSPECTION_RESOLVE, t)
    elif arbitrable and (
        status == CaseStatus.REFERRED_ARBITRATION
        or (status in (CaseStatus.RESOLVED, CaseStatus.CLOSED) and rng.random() < 0.15)
    ):
        t += rng.uniform(1, 14)
        path.step(t, CaseStatus.REFERRED_ARBITRATION)
        path.stop(t, {ClockKind.MEDIATION})
        path.start(ClockKind.ARBITRATION_AWARD, t)
    if status in (CaseStatus.REFERRED_INSPECTION, CaseStatus.REFERRED_ARBITRATION):
        return path
    t += rng.uniform(3, 55)
    path.step(t, CaseStatus.RESOLVED)
    path.stop(t)
    if status == CaseStatus.CLOSED:
        t += rng.uniform(1, 12)
        path.step(t, CaseStatus.CLOSED)
    return path


def _open_status(rng, queue: str, relationship: str) -> str:
    status = _weighted(rng, OPEN_STATUS_WEIGHTS)
    arbitrable = relationship != RelationshipType.SERVICE and queue != Queue.GUIDANCE
    if status == CaseStatus.REFERRED_ARBITRATION and (not arbitrable or queue == Queue.ARBITRATION):
        return CaseStatus.ACCEPTED
    if status == CaseStatus.REFERRED_INSPECTION and queue == Queue.INSPECTION:
        return CaseStatus.ACCEPTED
    return status


def generate(cmd) -> int | None:
    """Write the disputes rows for ``cmd.size`` (the bench_data command: its rng, loader, units, now)."""
    size = cmd.size
    if Case.objects.filter(number__startswith=CASE_PREFIX).exists():
        return None
    rng = cmd.rng("disputes")
    loader = cmd.loader
    now = cmd.now
    rules = list(RoutingRule.objects.filter(is_active=True).order_by("position", "id"))
    clock_rules: dict[str, list[ClockRule]] = {}
    for rule in ClockRule.objects.order_by("kind", "-effective_from"):
        clock_rules.setdefault(rule.kind, []).append(rule)
    if not rules or not clock_rules:
        raise CommandError("No routing or clock rules: run the migrations first (disputes 0002).")
    employers_by_unit: dict[int, list[tuple[int, str]]] = {}
    for pk, unit, name in (
        EmployerProfile.objects.filter(user__phone__startswith="16")
        .order_by("pk")
        .values_list("pk", "scope_unit_id", "display_name")
    ):
        employers_by_unit.setdefault(unit, []).append((pk, name))
    workers_by_unit: dict[int, list[int]] = {}
    for pk, unit in (
        User.objects.filter(phone__startswith="17").order_by("pk").values_list("pk", "scope_unit_id")
    ):
        workers_by_unit.setdefault(unit, []).append(pk)
    markets_by_unit: dict[int, list[int]] = {}
    for pk, unit in Market.objects.order_by("pk").values_list("pk", "scope_unit_id"):
        markets_by_unit.setdefault(unit, []).append(pk)
    units = [u for u in cmd.units if u.pk in employers_by_unit and u.pk in workers_by_unit]
    if not units:
        raise CommandError("No employers or workers: their phases run first.")

    @functools.cache
    def rule_on(kind: str, day: dt.date) -> ClockRule:
        for rule in clock_rules[kind]:
            if rule.effective_from <= day:
                return rule
        raise CommandError(f"no clock rule of {kind} in force on {day}")

    due = functools.cache(due_date)

    # the minimum wage of a county on a day only changes on an effective date of either table: the figures of
    # a day are those of the last such date on or before it (one lookup per county and date, not per case)
    changes = sorted(
        set(CountyWageTier.objects.values_list("effective_from", flat=True))
        | set(MinimumWageTier.objects.values_list("effective_from", flat=True))
    )

    @functools.cache
    def _award_limit(unit_index: int, day: dt.date):
        figures = final_award(scope_unit=units[unit_index], on=day, amount=Decimal(0))
        return figures["final_award_limit"], figures["final_award_wage_from"]

    def award_limit(unit_index: int, day: dt.date):
        k = bisect.bisect_right(changes, day)
        return _award_limit(unit_index, changes[k - 1] if k else dt.date.min)

    written = 0
    with transaction.atomic():
        # --- two county staff per county: they record counter and hotline complaints and handle cases -----
        staff_by_unit: dict[int, list[int]] = {}
        first_staff = loader.next_id(User)
        staff_rows, grant_rows = [], []
        for ui, unit in enumerate(units):
            for k in range(STAFF_PER_COUNTY):
                pk = first_staff + len(staff_rows)
                staff_rows.append(
                    User(
                        pk=pk,
                        phone=f"{STAFF_PHONE}{ui:02d}{k:02d}",
                        password=cmd.password,
                        real_name=f"{unit.name}维权工作人员{k + 1}",
                        scope_unit=unit,
                        is_staff=True,
                        phone_verified_at=now,
                    )
                )
                grant_rows.append(RoleGrant(user_id=pk, role=Role.COUNTY_STAFF, scope_unit=unit))
                staff_by_unit.setdefault(unit.pk, []).append(pk)
        User.objects.bulk_create(staff_rows)
        RoleGrant.objects.bulk_create(grant_rows)
        loader.reset_sequences([User, RoleGrant])
        written += len(staff_rows) + len(grant_rows)

        first_case = loader.next_id(Case)
        first_clock = loader.next_id(CaseClock)
        clock_id = first_clock
        span_days = 30 * size.months
        n_open = round(size.cases * OPEN_SHARE)
        # which cases are open: spread evenly over the ids (seeded), not a block
        open_ids = set(rng.sample(range(size.cases), n_open))
        elapsed_ranges = [r for r, _ in ELAPSED_WEIGHTS]
        elapsed_weights = [w for _, w in ELAPSED_WEIGHTS]
        claim_types = list(CLAIM_WEIGHTS)
        claim_weights = list(CLAIM_WEIGHTS.values())
        t0 = time.monotonic()
        for start in range(0, size.cases, BATCH_CASES):
            cases, claims, events, clocks, extensions = [], [], [], [], []
            for i in range(start, min(start + BATCH_CASES, size.cases)):
                case_id = first_case + i
                ui = i % len(units)
                unit = units[ui]
                staff = staff_by_unit[unit.pk]
                employer_id, employer_name = rng.choice(employers_by_unit[unit.pk])
                complainant = rng.choice(workers_by_unit[unit.pk])
                channel = _weighted(rng, CHANNEL_WEIGHTS)
                relationship = _weighted(rng, RELATIONSHIP_WEIGHTS)
                market_id = (
                    rng.choice(markets_by_unit[unit.pk])
                    if unit.pk in markets_by_unit and rng.random() < 0.3
                    else None
                )
                lines = []
                for _ in range(rng.choices((1, 2, 3), weights=(60, 30, 10))[0]):
                    kind = rng.choices(claim_types, weights=claim_weights)[0]
                    lo, hi = AMOUNTS[kind]
                    amount = Decimal(round(lo * (hi / lo) ** rng.random(), -1)).quantize(Decimal("0.01"))
                    lines.append((kind, amount))
                rule = _route(
                    rules,
                    {k for k, _ in lines},
                    sum((a for _, a in lines), Decimal(0)),
                    relationship,
                    unit.pk,
                    market_id,
                )
                queue = rule.queue if rule else Queue.MEDIATION
                is_open = i in open_ids
                if is_open:
                    status = _open_status(rng, queue, relationship)
                else:
                    status = _weighted(rng, CLOSED_STATUS_WEIGHTS)
                path = _plan(rng, status, queue, relationship)
                last = path.steps[-1][0]
                if is_open:
                    # place the last step so that the clock it started (or the nearest running one) has used
                    # a drawn share of its time
                    running = path.running()
                    if running:
                        kind, began = max(running, key=lambda r: r[1])
                        lo, hi = rng.choices(elapsed_ranges, weights=elapsed_weights)[0]
                        allowed = _calendar_days(rule_on(kind, _local(now)))
                        age = rng.uniform(lo, hi) * allowed - (last - began)
                        age = max(age, rng.uniform(0.01, 0.3))
                    else:
                        age = rng.uniform(0.05, 10)
                    received = now - dt.timedelta(days=last + age)
                else:
                    received = now - dt.timedelta(days=rng.uniform(14, span_days))
                    if received + dt.timedelta(days=last) > now - dt.timedelta(hours=1):
                        received = now - dt.timedelta(days=last, hours=rng.uniform(1, 240))

                def at(t: float, received=received) -> dt.datetime:
                    return received + dt.timedelta(days=t)

                received_on = _local(received)
                handler = staff[i % len(staff)]
                recorded_by = None if channel == Channel.ONLINE else handler
                has_account = channel == Channel.ONLINE or rng.random() < 0.8
                on_record = rng.random() < 0.85
                values = {
                    "place": rng.choice(PLACES),
                    "n": rng.randint(2, 45),
                    "wage": rng.randrange(150, 400, 10),
                    "cut": rng.randrange(200, 5000, 100),
                    "occ": rng.choice(("小工", "搬运", "保洁", "装卸", "帮厨")),
                }
                accepted_at = resolved_at = None
                for t, _, to in path.steps:
                    if to == CaseStatus.ACCEPTED:
                        accepted_at = at(t)
                    if to == CaseStatus.RESOLVED:
                        resolved_at = at(t)
                limit, wage_from = award_limit(ui, received_on)
                cases.append(
                    (
                        case_id,
                        f"{CASE_PREFIX}{received_on:%Y%m%d}{i:07d}",
                        unit.pk,
                        channel,
                        status,
                        received,
                        recorded_by,
                        complainant if has_account else None,
                        ""
                        if has_account
                        else f"{rng.choice('王李张刘陈杨赵黄')}{rng.choice('伟芳娜秀英敏')}",
                        "" if has_account else f"139{rng.randrange(10**8):08d}",
                        rng.random() < 0.1,
                        employer_id if on_record else None,
                        employer_name if on_record else f"{unit.name}{values['place']}包工头",
                        "",
                        market_id,
                        relationship,
                        rng.choice(FACTS).format(**values),
                        "",
                        f"12345{received_on:%Y%m%d}{i % 100000:05d}"
                        if channel == Channel.TRANSFER_12345
                        else "",
                        received_on + dt.timedelta(days=15) if channel == Channel.TRANSFER_12345 else None,
                        make_resident_id(
                            unit.code, dt.date(1970 + i % 35, 1 + i % 12, 1 + i % 28), seq=i % 999
                        )
                        if channel == Channel.ARREARS_PLATFORM
                        else "",
                        f"6228{rng.randrange(10**15):015d}" if channel == Channel.ARREARS_PLATFORM else "",
                        rng.random() < 0.6 if channel == Channel.ARREARS_PLATFORM else None,
                        queue,
                        rule.pk if rule else None,
                        rule.name if rule else "",
                        rng.choice(REASONS[CaseStatus.NOT_ACCEPTED])
                        if status == CaseStatus.NOT_ACCEPTED
                        else "",
                        rng.choice(REASONS[CaseStatus.RESOLVED]) if resolved_at else "",
                        accepted_at,
                        resolved_at,
                        received,
                        at(last),
                    )
                )
                for kind, amount in lines:
                    period_to = received_on - dt.timedelta(days=rng.randint(1, 60))
                    claims.append(
                        (
                            case_id,
                            kind,
                            amount,
                            period_to - dt.timedelta(days=rng.randint(1, 90)),
                            period_to,
                            limit,
                            wage_from,
                            None if limit is None else amount <= limit,
                        )
                    )
                for t, before, to in path.steps:
                    actor = (complainant if has_account else None) if channel == Channel.ONLINE else handler
                    first = to == CaseStatus.RECEIVED
                    reason = ""
                    if first:
                        reason = rule.name if rule else ""
                    elif to == CaseStatus.NOT_ACCEPTED:
                        reason = cases[-1][CASE_FIELDS.index("not_accepted_reason")]
                    events.append(
                        (
                            case_id,
                            before,
                            to,
                            reason,
                            actor if first else handler,
                            (complainant if has_account else None) if first and recorded_by else None,
                            at(t),
                        )
                    )
                nearest = None  # (effective due, clock id, started, kind) of the nearest running clock
                for kind, began, stopped in path.all_clocks():
                    started_at = at(began)
                    start_day = _local(started_at)
                    clock_rule = rule_on(kind, start_day)
                    due_on = due(start=start_day, days=clock_rule.days, day_kind=clock_rule.day_kind)
                    extended = None
                    if (
                        clock_rule.max_extension_days
                        and (stopped is not None or is_open)
                        and rng.random() < 0.08
                    ):
                        days = rng.randint(1, clock_rule.max_extension_days)
                        extended = (days, due(start=due_on, days=days, day_kind=clock_rule.day_kind))
                        approved = started_at + (end_of_day(due_on) - started_at) * 0.7
                        if approved > now:
                            extended = None
                        elif stopped is not None and at(stopped) < approved:
                            extended = None
                    clocks.append(
                        (
                            clock_id,
                            case_id,
                            kind,
                            clock_rule.pk,
                            clock_rule.version,
                            clock_rule.day_kind,
                            clock_rule.days,
                            clock_rule.max_extension_days,
                            started_at,
                            due_on,
                            end_of_day(due_on),
                            extended[1] if extended else None,
                            end_of_day(extended[1]) if extended else None,
                            at(stopped) if stopped is not None else None,
                            None,
                            None,
                        )
                    )
                    if stopped is None:
                        current = end_of_day(extended[1] if extended else due_on)
                        if nearest is None or (current, clock_id) < nearest[:2]:
                            nearest = (current, clock_id, started_at, kind)
                    if extended:
                        extensions.append(
                            (
                                clock_id,
                                extended[0],
                                "案情复杂，需调取用工记录，经负责人批准延长。",
                                handler,
                                approved,
                                due_on,
                                extended[1],
                            )
                        )
                    clock_id += 1
                # the case's stored next deadline, as ``services.case_deadline_refresh`` keeps it (ADR 0031)
                if nearest is None:
                    cases[-1] += (None, None, "")
                else:
                    current, _id, started_at, kind = nearest
                    warn = started_at + (current - started_at) * settings.LINGONG_CASE_ESCALATE_SHARE
                    cases[-1] += (current, warn, kind)
            written += loader.insert(Case, CASE_FIELDS, cases)
            written += loader.insert(ClaimLine, CLAIM_FIELDS, claims)
            written += loader.insert(CaseEvent, EVENT_FIELDS, events)
            written += loader.insert(CaseClock, CLOCK_FIELDS, clocks)
            written += loader.insert(ClockExtension, EXTENSION_FIELDS, extensions)
            cmd.stdout.write(
                f"  disputes cases {min(start + BATCH_CASES, size.cases)}/{size.cases} "
                f"({time.monotonic() - t0:.0f}s)"
            )
        loader.reset_sequences([Case, ClaimLine, CaseEvent, CaseClock, ClockExtension])
    return written
