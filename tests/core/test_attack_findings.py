"""Issue 11: each finding of the black-box attack, as the request that found it. Every answer is a 4xx in the
error shape (never a 500), nothing is written by a refused request, and personal data does not get past the
masking through the browsable API, a search or a token."""

from __future__ import annotations

import base64
import json

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.test import Client, RequestFactory, override_settings

from accounts.choices import Role
from core.choices import AuditAction
from core.http import client_ip
from core.models import AuditLog
from markets.models import OnlinePlatform
from tests.accounts.factories import UserFactory
from tests.jobs.factories import make_employer, published_posting

pytestmark = pytest.mark.django_db


def _error(response, status):
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert set(body) >= {"code", "message", "fields"}
    return body


# --- personal data ---------------------------------------------------------------------------------------


@override_settings(
    REST_FRAMEWORK={
        **settings.REST_FRAMEWORK,
        "DEFAULT_RENDERER_CLASSES": [
            "rest_framework.renderers.JSONRenderer",
            "core.api.renderers.BrowsableAPIRenderer",
        ],
    }
)
def test_1_browsable_api_shows_no_form_and_no_unmasked_value(client_as, county_a):
    posting = published_posting(contact_phone="13700000015")
    other_employer = make_employer(unit=county_a).user
    response = client_as(other_employer).get(f"/api/v1/postings/{posting.pk}/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "13700000015" not in html
    # no write forms (DRF's raw-data and HTML forms), so nothing pre-filled
    assert (
        'name="_content"' not in html
        and 'data-method="PATCH"' not in html
        and 'data-method="PUT"' not in html
    )


def test_1_production_renders_json_only():
    from config.settings import base

    assert base.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"] == ["rest_framework.renderers.JSONRenderer"]


def test_2_a_full_resident_id_finds_nobody_without_the_reveal_right(api_client_a, worker, officer, api_as):
    id_number = worker.id_number
    assert id_number
    before = AuditLog.objects.filter(action=AuditAction.REVEAL).count()
    answer = api_client_a.get("/api/v1/users/", {"q": id_number})
    assert answer.status_code == 200 and answer.json()["count"] == 0
    # the county officer holds the reveal right: the lookup finds the person and is audited like a reveal
    answer = api_as(officer).get("/api/v1/users/", {"q": id_number})
    assert [row["id"] for row in answer.json()["results"]] == [worker.pk]
    audit = AuditLog.objects.filter(action=AuditAction.REVEAL).latest("id")
    assert AuditLog.objects.filter(action=AuditAction.REVEAL).count() == before + 1
    assert audit.actor_id == officer.pk and audit.after["lookup"] == "id_number"
    assert id_number not in json.dumps(audit.after)


@override_settings(LINGONG_PERSONAL_LOOKUP_LIMIT=3)
def test_2_lookups_by_full_number_are_rate_limited(officer, worker, api_as):
    client = api_as(officer)
    for _ in range(3):
        assert client.get("/api/v1/users/", {"q": worker.phone}).status_code == 200
    _error(client.get("/api/v1/users/", {"q": worker.phone}), 429)


# --- 500s from bad input ---------------------------------------------------------------------------------


def test_4_json_nested_too_deep_is_a_400(api):
    posting = published_posting()
    body = "[" * 990 + "]" * 990
    answer = api.post(f"/api/v1/postings/{posting.pk}/report/", body, content_type="application/json")
    _error(answer, 400)
    assert not posting.reports.exists()


def test_5_nul_in_a_path_or_a_body_is_a_400(api, api_as, officer, county_a):
    for path in ("/api/v1/divisions/%00/", "/api/v1/occupations/%00/", "/api/v1/scope-units/%00/"):
        _error(api.get(path), 400)
    count = OnlinePlatform.objects.count()
    answer = api_as(officer).post(
        "/api/v1/markets/", {"name": "市场", "county": "\u0000", "facilities": ["\u0000"]}, format="json"
    )
    assert answer.status_code == 400
    assert OnlinePlatform.objects.count() == count


def test_6_an_online_platform_is_registered(api_as, officer, county_a):
    answer = api_as(officer).post(
        "/api/v1/online-platforms/",
        {
            "name": "潍城零工小程序",
            "kind": "mini_program",
            "county": county_a.code,
            "operator_name": "潍城人力公司",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert OnlinePlatform.objects.get(pk=answer.json()["id"]).name == "潍城零工小程序"


def test_7_a_non_integer_id_is_a_404(api_as, officer):
    client = api_as(officer)
    _error(client.post("/api/v1/online-platforms/t/transition/", {}, format="json"), 404)
    _error(client.post("/api/v1/users/abc/reveal/", {}, format="json"), 404)
    _error(client.get(f"/api/v1/postings/{2**70}/"), 404)


def test_10_a_crafted_cursor_is_refused_not_a_500(api):
    for _ in range(3):
        published_posting()
    first = api.get("/api/v1/postings/", {"page_size": 1}).json()
    raw = first["next"].split("cursor=")[1].split("&")[0]
    data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    for values in (["x"] * len(data["v"]), [float("nan")] * len(data["v"]), [[1]] * len(data["v"])):
        crafted = base64.urlsafe_b64encode(json.dumps({**data, "v": values}).encode()).decode().rstrip("=")
        answer = api.get("/api/v1/postings/", {"page_size": 1, "cursor": crafted})
        assert 400 <= answer.status_code < 500


def test_11_a_token_cannot_book_a_fair_booth(api_client_a):
    _error(api_client_a.post("/api/v1/job-fairs/1/book/", {}, format="json"), 403)


def test_12_recommendations_as_html_do_not_fail(client_as, worker):
    answer = client_as(worker).get("/api/v1/recommendations/postings/", HTTP_ACCEPT="text/html")
    assert answer.status_code < 500


# --- the rest --------------------------------------------------------------------------------------------


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_13_a_body_over_the_limit_is_a_413_in_the_error_shape(api):
    posting = published_posting()
    answer = api.post(
        f"/api/v1/postings/{posting.pk}/report/",
        json.dumps({"detail": "x" * 5000}),
        content_type="application/json",
    )
    body = _error(answer, 413)
    assert body["code"]
    assert not posting.reports.exists()


def test_13_a_500_under_the_api_is_json_with_a_request_id(monkeypatch, county_a):
    from markets.api.views import MarketViewSet

    def broken(*args, **kwargs):
        raise ZeroDivisionError

    monkeypatch.setattr(MarketViewSet, "list", broken)
    client = Client(raise_request_exception=False)
    answer = client.get("/api/v1/markets/")
    body = _error(answer, 500)
    assert body["request_id"] == answer["X-Request-ID"]
    assert "ZeroDivision" not in answer.content.decode()


def test_14_a_page_size_over_the_maximum_is_a_400_naming_it(api):
    body = _error(api.get("/api/v1/markets/", {"page_size": 100000}), 400)
    assert "100" in json.dumps(body, ensure_ascii=False)


def test_17_the_client_address_ignores_forwarded_for_unless_the_proxy_is_trusted():
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8")
    with override_settings(LINGONG_TRUSTED_PROXIES=[]):
        assert client_ip(request) == "10.0.0.5"
    with override_settings(LINGONG_TRUSTED_PROXIES=["10.0.0.0/8"]):
        assert client_ip(request) == "5.6.7.8"  # the nearest hop our proxy did not add
    with override_settings(LINGONG_TRUSTED_PROXIES=["10.0.0.0/8", "5.6.7.8"]):
        assert client_ip(request) == "1.2.3.4"


@pytest.mark.parametrize("path", ["/api/v1/work-orders/", "/api/v1/payments/", "/api/v1/ratings/"])
def test_18_a_county_token_reads_only_what_its_permissions_list(api_client_a, path):
    _error(api_client_a.get(path), 403)


def test_18_a_token_cannot_write(api_client_a, county_a):
    count = OnlinePlatform.objects.count()
    _error(
        api_client_a.post(
            "/api/v1/online-platforms/",
            {"name": "x", "kind": "app", "county": county_a.code, "operator_name": "y"},
            format="json",
        ),
        403,
    )
    assert OnlinePlatform.objects.count() == count


def test_20_demo_passwords_are_refused_with_debug_off(county_a):
    user = UserFactory(scope_unit=county_a, roles=[Role.WORKER])
    user.set_password(settings.LINGONG_DEMO_PASSWORD)
    user.save()
    request = RequestFactory().post("/accounts/login/")
    with override_settings(DEBUG=False):
        assert authenticate(request, username=user.phone, password=settings.LINGONG_DEMO_PASSWORD) is None
    with override_settings(DEBUG=True):
        assert authenticate(request, username=user.phone, password=settings.LINGONG_DEMO_PASSWORD) == user


# --- 3: the hire contact exception (ADR 0014) ------------------------------------------------------------


def _accepted(worker):
    from jobs import services

    posting = published_posting(contact_phone="13700000099")
    application = services.application_apply(posting=posting, worker=worker, actor=worker)
    services.application_accept(application=application, actor=posting.employer.user)
    return posting, application


def _hire_audits(viewer):
    return AuditLog.objects.filter(action=AuditAction.REVEAL, actor=viewer, after__basis="hire")


def test_3_the_employer_sees_an_accepted_workers_number_once_audited_per_day(api_as, worker):
    posting, application = _accepted(worker)
    employer = posting.employer.user
    client = api_as(employer)
    for _ in range(2):
        row = client.get(f"/api/v1/applications/{application.pk}/").json()
        assert row["worker_phone"] == worker.phone
    audits = _hire_audits(employer)
    assert audits.count() == 1 and audits.get().after["contact_of"] == worker.pk


def test_3_the_numbers_close_again_after_the_grace_days(api_as, worker):
    import datetime as dt

    from django.utils import timezone

    posting, application = _accepted(worker)
    ended = timezone.localdate() - dt.timedelta(days=settings.LINGONG_HIRE_CONTACT_DAYS + 1)
    type(posting).objects.filter(pk=posting.pk).update(work_start_date=ended, work_end_date=ended)
    row = api_as(posting.employer.user).get(f"/api/v1/applications/{application.pk}/").json()
    assert row["worker_phone"] != worker.phone and "*" in row["worker_phone"]
    assert not _hire_audits(posting.employer.user).exists()


def test_3_a_stranger_never_sees_the_number(api_as, worker, county_a):
    posting, application = _accepted(worker)
    stranger = make_employer(unit=county_a).user
    answer = api_as(stranger).get(f"/api/v1/applications/{application.pk}/")
    assert answer.status_code == 404 or worker.phone not in answer.content.decode()


# --- 8, 9, 16 --------------------------------------------------------------------------------------------


def test_8_a_non_ascii_qr_token_is_a_400_and_checks_nobody_in(api_as):
    from tests.work.test_work_orders import hire

    order = hire()
    answer = api_as(order.worker).post(
        f"/api/v1/work-orders/{order.pk}/check-in/", {"method": "qr", "qr_token": "é"}, format="json"
    )
    assert answer.status_code == 400
    order.refresh_from_db()
    assert order.checked_in_at is None


def test_9_an_attendance_past_the_integer_range_is_a_400(api_as, officer, county_a):
    from tests.jobs.test_fairs import past_fair

    fair = past_fair(officer, county_a)
    answer = api_as(officer).post(
        f"/api/v1/job-fairs/{fair.pk}/outcome/",
        {"attendance": 2**31, "intents": 0, "hires": 0},
        format="json",
    )
    body = _error(answer, 400)
    assert "attendance" in body["fields"]
    fair.refresh_from_db()
    assert fair.attendance == 0


def test_16_the_public_payment_callback_is_throttled(api, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    from work.models import PaymentCallback

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "payment_callback", "3/minute")
    codes = [
        api.post("/api/v1/payments/callbacks/sandbox/", {"x": 1}, format="json").status_code for _ in range(5)
    ]
    assert codes[:3] == [400, 400, 400] and codes[3:] == [429, 429]
    assert not PaymentCallback.objects.exists()
