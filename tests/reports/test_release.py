"""The public monthly release: only months the city has accepted are published, with the headline figures
per county and the city; it is linked from every page's footer."""

from __future__ import annotations

import datetime as dt

import pytest

from jobs.models import WorkerProfile
from reports import approvals, services
from reports.orgunits import units

from ..jobs.factories import make_worker
from .factories import SHANGHAI

pytestmark = pytest.mark.django_db

DECEMBER_2 = dt.date(2026, 12, 2)


def _accept_month(period, city_staff):
    for unit in units():
        approvals.submit(period, unit.code, actor=city_staff, today=DECEMBER_2)
        approvals.accept(period, unit.code, actor=city_staff)
    approvals.accept(period, "city", actor=city_staff)


def test_only_accepted_months_are_released_with_their_figures(client, county_a, county_b, city_staff):
    for unit, n, month in ((county_a, 2, 11), (county_b, 3, 11), (county_a, 1, 10)):
        for _ in range(n):
            when = dt.datetime(2026, month, 10, 9, 0, tzinfo=SHANGHAI)
            WorkerProfile.objects.filter(user=make_worker(unit=unit)).update(created_at=when)
    services.compute("202610")
    services.compute("202611")
    assert "/reports/release/" in client.get("/").content.decode()  # the footer links it
    empty = client.get("/reports/release/").content.decode()
    assert "还没有经市级审核发布的月份" in empty
    _accept_month("202611", city_staff)
    page = client.get("/reports/release/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'value="202611"' in text and 'value="202610"' not in text  # October is open: not published
    table = text[text.index('id="release"') :]
    row_a = table[table.index('id="org-370702"') :].split("</tr>")[0]
    row_city = table[table.index('id="org-city"') :].split("</tr>")[0]
    # workers_new is the first column: 2 in 潍城区, 2 + 3 for the city
    assert "<td>2</td>" in row_a and "<td>5</td>" in row_city
    # asking for an open month shows the latest released one instead
    assert 'value="202611" selected' in client.get("/reports/release/", {"period": "202610"}).content.decode()
