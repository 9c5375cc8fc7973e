"""Locking closed months (ADR 0043): a county submits a month that has ended, the city accepts it and then the
city's row; a locked unit keeps its facts through a recompute, a city-accepted period cannot be recomputed
(409); reopening needs a reason and is audited; the month's board in the admin is the door."""

from __future__ import annotations

import datetime as dt

import pytest

from core.errors import Conflict, DomainError, NotFound, NotPermitted
from core.models import AuditLog
from jobs.models import WorkerProfile
from reports import approvals, services
from reports.choices import ApprovalStatus
from reports.models import Fact, PeriodApproval, PeriodApprovalEvent
from reports.orgunits import units

from ..jobs.factories import make_worker
from .factories import SHANGHAI

pytestmark = pytest.mark.django_db

NOVEMBER = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
DECEMBER_2 = dt.date(2026, 12, 2)


def _register(unit, n=1, when=NOVEMBER):
    for _ in range(n):
        WorkerProfile.objects.filter(user=make_worker(unit=unit)).update(created_at=when)


def _value(code, unit, period="202611"):
    fact = Fact.objects.get(indicator__code=code, period=period, org_unit=unit, breakdown_key="")
    return fact.value


@pytest.fixture
def november(county_a, county_b):
    _register(county_a, 1)
    _register(county_b, 2)
    services.compute("202611")
    return county_a, county_b


def _status(unit, period="202611"):
    return PeriodApproval.objects.get(period=period, org_unit=unit).status


def test_a_county_submits_an_ended_month_and_not_an_open_one(november, officer):
    county_a, _b = november
    with pytest.raises(Conflict) as refused:
        approvals.submit("202612", county_a.code, actor=officer, today=DECEMBER_2)
    assert refused.value.code == "period_not_ended"
    assert not PeriodApproval.objects.filter(period="202612", org_unit=county_a).exists()
    approvals.submit("202611", county_a.code, actor=officer, today=DECEMBER_2)
    row = PeriodApproval.objects.get(period="202611", org_unit=county_a)
    assert row.status == ApprovalStatus.SUBMITTED and row.submitted_by == officer
    event = PeriodApprovalEvent.objects.get(approval=row)
    assert (event.from_status, event.to_status, event.actor) == ("open", "submitted", officer)


def test_a_county_cannot_submit_another_county_or_accept(november, officer):
    _a, county_b = november
    with pytest.raises(NotFound):
        approvals.submit("202611", county_b.code, actor=officer, today=DECEMBER_2)
    with pytest.raises(NotPermitted):
        approvals.accept("202611", _a.code, actor=officer)
    with pytest.raises(NotPermitted):
        approvals.reopen("202611", _a.code, actor=officer, reason="x")


def test_only_months_are_submitted(november, officer):
    with pytest.raises(DomainError) as refused:
        approvals.submit("2026Q4", november[0].code, actor=officer, today=DECEMBER_2)
    assert list(refused.value.fields) == ["period"]


def test_a_locked_unit_keeps_its_facts_and_the_city_stays_their_sum(november, officer, city_staff):
    county_a, county_b = november
    approvals.submit("202611", county_a.code, actor=officer, today=DECEMBER_2)
    # a late registration dated November in both counties; recompute
    _register(county_a, 1)
    _register(county_b, 1)
    services.compute("202611")
    assert _value("workers_new", county_a) == 1  # locked: as submitted
    assert _value("workers_new", county_b) == 3  # open: recomputed
    assert _value("workers_new", None) == 4  # the city is the sum of its units' stored rows
    # returned to the county: the next recompute brings its figure up to date
    approvals.reopen("202611", county_a.code, actor=city_staff, reason="补录 11 月登记")
    services.compute("202611")
    assert _value("workers_new", county_a) == 2 and _value("workers_new", None) == 5


def test_the_city_accepts_only_when_every_unit_is_accepted_then_the_period_is_locked(
    november, officer, officer_b, city_staff
):
    county_a, county_b = november
    approvals.submit("202611", county_a.code, actor=officer, today=DECEMBER_2)
    approvals.accept("202611", county_a.code, actor=city_staff)
    with pytest.raises(Conflict) as waiting:
        approvals.accept("202611", "city", actor=city_staff)
    assert waiting.value.code == "units_not_accepted" and county_b.code in waiting.value.fields["org_unit"]
    with pytest.raises(Conflict):  # not submitted yet
        approvals.accept("202611", county_b.code, actor=city_staff)
    approvals.submit("202611", county_b.code, actor=officer_b, today=DECEMBER_2)
    approvals.accept("202611", county_b.code, actor=city_staff)
    with pytest.raises(Conflict):  # the city's other units
        approvals.accept("202611", "city", actor=city_staff)
    for unit in units():
        if unit not in (county_a, county_b):
            approvals.submit("202611", unit.code, actor=city_staff, today=DECEMBER_2)
            approvals.accept("202611", unit.code, actor=city_staff)
    approvals.accept("202611", "city", actor=city_staff)
    assert _status(None) == ApprovalStatus.ACCEPTED
    before = list(
        Fact.objects.filter(period="202611").order_by("pk").values_list("pk", "value", "computed_at")
    )
    _register(county_a, 1)
    with pytest.raises(Conflict) as locked:
        services.compute("202611")
    assert locked.value.status == 409 and locked.value.code == "period_locked"
    # the quarter holding it is not locked (October and December are open) and still computes
    services.compute("2026Q4")
    after = list(
        Fact.objects.filter(period="202611").order_by("pk").values_list("pk", "value", "computed_at")
    )
    assert after == before
    # a unit cannot be reopened under an accepted city
    with pytest.raises(Conflict) as city_first:
        approvals.reopen("202611", county_a.code, actor=city_staff, reason="更正")
    assert city_first.value.code == "city_locked"


def test_reopen_needs_a_reason_and_is_audited(november, officer, city_staff):
    county_a, _b = november
    approvals.submit("202611", county_a.code, actor=officer, today=DECEMBER_2)
    with pytest.raises(DomainError) as no_reason:
        approvals.reopen("202611", county_a.code, actor=city_staff, reason="  ")
    assert list(no_reason.value.fields) == ["reason"]
    assert _status(county_a) == ApprovalStatus.SUBMITTED
    approvals.reopen("202611", county_a.code, actor=city_staff, reason="数据有误，退回更正")
    row = PeriodApproval.objects.get(period="202611", org_unit=county_a)
    assert row.status == ApprovalStatus.OPEN and row.submitted_at is None
    event = row.events.order_by("-id").first()
    assert (event.from_status, event.to_status, event.reason) == ("submitted", "open", "数据有误，退回更正")
    audit = AuditLog.objects.filter(object_id=str(row.pk), action="transition").order_by("-id").first()
    assert audit.actor == city_staff and audit.reason == "数据有误，退回更正"
    assert audit.after["status"] == "open" and audit.scope_unit_id == county_a.pk


def test_the_month_board_is_the_door_for_county_and_city(client, november, officer, city_staff):
    county_a, county_b = november
    url = "/admin/reports/periodapproval/month/?period=202611"
    client.force_login(officer)
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert county_a.name in text and county_b.name not in text and 'name="submit-370702"' in text
    assert "accept-" not in text  # a county does not accept
    # the admin index links to the board
    assert "/admin/reports/periodapproval/month/" in client.get("/admin/").content.decode()
    client.post(url, {"action": "submit", "org_unit": county_a.code})
    assert _status(county_a) == ApprovalStatus.SUBMITTED
    # another county's unit through a forged form: nothing happens
    client.post(url, {"action": "submit", "org_unit": county_b.code})
    assert not PeriodApproval.objects.filter(period="202611", org_unit=county_b).exists()
    client.force_login(city_staff)
    text = client.get(url).content.decode()
    assert 'name="accept-370702"' in text and 'name="reopen-370702"' in text
    client.post(url, {"action": "accept", "org_unit": county_a.code})
    assert _status(county_a) == ApprovalStatus.ACCEPTED
    response = client.post(url, {"action": "reopen", "org_unit": county_a.code, "reason": ""}, follow=True)
    assert "请填写退回或重新打开的原因" in response.content.decode()
    assert _status(county_a) == ApprovalStatus.ACCEPTED
    client.post(url, {"action": "reopen", "org_unit": county_a.code, "reason": "复核"})
    assert _status(county_a) == ApprovalStatus.OPEN
