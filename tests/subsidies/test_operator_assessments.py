"""Operator assessments (ADR 0033): computing is idempotent (a rerun replaces a draft in place, never a reviewed
one), the county task covers the county's opened markets only, staff review a draft once; the API, the admin
pages and the dashboard panel keep to the county scope (another county's assessment is a 404), per persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from core.choices import AuditAction
from core.errors import InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog, OutboxMessage
from markets.choices import MarketStatus
from subsidies.choices import AssessmentStatus
from subsidies.models import OperatorAssessment
from subsidies.services import operators as services
from subsidies.tasks import operator_assessments_county_task

from ..markets.factories import MarketFactory
from .operator_data import PERIOD, Generator

pytestmark = pytest.mark.django_db

START, END = PERIOD


@pytest.fixture
def gen():
    return Generator(seed=11)


@pytest.fixture
def market_a(gen, county_a):
    return gen.market(county_a, postings=4)


@pytest.fixture
def market_b(gen, county_b):
    return gen.market(county_b, postings=3)


def compute(market, actor):
    return services.operator_assessment_compute(
        market=market, period_start=START, period_end=END, actor=actor
    )


def _audits(row):
    return AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(OperatorAssessment), object_id=str(row.pk)
    )


def test_recomputing_replaces_the_draft_in_place_and_never_a_reviewed_one(market_a, officer, gen):
    first = compute(market_a, officer)
    assert first.status == AssessmentStatus.DRAFT
    assert list(first.events.values_list("from_status", "to_status")) == [("", "draft")]
    postings = first.figures["postings"]
    employer = market_a.postings.first().employer
    gen.posting(market_a, employer, gen.moment().replace(year=2026, month=8, day=3))
    again = compute(market_a, officer)
    again.refresh_from_db()
    assert again.pk == first.pk and OperatorAssessment.objects.filter(market=market_a).count() == 1
    assert again.figures["postings"] == postings + 1
    assert again.events.count() == 1  # a recomputation is no transition
    assert list(_audits(again).values_list("action", flat=True).order_by("id")) == [
        AuditAction.CREATE,
        AuditAction.UPDATE,
    ]

    services.operator_assessment_review(assessment=again, actor=officer, note="核对无误")
    gen.posting(market_a, employer, gen.moment().replace(year=2026, month=8, day=4))
    after = compute(market_a, officer)
    after.refresh_from_db()
    assert after.status == AssessmentStatus.REVIEWED
    assert after.figures["postings"] == postings + 1  # unchanged once reviewed


def test_review_moves_draft_to_reviewed_once_with_event_and_audit(market_a, officer):
    row = compute(market_a, officer)
    services.operator_assessment_review(assessment=row, actor=officer, note="核对无误")
    row.refresh_from_db()
    assert (row.status, row.reviewed_by, row.review_note) == ("reviewed", officer, "核对无误")
    event = row.events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.actor) == ("draft", "reviewed", officer)
    assert _audits(row).filter(action=AuditAction.TRANSITION).count() == 1
    with pytest.raises(InvalidTransition):
        services.operator_assessment_review(assessment=row, actor=officer)
    assert row.events.count() == 2


def test_review_is_404_outside_the_county_and_403_without_the_right(market_a, officer, officer_b, auditor):
    row = compute(market_a, officer)
    with pytest.raises(NotFound):
        services.operator_assessment_review(assessment=row, actor=officer_b)
    with pytest.raises(NotPermitted):
        services.operator_assessment_review(assessment=row, actor=auditor)
    row.refresh_from_db()
    assert row.status == AssessmentStatus.DRAFT and row.events.count() == 1


def test_compute_is_404_for_another_countys_officer(market_a, officer_b):
    with pytest.raises(NotFound):
        compute(market_a, officer_b)
    assert not OperatorAssessment.objects.exists()


def test_the_county_task_computes_every_opened_market_of_the_county_and_is_safe_twice(
    market_a, market_b, county_a, officer
):
    planned = MarketFactory(scope_unit=county_a, status=MarketStatus.PLANNED)
    suspended = MarketFactory(scope_unit=county_a, status=MarketStatus.SUSPENDED)
    ids = operator_assessments_county_task(county_a.pk, START.isoformat(), END.isoformat(), officer.pk)
    assert set(OperatorAssessment.objects.values_list("market_id", flat=True)) == {market_a.pk, suspended.pk}
    assert planned.pk not in set(OperatorAssessment.objects.values_list("market_id", flat=True))
    again = operator_assessments_county_task(county_a.pk, START.isoformat(), END.isoformat(), officer.pk)
    assert sorted(again) == sorted(ids) and OperatorAssessment.objects.count() == 2


def test_staff_start_a_countys_computation_through_the_outbox(county_a, officer, officer_b):
    services.operator_assessments_start(
        actor=officer, scope_unit_id=county_a.pk, period_start=START, period_end=END
    )
    row = OutboxMessage.objects.get(task="subsidies.tasks.operator_assessments_county_task")
    assert row.kwargs["scope_unit_id"] == county_a.pk and row.kwargs["period_start"] == "2026-07-01"
    with pytest.raises(NotFound):
        services.operator_assessments_start(
            actor=officer_b, scope_unit_id=county_a.pk, period_start=START, period_end=END
        )
    assert OutboxMessage.objects.filter(task="subsidies.tasks.operator_assessments_county_task").count() == 1


# --- API ------------------------------------------------------------------------------------------------

URL = "/api/v1/subsidy-operator-assessments/"


@pytest.fixture
def rows(market_a, market_b, city_staff):
    return compute(market_a, city_staff), compute(market_b, city_staff)


def test_api_list_refuses_anonymous_and_workers(api, api_as, worker, rows):
    assert api.get(URL).status_code == 401
    assert api_as(worker).get(URL).status_code == 403


def test_api_list_is_scoped_by_county_in_fixed_queries(
    api_as, officer, city_staff, rows, django_assert_max_num_queries
):
    a, b = rows
    client = api_as(officer)
    client.get(URL)  # the session and the permission cache, once
    with django_assert_max_num_queries(8):
        response = client.get(URL)
    assert response.status_code == 200
    assert [r["id"] for r in response.json()["results"]] == [a.pk]
    everyone = api_as(city_staff).get(URL).json()["results"]
    assert {r["id"] for r in everyone} == {a.pk, b.pk}
    assert api_as(city_staff).get(URL, {"county": "370783"}).json()["results"][0]["id"] == b.pk


def test_api_county_token_reads_its_county_only(api_client_a, rows):
    a, b = rows
    assert [r["id"] for r in api_client_a.get(URL).json()["results"]] == [a.pk]
    assert api_client_a.get(f"{URL}{b.pk}/").status_code == 404


def test_api_detail_has_figures_traces_and_checks_and_hides_other_county(api_as, officer, officer_b, rows):
    a, _b = rows
    body = api_as(officer).get(f"{URL}{a.pk}/").json()
    assert body["figures"]["postings"] == a.figures["postings"]
    assert body["traces"]["postings"][0]["model"] == "jobs.Posting"
    assert {c["code"] for c in body["checks"]} >= {"hire_without_application", "duplicate_work_orders"}
    response = api_as(officer_b).get(f"{URL}{a.pk}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_api_review_per_persona(api_as, officer, officer_b, auditor, rows):
    a, _b = rows
    assert api_as(auditor).post(f"{URL}{a.pk}/review/", {}).status_code == 403
    assert api_as(officer_b).post(f"{URL}{a.pk}/review/", {}).status_code == 404
    response = api_as(officer).post(f"{URL}{a.pk}/review/", {"note": "已核对"})
    assert response.status_code == 200 and response.json()["status"] == "reviewed"
    a.refresh_from_db()
    assert (a.status, a.reviewed_by, a.review_note) == ("reviewed", officer, "已核对")
    again = api_as(officer).post(f"{URL}{a.pk}/review/", {})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


# --- admin and the staff home ------------------------------------------------------------------------------


def test_admin_change_page_links_each_figure_to_its_rows(client_as, officer, rows):
    a, _b = rows
    page = client_as(officer).get(reverse("admin:subsidies_operatorassessment_change", args=[a.pk]))
    assert page.status_code == 200
    trace_url = reverse("admin:subsidies_operatorassessment_trace", args=[a.pk, "hires"])
    assert trace_url in page.content.decode()
    trace = client_as(officer).get(trace_url)
    assert trace.status_code == 200
    html = trace.content.decode()
    for pk in a.traces["hires"][0]["ids"]:
        assert reverse("admin:jobs_application_change", args=[pk]) in html


def test_admin_trace_page_hides_another_countys_assessment(client_as, officer_b, rows):
    a, _b = rows
    url = reverse("admin:subsidies_operatorassessment_trace", args=[a.pk, "hires"])
    assert client_as(officer_b).get(url).status_code == 404


def test_admin_compute_page_starts_the_task_for_a_county_and_quarter(client_as, officer, county_a, county_b):
    url = reverse("admin:subsidies_operatorassessment_compute")
    client = client_as(officer)
    assert client.get(url).status_code == 200
    refused = client.post(url, {"county": county_b.pk, "quarter": "2026Q3"})  # not in the officer's choices
    assert refused.status_code == 400
    response = client.post(url, {"county": county_a.pk, "quarter": "2026Q3"})
    assert response.status_code == 302
    row = OutboxMessage.objects.get(task="subsidies.tasks.operator_assessments_county_task")
    assert (row.kwargs["period_start"], row.kwargs["period_end"]) == ("2026-07-01", "2026-09-30")


def test_admin_review_action_reviews_the_selected_drafts(client_as, officer, rows):
    a, _b = rows
    response = client_as(officer).post(
        reverse("admin:subsidies_operatorassessment_changelist"),
        {"action": "review_selected", "_selected_action": [a.pk]},
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.status == AssessmentStatus.REVIEWED and a.reviewed_by == officer


def test_the_staff_home_shows_drafts_to_review_in_scope(client_as, officer, officer_b, rows):
    a, b = rows
    home = client_as(officer).get(reverse("admin:index")).content.decode()
    assert reverse("admin:subsidies_operatorassessment_change", args=[a.pk]) in home
    assert reverse("admin:subsidies_operatorassessment_change", args=[b.pk]) not in home
    assert reverse("admin:subsidies_operatorassessment_compute") in home


def test_a_period_that_ends_before_it_starts_is_a_field_error(market_a, officer):
    from core.errors import DomainError

    with pytest.raises(DomainError) as caught:
        services.operator_assessment_compute(
            market=market_a, period_start=END, period_end=START - dt.timedelta(days=1), actor=officer
        )
    assert "period_end" in caught.value.fields


def test_market_operators_and_auditors_read_but_only_staff_review(api_as, auditor, rows, market_a):
    from ..markets.factories import operator_user

    operator = operator_user(scope_unit=market_a.scope_unit)
    market_a.operator_links.create(user=operator)
    assert api_as(operator).get(URL).status_code == 403  # operators do not read the county's assessments
    assert {r["id"] for r in api_as(auditor).get(URL).json()["results"]} == {r.pk for r in rows}


def test_admin_recompute_action_replaces_drafts_and_leaves_reviewed_ones(
    client_as, officer, rows, gen, market_a
):
    a, _b = rows
    services.operator_assessment_review(assessment=a, actor=officer)
    before = dict(a.figures)
    employer = market_a.postings.first().employer
    gen.posting(market_a, employer, gen.moment().replace(year=2026, month=8, day=5))
    response = client_as(officer).post(
        reverse("admin:subsidies_operatorassessment_changelist"),
        {"action": "recompute_selected", "_selected_action": [a.pk]},
        follow=True,
    )
    assert "已复核，不再重算" in response.content.decode()
    a.refresh_from_db()
    assert a.figures == before


def test_a_scheme_that_scored_an_assessment_keeps_its_figures_in_the_admin(client_as, city_staff, rows):
    from subsidies.models import OperatorScheme

    scheme = OperatorScheme.objects.get(version="OPS-2025-07")
    page = client_as(city_staff).get(reverse("admin:subsidies_operatorscheme_change", args=[scheme.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert "amount_per_point" not in form.fields and "effective_to" in form.fields
