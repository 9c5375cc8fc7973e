"""The statistics dashboards by pages, in Chromium, from `/` (issue 18): a city staff member signs in, lands on
the admin's index, follows the panel's link to the city dashboard, sees the charts drawn as inline SVG and
their tables (county A's figure in the comparison table), and starts a recompute of the month, which the
worker (eager in tests) runs to done; the run page shows the summary. The stored run is checked. County staff
follow their panel link to their own county's dashboard. Screenshots go to /tmp/h31_shots/."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from tests.accounts.factories import UserFactory
from tests.reports.test_dashboards import fact

from .test_training_journey import Person

SHOTS = "/tmp/h31_shots"


class Shooter(Person):
    def shot(self, what: str) -> None:
        import os

        os.makedirs(SHOTS, exist_ok=True)
        self.page.screenshot(path=os.path.join(SHOTS, f"{what}.png"), full_page=True)


@pytest.fixture
def catalogue(db):
    """A transactional test starts with the tables flushed: the seeded catalogue back."""
    from django.apps import apps

    from reports.catalogue import seed_indicators

    seed_indicators(apps.get_model)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_city_staff_read_the_dashboard_and_recompute_the_month(
    chromium, live_server, county_a, county_b, catalogue
):
    from reports.choices import RunStatus
    from reports.models import Fact, ReportRun
    from reports.views import default_period
    from tests.jobs.factories import occupation

    period = default_period()
    occupation("cleaner")
    for unit, n in ((county_a, 4), (county_b, 9)):
        fact("workers_new", period.code, unit, n)
        fact("hires", period.code, unit, n - 1)
    fact("workers_new", period.code, None, 13)
    fact("demand_seeker_ratio", period.code, None, "1.25", key="occupation", breakdown="cleaner")
    boss = UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF], phone="13900003101")
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900003102")

    staff = Shooter(chromium, live_server.url, "city", viewport={"width": 1280, "height": 900})
    p = staff.page
    staff.log_in(boss.phone)
    assert "/admin/" in p.url  # staff land on the admin's index, with the panel
    staff.click("a[href='/reports/dashboard/']")
    assert p.url.endswith("/reports/dashboard/")
    assert p.locator("figure svg.pygal-chart").count() == 3
    assert p.locator("script[src*='pygal']").count() == 0
    comparison = p.locator("table[data-chart=comparison]")
    assert comparison.locator(f"tr:has(th:text-is('{county_a.name}')) td").first.inner_text() == "4"
    assert p.locator("table[data-chart=ratio] td").first.inner_text() == "1.25"
    assert p.locator("table[data-chart=trend] tbody tr").count() == 24
    staff.shot("1-city-dashboard")

    staff.click(f"button:text('重新计算 {period.code}')")
    assert "/reports/runs/" in p.url
    assert "已完成" in p.locator(".run-status").inner_text()
    staff.shot("2-run-done")
    run = ReportRun.objects.get()
    assert (run.period, run.status, run.started_by_id) == (period.code, RunStatus.DONE, boss.pk)
    assert run.indicators_done == run.indicators_total == run.summary["indicators"]
    # the recompute replaced the hand-made facts with the (empty) raw records' figures
    assert Fact.objects.get(indicator__code="workers_new", period=period.code, org_unit=county_a).value == 0

    phone = Shooter(chromium, live_server.url, "county", viewport={"width": 360, "height": 740})
    phone.log_in(officer.phone)
    phone.click(f"a[href='/reports/dashboard/{county_a.code}/']")
    assert phone.page.locator("figure svg.pygal-chart").count() == 1  # the trend; no ratio cell (no seekers)
    assert "本月暂无数据" in phone.page.locator("#chart-ratio").inner_text()
    assert phone.page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1"
    )
    phone.shot("3-county-dashboard-phone")
