"""The green channel (ADR 0025): a referral stores the packet — claim lines with their final-award (一裁终局)
flags on both sides of 12 × the minimum wage, the frozen evidence bundle and its hash, uploaded evidence
with theirs, the clocks with their rule versions, the routing rule — with its own hash; the printable page
is for the county's staff only; the body's case number and outcome are recorded through the page, the API
and the admin, stored and audited."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType

from core.calendar import SHANGHAI
from core.models import AuditLog
from disputes import services
from disputes.choices import ClaimType, ClockKind, ReferralBody
from disputes.models import Evidence, EvidenceBundle, Referral

from .factories import complaint, jpeg
from .work_record import worked_order

pytestmark = pytest.mark.django_db

# the seeded tier-1 standard for 潍城区 from 1 October 2025: 2 200 a month, so 12 × 2 200 = 26 400
LIMIT = Decimal("26400.00")


def _canonical_sha(value) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.fixture
def order(county_a):
    return worked_order(unit=county_a)


@pytest.fixture
def referred(order, officer):
    """A complaint about the work order, with a photo, accepted and referred to inspection."""
    case = complaint(order.worker, work_order=order, uploads=[jpeg()])
    services.case_accept(case=case, actor=officer)
    return services.case_refer_inspection(case=case, actor=officer, reason="拖欠工资，转监察")


def test_referral_row_stores_the_packet_with_its_hash_and_the_frozen_bundle(referred, officer):
    referral = Referral.objects.get(case=referred)
    bundle = EvidenceBundle.objects.get(case=referred)
    assert (referral.body, referral.referred_by) == (ReferralBody.INSPECTION, officer)
    assert referral.packet_sha256 == _canonical_sha(referral.packet) and services.referral_verify(referral)
    packet = referral.packet
    assert packet["case_number"] == referred.number and packet["body"] == ReferralBody.INSPECTION
    assert packet["evidence_bundle"]["sha256"] == bundle.sha256 and bundle.frozen_at is not None
    assert packet["evidence_bundle"]["content"] == bundle.content
    evidence = Evidence.objects.get(case=referred)
    assert [(e["id"], e["sha256"]) for e in packet["evidence"]] == [(evidence.pk, evidence.sha256)]
    clocks = {c["kind"]: c for c in packet["clocks"]}
    resolve = referred.clocks.get(kind=ClockKind.INSPECTION_RESOLVE)
    assert clocks[ClockKind.INSPECTION_RESOLVE]["due_on"] == resolve.due_on.isoformat()
    assert clocks[ClockKind.INSPECTION_RESOLVE]["rule_version"] == resolve.rule_version
    assert packet["routing"] == {
        "queue": referred.queue,
        "rule_id": referred.routing_rule_id,
        "rule": referred.routing_rule_name,
    }
    # the complainant masked in the stored JSON; the phone never in clear
    worker = referred.complainant
    assert packet["complainant"]["name"] == worker.real_name[0] + "*" * (len(worker.real_name) - 1)
    assert worker.phone not in json.dumps(packet, ensure_ascii=False)


def test_packet_json_has_final_award_flags_on_both_sides_of_the_threshold(api_as, worker, officer):
    with time_machine.travel(dt.datetime(2026, 2, 27, 10, tzinfo=SHANGHAI), tick=False):
        case = complaint(
            worker,
            claims=[
                {"claim_type": ClaimType.WAGES, "amount": LIMIT},
                {"claim_type": ClaimType.COMPENSATION, "amount": LIMIT + Decimal("0.01")},
            ],
        )
        services.case_accept(case=case, actor=officer)
        services.case_refer_arbitration(case=case, actor=officer)
    referral = Referral.objects.get(case=case)
    response = api_as(officer).get(f"/api/v1/case-referrals/{referral.pk}/")
    assert response.status_code == 200
    body = response.json()
    assert body["packet_sha256"] == referral.packet_sha256 and body["verified"] is True
    assert body["body"] == ReferralBody.ARBITRATION
    claims = [
        (c["claim_type"], c["amount"], c["final_award"], c["final_award_limit"])
        for c in body["packet"]["claims"]
    ]
    assert claims == [
        (ClaimType.WAGES, "26400.00", True, "26400.00"),
        (ClaimType.COMPENSATION, "26400.01", False, "26400.00"),
    ]
    assert body["packet"]["evidence_bundle"] is None  # a free-text respondent: no work record to draw from
    listed = api_as(officer).get(f"/api/v1/case-referrals/?case={case.pk}").json()["results"]
    assert [r["id"] for r in listed] == [referral.pk]


def test_packet_json_carries_the_frozen_bundle_hash(api_as, referred, officer, officer_b, worker):
    referral = Referral.objects.get(case=referred)
    bundle = EvidenceBundle.objects.get(case=referred)
    body = api_as(officer).get(f"/api/v1/case-referrals/{referral.pk}/").json()
    assert body["packet"]["evidence_bundle"]["sha256"] == bundle.sha256
    assert body["packet"]["evidence_bundle"]["frozen_at"] is not None
    got = api_as(officer).get(f"/api/v1/case-bundles/{bundle.pk}/").json()
    assert (got["sha256"], got["verified"], got["frozen_at"] is not None) == (bundle.sha256, True, True)
    assert api_as(officer_b).get(f"/api/v1/case-referrals/{referral.pk}/").status_code == 404
    assert api_as(referred.complainant).get(f"/api/v1/case-referrals/{referral.pk}/").status_code == 404
    assert api_as(referred.complainant).get("/api/v1/case-bundles/").json()["results"] == []
    rebuild = api_as(officer).post("/api/v1/case-bundles/", {"case": referred.pk}, format="json")
    assert rebuild.status_code == 409 and rebuild.json()["code"] == "bundle_frozen"


def test_api_builds_a_bundle_before_referral(api_as, order, officer, officer_b):
    case = complaint(order.worker, respondent=order.posting.employer)
    assert (
        api_as(officer_b).post("/api/v1/case-bundles/", {"case": case.pk}, format="json").status_code == 404
    )
    response = api_as(officer).post("/api/v1/case-bundles/", {"case": case.pk}, format="json")
    assert response.status_code == 201
    bundle = EvidenceBundle.objects.get(case=case)
    assert response.json()["sha256"] == bundle.sha256 and bundle.built_by == officer
    assert [o["id"] for o in bundle.content["work_orders"]] == [order.pk]


def test_printable_packet_is_for_the_countys_staff_only(client_as, referred, officer, officer_b, city_staff):
    url = f"/disputes/{referred.pk}/referral/"
    page = client_as(officer).get(url)
    assert page.status_code == 200
    html = page.content.decode()
    referral = Referral.objects.get(case=referred)
    bundle = EvidenceBundle.objects.get(case=referred)
    assert referred.number in html and referral.packet_sha256 in html and bundle.sha256 in html
    assert "<script" not in html and "referral.css" in html
    assert referred.complainant.real_name in html  # staff in scope read the name as on the case page
    assert client_as(city_staff).get(url).status_code == 200
    assert client_as(officer_b).get(url).status_code == 404
    assert client_as(referred.complainant).get(url).status_code == 403
    respondent = referred.respondent.user
    assert client_as(respondent).get(url).status_code in (403, 404)
    assert client_as(respondent).get(f"/disputes/{referred.pk}/bundle/").status_code in (403, 404)
    # the staff view of the case page links to the packet and the bundle; the complainant's does not
    detail = client_as(officer).get(f"/disputes/{referred.pk}/").content.decode()
    assert url in detail and f"/disputes/{referred.pk}/bundle/" in detail
    assert url not in client_as(referred.complainant).get(f"/disputes/{referred.pk}/").content.decode()


def test_recording_the_outcome_on_the_page_is_stored_and_audited(client_as, referred, officer, officer_b):
    referral = Referral.objects.get(case=referred)
    url = f"/disputes/{referred.pk}/referral/"
    assert client_as(officer_b).post(url, {"external_case_number": "X"}).status_code == 404
    assert client_as(referred.complainant).post(url, {"external_case_number": "X"}).status_code == 403
    assert client_as(officer).post(url, {"external_case_number": ""}).status_code == 400
    referral.refresh_from_db()
    assert (referral.external_case_number, referral.outcome_recorded_at) == ("", None)
    response = client_as(officer).post(
        url, {"external_case_number": "潍城监察〔2026〕118号", "external_outcome": "已责令限期支付"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert (referral.external_case_number, referral.external_outcome) == (
        "潍城监察〔2026〕118号",
        "已责令限期支付",
    )
    assert referral.outcome_recorded_by == officer and referral.outcome_recorded_at is not None
    log = AuditLog.objects.get(
        content_type=ContentType.objects.get_for_model(Referral), object_id=str(referral.pk)
    )
    assert log.actor == officer and log.after["external_case_number"] == "潍城监察〔2026〕118号"
    assert log.before == {"external_case_number": "", "external_outcome": ""}
    assert services.referral_verify(referral)  # the packet itself is untouched


def test_recording_the_outcome_through_the_api(api_as, referred, officer, officer_b):
    referral = Referral.objects.get(case=referred)
    url = f"/api/v1/case-referrals/{referral.pk}/outcome/"
    assert api_as(officer_b).post(url, {"external_case_number": "X"}, format="json").status_code == 404
    missing = api_as(officer).post(url, {}, format="json")
    assert missing.status_code == 400 and "external_case_number" in missing.json()["fields"]
    response = api_as(officer).post(
        url, {"external_case_number": "WC-2026-7", "external_outcome": "结案"}, format="json"
    )
    assert response.status_code == 200 and response.json()["external_case_number"] == "WC-2026-7"
    referral.refresh_from_db()
    assert (referral.external_case_number, referral.external_outcome, referral.outcome_recorded_by) == (
        "WC-2026-7",
        "结案",
        officer,
    )


def test_recording_the_outcome_in_the_admin(client_as, referred, officer):
    referral = Referral.objects.get(case=referred)
    client = client_as(officer)
    case_page = client.get(f"/admin/disputes/case/{referred.pk}/change/").content.decode()
    assert f"/disputes/{referred.pk}/referral/" in case_page
    url = f"/admin/disputes/referral/{referral.pk}/change/"
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"external_case_number": "潍城仲裁〔2026〕9号", "external_outcome": "调解结案"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    referral.refresh_from_db()
    assert (referral.external_case_number, referral.outcome_recorded_by) == ("潍城仲裁〔2026〕9号", officer)
    assert (
        AuditLog.objects.filter(
            content_type=ContentType.objects.get_for_model(Referral),
            object_id=str(referral.pk),
            actor=officer,
        ).count()
        == 1
    )


def test_admin_action_builds_the_bundle(client_as, order, officer):
    case = complaint(order.worker, respondent=order.posting.employer)
    response = client_as(officer).post(
        "/admin/disputes/case/", {"action": "build_bundle", "_selected_action": [case.pk]}
    )
    assert response.status_code == 302
    assert EvidenceBundle.objects.get(case=case).built_by == officer


def test_bundle_page_builds_and_shows_the_record(client_as, order, officer):
    case = complaint(order.worker, respondent=order.posting.employer)
    url = f"/disputes/{case.pk}/bundle/"
    assert "<form" in client_as(officer).get(url).content.decode()
    assert client_as(officer).post(url).status_code == 302
    bundle = EvidenceBundle.objects.get(case=case)
    html = client_as(officer).get(url).content.decode()
    assert bundle.sha256 in html and order.work_date.isoformat() in html and "7.50" in html


def test_packet_and_bundle_pages_in_english_leave_no_chinese_outside_user_data(client_as, referred, officer):
    import re

    from core.masking import mask_name

    client = client_as(officer)
    client.cookies["django_language"] = "en"
    order = referred.work_order
    user_data = [
        referred.number,
        referred.facts,
        referred.routing_rule_name,
        referred.respondent_label,
        referred.scope_unit.name,
        referred.complainant.real_name,
        mask_name(order.posting.contact_name),
        order.posting.title,
        order.posting.address,
        "午休一小时不计工时",
        "简体中文",
    ]
    for url in (f"/disputes/{referred.pk}/referral/", f"/disputes/{referred.pk}/bundle/"):
        html = client.get(url).content.decode()
        assert "Referral packet" in html or "Evidence bundle" in html
        text = re.sub(r"<[^>]+>", " ", html)
        for value in sorted(user_data, key=len, reverse=True):
            text = text.replace(value, " ")
        leftover = re.findall(r"\S*[\u3400-\u9fff]+\S*", text)
        assert not leftover, (url, leftover[:10])
