"""The disputes phase of ``bench_data`` (issue 16) at size XS and the staff queue scenario: cases with claim
lines, one event per transition and clocks as the services keep them, spread over the counties, most closed,
the open ones in all three deadline states; the queue scenario's requests within three queries."""

from __future__ import annotations

from collections import Counter

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bench import scenarios as bench_scenarios
from tests.conftest import ensure_divisions

CASES_XS = 2_000


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    """XS data for the module inside one transaction rolled back at the end (as the smoke test does)."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_divisions()
            call_command("bench_data", "--size", "XS", "--seed", "11", verbosity=0)
            yield {s.name: s for s in bench_scenarios.build(seed=11, variants=9)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_cases_with_claim_lines_events_and_clocks(bench, db):
    from core.models import ScopeUnit
    from disputes.choices import OPEN_STATUSES, CaseStatus
    from disputes.models import CASE_WORKFLOW, Case, CaseClock, CaseEvent, ClaimLine

    cases = Case.objects.all()
    assert cases.count() == CASES_XS
    per_case = Counter(ClaimLine.objects.values_list("case_id", flat=True))
    assert len(per_case) == CASES_XS and set(per_case.values()) <= {1, 2, 3}
    assert set(per_case.values()) == {1, 2, 3}
    # the events are the case's path: from received, each step a legal transition, ending at its status
    events: dict[int, list] = {}
    for case_id, before, to in CaseEvent.objects.order_by("case_id", "at", "id").values_list(
        "case_id", "from_status", "to_status"
    ):
        events.setdefault(case_id, []).append((before, to))
    status = dict(cases.values_list("pk", "status"))
    assert set(events) == set(status)
    for case_id, path in events.items():
        assert path[0] == ("", CaseStatus.RECEIVED)
        for (_, a), (b, c) in zip(path, path[1:], strict=False):
            assert a == b and c in CASE_WORKFLOW.table[a], (case_id, path)
        assert path[-1][1] == status[case_id]
    # running clocks only on open cases, at most one per kind (the DB constraint), due after they start
    running = CaseClock.objects.running()
    assert set(running.values_list("case__status", flat=True)) <= set(OPEN_STATUSES)
    assert not running.filter(due_at__lte=F("started_at")).exists()
    # spread over every county; most closed, some open
    assert set(cases.values_list("scope_unit_id", flat=True)) == set(
        ScopeUnit.objects.filter(kind="county", is_active=True).values_list("pk", flat=True)
    )
    open_count = cases.open().count()
    assert 0.03 * CASES_XS < open_count < 0.1 * CASES_XS
    assert cases.filter(status=CaseStatus.CLOSED).count() > CASES_XS / 2
    # complainants are the bench's workers, respondents its employers
    assert cases.filter(complainant__isnull=False).count() > CASES_XS * 0.8
    assert not cases.filter(complainant__isnull=False).exclude(complainant__phone__startswith="17").exists()
    assert (
        not cases.filter(respondent__isnull=False).exclude(respondent__user__phone__startswith="16").exists()
    )


def test_clock_due_dates_and_final_award_flags_are_the_services(bench, db):
    from core.calendar import end_of_day
    from disputes.models import CaseClock, ClaimLine
    from disputes.services import due_date, final_award

    for clock in CaseClock.objects.order_by("pk")[:200]:
        start = timezone.localtime(clock.started_at).date()
        assert clock.due_on == due_date(start=start, days=clock.days, day_kind=clock.day_kind)
        assert clock.due_at == end_of_day(clock.due_on)
    for line in ClaimLine.objects.select_related("case__scope_unit").order_by("pk")[:200]:
        on = timezone.localtime(line.case.received_at).date()
        expected = final_award(scope_unit=line.case.scope_unit, on=on, amount=line.amount)
        assert (line.final_award, line.final_award_limit) == (
            expected["final_award"],
            expected["final_award_limit"],
        )


def _brute_state(case, now) -> str:
    """The deadline state from the case's clocks, by the rule: the running clock with the nearest effective
    due (extended if extended; ties by id); overdue from its due, due soon from 80 % of its time."""
    running = [c for c in case.clocks.all() if c.stopped_at is None]
    if not running:
        return "on_time"
    clock = min(running, key=lambda c: (c.extended_due_at or c.due_at, c.pk))
    due = clock.extended_due_at or clock.due_at
    if now >= due:
        return "overdue"
    if now >= clock.started_at + (due - clock.started_at) * 0.8:
        return "due_soon"
    return "on_time"


def test_open_cases_are_in_all_three_deadline_states(bench, db):
    from disputes import selectors
    from disputes.choices import DeadlineState
    from disputes.models import Case

    now = timezone.now()
    open_cases = list(Case.objects.open().prefetch_related("clocks"))
    states = Counter(_brute_state(c, now) for c in open_cases)
    assert set(states) == set(DeadlineState.values)
    assert min(states.values()) >= 10
    assert all(selectors.deadline_state_of(c, now) == _brute_state(c, now) for c in open_cases)
    for state in DeadlineState.values:  # the queue's filter agrees with the per-case rule
        assert Case.objects.open().filter(selectors.deadline_q(state, now)).count() == states[state]


def test_every_case_stores_its_nearest_running_clock(bench, db):
    """The generator writes ``next_due_at`` / ``next_warn_at`` / ``next_due_kind`` as the services keep them
    (ADR 0031): the nearest running clock's effective due, 80 % of its time, its kind; empty when none runs."""
    from disputes.models import Case

    for case in Case.objects.prefetch_related("clocks"):
        running = [c for c in case.clocks.all() if c.stopped_at is None]
        if not running:
            assert (case.next_due_at, case.next_warn_at, case.next_due_kind) == (None, None, ""), case.pk
            continue
        clock = min(running, key=lambda c: (c.extended_due_at or c.due_at, c.pk))
        due = clock.extended_due_at or clock.due_at
        warn = clock.started_at + (due - clock.started_at) * 0.8
        assert (case.next_due_at, case.next_warn_at, case.next_due_kind) == (due, warn, clock.kind), case.pk


def test_resumable(bench, db):
    from disputes.models import Case

    call_command("bench_data", "--size", "XS", "--seed", "11", verbosity=0)
    assert Case.objects.count() == CASES_XS


def test_queue_scenario_within_three_queries(bench, db, settings):
    """County staff reading their queue by each deadline state: the reader, the count and the page."""
    from accounts.models import User

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    scenario = bench["queue"]
    assert scenario.max_queries == 3 and len(scenario.requests) == 9
    found = 0
    for request in scenario.requests:
        client = Client()
        client.force_login(User.objects.get(pk=request.user_id))
        client.get(request.path)  # the session's first request writes its activity stamp
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(request.path, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:300]
        assert scenario.min_queries <= len(ctx.captured_queries) <= scenario.max_queries, request.path
        found += len(response.json()["results"])
    assert found


def test_escalation_bench_escalates_each_due_clock_once_and_leaves_the_data_as_it_was(bench, db):
    """``bench.escalation`` (issue 16: the scan over every open case, ≤ 30 s on L in `make bench`) at XS: the
    first scan escalates every clock past a threshold once, a second at the same instant nothing, and the
    bench removes the marks, messages and audit rows it wrote so that it can run again on the same data."""
    from bench.escalation import time_escalation
    from core.models import AuditLog, InboxMessage
    from disputes.models import CaseClock

    before = (
        InboxMessage.objects.count(),
        AuditLog.objects.count(),
        CaseClock.objects.filter(escalated_warn_at__isnull=False).count(),
        CaseClock.objects.filter(escalated_overdue_at__isnull=False).count(),
    )
    result = time_escalation("XS")
    assert result["due_clocks"] > 0  # bench_data leaves open cases due soon and overdue, none escalated
    assert result["escalated"] == result["due_clocks"] and result["second_run_escalated"] == 0
    after = (
        InboxMessage.objects.count(),
        AuditLog.objects.count(),
        CaseClock.objects.filter(escalated_warn_at__isnull=False).count(),
        CaseClock.objects.filter(escalated_overdue_at__isnull=False).count(),
    )
    assert after == before
    assert CaseClock.objects.due_for_escalation(timezone.now()).count() >= result["due_clocks"]
