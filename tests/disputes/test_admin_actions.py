"""The admin's action bar carries the text a step needs: not accepting needs a reason, resolving the
resolution the complainant reads, an extension its days and reason — each calls the service, which refuses
what the law refuses (a second extension) with the message shown and nothing changed."""

from __future__ import annotations

import pytest

from core.calendar import add_working_days
from disputes.choices import CaseStatus, ClockKind, Queue
from disputes.models import ClockExtension

from .factories import complaint

pytestmark = pytest.mark.django_db

URL = "/admin/disputes/case/"


def _act(client, case, action, **fields):
    return client.post(URL, {"action": action, "_selected_action": [case.pk], **fields}, follow=True)


def test_not_accepting_needs_the_reason_and_stores_it(client_as, officer, worker):
    case = complaint(worker)
    client = client_as(officer)
    refused = _act(client, case, "not_accept", note="")
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED and "理由" in refused.content.decode()
    _act(client, case, "not_accept", note="已超过仲裁时效，请向法院起诉。")
    case.refresh_from_db()
    assert case.status == CaseStatus.NOT_ACCEPTED
    assert case.not_accepted_reason == "已超过仲裁时效，请向法院起诉。"
    assert case.events.filter(to_status=CaseStatus.NOT_ACCEPTED, actor=officer).exists()


def test_resolving_stores_the_resolution(client_as, officer, worker):
    case = complaint(worker)
    client = client_as(officer)
    _act(client, case, "accept")
    _act(client, case, "resolve", note="")
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED  # no resolution, no step
    _act(client, case, "resolve", note="用工方已当面支付 3120 元，投诉人签字确认。")
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolution.startswith("用工方已当面支付")
    assert not case.clocks.filter(stopped_at__isnull=True).exists()


def test_one_extension_of_the_handling_clock_then_a_second_is_refused(client_as, officer, worker):
    case = complaint(worker)
    assert case.queue == Queue.INSPECTION
    client = client_as(officer)
    _act(client, case, "accept")
    clock = case.clocks.get(kind=ClockKind.INSPECTION_RESOLVE, stopped_at__isnull=True)
    _act(client, case, "extend", days="10", note="案情复杂，需调取工地考勤。")
    clock.refresh_from_db()
    # the rule: one extension of at most 30 working days, counted from the original due date
    assert clock.extended_due_on == add_working_days(clock.due_on, 10)
    assert clock.extension.days == 10 and clock.extension.approved_by == officer
    second = _act(client, case, "extend", days="5", note="再延长。")
    assert "已经延长过一次" in second.content.decode()
    assert ClockExtension.objects.filter(clock__case=case).count() == 1
    clock.refresh_from_db()
    assert clock.extended_due_on == add_working_days(clock.due_on, 10)


def test_the_case_page_lists_its_events(client_as, officer, worker):
    """The event rows of a case show under it (the inline's queryset is asked for without the subject)."""
    case = complaint(worker)
    client = client_as(officer)
    _act(client, case, "accept", note="材料齐全。")
    html = client.get(f"/admin/disputes/case/{case.pk}/change/").content.decode()
    assert 'name="events-INITIAL_FORMS" value="2"' in html
    assert "材料齐全。" in html
