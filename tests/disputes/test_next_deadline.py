"""The next deadline stored on the case (ADR 0031): ``next_due_at``, ``next_warn_at`` and ``next_due_kind`` follow
every start, stop and extension of its clocks (read back from the database), and the staff queue's order and
deadline filters agree with a brute-force computation from each case's clocks by the rule: the running clock
with the nearest effective due (the extended one if extended; ties by id) decides — overdue past its due, due
soon past 80 % of its time (the escalation's share), on time otherwise."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from core.calendar import SHANGHAI, end_of_day
from disputes import services
from disputes.choices import CaseStatus, ClaimType, ClockKind, DeadlineState, RelationshipType
from disputes.models import Case, CaseClock

from .factories import complaint

pytestmark = pytest.mark.django_db

WAGES = [{"claim_type": ClaimType.WAGES, "amount": Decimal("3120")}]
SHARE = 0.8  # LINGONG_CASE_ESCALATE_SHARE: the escalation's first threshold


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False)


def stored(case: Case) -> tuple:
    row = Case.objects.get(pk=case.pk)
    return row.next_due_at, row.next_warn_at, row.next_due_kind


def expected(started: dt.datetime, due: dt.datetime, kind: str) -> tuple:
    return due, started + (due - started) * SHARE, kind


def test_the_fields_follow_start_stop_and_extend(worker, officer):
    """An inspection case through acceptance, an extension, mediation, a referral and its resolution. Due
    dates as counted in test_clocks.py (the working-day calendar)."""
    received = dt.datetime(2026, 2, 24, 10, tzinfo=SHANGHAI)
    with at(received.date()):
        case = complaint(worker, claims=WAGES)
    accept = CaseClock.objects.get(case=case, kind=ClockKind.INSPECTION_ACCEPT)
    assert stored(case) == expected(received, accept.due_at, ClockKind.INSPECTION_ACCEPT)

    accepted = dt.datetime(2026, 3, 2, 10, tzinfo=SHANGHAI)
    with at(accepted.date()):
        services.case_accept(case=case, actor=officer)
    # the acceptance clock stopped; 60 working days from Mon 2 Mar 2026 → Thu 28 May
    resolve_due = end_of_day(dt.date(2026, 5, 28))
    assert stored(case) == expected(accepted, resolve_due, ClockKind.INSPECTION_RESOLVE)

    resolve = CaseClock.objects.get(case=case, kind=ClockKind.INSPECTION_RESOLVE)
    with at(dt.date(2026, 5, 20)):
        services.clock_extend(clock=resolve, actor=officer, days=30, reason="案情复杂，需调取工地考勤")
    # extended by 30 working days → Fri 10 Jul: the due and the 80 % point move with it
    extended_due = end_of_day(dt.date(2026, 7, 10))
    assert stored(case) == expected(accepted, extended_due, ClockKind.INSPECTION_RESOLVE)

    mediating = dt.datetime(2026, 5, 21, 10, tzinfo=SHANGHAI)
    with at(mediating.date()):
        services.case_mediate(case=case, actor=officer)
    # mediation: 15 calendar days from Thu 21 May → Fri 5 Jun, nearer than 10 Jul: it is the next deadline
    assert stored(case) == expected(mediating, end_of_day(dt.date(2026, 6, 5)), ClockKind.MEDIATION)

    with at(dt.date(2026, 5, 25)):
        services.case_refer_inspection(case=case, actor=officer)
    # mediation stopped; the resolution clock (already running, extended) is the next deadline again
    assert stored(case) == expected(accepted, extended_due, ClockKind.INSPECTION_RESOLVE)

    with at(dt.date(2026, 6, 1)):
        services.case_resolve(case=case, actor=officer, resolution="用工方已足额支付。")
    assert stored(case) == (None, None, "")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.RESOLVED


def test_not_accepted_and_clockless_cases_have_no_next_deadline(worker, officer):
    refused = complaint(worker, claims=WAGES)
    assert stored(refused)[0] is not None
    services.case_not_accept(case=refused, actor=officer, reason="不属于受理范围")
    assert stored(refused) == (None, None, "")
    # a 劳务 complaint goes to guidance: no statutory clock runs
    guidance = complaint(worker, claims=WAGES, relationship_type=RelationshipType.SERVICE)
    assert not CaseClock.objects.filter(case=guidance).exists()
    assert stored(guidance) == (None, None, "")


# --- the queue against the brute force ------------------------------------------------------------------------


def brute(case: Case, now) -> tuple[str, dt.datetime | None]:
    """(state, nearest effective due) from the case's clocks by the rule."""
    running = list(CaseClock.objects.filter(case=case, stopped_at__isnull=True))
    if not running:
        return DeadlineState.ON_TIME, None
    clock = min(running, key=lambda c: (c.extended_due_at or c.due_at, c.pk))
    due = clock.extended_due_at or clock.due_at
    if now >= due:
        return DeadlineState.OVERDUE, due
    if now >= clock.started_at + (due - clock.started_at) * SHARE:
        return DeadlineState.DUE_SOON, due
    return DeadlineState.ON_TIME, due


def move(clock: CaseClock, *, began_days_ago: float, due_in_days: float) -> None:
    """Place a clock by hand (as time passing would), then the refresh the services make on every change."""
    now = timezone.now()
    clock.started_at = now - dt.timedelta(days=began_days_ago)
    clock.due_at = now + dt.timedelta(days=due_in_days)
    clock.due_on = timezone.localdate(clock.due_at)
    clock.save()
    services.case_deadline_refresh(clock.case)


@pytest.fixture
def mixed(worker, worker_b, officer, officer_b):
    """County A: cases at many points of their time, one clock extended out of due soon, cases with two
    running clocks (the nearer decides), a clockless guidance case, closed ones; county B: two overdue."""
    spots = [(1, 9), (9, 1.5), (10, -1), (2, 3), (4.5, 0.5), (20, -3), (0.5, 0.2), (8.5, 1.6), (3, 30)]
    for i, (began, left) in enumerate(spots * 2):
        case = complaint(worker, claims=WAGES)
        move(CaseClock.objects.running().get(case=case), began_days_ago=began, due_in_days=left + i / 100)
    # accepted: the resolution clock due soon, then extended (30 working days) — on time again
    extended = complaint(worker, claims=WAGES)
    services.case_accept(case=extended, actor=officer)
    resolve = CaseClock.objects.running().get(case=extended)
    move(resolve, began_days_ago=50, due_in_days=5)
    services.clock_extend(
        clock=CaseClock.objects.get(pk=resolve.pk), actor=officer, days=30, reason="案情复杂"
    )
    # two running clocks: mediation due soon and nearer than the resolution clock, and the reverse
    for mediation_spot, resolve_spot in (((13, 2), (10, 50)), ((2, 40), (58, 1))):
        case = complaint(worker, claims=WAGES)
        services.case_accept(case=case, actor=officer)
        services.case_mediate(case=case, actor=officer)
        move(
            CaseClock.objects.get(case=case, kind=ClockKind.MEDIATION),
            began_days_ago=mediation_spot[0],
            due_in_days=mediation_spot[1],
        )
        move(
            CaseClock.objects.get(case=case, kind=ClockKind.INSPECTION_RESOLVE),
            began_days_ago=resolve_spot[0],
            due_in_days=resolve_spot[1],
        )
    complaint(worker, claims=WAGES, relationship_type=RelationshipType.SERVICE)  # guidance: no clock
    services.case_not_accept(case=complaint(worker, claims=WAGES), actor=officer, reason="已过时效")
    for _ in range(2):
        case = complaint(worker_b, claims=WAGES)
        move(CaseClock.objects.running().get(case=case), began_days_ago=6, due_in_days=-0.5)
    return extended


def expected_ids(cases, state: str, now) -> list[int]:
    rows = [(c.pk, *brute(c, now)) for c in cases]
    rows = [r for r in rows if not state or r[1] == state]
    # nearest first, cases without a running clock last, then by id
    return [pk for pk, _, due in sorted(rows, key=lambda r: (r[2] is None, r[2] or dt.datetime.min, r[0]))]


def test_queue_order_and_filters_agree_with_the_brute_force(mixed, officer, city_staff, county_a, api_as):
    now = timezone.now()
    assert brute(mixed, now)[0] == DeadlineState.ON_TIME  # the extension moved it out of due soon
    county = list(Case.objects.open().filter(scope_unit=county_a))
    everyone = list(Case.objects.open())
    counts = {s: 0 for s in DeadlineState.values}
    for c in county:
        counts[brute(c, now)[0]] += 1
    assert min(counts.values()) >= 4, counts
    for reader, cases in ((officer, county), (city_staff, everyone)):
        api = api_as(reader)
        for state in ["", *DeadlineState.values]:
            body = api.get(f"/api/v1/case-queue/?deadline={state}&page_size=100").json()
            want = expected_ids(cases, state, timezone.now())
            assert [r["id"] for r in body["results"]] == want, (reader, state)
            assert body["count"] == len(want)
            for row in body["results"]:
                case = next(c for c in cases if c.pk == row["id"])
                assert row["deadline_state"] == brute(case, timezone.now())[0]


def test_pages_admin_filter_and_dashboard_read_the_same_states(mixed, officer, county_a, client_as):
    from disputes import selectors
    from disputes.dashboard import cases_due_soon, cases_overdue

    now = timezone.now()
    cases = list(Case.objects.filter(scope_unit=county_a))
    for c in cases:
        assert selectors.deadline_state_of(c, now) == brute(c, now)[0], c.pk
    overdue = expected_ids([c for c in cases if c.is_open], DeadlineState.OVERDUE, now)
    panel = cases_overdue(officer)
    numbers = dict(Case.objects.values_list("pk", "number"))
    assert [r["text"].split()[0] for r in panel.rows] == [numbers[pk] for pk in overdue]
    due_soon = expected_ids([c for c in cases if c.is_open], DeadlineState.DUE_SOON, now)
    rows = [r for r in cases_due_soon(officer).rows if r["note"]]
    assert [r["text"].split()[0] for r in rows] == [numbers[pk] for pk in due_soon]
    # the admin's deadline filter: every open case of the county listed under its brute-force state only, a
    # closed one under none
    client = client_as(officer)
    pages = {
        state: client.get(f"/admin/disputes/case/?deadline={state}").content.decode()
        for state in DeadlineState.values
    }
    assert any(not c.is_open for c in cases)
    for c in cases:
        want = [brute(c, timezone.now())[0]] if c.is_open else []
        assert [s for s, page in pages.items() if c.number in page] == want, c.number


def test_migration_backfill_writes_what_the_refresh_writes(mixed, monkeypatch):
    """Migration 0009's backfill (batched; batches of 2 here) stores on every case what the services'
    refresh stores: cleared columns are written back from the running clocks, clockless cases stay empty."""
    import importlib

    from django.apps import apps as django_apps

    migration = importlib.import_module("disputes.migrations.0009_case_next_deadline")
    before = {c.pk: stored(c) for c in Case.objects.all()}
    assert sum(1 for v in before.values() if v[0] is not None) > 10
    Case.objects.update(next_due_at=None, next_warn_at=None, next_due_kind="")
    monkeypatch.setattr(migration, "BATCH", 2)
    migration.backfill(django_apps, None)
    assert {c.pk: stored(c) for c in Case.objects.all()} == before
