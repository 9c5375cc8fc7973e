"""Inspections: a serious finding on a safety item grades the market high-risk and asks staff to act (the
dashboard panel and the admin decision); a rectification past its deadline shows on the dashboard."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from core.choices import AuditAction
from core.errors import DomainError
from core.models import AuditLog
from markets import services
from markets.choices import MarketStatus, RiskAction, RiskGrade
from markets.models import Inspection, MarketEvent, PublicNotice

from .factories import InspectionFactory, MarketFactory

pytestmark = pytest.mark.django_db


def inspection_audits(inspection, action):
    return AuditLog.objects.filter(
        action=action,
        content_type=ContentType.objects.get_for_model(Inspection),
        object_id=str(inspection.pk),
    )


@pytest.fixture
def high_risk(officer, market):
    inspection = InspectionFactory(market=market, inspector=officer, results={"traffic": "major"})
    return services.inspection_assess(inspection=inspection, actor=officer)


def dashboard_panel(response, title):
    html = response.content.decode()
    start = html.index(f"<caption>{title}")
    return html[start : html.index("</table>", start)]


def test_major_finding_on_a_critical_item_grades_high_and_carries_to_the_market(officer, high_risk, market):
    high_risk.refresh_from_db()
    market.refresh_from_db()
    assert high_risk.risk_grade == RiskGrade.HIGH
    assert market.risk_grade == RiskGrade.HIGH
    assert high_risk.needs_action and services.risk_requires_action(high_risk)
    audit = inspection_audits(high_risk, AuditAction.UPDATE).get()
    assert audit.after == {"risk_grade": "high"} and audit.actor == officer


def test_clean_inspection_grades_low(officer, market):
    inspection = InspectionFactory(market=market, results={})
    services.inspection_assess(inspection=inspection, actor=officer)
    inspection.refresh_from_db()
    market.refresh_from_db()
    assert inspection.risk_grade == RiskGrade.LOW == market.risk_grade
    assert not inspection.needs_action


def test_an_older_inspection_does_not_overwrite_the_latest_grade(officer, market):
    latest = InspectionFactory(market=market, results={})
    services.inspection_assess(inspection=latest, actor=officer)
    older = InspectionFactory(
        market=market, results={"fire": "major"}, inspected_on=timezone.localdate() - dt.timedelta(days=30)
    )
    services.inspection_assess(inspection=older, actor=officer)
    market.refresh_from_db()
    assert market.risk_grade == RiskGrade.LOW


def test_high_risk_shows_on_the_officers_dashboard(client_as, officer, officer_b, high_risk, market):
    response = client_as(officer).get("/admin/")
    assert response.status_code == 200
    panel = dashboard_panel(response, "高风险待处置")
    assert market.name in panel
    assert f"/admin/markets/inspection/{high_risk.pk}/change/" in panel
    # not on the other county's dashboard
    assert market.name not in dashboard_panel(client_as(officer_b).get("/admin/"), "高风险待处置")


def test_high_risk_inspection_page_offers_the_decision(client_as, officer, high_risk):
    client = client_as(officer)
    change = client.get(f"/admin/markets/inspection/{high_risk.pk}/change/")
    assert change.status_code == 200
    assert "高风险，须处置" in change.content.decode()
    assert f"/admin/markets/inspection/{high_risk.pk}/decide/" in change.content.decode()
    decide = client.get(f"/admin/markets/inspection/{high_risk.pk}/decide/")
    assert decide.status_code == 200
    assert {v for v, _label in decide.context["form"].fields["action"].choices} == {
        "rectify",
        "suspend",
        "ban",
    }


def test_admin_decision_rectify_stores_the_deadline(client_as, officer, high_risk, market):
    deadline = timezone.localdate() + dt.timedelta(days=10)
    response = client_as(officer).post(
        f"/admin/markets/inspection/{high_risk.pk}/decide/",
        {"action": "rectify", "rectify_deadline": deadline.isoformat(), "reason": "增设隔离护栏"},
    )
    assert response.status_code == 302
    high_risk.refresh_from_db()
    assert (high_risk.action, high_risk.rectify_deadline, high_risk.action_reason) == (
        "rectify",
        deadline,
        "增设隔离护栏",
    )
    assert inspection_audits(high_risk, AuditAction.TRANSITION).get().actor == officer
    market.refresh_from_db()
    assert market.status == MarketStatus.OPERATING
    # acted on: gone from the panel
    assert market.name not in dashboard_panel(client_as(officer).get("/admin/"), "高风险待处置")


def test_rectify_without_a_future_deadline_is_refused(officer, high_risk):
    for deadline in (None, timezone.localdate() - dt.timedelta(days=1)):
        with pytest.raises(DomainError) as info:
            services.inspection_decide(
                inspection=high_risk,
                action=RiskAction.RECTIFY,
                actor=officer,
                reason="限期整改",
                rectify_deadline=deadline,
            )
        assert "rectify_deadline" in info.value.fields
    high_risk.refresh_from_db()
    assert high_risk.action == "" and high_risk.rectify_deadline is None


def test_decision_to_ban_bans_the_market_and_announces_it(officer, high_risk, market):
    services.inspection_decide(
        inspection=high_risk,
        action=RiskAction.BAN,
        actor=officer,
        reason="占道经营屡教不改",
        alternative="请到北关街道零工驿站",
    )
    market.refresh_from_db()
    high_risk.refresh_from_db()
    assert market.status == MarketStatus.BANNED and high_risk.action == RiskAction.BAN
    assert MarketEvent.objects.get(market=market).to_status == MarketStatus.BANNED
    assert PublicNotice.objects.get(market=market).alternative == "请到北关街道零工驿站"


def test_decision_to_suspend_suspends_the_market(officer, high_risk, market):
    services.inspection_decide(
        inspection=high_risk, action=RiskAction.SUSPEND, actor=officer, reason="雨棚松动"
    )
    market.refresh_from_db()
    assert market.status == MarketStatus.SUSPENDED


def test_an_inspection_is_decided_only_once(officer, high_risk):
    services.inspection_decide(
        inspection=high_risk,
        action=RiskAction.RECTIFY,
        actor=officer,
        reason="整改",
        rectify_deadline=timezone.localdate() + dt.timedelta(days=3),
    )
    with pytest.raises(DomainError) as info:
        services.inspection_decide(inspection=high_risk, action=RiskAction.BAN, actor=officer, reason="取缔")
    assert info.value.code == "invalid_transition"
    high_risk.refresh_from_db()
    assert high_risk.action == RiskAction.RECTIFY
    assert high_risk.market.status == MarketStatus.OPERATING


def test_other_county_cannot_decide(client_as, officer_b, high_risk):
    response = client_as(officer_b).get(f"/admin/markets/inspection/{high_risk.pk}/decide/")
    assert response.status_code == 404
    with pytest.raises(DomainError):
        services.inspection_decide(
            inspection=high_risk, action=RiskAction.BAN, actor=officer_b, reason="越权"
        )
    high_risk.refresh_from_db()
    assert high_risk.action == ""


def test_overdue_rectification_shows_on_the_dashboard(client_as, officer, officer_b, high_risk, market):
    services.inspection_decide(
        inspection=high_risk,
        action=RiskAction.RECTIFY,
        actor=officer,
        reason="增设护栏",
        rectify_deadline=timezone.localdate(),
    )
    client = client_as(officer)
    assert market.name not in dashboard_panel(
        client.get("/admin/"), "逾期未整改的市场"
    )  # due today: not late yet
    Inspection.objects.filter(pk=high_risk.pk).update(
        rectify_deadline=timezone.localdate() - dt.timedelta(days=3)
    )
    high_risk.refresh_from_db()
    assert high_risk.is_overdue
    panel = dashboard_panel(client.get("/admin/"), "逾期未整改的市场")
    assert market.name in panel and "已逾期" in panel
    assert market.name not in dashboard_panel(client_as(officer_b).get("/admin/"), "逾期未整改的市场")

    services.inspection_mark_rectified(inspection=high_risk, actor=officer, note="护栏已装")
    high_risk.refresh_from_db()
    assert high_risk.rectified_at is not None and not high_risk.is_overdue
    assert market.name not in dashboard_panel(client.get("/admin/"), "逾期未整改的市场")


def test_admin_add_inspection_with_a_critical_major_redirects_to_the_decision(client_as, officer, market):
    from markets.models import InspectionItem

    items = list(InspectionItem.objects.filter(is_active=True))
    data = {
        "market": market.pk,
        "inspected_on": timezone.localdate().isoformat(),
        "inspector_names": "王敏",
        "hazards": "",
        "notes": "",
        "findings-TOTAL_FORMS": str(len(items)),
        "findings-INITIAL_FORMS": "0",
        "findings-MIN_NUM_FORMS": "0",
        "findings-MAX_NUM_FORMS": "1000",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data[f"findings-{i}-item"] = str(item.pk)
        data[f"findings-{i}-result"] = "major" if item.code == "crowd" else "pass"
        data[f"findings-{i}-note"] = ""
    response = client_as(officer).post("/admin/markets/inspection/add/", data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    inspection = Inspection.objects.get(market=market)
    assert response["Location"].endswith(f"/admin/markets/inspection/{inspection.pk}/decide/")
    assert inspection.risk_grade == RiskGrade.HIGH and inspection.inspector == officer
    results = dict(inspection.findings.values_list("item__code", "result"))
    assert results == {item.code: ("major" if item.code == "crowd" else "pass") for item in items}


def test_city_staff_dashboard_shows_high_risk_in_every_county(client_as, city_staff, county_b):
    market_b = MarketFactory(scope_unit=county_b, name="寿光高风险市场")
    inspection = InspectionFactory(market=market_b, results={"fire": "major"})
    services.inspection_assess(inspection=inspection, actor=city_staff)
    assert market_b.name in dashboard_panel(client_as(city_staff).get("/admin/"), "高风险待处置")
