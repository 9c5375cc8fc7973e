"""The green channel by pages, in Chromium (ADR 0025): a worker's complaint about a real work order (hired,
checked in and out, hours corrected, approved, paid) has been accepted; county staff sign in from `/`, reach
the admin from the menu, find the case, refer it to labour inspection with the admin action, open the case,
follow its link to the printable referral packet, and record the inspection team's case number and outcome
on it. Stored state is checked: the referral, the frozen bundle whose hash verifies, the outcome and its
audit row. Screenshots of the packet go to /tmp/h41_shots/."""

from __future__ import annotations

import os

import pytest

from accounts.choices import Role
from tests.accounts.factories import UserFactory

from .test_training_journey import Person

SHOTS = "/tmp/h41_shots"


def shot(person: Person, what: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    person.page.screenshot(path=os.path.join(SHOTS, f"{what}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_staff_refer_a_case_and_record_the_inspection_outcome(chromium, live_server, county_a):
    from django.contrib.contenttypes.models import ContentType

    from core.models import AuditLog
    from disputes import services
    from disputes.choices import CaseStatus, ReferralBody
    from disputes.models import EvidenceBundle, Referral
    from tests.disputes.factories import complaint
    from tests.disputes.work_record import worked_order

    order = worked_order(unit=county_a)
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], phone="13900004101")
    case = complaint(order.worker, work_order=order)
    services.case_accept(case=case, actor=officer)
    bundle = EvidenceBundle.objects.get(case=case)
    assert bundle.frozen_at is None

    staff = Person(chromium, live_server.url, "staff", viewport={"width": 1280, "height": 900})
    page = staff.page
    staff.log_in(officer.phone)  # staff land in the admin; the site's menu leads back there
    staff.click("a[href='/']")
    staff.nav("管理后台")
    staff.click("a[href$='/admin/disputes/case/'] >> nth=0")
    page.fill("#searchbar", case.number)
    staff.click("#changelist-search [type=submit]")
    page.check("input[name=_selected_action]")
    page.select_option("select[name=action]", "refer_inspection")
    staff.click("#changelist-form button[name=index]")
    done = page.locator("ul.messagelist").inner_text()
    assert "1 件" in done and not page.locator("ul.messagelist li.error").count(), done

    # the case's page in the admin links to the packet
    staff.click(f"#result_list a:text-is('{case.number}')")
    staff.click(f"a[href='/disputes/{case.pk}/referral/']")
    assert case.number in page.inner_text("main")
    referral = Referral.objects.get(case=case)
    assert referral.packet_sha256 in page.inner_text("main")
    shot(staff, "referral_packet")
    page.emulate_media(media="print")
    assert not page.locator("form.no-print").is_visible()  # the form does not print
    shot(staff, "referral_packet_print")
    page.emulate_media(media="screen")

    page.fill("#id_external_case_number", "潍城劳监〔2026〕41号")
    page.fill("#id_external_outcome", "已立案，责令用工方十日内支付")
    staff.click("form.no-print button[type=submit]")
    assert "已登记移送结果" in staff.messages()
    shot(staff, "referral_outcome")

    case.refresh_from_db()
    referral.refresh_from_db()
    bundle.refresh_from_db()
    assert case.status == CaseStatus.REFERRED_INSPECTION and referral.body == ReferralBody.INSPECTION
    assert (referral.external_case_number, referral.external_outcome) == (
        "潍城劳监〔2026〕41号",
        "已立案，责令用工方十日内支付",
    )
    assert referral.outcome_recorded_by == officer and referral.referred_by == officer
    assert bundle.frozen_at is not None and services.bundle_verify(bundle)
    assert referral.packet["evidence_bundle"]["sha256"] == bundle.sha256
    assert [o["id"] for o in bundle.content["work_orders"]] == [order.pk]
    assert AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(Referral), object_id=str(referral.pk), actor=officer
    ).exists()
