"""The operator subsidy's engine (ADR 0033): one market's KPIs for one period recomputed from the raw records,
each figure with the rows it counted, and the consistency checks whose failure disqualifies the market.

Where the raw records live and how they link to the market:

- **postings** — ``jobs.Posting`` with ``market`` = the market, published (``published_at``) in the period;
- **hires** — ``jobs.Application`` accepted (status ``accepted``, ``decided_at`` in the period) on the market's
  postings;
- **fill time** — per posting of the period with a hire in it, hours from publication to its first hire; the
  figure is the median, to 0.1 h;
- **work orders settled** — ``work.WorkOrder`` of the market's postings, status ``settled``, ``settled_at`` in
  the period (and their amount);
- **counter services** — what the market's own operator staff (``markets.MarketOperator``) did for workers in
  the period: applications made at the counter (``source=counter``, ``acted_by``), check-ins or -outs by the
  counter (``check_in_method=counter``, ``acted_by``), job-seeker registrations (``assisted_by``);
- **complaints** — ``disputes.Case`` about the market (``market``, or the work order's posting's market when
  the case names none) received in the period; closed = no longer open; the closure rate = closed ÷ received;
- **inspections** — ``markets.Inspection`` of the market dated in the period, and their findings
  (``InspectionFinding`` minor or major; major ones apart).

Every figure keeps a trace: the model, a reproducible filter (JSON lookups, OR-ed), the ids counted (up to
``TRACE_IDS``; the count is always complete). Checks look at the market's work orders worked or settled in the
period and at the counted rows; each failing check names its reason and the offending rows.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.geo import haversine_km
from disputes.choices import OPEN_STATUSES, CaseStatus
from disputes.models import Case
from jobs.choices import ApplicationSource, ApplicationStatus
from jobs.models import Application, Posting, WorkerProfile
from markets.choices import FindingResult
from markets.models import Inspection, InspectionFinding, Market, MarketOperator
from work.choices import CheckMethod, WorkOrderStatus
from work.models import WorkOrder

TRACE_IDS = 2000
CHECK_IDS = 200
# work orders on which work was (said to be) done: their hire, times and check-in must hold together
WORKED = (
    WorkOrderStatus.CHECKED_IN,
    WorkOrderStatus.CHECKED_OUT,
    WorkOrderStatus.APPROVED,
    WorkOrderStatus.SETTLED,
)
# a GPS check-in's recorded distance may differ from the one recomputed from its coordinates by this much
DISTANCE_SLACK_M = 50


@dataclass
class Trace:
    """The rows one figure (or one part of it) counted."""

    model: str
    any: list[dict]
    ids: list[int]
    count: int
    note: str = ""

    @property
    def truncated(self) -> bool:
        return self.count > len(self.ids)


@dataclass
class Check:
    """One consistency check: passed, or the reason it failed and the rows that fail it."""

    code: str
    text: str
    passed: bool = True
    model: str = ""
    ids: list[int] = field(default_factory=list)
    count: int = 0


@dataclass
class MarketKpis:
    market_id: int
    period_start: dt.date
    period_end: dt.date
    figures: dict = field(default_factory=dict)
    traces: dict[str, list[Trace]] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if not c.passed]

    def traces_json(self) -> dict:
        return {name: [asdict(t) for t in parts] for name, parts in self.traces.items()}

    def checks_json(self) -> list[dict]:
        return [asdict(c) for c in self.checks]

    def figures_json(self) -> dict:
        return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in self.figures.items()}


def period_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period's first instant and the instant after its last day (Asia/Shanghai), half-open."""
    tz = timezone.get_current_timezone()
    first = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    after = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    return first, after


def quarter_bounds(value: str) -> tuple[dt.date, dt.date]:
    """ "2026Q3" → (2026-07-01, 2026-09-30); ValueError otherwise."""
    text = value.strip().upper()
    year, _sep, q = text.partition("Q")
    quarter = int(q)
    if not 1 <= quarter <= 4 or len(year) != 4:
        raise ValueError(value)
    start = dt.date(int(year), 3 * quarter - 2, 1)
    end = dt.date(int(year) + (quarter == 4), (3 * quarter) % 12 + 1, 1) - dt.timedelta(days=1)
    return start, end


def _iso(value) -> str:
    return value.isoformat()


def _trace(model, qs, alternatives: list[dict], note: str = "") -> Trace:
    ids = list(qs.order_by("pk").values_list("pk", flat=True)[:TRACE_IDS])
    count = len(ids) if len(ids) < TRACE_IDS else qs.count()
    return Trace(model=model._meta.label, any=alternatives, ids=ids, count=count, note=note)


def _trace_of_ids(model, ids, alternatives: list[dict], note: str = "") -> Trace:
    ids = sorted(ids)
    return Trace(model=model._meta.label, any=alternatives, ids=ids[:TRACE_IDS], count=len(ids), note=note)


def queryset_of(trace: dict):
    """The rows a stored trace names: its ids when they are all there, else its filter run again (today's
    rows, which may differ from what was counted)."""
    from django.apps import apps

    model = apps.get_model(trace["model"])
    if trace["count"] <= len(trace["ids"]):
        return model._default_manager.filter(pk__in=trace["ids"]).order_by("pk")
    condition = Q(pk__in=[])
    for lookups in trace["any"]:
        condition |= Q(**lookups)
    return model._default_manager.filter(condition).order_by("pk")


def _round(value: Decimal, places: str) -> Decimal:
    return value.quantize(Decimal(places), rounding=ROUND_HALF_UP)


def compute(market: Market, period_start: dt.date, period_end: dt.date) -> MarketKpis:
    """Every KPI of ``market`` for the period (dates inclusive), with its trace, and every check."""
    first, after = period_bounds(period_start, period_end)
    m = market.pk
    out = MarketKpis(market_id=m, period_start=period_start, period_end=period_end)
    span = {"gte": _iso(first), "lt": _iso(after)}

    # --- postings
    posting_f = {"market_id": m, "published_at__gte": span["gte"], "published_at__lt": span["lt"]}
    postings = Posting.objects.filter(market_id=m, published_at__gte=first, published_at__lt=after)
    out.traces["postings"] = [_trace(Posting, postings, [posting_f])]
    out.figures["postings"] = out.traces["postings"][0].count

    # --- hires
    hire_f = {
        "posting__market_id": m,
        "status": ApplicationStatus.ACCEPTED.value,
        "decided_at__gte": span["gte"],
        "decided_at__lt": span["lt"],
    }
    hires = Application.objects.filter(
        posting__market_id=m, status=ApplicationStatus.ACCEPTED, decided_at__gte=first, decided_at__lt=after
    )
    out.traces["hires"] = [_trace(Application, hires, [hire_f])]
    out.figures["hires"] = out.traces["hires"][0].count

    # --- fill time: per posting of the period, its first hire of the period
    first_hire: dict[int, dt.datetime] = {}
    published: dict[int, dt.datetime] = dict(postings.values_list("pk", "published_at"))
    for posting_id, decided_at in hires.filter(posting_id__in=list(published)).values_list(
        "posting_id", "decided_at"
    ):
        if posting_id not in first_hire or decided_at < first_hire[posting_id]:
            first_hire[posting_id] = decided_at
    hours = [
        Decimal((first_hire[p] - published[p]).total_seconds()) / Decimal(3600) for p in sorted(first_hire)
    ]
    out.figures["fill_hours"] = _round(Decimal(statistics.median(hours)), "0.1") if hours else None
    out.traces["fill_hours"] = [
        _trace_of_ids(
            Posting,
            first_hire,
            [posting_f],
            note=_("本期发布且本期有录用的岗位：发布到首次录用的小时数取中位数"),
        )
    ]

    # --- work orders settled
    settled_f = {
        "posting__market_id": m,
        "status": WorkOrderStatus.SETTLED.value,
        "settled_at__gte": span["gte"],
        "settled_at__lt": span["lt"],
    }
    settled = WorkOrder.objects.filter(
        posting__market_id=m, status=WorkOrderStatus.SETTLED, settled_at__gte=first, settled_at__lt=after
    )
    out.traces["work_orders_settled"] = [_trace(WorkOrder, settled, [settled_f])]
    out.figures["work_orders_settled"] = out.traces["work_orders_settled"][0].count
    amount = settled.aggregate(total=Sum("amount"))["total"] or Decimal("0")
    out.figures["settled_amount"] = _round(amount, "0.01")
    out.traces["settled_amount"] = out.traces["work_orders_settled"]

    # --- counter services by the market's own operator staff
    bindings = dict(MarketOperator.objects.filter(market_id=m).values_list("user_id", "created_at"))
    staff = sorted(bindings)
    counter_apps_f = {
        "source": ApplicationSource.COUNTER.value,
        "acted_by_id__in": staff,
        "created_at__gte": span["gte"],
        "created_at__lt": span["lt"],
    }
    counter_apps = Application.objects.filter(
        source=ApplicationSource.COUNTER, acted_by_id__in=staff, created_at__gte=first, created_at__lt=after
    )
    counter_checks_f = {
        "check_in_method": CheckMethod.COUNTER.value,
        "acted_by_id__in": staff,
        "checked_in_at__gte": span["gte"],
        "checked_in_at__lt": span["lt"],
    }
    counter_checks = WorkOrder.objects.filter(
        check_in_method=CheckMethod.COUNTER,
        acted_by_id__in=staff,
        checked_in_at__gte=first,
        checked_in_at__lt=after,
    )
    counter_regs_f = {
        "assisted_by_id__in": staff,
        "created_at__gte": span["gte"],
        "created_at__lt": span["lt"],
    }
    counter_regs = WorkerProfile.objects.filter(
        assisted_by_id__in=staff, created_at__gte=first, created_at__lt=after
    )
    parts = [
        _trace(Application, counter_apps, [counter_apps_f], note=_("服务台代为报名")),
        _trace(WorkOrder, counter_checks, [counter_checks_f], note=_("服务台代为签到")),
        _trace(WorkerProfile, counter_regs, [counter_regs_f], note=_("服务台代为求职登记")),
    ]
    out.traces["counter_services"] = parts
    out.figures["counter_services"] = sum(p.count for p in parts)

    # --- complaints about the market
    case_direct_f = {"market_id": m, "received_at__gte": span["gte"], "received_at__lt": span["lt"]}
    case_order_f = {
        "market__isnull": True,
        "work_order__posting__market_id": m,
        "received_at__gte": span["gte"],
        "received_at__lt": span["lt"],
    }
    cases = Case.objects.filter(
        Q(market_id=m) | Q(market__isnull=True, work_order__posting__market_id=m),
        received_at__gte=first,
        received_at__lt=after,
    )
    closed = cases.exclude(status__in=OPEN_STATUSES)
    out.traces["complaints"] = [_trace(Case, cases, [case_direct_f, case_order_f])]
    closed_statuses = sorted(s for s in CaseStatus.values if s not in OPEN_STATUSES)
    out.traces["complaints_closed"] = [
        _trace(
            Case,
            closed,
            [
                {**case_direct_f, "status__in": closed_statuses},
                {**case_order_f, "status__in": closed_statuses},
            ],
            note=_("收到后已不在办理中的（已办结、已归档、不予受理）"),
        )
    ]
    n_cases = out.traces["complaints"][0].count
    n_closed = out.traces["complaints_closed"][0].count
    out.figures["complaints"] = n_cases
    out.figures["complaints_closed"] = n_closed
    out.figures["complaint_closure_rate"] = (
        _round(Decimal(n_closed) / Decimal(n_cases), "0.0001") if n_cases else None
    )
    out.traces["complaint_closure_rate"] = out.traces["complaints"] + out.traces["complaints_closed"]

    # --- inspections and their findings
    inspection_f = {
        "market_id": m,
        "inspected_on__gte": _iso(period_start),
        "inspected_on__lte": _iso(period_end),
    }
    inspections = Inspection.objects.filter(
        market_id=m, inspected_on__gte=period_start, inspected_on__lte=period_end
    )
    out.traces["inspections"] = [_trace(Inspection, inspections, [inspection_f])]
    out.figures["inspections"] = out.traces["inspections"][0].count
    prefixed = {f"inspection__{k}": v for k, v in inspection_f.items()}
    findings_f = {**prefixed, "result__in": [FindingResult.MINOR.value, FindingResult.MAJOR.value]}
    findings = InspectionFinding.objects.filter(
        inspection__in=inspections, result__in=(FindingResult.MINOR, FindingResult.MAJOR)
    )
    out.traces["inspection_findings"] = [_trace(InspectionFinding, findings, [findings_f])]
    out.figures["inspection_findings"] = out.traces["inspection_findings"][0].count
    major_f = {**prefixed, "result": FindingResult.MAJOR.value}
    major = InspectionFinding.objects.filter(inspection__in=inspections, result=FindingResult.MAJOR)
    out.traces["major_findings"] = [_trace(InspectionFinding, major, [major_f])]
    out.figures["major_findings"] = out.traces["major_findings"][0].count

    out.checks = _checks(
        market,
        first,
        after,
        hires=hires,
        counter=(counter_apps, counter_checks, counter_regs),
        bindings=bindings,
    )
    return out


# --- consistency checks ---------------------------------------------------------------------------------


def _failed(check: Check, model, ids) -> Check:
    ids = sorted(set(ids))
    if ids:
        check.passed = False
        check.model = model._meta.label
        check.ids = ids[:CHECK_IDS]
        check.count = len(ids)
    return check


def _checks(market, first, after, *, hires, counter, bindings) -> list[Check]:
    m = market.pk
    orders = list(
        WorkOrder.objects.filter(posting__market_id=m, status__in=WORKED)
        .filter(
            Q(work_date__gte=timezone.localtime(first).date(), work_date__lt=timezone.localtime(after).date())
            | Q(settled_at__gte=first, settled_at__lt=after)
        )
        .values(
            "pk",
            "status",
            "worker_id",
            "posting_id",
            "work_date",
            "starts_at",
            "ends_at",
            "amount",
            "checked_in_at",
            "checked_out_at",
            "settled_at",
            "check_in_method",
            "check_in_lat",
            "check_in_lng",
            "check_in_distance_m",
            "acted_by_id",
            "application__status",
            "application__posting_id",
            "application__worker_id",
            "posting__lat",
            "posting__lng",
        )
    )
    checks = []

    # 1. every hire worked stands on an accepted application of the same posting and worker
    check = Check(
        "hire_without_application",
        _("有用工记录没有对应的已录用报名（用工单的报名未录用，或报名不是该岗位、该劳动者的）。"),
    )
    bad = [
        o["pk"]
        for o in orders
        if o["application__status"] != ApplicationStatus.ACCEPTED
        or o["application__posting_id"] != o["posting_id"]
        or o["application__worker_id"] != o["worker_id"]
    ]
    checks.append(_failed(check, WorkOrder, bad))

    # 2. a settled work order was checked in and out
    check = Check("settled_without_check", _("有已结算的用工单没有签到或签退记录。"))
    settled = [o for o in orders if o["status"] == WorkOrderStatus.SETTLED]
    bad = [o["pk"] for o in settled if o["checked_in_at"] is None or o["checked_out_at"] is None]
    checks.append(_failed(check, WorkOrder, bad))

    # 3. times in order: settled after the start and after the check-out; checked out after checking in
    check = Check("settled_before_started", _("有用工单的结算早于开工或签退，或签退早于签到。"))
    bad = []
    for o in orders:
        if o["settled_at"] is not None and (
            o["settled_at"] < o["starts_at"]
            or (o["checked_out_at"] is not None and o["settled_at"] < o["checked_out_at"])
        ):
            bad.append(o["pk"])
        elif o["checked_in_at"] and o["checked_out_at"] and o["checked_out_at"] < o["checked_in_at"]:
            bad.append(o["pk"])
    checks.append(_failed(check, WorkOrder, bad))

    # 4. duplicate identical work orders: one worker cannot do the same shift twice
    check = Check(
        "duplicate_work_orders", _("有完全相同的重复用工单（同一劳动者、同一日期、同一时段、同一金额）。")
    )
    groups = defaultdict(list)
    for o in orders:
        groups[(o["worker_id"], o["work_date"], o["starts_at"], o["ends_at"], o["amount"])].append(o["pk"])
    bad = [pk for pks in groups.values() if len(pks) > 1 for pk in pks]
    checks.append(_failed(check, WorkOrder, bad))

    # 5. a GPS check-in has its coordinates, within the radius of the work site, and its distance is theirs
    check = Check(
        "check_in_unverifiable",
        _("有手机定位签到没有坐标，或坐标离工作地点超出签到范围，或记录的距离与坐标不符。"),
    )
    radius = settings.LINGONG_CHECKIN_RADIUS_M
    bad = []
    for o in orders:
        if o["check_in_method"] != CheckMethod.GPS:
            continue
        if o["check_in_lat"] is None or o["check_in_lng"] is None:
            bad.append(o["pk"])
            continue
        metres = (
            haversine_km(o["check_in_lat"], o["check_in_lng"], o["posting__lat"], o["posting__lng"]) * 1000
        )
        recorded = o["check_in_distance_m"]
        if (
            metres > radius + DISTANCE_SLACK_M
            or recorded is None
            or abs(recorded - metres) > DISTANCE_SLACK_M
        ):
            bad.append(o["pk"])
    checks.append(_failed(check, WorkOrder, bad))

    # 6. a hire comes after its posting was published
    check = Check("hired_before_published", _("有录用早于岗位发布（或岗位从未发布）。"))
    bad = [
        pk
        for pk, decided_at, published_at in hires.values_list("pk", "decided_at", "posting__published_at")
        if published_at is None or decided_at < published_at
    ]
    checks.append(_failed(check, Application, bad))

    # 7. counter services are the market's operator staff's, bound before the act, for someone else
    check = Check(
        "counter_not_operator_staff",
        _("有服务台代办记录不是本市场运营人员所办（办理时尚未绑定本市场、代办人即本人，或未记录代办人）。"),
    )
    counter_apps, counter_checks, counter_regs = counter
    bad_apps = [
        pk
        for pk, actor, worker, at in counter_apps.values_list("pk", "acted_by_id", "worker_id", "created_at")
        if actor == worker or bindings[actor] > at
    ]
    bad_apps += list(
        Application.objects.filter(
            posting__market_id=m,
            source=ApplicationSource.COUNTER,
            acted_by__isnull=True,
            created_at__gte=first,
            created_at__lt=after,
        ).values_list("pk", flat=True)
    )
    bad_orders = [
        pk
        for pk, actor, worker, at in counter_checks.values_list(
            "pk", "acted_by_id", "worker_id", "checked_in_at"
        )
        if actor == worker or bindings[actor] > at
    ]
    bad_orders += [
        o["pk"] for o in orders if o["check_in_method"] == CheckMethod.COUNTER and not o["acted_by_id"]
    ]
    bad_regs = [
        pk
        for pk, actor, worker, at in counter_regs.values_list("pk", "assisted_by_id", "user_id", "created_at")
        if actor == worker or bindings[actor] > at
    ]
    # one check, the rows of the first model that fails it (each model's rows are named in the text)
    if bad_apps:
        checks.append(_failed(check, Application, bad_apps))
    elif bad_orders:
        checks.append(_failed(check, WorkOrder, bad_orders))
    else:
        checks.append(_failed(check, WorkerProfile, bad_regs))
    return checks
