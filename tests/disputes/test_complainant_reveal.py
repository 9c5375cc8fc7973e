"""The complainant's mobile and resident ID on staff pages (ADR 0032): masked by default in the case list (API,
admin), the case page, the API, the admin and the referral packet (printable and JSON); revealed one value at a
time by county staff holding the reveal permission in the case's scope, with a reason, one audit row each.
Another county's staff get 404, the complainant, the respondent and an auditor 403; the admin changelist is not
searchable by phone or ID."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType

from core.choices import AuditAction
from core.masking import mask_id_number, mask_phone
from core.models import AuditLog
from disputes import services
from disputes.admin.cases import CaseAdmin
from disputes.choices import Channel, ClaimType
from disputes.models import Case

from ..jobs.factories import make_employer
from .factories import complaint, jpeg

pytestmark = pytest.mark.django_db


def _reveals(case) -> list[AuditLog]:
    return list(
        AuditLog.objects.filter(
            action=AuditAction.REVEAL,
            content_type=ContentType.objects.get_for_model(Case),
            object_id=str(case.pk),
        ).order_by("id")
    )


@pytest.fixture
def respondent(county_a):
    return make_employer(unit=county_a)


@pytest.fixture
def case(worker, respondent, officer):
    case = complaint(worker, respondent=respondent)
    services.case_accept(case=case, actor=officer)
    return case


def _absent(text: str, worker) -> None:
    assert worker.phone not in text and worker.id_number not in text


def test_masked_by_default_on_every_staff_door(client_as, api_as, case, worker, officer):
    staff = client_as(officer)
    page = staff.get(f"/disputes/{case.pk}/").content.decode()
    _absent(page, worker)
    assert mask_phone(worker.phone) in page and mask_id_number(worker.id_number) in page
    assert f"/disputes/{case.pk}/complainant/phone/reveal/" in page
    assert f"/disputes/{case.pk}/complainant/id_number/reveal/" in page
    for url in ("/api/v1/cases/", f"/api/v1/cases/{case.pk}/", "/api/v1/case-queue/"):
        response = api_as(officer).get(url)
        assert response.status_code == 200, url
        _absent(response.content.decode(), worker)
    assert api_as(officer).get(f"/api/v1/cases/{case.pk}/").json()["complainant"]["phone"] == mask_phone(
        worker.phone
    )
    changelist = staff.get("/admin/disputes/case/")
    assert changelist.status_code == 200
    _absent(changelist.content.decode(), worker)
    change = staff.get(f"/admin/disputes/case/{case.pk}/change/").content.decode()
    _absent(change, worker)
    assert mask_phone(worker.phone) in change and f"/disputes/{case.pk}/complainant/phone/reveal/" in change
    assert not _reveals(case)


def test_referral_packet_is_masked_printed_and_as_json(client_as, api_as, case, worker, officer):
    services.case_refer_inspection(case=case, actor=officer)
    referral = case.referrals.get()
    printed = client_as(officer).get(f"/disputes/{case.pk}/referral/").content.decode()
    _absent(printed, worker)
    assert mask_phone(worker.phone) in printed
    assert f"/disputes/{case.pk}/complainant/phone/reveal/" in printed
    for url in (f"/api/v1/case-referrals/{referral.pk}/", f"/api/v1/case-referrals/?case={case.pk}"):
        body = api_as(officer).get(url)
        assert body.status_code == 200
        _absent(body.content.decode(), worker)
    assert referral.packet["complainant"]["phone"] == mask_phone(worker.phone)
    assert not _reveals(case)


def test_reveal_shows_the_value_once_and_writes_one_audit_row(client_as, case, worker, officer):
    staff = client_as(officer)
    url = f"/disputes/{case.pk}/complainant/phone/reveal/"
    form = staff.get(url)
    assert form.status_code == 200 and worker.phone not in form.content.decode()
    refused = staff.post(url, {"reason": ""})
    assert refused.status_code == 400 and not _reveals(case)
    response = staff.post(url, {"reason": "电话回访投诉人"})
    assert response.status_code == 200 and worker.phone in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    (row,) = _reveals(case)
    assert row.actor == officer and row.reason == "电话回访投诉人"
    assert row.after == {"field": "complainant_phone", "value": mask_phone(worker.phone)}
    assert worker.phone not in str(row.after)
    staff.post(f"/disputes/{case.pk}/complainant/id_number/reveal/", {"reason": "核对身份"})
    assert [r.after["field"] for r in _reveals(case)] == ["complainant_phone", "complainant_id_number"]


def test_reveal_personas(client, client_as, case, worker, respondent, officer_b, auditor, city_staff):
    url = f"/disputes/{case.pk}/complainant/phone/reveal/"
    assert client.post(url, {"reason": "看看"}).status_code == 302  # to the login page
    assert client_as(officer_b).get(url).status_code == 404  # another county: no such case
    assert client_as(officer_b).post(url, {"reason": "看看"}).status_code == 404
    assert client_as(worker).post(url, {"reason": "看看"}).status_code == 403  # sees their own anyway
    assert client_as(respondent.user).post(url, {"reason": "看看"}).status_code == 403
    assert client_as(auditor).post(url, {"reason": "看看"}).status_code == 403  # no reveal permission
    assert client_as(officer_b).get(f"/disputes/{case.pk}/complainant/bank/reveal/").status_code == 404
    assert not _reveals(case)
    assert client_as(city_staff).post(url, {"reason": "市局督办核实"}).status_code == 200
    assert len(_reveals(case)) == 1


def test_api_reveal(api, api_as, case, worker, officer, officer_b, respondent):
    url = f"/api/v1/cases/{case.pk}/reveal-complainant/"
    body = {"field": "phone", "reason": "电话回访"}
    assert api.post(url, body, format="json").status_code in (401, 403)
    assert api_as(officer_b).post(url, body, format="json").status_code == 404
    assert api_as(respondent.user).post(url, body, format="json").status_code == 403
    missing = api_as(officer).post(url, {"field": "phone"}, format="json")
    assert missing.status_code == 400 and "reason" in missing.json()["fields"]
    bad = api_as(officer).post(url, {"field": "bank", "reason": "电话回访"}, format="json")
    assert bad.status_code == 400 and "field" in bad.json()["fields"]
    assert not _reveals(case)
    response = api_as(officer).post(url, body, format="json")
    assert response.status_code == 200 and response.json() == {"field": "phone", "value": worker.phone}
    assert len(_reveals(case)) == 1


def test_counter_complaint_and_clue_values_are_the_cases_own(client_as, officer):
    counter = complaint(
        officer,
        channel=Channel.COUNTER,
        complainant_name="蔺长河",
        complainant_phone="13700001234",
        signature_scan=jpeg(),
    )
    clue = complaint(
        officer,
        channel=Channel.ARREARS_PLATFORM,
        complainant_name="郝春生",
        complainant_phone="13700005678",
        clue_id_number="37070219800101001X",
        claims=[{"claim_type": ClaimType.WAGES, "amount": Decimal("15600")}],
    )
    staff = client_as(officer)
    page = staff.get(f"/disputes/{clue.pk}/").content.decode()
    assert "37070219800101001X" not in page and mask_id_number("37070219800101001X") in page
    assert "13700005678" not in page
    revealed = staff.post(f"/disputes/{clue.pk}/complainant/id_number/reveal/", {"reason": "核对线索"})
    assert "37070219800101001X" in revealed.content.decode()
    revealed = staff.post(f"/disputes/{counter.pk}/complainant/phone/reveal/", {"reason": "回电"})
    assert "13700001234" in revealed.content.decode()
    assert len(_reveals(clue)) == 1 and len(_reveals(counter)) == 1


def test_admin_changelist_is_not_searchable_by_phone_or_id(client_as, case, worker, officer):
    fields = " ".join(CaseAdmin.search_fields)
    assert "phone" not in fields and "id_number" not in fields and "complainant" not in fields
    found = client_as(officer).get("/admin/disputes/case/", {"q": worker.phone}).content.decode()
    assert case.number not in found
