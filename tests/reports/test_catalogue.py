"""The indicator catalogue: seeded as data, public on the API and on a documentation page, and every
computed indicator has a calculator (and every calculator an indicator)."""

from __future__ import annotations

import pytest

from reports.catalogue import ROWS
from reports.models import Indicator

pytestmark = pytest.mark.django_db

REQUIRED = {
    "workers_new",
    "workers_total",
    "employers_new",
    "employers_total",
    "postings_new",
    "hires",
    "work_orders_settled",
    "wages_paid",
    "counter_services",
    "complaints_received",
    "complaints_closed",
    "trainees_enrolled",
    "trainees_completed",
    # supply and demand as it was (ADR 0041)
    "postings_valid",
    "demand_valid",
    "demand_new",
    "seekers_valid",
    "seekers_new",
    "demand_seeker_ratio",
    "services_total",
    "counter_services_share",
}


def test_catalogue_seeded_with_the_required_indicators():
    codes = set(Indicator.objects.values_list("code", flat=True))
    assert REQUIRED <= codes
    assert len(codes) == len(ROWS)
    row = Indicator.objects.get(code="wages_paid")
    assert (row.unit, row.source_app, row.method, row.additive) == ("yuan", "work", "computed", True)
    assert Indicator.objects.get(code="workers_total").stock is True
    assert Indicator.objects.get(code="urban_new_employment").method == "submitted"
    ratio = Indicator.objects.get(code="demand_seeker_ratio")
    assert (ratio.unit, ratio.method, ratio.additive, ratio.breakdowns) == (
        "ratio",
        "computed",
        False,
        ["occupation"],
    )
    share = Indicator.objects.get(code="counter_services_share")
    assert (share.unit, share.additive) == ("percent", False) and "全部渠道服务人次" in share.definition


def test_ratio_indicators_name_computed_indicators_and_are_not_additive():
    from reports.calculators import CALCULATORS, RATIOS

    for code, ratio in RATIOS.items():
        assert {ratio.numerator, ratio.denominator} <= set(CALCULATORS), code
        assert Indicator.objects.get(code=code).additive is False


def test_indicator_list_is_public_and_ordered(api):
    response = api.get("/api/v1/reports/indicators/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["code"] for r in rows] == list(
        Indicator.objects.order_by("sort", "code").values_list("code", flat=True)
    )
    hires = next(r for r in rows if r["code"] == "hires")
    assert hires["name"] == "录用人次" and hires["name_en"] == "Hires" and hires["method"] == "computed"
    assert "occupation" in hires["breakdowns"]


def test_indicator_detail_by_code(api):
    response = api.get("/api/v1/reports/indicators/complaints_closed/")
    assert response.status_code == 200
    assert response.json()["source_app"] == "disputes"
    assert api.get("/api/v1/reports/indicators/nope/").status_code == 404


def test_indicator_list_refuses_writes(api_as, city_staff):
    assert api_as(city_staff).post("/api/v1/reports/indicators/", {"code": "x"}).status_code in (403, 405)


def test_documentation_page_lists_every_indicator(client):
    response = client.get("/reports/indicators/")
    assert response.status_code == 200
    body = response.content.decode()
    for code, name, *_ in ROWS:
        assert code in body and name in body
