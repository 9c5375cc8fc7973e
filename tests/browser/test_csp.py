"""The Content-Security-Policy (item 15 of issue 11) in a real browser: the public pages, the map, the
statistics charts, the API docs and the admin work under it — Chromium reports no violation and no script
error. A page that breaks the policy (an inline script without the nonce) is reported, so the check is live."""

from __future__ import annotations

import os

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import path

from accounts.choices import Role
from tests.accounts.factories import UserFactory
from tests.jobs.factories import published_posting
from tests.markets.factories import MarketFactory

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WATCH = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));
"""


def _watched_page(browser, live_url, user=None):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    if user is not None:
        client = Client()
        client.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_url,
                }
            ]
        )
    context.add_init_script(WATCH)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("pageerror", lambda exc: problems.append(f"script error: {exc}"))
    return page, problems


def _visit(page, problems, url):
    response = page.goto(url)
    assert response.status < 400, url
    assert "Content-Security-Policy" in response.headers or "content-security-policy" in response.headers
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("window.__csp"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_public_pages_the_map_and_the_api_docs_work_under_the_policy(chromium, live_server, county_a):
    MarketFactory(scope_unit=county_a, name="潍城区零工市场", lat=36.71, lng=119.02)
    page, problems = _watched_page(chromium, live_server.url)
    for path_ in (
        "/",
        "/markets/",
        "/jobs/",
        "/stats/",
        "/stats/supply-demand/",
        "/board/fairs/",
        "/api/docs/",
    ):
        _visit(page, problems, live_server.url + path_)
    # the map really drew (its script ran under the policy) and the Swagger UI rendered the schema
    page.goto(live_server.url + "/markets/")
    page.wait_for_selector(".leaflet-marker-icon")
    page.goto(live_server.url + "/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    problems.extend(page.evaluate("window.__csp"))
    assert problems == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_admin_works_under_the_policy(chromium, live_server, county_a):
    staff = UserFactory(scope_unit=county_a, roles=[Role.CITY_STAFF])
    posting = published_posting(scope_unit=county_a)
    page, problems = _watched_page(chromium, live_server.url, user=staff)
    for path_ in (
        "/admin/",
        "/admin/jobs/posting/",
        f"/admin/jobs/posting/{posting.pk}/change/",
        "/admin/markets/market/add/",
        "/admin/accounts/user/",
    ):
        _visit(page, problems, live_server.url + path_)
    # the admin's own scripts ran under the policy (its jQuery namespace exists on the market form)
    page.goto(live_server.url + "/admin/markets/market/add/")
    assert page.evaluate("typeof django !== 'undefined' && typeof django.jQuery === 'function'")
    problems.extend(page.evaluate("window.__csp"))
    assert problems == []


def _inline_script_view(request):
    from django.http import HttpResponse

    return HttpResponse("<!doctype html><title>x</title><script>document.title = 'ran'</script>")


urlpatterns = [path("csp-probe/", _inline_script_view)]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.urls("tests.browser.test_csp")
def test_an_inline_script_without_the_nonce_is_blocked_and_reported(chromium, live_server):
    page, problems = _watched_page(chromium, live_server.url)
    page.goto(live_server.url + "/csp-probe/")
    page.wait_for_load_state("networkidle")
    problems.extend(page.evaluate("window.__csp"))
    assert page.title() == "x"
    assert any("script-src" in p for p in problems)
