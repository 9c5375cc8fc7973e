"""The subsidy applications phase of ``bench_data`` (issue 17) at size XS and the county review queue
scenario: applications across counties and programs in the workflow's statuses, each with exactly the events
of its path, reviewers who are two different people, the entitlements of the approved ones, budgets that hold
what is committed; the review queue's requests within three queries."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench import scenarios as bench_scenarios
from tests.conftest import ensure_divisions

APPLICATIONS_XS = 1_000
PHASES = "markets,employers,workers,postings,work,records,guidance,subsidies,subsidy_applications"


def _ensure_programs() -> None:
    """The program types seeded by subsidies 0002, restored after a transactional test's flush."""
    import importlib

    from django.apps import apps

    from subsidies.models import ProgramType

    if not ProgramType.objects.exists():
        importlib.import_module("subsidies.migrations.0002_seed_reference_data").seed(apps, None)


@pytest.fixture(scope="module")
def bench(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            ensure_divisions()
            _ensure_programs()
            call_command("bench_data", "--size", "XS", "--seed", "13", "--phases", PHASES, verbosity=0)
            yield {s.name: s for s in bench_scenarios.build(seed=13, variants=6)}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_applications_follow_their_workflow_path(bench, db):
    from subsidies.choices import ApplicationStatus as S
    from subsidies.models import APPLICATION_WORKFLOW, Application, ApplicationEvent

    apps = {a.pk: a for a in Application.objects.select_related("program_type")}
    assert len(apps) == APPLICATIONS_XS
    statuses = Counter(a.status for a in apps.values())
    assert set(statuses) == set(S.values) - {S.DISBURSED}  # every status but the payment bench's
    assert len({a.scope_unit_id for a in apps.values()}) > 1
    assert {a.program_type.code for a in apps.values()} == {
        "flexible_social_insurance",
        "gig_accident_insurance",
    }
    assert len({(a.person_id, a.program_type_id, a.period_start) for a in apps.values()}) == len(apps)
    paths: dict[int, list] = {}
    for row in ApplicationEvent.objects.order_by("application_id", "at", "id").values_list(
        "application_id", "from_status", "to_status", "actor_id", "at"
    ):
        paths.setdefault(row[0], []).append(row[1:])
    assert set(paths) == set(apps)
    for pk, path in paths.items():
        app = apps[pk]
        assert path[0][:2] == ("", S.DRAFT), path
        for (_, a, _actor, at), (b, c, _actor2, at2) in zip(path, path[1:], strict=False):
            assert a == b and c in APPLICATION_WORKFLOW.table[a] and at <= at2, (pk, path)
        assert path[-1][1] == app.status
        county = {actor for before, _to, actor, _at in path if before == S.COUNTY_REVIEW}
        city = {actor for before, _to, actor, _at in path if before == S.CITY_REVIEW}
        assert not county & city  # separation of duties
        if app.city_reviewer_id:
            assert app.county_reviewer_id and app.city_reviewer_id != app.county_reviewer_id
        if app.status == S.PUBLIC_NOTICE:
            assert app.notice_end >= app.notice_start
        if app.program_type.code == "flexible_social_insurance":
            assert app.period_start.day == 1 and app.created_at.date() > app.period_end
    assert statuses[S.APPROVED] and statuses[S.COUNTY_REVIEW] and statuses[S.SUBMITTED]


def test_amounts_entitlements_and_budgets_follow_the_rules(bench, db):
    from django.db.models import Sum

    from subsidies.choices import BUDGET_HOLDING_STATUSES
    from subsidies.choices import ApplicationStatus as S
    from subsidies.models import Application, Budget, ContributionMonth, Entitlement

    for app in Application.objects.filter(program_type__code="flexible_social_insurance")[:200]:
        month = ContributionMonth.objects.get(person_id=app.person_id, month=app.period_start)
        expected = ((month.pension_paid + month.medical_paid) * 2 / 3).quantize(Decimal("0.01"))
        assert app.amount_requested == expected
    for app in Application.objects.filter(program_type__code="gig_accident_insurance")[:200]:
        assert Decimal("0") < app.amount_requested <= Decimal("100.00")
    approved = Application.objects.filter(status=S.APPROVED)
    assert Entitlement.objects.filter(application__isnull=False).count() == approved.count()
    assert not Application.objects.filter(status=S.APPROVED, entitlements__isnull=True).exists()
    for budget in Budget.objects.all():
        held = Application.objects.filter(
            program_type=budget.program_type_id,
            scope_unit=budget.scope_unit_id,
            period_start__year=budget.year,
            status__in=BUDGET_HOLDING_STATUSES,
        ).aggregate(s=Sum("amount_approved"))["s"] or Decimal(0)
        assert budget.amount >= 2 * held and budget.committed() == held
    holding = Application.objects.filter(status__in=BUDGET_HOLDING_STATUSES)
    keys = {(a.program_type_id, a.scope_unit_id, a.period_start.year) for a in holding}
    assert keys <= set(Budget.objects.values_list("program_type_id", "scope_unit_id", "year"))


def test_resumable(bench, db):
    from subsidies.models import Application

    call_command(
        "bench_data", "--size", "XS", "--seed", "13", "--phases", "subsidy_applications", verbosity=0
    )
    assert Application.objects.count() == APPLICATIONS_XS


def test_review_scenario_within_three_queries(bench, db, settings):
    """County reviewers reading their queue: the reader, the count and the page — only their county's
    applications waiting for county review, oldest submitted first."""
    from accounts.models import User
    from subsidies.models import Application

    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    scenario = bench["review"]
    assert scenario.max_queries == 3 and len(scenario.requests) == 6
    found = 0
    for request in scenario.requests:
        reviewer = User.objects.get(pk=request.user_id)
        client = Client()
        client.force_login(reviewer)
        client.get(request.path)  # the session's first request writes its activity stamp
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(request.path, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content[:300]
        assert scenario.min_queries <= len(ctx.captured_queries) <= scenario.max_queries, request.path
        body = response.json()
        waiting = Application.objects.filter(
            scope_unit=reviewer.scope_unit_id, status__in=("submitted", "county_review")
        )
        if "program=" in request.path:
            waiting = waiting.filter(program_type__code=request.path.split("program=")[1].split("&")[0])
        assert body["count"] == waiting.count()
        rows = body["results"]
        assert {r["status"] for r in rows} <= {"submitted", "county_review"}
        assert [r["submitted_at"] for r in rows] == sorted(r["submitted_at"] for r in rows)
        found += len(rows)
    assert found
