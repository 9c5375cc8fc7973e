"""Market safety reports (ADR 0027): anyone reports a hazard with a photo (re-encoded; bad uploads refused with
a field error and nothing stored; anonymous reports rate-limited); county staff triage it into an inspection of
the market through the markets services, whose decision to ban bans the market and publishes the notice; the
reporter is told each outcome; dismissing needs a reason; other counties' staff get 404; the market's operator
never sees the reporter; every market's page and board show the 维权与求助 panel with the hotlines."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core.errors import DomainError, InvalidTransition, NotFound, RateLimited
from core.models import AuditLog, MessageDelivery
from disputes.choices import HazardKind, SafetyReportStatus
from disputes.models import RightsContact, SafetyReport, SafetyReportEvent
from disputes.services import safety
from markets.choices import FindingResult, MarketStatus, NoticeKind, RiskAction, RiskGrade
from markets.models import Inspection, InspectionItem, PublicNotice

from ..conftest import nothing_written
from ..markets.conftest import ensure_market_standard
from ..markets.factories import MarketFactory, MarketOperatorFactory, operator_user
from .factories import jpeg

pytestmark = pytest.mark.django_db

SECRET_NAME = "赵秘密"
SECRET_PHONE = "13912345678"


@pytest.fixture
def market(county_a):
    ensure_market_standard()
    return MarketFactory(scope_unit=county_a, name="潍城区零工市场", hotline="0536-8123456")


@pytest.fixture
def operator(market):
    user = operator_user(scope_unit=market.scope_unit)
    MarketOperatorFactory(market=market, user=user)
    return user


def photo_with_gps() -> SimpleUploadedFile:
    """A JPEG carrying EXIF (a phone's GPS would be in it): the stored copy is a fresh JPEG without it."""
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return SimpleUploadedFile("hazard.jpg", out.getvalue(), content_type="image/jpeg")


def report(market, actor=None, **kwargs):
    kwargs.setdefault("hazard_kind", HazardKind.STRUCTURE)
    kwargs.setdefault("description", "东门雨棚立柱锈断，刮风时晃得厉害。")
    return safety.safety_report_receive(actor=actor, market=market, **kwargs)


def post_form(client, market, **extra):
    data = {
        "market": market.pk,
        "hazard_kind": HazardKind.FIRE,
        "description": "配电箱旁堆满纸箱，电线裸露。",
        "spot": "北侧配电箱",
        "contact_name": SECRET_NAME,
        "contact_phone": SECRET_PHONE,
        **extra,
    }
    return client.post("/disputes/safety/new/", data)


# --- intake -------------------------------------------------------------------------------------------------


def test_anonymous_report_with_photo_is_stored_re_encoded_in_private_storage(market, private_media):
    client = Client()
    page = client.get(f"/disputes/safety/new/?market={market.pk}")
    assert page.status_code == 200 and "报告市场安全隐患" in page.content.decode()
    original = photo_with_gps()
    raw = original.read()
    original.seek(0)
    response = post_form(client, market, photo=original)
    assert response.status_code == 302 and response["Location"] == "/disputes/safety/done/"
    stored = SafetyReport.objects.get()
    assert (stored.market, stored.scope_unit, stored.status, stored.reporter) == (
        market,
        market.scope_unit,
        SafetyReportStatus.RECEIVED,
        None,
    )
    assert (stored.hazard_kind, stored.spot, stored.contact_phone) == (
        HazardKind.FIRE,
        "北侧配电箱",
        SECRET_PHONE,
    )
    assert stored.photo.name.endswith(".jpg") and len(stored.photo_sha256) == 64
    path = stored.photo.path
    assert path.startswith(str(private_media))
    with open(path, "rb") as fh:
        data = fh.read()
    assert data != raw  # re-encoded, not the uploaded bytes
    assert b"PhoneMaker" in raw and b"PhoneMaker" not in data  # the metadata is gone
    assert Image.open(io.BytesIO(data)).format == "JPEG"
    event = SafetyReportEvent.objects.get(report=stored)
    assert (event.from_status, event.to_status, event.actor) == ("", SafetyReportStatus.RECEIVED, None)
    done = client.get("/disputes/safety/done/")
    assert stored.number in done.content.decode()


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg"),
            "只能上传 JPEG 或 PNG 图片",
        ),
        (
            SimpleUploadedFile(
                "doc.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", content_type="application/pdf"
            ),
            "只能上传 JPEG 或 PNG 图片",
        ),
        ("too_large", "文件过大"),
    ],
    ids=["script-renamed-jpg", "wrong-type", "too-large"],
)
def test_bad_photo_is_refused_on_the_field_and_nothing_is_stored(
    market, settings, upload, message, private_media
):
    if upload == "too_large":
        settings.LINGONG_EVIDENCE_MAX_BYTES = 1000
        upload = jpeg(size=(400, 400))
        assert upload.size > 1000
    client = Client()
    with nothing_written():
        response = post_form(client, market, photo=upload)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["photo"] and message in errors["photo"][0]
    assert not SafetyReport.objects.exists()
    assert not any(private_media.rglob("*.jpg")) if private_media.exists() else True


def test_the_api_refuses_a_bad_photo_with_a_field_error(market, api):
    script = SimpleUploadedFile("photo.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with nothing_written():
        response = api.post(
            "/api/v1/safety-reports/",
            {"market": market.pk, "hazard_kind": "fire", "description": "电线裸露", "photo": script},
            format="multipart",
        )
    assert response.status_code == 400
    assert response.json()["code"] == "file_type" and "photo" in response.json()["fields"]


def test_anonymous_reports_are_limited_per_address(market, settings):
    settings.LINGONG_SAFETY_REPORT_ANON_LIMIT = 2
    client = Client()
    assert post_form(client, market).status_code == 302
    assert post_form(client, market).status_code == 302
    with nothing_written():
        refused = post_form(client, market)
    assert refused.status_code == 429 and "提交太频繁" in refused.content.decode()
    assert SafetyReport.objects.count() == 2


def test_signed_in_reports_are_not_limited_by_address(market, worker, settings, client_as):
    settings.LINGONG_SAFETY_REPORT_ANON_LIMIT = 1
    client = client_as(worker)
    for _ in range(3):
        assert post_form(client, market, contact_name="", contact_phone="").status_code == 302
    assert SafetyReport.objects.filter(reporter=worker).count() == 3


def test_a_closed_or_banned_market_cannot_be_reported(county_a):
    closed = MarketFactory(scope_unit=county_a, status=MarketStatus.BANNED)
    with pytest.raises(DomainError) as refused:
        report(closed)
    assert "market" in refused.value.fields
    assert not SafetyReport.objects.exists()


def test_rate_limit_is_a_429_domain_error(market, settings):
    settings.LINGONG_SAFETY_REPORT_ANON_LIMIT = 0
    with pytest.raises(RateLimited):
        report(market)


# --- triage, decision, telling the reporter ------------------------------------------------------------------


def test_triage_creates_a_markets_inspection_linked_to_the_report(market, officer, worker):
    made = report(market, worker)
    crowd = InspectionItem.objects.get(code="crowd")  # a personal-safety item: a serious finding grades high
    triaged = safety.safety_report_triage(
        report=made, actor=officer, findings={crowd: FindingResult.MAJOR}, inspector_names="李四、王五"
    )
    triaged.refresh_from_db()
    inspection = Inspection.objects.get(market=market)
    assert (triaged.status, triaged.inspection, triaged.triaged_by) == (
        SafetyReportStatus.INSPECTING,
        inspection,
        officer,
    )
    assert inspection.inspector == officer and inspection.risk_grade == RiskGrade.HIGH
    assert made.number in inspection.notes and "东门雨棚立柱锈断" in inspection.hazards
    assert inspection.findings.get(item=crowd).result == FindingResult.MAJOR
    market.refresh_from_db()
    assert market.risk_grade == RiskGrade.HIGH
    event = triaged.events.get(to_status=SafetyReportStatus.INSPECTING)
    assert (event.from_status, event.actor) == (SafetyReportStatus.RECEIVED, officer)
    inbox = MessageDelivery.objects.filter(recipient=str(worker.pk), body__contains=made.number)
    assert inbox.filter(body__contains="已转为").exists()
    with pytest.raises(InvalidTransition):  # triaged once
        safety.safety_report_triage(report=made, actor=officer)
    assert Inspection.objects.filter(market=market).count() == 1


def test_the_inspections_ban_bans_the_market_publishes_the_notice_and_tells_the_reporter(
    market, officer, worker
):
    made = report(market, worker)
    safety.safety_report_triage(report=made, actor=officer)
    done = safety.safety_report_decide(
        report=made,
        actor=officer,
        action=RiskAction.BAN,
        reason="雨棚坍塌风险，且拒不整改",
        alternative="请前往寿光市零工市场",
    )
    done.refresh_from_db()
    market.refresh_from_db()
    inspection = Inspection.objects.get(pk=done.inspection_id)
    assert market.status == MarketStatus.BANNED
    assert inspection.action == RiskAction.BAN and inspection.action_reason == "雨棚坍塌风险，且拒不整改"
    notice = PublicNotice.objects.get(market=market)
    assert (notice.kind, notice.reason, notice.alternative) == (
        NoticeKind.BAN,
        "雨棚坍塌风险，且拒不整改",
        "请前往寿光市零工市场",
    )
    assert done.status == SafetyReportStatus.CONCLUDED and done.outcome.startswith(str(RiskAction.BAN.label))
    told = MessageDelivery.objects.filter(recipient=str(worker.pk), body__contains="已处置").values_list(
        "body", flat=True
    )
    assert len(set(told)) == 1 and made.number in told[0]
    page = Client().get("/markets/notices/")
    assert market.name in page.content.decode()


def test_a_decision_taken_in_the_markets_admin_concludes_the_report_on_the_scan(market, officer):
    from markets import services as market_services

    made = report(market, contact_phone=SECRET_PHONE)
    safety.safety_report_triage(report=made, actor=officer)
    made.refresh_from_db()
    market_services.inspection_decide(
        inspection=made.inspection, action=RiskAction.SUSPEND, actor=officer, reason="消防通道堵塞"
    )
    assert safety.safety_reports_conclude_decided() == 1
    assert safety.safety_reports_conclude_decided() == 0  # a rerun does nothing
    made.refresh_from_db()
    market.refresh_from_db()
    assert (made.status, market.status) == (SafetyReportStatus.CONCLUDED, MarketStatus.SUSPENDED)
    sms = MessageDelivery.objects.filter(recipient=SECRET_PHONE, body__contains="已处置")
    assert sms.count() == 1


def test_dismiss_needs_a_reason_and_tells_the_reporter(market, officer, worker):
    made = report(market, worker)
    with nothing_written():
        with pytest.raises(DomainError) as refused:
            safety.safety_report_dismiss(report=made, actor=officer, reason=" ")
    assert "reason" in refused.value.fields
    safety.safety_report_dismiss(report=made, actor=officer, reason="重复报告，已在 YH 前一份中处理")
    made.refresh_from_db()
    assert (made.status, made.dismiss_reason) == (
        SafetyReportStatus.DISMISSED,
        "重复报告，已在 YH 前一份中处理",
    )
    assert not Inspection.objects.exists()
    assert MessageDelivery.objects.filter(recipient=str(worker.pk), body__contains="不予处理").exists()
    with pytest.raises(InvalidTransition):
        safety.safety_report_triage(report=made, actor=officer)


def test_dismiss_through_the_api_without_reason_is_400(market, officer, api_as):
    made = report(market)
    response = api_as(officer).post(
        f"/api/v1/safety-reports/{made.pk}/dismiss/", {"reason": ""}, format="json"
    )
    assert response.status_code == 400
    made.refresh_from_db()
    assert made.status == SafetyReportStatus.RECEIVED


# --- scope and the operator ------------------------------------------------------------------------------------


def test_other_counties_staff_get_404_everywhere(market, officer_b, api_as, client_as):
    made = report(market, photo=jpeg())
    with nothing_written():
        with pytest.raises(NotFound):
            safety.safety_report_triage(report=made, actor=officer_b)
        with pytest.raises(NotFound):
            safety.safety_report_dismiss(report=made, actor=officer_b, reason="不是本县的")
    api = api_as(officer_b)
    assert api.get("/api/v1/safety-reports/").json()["count"] == 0
    assert api.get(f"/api/v1/safety-reports/{made.pk}/").status_code == 404
    assert api.post(f"/api/v1/safety-reports/{made.pk}/triage/", {}, format="json").status_code == 404
    staff = client_as(officer_b)
    assert staff.get(f"/disputes/safety/{made.pk}/photo/").status_code == 404
    assert staff.get(f"/admin/disputes/safetyreport/{made.pk}/triage/").status_code == 404


def test_staff_in_scope_list_triage_and_read_the_photo_audited(
    market, officer, api_as, client_as, django_assert_max_num_queries
):
    for _ in range(3):  # more rows must not mean more queries
        report(market, photo=jpeg())
    made = report(market, photo=jpeg(), contact_name=SECRET_NAME, contact_phone=SECRET_PHONE)
    api = api_as(officer)
    with django_assert_max_num_queries(10):  # session, user, permissions, count, page: no query per row
        listing = api.get("/api/v1/safety-reports/")
    assert listing.status_code == 200 and listing.json()["count"] == 4
    assert api.get("/api/v1/safety-reports/?status=dismissed").json()["count"] == 0
    row = next(r for r in listing.json()["results"] if r["id"] == made.pk)
    assert row["contact"]["phone"] == "139****5678" and SECRET_PHONE not in listing.content.decode()
    triaged = api.post(
        f"/api/v1/safety-reports/{made.pk}/triage/", {"findings": {"fire": "major"}}, format="json"
    )
    assert triaged.status_code == 200 and triaged.json()["status"] == SafetyReportStatus.INSPECTING
    decided = api.post(
        f"/api/v1/safety-reports/{made.pk}/decide/",
        {"action": "suspend", "reason": "消防隐患整改前暂停"},
        format="json",
    )
    assert decided.status_code == 200 and decided.json()["status"] == SafetyReportStatus.CONCLUDED
    market.refresh_from_db()
    assert market.status == MarketStatus.SUSPENDED
    photo = client_as(officer).get(f"/disputes/safety/{made.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert AuditLog.objects.filter(actor=officer, action="reveal", reason="查看隐患照片").exists()


def test_the_operator_of_the_market_cannot_see_the_reporter(
    market, operator, officer, worker, api_as, client_as
):
    made = report(market, worker, photo=jpeg(), contact_name=SECRET_NAME, contact_phone=SECRET_PHONE)
    safety.safety_report_triage(report=made, actor=officer)
    safety.safety_report_decide(
        report=made, actor=officer, action=RiskAction.SUSPEND, reason="雨棚加固前暂停"
    )
    api = api_as(operator)
    listing = api.get("/api/v1/safety-reports/")
    assert listing.status_code == 200 and listing.json()["count"] == 0
    assert api.get(f"/api/v1/safety-reports/{made.pk}/").status_code == 404
    page = client_as(operator)
    assert page.get(f"/disputes/safety/{made.pk}/photo/").status_code == 404
    seen = [
        listing.content.decode(),
        page.get(f"/markets/manage/{market.pk}/").content.decode(),
        page.get("/markets/notices/").content.decode(),
        " ".join(MessageDelivery.objects.filter(recipient=str(operator.pk)).values_list("body", flat=True)),
        " ".join(Inspection.objects.filter(market=market).values_list("hazards", "notes").first()),
        " ".join(PublicNotice.objects.filter(market=market).values_list("title", "reason").first()),
    ]
    for text in seen:
        for secret in (SECRET_NAME, SECRET_PHONE, worker.real_name, worker.phone):
            assert secret not in text


def test_the_reporter_reads_their_own_reports(market, worker, client_as):
    made = report(market, worker)
    page = client_as(worker).get("/disputes/safety/mine/")
    assert page.status_code == 200 and made.number in page.content.decode()


# --- the panel on every market's page and board ------------------------------------------------------------


def test_every_market_page_and_board_shows_the_rights_panel_with_the_hotlines(county_a, county_b):
    RightsContact.objects.create(
        scope_unit=county_a,
        rights_hotline="0536-12333",
        inspection_name="潍城区劳动保障监察大队",
        inspection_phone="0536-8000001",
        arbitration_name="潍城区劳动人事争议仲裁院",
        arbitration_phone="0536-8000002",
    )
    markets = [
        MarketFactory(scope_unit=county_a, hotline="0536-8111111"),
        MarketFactory(scope_unit=county_b, hotline="0536-5222222"),
    ]
    client = Client()
    for market in markets:
        for url in (f"/markets/{market.pk}/",):
            html = client.get(url).content.decode()
            panel = re.search(
                r'<section class="market-panel">\s*<h2>维权与求助</h2>(.*?)</section>', html, re.S
            )
            assert panel, url
            body = panel.group(1)
            assert "12345" in body
            assert f"/disputes/safety/new/?market={market.pk}" in body
            assert "/disputes/complain/" in body  # the complaint form's door (below)
            assert market.hotline in body
            if market.scope_unit == county_a:
                assert "0536-12333" in body and "潍城区劳动保障监察大队 0536-8000001" in body
                assert "潍城区劳动人事争议仲裁院 0536-8000002" in body
            else:
                assert "劳动保障维权热线 12333" in body and "监察大队" not in body
        page = client.get(f"/markets/{market.pk}/").content.decode()
        assert (
            f'href="/disputes/safety/new/?market={market.pk}"' in page
        )  # a link on the page (the board shows text)
        # the board's compact strip: the hotlines and the addresses printed after the board's host
        board = client.get(f"/board/markets/{market.pk}/").content.decode()
        strip = re.search(r'<section class="market-panel">\s*<h2>维权与求助</h2>(.*?)</section>', board, re.S)
        assert strip, market
        text = re.sub(r"<[^>]+>", "", strip.group(1))
        assert "政务热线 12345" in text and "<a " not in strip.group(1)
        assert "testserver/disputes/complain/" in text
        assert f"testserver/disputes/safety/new/?market={market.pk}" in text
        if market.scope_unit == county_a:
            assert "维权热线 0536-12333" in text and "12333" in text.replace("0536-12333", "")
        else:
            assert "维权热线 12333" in text


def test_the_rights_page_links_to_report_a_hazard(worker, client_as):
    page = client_as(worker).get("/disputes/")
    assert 'href="/disputes/safety/new/"' in page.content.decode()


def test_the_admin_shows_the_reports_event_rows_and_its_steps(market, officer, client_as):
    made = report(market)
    html = client_as(officer).get(f"/admin/disputes/safetyreport/{made.pk}/change/").content.decode()
    assert 'id="events-0"' in html and f"{made.number}:  → received" in html
    assert f"/admin/disputes/safetyreport/{made.pk}/triage/" in html
    assert f"/admin/disputes/safetyreport/{made.pk}/dismiss/" in html
    add = client_as(officer).get("/admin/markets/inspection/add/")
    assert add.status_code == 200  # an add view still has no event formset


def test_the_panels_complaint_link_leads_each_person_to_a_page_that_answers(worker, officer, client_as):
    assert Client().get("/disputes/complain/")["Location"] == "/disputes/new/"  # then sign in
    assert client_as(worker).get("/disputes/complain/")["Location"] == "/disputes/new/"
    staff = client_as(officer).get("/disputes/complain/", follow=True)
    assert staff.status_code == 200 and staff.redirect_chain[-1][0] == "/disputes/"
