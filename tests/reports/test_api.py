"""The pull API: personas and scope (404 for another county's or the city's org unit), the long form, field
errors, ETag → 304, CSV with a BOM and XLSX read back with openpyxl."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from jobs.models import WorkerProfile
from reports import orgunits, services
from reports.models import Fact, Indicator

from ..jobs.factories import make_worker
from .factories import SHANGHAI

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/values/"
NOVEMBER = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def facts(county_a, county_b):
    for unit, n in ((county_a, 1), (county_b, 2)):
        for _ in range(n):
            WorkerProfile.objects.filter(user=make_worker(unit=unit)).update(created_at=NOVEMBER)
    services.compute("202611")
    return county_a, county_b


def _value(rows, indicator, org_unit):
    (row,) = [r for r in rows if r["indicator"] == indicator and r["org_unit"] == org_unit]
    return row["value"]


def test_values_refuse_anonymous(api, facts):
    response = api.get(URL, {"period": "202611"})
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_error_is_the_json_error_shape_whatever_format_was_asked(api, api_as, worker, fmt, facts):
    # a download asked for without a token, by someone without the right, or with a bad period
    for client, query, status in (
        (api, {"period": "202611", "format": fmt}, 401),
        (api_as(worker), {"period": "202611", "format": fmt}, 403),
    ):
        response = client.get(URL, query)
        assert response.status_code == status
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] in ("not_authenticated", "permission_denied")


def test_values_refuse_a_worker(api_as, worker, facts):
    response = api_as(worker).get(URL, {"period": "202611"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_values_refuse_writes_but_the_push(api_as, city_staff, auditor, facts):
    # the one write is the push (test_push.py): an auditor may not; a malformed push is a field error
    assert api_as(auditor).post(URL, {"period": "202611"}).status_code == 403
    for method in ("put", "patch", "delete"):
        assert getattr(api_as(city_staff), method)(URL, {}).status_code in (403, 405)
    bad = api_as(city_staff).post(URL, {"period": "202611"}, format="json")
    assert bad.status_code == 400 and list(bad.json()["fields"]) == ["rows"]


def test_officer_sees_only_own_county_rows(api_as, officer, facts):
    response = api_as(officer).get(URL, {"period": "202611"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert {r["org_unit"] for r in rows} == {"370702"}
    # every additive computed indicator has its row; a ratio only where its denominator is not 0
    additive = set(Indicator.objects.filter(method="computed", additive=True).values_list("code", flat=True))
    assert additive <= {r["indicator"] for r in rows}
    assert len(rows) == Fact.objects.filter(period="202611", org_unit__code="370702").count()
    assert _value(rows, "workers_new", "370702") == "1.00"


@pytest.mark.parametrize("org_unit", ["370783", "city", "999999"])
def test_officer_gets_404_for_other_county_city_or_unknown(api_as, officer, facts, org_unit):
    response = api_as(officer).get(URL, {"period": "202611", "org_unit": org_unit})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_county_token_sees_own_county_and_404_for_another(api_client_a, facts):
    rows = api_client_a.get(URL, {"period": "202611"}).json()["results"]
    assert rows and {r["org_unit"] for r in rows} == {"370702"}
    assert api_client_a.get(URL, {"period": "202611", "org_unit": "370783"}).status_code == 404
    own = api_client_a.get(URL, {"period": "202611", "org_unit": "370702", "indicator": "workers_new"})
    assert [r["value"] for r in own.json()["results"]] == ["1.00"]


def test_city_wide_token_reads_the_city_and_every_county(api_client_city, facts):
    everything = api_client_city.get(URL, {"period": "202611"})
    assert everything.status_code == 200
    rows = everything.json()["results"]
    # every unit the reports are computed for, and the city
    assert {r["org_unit"] for r in rows} == {"city"} | {u.code for u in orgunits.units()}
    assert {"370702", "370783"} <= {r["org_unit"] for r in rows}
    assert len(rows) == Fact.objects.filter(period="202611").count()
    # the rule: the city's new workers are the sum of the counties' (1 + 2)
    assert _value(rows, "workers_new", "city") == "3.00"
    assert _value(rows, "workers_new", "370702") == "1.00"
    assert _value(rows, "workers_new", "370783") == "2.00"
    city = api_client_city.get(URL, {"period": "202611", "org_unit": "city"}).json()["results"]
    assert city and {r["org_unit"] for r in city} == {"city"}
    assert len(city) == Fact.objects.filter(period="202611", org_unit__isnull=True).count()
    for code in ("370702", "370783"):
        county = api_client_city.get(URL, {"period": "202611", "org_unit": code}).json()["results"]
        assert county and {r["org_unit"] for r in county} == {code}
        assert len(county) == Fact.objects.filter(period="202611", org_unit__code=code).count()


def test_county_token_gets_404_for_another_county_and_the_city(api_client_a, facts):
    for code in ("370783", "city"):
        response = api_client_a.get(URL, {"period": "202611", "org_unit": code})
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    rows = api_client_a.get(URL, {"period": "202611"}).json()["results"]
    assert {r["org_unit"] for r in rows} == {"370702"}
    assert len(rows) == Fact.objects.filter(period="202611", org_unit__code="370702").count()


def test_city_staff_and_auditor_see_every_unit_and_the_city(api_as, city_staff, auditor, facts):
    for person in (city_staff, auditor):
        rows = api_as(person).get(URL, {"period": "202611", "indicator": "workers_new"}).json()["results"]
        assert _value(rows, "workers_new", "city") == "3.00"
        assert _value(rows, "workers_new", "370783") == "2.00"
        assert len(rows) == Fact.objects.filter(period="202611", indicator__code="workers_new").count()
    city = api_as(city_staff).get(URL, {"period": "202611", "org_unit": "city"}).json()["results"]
    assert {r["org_unit"] for r in city} == {"city"}
    assert city[0]["org_unit_name"] == "全市"


def test_missing_period_and_unknown_indicator_are_field_errors(api_as, city_staff, facts):
    client = api_as(city_staff)
    missing = client.get(URL)
    assert missing.status_code == 400 and list(missing.json()["fields"]) == ["period"]
    bad = client.get(URL, {"period": "2026-11"})
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"
    unknown = client.get(URL, {"period": "202611", "indicator": "nope"})
    assert unknown.status_code == 400 and list(unknown.json()["fields"]) == ["indicator"]


def test_etag_and_if_none_match_give_304_until_the_figures_change(api_as, city_staff, facts):
    client = api_as(city_staff)
    first = client.get(URL, {"period": "202611"})
    etag = first["ETag"]
    assert first.status_code == 200 and etag
    again = client.get(URL, {"period": "202611"}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    WorkerProfile.objects.filter(user=make_worker(unit=facts[0])).update(created_at=NOVEMBER)
    services.compute("202611")
    changed = client.get(URL, {"period": "202611"}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_csv_has_a_bom_and_chinese_intact(api_as, city_staff, facts):
    response = api_as(city_staff).get(URL, {"period": "202611", "org_unit": "city", "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["indicator", "indicator_name", "unit"]
    workers = next(r for r in table[1:] if r[0] == "workers_new")
    assert workers[1] == "新增求职登记人数" and workers[6] == "全市" and workers[9] == "3.00"
    assert response["ETag"]
    assert (
        api_as(city_staff)
        .get(
            URL,
            {"period": "202611", "org_unit": "city", "format": "csv"},
            HTTP_IF_NONE_MATCH=response["ETag"],
        )
        .status_code
        == 304
    )


def test_xlsx_reads_back_with_openpyxl(api_as, city_staff, facts):
    response = api_as(city_staff).get(URL, {"period": "202611", "indicator": "workers_new", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "统计数据 202611"
    header, body = rows[1], rows[2:]
    assert header[:2] == ("indicator", "indicator_name")
    by_unit = {r[header.index("org_unit")]: r[header.index("value")] for r in body}
    assert (by_unit["city"], by_unit["370702"], by_unit["370783"]) == (3, 1, 2)  # numbers, not text
    assert len(body) == Fact.objects.filter(period="202611", indicator__code="workers_new").count()


def test_county_month_report_in_fixed_queries(api_client_a, facts, django_assert_max_num_queries):
    # measured 4 (token, its grants, the org unit, the facts); it must not grow with the rows
    with django_assert_max_num_queries(4):
        response = api_client_a.get(URL, {"period": "202611", "org_unit": "370702"})
    assert response.status_code == 200


def test_breakdown_rows_by_key(api_as, city_staff, county_a):
    from .factories import history

    history(county_a)
    services.compute("202610")
    client = api_as(city_staff)
    rows = client.get(
        URL, {"period": "202610", "indicator": "postings_new", "breakdown": "occupation"}
    ).json()
    assert rows["count"] > 0 and {r["breakdown"] for r in rows["results"]} == {"occupation"}
    totals = client.get(URL, {"period": "202610", "indicator": "postings_new", "breakdown": "total"}).json()
    assert {r["breakdown"] for r in totals["results"]} == {""}
    city = {r["breakdown_value"]: r["value"] for r in rows["results"] if r["org_unit"] == "city"}
    assert city == {
        "cleaner": "1.00",
        "electrician": "1.00",
    }  # index 1 (electrician) and 2 (cleaner) in October
