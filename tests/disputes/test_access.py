"""Doors: the API and the pages, county scope and personas (anonymous, outsider 404, wrong role 403, happy
path with stored state and the event row), evidence served only to who may see it, bad uploads refused with
nothing stored, and a withheld identity that never reaches the respondent."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.choices import Role
from core.models import MessageDelivery
from disputes import services
from disputes.choices import CaseStatus, Channel, ClaimType
from disputes.models import Case, CaseEvent, Evidence, RoutingRule

from ..accounts.factories import UserFactory
from ..conftest import nothing_written
from ..jobs.factories import make_employer
from .factories import complaint, jpeg, pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(worker):
    return complaint(worker)


def test_api_case_list_is_scoped(api, api_as, case, officer, officer_b, city_staff, worker, worker_b):
    assert api.get("/api/v1/cases/").status_code in (401, 403)
    ids = lambda client: [row["id"] for row in client.get("/api/v1/cases/").json()["results"]]  # noqa: E731
    assert ids(api_as(officer)) == [case.pk]
    assert ids(api_as(city_staff)) == [case.pk]
    assert ids(api_as(worker)) == [case.pk]
    assert ids(api_as(officer_b)) == []
    assert ids(api_as(worker_b)) == []
    assert api_as(officer_b).get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_api_county_token_reads_its_county(api_client_a, case):
    response = api_client_a.get("/api/v1/cases/")
    assert response.status_code == 200 and [r["id"] for r in response.json()["results"]] == [case.pk]
    assert api_client_a.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json").status_code in (403, 405)


def test_api_accept_personas(api, api_as, case, officer, officer_b, auditor, worker):
    url = f"/api/v1/cases/{case.pk}/accept/"
    assert api.post(url, {}, format="json").status_code in (401, 403)
    assert api_as(officer_b).post(url, {}, format="json").status_code == 404
    response = api_as(auditor).post(url, {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"
    assert api_as(worker).post(url, {}, format="json").status_code == 403  # the complainant does not accept
    case.refresh_from_db()
    assert case.status == CaseStatus.RECEIVED
    response = api_as(officer).post(url, {"reason": "符合受理条件"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == CaseStatus.ACCEPTED
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.accepted_at is not None
    event = CaseEvent.objects.filter(case=case).latest("id")
    assert (event.from_status, event.to_status, event.actor, event.reason) == (
        CaseStatus.RECEIVED,
        CaseStatus.ACCEPTED,
        officer,
        "符合受理条件",
    )
    again = api_as(officer).post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_api_every_step_and_the_error_shape(api_as, case, officer):
    client = api_as(officer)
    missing = client.post(f"/api/v1/cases/{case.pk}/not-accept/", {}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    assert client.post(f"/api/v1/cases/{case.pk}/accept/", {}, format="json").status_code == 200
    assert client.post(f"/api/v1/cases/{case.pk}/mediate/", {}, format="json").json()["status"] == "mediating"
    assert client.post(f"/api/v1/cases/{case.pk}/refer-inspection/", {}, format="json").status_code == 200
    body = {"clock": "inspection_resolve", "days": 30, "reason": "案情复杂"}
    assert client.post(f"/api/v1/cases/{case.pk}/extend/", body, format="json").status_code == 200
    second = client.post(f"/api/v1/cases/{case.pk}/extend/", body, format="json")
    assert second.status_code == 409 and second.json()["code"] == "already_extended"
    resolved = client.post(f"/api/v1/cases/{case.pk}/resolve/", {"resolution": "已足额支付"}, format="json")
    assert resolved.json()["status"] == "resolved"
    assert client.post(f"/api/v1/cases/{case.pk}/close/", {}, format="json").json()["status"] == "closed"
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.resolution == "已足额支付"
    assert list(case.events.order_by("id").values_list("to_status", flat=True)) == [
        "received",
        "accepted",
        "mediating",
        "referred_inspection",
        "resolved",
        "closed",
    ]


def test_api_not_accept_stores_the_reason(api_as, case, officer):
    response = api_as(officer).post(
        f"/api/v1/cases/{case.pk}/not-accept/", {"reason": "已超过两年投诉时效"}, format="json"
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert (case.status, case.not_accepted_reason) == (CaseStatus.NOT_ACCEPTED, "已超过两年投诉时效")
    assert not case.clocks.running().exists()


def test_api_online_complaint(api_as, worker, officer):
    body = {
        "respondent_name": "某物流公司",
        "relationship_type": "labour",
        "facts": "分拣 20 天未结工资",
        "claims": [
            {
                "claim_type": "wages",
                "amount": "4000.00",
                "period_from": "2026-10-01",
                "period_to": "2026-10-20",
            }
        ],
    }
    response = api_as(worker).post("/api/v1/cases/", body, format="json")
    assert response.status_code == 201, response.json()
    case = Case.objects.get(pk=response.json()["id"])
    assert (case.complainant, case.channel, case.queue) == (worker, Channel.ONLINE, "inspection")
    assert case.claims.get().amount == Decimal("4000.00")
    assert response.json()["complainant"]["name"] == worker.real_name
    bad = api_as(worker).post("/api/v1/cases/", {**body, "claims": []}, format="json")
    assert bad.status_code == 400 and "claims" in bad.json()["fields"]
    assert (
        api_as(officer).post("/api/v1/cases/", body, format="json").status_code == 403
    )  # staff use the counter


def test_api_case_list_query_count_is_pinned(api_as, officer, worker, django_assert_max_num_queries):
    for _i in range(5):
        complaint(
            worker,
            claims=[
                {"claim_type": ClaimType.WAGES, "amount": "100"},
                {"claim_type": "overtime", "amount": "50"},
            ],
        )
    client = api_as(officer)
    with django_assert_max_num_queries(12):
        response = client.get("/api/v1/cases/?deadline=on_time")
    assert response.status_code == 200 and response.json()["count"] == 5


def test_staff_see_the_complainant_masked(api_as, case, officer, worker):
    data = api_as(officer).get(f"/api/v1/cases/{case.pk}/").json()
    assert data["complainant"]["name"] != worker.real_name and data["complainant"]["name"].startswith(
        worker.real_name[0]
    )
    assert worker.phone not in str(data)


def test_withheld_identity_never_reaches_the_respondent(api_as, client_as, worker, officer, county_a):
    employer = make_employer(unit=county_a)
    case = complaint(
        worker,
        respondent=employer,
        withhold_identity=True,
        uploads=[jpeg()],
        facts="我是张三，在工地干了 12 天",
    )
    services.case_accept(case=case, actor=officer)
    services.case_mediate(case=case, actor=officer)
    respondent = employer.user
    secrets = [worker.real_name, worker.phone, worker.id_number, "张三"]
    api = api_as(respondent)
    listing = api.get("/api/v1/cases/")
    detail = api.get(f"/api/v1/cases/{case.pk}/")
    assert listing.status_code == 200 and listing.json()["count"] == 1  # they see the case…
    assert detail.status_code == 200 and detail.json()["complainant"] is None
    page = client_as(respondent).get(f"/disputes/{case.pk}/")
    assert page.status_code == 200
    evidence = case.evidence.get()
    assert client_as(respondent).get(f"/disputes/evidence/{evidence.pk}/").status_code == 404
    inbox = " ".join(
        MessageDelivery.objects.filter(recipient=str(respondent.pk)).values_list("body", flat=True)
    )
    for text in (listing.content.decode(), detail.content.decode(), page.content.decode(), inbox):
        for secret in secrets:
            assert secret not in text
    # without the request, the respondent reads the name (masked)
    open_case = complaint(worker, respondent=employer)
    services.case_accept(case=open_case, actor=officer)
    assert (
        api.get(f"/api/v1/cases/{open_case.pk}/")
        .json()["complainant"]["name"]
        .startswith(worker.real_name[0])
    )


def test_the_respondent_sees_nothing_before_acceptance(api_as, worker, county_a):
    employer = make_employer(unit=county_a)
    case = complaint(worker, respondent=employer)
    assert api_as(employer.user).get(f"/api/v1/cases/{case.pk}/").status_code == 404


def test_evidence_is_re_encoded_and_served_only_to_the_complainant_and_staff_in_scope(
    client, client_as, worker, officer, officer_b, worker_b, private_media
):
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # the camera maker, as a phone writes it
    Image.new("RGB", (64, 48), (10, 200, 10)).save(out, format="PNG", exif=exif)
    png = SimpleUploadedFile("scan.png", out.getvalue(), content_type="image/png")
    case = complaint(worker, uploads=[png, pdf()])
    image, document = case.evidence.order_by("id")
    assert (image.kind, document.kind) == ("image", "pdf")
    stored = (private_media / image.file.name).read_bytes()
    assert stored.startswith(b"\xff\xd8") and b"SecretCam" not in stored
    import hashlib

    assert image.sha256 == hashlib.sha256(stored).hexdigest()
    url = f"/disputes/evidence/{image.pk}/"
    assert client.get(url).status_code == 302  # to the login page
    assert client_as(officer_b).get(url).status_code == 404
    assert client_as(worker_b).get(url).status_code == 404
    own = client_as(worker).get(url)
    assert own.status_code == 200 and own["X-Content-Type-Options"] == "nosniff"
    assert b"".join(own.streaming_content) == stored
    staff = client_as(officer).get(url)
    assert staff.status_code == 200 and staff["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("note.txt", b"just text", "file_type"),
        ("evil.jpg", b"<script>alert(1)</script>", "file_type"),
        (
            "evil.jpg",
            b"\xff\xd8\xff\xe0" + b"<script>alert(1)</script>" * 10,
            "file_type",
        ),  # a JPEG header only
        ("js.pdf", None, "file_type"),
        ("big.jpg", b"x" * 2048, "file_too_large"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(
    client_as, worker, settings, private_media, name, content, code
):
    case = complaint(worker)
    settings.LINGONG_EVIDENCE_MAX_BYTES = 1024
    if content is None:
        upload = pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
    else:
        upload = SimpleUploadedFile(name, content, content_type="image/jpeg")
    with nothing_written(), pytest.raises(Exception) as refused:
        services.evidence_add(case=case, actor=worker, upload=upload)
    assert refused.value.code == code and "file" in refused.value.fields
    clear = {"file_type": "只能上传 JPEG、PNG 图片或不含脚本的 PDF 文件", "file_too_large": "文件过大"}[code]
    assert clear in str(refused.value.fields["file"])
    assert not Evidence.objects.exists()
    assert not private_media.exists() or not any(p.is_file() for p in private_media.rglob("*"))
    page = client_as(worker).post(
        f"/disputes/{case.pk}/",
        {"file": SimpleUploadedFile(name, content or b"%PDF", content_type="image/jpeg")},
    )
    assert page.status_code == 400 and not Evidence.objects.exists()
    assert clear in page.content.decode()  # the person reads why, on the page


def test_complaint_page_makes_a_case_and_my_complaints_shows_the_deadline(client_as, worker):
    client = client_as(worker)
    assert client.get("/disputes/new/").status_code == 200
    response = client.post(
        "/disputes/new/",
        {
            "respondent_name": "某家政服务部",
            "relationship_type": "labour",
            "facts": "干了 5 天保洁没给钱",
            "claim1_type": "wages",
            "claim1_amount": "750",
        },
    )
    case = Case.objects.get(complainant=worker)
    assert response.status_code == 302 and response["Location"] == f"/disputes/{case.pk}/"
    clock = case.clocks.get()
    listing = client.get("/disputes/").content.decode()
    assert (
        case.number in listing
        and f"{clock.due_on.year}年{clock.due_on.month}月{clock.due_on.day}日前" in listing
    )
    bad = client.post(
        "/disputes/new/",
        {"respondent_name": "x", "facts": "y", "claim1_type": "wages", "claim1_amount": "-5"},
    )
    assert bad.status_code == 400 and Case.objects.count() == 1


def test_complaint_page_is_for_workers_and_employers(client, client_as, officer, county_a):
    assert client.get("/disputes/new/").status_code == 302
    assert client_as(officer).get("/disputes/new/").status_code == 403
    training = UserFactory(scope_unit=county_a, roles=[Role.TRAINING_INSTITUTION])
    assert client_as(training).get("/disputes/new/").status_code == 403


def test_counter_intake_page(client_as, officer, worker, county_a):
    assert client_as(worker).get("/disputes/counter/new/").status_code == 404
    client = client_as(officer)
    assert "/disputes/counter/new/" in client.get("/jobs/counter/").content.decode()
    form = {
        "channel": "hotline",
        "complainant_name": "周红",
        "complainant_phone": "13500001234",
        "respondent_name": "某餐饮店",
        "relationship_type": "labour",
        "facts": "电话反映拖欠两个月工资",
        "claim1_type": "wages",
        "claim1_amount": "6000",
    }
    response = client.post("/disputes/counter/new/", form)
    case = Case.objects.get()
    assert response.status_code == 302
    assert (case.channel, case.recorded_by, case.complainant_name, case.scope_unit) == (
        Channel.HOTLINE,
        officer,
        "周红",
        county_a,
    )
    missing_scan = client.post("/disputes/counter/new/", {**form, "channel": "counter"})
    assert missing_scan.status_code == 400 and Case.objects.count() == 1
    assert "签字" in missing_scan.content.decode()


def test_admin_queue_filters_by_deadline_and_actions_call_the_services(client_as, officer, worker):
    case = complaint(worker)
    client = client_as(officer)
    listing = client.get("/admin/disputes/case/?deadline=on_time")
    assert listing.status_code == 200 and case.number in listing.content.decode()
    assert case.number not in client.get("/admin/disputes/case/?deadline=overdue").content.decode()
    client.post("/admin/disputes/case/", {"action": "accept", "_selected_action": [case.pk]})
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    assert case.events.filter(to_status=CaseStatus.ACCEPTED, actor=officer).exists()


def test_rule_tables_are_edited_by_city_staff_and_audited(client_as, officer, city_staff):
    from core.models import AuditLog

    rule = RoutingRule.objects.get(position=90)
    url = f"/admin/disputes/routingrule/{rule.pk}/change/"
    assert client_as(officer).get("/admin/disputes/routingrule/").status_code == 200  # county staff read it
    assert client_as(officer).post("/admin/disputes/routingrule/add/", {}).status_code == 403
    data = {"position": 95, "name": "其余：先行调解", "queue": "mediation", "is_active": "on"}
    assert client_as(city_staff).post(url, data).status_code == 302
    rule.refresh_from_db()
    assert rule.position == 95
    assert AuditLog.objects.filter(object_id=str(rule.pk), actor=city_staff).exists()


def test_the_case_page_shows_the_facts_to_the_complainant_and_staff(client_as, worker, officer, officer_b):
    case = complaint(worker, facts="在潍城区某工地干了 12 天")
    assert "在潍城区某工地干了 12 天" in client_as(worker).get(f"/disputes/{case.pk}/").content.decode()
    assert "在潍城区某工地干了 12 天" in client_as(officer).get(f"/disputes/{case.pk}/").content.decode()
    assert client_as(officer_b).get(f"/disputes/{case.pk}/").status_code == 404
