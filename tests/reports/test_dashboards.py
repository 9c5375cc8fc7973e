"""The staff dashboards (issue 18): personas and scope (another county's dashboard is 404, anonymous goes to
the login), the charts inline as SVG with no script, each chart's table holding the figures of the Fact rows
it was drawn from, the panel on the admin index, and the recompute started from the dashboard: queued,
audited, run to done with the compute's summary; refused while one of the same period is on its way
(the partial unique constraint); a DomainError from the compute ends the run failed with its message."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.choices import Role
from core.choices import AuditAction
from core.errors import Conflict
from core.models import AuditLog
from jobs.models import WorkerProfile
from reports import runs
from reports.choices import PeriodKind, RunStatus
from reports.models import Fact, Indicator, ReportRun
from reports.periods import parse_period

from ..accounts.factories import UserFactory
from ..jobs.factories import make_worker, occupation
from .factories import SHANGHAI

pytestmark = pytest.mark.django_db

PERIOD = "202610"
CITY_URL = "/reports/dashboard/"


def fact(code: str, period: str, unit, value, *, key: str = "", breakdown: str = "") -> Fact:
    p = parse_period(period)
    return Fact.objects.create(
        indicator=Indicator.objects.get(code=code),
        period=p.code,
        period_kind=PeriodKind.MONTH,
        period_start=p.start,
        period_end=p.end,
        org_unit=unit,
        breakdown_key=key,
        breakdown_value=breakdown,
        value=Decimal(value),
        source="computed",
        computed_at=timezone.now(),
    )


@pytest.fixture
def facts(county_a, county_b):
    """October 2026 and September 2026 figures for both counties and the city (the city's row the sum of
    the units' for the counts), and 求人倍率 by occupation."""
    occupation("cleaner"), occupation("electrician")  # the occupations' names for the ratio table
    figures = {
        # code: (county A, county B) in October; September is October minus one
        "workers_new": (5, 7),
        "postings_new": (3, 4),
        "hires": (2, 6),
        "wages_paid": ("1200.50", "800.00"),
    }
    for code, (a, b) in figures.items():
        for period, less in ((PERIOD, 0), ("202609", 1)):
            va, vb = Decimal(a) - less, Decimal(b) - less
            fact(code, period, county_a, va)
            fact(code, period, county_b, vb)
            fact(code, period, None, va + vb)
    fact("demand_seeker_ratio", PERIOD, None, "2.50", key="occupation", breakdown="cleaner")
    fact("demand_seeker_ratio", PERIOD, None, "0.75", key="occupation", breakdown="electrician")
    fact("demand_seeker_ratio", PERIOD, county_a, "3.00", key="occupation", breakdown="cleaner")
    fact("demand_seeker_ratio", PERIOD, county_b, "9.99", key="occupation", breakdown="cleaner")
    return county_a, county_b


def _chart(response, key):
    (chart,) = [c for c in response.context["charts"] if c.key == key]
    return chart


def _svgs(html: str) -> list[str]:
    return re.findall(r"<svg.*?</svg>", html, flags=re.S)


# --- pages, JavaScript off ----------------------------------------------------------------------------------


def test_city_dashboard_draws_inline_svg_with_no_script(client_as, city_staff, facts):
    response = client_as(city_staff).get(CITY_URL, {"period": PERIOD})

    assert response.status_code == 200
    html = response.content.decode()
    svgs = _svgs(html)
    assert len(svgs) == 3  # trend, comparison, ratio by occupation
    assert all("<script" not in svg for svg in svgs)
    assert not re.search(r"<script[^>]+src=\"(?!/static/)", html)  # no chart library from elsewhere
    assert "pygal" not in "".join(re.findall(r"<script[^>]*>", html))
    assert "<table" in html and "统计看板" in html


def test_city_tables_hold_the_figures_of_the_fact_rows(client_as, city_staff, facts):
    county_a, county_b = facts
    response = client_as(city_staff).get(CITY_URL, {"period": PERIOD})

    comparison = _chart(response, "comparison")
    assert comparison.rows == [[county_a.name, "5", "3", "2"], [county_b.name, "7", "4", "6"]]
    trend = _chart(response, "trend")
    assert len(trend.rows) == 24
    assert trend.rows[-1] == ["2026-10", "12", "7", "8", "2,000.50"]  # the city's row: the sum of the units'
    assert trend.rows[-2] == ["2026-09", "10", "5", "6", "1,998.50"]
    assert trend.rows[0] == ["2024-11", "—", "—", "—", "—"]  # no fact: a dash, not 0
    ratio = _chart(response, "ratio")
    assert ratio.rows == [["保洁员", "2.50"], ["电工", "0.75"]]  # highest first, the city's cells
    html = response.content.decode()
    assert '<th scope="row">' + county_b.name + '</th><td class="num">7</td>' in html
    # the figures are in the drawing too (each point's tooltip title)
    svg = _svgs(html)[2]
    assert "2.50" in svg and "0.75" in svg and "保洁员" in svg


def test_period_defaults_to_last_month_and_bad_period_falls_back(client_as, city_staff, facts):
    from reports.views import default_period

    staff = client_as(city_staff)
    assert staff.get(CITY_URL).context["period"] == default_period()
    response = staff.get(CITY_URL, {"period": "2026Q4"})
    assert response.status_code == 200 and response.context["period"] == default_period()
    assert "请选择一个月份" in response.content.decode()


def test_county_staff_see_their_unit_only(client_as, officer, facts):
    county_a, county_b = facts
    staff = client_as(officer)

    own = staff.get(f"/reports/dashboard/{county_a.code}/", {"period": PERIOD})
    assert own.status_code == 200
    assert [c.key for c in own.context["charts"]] == ["trend", "ratio"]  # no comparison of other counties
    assert _chart(own, "trend").rows[-1] == ["2026-10", "5", "3", "2", "1,200.50"]
    assert _chart(own, "ratio").rows == [["保洁员", "3.00"]]
    assert '<td class="num">9.99</td>' not in own.content.decode()  # county B's cell
    assert staff.get(f"/reports/dashboard/{county_b.code}/").status_code == 404
    assert staff.get("/reports/dashboard/999999/").status_code == 404
    city = staff.get(CITY_URL, {"period": PERIOD})  # the city's page: their own unit's
    assert (
        city.status_code == 302 and city["Location"] == f"/reports/dashboard/{county_a.code}/?period={PERIOD}"
    )


def test_city_staff_read_a_county_dashboard(client_as, city_staff, auditor, facts):
    county_a, county_b = facts
    response = client_as(city_staff).get(f"/reports/dashboard/{county_b.code}/", {"period": PERIOD})
    assert response.status_code == 200
    assert _chart(response, "ratio").rows == [["保洁员", "9.99"]]
    assert client_as(auditor).get(CITY_URL).status_code == 200


def test_anonymous_go_to_login_and_others_are_refused(client, client_as, worker, facts):
    response = client.get(CITY_URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/reports/dashboard/{facts[0].code}/").status_code == 302
    assert client_as(worker).get(CITY_URL).status_code == 403


def test_admin_index_links_the_dashboards(client_as, city_staff, officer, facts):
    county_a, _b = facts
    city = client_as(city_staff).get("/admin/").content.decode()
    assert 'href="/reports/dashboard/"' in city
    county = client_as(officer).get("/admin/").content.decode()
    assert (
        f'href="/reports/dashboard/{county_a.code}/"' in county and 'href="/reports/dashboard/"' not in county
    )


# --- recompute from the dashboard ---------------------------------------------------------------------------


@pytest.fixture
def raw(county_a):
    """One worker registered in county A in October."""
    WorkerProfile.objects.filter(user=make_worker(unit=county_a)).update(
        created_at=dt.datetime(2026, 10, 10, 9, 0, tzinfo=SHANGHAI)
    )
    return county_a


def test_city_staff_start_a_recompute_that_runs_to_done(
    client_as, city_staff, raw, django_capture_on_commit_callbacks
):
    staff = client_as(city_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post("/reports/runs/", {"period": PERIOD})

    run = ReportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/runs/{run.pk}/"
    assert (run.period, run.status, run.started_by) == (PERIOD, RunStatus.DONE, city_staff)
    assert run.indicators_total == run.indicators_done == run.summary["indicators"] > 0
    assert run.summary["created"] == Fact.objects.filter(period=PERIOD).count()
    assert run.finished_at is not None and run.error == ""
    assert Fact.objects.get(indicator__code="workers_new", period=PERIOD, org_unit=raw).value == 1
    log = AuditLog.objects.get(
        action=AuditAction.CREATE, content_type__model="reportrun", object_id=str(run.pk)
    )
    assert log.actor == city_staff and PERIOD in log.reason
    page = staff.get(response["Location"])
    assert page.status_code == 200 and page.context["refresh"] is None
    assert "已完成" in page.content.decode() and 'http-equiv="refresh"' not in page.content.decode()


def test_a_second_start_is_refused_while_one_is_running(client_as, city_staff, raw):
    running = ReportRun.objects.create(period=PERIOD, status=RunStatus.RUNNING, indicators_total=30)
    staff = client_as(city_staff)

    response = staff.post("/reports/runs/", {"period": PERIOD}, follow=True)

    assert ReportRun.objects.count() == 1
    assert "正在重新计算" in response.content.decode()
    page = staff.get(CITY_URL, {"period": PERIOD})
    html = page.content.decode()
    assert page.context["run"] == running and 'http-equiv="refresh"' in html
    assert "已计算 0 / 30 个指标" in html
    # another month may start
    staff.post("/reports/runs/", {"period": "202609"})
    assert ReportRun.objects.filter(period="202609").count() == 1


def test_a_run_whose_worker_died_is_ended_by_the_next_start(client_as, city_staff, raw, settings):
    """Running for longer than LINGONG_REPORT_RUN_TIMEOUT_MINUTES: its worker died. The page stops waiting
    for it and offers the start again; the start ends it failed (timed out) and queues a new run."""
    settings.LINGONG_REPORT_RUN_TIMEOUT_MINUTES = 60
    long_ago = timezone.now() - dt.timedelta(minutes=61)
    dead = ReportRun.objects.create(
        period=PERIOD, status=RunStatus.RUNNING, indicators_total=30, created_at=long_ago, started_at=long_ago
    )
    queued_recently = ReportRun.objects.create(
        period="202609", status=RunStatus.QUEUED, created_at=timezone.now() - dt.timedelta(minutes=59)
    )
    staff = client_as(city_staff)
    page = staff.get(CITY_URL, {"period": PERIOD})
    html = page.content.decode()
    assert page.context["run"] == dead and page.context["refresh"] is None
    assert "已超过时限仍未完成" in html
    assert f"重新计算 {PERIOD}</button>" in html and "disabled>" not in html

    response = staff.post("/reports/runs/", {"period": PERIOD})

    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and "60 分钟" in dead.error and dead.finished_at is not None
    new = ReportRun.objects.filter(period=PERIOD, status=RunStatus.QUEUED).get()
    assert response["Location"] == f"/reports/runs/{new.pk}/"
    # a run of another month, younger than the limit, is left alone
    queued_recently.refresh_from_db()
    assert queued_recently.status == RunStatus.QUEUED
    with pytest.raises(Conflict):
        runs.run_start(period="202609", actor=city_staff)


def test_the_constraint_refuses_two_active_runs_of_a_period(city_staff):
    ReportRun.objects.create(period=PERIOD, status=RunStatus.QUEUED)
    ReportRun.objects.create(period=PERIOD, status=RunStatus.DONE)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportRun.objects.create(period=PERIOD, status=RunStatus.RUNNING)
    with pytest.raises(Conflict) as refused:
        runs.run_start(period=PERIOD, actor=city_staff)
    assert refused.value.status == 409 and "正在重新计算" in str(refused.value.message)


def test_a_domain_error_of_the_compute_ends_the_run_failed(client_as, city_staff, raw, monkeypatch):
    def locked(period, **kwargs):
        raise Conflict("统计期 202610 已锁定，不能重新计算。")

    monkeypatch.setattr("reports.services.compute", locked)
    run = runs.run_start(period=PERIOD, actor=city_staff)
    runs.run_execute(run.pk)

    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "统计期 202610 已锁定，不能重新计算。")
    assert run.finished_at is not None
    page = client_as(city_staff).get(f"/reports/runs/{run.pk}/")
    assert page.status_code == 200 and "已锁定" in page.content.decode()
    # the failed run does not block the next one
    assert runs.run_start(period=PERIOD, actor=city_staff).status == RunStatus.QUEUED


def test_an_unexpected_error_still_ends_the_run(city_staff, raw, monkeypatch):
    monkeypatch.setattr("reports.services.compute", lambda period, **kw: 1 / 0)
    run = runs.run_start(period=PERIOD, actor=city_staff)
    runs.run_execute(run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "ZeroDivisionError" in run.error
    assert runs.run_execute(run.pk) is None  # not queued any more: a second delivery does nothing


def test_only_city_staff_start_a_recompute(client_as, officer, auditor, raw):
    for person in (officer, auditor):
        assert client_as(person).post("/reports/runs/", {"period": PERIOD}).status_code == 403
    assert not ReportRun.objects.exists()
    assert client_as(officer).get("/reports/runs/1/").status_code == 403
    county_only = UserFactory(scope_unit=raw, roles=[Role.COUNTY_STAFF])
    page = client_as(county_only).get(f"/reports/dashboard/{raw.code}/").content.decode()
    assert 'action="/reports/runs/"' not in page and "run-box" not in page


def test_a_quarter_or_a_bad_period_is_refused(city_staff):
    from core.errors import DomainError

    for bad in ("2026Q4", "202613", ""):
        with pytest.raises(DomainError):
            runs.run_start(period=bad, actor=city_staff)
    assert not ReportRun.objects.exists()
