"""Insured-list claims (ADR 0037): an agency or platform uploads its insured list for a month; the rows are
upserted into the premiums (dry run, per-row report), and each insured person gets one accident-insurance
application whose amount is 50 % of the premium, at most ¥100 a year per person across every payer (the
seeded AI-2025-07 row). Expected figures come from that rule, not from the code's output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from accounts.choices import Role
from core.errors import NotPermitted
from subsidies.choices import ApplicationStatus as S
from subsidies.models import (
    Application,
    Budget,
    EligibilityDecision,
    Entitlement,
    InsuredListClaim,
    InsuredPremium,
)
from subsidies.services.accident_claims import claim_upload
from subsidies.services.applications import application_city_review, application_county_review
from subsidies.services.notice import notices_conclude
from work.models import WorkOrder

from ..accounts.factories import UserFactory
from ..jobs.factories import make_employer
from .factories import program
from .factories_claims import MAY, agency, insured, insured_list, row

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 6, 10, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def upload(employer, *rows, dry_run=False, month="2026-05"):
    return claim_upload(
        actor=employer.user,
        uploaded_file=insured_list(*rows),
        month=month,
        payer_kind="agency",
        dry_run=dry_run,
    )


def outcomes(claim):
    return [e["outcome"] for e in claim.report]


def test_two_agencies_claiming_the_same_person_share_the_yearly_cap(county_a):
    a, b, c = agency(county_a, "甲家政"), agency(county_a, "乙家政"), agency(county_a, "丙平台")
    person = insured(county_a, a, b, c)
    first = upload(a, row(person, "A-1", "150"))
    # 50 % × 150 = 75.00, under the ¥100 cap
    app_a = Application.objects.get(insured_claim=first)
    assert (app_a.amount_requested, app_a.payer, app_a.status, app_a.person) == (
        Decimal("75.00"),
        a,
        S.SUBMITTED,
        person,
    )
    assert (app_a.period_start, app_a.period_end) == (MAY, dt.date(2026, 5, 31))
    second = upload(b, row(person, "B-1", "100"))
    # 50 % × 100 = 50.00, but ¥100 − 75.00 pending with agency A leaves 25.00
    app_b = Application.objects.get(insured_claim=second)
    assert app_b.amount_requested == Decimal("25.00") and app_b.payer == b
    assert {r["code"] for r in app_b.dedup_reasons} >= {"yearly_cap", "other_payer"}
    # a third payer finds the cap used up: nothing claimed, the reason reported
    third = upload(c, row(person, "C-1", "80"))
    assert not Application.objects.filter(insured_claim=third).exists()
    assert third.people[0]["outcome"] == "not_subsidised" and "上限" in third.people[0]["message"]
    premiums = InsuredPremium.objects.filter(person=person).order_by("policy_number")
    assert [(p.payer, p.policy_number, p.premium, p.month) for p in premiums] == [
        (a, "A-1", Decimal("150.00"), MAY),
        (b, "B-1", Decimal("100.00"), MAY),
        (c, "C-1", Decimal("80.00"), MAY),
    ]
    # both go through review and notice unchanged; the two entitlements of the same month stand side by side
    Budget.objects.create(
        program_type=program("gig_accident_insurance"), scope_unit=county_a, year=2026, amount=Decimal("1000")
    )
    county = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    city = UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF])
    for app in (app_a, app_b):
        application_county_review(actor=county, application=app, outcome="approve")
        application_city_review(actor=city, application=app, outcome="approve")
    with time_machine.travel(dt.datetime(2026, 7, 1, 10, tzinfo=dt.UTC), tick=False):
        assert notices_conclude() == 2
    rows = Entitlement.objects.filter(person=person).order_by("amount")
    assert [(e.month, e.amount, e.payer) for e in rows] == [
        (MAY, Decimal("25.00"), b),
        (MAY, Decimal("75.00"), a),
    ]
    assert sum(e.amount for e in rows) == Decimal("100.00")


def test_an_injury_covered_row_a_manager_and_a_person_over_60_get_nothing_with_the_reason(county_a):
    a = agency(county_a)
    covered, by_order, manager, ok = (insured(county_a, a) for _i in range(4))
    old = insured(county_a, a, birth=dt.date(1960, 1, 1))  # 66 in May 2026
    order = WorkOrder.objects.filter(worker=by_order).order_by("id").first()
    claim = upload(
        a,
        row(covered, "P-1", "60", cover="是"),
        row(by_order, "P-2", "60", cover=str(order.pk)),
        row(manager, "P-3", "60", manager="是"),
        row(old, "P-4", "60"),
        row(ok, "P-5", "60"),
    )
    assert outcomes(claim) == ["created"] * 5
    report = {e["policy"]: e for e in claim.report}
    assert "职业伤害保障" in report["P-1"]["excluded"] and report["P-1"]["amount"] == "0.00"
    assert "职业伤害保障" in report["P-2"]["excluded"]
    assert "管理人员" in report["P-3"]["excluded"]
    assert "年龄" in report["P-4"]["excluded"]
    assert "excluded" not in report["P-5"]
    # only the eligible one is claimed: 50 % × 60 = 30.00
    assert [(a.person, a.amount_requested) for a in Application.objects.all()] == [(ok, Decimal("30.00"))]
    assert InsuredPremium.objects.get(policy_number="P-2").work_order == order
    assert InsuredPremium.objects.get(policy_number="P-2").injury_covered is True
    assert claim.applications_count == 1 and claim.amount_total == Decimal("30.00")


def test_a_dry_run_writes_nothing_but_reports_the_amounts(county_a):
    a = agency(county_a)
    person = insured(county_a, a)
    claim = upload(a, row(person, "P-1", "150"), dry_run=True)
    assert outcomes(claim) == ["created"]
    assert claim.people[0]["outcome"] == "would_apply" and claim.people[0]["amount"] == "75.00"
    assert claim.amount_total == Decimal("75.00") and claim.applications_count == 0
    assert not InsuredPremium.objects.exists()
    assert not Application.objects.exists()
    assert not EligibilityDecision.objects.exists()


def test_a_second_upload_of_the_same_file_changes_nothing(county_a):
    a = agency(county_a)
    person = insured(county_a, a)
    upload(a, row(person, "P-1", "150"))
    before = (
        list(InsuredPremium.objects.values_list("pk", "premium", "updated_at")),
        list(Application.objects.values_list("pk", "amount_requested", "status")),
    )
    again = upload(a, row(person, "P-1", "150"))
    assert outcomes(again) == ["identical"] and again.people[0]["outcome"] == "already_claimed"
    assert again.applications_count == 0
    after = (
        list(InsuredPremium.objects.values_list("pk", "premium", "updated_at")),
        list(Application.objects.values_list("pk", "amount_requested", "status")),
    )
    assert after == before


def test_conflicts_unknown_people_and_invalid_rows_are_reported_not_applied(county_a):
    a = agency(county_a)
    person, other = insured(county_a, a), insured(county_a, a)
    upload(a, row(person, "P-1", "150"))
    claim = upload(
        a,
        row(person, "P-1", "120"),  # other figures than on record
        ["370702199001011234", "王某", "P-9", "50", "2026-05", "否", "否"],  # nobody on the portal
        row(other, "P-2", "50", name="张冒名"),  # the name is not the ID's
        row(other, "P-3", "abc"),
        row(other, "P-4", "50", month="2026-04"),  # not the claimed month
    )
    assert outcomes(claim) == ["conflict", "unknown", "unknown", "invalid", "invalid"]
    assert (claim.conflict_count, claim.unknown_count, claim.invalid_count) == (1, 2, 2)
    assert InsuredPremium.objects.get(policy_number="P-1").premium == Decimal("150.00")
    assert InsuredPremium.objects.count() == 1 and Application.objects.count() == 1
    # the report masks the resident IDs
    assert all("*" in e["person"] for e in claim.report)


def test_a_row_without_work_for_the_payer_is_not_subsidised(county_a):
    a, b = agency(county_a), agency(county_a)
    person = insured(county_a, b)  # worked for b only
    claim = upload(a, row(person, "P-1", "150"))
    assert claim.report[0]["outcome"] == "created" and "用工记录" in claim.report[0]["excluded"]
    assert not Application.objects.exists()


def test_only_an_approved_organisation_may_claim(county_a):
    household = make_employer(unit=county_a)  # a household employer, not a platform or agency
    person = insured(county_a, household)
    with pytest.raises(NotPermitted):
        upload(household, row(person, "P-1", "150"))
    assert not InsuredListClaim.objects.exists()


def test_another_employer_cannot_see_the_claim_and_county_staff_see_their_county(
    county_a, county_b, client_as, api_as, officer, officer_b
):
    a, b = agency(county_a), agency(county_a)
    person = insured(county_a, a)
    claim = upload(a, row(person, "P-1", "150"))
    page = f"/subsidies/employer/accident-claims/{claim.pk}/"
    assert client_as(a.user).get(page).status_code == 200
    assert client_as(b.user).get(page).status_code == 404
    assert api_as(b.user).get(f"/api/v1/subsidy-insured-claims/{claim.pk}/").status_code == 404
    assert api_as(b.user).get("/api/v1/subsidy-insured-claims/").json()["count"] == 0
    mine = api_as(a.user).get(f"/api/v1/subsidy-insured-claims/{claim.pk}/").json()
    assert mine["applications_count"] == 1 and mine["report"][0]["outcome"] == "created"
    assert api_as(officer).get("/api/v1/subsidy-insured-claims/").json()["count"] == 1
    assert api_as(officer_b).get("/api/v1/subsidy-insured-claims/").json()["count"] == 0
    admin = f"/admin/subsidies/insuredlistclaim/{claim.pk}/change/"
    shown = client_as(officer).get(admin)
    assert shown.status_code == 200 and "P-1" in shown.content.decode()
    assert client_as(officer_b).get(admin).status_code in (302, 404)


# --- concurrency (PostgreSQL) -------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_by_five_agencies_never_exceed_the_cap(
    postgres_transactional, county_a, monkeypatch
):
    import threading

    from django.db import connections

    monkeypatch.setattr("subsidies.services.applications.notify", lambda *a, **k: None)
    agencies = [agency(county_a, f"家政{i}") for i in range(5)]
    person = insured(county_a, *agencies)
    barrier = threading.Barrier(len(agencies))
    results: list = [None] * len(agencies)

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            # 50 % × 80 = 40.00 each: ¥100 takes two whole claims and 20.00 of a third
            results[i] = upload(agencies[i], row(person, f"P-{i}", "80"))
        except Exception as exc:  # reported to the test through results
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(agencies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert all(isinstance(r, InsuredListClaim) for r in results), results
    amounts = sorted(Application.objects.filter(person=person).values_list("amount_requested", flat=True))
    assert amounts == [Decimal("20.00"), Decimal("40.00"), Decimal("40.00")]
    assert InsuredPremium.objects.filter(person=person).count() == 5


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_double_click_on_upload_claims_once(postgres_transactional, county_a, monkeypatch):
    import threading

    from django.db import connections

    monkeypatch.setattr("subsidies.services.applications.notify", lambda *a, **k: None)
    a = agency(county_a)
    person = insured(county_a, a)
    barrier = threading.Barrier(3)
    results: list = [None] * 3

    def work(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = upload(a, row(person, "P-1", "150"))
        except Exception as exc:  # reported to the test through results
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(isinstance(r, InsuredListClaim) for r in results), results
    assert sorted(outcomes(r)[0] for r in results) == ["created", "identical", "identical"]
    assert InsuredPremium.objects.count() == 1
    assert list(Application.objects.values_list("amount_requested", flat=True)) == [Decimal("75.00")]


def test_the_claim_page_is_403_for_a_worker_and_a_household_employer(county_a, client_as, worker):
    household = make_employer(unit=county_a)
    assert client_as(worker).get("/subsidies/employer/accident-claims/").status_code == 403
    assert client_as(household.user).get("/subsidies/employer/accident-claims/").status_code == 403


def test_a_list_longer_than_the_limit_is_refused_on_the_file_field(county_a, monkeypatch):
    from core.errors import DomainError

    monkeypatch.setattr("subsidies.services.accident_claims.MAX_ROWS", 2)
    a = agency(county_a)
    person = insured(county_a, a)
    with pytest.raises(DomainError) as refused:
        upload(a, *(row(person, f"P-{i}", "10") for i in range(3)))
    assert refused.value.code == "too_many_rows" and "file" in refused.value.fields
    assert not InsuredListClaim.objects.exists() and not InsuredPremium.objects.exists()
