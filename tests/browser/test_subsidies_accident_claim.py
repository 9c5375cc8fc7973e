"""Issue 17's accident-insurance claim by pages, in Chromium, from `/` by clicks (ADR 0037): a
domestic-service agency's user signs in, opens 招人, follows 意外伤害保险补贴申领, uploads the month's insured
list (one worker insured, one row covered by the per-order occupational-injury premium) and reads the per-row
report; the stored premiums and the application are asserted. Screenshots go to /tmp/h68_shots/."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.utils import timezone

from .test_training_journey import Person

SHOTS = "/tmp/h68_shots"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agency_uploads_its_insured_list_and_reads_the_report(chromium, live_server, county_a, tmp_path):
    from core.months import month_start, previous_month
    from subsidies.choices import ApplicationStatus
    from subsidies.models import Application, InsuredPremium
    from tests.subsidies.factories_claims import HEADER, agency, insured

    last = previous_month(month_start(timezone.localdate()))
    employer = agency(county_a, "好帮手家政")
    employer.user.phone = "13900006801"
    employer.user.save(update_fields=["phone"])
    worker = insured(county_a, employer, month=last)
    covered = insured(county_a, employer, month=last)
    month = f"{last:%Y-%m}"
    lines = [
        HEADER,
        [worker.id_number, worker.real_name, "JZ-001", "150", month, "否", "否"],
        [covered.id_number, covered.real_name, "JZ-002", "120", month, "否", "是"],
    ]
    path = tmp_path / "insured.csv"
    path.write_text("\n".join(",".join(line) for line in lines) + "\n", encoding="utf-8")

    person = Person(chromium, live_server.url, "agency", viewport={"width": 390, "height": 844})
    page = person.page
    person.log_in(employer.user.phone)
    person.nav("招人")
    person.click('main >> text="意外伤害保险补贴申领"')
    page.select_option("#id_payer_kind", "agency")
    page.fill("#id_month", month)
    page.set_input_files("#id_file", str(path))
    person.click("main form button[type=submit]")
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=os.path.join(SHOTS, "accident_claim_report.png"), full_page=True)

    rows = page.locator("#rows tbody tr")
    assert rows.count() == 2
    assert [rows.nth(i).get_attribute("data-outcome") for i in range(2)] == ["created", "created"]
    assert "职业伤害保障" in rows.nth(1).inner_text()
    assert worker.id_number not in page.content()  # masked
    # 50 % × 150 = 75.00 for the worker; the covered row gets nothing
    assert "75.00" in page.locator("#people").inner_text()
    assert "75.00" in page.locator("#total").inner_text()
    premiums = InsuredPremium.objects.filter(payer=employer).order_by("policy_number")
    assert [(p.person, p.premium, p.month, p.injury_covered) for p in premiums] == [
        (worker, Decimal("150.00"), last, False),
        (covered, Decimal("120.00"), last, True),
    ]
    app = Application.objects.get()
    assert (app.person, app.amount_requested, app.status, app.payer) == (
        worker,
        Decimal("75.00"),
        ApplicationStatus.SUBMITTED,
        employer,
    )
    assert app.number in page.locator("#people").inner_text()
