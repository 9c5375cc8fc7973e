"""Issue 16's market safety report by pages, in Chromium, from `/` by clicks: an anonymous visitor opens the
market map from the menu, the market's page, its 维权与求助 panel's "report a hazard" link, fills the form with a
photo and submits; county staff sign in, open the report in the admin, triage it into an inspection of the
market (a serious finding on the crowding item) and decide a ban. The stored state is checked at the end
(report concluded, inspection linked and banned, market banned, public notice). Screenshots of the market
page's panel, the form and the admin's report go to /tmp/h43_shots/."""

from __future__ import annotations

import io
import os

import pytest

from accounts.choices import Role
from tests.accounts.factories import UserFactory

from .test_training_journey import Person

SHOTS = "/tmp/h43_shots"


def _jpeg() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (160, 120), (180, 60, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def _shot(person: Person, what: str, selector: str | None = None) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{what}.png")
    if selector:
        person.page.locator(selector).first.screenshot(path=path)
    else:
        person.page.screenshot(path=path, full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_anonymous_hazard_report_leads_to_an_inspection_that_bans_the_market(
    chromium, live_server, county_a
):
    from disputes.choices import SafetyReportStatus
    from disputes.models import RightsContact, SafetyReport
    from markets.choices import MarketStatus, NoticeKind, RiskAction, RiskGrade
    from markets.models import Inspection, PublicNotice
    from tests.markets.conftest import ensure_market_standard
    from tests.markets.factories import MarketFactory

    ensure_market_standard()  # transactional tests flush the seeded checklist: put it back
    base = live_server.url
    market = MarketFactory(scope_unit=county_a, name="潍城区零工市场（隐患测试）", hotline="0536-8123456")
    RightsContact.objects.create(
        scope_unit=county_a,
        rights_hotline="0536-12333",
        inspection_name="潍城区劳动保障监察大队",
        inspection_phone="0536-8000001",
        arbitration_name="潍城区劳动人事争议仲裁院",
        arbitration_phone="0536-8000002",
    )
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900000431")

    # 1. an anonymous visitor, on a phone, from `/` to the market's page and its panel's link
    visitor = Person(chromium, base, "visitor", viewport={"width": 390, "height": 844})
    p = visitor.page
    p.goto(base + "/")
    visitor.nav("零工市场")
    visitor.click(f"a:text-is('{market.name}')")
    panel = p.locator("section.market-panel", has_text="维权与求助")
    assert panel.count() == 1
    text = panel.inner_text()
    assert "0536-8123456" in text and "0536-12333" in text and "12345" in text and "监察大队" in text
    _shot(visitor, "market_panel", "section.market-panel:has-text('维权与求助')")
    visitor.click("section.market-panel >> text=报告本市场安全隐患")
    assert "/disputes/safety/new/" in p.url
    assert p.locator("#id_market").input_value() == str(market.pk)
    p.check("input[name=hazard_kind][value=crowding]")
    p.fill("#id_description", "早上六点人挤到机动车道上，车辆贴着人群通过，非常危险。")
    p.fill("#id_spot", "南门路口")
    p.set_input_files("#id_photo", {"name": "scene.jpg", "mimeType": "image/jpeg", "buffer": _jpeg()})
    _shot(visitor, "report_form")
    visitor.click("main form button.primary")
    assert "/disputes/safety/done/" in p.url
    report = SafetyReport.objects.get()
    assert report.number in p.content()
    assert (report.status, report.market_id, report.reporter_id) == (
        SafetyReportStatus.RECEIVED,
        market.pk,
        None,
    )
    assert report.photo and report.photo.name.endswith(".jpg")

    # 2. county staff sign in, find the report in the admin queue and triage it into an inspection
    staff = Person(chromium, base, "staff", viewport={"width": 1280, "height": 900})
    s = staff.page
    staff.log_in(officer.phone)
    staff.click("a[href='/']")
    staff.nav("管理后台")
    staff.click("a[href$='/admin/disputes/safetyreport/'] >> nth=0")
    staff.click(f"a:text-is('{report.number}')")
    assert s.locator(".field-photo_link img").count() == 1
    assert s.locator(".field-photo_link img").evaluate("img => img.naturalWidth") > 0  # served to staff
    _shot(staff, "admin_report")
    staff.click(".field-steps a.button:text-is('转为安全检查')")
    s.fill("#id_inspector_names", "李四、王五")
    s.check("#id_major input[type=checkbox] >> nth=0")  # 人员聚集与疏散: serious
    staff.click("#content form input[type=submit]")
    report.refresh_from_db()
    inspection = Inspection.objects.get(market=market)
    assert (report.status, report.inspection_id) == (SafetyReportStatus.INSPECTING, inspection.pk)
    assert inspection.risk_grade == RiskGrade.HIGH

    # 3. the decision: ban, with where workers go instead
    staff.click(".field-steps a.button:text-is('处置（整改、暂停或取缔）')")
    s.check("input[name=action][value=ban]")
    s.fill("#id_reason", "人车混行且多次整改未果，依法取缔")
    s.fill("#id_alternative", "请前往潍城区人力资源市场")
    staff.click("#content form input[type=submit]")
    assert "已处置" in s.locator("ul.messagelist").inner_text()

    report.refresh_from_db()
    market.refresh_from_db()
    inspection.refresh_from_db()
    assert report.status == SafetyReportStatus.CONCLUDED and report.outcome.startswith("取缔")
    assert inspection.action == RiskAction.BAN
    assert market.status == MarketStatus.BANNED
    notice = PublicNotice.objects.get(market=market)
    assert (notice.kind, notice.reason, notice.alternative) == (
        NoticeKind.BAN,
        "人车混行且多次整改未果，依法取缔",
        "请前往潍城区人力资源市场",
    )
    # the public sees the notice
    p.goto(base + "/markets/notices/")
    assert market.name in p.content()
