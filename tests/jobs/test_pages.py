"""The jobs pages: search and detail (public), apply and report, the worker's home and job-seeker
registration, employer registration, dashboard and posting form with the wage rules, and the counter where
staff act for a worker (assisted) and print referral slips with a QR code."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.choices import Role
from jobs import services
from jobs.choices import ApplicationSource, ApplicationStatus, PostingStatus, VerificationStatus
from jobs.models import Application, EmployerProfile, Posting, PostingReport, WorkerProfile
from tests.accounts.factories import UserFactory

from .factories import draft_posting, make_employer, make_worker, occupation, published_posting

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer_a(employer, county_a):
    return make_employer(unit=county_a, user=employer)


@pytest.fixture
def open_a(employer_a):
    return published_posting(employer_a, title="家庭保洁 半天")


@pytest.fixture
def worker_a(county_a):
    return make_worker(unit=county_a)


def shown_ids(response) -> list[int]:
    return [p.pk for p in response.context["postings"]]


# --- search and detail ------------------------------------------------------------------------------------


def test_search_page_lists_open_postings_only_and_filters(client, employer_a, open_a):
    draft_posting(employer_a, title="草稿岗位")
    porter = published_posting(
        employer_a, title="搬家工 两名", occupation=occupation("mover"), wage_amount=Decimal("300")
    )
    response = client.get("/jobs/")
    assert response.status_code == 200
    assert set(shown_ids(response)) == {open_a.pk, porter.pk}
    assert "草稿岗位" not in response.content.decode()
    assert shown_ids(client.get("/jobs/", {"q": "搬家"})) == [porter.pk]
    assert shown_ids(client.get("/jobs/", {"occupation": "housekeeping"})) == [open_a.pk]
    assert shown_ids(client.get("/jobs/", {"wage_min": "250"})) == [porter.pk]
    assert shown_ids(client.get("/jobs/", {"ordering": "-wage"})) == [porter.pk, open_a.pk]
    html = client.get("/jobs/").content.decode()
    assert (
        'id="posting-map"' in html and 'id="posting-features"' in html and "vendor/leaflet/leaflet.js" in html
    )


def test_search_page_pages_with_a_keyset_cursor(client):
    employer = make_employer(trusted=True)
    postings = [published_posting(employer, title=f"岗位{i}", lat=36.70 + i / 100) for i in range(5)]
    params = {"lat": 36.70, "lng": 119.024, "ordering": "distance", "page_size": 2}
    seen = []
    response = client.get("/jobs/", params)
    while True:
        seen.extend(shown_ids(response))
        if not response.context["next_url"]:
            break
        response = client.get(response.context["next_url"])
    assert seen == [p.pk for p in postings]


def test_search_form_submitted_as_is_defaults_to_newest_or_nearest(client, open_a):
    blank = {
        k: ""
        for k in (
            "q",
            "occupation",
            "county",
            "date_from",
            "date_to",
            "wage_min",
            "settlement",
            "market",
            "lat",
            "lng",
            "radius_km",
            "ordering",
        )
    }
    response = client.get("/jobs/", blank)
    assert response.status_code == 200 and shown_ids(response) == [open_a.pk]
    assert response.context["filter"].form.cleaned_data["ordering"] == "-published"
    response = client.get("/jobs/", {**blank, "lat": "36.7", "lng": "119.0"})
    assert response.context["filter"].form.cleaned_data["ordering"] == "distance"
    assert response.context["postings"][0].distance is not None


def test_search_page_shows_filter_errors(client, open_a):
    response = client.get("/jobs/", {"ordering": "distance"})
    assert response.status_code == 400
    assert "按距离排序须提供经纬度" in response.content.decode()


def test_search_near_home_uses_the_workers_home(client_as, employer_a, county_a):
    near = published_posting(employer_a, title="近处", lat=36.711, lng=119.031)
    far = published_posting(employer_a, title="远处", lat=36.80, lng=119.20)
    worker = make_worker(unit=county_a, lat=36.71, lng=119.03)
    response = client_as(worker).get("/jobs/", {"near": "home", "radius_km": "5"})
    assert shown_ids(response) == [near.pk]
    assert far.pk not in shown_ids(response)


def test_detail_page_masks_the_contact_and_offers_login_to_apply(client, open_a, employer_a):
    response = client.get(f"/jobs/{open_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "137****0001" in html and "13700000001" not in html and "周**" in html
    assert "/accounts/login/?next=" in html
    assert client.get(f"/jobs/{draft_posting(employer_a).pk}/").status_code == 404


def test_contact_on_the_page_only_for_the_accepted_worker_and_the_employer(
    client_as, open_a, employer_a, worker_a, officer
):
    application = services.application_apply(posting=open_a, worker=worker_a, actor=worker_a)
    assert "13700000001" not in client_as(worker_a).get(f"/jobs/{open_a.pk}/").content.decode()
    services.application_accept(application=application, actor=employer_a.user)
    assert "13700000001" in client_as(worker_a).get(f"/jobs/{open_a.pk}/").content.decode()
    assert "13700000001" in client_as(employer_a.user).get(f"/jobs/{open_a.pk}/").content.decode()
    assert "13700000001" not in client_as(officer).get(f"/jobs/{open_a.pk}/").content.decode()


def test_apply_button(client, client_as, open_a, worker_a):
    response = client.post(f"/jobs/{open_a.pk}/apply/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    response = client_as(worker_a).post(f"/jobs/{open_a.pk}/apply/")
    assert response.status_code == 302
    application = Application.objects.get(posting=open_a, worker=worker_a)
    assert application.status == ApplicationStatus.APPLIED and application.source == ApplicationSource.SELF
    page = client_as(worker_a).get(f"/jobs/{open_a.pk}/").content.decode()
    assert "您已报名" in page
    # applying twice shows the service's message and changes nothing
    response = client_as(worker_a).post(f"/jobs/{open_a.pk}/apply/", follow=True)
    assert "已经报名过该岗位" in response.content.decode()
    assert Application.objects.filter(posting=open_a, worker=worker_a).count() == 1


def test_apply_without_registration_is_sent_to_the_form(client_as, open_a):
    employer_only = UserFactory(roles=[Role.EMPLOYER])
    response = client_as(employer_only).post(f"/jobs/{open_a.pk}/apply/")
    assert response.status_code == 302 and response["Location"].endswith("/jobs/me/profile/")
    assert not Application.objects.filter(worker=employer_only).exists()


def test_anyone_may_report_from_the_page(client, open_a):
    response = client.post(f"/jobs/{open_a.pk}/report/", {"reason": "fee", "detail": "要先交体检费"})
    assert response.status_code == 302
    report = PostingReport.objects.get(posting=open_a)
    assert (report.reason, report.detail, report.reporter) == ("fee", "要先交体检费", None)
    response = client.post(f"/jobs/{open_a.pk}/report/", {"reason": ""})
    assert response.status_code == 400 and PostingReport.objects.count() == 1


# --- worker ----------------------------------------------------------------------------------------------


def test_worker_home_shows_recommendations_with_reasons_and_applications(
    client, client_as, open_a, worker_a, employer_a
):
    assert client.get("/jobs/me/").status_code == 302
    other = published_posting(employer_a, title="另一个保洁")
    application = services.application_apply(posting=other, worker=worker_a, actor=worker_a)
    response = client_as(worker_a).get("/jobs/me/")
    assert response.status_code == 200
    recs = response.context["recommendations"]
    assert [r.obj.pk for r in recs] == [open_a.pk] and recs[0].reasons
    html = response.content.decode()
    assert recs[0].reasons[0] in html
    assert [a.pk for a in response.context["applications"]] == [application.pk]
    assert f"/jobs/me/applications/{application.pk}/withdraw/" in html


def test_withdraw_from_the_home_page(client_as, open_a, worker_a):
    application = services.application_apply(posting=open_a, worker=worker_a, actor=worker_a)
    assert (
        client_as(make_worker()).post(f"/jobs/me/applications/{application.pk}/withdraw/").status_code == 404
    )
    response = client_as(worker_a).post(f"/jobs/me/applications/{application.pk}/withdraw/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN


def _profile_post(**overrides) -> dict:
    data = {
        "skills-TOTAL_FORMS": "2",
        "skills-INITIAL_FORMS": "0",
        "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "20",
        "skills-0-occupation": "electrician",
        "skills-0-level": "expert",
        "skills-0-years": "12",
        "skills-1-occupation": "",
        "skills-1-level": "skilled",
        "skills-1-years": "0",
        "certs-TOTAL_FORMS": "1",
        "certs-INITIAL_FORMS": "0",
        "certs-MIN_NUM_FORMS": "0",
        "certs-MAX_NUM_FORMS": "10",
        "certs-0-occupation": "electrician",
        "certs-0-name": "低压电工作业操作证",
        "certs-0-number": "T370702196801010011",
        "certs-0-issuer": "山东省应急管理厅",
        "certs-0-expires_on": (timezone.localdate() + dt.timedelta(days=700)).isoformat(),
        "preferred_units": [],
        "max_distance_km": "20",
        "home_lat": "36.71",
        "home_lng": "119.03",
        "available_days": ["1", "2", "3", "6"],
        "available_from": "07:00",
        "available_to": "18:00",
        "expected_wage": "260",
        "expected_unit": "day",
        "contact_preference": "phone",
        "notify_sms": "on",
        "notify_inbox": "on",
    }
    data.update(overrides)
    return data


def test_job_seeker_registration_saves_skills_certificates_and_availability(client, client_as, county_a):
    person = UserFactory(scope_unit=county_a, roles=[])
    assert client.get("/jobs/me/profile/").status_code == 302
    assert client_as(person).get("/jobs/me/profile/").status_code == 200
    response = client_as(person).post("/jobs/me/profile/", _profile_post(preferred_units=[str(county_a.pk)]))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    profile = WorkerProfile.objects.get(user=person)
    assert (profile.available_days, profile.expected_wage, profile.max_distance_km) == (
        "1236",
        Decimal("260"),
        20,
    )
    assert profile.notify_sms and profile.notify_inbox and not profile.notify_wechat
    assert profile.assisted_by is None
    assert [(s.occupation.code, s.level, s.years) for s in profile.skills.all()] == [
        ("electrician", "expert", 12)
    ]
    assert [(c.occupation.code, c.number) for c in profile.certificates.all()] == [
        ("electrician", "T370702196801010011")
    ]
    assert list(profile.preferred_units.all()) == [county_a]
    person.refresh_from_db()
    assert person.has_role("worker")
    # the page shows what is on record
    page = client_as(person).get("/jobs/me/profile/").content.decode()
    assert "T370702196801010011" in page


def test_job_seeker_registration_needs_a_skill_and_complete_certificates(client_as, county_a):
    person = UserFactory(scope_unit=county_a, roles=[])
    response = client_as(person).post("/jobs/me/profile/", _profile_post(**{"skills-0-occupation": ""}))
    assert response.status_code == 400 and "请至少填写一个会做的工种" in response.content.decode()
    response = client_as(person).post("/jobs/me/profile/", _profile_post(**{"certs-0-number": ""}))
    assert response.status_code == 400 and "请填写完整的证书信息" in response.content.decode()
    assert not WorkerProfile.objects.filter(user=person).exists()


# --- employer --------------------------------------------------------------------------------------------


def test_employer_registration(client_as, county_a):
    person = UserFactory(scope_unit=county_a, roles=[])
    assert client_as(person).get("/jobs/employer/").status_code == 302  # to registration
    response = client_as(person).post(
        "/jobs/employer/register/", {"kind": "person", "display_name": "王先生家", "scope_unit": county_a.pk}
    )
    assert response.status_code == 302
    profile = EmployerProfile.objects.get(user=person)
    assert (profile.display_name, profile.status, profile.scope_unit) == (
        "王先生家",
        VerificationStatus.PENDING,
        county_a,
    )
    assert client_as(person).get("/jobs/employer/register/").status_code == 302
    assert client_as(person).get("/jobs/employer/").status_code == 200


def test_dashboard_shows_own_postings_and_applicants_with_reasons(client_as, open_a, employer_a, worker_a):
    application = services.application_apply(posting=open_a, worker=worker_a, actor=worker_a)
    theirs = published_posting(make_employer(), title="别人家的岗位")
    response = client_as(employer_a.user).get("/jobs/employer/")
    assert response.status_code == 200
    postings = response.context["postings"]
    assert [p.pk for p in postings] == [open_a.pk]
    applicant = postings[0].applicants[0]
    assert applicant.pk == application.pk
    assert any("保洁员" in r for r in applicant.reasons) and any("公里" in r for r in applicant.reasons)
    html = response.content.decode()
    assert theirs.title not in html
    assert worker_a.phone not in html  # masked before acceptance
    assert f"/jobs/employer/applications/{application.pk}/accept/" in html


def test_accept_and_reject_from_the_dashboard_only_for_own_postings(client_as, open_a, employer_a, worker_a):
    application = services.application_apply(posting=open_a, worker=worker_a, actor=worker_a)
    assert (
        client_as(make_employer().user)
        .post(f"/jobs/employer/applications/{application.pk}/accept/")
        .status_code
        == 404
    )
    assert (
        client_as(worker_a).post(f"/jobs/employer/applications/{application.pk}/accept/").status_code == 404
    )
    response = client_as(employer_a.user).post(f"/jobs/employer/applications/{application.pk}/accept/")
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED
    html = client_as(employer_a.user).get("/jobs/employer/").content.decode()
    assert worker_a.phone in html  # revealed to the employer once accepted
    other_worker = make_worker()
    second = services.application_apply(posting=open_a, worker=other_worker, actor=other_worker)
    client_as(employer_a.user).post(f"/jobs/employer/applications/{second.pk}/reject/")
    second.refresh_from_db()
    assert second.status == ApplicationStatus.REJECTED


def _posting_post(**overrides) -> dict:
    start = timezone.localdate() + dt.timedelta(days=3)
    data = {
        "occupation": "cleaner",
        "title": "开荒保洁",
        "description": "新房开荒保洁，工具自带。",
        "requirements": "",
        "scope_unit": "",
        "market": "",
        "address": "潍城区北宫西街2号",
        "lat": "36.712",
        "lng": "119.05",
        "work_start_date": start.isoformat(),
        "work_end_date": start.isoformat(),
        "start_time": "08:00",
        "end_time": "17:00",
        "headcount": "2",
        "wage_amount": "230",
        "wage_unit": "day",
        "estimated_daily_wage": "",
        "settlement": "daily",
        "contact_name": "王先生",
        "contact_phone": "13800001234",
        "action": "save",
    }
    data.update(overrides)
    return data


def test_posting_form_saves_a_draft_then_submits(client_as, employer_a, county_a):
    client = client_as(employer_a.user)
    assert client.get("/jobs/employer/postings/new/").status_code == 200
    response = client.post("/jobs/employer/postings/new/", _posting_post(scope_unit=county_a.pk))
    assert response.status_code == 302
    posting = Posting.objects.get(employer=employer_a, title="开荒保洁")
    assert posting.status == PostingStatus.DRAFT and posting.daily_wage == Decimal("230.00")
    assert response["Location"] == f"/jobs/employer/postings/{posting.pk}/edit/"
    response = client.post(
        f"/jobs/employer/postings/{posting.pk}/edit/",
        _posting_post(scope_unit=county_a.pk, title="开荒保洁 两人", action="submit"),
    )
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.title == "开荒保洁 两人" and posting.status == PostingStatus.PENDING_REVIEW
    # no longer a draft: the edit page sends the employer back
    assert client.get(f"/jobs/employer/postings/{posting.pk}/edit/").status_code == 302
    assert (
        client_as(make_employer().user).get(f"/jobs/employer/postings/{posting.pk}/edit/").status_code == 404
    )


def test_posting_form_refuses_a_wage_below_the_minimum_naming_the_standard(client_as, employer_a, county_a):
    response = client_as(employer_a.user).post(
        "/jobs/employer/postings/new/",
        _posting_post(scope_unit=county_a.pk, wage_amount="20", wage_unit="hour"),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "最低工资标准" in html and "22.00" in html and "176.00" in html
    assert not Posting.objects.filter(employer=employer_a).exists()


def test_posting_form_field_errors_and_market_location(client_as, employer_a, county_a):
    response = client_as(employer_a.user).post(
        "/jobs/employer/postings/new/",
        _posting_post(scope_unit=county_a.pk, lat="", lng="", work_end_date=timezone.localdate().isoformat()),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "work_end_date" in form.errors and "lat" in form.errors


def test_posting_form_shows_wage_warnings_before_submitting(client_as, employer_a, county_a, monkeypatch):
    monkeypatch.setattr("jobs.hooks.wage_guidance_median", lambda **kw: Decimal("260"))
    client = client_as(employer_a.user)
    response = client.post(
        "/jobs/employer/postings/new/", _posting_post(scope_unit=county_a.pk, action="submit")
    )
    assert response.status_code == 200
    assert "市场工资指导价位中位数 260" in response.content.decode()
    posting = Posting.objects.get(employer=employer_a)
    assert posting.status == PostingStatus.DRAFT  # saved, not yet submitted
    response = client.post(
        f"/jobs/employer/postings/{posting.pk}/edit/",
        _posting_post(scope_unit=county_a.pk, action="submit", ack_warnings="on"),
    )
    assert response.status_code == 302
    posting.refresh_from_db()
    assert posting.status == PostingStatus.PENDING_REVIEW


# --- counter and referral --------------------------------------------------------------------------------


def test_counter_is_for_staff_and_market_operators(client, client_as, worker_a, employer_a, officer, auditor):
    assert client.get("/jobs/counter/").status_code == 302
    assert client_as(worker_a).get("/jobs/counter/").status_code == 403
    assert client_as(employer_a.user).get("/jobs/counter/").status_code == 403
    assert client_as(auditor).get("/jobs/counter/").status_code == 403
    assert client_as(officer).get("/jobs/counter/").status_code == 200


def test_counter_finds_a_worker_in_scope_by_full_phone_only(client_as, officer, officer_b, worker_a):
    response = client_as(officer_b).post("/jobs/counter/", {"action": "lookup", "phone": worker_a.phone})
    assert response.status_code == 400 and "没有找到" in response.content.decode()
    response = client_as(officer).post("/jobs/counter/", {"action": "lookup", "phone": worker_a.phone[:7]})
    assert response.status_code == 400
    client = client_as(officer)
    assert client.post("/jobs/counter/", {"action": "lookup", "phone": worker_a.phone}).status_code == 302
    page = client.get("/jobs/counter/").content.decode()
    assert worker_a.phone not in page and worker_a.phone[-4:] in page  # masked
    client.post("/jobs/counter/", {"action": "end"})
    assert client.get("/jobs/counter/").context["worker"] is None


def test_counter_registers_and_applies_for_a_worker_marked_assisted(client_as, officer, open_a, county_a):
    person = UserFactory(scope_unit=county_a, roles=[])
    client = client_as(officer)
    client.post("/jobs/counter/", {"action": "lookup", "phone": person.phone})
    response = client.post(
        "/jobs/me/profile/",
        _profile_post(
            **{
                "skills-0-occupation": "cleaner",
                "certs-0-occupation": "",
                "certs-0-name": "",
                "certs-0-number": "",
                "certs-0-issuer": "",
                "certs-0-expires_on": "",
            }
        ),
    )
    assert response.status_code == 302
    profile = WorkerProfile.objects.get(user=person)
    assert profile.assisted_by == officer
    assert not WorkerProfile.objects.filter(user=officer).exists()
    assert client.post(f"/jobs/{open_a.pk}/apply/").status_code == 302
    application = Application.objects.get(posting=open_a)
    assert (application.worker, application.source, application.acted_by) == (
        person,
        ApplicationSource.COUNTER,
        officer,
    )


def test_referral_creates_an_application_and_a_printable_slip_with_a_qr_code(
    client_as, officer, officer_b, open_a, worker_a, employer_a
):
    client = client_as(officer)
    assert (
        client.post("/jobs/counter/referral/", {"posting": open_a.pk, "note": "做事细心"}).status_code == 302
    )  # no worker chosen
    assert not Application.objects.exists()
    client.post("/jobs/counter/", {"action": "lookup", "phone": worker_a.phone})
    response = client.post("/jobs/counter/referral/", {"posting": open_a.pk, "note": "做事细心，能吃苦"})
    assert response.status_code == 302
    application = Application.objects.get(posting=open_a, worker=worker_a)
    assert (application.source, application.acted_by, application.note) == (
        ApplicationSource.REFERRAL,
        officer,
        "做事细心，能吃苦",
    )
    assert response["Location"] == f"/jobs/referrals/{application.pk}/slip/"
    slip = client.get(response["Location"])
    assert slip.status_code == 200
    html = slip.content.decode()
    assert "职业介绍信" in html and worker_a.real_name in html and "做事细心，能吃苦" in html
    assert "<svg" in html and f"/jobs/{open_a.pk}/" in html
    assert open_a.contact_phone not in html and worker_a.phone not in html and worker_a.id_number not in html
    assert client_as(officer_b).get(response["Location"]).status_code == 404
    assert client_as(make_employer().user).get(response["Location"]).status_code == 404
    # a referral to a posting that is not open is refused with the service's message
    draft = draft_posting(employer_a)
    response = client.post("/jobs/counter/referral/", {"posting": draft.pk, "note": "试试"})
    assert response.status_code == 400 and "该岗位已停止招聘" in response.content.decode()


def test_slip_is_only_for_referrals(client_as, officer, open_a, worker_a):
    application = services.application_apply(posting=open_a, worker=worker_a, actor=worker_a)
    assert client_as(officer).get(f"/jobs/referrals/{application.pk}/slip/").status_code == 404


# --- defects found trying the pages as a new user would (issue 13) -----------------------------------------


def test_editing_a_saved_draft_keeps_its_occupation_selected_and_shows_the_wage_as_posted(
    client_as, employer_a
):
    posting = draft_posting(employer_a, wage_amount=Decimal("350"))
    cheap = draft_posting(
        employer_a, wage_amount=Decimal("0.015"), wage_unit="piece", estimated_daily_wage=Decimal("250")
    )
    html = client_as(employer_a.user).get(f"/jobs/employer/postings/{posting.pk}/edit/").content.decode()
    assert '<option value="cleaner" selected>' in html
    assert 'value="350"' in html and "350.0000" not in html
    html = client_as(employer_a.user).get(f"/jobs/employer/postings/{cheap.pk}/edit/").content.decode()
    assert 'value="0.015"' in html


def test_a_filled_posting_still_shows_to_the_public_as_filled(client, employer_a, open_a):
    for _ in range(open_a.headcount):
        worker = make_worker()
        app = services.application_apply(posting=open_a, worker=worker, actor=worker)
        services.application_accept(application=app, actor=employer_a.user)
    open_a.refresh_from_db()
    assert open_a.status == PostingStatus.FILLED
    response = client.get(f"/jobs/{open_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "该岗位已招满" in html and "我要报名" not in html and "登录后报名" not in html
    assert open_a.contact_phone not in html  # still masked


def test_a_closed_posting_shows_as_ended_and_a_draft_stays_hidden(client, employer_a, open_a):
    services.posting_close(posting=open_a, actor=employer_a.user, reason="不招了")
    html = client.get(f"/jobs/{open_a.pk}/").content.decode()
    assert "已结束" in html and "该岗位已结束招聘" in html
    draft = draft_posting(employer_a)
    assert client.get(f"/jobs/{draft.pk}/").status_code == 404


def test_licensed_posting_without_a_verified_certificate_links_to_the_certificate_section(
    client_as, employer_a, worker_a
):
    posting = published_posting(employer_a, occupation=occupation("electrician"), title="电工 检修")
    html = client_as(worker_a).get(f"/jobs/{posting.pk}/").content.decode()
    assert 'href="/jobs/me/profile/#certs"' in html and "我要报名" not in html


def _certificate(user, **kw):
    from jobs.models import Certificate

    return Certificate.objects.create(
        profile=WorkerProfile.objects.get(user=user),
        occupation=occupation("electrician"),
        name="低压电工作业操作证",
        number="T370702000099",
        issuer="潍坊市应急管理局",
        **kw,
    )


def test_a_self_declared_certificate_does_not_open_licensed_work_until_staff_verify_it(
    client_as, employer_a, worker_a, officer
):
    from core.models import AuditLog
    from jobs.models import CertificateEvent

    posting = published_posting(employer_a, occupation=occupation("electrician"), title="电工 检修")
    cert = _certificate(worker_a)
    worker = client_as(worker_a)
    worker.post(f"/jobs/{posting.pk}/apply/")
    assert not Application.objects.filter(posting=posting).exists()
    assert "还没有经过工作人员核验" in worker.get(f"/jobs/{posting.pk}/").content.decode()
    # the worker cannot verify their own certificate
    assert worker.post(f"/jobs/me/certificates/{cert.pk}/verify/", {"verified": "1"}).status_code == 404

    counter = client_as(officer)
    counter.post("/jobs/counter/", {"action": "lookup", "phone": worker_a.phone})
    page = counter.get("/jobs/me/profile/").content.decode()
    assert "证书核验（服务台）" in page
    rejected = counter.post(f"/jobs/me/certificates/{cert.pk}/verify/", {"verified": "0", "note": ""})
    assert rejected.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "unverified"  # a rejection needs its reason
    counter.post(f"/jobs/me/certificates/{cert.pk}/verify/", {"verified": "1", "note": "核对原件"})
    cert.refresh_from_db()
    assert (cert.status, cert.verified_by_id) == ("verified", officer.pk)
    event = CertificateEvent.objects.get(certificate=cert)
    assert (event.to_status, event.actor_id, event.on_behalf_of_id) == ("verified", officer.pk, worker_a.pk)
    audits = AuditLog.objects.filter(
        object_id=str(cert.pk), action="transition", content_type__model="certificate"
    )
    assert audits.count() == 1

    worker.post(f"/jobs/{posting.pk}/apply/")
    assert Application.objects.filter(posting=posting, worker=worker_a).exists()


def test_employer_sees_recommended_workers_masked_and_invites_one(
    client_as, employer_a, open_a, worker_a, django_capture_on_commit_callbacks
):
    from core import notifications
    from jobs.models import Invitation

    employer = client_as(employer_a.user)
    assert f'href="/jobs/employer/postings/{open_a.pk}/"' in employer.get("/jobs/employer/").content.decode()
    response = employer.get(f"/jobs/employer/postings/{open_a.pk}/")
    html = response.content.decode()
    assert response.status_code == 200 and f'data-worker="{worker_a.pk}"' in html
    assert worker_a.phone not in html and worker_a.real_name not in html
    assert worker_a.phone[:3] + "****" + worker_a.phone[-4:] in html
    with django_capture_on_commit_callbacks(execute=True):
        employer.post(f"/jobs/employer/postings/{open_a.pk}/invite/", {"worker": worker_a.pk})
    employer.post(f"/jobs/employer/postings/{open_a.pk}/invite/", {"worker": worker_a.pk})
    assert Invitation.objects.filter(posting=open_a, worker=worker_a).count() == 1
    assert "已邀请" in employer.get(f"/jobs/employer/postings/{open_a.pk}/").content.decode()
    assert any("邀请您报名" in m.body for m in notifications.outbox)
    home = client_as(worker_a).get("/jobs/me/").content.decode()
    assert "用工方邀请您报名" in home and f'href="/jobs/{open_a.pk}/"' in home
    # another employer cannot see or invite for this posting
    other = client_as(make_employer().user)
    assert other.get(f"/jobs/employer/postings/{open_a.pk}/").status_code == 404
    assert (
        other.post(f"/jobs/employer/postings/{open_a.pk}/invite/", {"worker": worker_a.pk}).status_code == 404
    )


def test_keyword_results_say_why_they_matched_through_the_occupation_category(client, employer_a):
    packer = published_posting(employer_a, title="电商仓库 夜班", occupation=occupation("packer"))
    titled = published_posting(employer_a, title="搬运 家具", occupation=occupation("porter"))
    response = client.get("/jobs/", {"q": "搬运"})
    assert set(shown_ids(response)) >= {packer.pk, titled.pk}
    html = response.content.decode()
    item = html[html.index(f'data-id="{packer.pk}"') :]
    item = item[: item.index("</li>")]
    assert "属于“搬运装卸”类工种" in item
    own = html[html.index(f'data-id="{titled.pk}"') :]
    assert "匹配原因" not in own[: own.index("</li>")]  # the title shows why


def test_the_inbox_is_not_a_choice_a_worker_may_turn_off_sms_and_wechat(client_as, county_a):
    """Every message lands in the inbox (ADR 0017), so the form offers only SMS and WeChat; choosing
    neither is allowed and keeps the inbox."""
    person = UserFactory(scope_unit=county_a, roles=[])
    page = client_as(person).get("/jobs/me/profile/").content.decode()
    assert 'name="notify_inbox"' not in page and 'name="notify_sms"' in page
    assert "/accounts/profile/wechat/" in page
    data = _profile_post()
    data.pop("notify_sms")
    data.pop("notify_inbox")
    response = client_as(person).post("/jobs/me/profile/", data)
    assert response.status_code == 302
    profile = WorkerProfile.objects.get(user=person)
    assert not profile.notify_sms and not profile.notify_wechat and profile.notify_inbox
