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
    # markets, fairs, training outcomes, complaints on time, wages recovered, subsidies (issue 18)
    "markets_operating",
    "market_inspections",
    "inspection_findings",
    "markets_suspended",
    "markets_banned",
    "fairs_held",
    "fair_attendees",
    "fair_hires",
    "trainees_certified",
    "trainees_employed_3m",
    "complaints_closed_on_time",
    "wages_recovered",
    "subsidy_applications",
    "subsidy_approvals",
    "subsidy_paid",
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


def test_every_breakdown_the_catalogue_lists_is_computed():
    """The catalogue never promises more than is there: a computed indicator's ``breakdowns`` (as seeded and
    as the migrations left the rows) are exactly the breakdowns its calculator computes — for a ratio, the
    breakdowns both its parts compute (its cells come from theirs)."""
    from reports.calculators import BREAKDOWNS, RATIOS

    def computed(code):
        if code in RATIOS:
            ratio = RATIOS[code]
            return set(BREAKDOWNS.get(ratio.numerator, {})) & set(BREAKDOWNS.get(ratio.denominator, {}))
        return set(BREAKDOWNS.get(code, {}))

    rows = Indicator.objects.filter(method="computed")
    assert rows.count() > 30
    for row in rows:
        assert set(row.breakdowns) == computed(row.code), row.code
    for code, _name, _name_en, _unit, _app, breakdowns, method, *_rest in ROWS:
        if method == "computed":
            assert set(breakdowns) == computed(code), code


def test_new_indicators_stock_flow_units_and_programs():
    rows = {i.code: i for i in Indicator.objects.filter(code__in=REQUIRED)}
    assert rows["markets_operating"].stock is True  # at the period's end
    assert not any(
        rows[c].stock for c in REQUIRED - {"markets_operating", "workers_total", "employers_total"}
    )
    assert (rows["market_inspections"].unit, rows["fairs_held"].unit) == ("times", "times")
    assert (rows["wages_recovered"].unit, rows["subsidy_paid"].unit) == ("yuan", "yuan")
    for code in ("subsidy_applications", "subsidy_approvals", "subsidy_paid"):
        assert rows[code].breakdowns == ["program"] and rows[code].source_app == "subsidies"
    assert all(rows[c].additive for c in REQUIRED - {"demand_seeker_ratio", "counter_services_share"})


def test_median_definitions_say_no_rows_is_no_figure():
    for code in ("wages_paid_median_daily", "complaints_median_days_to_close"):
        definition = Indicator.objects.get(code=code).definition
        assert "不发布该项" in definition and "的单位记为 0。" not in definition


def test_migration_0007_trims_breakdowns_and_rewords_unedited_median_definitions():
    """On a database seeded before: the breakdowns promised but never computed are dropped, the medians'
    old "记为 0" wording is replaced, and a definition staff edited is left as it is."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0008_markets_fairs_subsidies_indicators")
    Indicator.objects.filter(code="employers_new").update(breakdowns=["gender", "age_band"])
    Indicator.objects.filter(code="wages_paid_median_daily").update(
        definition="统计期内……中位数。期内无此类用工单的单位记为 0。"
    )
    Indicator.objects.filter(code="complaints_median_days_to_close").update(definition="县里改过的口径。")
    Indicator.objects.filter(code="subsidy_paid").delete()
    migration.forwards(apps, None)
    assert Indicator.objects.get(code="employers_new").breakdowns == []
    wage = Indicator.objects.get(code="wages_paid_median_daily").definition
    assert wage == next(row[9] for row in ROWS if row[0] == "wages_paid_median_daily")
    assert Indicator.objects.get(code="complaints_median_days_to_close").definition == "县里改过的口径。"
    assert Indicator.objects.get(code="subsidy_paid").breakdowns == ["program"]


def test_migration_0010_adds_the_people_breakdowns_and_extends_unedited_definitions():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("reports.migrations.0010_people_breakdowns")
    rows = {row[0]: row for row in ROWS}
    seeded = rows["hires"][9][: rows["hires"][9].index("按性别、年龄段")]
    Indicator.objects.filter(code="hires").update(breakdowns=["occupation"], definition=seeded)
    Indicator.objects.filter(code="workers_new").update(breakdowns=[], definition="县里改过的口径。")
    migration.forwards(apps, None)
    hires, workers = Indicator.objects.get(code="hires"), Indicator.objects.get(code="workers_new")
    assert (hires.breakdowns, hires.definition) == (["occupation", "gender", "age_band"], rows["hires"][9])
    assert (workers.breakdowns, workers.definition) == (["gender", "age_band"], "县里改过的口径。")
    migration.backwards(apps, None)
    hires.refresh_from_db()
    assert (hires.breakdowns, hires.definition) == (["occupation"], seeded)
