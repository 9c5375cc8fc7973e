"""The jobs API: occupations, posting search (keyset pages, distance against brute-force haversine, a fixed
number of queries), the posting workflow with review, applications and referrals on behalf, recommendations.
Every endpoint: anonymous, outsider (404), wrong role (403), happy path with the stored state."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from core.geo import haversine_km
from jobs import services
from jobs.choices import ApplicationSource, ApplicationStatus, PostingStatus
from jobs.models import Application, ApplicationEvent, Posting, PostingEvent, PostingReport
from tests.accounts.factories import UserFactory
from tests.conftest import nothing_written

from .factories import draft_posting, make_employer, make_worker, occupation, published_posting

pytestmark = pytest.mark.django_db

CHECKLIST = {key: True for key, _label in services.REVIEW_CHECKLIST}
DENIED = (401, 403)  # anonymous: not authenticated (401 with a token challenge, 403 otherwise)


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


@pytest.fixture
def employer_a(employer, county_a):
    return make_employer(unit=county_a, user=employer)


@pytest.fixture
def open_a(employer_a):
    return published_posting(employer_a, title="家庭保洁 半天")


@pytest.fixture
def worker_a(county_a):
    return make_worker(unit=county_a)


def apply(posting, worker):
    return services.application_apply(posting=posting, worker=worker, actor=worker)


# --- occupations ------------------------------------------------------------------------------------------


def test_occupations_are_public_and_two_level(api):
    rows = api.get("/api/v1/occupations/").json()
    by_code = {r["code"]: r for r in rows}
    assert len(rows) >= 80
    assert by_code["construction"]["parent"] is None and by_code["construction"]["is_category"] is True
    assert by_code["electrician"]["parent"] == "construction" and by_code["electrician"]["licensed"] is True
    children = api.get("/api/v1/occupations/", {"parent": "housekeeping"}).json()
    assert children and {r["parent"] for r in children} == {"housekeeping"}
    assert api.get("/api/v1/occupations/cleaner/").json()["parent_name"] == "家政服务"


def test_occupations_cannot_be_written(api, api_as, city_staff):
    with nothing_written():
        assert api.post("/api/v1/occupations/", {"code": "x", "name": "x"}).status_code in DENIED
    refused = api_as(city_staff)
    with nothing_written():
        assert refused.post("/api/v1/occupations/", {"code": "x", "name": "x"}).status_code == 403


# --- posting search ---------------------------------------------------------------------------------------


def test_anonymous_sees_only_open_postings(api, employer_a, open_a):
    draft = draft_posting(employer_a, title="草稿岗位")
    past = published_posting(employer_a, title="过期岗位")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Posting.objects.filter(pk=past.pk).update(
        work_start_date=yesterday, work_end_date=yesterday
    )  # before the scan
    closed = published_posting(employer_a, title="已关闭岗位")
    services.posting_close(posting=closed, actor=employer_a.user)

    assert ids(api.get("/api/v1/postings/")) == [open_a.pk]
    assert ids(api.get("/api/v1/postings/", {"status": "draft"})) == []
    for hidden in (draft, past, closed):
        assert api.get(f"/api/v1/postings/{hidden.pk}/").status_code == 404
    assert api.get(f"/api/v1/postings/{open_a.pk}/").status_code == 200


def test_employer_sees_their_own_drafts_besides_open_postings(api_as, employer_a, open_a):
    mine = draft_posting(employer_a, title="我的草稿")
    other = draft_posting(make_employer(), title="别人的草稿")
    shown = set(ids(api_as(employer_a.user).get("/api/v1/postings/", {"page_size": 50})))
    assert shown == {open_a.pk, mine.pk}
    assert api_as(employer_a.user).get(f"/api/v1/postings/{other.pk}/").status_code == 404


def test_county_officer_lists_their_county_in_every_status_and_404s_the_other(
    api_as, officer, county_a, county_b, employer_a
):
    a_open = published_posting(employer_a)
    a_draft = draft_posting(employer_a)
    b_open = published_posting(make_employer(unit=county_b), scope_unit=county_b, address="寿光市圣城街1号")
    client = api_as(officer)
    assert set(ids(client.get("/api/v1/postings/", {"page_size": 50}))) == {a_open.pk, a_draft.pk}
    assert ids(client.get("/api/v1/postings/", {"county": "370783"})) == []
    assert client.get(f"/api/v1/postings/{b_open.pk}/").status_code == 404


def test_county_system_token_sees_its_county(api_client_a, employer_a, county_b):
    a_draft = draft_posting(employer_a)
    published_posting(make_employer(unit=county_b), scope_unit=county_b)
    assert ids(api_client_a.get("/api/v1/postings/")) == [a_draft.pk]
    with nothing_written():
        assert api_client_a.post(f"/api/v1/postings/{a_draft.pk}/submit/").status_code == 403


def test_search_list_runs_the_same_queries_for_one_row_and_fifty(api, django_assert_num_queries):
    employers = [make_employer(trusted=True) for _ in range(3)]
    for i in range(12):
        occ = occupation(["cleaner", "porter", "hourly_helper"][i % 3])
        published_posting(employers[i % 3], occupation=occ, title=f"岗位{i}", lat=36.70 + i / 1000)
    params = {"q": "岗位", "lat": 36.7, "lng": 119.02, "ordering": "distance", "occupation": "housekeeping"}
    api.get("/api/v1/postings/", params)  # the process reads the occupation tree once (jobs.occupations)
    with CaptureQueriesContext(connection) as one:
        response = api.get("/api/v1/postings/", {**params, "page_size": 1})
    assert len(response.json()["results"]) == 1
    with django_assert_num_queries(len(one.captured_queries)):
        response = api.get("/api/v1/postings/", {**params, "page_size": 50})
    assert len(response.json()["results"]) == 8  # the housekeeping category: cleaners and hourly helpers


def _walk(api, params) -> list[dict]:
    rows, url, seen_pages = [], "/api/v1/postings/", 0
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.json()
        body = response.json()
        rows.extend(body["results"])
        seen_pages += 1
        assert seen_pages < 50
        if not body["next"]:
            return rows
        response = api.get(body["next"])


@pytest.fixture
def scattered():
    """Postings scattered around Weifang (some on the same spot, some with the same wage) by trusted
    employers, so they publish at once."""
    rng = random.Random(7)
    employer = make_employer(trusted=True)
    postings = []
    for i in range(23):
        lat, lng = 36.60 + rng.random() * 0.3, 118.95 + rng.random() * 0.3
        if i % 7 == 0 and postings:  # ties on distance across page boundaries
            lat, lng = postings[-1].lat, postings[-1].lng
        wage = Decimal(200 + 10 * (i % 4))
        postings.append(published_posting(employer, title=f"散点{i}", lat=lat, lng=lng, wage_amount=wage))
    return postings


def test_distance_filter_and_order_match_brute_force_haversine_across_cursor_pages(api, scattered):
    origin, radius = (36.72, 119.08), 12.0
    rows = _walk(
        api, {"lat": origin[0], "lng": origin[1], "radius_km": radius, "ordering": "distance", "page_size": 4}
    )
    expected = sorted(
        ((haversine_km(origin[0], origin[1], p.lat, p.lng), p.pk) for p in scattered),
    )
    expected = [(d, pk) for d, pk in expected if d <= radius]
    assert 4 < len(expected) < len(scattered)  # the radius cuts, and there is more than one page
    assert [r["id"] for r in rows] == [pk for _d, pk in expected]
    for row, (distance, _pk) in zip(rows, expected, strict=True):
        assert row["distance_km"] == pytest.approx(distance, abs=1e-3)


@pytest.mark.parametrize(
    "ordering, key",
    [
        ("-wage", lambda p: (-p.daily_wage, -p.pk)),
        ("-published", lambda p: (-p.published_at.timestamp(), -p.pk)),
    ],
)
def test_every_ordering_walks_all_pages_once_in_order(api, scattered, ordering, key):
    for p in scattered:
        p.refresh_from_db()
    rows = _walk(api, {"ordering": ordering, "page_size": 5})
    assert [r["id"] for r in rows] == [p.pk for p in sorted(scattered, key=key)]


def test_previous_link_walks_back_the_same_pages(api, scattered):
    params = {"lat": 36.72, "lng": 119.08, "ordering": "distance", "page_size": 6}
    first = api.get("/api/v1/postings/", params).json()
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    back = api.get(third["previous"]).json()
    assert ids_of(back) == ids_of(second)
    assert ids_of(api.get(back["previous"]).json()) == ids_of(first)


def ids_of(body) -> list[int]:
    return [r["id"] for r in body["results"]]


def test_a_tampered_cursor_is_a_404(api, open_a):
    assert api.get("/api/v1/postings/", {"cursor": "not-a-cursor"}).status_code == 404


def test_distance_ordering_needs_a_point(api, open_a):
    response = api.get("/api/v1/postings/", {"ordering": "distance"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "ordering" in response.json()["fields"]


# --- contact masking --------------------------------------------------------------------------------------


def test_contact_hidden_until_acceptance_and_masked_to_everyone_else(
    api, api_as, open_a, employer_a, worker_a, officer, city_staff
):
    url = f"/api/v1/postings/{open_a.pk}/"
    full_name, full_phone = open_a.contact_name, open_a.contact_phone
    masked = {"contact_name": "周**", "contact_phone": "137****0001", "contact_visible": False}

    def contact(client):
        body = client.get(url).json()
        return {k: body[k] for k in masked}

    assert contact(api) == masked
    application = apply(open_a, worker_a)
    assert contact(api_as(worker_a)) == masked  # applied, not yet accepted
    for staff in (officer, city_staff):
        assert contact(api_as(staff)) == masked
    assert contact(api_as(employer_a.user)) == {
        "contact_name": full_name,
        "contact_phone": full_phone,
        "contact_visible": True,
    }
    services.application_accept(application=application, actor=employer_a.user)
    assert contact(api_as(worker_a)) == {
        "contact_name": full_name,
        "contact_phone": full_phone,
        "contact_visible": True,
    }
    assert contact(api_as(officer)) == masked
    assert contact(api_as(make_worker())) == masked
    assert full_phone not in api.get("/api/v1/postings/").content.decode()


# --- posting workflow -------------------------------------------------------------------------------------


def _payload(**overrides):
    start = timezone.localdate() + dt.timedelta(days=2)
    data = {
        "occupation": "cleaner",
        "title": "写字楼保洁",
        "description": "三层写字楼日常保洁。",
        "county": "370702",
        "address": "潍城区和平路1号",
        "lat": 36.71,
        "lng": 119.10,
        "work_start_date": start.isoformat(),
        "work_end_date": start.isoformat(),
        "headcount": 3,
        "wage_amount": "25",
        "wage_unit": "hour",
        "settlement": "daily",
        "contact_name": "李经理",
        "contact_phone": "13700001111",
    }
    data.update(overrides)
    return data


def test_create_posting_as_employer_stores_a_draft(api, api_as, employer_a, worker_a):
    with nothing_written():
        assert api.post("/api/v1/postings/", _payload(), format="json").status_code in DENIED
    refused = api_as(worker_a)
    with nothing_written():
        assert refused.post("/api/v1/postings/", _payload(), format="json").status_code == 403
    response = api_as(employer_a.user).post("/api/v1/postings/", _payload(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["warnings"] == [] and body["daily_wage"] == "200.00"
    posting = Posting.objects.get(pk=body["id"])
    assert posting.employer == employer_a and posting.status == PostingStatus.DRAFT
    assert (
        posting.contact_phone == "13700001111" and body["contact_phone"] == "13700001111"
    )  # the employer's own


def test_create_below_minimum_wage_is_refused_with_the_standard(api_as, employer_a):
    before = Posting.objects.count()
    response = api_as(employer_a.user).post("/api/v1/postings/", _payload(wage_amount="20"), format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "below_minimum_wage"
    assert "22.00" in body["message"] and "176.00" in body["message"] and body["fields"]["wage_amount"]
    assert Posting.objects.count() == before


def test_create_returns_the_guidance_warning(api_as, employer_a, monkeypatch):
    monkeypatch.setattr("jobs.hooks.wage_guidance_median", lambda **kw: Decimal("260"))
    response = api_as(employer_a.user).post("/api/v1/postings/", _payload(), format="json")
    assert response.status_code == 201
    assert len(response.json()["warnings"]) == 1 and "260" in response.json()["warnings"][0]


def test_staff_draft_for_an_employer_in_scope_only(api_as, officer, officer_b, employer_a):
    response = api_as(officer).post("/api/v1/postings/", _payload(employer=employer_a.pk), format="json")
    assert response.status_code == 201
    assert Posting.objects.get(pk=response.json()["id"]).employer == employer_a
    response = api_as(officer_b).post("/api/v1/postings/", _payload(employer=employer_a.pk), format="json")
    assert response.status_code == 400 and "employer" in response.json()["fields"]


def test_partial_update_of_a_draft(api, api_as, employer_a, open_a):
    draft = draft_posting(employer_a)
    url = f"/api/v1/postings/{draft.pk}/"
    with nothing_written():
        assert api.patch(url, {"title": "改"}, format="json").status_code in DENIED
    refused = api_as(make_employer().user)
    with nothing_written():
        assert refused.patch(url, {"title": "改"}, format="json").status_code == 404
    response = api_as(employer_a.user).patch(url, {"title": "改过的标题", "headcount": 5}, format="json")
    assert response.status_code == 200, response.json()
    draft.refresh_from_db()
    assert (draft.title, draft.headcount) == ("改过的标题", 5)
    # a published posting is not edited in place
    response = api_as(employer_a.user).patch(f"/api/v1/postings/{open_a.pk}/", {"title": "改"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    open_a.refresh_from_db()
    assert open_a.title != "改"


def test_submit_sends_a_draft_for_review(api, api_as, employer_a, worker_a):
    draft = draft_posting(employer_a)
    url = f"/api/v1/postings/{draft.pk}/submit/"
    with nothing_written():
        assert api.post(url).status_code in DENIED
    refused = api_as(worker_a)
    with nothing_written():
        assert refused.post(url).status_code == 403
    refused = api_as(make_employer().user)
    with nothing_written():
        assert refused.post(url).status_code == 404
    response = api_as(employer_a.user).post(url)
    assert response.status_code == 200 and response.json()["status"] == "pending_review"
    draft.refresh_from_db()
    assert draft.status == PostingStatus.PENDING_REVIEW
    assert PostingEvent.objects.filter(
        posting=draft, from_status="draft", to_status="pending_review", actor=employer_a.user
    ).exists()
    again = api_as(employer_a.user).post(url)
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


@pytest.fixture
def pending(employer_a):
    posting = draft_posting(employer_a, description="日常保洁，需交押金200元。")
    services.posting_submit(posting=posting, actor=employer_a.user)
    posting.refresh_from_db()
    return posting


def test_approve_publishes_after_the_checklist(api, api_as, officer, officer_b, employer_a, pending):
    url = f"/api/v1/postings/{pending.pk}/approve/"
    with nothing_written():
        assert api.post(url, {"checklist": CHECKLIST}, format="json").status_code in DENIED
    refused = api_as(employer_a.user)
    with nothing_written():
        assert refused.post(url, {"checklist": CHECKLIST}, format="json").status_code == 403
    refused = api_as(officer_b)
    with nothing_written():
        assert refused.post(url, {"checklist": CHECKLIST}, format="json").status_code == 404
    partial = api_as(officer).post(url, {"checklist": {"no_fees": True}}, format="json")
    assert partial.status_code == 400 and partial.json()["code"] == "checklist_incomplete"
    pending.refresh_from_db()
    assert pending.status == PostingStatus.PENDING_REVIEW
    # the reviewer sees the screen's flag; the employer does not learn which words tripped it
    detail = api_as(officer).get(f"/api/v1/postings/{pending.pk}/").json()
    assert [f["category"] for f in detail["screen_flags"]] == ["fee"]
    assert api_as(employer_a.user).get(f"/api/v1/postings/{pending.pk}/").json()["screen_flags"] is None

    response = api_as(officer).post(
        url, {"checklist": CHECKLIST, "note": "已电话核实，押金已删除"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "published"
    pending.refresh_from_db()
    assert pending.status == PostingStatus.PUBLISHED and pending.reviewed_by == officer
    assert PostingEvent.objects.filter(posting=pending, to_status="published", actor=officer).exists()


def test_approve_of_a_draft_is_409_and_changes_nothing(api_as, officer, employer_a):
    draft = draft_posting(employer_a)
    response = api_as(officer).post(
        f"/api/v1/postings/{draft.pk}/approve/", {"checklist": CHECKLIST}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    draft.refresh_from_db()
    assert draft.status == PostingStatus.DRAFT and not PostingEvent.objects.filter(posting=draft).exists()


def test_reject_returns_to_draft_with_a_reason(api_as, officer, officer_b, employer_a, pending):
    url = f"/api/v1/postings/{pending.pk}/reject/"
    refused = api_as(employer_a.user)
    with nothing_written():
        assert refused.post(url, {"reason": "收押金"}, format="json").status_code == 403
    refused = api_as(officer_b)
    with nothing_written():
        assert refused.post(url, {"reason": "收押金"}, format="json").status_code == 404
    assert api_as(officer).post(url, {"reason": ""}, format="json").status_code == 400
    response = api_as(officer).post(url, {"reason": "不得向劳动者收取押金"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "draft"
    pending.refresh_from_db()
    assert pending.status == PostingStatus.DRAFT and pending.review_note == "不得向劳动者收取押金"
    assert PostingEvent.objects.filter(
        posting=pending, to_status="draft", reason="不得向劳动者收取押金"
    ).exists()
    # the employer sees the note; the public does not see the draft at all
    assert (
        api_as(employer_a.user).get(f"/api/v1/postings/{pending.pk}/").json()["review_note"]
        == "不得向劳动者收取押金"
    )


def test_close_by_the_employer(api_as, employer_a, open_a, worker_a):
    url = f"/api/v1/postings/{open_a.pk}/close/"
    refused = api_as(worker_a)
    with nothing_written():
        assert refused.post(url).status_code == 403
    refused = api_as(make_employer().user)
    with nothing_written():
        assert refused.post(url).status_code == 404  # visible, but not theirs
    response = api_as(employer_a.user).post(url, {"reason": "已招到人"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "closed"
    open_a.refresh_from_db()
    assert open_a.status == PostingStatus.CLOSED
    assert PostingEvent.objects.filter(posting=open_a, to_status="closed", reason="已招到人").exists()


def test_anyone_may_report_an_open_posting(api, api_as, open_a, employer_a, worker_a):
    response = api.post(
        f"/api/v1/postings/{open_a.pk}/report/", {"reason": "fee", "detail": "电话里要交押金"}, format="json"
    )
    assert response.status_code == 201
    report = PostingReport.objects.get(pk=response.json()["id"])
    assert (report.posting, report.reason, report.reporter) == (open_a, "fee", None)
    response = api_as(worker_a).post(
        f"/api/v1/postings/{open_a.pk}/report/", {"reason": "scam"}, format="json"
    )
    assert (
        response.status_code == 201
        and PostingReport.objects.get(pk=response.json()["id"]).reporter == worker_a
    )
    assert (
        api.post(f"/api/v1/postings/{open_a.pk}/report/", {"reason": "nonsense"}, format="json").status_code
        == 400
    )
    draft = draft_posting(employer_a)
    assert (
        api.post(f"/api/v1/postings/{draft.pk}/report/", {"reason": "fee"}, format="json").status_code == 404
    )


# --- applications -----------------------------------------------------------------------------------------


def test_apply_as_a_worker(api, api_as, open_a, worker_a, employer_a):
    with nothing_written():
        assert api.post("/api/v1/applications/", {"posting": open_a.pk}, format="json").status_code in DENIED
    employer_only = UserFactory(roles=[Role.EMPLOYER])
    assert (
        api_as(employer_only).post("/api/v1/applications/", {"posting": open_a.pk}, format="json").status_code
        == 403
    )
    draft = draft_posting(employer_a)
    assert (
        api_as(worker_a).post("/api/v1/applications/", {"posting": draft.pk}, format="json").status_code
        == 404
    )
    response = api_as(worker_a).post(
        "/api/v1/applications/", {"posting": open_a.pk, "note": "明早能到"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "applied" and body["source"] == "self" and body["worker_phone"] == worker_a.phone
    application = Application.objects.get(pk=body["id"])
    assert (application.worker, application.source, application.acted_by) == (
        worker_a,
        ApplicationSource.SELF,
        None,
    )
    assert ApplicationEvent.objects.filter(
        application=application, to_status="applied", actor=worker_a
    ).exists()
    again = api_as(worker_a).post("/api/v1/applications/", {"posting": open_a.pk}, format="json")
    assert again.status_code == 400 and again.json()["code"] == "already_applied"


def test_staff_apply_on_behalf_as_counter_or_referral(api_as, officer, officer_b, open_a, worker_a, county_b):
    other = make_worker()
    response = api_as(officer).post(
        "/api/v1/applications/", {"posting": open_a.pk, "worker": worker_a.pk}, format="json"
    )
    assert response.status_code == 201
    application = Application.objects.get(pk=response.json()["id"])
    assert (application.source, application.acted_by, application.worker) == (
        ApplicationSource.COUNTER,
        officer,
        worker_a,
    )
    assert ApplicationEvent.objects.filter(
        application=application, actor=officer, on_behalf_of=worker_a
    ).exists()
    response = api_as(officer).post(
        "/api/v1/applications/",
        {"posting": open_a.pk, "worker": other.pk, "source": "referral", "note": "职业介绍"},
        format="json",
    )
    assert response.status_code == 201
    assert Application.objects.get(pk=response.json()["id"]).source == ApplicationSource.REFERRAL
    # another county's officer sees neither the posting nor the worker
    b_worker = make_worker(unit=county_b)
    assert (
        api_as(officer_b)
        .post("/api/v1/applications/", {"posting": open_a.pk, "worker": b_worker.pk}, format="json")
        .status_code
        == 404
    )
    # a worker cannot act for another worker
    response = api_as(worker_a).post(
        "/api/v1/applications/", {"posting": open_a.pk, "worker": b_worker.pk}, format="json"
    )
    assert response.status_code == 403


def test_application_lists_are_scoped(
    api, api_as, open_a, employer_a, worker_a, officer, officer_b, county_b
):
    mine = apply(open_a, worker_a)
    other_employer = make_employer()
    theirs = apply(published_posting(other_employer), make_worker())
    b_posting = published_posting(make_employer(unit=county_b), scope_unit=county_b)
    in_b = apply(b_posting, make_worker(unit=county_b))

    assert api.get("/api/v1/applications/").status_code in DENIED
    assert ids(api_as(worker_a).get("/api/v1/applications/")) == [mine.pk]
    assert ids(api_as(employer_a.user).get("/api/v1/applications/")) == [mine.pk]
    assert set(ids(api_as(officer).get("/api/v1/applications/"))) == {mine.pk, theirs.pk}
    assert ids(api_as(officer_b).get("/api/v1/applications/")) == [in_b.pk]
    assert api_as(employer_a.user).get(f"/api/v1/applications/{theirs.pk}/").status_code == 404
    assert api_as(officer).get(f"/api/v1/applications/{in_b.pk}/").status_code == 404


def test_accept_by_the_postings_employer_reveals_contacts_both_ways(
    api_as, open_a, employer_a, worker_a, officer
):
    application = apply(open_a, worker_a)
    url = f"/api/v1/applications/{application.pk}/accept/"
    refused = api_as(make_employer().user)
    with nothing_written():
        assert refused.post(url).status_code == 404  # not their posting
    refused = api_as(worker_a)
    with nothing_written():
        assert refused.post(url).status_code == 403  # sees it, may not decide it
    before = api_as(employer_a.user).get(f"/api/v1/applications/{application.pk}/").json()
    assert before["worker_phone"] != worker_a.phone and "*" in before["worker_name"]

    response = api_as(employer_a.user).post(url)
    assert response.status_code == 200 and response.json()["status"] == "accepted"
    assert (
        response.json()["worker_phone"] == worker_a.phone
        and response.json()["worker_name"] == worker_a.real_name
    )
    application.refresh_from_db()
    open_a.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED and open_a.accepted_count == 1
    assert ApplicationEvent.objects.filter(
        application=application, to_status="accepted", actor=employer_a.user
    ).exists()
    as_worker = api_as(worker_a).get(f"/api/v1/applications/{application.pk}/").json()
    assert as_worker["contact_phone"] == open_a.contact_phone
    as_officer = api_as(officer).get(f"/api/v1/applications/{application.pk}/").json()
    assert (
        as_officer["worker_phone"] != worker_a.phone and as_officer["contact_phone"] != open_a.contact_phone
    )
    again = api_as(employer_a.user).post(url)
    assert again.status_code == 409


def test_reject_and_withdraw(api_as, open_a, employer_a, worker_a):
    first = apply(open_a, worker_a)
    response = api_as(employer_a.user).post(
        f"/api/v1/applications/{first.pk}/reject/", {"reason": "人已够"}, format="json"
    )
    assert response.status_code == 200
    first.refresh_from_db()
    assert first.status == ApplicationStatus.REJECTED

    second_worker = make_worker()
    second = apply(open_a, second_worker)
    url = f"/api/v1/applications/{second.pk}/withdraw/"
    refused = api_as(employer_a.user)
    with nothing_written():
        assert refused.post(url).status_code == 403  # the employer does not withdraw for them
    refused = api_as(worker_a)
    with nothing_written():
        assert refused.post(url).status_code == 404
    response = api_as(second_worker).post(url, {"reason": "有事"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "withdrawn"
    second.refresh_from_db()
    assert second.status == ApplicationStatus.WITHDRAWN
    assert ApplicationEvent.objects.filter(
        application=second, to_status="withdrawn", actor=second_worker
    ).exists()


# --- recommendations --------------------------------------------------------------------------------------


def test_recommended_postings_for_the_worker_carry_reasons(
    api, api_as, open_a, worker_a, employer_a, officer, officer_b
):
    assert api.get("/api/v1/recommendations/postings/").status_code in DENIED
    employer_only = UserFactory(roles=[Role.EMPLOYER])
    assert api_as(employer_only).get("/api/v1/recommendations/postings/").status_code == 403
    response = api_as(worker_a).get("/api/v1/recommendations/postings/")
    assert response.status_code == 200
    rows = response.json()
    assert [r["posting"]["id"] for r in rows] == [open_a.pk]
    assert rows[0]["reasons"] and 0 < rows[0]["score"] <= 1
    assert "contact_phone" not in rows[0]["posting"]
    # staff look for a worker in their scope; another county's officer gets a 404
    staff_rows = api_as(officer).get("/api/v1/recommendations/postings/", {"worker": worker_a.pk}).json()
    assert [r["posting"]["id"] for r in staff_rows] == [open_a.pk]
    assert (
        api_as(officer_b).get("/api/v1/recommendations/postings/", {"worker": worker_a.pk}).status_code == 404
    )
    assert (
        api_as(make_worker()).get("/api/v1/recommendations/postings/", {"worker": worker_a.pk}).status_code
        == 403
    )


def test_recommended_workers_for_a_posting_are_masked_and_scoped(
    api, api_as, open_a, worker_a, employer_a, officer_b
):
    url = "/api/v1/recommendations/workers/"
    assert api.get(url, {"posting": open_a.pk}).status_code in DENIED
    assert api_as(worker_a).get(url, {"posting": open_a.pk}).status_code == 403
    assert api_as(make_employer().user).get(url, {"posting": open_a.pk}).status_code == 404
    assert api_as(officer_b).get(url, {"posting": open_a.pk}).status_code == 404
    assert api_as(employer_a.user).get(url).status_code == 400
    response = api_as(employer_a.user).get(url, {"posting": open_a.pk})
    assert response.status_code == 200
    rows = response.json()
    assert [r["worker"]["user"] for r in rows] == [worker_a.pk]
    assert rows[0]["reasons"] and rows[0]["worker"]["skills"][0]["occupation"] == "cleaner"
    assert rows[0]["worker"]["phone"] != worker_a.phone and "*" in rows[0]["worker"]["phone"]


def test_posting_representation_matches_drf(api, county_a, officer):
    """The list's and the detail's written-out representations (issue 6's cheap serializers) give exactly
    what DRF's generic field walk gives, for a posting with and without a market, a category parent and a
    distance, for an outsider and for staff in scope."""
    from rest_framework import serializers as drf

    from jobs.api.serializers import PostingDetailSerializer, PostingSerializer
    from jobs.selectors import posting_list_public
    from tests.markets.factories import MarketFactory

    employer = make_employer(unit=county_a)
    market = MarketFactory(scope_unit=county_a, status="operating")
    published_posting(employer, title="有市场 保洁", market=market, wage_amount=Decimal("180.50"))
    published_posting(employer, title="无市场 搬运", occupation=occupation("porter"))
    response = api.get("/api/v1/postings/", {"lat": 36.7, "lng": 119.02, "ordering": "distance"})
    rows = {row["id"]: row for row in response.json()["results"]}
    assert len(rows) == 2
    for posting in posting_list_public().filter(pk__in=rows):
        posting.distance_km = haversine_km(36.7, 119.02, posting.lat, posting.lng)
        expected = drf.Serializer.to_representation(PostingSerializer(), posting)
        got = PostingSerializer().to_representation(posting)
        assert got == expected
        assert rows[posting.pk] == {**expected, "distance_km": rows[posting.pk]["distance_km"]}
        assert rows[posting.pk]["distance_km"] == pytest.approx(expected["distance_km"], abs=0.002)
        for insider in (False, True):
            context = {"contact_visible": insider, "insider": insider, "reviewer": insider}
            detail = PostingDetailSerializer(context=context)
            assert detail.to_representation(posting) == drf.Serializer.to_representation(detail, posting)
        response = api.get(f"/api/v1/postings/{posting.pk}/")
        assert response.json()["contact_phone"] != posting.contact_phone  # masked for the public
