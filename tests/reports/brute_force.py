"""The rules of the markets, fairs, training-outcome, complaint-deadline, wages-recovered and subsidy
indicators, over every row in plain Python (no query of reports.calculators): each rule gives the rows it
counts as (amount, program code) pairs — 1 per row counted, or the row's money — so the total is their sum and
the program breakdown their sum per program."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from disputes.models import Case, CaseClock, MediationRecord
from jobs.models import JobFair
from markets.models import Inspection, InspectionFinding, Market, MarketEvent
from subsidies.models import Application as SubsidyApplication
from subsidies.models import ApplicationEvent as SubsidyApplicationEvent
from subsidies.models import Payment as SubsidyPayment
from training.models import TrainingCertificate, TrainingResult
from work.models import WorkOrder

ONE = Decimal(1)
Pairs = list[tuple[Decimal, str]]


def markets_operating(start, end, day0, day1, mine) -> Pairs:
    events: dict[int, list] = {}
    for e in MarketEvent.objects.all():
        events.setdefault(e.market_id, []).append(e)
    out = []
    for m in Market.objects.all():
        if not (m.created_at < end and mine(m.scope_unit_id)):
            continue
        history = sorted(events.get(m.pk, []), key=lambda e: (e.at, e.pk))
        before = [e for e in history if e.at < end]
        if before:
            status = before[-1].to_status
        elif history:
            status = history[0].from_status
        else:
            status = m.status
        if status == "operating":
            out.append((ONE, ""))
    return out


def market_inspections(start, end, day0, day1, mine) -> Pairs:
    return [
        (ONE, "")
        for i in Inspection.objects.select_related("market")
        if day0 <= i.inspected_on < day1 and mine(i.market.scope_unit_id)
    ]


def inspection_findings(start, end, day0, day1, mine) -> Pairs:
    return [
        (ONE, "")
        for f in InspectionFinding.objects.select_related("inspection__market")
        if f.result != "pass"
        and day0 <= f.inspection.inspected_on < day1
        and mine(f.inspection.market.scope_unit_id)
    ]


def _moved_to(status):
    def rule(start, end, day0, day1, mine) -> Pairs:
        markets = {
            e.market_id
            for e in MarketEvent.objects.select_related("market")
            if e.to_status == status and start <= e.at < end and mine(e.market.scope_unit_id)
        }
        return [(ONE, "") for _m in markets]

    return rule


def _fairs(field):
    def rule(start, end, day0, day1, mine) -> Pairs:
        return [
            (ONE if field is None else Decimal(getattr(f, field)), "")
            for f in JobFair.objects.all()
            if start <= f.starts_at < end and mine(f.scope_unit_id)
        ]

    return rule


def trainees_certified(start, end, day0, day1, mine) -> Pairs:
    return [
        (ONE, "")
        for c in TrainingCertificate.objects.select_related("enrollment__training_class")
        if day0 <= c.issued_on < day1 and mine(c.enrollment.training_class.scope_unit_id)
    ]


def three_months_after(day: dt.date) -> dt.date:
    """The same day three calendar months later, or that month's last day (10-31 → 01-31, 11-30 → 02-28)."""
    month = day.month + 3
    year = day.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def trainees_employed_3m(start, end, day0, day1, mine) -> Pairs:
    settled = [(o.worker_id, o.work_date) for o in WorkOrder.objects.all() if o.status == "settled"]
    out = []
    for r in TrainingResult.objects.select_related("enrollment__training_class"):
        done = r.completed_on
        if not (r.completed and done and day0 <= done < day1):
            continue
        if not mine(r.enrollment.training_class.scope_unit_id):
            continue
        until = three_months_after(done)
        if any(w == r.enrollment.worker_id and done < d <= until for w, d in settled):
            out.append((ONE, ""))
    return out


def complaints_closed_on_time(start, end, day0, day1, mine) -> Pairs:
    clocks: dict[int, list] = {}
    for c in CaseClock.objects.all():
        clocks.setdefault(c.case_id, []).append(c)
    out = []
    for case in Case.objects.all():
        if not (case.resolved_at and start <= case.resolved_at < end and mine(case.scope_unit_id)):
            continue
        late = any(
            (c.stopped_at or case.resolved_at) > (c.extended_due_at or c.due_at)
            for c in clocks.get(case.pk, [])
        )
        if not late:
            out.append((ONE, ""))
    return out


def wages_recovered(start, end, day0, day1, mine) -> Pairs:
    return [
        (m.agreed_amount, "")
        for m in MediationRecord.objects.select_related("case")
        if m.outcome == "agreement"
        and m.agreed_amount is not None
        and m.receipt_confirmed_at is not None
        and start <= m.receipt_confirmed_at < end
        and mine(m.case.scope_unit_id)
    ]


def subsidy_applications(start, end, day0, day1, mine) -> Pairs:
    submissions: dict[int, list[dt.datetime]] = {}
    for e in SubsidyApplicationEvent.objects.all():
        if e.to_status == "submitted":
            submissions.setdefault(e.application_id, []).append(e.at)
    out = []
    for a in SubsidyApplication.objects.select_related("program_type"):
        first = min(submissions[a.pk]) if a.pk in submissions else a.submitted_at
        if first is not None and start <= first < end and mine(a.scope_unit_id):
            out.append((ONE, a.program_type.code))
    return out


def subsidy_approvals(start, end, day0, day1, mine) -> Pairs:
    return [
        (ONE, a.program_type.code)
        for a in SubsidyApplication.objects.select_related("program_type")
        if a.approved_at is not None and start <= a.approved_at < end and mine(a.scope_unit_id)
    ]


def subsidy_paid(start, end, day0, day1, mine) -> Pairs:
    return [
        (p.amount, p.application.program_type.code)
        for p in SubsidyPayment.objects.select_related("application__program_type")
        if p.status == "paid"
        and p.result_at is not None
        and start <= p.result_at < end
        and mine(p.application.scope_unit_id)
    ]


RULES: dict[str, Callable[..., Pairs]] = {
    "markets_operating": markets_operating,
    "market_inspections": market_inspections,
    "inspection_findings": inspection_findings,
    "markets_suspended": _moved_to("suspended"),
    "markets_banned": _moved_to("banned"),
    "fairs_held": _fairs(None),
    "fair_attendees": _fairs("attendance"),
    "fair_hires": _fairs("hires"),
    "trainees_certified": trainees_certified,
    "trainees_employed_3m": trainees_employed_3m,
    "complaints_closed_on_time": complaints_closed_on_time,
    "wages_recovered": wages_recovered,
    "subsidy_applications": subsidy_applications,
    "subsidy_approvals": subsidy_approvals,
    "subsidy_paid": subsidy_paid,
}


def total(pairs: Pairs) -> Decimal:
    return sum((amount for amount, _key in pairs), Decimal("0"))


def by_key(pairs: Pairs) -> dict[str, Decimal]:
    cells: dict[str, Decimal] = {}
    for amount, key in pairs:
        cells[key] = cells.get(key, Decimal("0")) + amount
    return cells
