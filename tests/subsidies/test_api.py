"""The subsidies API: programs are public reading; decisions are the person's own or the county's; imports are
staff's. Anonymous, outsider (404), wrong role (403), happy path."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from accounts.choices import Role
from subsidies.models import ContributionImport, ProgramType
from subsidies.services.eligibility import assess

from ..accounts.factories import UserFactory
from .factories import program

pytestmark = pytest.mark.django_db


def test_programs_are_public_with_their_parameter_rows(api, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        body = api.get("/api/v1/subsidy-programs/").json()
    rows = body["results"] if isinstance(body, dict) else body
    si = next(r for r in rows if r["code"] == "flexible_social_insurance")
    assert si["eligibility_strategy"] == "flexible_social_insurance" and si["dedup_strategy"] == "month_limit"
    assert si["parameters"][0]["ratio"] == "2/3" and si["parameters"][0]["max_months"] == 36
    assert (
        api.get("/api/v1/subsidy-programs/gig_accident_insurance/").json()["parameters"][0]["yearly_cap"]
        == "100.00"
    )
    assert api.post("/api/v1/subsidy-programs/", {}).status_code in (401, 403, 405)


def test_decisions_are_the_persons_own_and_the_countys(api, api_as, county_a, county_b, officer, officer_b):
    worker = UserFactory(
        scope_unit=county_a, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M"
    )
    worker_b = UserFactory(
        scope_unit=county_b, roles=[Role.WORKER], birth_date=dt.date(1980, 6, 15), gender="M"
    )
    mine = assess(worker, program(), dt.date(2026, 3, 1)).stored
    theirs = assess(worker_b, program(), dt.date(2026, 3, 1)).stored
    assert api.get("/api/v1/subsidy-decisions/").status_code in (401, 403)
    listed = api_as(worker).get("/api/v1/subsidy-decisions/").json()["results"]
    assert [d["id"] for d in listed] == [mine.pk]
    assert listed[0]["eligible"] is None and {n[0] for n in listed[0]["needs"]} >= {
        "category",
        "contribution",
    }
    assert api_as(worker).get(f"/api/v1/subsidy-decisions/{theirs.pk}/").status_code == 404
    assert [d["id"] for d in api_as(officer).get("/api/v1/subsidy-decisions/").json()["results"]] == [mine.pk]
    assert api_as(officer_b).get(f"/api/v1/subsidy-decisions/{mine.pk}/").status_code == 404


def test_imports_are_for_staff(api, api_as, worker, officer, city_staff):
    row = ContributionImport.objects.create(file="a.csv", file_name="a.csv", uploaded_by=city_staff)
    assert api.get("/api/v1/subsidy-contribution-imports/").status_code in (401, 403)
    assert api_as(worker).get("/api/v1/subsidy-contribution-imports/").status_code == 403
    body = api_as(city_staff).get(f"/api/v1/subsidy-contribution-imports/{row.pk}/").json()
    assert (body["status"], body["rows_done"], body["rows_total"]) == ("queued", 0, 0)
    # an import by city staff (no county) is outside a county officer's scope
    assert api_as(officer).get(f"/api/v1/subsidy-contribution-imports/{row.pk}/").status_code == 404


def test_a_program_names_only_registered_strategies():
    bad = ProgramType(
        code="x",
        name="x",
        eligibility_strategy="nope",
        amount_strategy="share_of_premium",
        dedup_strategy="yearly_cap",
        cycle_strategy="yearly",
    )
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert set(error.value.message_dict) == {"eligibility_strategy"}
