"""The push (ADR 0043): a county token submits the indicators the portal cannot compute as idempotent upserts;
dry run writes nothing; the same payload twice creates once; an unknown or computed indicator, or a locked
period, answers 409 with the row and writes nothing; another county's unit is 404; the city's figure of an
additive submitted indicator is the sum of its units'; long caching for accepted periods."""

from __future__ import annotations

import datetime as dt

import pytest

from core.models import AuditLog
from reports import approvals, services
from reports.models import Fact

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/values/"
DECEMBER_2 = dt.date(2026, 12, 2)


def _payload(*rows, dry_run=False):
    return {"dry_run": dry_run, "rows": list(rows)}


def _row(value="120", org_unit="370702", indicator="urban_new_employment", period="202611", **extra):
    return {"indicator": indicator, "period": period, "org_unit": org_unit, "value": value, **extra}


def _submitted():
    return Fact.objects.filter(source="submitted")


def test_dry_run_writes_nothing_and_reports_what_would_happen(api_client_a, county_a):
    response = api_client_a.post(URL, _payload(_row(), dry_run=True), format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["dry_run"] is True and (body["created"], body["updated"], body["ignored"]) == (1, 0, 0)
    assert body["rows"][0]["result"] == "created"
    assert not _submitted().exists()


def test_the_same_payload_twice_creates_once_then_ignores(api_client_a, county_a):
    first = api_client_a.post(URL, _payload(_row("120"), _row("7", period="202610")), format="json")
    assert first.status_code == 200 and first.json()["created"] == 2
    assert _submitted().count() == 2
    stamp = list(_submitted().order_by("pk").values_list("pk", "value", "computed_at"))
    again = api_client_a.post(URL, _payload(_row("120"), _row("7", period="202610")), format="json")
    assert again.json()["created"] == 0 and again.json()["ignored"] == 2
    assert list(_submitted().order_by("pk").values_list("pk", "value", "computed_at")) == stamp
    changed = api_client_a.post(URL, _payload(_row("125.5")), format="json")
    assert changed.json()["updated"] == 1 and changed.json()["rows"][0]["before"] == "120.00"
    fact = Fact.objects.get(indicator__code="urban_new_employment", period="202611", org_unit=county_a)
    assert fact.value == pytest.approx(125.5) and fact.source == "submitted" and fact.period_kind == "month"
    assert AuditLog.objects.filter(action="update", after__push="reports.fact").count() == 2


def test_an_unknown_or_computed_indicator_is_409_with_the_row_and_nothing_is_written(api_client_a, county_a):
    response = api_client_a.post(
        URL,
        _payload(_row(), _row(indicator="no_such_code"), _row(indicator="workers_new")),
        format="json",
    )
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "push_conflict"
    assert set(body["fields"]["rows"]) == {"1", "2"}
    assert "no_such_code" in body["fields"]["rows"]["1"]["indicator"][0]
    assert "indicator" in body["fields"]["rows"]["2"]
    assert not _submitted().exists()  # the good first row neither


def test_a_locked_period_is_409(api_client_a, county_a, officer):
    approvals.submit("202611", county_a.code, actor=officer, today=DECEMBER_2)
    response = api_client_a.post(URL, _payload(_row()), format="json")
    assert response.status_code == 409
    assert list(response.json()["fields"]["rows"]["0"]) == ["period"]
    assert not _submitted().exists()
    # the month after is open
    assert api_client_a.post(URL, _payload(_row(period="202612")), format="json").status_code == 200


def test_another_countys_unit_is_404_and_bad_values_are_field_errors(api_client_a, county_a, county_b):
    assert api_client_a.post(URL, _payload(_row(org_unit="370783")), format="json").status_code == 404
    assert api_client_a.post(URL, _payload(_row(org_unit="city")), format="json").status_code == 404
    bad = api_client_a.post(URL, _payload(_row(value="-1"), _row(period="2026-11")), format="json")
    assert bad.status_code == 400
    fields = bad.json()["fields"]["rows"]
    assert "value" in fields["0"] and "period" in fields["1"]  # the same shape as a conflict's rows
    assert not _submitted().exists()


def test_other_writes_by_a_token_stay_refused(api_client_a, county_a):
    response = api_client_a.post("/api/v1/postings/", {}, format="json")
    assert response.status_code == 403


def test_a_worker_may_not_push(api_as, worker):
    assert api_as(worker).post(URL, _payload(_row()), format="json").status_code == 403


def test_the_city_figure_of_a_submitted_indicator_is_the_sum_of_its_units(
    api_client_a, api_as, officer_b, county_a, county_b
):
    api_client_a.post(URL, _payload(_row("120")), format="json")
    api_as(officer_b).post(URL, _payload(_row("80", org_unit="370783")), format="json")
    services.compute("202611")
    city = Fact.objects.get(indicator__code="urban_new_employment", period="202611", org_unit=None)
    assert city.value == 200


def test_accepted_periods_are_cached_long_and_open_ones_briefly(
    api_client_a, county_a, county_b, officer, officer_b, city_staff
):
    services.compute("202611")
    open_response = api_client_a.get(URL, {"period": "202611"})
    assert open_response["Cache-Control"] == "private, max-age=60"
    approvals.submit("202611", county_a.code, actor=officer, today=DECEMBER_2)
    approvals.accept("202611", county_a.code, actor=city_staff)
    final = api_client_a.get(URL, {"period": "202611"})
    assert final["Cache-Control"] == "private, max-age=86400"
    # the city's view still holds open rows (寿光市, the city) until the city accepts
    assert api_as_city(city_staff).get(URL, {"period": "202611"})["Cache-Control"] == "private, max-age=60"


def api_as_city(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(user)
    return client
