"""The staff queue (/api/v1/case-queue/, issue 16's benchmark door): the open cases of the reader's staff
scope, nearest deadline first, by deadline state; three queries per page whatever the page size; the states,
the filter and the order agree with a brute-force computation from each case's clocks (the stored next
deadline, ADR 0031, is only a copy of it)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from disputes import selectors, services
from disputes.choices import CaseStatus, ClaimType, DeadlineState
from disputes.models import Case, CaseClock

from .factories import complaint

pytestmark = pytest.mark.django_db

WAGES = [{"claim_type": ClaimType.WAGES, "amount": Decimal("3120")}]
TWO = [
    {"claim_type": ClaimType.WAGES, "amount": Decimal("2000")},
    {"claim_type": ClaimType.OVERTIME, "amount": Decimal("500.50")},
]
# (days since the clock started, days until it is due): on time, due soon (past 80 %), overdue
PLACES = {
    DeadlineState.ON_TIME: (1, 9),
    DeadlineState.DUE_SOON: (9, 1),
    DeadlineState.OVERDUE: (10, -1),
}


def place(case: Case, state: str, shift_minutes: int) -> CaseClock:
    """Put the case's running clock where ``state`` says (its own due date ``shift_minutes`` later)."""
    began, left = PLACES[state]
    now = timezone.now()
    clock = CaseClock.objects.running().get(case=case)
    clock.started_at = now - dt.timedelta(days=began)
    clock.due_at = now + dt.timedelta(days=left, minutes=shift_minutes)
    clock.due_on = timezone.localdate(clock.due_at)
    clock.save()
    services.case_deadline_refresh(case)  # the test moves a clock by hand: the services' refresh follows
    return clock


def brute_state(case: Case, now) -> str:
    """The deadline state from the case's clocks, by the rule (not by the stored fields): the running clock
    with the nearest effective due (the extended one if extended; ties by id) decides; overdue from its due,
    due soon from 80 % of its time."""
    running = list(CaseClock.objects.filter(case=case, stopped_at__isnull=True))
    if not running:
        return DeadlineState.ON_TIME
    clock = min(running, key=lambda c: (c.extended_due_at or c.due_at, c.pk))
    due = clock.extended_due_at or clock.due_at
    if now >= due:
        return DeadlineState.OVERDUE
    if now >= clock.started_at + (due - clock.started_at) * 0.8:
        return DeadlineState.DUE_SOON
    return DeadlineState.ON_TIME


def brute_due(case: Case):
    running = [c.extended_due_at or c.due_at for c in CaseClock.objects.filter(case=case, stopped_at=None)]
    return min(running, default=None)


@pytest.fixture
def queue(worker, worker_b, officer):
    """45 open cases in county A (15 per state, distinct due dates), 3 in county B, 2 closed in county A."""
    cases = {state: [] for state in PLACES}
    for i in range(45):
        state = list(PLACES)[i % 3]
        case = complaint(worker, claims=TWO if i % 2 else WAGES)
        place(case, state, shift_minutes=i)
        cases[state].append(case)
    for _ in range(3):
        place(complaint(worker_b, claims=WAGES), DeadlineState.OVERDUE, shift_minutes=0)
    for _ in range(2):
        done = complaint(worker, claims=WAGES)
        services.case_not_accept(case=done, actor=officer, reason="不属于受理范围")
    return cases


def read(api, path, django_assert_max_num_queries, n=3):
    api.get(path)  # the session's first request writes its activity stamp (staff idle timeout)
    with django_assert_max_num_queries(n):
        response = api.get(path)
    assert response.status_code == 200, response.content[:300]
    return response.json()


def test_three_queries_per_page_whatever_its_size(
    queue, officer, api_as, settings, django_assert_max_num_queries
):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"  # as deployed
    api = api_as(officer)
    for state in [*DeadlineState.values, ""]:
        for page_size in (1, 20, 50):
            path = f"/api/v1/case-queue/?deadline={state}&page_size={page_size}"
            body = read(api, path, django_assert_max_num_queries)
            assert body["count"] == (15 if state else 45)
            assert len(body["results"]) == min(page_size, body["count"])


def test_each_state_lists_its_cases_nearest_deadline_first(queue, officer, api_as):
    api = api_as(officer)
    for state, cases in queue.items():
        body = api.get(f"/api/v1/case-queue/?deadline={state}&page_size=50").json()
        rows = body["results"]
        assert [r["id"] for r in rows] == [c.pk for c in cases]  # placed a minute apart, in order
        assert {r["deadline_state"] for r in rows} == {state}
        assert all(r["deadline_kind"] == "inspection_accept" for r in rows)
    everything = api.get("/api/v1/case-queue/?page_size=50").json()["results"]
    due = [r["deadline_at"] for r in everything]
    assert due == sorted(due)
    assert [r["deadline_state"] for r in everything[:15]] == [DeadlineState.OVERDUE] * 15


def test_rows_carry_the_claim_lines_and_no_complainant(queue, officer, api_as):
    row = api_as(officer).get("/api/v1/case-queue/?deadline=on_time").json()["results"][1]
    case = Case.objects.get(pk=row["id"])
    assert (row["claims_count"], Decimal(row["claims_amount"])) == (2, Decimal("2500.50"))
    assert row["number"] == case.number and row["county"] == case.scope_unit.code
    assert "complainant" not in row and "facts" not in row


def test_only_open_cases_of_the_readers_scope(queue, officer, officer_b, city_staff, api_as):
    assert api_as(officer).get("/api/v1/case-queue/").json()["count"] == 45  # not B's, not the closed ones
    assert api_as(officer_b).get("/api/v1/case-queue/").json()["count"] == 3
    assert api_as(city_staff).get("/api/v1/case-queue/?deadline=overdue").json()["count"] == 18


def test_people_without_a_staff_scope_are_refused(queue, worker, api_as, api):
    assert api_as(worker).get("/api/v1/case-queue/").status_code == 403
    assert api.get("/api/v1/case-queue/").status_code in (401, 403)


def test_the_filter_agrees_with_the_per_case_rule(queue, officer, worker):
    """A case with two running clocks: the nearest decides (mediation due soon while the handling clock
    is on time); every open case's state by ``deadline_q`` and ``deadline_state_of`` equals the brute force
    from its clocks."""
    case = queue[DeadlineState.ON_TIME][0]
    services.case_accept(case=case, actor=officer)
    services.case_mediate(case=case, actor=officer)
    running = list(CaseClock.objects.running().filter(case=case).order_by("pk"))
    assert len(running) == 2
    place_clock = running[1]
    now = timezone.now()
    CaseClock.objects.filter(pk=place_clock.pk).update(
        started_at=now - dt.timedelta(days=9), due_at=now + dt.timedelta(hours=2)
    )
    CaseClock.objects.filter(pk=running[0].pk).update(
        started_at=now - dt.timedelta(days=1), due_at=now + dt.timedelta(days=40)
    )
    services.case_deadline_refresh(case)
    now = timezone.now()
    for state in DeadlineState.values:
        ids = set(Case.objects.open().filter(selectors.deadline_q(state, now)).values_list("pk", flat=True))
        expected = {c.pk for c in Case.objects.open() if brute_state(c, now) == state}
        assert ids == expected, state
        assert {c.pk for c in Case.objects.open() if selectors.deadline_state_of(c, now) == state} == expected
    assert case.pk in set(
        Case.objects.filter(selectors.deadline_q(DeadlineState.DUE_SOON, now)).values_list("pk", flat=True)
    )
    assert Case.objects.get(pk=case.pk).status == CaseStatus.MEDIATING
