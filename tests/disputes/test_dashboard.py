"""Overdue cases reach the staff dashboard (issue 16): the overdue and due-soon panels list the county's own
open cases past the deadline, or past 80 % of the time allowed, nearest deadline first."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.dashboard import panels_for

from .factories import complaint

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
OVERDUE, DUE_SOON = "已超期的投诉案件", "即将到期的投诉案件"


def _panels(user):
    return {p.title: p for p in panels_for(user)}


def test_overdue_and_due_soon_cases_on_the_dashboard_of_their_county(officer, officer_b, worker):
    # received on Monday 2026-03-02: accept within 5 working days, so due at the end of Monday 2026-03-09
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        late = complaint(worker)
    # received on Thursday 2026-03-05: due at the end of Thursday 2026-03-12
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, 0, tzinfo=SHANGHAI), tick=False):
        soon = complaint(worker)
    # on Wednesday 2026-03-11 at noon the first is overdue; the second has used 6.1 of its 7.6 days (> 80 %)
    with time_machine.travel(dt.datetime(2026, 3, 11, 12, 0, tzinfo=SHANGHAI), tick=False):
        mine, other = _panels(officer), _panels(officer_b)
    assert [row["text"].split()[0] for row in mine[OVERDUE].rows] == [late.number]
    assert mine[OVERDUE].level == "warning"
    assert mine[DUE_SOON].rows[0]["text"].split()[0] == soon.number
    assert "2026-03-12" in mine[DUE_SOON].rows[0]["note"]
    assert other[OVERDUE].rows == [] and other[DUE_SOON].rows == []


def test_no_panel_for_people_without_a_scope(worker):
    assert OVERDUE not in _panels(worker)
