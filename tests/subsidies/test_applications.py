"""The application workflow (ADR 0030): submit (the worker, or the counter for them) → county review → city
review → public notice (an objection upheld returns it) → approved with its entitlements; separation of
duties; the budget; de-duplication; county scope. Expected figures come from the rule (the calculator's
2/3 of the contributions, capped), not from the code's output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache

from accounts.choices import Role
from core.calendar import add_working_days
from core.errors import DomainError, NotFound, NotPermitted, RateLimited
from subsidies.choices import ApplicationStatus as S
from subsidies.choices import EntitlementSource, ObjectionStatus
from subsidies.models import Application, ApplicationEvent, Budget, Entitlement, Objection
from subsidies.services.applications import (
    application_city_review,
    application_county_review,
    application_resubmit,
    application_submit,
    reviewers_of,
)
from subsidies.services.notice import in_notice, notices_conclude, objection_handle, objection_submit

from ..accounts.factories import UserFactory
from ..conftest import nothing_written
from .factories import certify, contribution, program, work_days

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)
# 2/3 × min(800 + 320 paid, 4,000 × 0.28 due on the lowest base = 1,120) = 746.67 (the seeded SI-2025-07 row)
MARCH_AMOUNT = Decimal("746.67")
NOW = dt.datetime(2026, 4, 7, 10, 0, tzinfo=dt.UTC)  # a Tuesday, after the March contributions are confirmed


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def person(county_a):
    person = UserFactory(
        scope_unit=county_a, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M"
    )
    certify(person)
    work_days(person, MARCH, 5)
    contribution(person, MARCH)
    return person


@pytest.fixture
def budget(county_a):
    return Budget.objects.create(
        program_type=program(), scope_unit=county_a, year=2026, amount=Decimal("10000.00"), notice="测试预算"
    )


@pytest.fixture
def city_reviewer(county_a):
    return UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF])


def submit(person, actor=None, **kw):
    return application_submit(actor=actor or person, person=person, program=program(), day=MARCH, **kw)


def test_the_whole_path_from_the_calculator_to_approval_with_an_objection_that_returns_it(
    person, officer, city_reviewer, budget
):
    app = submit(person)
    app.refresh_from_db()
    assert (app.status, app.amount_requested, app.period_start, app.period_end) == (
        S.SUBMITTED,
        MARCH_AMOUNT,
        MARCH,
        dt.date(2026, 3, 31),
    )
    assert app.decision.amount == MARCH_AMOUNT and app.assisted_by is None
    assert {r["code"] for r in app.dedup_reasons} >= {"month_limit", "no_duplicate"}

    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_reviewer, application=app, outcome="approve")
    app.refresh_from_db()
    assert app.status == S.PUBLIC_NOTICE
    assert (app.county_reviewer, app.city_reviewer, app.amount_approved) == (
        officer,
        city_reviewer,
        MARCH_AMOUNT,
    )
    assert app.notice_start == dt.date(2026, 4, 7)
    # five working days after the start day (not counted): 8, 9, 10, 13, 14 April 2026 (no holiday between)
    assert app.notice_end == add_working_days(dt.date(2026, 4, 7), 5) == dt.date(2026, 4, 14)
    assert list(in_notice()) == [app]

    # an anonymous objection, upheld by the county: back to returned, no entitlement
    objection = objection_submit(actor=None, application=app, text="申请人当月并未在本地灵活就业。")
    assert objection.submitted_by is None
    objection_handle(actor=officer, objection=objection, uphold=True, note="经核实部分用工记录存疑")
    app.refresh_from_db()
    objection.refresh_from_db()
    assert (app.status, objection.status, objection.handled_by) == (
        S.RETURNED,
        ObjectionStatus.UPHELD,
        officer,
    )
    assert "经核实部分用工记录存疑" in app.return_reason

    # submitted again, reviewed again by both levels, a new notice, which ends without objection
    application_resubmit(actor=person, application=app)
    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_reviewer, application=app, outcome="approve")
    app.refresh_from_db()
    assert app.status == S.PUBLIC_NOTICE
    assert notices_conclude(today=app.notice_end) == 0  # the last day of the notice is still in it
    assert notices_conclude(today=app.notice_end + dt.timedelta(days=1)) == 1
    app.refresh_from_db()
    assert app.status == S.APPROVED and app.approved_at is not None
    rows = list(Entitlement.objects.filter(application=app).values_list("month", "amount", "source"))
    assert rows == [(MARCH, MARCH_AMOUNT, EntitlementSource.APPLICATION)]
    # a second run changes nothing
    assert notices_conclude(today=app.notice_end + dt.timedelta(days=2)) == 0
    assert Entitlement.objects.filter(person=person).count() == 1
    path = list(app.events.order_by("at", "id").values_list("to_status", flat=True))
    assert path == [
        S.DRAFT, S.SUBMITTED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PUBLIC_NOTICE, S.RETURNED,
        S.SUBMITTED, S.COUNTY_REVIEW, S.CITY_REVIEW, S.PUBLIC_NOTICE, S.APPROVED,
    ]  # fmt: skip
    assert reviewers_of(app) == {officer.pk, city_reviewer.pk}


def test_the_same_officer_cannot_review_at_both_levels(person, county_a, budget):
    both = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF, Role.CITY_STAFF])
    app = submit(person)
    application_county_review(actor=both, application=app, outcome="approve")
    with nothing_written(), pytest.raises(NotPermitted) as refused:
        application_city_review(actor=both, application=app, outcome="approve")
    assert refused.value.status == 403 and refused.value.code == "separation_of_duties"
    app.refresh_from_db()
    assert (app.status, app.city_reviewer) == (S.CITY_REVIEW, None)


def test_an_approval_over_the_budget_is_refused_with_the_remaining_figure(
    person, officer, city_reviewer, county_a
):
    # ¥1,000 for the year, ¥500 already held by another application in notice: ¥500 left
    Budget.objects.create(program_type=program(), scope_unit=county_a, year=2026, amount=Decimal("1000.00"))
    other = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
    Application.objects.create(
        number="BT-held",
        person=other,
        program_type=program(),
        scope_unit=county_a,
        period_start=dt.date(2026, 2, 1),
        period_end=dt.date(2026, 2, 28),
        amount_requested=Decimal("500.00"),
        amount_approved=Decimal("500.00"),
        status=S.PUBLIC_NOTICE,
    )
    app = submit(person)
    with nothing_written(), pytest.raises(DomainError) as refused:
        application_county_review(actor=officer, application=app, outcome="approve")
    assert refused.value.code == "over_budget"
    assert "剩余 500.00 元" in refused.value.fields["amount_approved"][0]
    app.refresh_from_db()
    assert app.status == S.SUBMITTED
    # approving ¥500 fits exactly
    application_county_review(actor=officer, application=app, outcome="approve", amount="500")
    app.refresh_from_db()
    assert (app.status, app.amount_approved) == (S.CITY_REVIEW, Decimal("500.00"))


def test_a_second_application_for_the_same_person_and_month_is_refused(person, county_b, budget):
    submit(person)
    with nothing_written(), pytest.raises(DomainError) as refused:
        submit(person)
    assert refused.value.code == "duplicate" and "program" in refused.value.fields


def test_a_month_already_subsidised_is_refused_by_the_dedup_strategy(person):
    Entitlement.objects.create(
        person=person,
        program_type=program(),
        month=MARCH,
        amount=Decimal("700"),
        source=EntitlementSource.LEGACY,
    )
    with nothing_written(), pytest.raises(DomainError) as refused:
        submit(person)
    assert refused.value.code == "not_eligible"
    assert "2026-03" in refused.value.fields["program"][0]


def test_county_staff_of_another_county_get_404_and_workers_403(person, officer_b, worker, budget):
    app = submit(person)
    with nothing_written(), pytest.raises(NotFound):
        application_county_review(actor=officer_b, application=app, outcome="approve")
    with nothing_written(), pytest.raises((NotFound, NotPermitted)):
        application_county_review(actor=worker, application=app, outcome="approve")
    assert not Application.objects.visible_to(officer_b).filter(pk=app.pk).exists()
    assert Application.objects.visible_to(person).filter(pk=app.pk).exists()


def test_a_worker_cannot_apply_for_someone_else_but_the_counter_can(person, worker, officer):
    with nothing_written(), pytest.raises(NotPermitted):
        submit(person, actor=worker)
    app = submit(person, actor=officer)
    assert app.assisted_by == officer
    event = ApplicationEvent.objects.get(application=app, to_status=S.SUBMITTED)
    assert (event.actor, event.on_behalf_of) == (officer, person)


def test_return_and_reject_need_a_reason_and_a_city_review_cannot_skip_the_county(
    person, officer, city_reviewer, budget
):
    app = submit(person)
    with nothing_written(), pytest.raises(DomainError) as refused:
        application_county_review(actor=officer, application=app, outcome="return")
    assert "reason" in refused.value.fields
    with nothing_written(), pytest.raises(DomainError) as refused:
        application_city_review(actor=city_reviewer, application=app, outcome="approve")
    assert refused.value.status == 409
    application_county_review(actor=officer, application=app, outcome="reject", reason="材料不实")
    app.refresh_from_db()
    assert (app.status, app.reject_reason) == (S.REJECTED, "材料不实")


def test_anonymous_objections_are_rate_limited_and_only_during_the_notice(
    person, officer, city_reviewer, budget, settings
):
    settings.LINGONG_SUBSIDY_OBJECTION_ANON_LIMIT = 2
    cache.clear()
    app = submit(person)
    with pytest.raises(NotFound):  # not on the notice yet
        objection_submit(actor=None, application=app, text="异议")
    application_county_review(actor=officer, application=app, outcome="approve")
    application_city_review(actor=city_reviewer, application=app, outcome="approve")
    objection_submit(actor=None, application=app, text="异议一")
    objection_submit(actor=None, application=app, text="异议二")
    with nothing_written(), pytest.raises(RateLimited):
        objection_submit(actor=None, application=app, text="异议三")
    objection_submit(actor=UserFactory(roles=[Role.WORKER]), application=app, text="实名异议")
    assert Objection.objects.filter(application=app).count() == 3
    # an open objection holds the conclusion; dismissed, the notice concludes
    app.refresh_from_db()
    after = app.notice_end + dt.timedelta(days=1)
    assert notices_conclude(today=after) == 0
    for objection in Objection.objects.filter(application=app):
        objection_handle(actor=city_reviewer, objection=objection, uphold=False, note="不成立")
    assert notices_conclude(today=after) == 1
    app.refresh_from_db()
    assert app.status == S.APPROVED


# --- concurrency (PostgreSQL) -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_city_approvals_never_overspend_the_budget(postgres_transactional, county_a, monkeypatch):
    import threading

    from django.db import connections

    monkeypatch.setattr("subsidies.services.applications.notify", lambda *a, **k: None)
    # ¥1,000 for the year, five applications of ¥300 each in city review: three fit (¥900), two are refused
    Budget.objects.create(program_type=program(), scope_unit=county_a, year=2026, amount=Decimal("1000.00"))
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    reviewer = UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF])
    apps = [
        Application.objects.create(
            number=f"BT-race-{i}",
            person=UserFactory(scope_unit=county_a, roles=[Role.WORKER]),
            program_type=program(),
            scope_unit=county_a,
            period_start=dt.date(2026, 3, 1),
            period_end=dt.date(2026, 3, 31),
            amount_requested=Decimal("300.00"),
            amount_approved=Decimal("300.00"),
            county_reviewer=officer,
            status=S.CITY_REVIEW,
        )
        for i in range(5)
    ]
    barrier = threading.Barrier(len(apps))
    results: list = [None] * len(apps)

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = application_city_review(actor=reviewer, application=apps[i], outcome="approve")
        except Exception as exc:  # reported to the test through results
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(apps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(refused) == 2 and {r.code for r in refused} == {"over_budget"}, results
    assert all("剩余 100.00 元" in r.fields["amount_approved"][0] for r in refused)
    assert Application.objects.filter(status=S.PUBLIC_NOTICE).count() == 3
    assert Budget.objects.get().remaining() == Decimal("100.00")
