"""Issue 16's complaint doors by pages (ADR 0032), in headless Chromium without JavaScript, from `/` by clicks:

(a) a worker who worked for an employer (hired, checked in and out, approved, paid) signs in, goes to 维权投诉 →
我要投诉, picks that employer from the list of the employers they worked for, and submits: the stored case names
the employer as respondent and the work order, and its evidence bundle, drawn at intake, holds that order's
check-in and check-out.

(b) county staff sign in, open the case from the admin's queue, follow "view on site" to the case page, where the
complainant's mobile is masked, reveal it with a reason: the page shows it in full and exactly one audit row
records who, which value (masked) and why."""

from __future__ import annotations

import pytest

from accounts.choices import Role
from tests.accounts.factories import UserFactory

from .test_training_journey import PASSWORD, Person


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_worker_picks_the_employer_and_staff_reveal_the_mobile(
    chromium, live_server, settings, tmp_path, county_a
):
    from django.contrib.contenttypes.models import ContentType

    from core.choices import AuditAction
    from core.masking import mask_phone
    from core.models import AuditLog
    from disputes.choices import ClaimType
    from disputes.models import Case, EvidenceBundle
    from tests.disputes.work_record import worked_order

    settings.LINGONG_PRIVATE_MEDIA_ROOT = str(tmp_path / "private")
    order = worked_order(unit=county_a)
    worker_user, employer = order.worker, order.posting.employer
    worker_user.set_password(PASSWORD)
    worker_user.save()
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF], password=PASSWORD)

    # --- (a) the worker picks the employer they worked for ---
    worker = Person(chromium, live_server.url, "doors-worker", java_script_enabled=False)
    worker.page.set_viewport_size({"width": 360, "height": 640})
    worker.log_in(worker_user.phone)
    worker.nav("维权投诉")
    worker.click('main a:has-text("我要投诉")')
    page = worker.page
    choice = page.locator(f"input[name=work_order][value='{order.pk}']")
    label = page.locator(f"label:has(input[name=work_order][value='{order.pk}'])").inner_text()
    assert employer.display_name in label and order.posting.title in label
    choice.check()
    page.select_option("#id_relationship_type", "labour")
    page.fill("#id_facts", "在对方处干了一天，工时被少算，工钱没结清。")
    page.select_option("#id_claim1_type", ClaimType.WAGES)
    page.fill("#id_claim1_amount", "260")
    worker.click('main button:has-text("提交投诉")')
    case = Case.objects.get(complainant=worker_user)
    assert case.number in worker.messages()
    assert case.respondent == employer and case.work_order == order and case.respondent_name == ""
    bundle = EvidenceBundle.objects.get(case=case)
    (row,) = [o for o in bundle.content["work_orders"] if o["id"] == order.pk]
    order.refresh_from_db()
    assert row["check_in"]["at"] is not None and row["check_out"]["at"] is not None
    assert row["check_in"]["method"] == order.check_in_method and row["hours_worked"] == str(
        order.hours_worked
    )

    # --- (b) county staff reveal the complainant's mobile on the case page ---
    staff = Person(chromium, live_server.url, "doors-staff", viewport={"width": 1280, "height": 900})
    spage = staff.page
    staff.log_in(officer.phone)  # staff land in the admin
    staff.click("a[href$='/admin/disputes/case/'] >> nth=0")
    staff.click(f"#result_list a:text-is('{case.number}')")
    staff.click("a.viewsitelink")  # the admin's "view on site": the case page
    assert spage.url.endswith(f"/disputes/{case.pk}/")
    phone_row = spage.locator("#complainant-phone").inner_text()
    assert mask_phone(worker_user.phone) in phone_row and worker_user.phone not in spage.content()
    staff.click("#complainant-phone a")
    spage.fill("#id_reason", "电话回访投诉人核实欠薪情况")
    staff.click("#reveal-form button[type=submit]")
    assert worker_user.phone in spage.locator("#revealed").inner_text()
    rows = AuditLog.objects.filter(
        action=AuditAction.REVEAL,
        content_type=ContentType.objects.get_for_model(Case),
        object_id=str(case.pk),
    )
    assert rows.count() == 1
    (row,) = rows
    assert row.actor == officer and row.reason == "电话回访投诉人核实欠薪情况"
    assert row.after == {"field": "complainant_phone", "value": mask_phone(worker_user.phone)}
