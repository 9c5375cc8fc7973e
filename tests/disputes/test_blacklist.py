"""The arrears blacklist (拖欠农民工工资失信联合惩戒对象名单; issue 16 must-show: a listed employer cannot
publish postings, lifting restores them). Figures from the rule: a payment order unpaid past its deadline is a
basis only at or above the province's threshold in force on the decision date (the seeded row: ¥10,000 from
2022-01-01); a listing lasts 3 years (listed 2026-12-02 → through 2029-12-01); lifting early needs the wages
paid, 6 months since listing (from 2027-06-02) and the written promise, all three."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.idgen import make_resident_id
from core.calendar import SHANGHAI
from core.errors import DomainError, InvalidTransition, NotFound, NotPermitted
from core.models import AuditLog
from disputes import services
from disputes.choices import BlacklistBasis, BlacklistStatus
from disputes.models import BlacklistEntry, BlacklistPerson, BlacklistThreshold
from jobs import hooks
from jobs import services as jobs
from jobs.choices import PostingStatus
from jobs.models import Posting

from ..conftest import nothing_written
from ..jobs.factories import draft_posting, make_employer
from .factories import jpeg, pdf

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)
ID_NUMBER = make_resident_id("370702", dt.date(1975, 3, 8), seq=12)
CHECKLIST = {key: True for key, _label in jobs.REVIEW_CHECKLIST}


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime.combine(day, dt.time(hour), tzinfo=SHANGHAI), tick=False)


@pytest.fixture(autouse=True)
def _today():
    with at(TODAY):
        yield


@pytest.fixture(autouse=True)
def _no_match_notifications(monkeypatch):
    monkeypatch.setattr("jobs.services.postings._on_published", lambda posting: None)


@pytest.fixture
def company(county_a):
    return make_employer(unit=county_a)


def listing(actor, employer, *, amount="10000.00", decided_on=TODAY, **overrides):
    data = {
        "basis": BlacklistBasis.PAYMENT_ORDER,
        "decided_on": decided_on,
        "decision_number": "潍城人社失信〔2026〕1号",
        "payment_order_number": "潍城人社限支〔2026〕7号",
        "payment_order_deadline": decided_on - dt.timedelta(days=10),
        "amount_unpaid": Decimal(amount) if amount is not None else None,
        "persons": [{"role": "法定代表人", "name": "王建国", "id_number": ID_NUMBER}],
    }
    data.update(overrides)
    return services.blacklist_list(actor=actor, employer=employer, **data)


def promise():
    return pdf(b"/Title (credit repair promise)")


def submit(posting, actor):
    return jobs.posting_submit(posting=posting, actor=actor)


def publish(posting, officer):
    """Submit and review: the whole path to published."""
    submit(posting, posting.employer.user)
    posting.refresh_from_db()
    jobs.posting_approve(posting=posting, actor=officer, checklist=CHECKLIST)
    posting.refresh_from_db()
    return posting


# --- the hook ---------------------------------------------------------------------------------------------


def test_disputes_fills_jobs_blacklist_check():
    assert services.employer_blacklisted in hooks.BLACKLIST_CHECKS
    assert hooks.BLACKLIST_CHECKS.count(services.employer_blacklisted) == 1


# --- listing and the threshold --------------------------------------------------------------------------


def test_the_seeded_threshold_is_in_force_with_its_basis():
    row = services.blacklist_threshold_in_force(TODAY)
    assert row.amount == Decimal("10000.00") and row.effective_from == dt.date(2022, 1, 1)
    assert "第五条" in row.basis and "上线前" in row.note


def test_listing_below_the_threshold_is_refused_with_a_field_error(officer, company):
    with nothing_written(), pytest.raises(DomainError) as exc:
        listing(officer, company, amount="9999.99")
    assert exc.value.code == "below_threshold"
    assert "amount_unpaid" in exc.value.fields and "10000.00" in str(exc.value.fields["amount_unpaid"][0])


def test_listing_at_the_threshold_is_accepted_for_three_years(officer, company):
    entry = listing(officer, company, amount="10000.00")
    entry.refresh_from_db()
    assert entry.status == BlacklistStatus.LISTED
    assert (entry.listed_from, entry.listed_until) == (TODAY, dt.date(2029, 12, 1))
    assert entry.threshold.amount == entry.threshold_amount == Decimal("10000.00")
    assert entry.decided_by == officer
    person = BlacklistPerson.objects.get(entry=entry)
    assert (person.name, person.id_number, person.masked_name) == ("王建国", ID_NUMBER, "王**")
    assert services.employer_blacklisted(company)


def test_the_threshold_in_force_on_the_decision_date_applies(officer, company, county_a):
    BlacklistThreshold.objects.create(
        province="山东省", effective_from=dt.date(2026, 7, 1), amount=Decimal("20000.00"), basis="新标准"
    )
    # decided before the new notice: the old ¥10,000 applies
    entry = listing(officer, company, amount="15000.00", decided_on=dt.date(2026, 6, 30))
    assert entry.threshold_amount == Decimal("10000.00")
    other = make_employer(unit=county_a)
    with pytest.raises(DomainError) as exc:
        listing(officer, other, amount="15000.00", decided_on=dt.date(2026, 7, 1))
    assert exc.value.code == "below_threshold" and "20000.00" in exc.value.message


def test_no_threshold_in_force_is_a_field_error(officer, company):
    with pytest.raises(DomainError) as exc:
        listing(officer, company, amount="50000.00", decided_on=dt.date(2021, 12, 31))
    assert exc.value.code == "no_threshold" and "amount_unpaid" in exc.value.fields


def test_a_payment_order_not_yet_past_its_deadline_is_no_basis(officer, company):
    with pytest.raises(DomainError) as exc:
        listing(officer, company, payment_order_deadline=TODAY)
    assert exc.value.code == "deadline_not_passed" and "payment_order_deadline" in exc.value.fields


def test_a_mass_incident_needs_its_description_not_an_amount(officer, company):
    with pytest.raises(DomainError) as exc:
        listing(officer, company, basis=BlacklistBasis.MASS_INCIDENT, amount=None, incident_description=" ")
    assert "incident_description" in exc.value.fields
    entry = listing(
        officer,
        company,
        basis=BlacklistBasis.MASS_INCIDENT,
        amount=None,
        incident_description="2026年11月20日，30余名农民工因被拖欠工资在项目部聚集。",
    )
    assert entry.amount_unpaid is None and entry.threshold is None and services.employer_blacklisted(company)


def test_a_responsible_person_is_required_and_their_id_checked(officer, company):
    with pytest.raises(DomainError) as exc:
        listing(officer, company, persons=[])
    assert "persons" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        listing(officer, company, persons=[{"name": "王建国", "id_number": "370702197503081239"}])
    assert "persons.0.id_number" in exc.value.fields


def test_listing_an_employer_twice_is_refused(officer, company):
    listing(officer, company)
    with pytest.raises(InvalidTransition) as exc:
        listing(officer, company)
    assert exc.value.code == "already_listed"


def test_listing_is_audited_with_persons_masked(officer, company):
    entry = listing(officer, company)
    row = AuditLog.objects.get(
        content_type=ContentType.objects.get_for_model(BlacklistEntry), object_id=str(entry.pk)
    )
    assert row.actor == officer and row.action == "create" and row.scope_unit_id == company.scope_unit_id
    assert ID_NUMBER not in str(row.after) and "王建国" not in str(row.after)
    assert row.after["persons"][0]["name"] == "王**"


# --- scope and roles --------------------------------------------------------------------------------------


def test_staff_of_another_county_get_404_and_the_employer_403_or_404(officer, officer_b, company, worker):
    with nothing_written(), pytest.raises(NotFound):
        listing(officer_b, company)
    with pytest.raises(NotFound):
        listing(worker, company)
    entry = listing(officer, company, decided_on=dt.date(2026, 5, 1))
    with pytest.raises(NotFound):
        services.blacklist_lift(
            entry=entry, actor=officer_b, wages_paid_on=TODAY, promise=promise(), reason="已支付"
        )
    with pytest.raises(NotFound):
        services.blacklist_lift(
            entry=entry, actor=company.user, wages_paid_on=TODAY, promise=promise(), reason="已支付"
        )


def test_an_auditor_in_scope_may_read_but_not_list(auditor, company):
    with pytest.raises(NotPermitted):
        listing(auditor, company)


def test_api_lists_in_scope_and_hides_other_counties(api_as, officer, officer_b, company, worker, api):
    entry = listing(officer, company)
    url = "/api/v1/blacklist-entries/"
    assert api.get(url).status_code in (401, 403)
    assert api_as(worker).get(url).status_code == 403
    mine = api_as(officer).get(url)
    assert mine.status_code == 200
    (row,) = mine.json()["results"]
    assert row["id"] == entry.pk and row["status"] == "listed" and row["listed_until"] == "2029-12-01"
    assert row["lift_possible_from"] == "2027-06-02"
    assert row["persons"] == [
        {"role": "法定代表人", "name": "王**", "id_number": "370702********" + ID_NUMBER[-4:]}
    ]
    assert api_as(officer_b).get(url).json()["results"] == []
    assert api_as(officer_b).get(f"{url}{entry.pk}/").status_code == 404
    assert api_as(officer_b).post(f"{url}{entry.pk}/lift/", {}).status_code == 404


def test_api_lists_an_employer_with_field_errors_below_the_threshold(api_as, officer, company):
    body = {
        "employer": company.pk,
        "basis": "payment_order",
        "payment_order_number": "限支7号",
        "payment_order_deadline": "2026-11-20",
        "amount_unpaid": "9000.00",
        "persons": [{"name": "王建国", "role": "法定代表人"}],
    }
    refused = api_as(officer).post("/api/v1/blacklist-entries/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "below_threshold"
    assert "amount_unpaid" in refused.json()["fields"]
    assert not BlacklistEntry.objects.exists()
    body["amount_unpaid"] = "12000.00"
    created = api_as(officer).post("/api/v1/blacklist-entries/", body, format="json")
    assert created.status_code == 201, created.json()
    entry = BlacklistEntry.objects.get()
    assert created.json()["id"] == entry.pk and entry.amount_unpaid == Decimal("12000.00")


# --- publishing while listed --------------------------------------------------------------------------------


def test_a_listed_employer_cannot_submit_or_publish_through_the_service(officer, company):
    pending = draft_posting(company)
    submit(pending, company.user)  # pending review before the listing
    draft = draft_posting(company)
    listing(officer, company)
    with pytest.raises(DomainError) as exc:
        submit(draft, company.user)
    assert exc.value.code == "employer_blacklisted" and "employer" in exc.value.fields
    with pytest.raises(DomainError) as exc:
        jobs.posting_approve(posting=pending, actor=officer, checklist=CHECKLIST)
    assert exc.value.code == "employer_blacklisted"
    assert not Posting.objects.filter(employer=company, status=PostingStatus.PUBLISHED).exists()
    draft.refresh_from_db()
    pending.refresh_from_db()
    assert (draft.status, pending.status) == (PostingStatus.DRAFT, PostingStatus.PENDING_REVIEW)


def test_a_listed_employer_is_refused_on_the_page_and_the_api(client_as, api_as, officer, company):
    posting = draft_posting(company)
    listing(officer, company)
    page = client_as(company.user).post(f"/jobs/employer/postings/{posting.pk}/submit/", follow=True)
    assert page.status_code == 200 and "失信联合惩戒对象名单" in page.content.decode()
    api = api_as(company.user).post(f"/api/v1/postings/{posting.pk}/submit/")
    assert api.status_code == 400
    assert api.json()["code"] == "employer_blacklisted" and "employer" in api.json()["fields"]
    posting.refresh_from_db()
    assert posting.status == PostingStatus.DRAFT
    assert not Posting.objects.filter(employer=company, status=PostingStatus.PUBLISHED).exists()


def test_the_admin_review_shows_the_refusal(client_as, officer, company):
    posting = draft_posting(company)
    submit(posting, company.user)
    listing(officer, company)
    data = {"decision": "approve", "note": "", **{f"check_{k}": "on" for k in CHECKLIST}}
    response = client_as(officer).post(f"/admin/jobs/posting/{posting.pk}/review/", data)
    assert response.status_code == 200 and "失信联合惩戒对象名单" in response.content.decode()
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW


# --- lifting early ------------------------------------------------------------------------------------------


SIX_MONTHS_AGO = dt.date(2026, 6, 2)  # lifting possible from 2026-12-02: today


@pytest.mark.parametrize("missing", ["wages_paid_on", "promise", "reason"])
def test_lifting_early_refuses_each_missing_input(officer, company, missing):
    entry = listing(officer, company, decided_on=SIX_MONTHS_AGO)
    values = {"wages_paid_on": dt.date(2026, 11, 30), "promise": promise(), "reason": "已全额支付并承诺"}
    values[missing] = None
    with nothing_written(), pytest.raises(DomainError) as exc:
        services.blacklist_lift(entry=entry, actor=officer, **values)
    assert missing in exc.value.fields
    assert services.employer_blacklisted(company)


def test_lifting_before_six_months_is_refused(officer, company):
    entry = listing(officer, company, decided_on=SIX_MONTHS_AGO + dt.timedelta(days=1))
    with nothing_written(), pytest.raises(InvalidTransition) as exc:
        services.blacklist_lift(
            entry=entry, actor=officer, wages_paid_on=TODAY, promise=promise(), reason="已全额支付"
        )
    assert exc.value.code == "too_early" and "2026-12-03" in exc.value.message


def test_a_script_renamed_as_a_promise_is_refused(officer, company):
    entry = listing(officer, company, decided_on=SIX_MONTHS_AGO)
    fake = SimpleUploadedFile("promise.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    with nothing_written(), pytest.raises(DomainError) as exc:
        services.blacklist_lift(
            entry=entry, actor=officer, wages_paid_on=TODAY, promise=fake, reason="已支付"
        )
    assert exc.value.code == "file_type" and "promise" in exc.value.fields


def test_lifting_with_all_three_restores_publishing_and_is_audited(officer, company):
    entry = listing(officer, company, decided_on=SIX_MONTHS_AGO)
    posting = draft_posting(company)
    with pytest.raises(DomainError):
        submit(posting, company.user)
    lifted = services.blacklist_lift(
        entry=entry, actor=officer, wages_paid_on=dt.date(2026, 11, 30), promise=jpeg(), reason="已全额支付"
    )
    entry.refresh_from_db()
    assert entry.status == BlacklistStatus.LIFTED and entry.lifted_by == officer and lifted.pk == entry.pk
    assert entry.wages_paid_on == dt.date(2026, 11, 30) and len(entry.promise_sha256) == 64
    assert entry.promise.name.endswith(".jpg")
    assert not services.employer_blacklisted(company)
    posting = publish(posting, officer)
    assert posting.status == PostingStatus.PUBLISHED
    row = AuditLog.objects.filter(
        content_type=ContentType.objects.get_for_model(BlacklistEntry),
        object_id=str(entry.pk),
        action="update",
    ).get()
    assert row.actor == officer and row.after["wages_paid_on"] == "2026-11-30"
    with pytest.raises(InvalidTransition) as exc:
        services.blacklist_lift(entry=entry, actor=officer, wages_paid_on=TODAY, promise=pdf(), reason="再次")
    assert exc.value.code == "already_lifted"


def test_api_lift_needs_all_three_and_then_lifts(api_as, officer, company):
    entry = listing(officer, company, decided_on=SIX_MONTHS_AGO)
    url = f"/api/v1/blacklist-entries/{entry.pk}/lift/"
    refused = api_as(officer).post(url, {"wages_paid_on": "2026-11-30", "reason": "已支付"})
    assert refused.status_code == 400 and "promise" in refused.json()["fields"]
    done = api_as(officer).post(
        url, {"wages_paid_on": "2026-11-30", "reason": "已支付", "promise": promise()}
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "lifted"
    entry.refresh_from_db()
    assert entry.lifted_at is not None


# --- expiry -------------------------------------------------------------------------------------------------


def test_expiry_after_three_years_restores_publishing_without_a_scan(officer, company):
    entry = listing(officer, company)
    with at(dt.date(2029, 12, 1)):  # the last day of the listing
        posting = draft_posting(company)
        with pytest.raises(DomainError):
            submit(posting, company.user)
        assert entry.status == BlacklistStatus.LISTED
    with at(dt.date(2029, 12, 2)):
        entry.refresh_from_db()
        assert entry.status == BlacklistStatus.EXPIRED and entry.lifted_at is None
        assert not services.employer_blacklisted(company)
        assert publish(posting, officer).status == PostingStatus.PUBLISHED
        with pytest.raises(InvalidTransition) as exc:
            services.blacklist_lift(
                entry=entry, actor=officer, wages_paid_on=TODAY, promise=pdf(), reason="x"
            )
        assert exc.value.code == "expired"


# --- the public page and the admin --------------------------------------------------------------------------


def test_the_public_page_lists_employers_in_force_with_names_masked(client, officer, company, county_a):
    entry = listing(officer, company)
    gone = make_employer(unit=county_a)
    listing(officer, gone, decided_on=dt.date(2023, 12, 1))  # expired 2026-11-30
    page = client.get("/disputes/blacklist/")
    html = page.content.decode()
    assert page.status_code == 200
    assert company.display_name in html and gone.display_name not in html
    assert "王**" in html and "王建国" not in html and ID_NUMBER not in html and ID_NUMBER[-4:] not in html
    assert "2029-12-01" in html and entry.get_basis_display() in html
    assert "/disputes/blacklist/" in client.get("/").content.decode()  # linked from every page's footer


def test_county_staff_list_and_lift_through_the_admin(client_as, officer, company):
    staff = client_as(officer)
    form = {
        "employer": company.pk,
        "basis": "payment_order",
        "decided_on": "2026-06-02",
        "payment_order_number": "限支7号",
        "payment_order_deadline": "2026-05-20",
        "amount_unpaid": "9000",
        "person0_role": "法定代表人",
        "person0_name": "王建国",
        "person0_id_number": ID_NUMBER,
    }
    refused = staff.post("/admin/disputes/blacklistentry/add/", form)
    assert refused.status_code == 400 and "10000.00" in refused.content.decode()
    assert not BlacklistEntry.objects.exists()
    form["amount_unpaid"] = "10000"
    created = staff.post("/admin/disputes/blacklistentry/add/", form)
    entry = BlacklistEntry.objects.get()
    assert created.status_code == 302 and entry.decided_by == officer
    changelist = staff.get("/admin/disputes/blacklistentry/").content.decode()
    assert "2029-06-01" in changelist and "2026-12-02" in changelist  # until, and the earliest lifting
    change = staff.get(f"/admin/disputes/blacklistentry/{entry.pk}/change/").content.decode()
    assert "王**" in change and ID_NUMBER not in change
    lift_url = f"/admin/disputes/blacklistentry/{entry.pk}/lift/"
    missing = staff.post(lift_url, {"wages_paid_on": "2026-11-30", "reason": "已支付"})
    assert missing.status_code == 400 and "信用修复承诺书" in missing.content.decode()
    done = staff.post(lift_url, {"wages_paid_on": "2026-11-30", "reason": "已支付", "promise": promise()})
    assert done.status_code == 302
    entry.refresh_from_db()
    assert entry.status == BlacklistStatus.LIFTED


def test_other_county_staff_cannot_reach_the_entry_in_the_admin(client_as, officer, officer_b, company):
    entry = listing(officer, company)
    other = client_as(officer_b)
    assert other.get(f"/admin/disputes/blacklistentry/{entry.pk}/lift/").status_code == 404
    assert str(company.display_name) not in other.get("/admin/disputes/blacklistentry/").content.decode()


def test_only_city_staff_edit_the_threshold(client_as, officer, city_staff):
    row = BlacklistThreshold.objects.get()
    url = f"/admin/disputes/blacklistthreshold/{row.pk}/change/"
    assert client_as(city_staff).get(url).status_code == 200
    county = client_as(officer).post(
        url, {"province": "山东省", "effective_from": "2022-01-01", "amount": "1"}
    )
    row.refresh_from_db()
    assert row.amount == Decimal("10000.00") and county.status_code in (200, 403)


def test_the_api_list_does_not_grow_queries_with_entries(api_as, officer, county_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api_as(officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/blacklist-entries/?status=listed").status_code == 200
        return len(queries)

    listing(officer, make_employer(unit=county_a))
    client.get("/api/v1/blacklist-entries/")  # warm the session and permission caches
    one = count()
    for _i in range(4):
        listing(officer, make_employer(unit=county_a))
    assert count() == one
    assert client.get("/api/v1/blacklist-entries/?status=listed").json()["count"] == 5


def test_the_public_page_reads_in_english_without_chinese_labels(client, officer, company):
    listing(officer, company)
    html = client.get("/disputes/blacklist/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Wage-arrears blacklist" in html and "Listing period" in html and "2029-12-01" in html


def test_the_public_page_shows_a_companys_credit_code(client, officer, county_a):
    from accounts.idgen import make_uscc
    from accounts.models import Organization
    from jobs.choices import EmployerKind

    firm = make_employer(unit=county_a)
    code = make_uscc("370702", seq=4242)
    firm.organization = Organization.objects.create(
        name="潍坊某建筑劳务有限公司", uscc=code, contact_name="王经理", owner=firm.user, scope_unit=county_a
    )
    firm.kind = EmployerKind.ORGANIZATION
    firm.save()
    listing(officer, firm)
    html = client.get("/disputes/blacklist/").content.decode()
    assert code in html and firm.display_name in html
