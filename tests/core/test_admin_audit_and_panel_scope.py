"""Issue 11, items 21 and 22: the admin writes an audit row when it adds or deletes (one by one and in bulk),
and the dashboard panels that list people's matters (open reports, employers to review, no-shows) show a
county officer only their county — each test fails if the audit call or the ``visible_to`` scope is removed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from accounts.choices import Role
from core.choices import AuditAction
from core.dashboard import panels_for
from core.models import AuditLog, ScopeUnit
from jobs import services
from jobs.choices import ReportReason
from markets.models import Facility
from tests.accounts.factories import UserFactory
from tests.jobs.factories import make_employer, published_posting
from tests.work.factories import settled_orders
from work.choices import WorkOrderStatus

pytestmark = pytest.mark.django_db


def _audits(action, model, pk=None):
    qs = AuditLog.objects.filter(action=action, content_type=ContentType.objects.get_for_model(model))
    return qs.filter(object_id=str(pk)) if pk is not None else qs


def test_admin_add_and_delete_are_audited(client_as):
    root = UserFactory(is_staff=True, is_superuser=True)
    client = client_as(root)
    response = client.post(
        "/admin/markets/facility/add/",
        {
            "code": "water",
            "name": "饮水点",
            "description": "",
            "is_standard": "on",
            "sort": "9",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content[:500]
    facility = Facility.objects.get(code="water")
    created = _audits(AuditAction.CREATE, Facility, facility.pk).get()
    assert created.actor_id == root.pk and created.after["name"] == "饮水点"

    response = client.post(f"/admin/markets/facility/{facility.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Facility.objects.filter(pk=facility.pk).exists()
    deleted = _audits(AuditAction.DELETE, Facility, facility.pk).get()
    assert deleted.actor_id == root.pk and deleted.before["code"] == "water"


def test_admin_bulk_delete_audits_each_row(client_as):
    root = UserFactory(is_staff=True, is_superuser=True)
    rows = [Facility.objects.create(code=f"bulk{i}", name=f"设施{i}") for i in range(3)]
    response = client_as(root).post(
        "/admin/markets/facility/",
        {"action": "delete_selected", "_selected_action": [r.pk for r in rows], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Facility.objects.filter(code__startswith="bulk").exists()
    assert {a.object_id for a in _audits(AuditAction.DELETE, Facility)} == {str(r.pk) for r in rows}


def _rows(user, title):
    return {p.title: [row["text"] for row in p.rows] for p in panels_for(user)}[title]


def test_open_reports_panel_shows_only_the_officers_county(officer, county_b):
    mine = published_posting(title="本县被举报的岗位")
    theirs = published_posting(scope_unit=county_b, title="外县被举报的岗位")
    for posting in (mine, theirs):
        services.posting_report(posting=posting, reporter=None, reason=ReportReason.SCAM)
    assert _rows(officer, "待处理的举报") == ["本县被举报的岗位"]


def test_employers_to_review_panel_shows_only_the_officers_county(officer, county_a, county_b):
    make_employer(unit=county_a, approved=False).__class__.objects.filter(scope_unit=county_a).update(
        display_name="本县待审用工方"
    )
    make_employer(unit=county_b, approved=False).__class__.objects.filter(scope_unit=county_b).update(
        display_name="外县待审用工方"
    )
    assert _rows(officer, "待审核的用工登记") == ["本县待审用工方"]


def test_no_shows_panel_shows_only_the_officers_county(officer, county_b):
    today = timezone.localdate()
    month = today - dt.timedelta(days=today.weekday())  # this week's Monday: both orders fall in the week
    for code in ("370702", "370783"):
        order = settled_orders([200], employers=1, unit_code=code, month=month)[0]
        order.status = WorkOrderStatus.NO_SHOW
        order.work_date = today
        order.save(update_fields=["status", "work_date"])
    rows = _rows(officer, "本周未到岗")
    unit_a = ScopeUnit.objects.get(code="370702").name
    assert len(rows) == 1 and unit_a in rows[0]
    city = UserFactory(scope_unit=None, roles=[Role.CITY_STAFF])
    assert len(_rows(city, "本周未到岗")) == 2
