"""The job search page in headless Chromium (Debian's /usr/bin/chromium, Playwright): the list of open
postings, the map toggle with one Leaflet marker per listed posting, reflow at 200% text on a small phone;
and without JavaScript a worker still searches, opens a posting and applies. No tiles are fetched."""

from __future__ import annotations

import importlib
import os

import pytest
from django.conf import settings
from django.test import Client, override_settings

from jobs.models import Application, Occupation

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop


@pytest.fixture
def jobs_seed(county_a):
    """Transactional tests flush the database: restore the occupations and minimum wages migration 0002 seeds."""
    from django.apps import apps

    if not Occupation.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(apps, None)


@pytest.fixture
def postings(jobs_seed, county_a):
    from tests.jobs.factories import draft_posting, make_employer, occupation, published_posting

    employer = make_employer(unit=county_a, trusted=True)
    shown = [
        published_posting(employer, title="家庭保洁 半天", lat=36.7100, lng=119.0240),
        published_posting(employer, title="写字楼保洁 三人", lat=36.7220, lng=119.0090, headcount=3),
        published_posting(employer, title="新房开荒保洁", lat=36.6950, lng=119.1010),
    ]
    other = published_posting(
        employer,
        title="搬家工 两名",
        description="两室一厅搬家，楼梯房。",
        occupation=occupation("mover"),
        lat=36.70,
        lng=119.05,
    )
    draft = draft_posting(employer, title="保洁草稿不应显示")
    return shown, other, draft


def _outside_requests(page, live_url):
    outside = []
    page.on(
        "request",
        lambda r: None if r.url.startswith(live_url) or r.url.startswith("data:") else outside.append(r.url),
    )
    return outside


def _no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth + 1")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_search_page_lists_matches_and_toggles_a_map_of_them(chromium, live_server, postings):
    shown, other, draft = postings
    page = chromium.new_page(viewport={"width": 360, "height": 740}, locale="zh-CN")
    outside = _outside_requests(page, live_server.url)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(live_server.url + "/jobs/?q=保洁")
    ids = {int(x) for x in page.eval_on_selector_all("li.posting-item", "els => els.map(e => e.dataset.id)")}
    assert ids == {p.pk for p in shown}
    text = page.inner_text(".posting-list")
    assert other.title not in text and draft.title not in text
    # the map stays hidden until asked for
    assert not page.is_visible("#posting-map")
    page.click("#map-toggle")
    page.wait_for_selector("#posting-map[data-markers]")
    assert page.is_visible("#posting-map")
    assert page.get_attribute("#posting-map", "data-markers") == str(len(shown))
    titles = set(
        page.eval_on_selector_all(".leaflet-marker-icon", "els => els.map(e => e.getAttribute('title'))")
    )
    assert titles == {p.title for p in shown}
    page.click("#map-toggle")
    assert not page.is_visible("#posting-map")
    assert errors == [] and outside == []
    # large text on a small phone: no sideways scrolling, every control labelled
    assert _no_horizontal_scroll(page)
    page.add_style_tag(content="html { font-size: 200% !important; }")
    assert _no_horizontal_scroll(page), "the search page scrolls sideways at 200% text"
    unlabeled = page.evaluate(
        """[...document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea')]
             .filter(el => !(el.labels && el.labels.length)).map(el => el.name)"""
    )
    assert unlabeled == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_a_worker_searches_and_applies_without_javascript(chromium, live_server, postings, county_a):
    from tests.jobs.factories import make_worker

    shown, _other, _draft = postings
    worker = make_worker(unit=county_a)
    login = Client()
    login.force_login(worker)
    context = chromium.new_context(
        java_script_enabled=False, viewport={"width": 360, "height": 740}, locale="zh-CN"
    )
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.goto(live_server.url + "/jobs/")
    page.fill("#id_q", "写字楼")
    page.click("form.search-form button[type=submit]")
    assert page.locator("li.posting-item").count() == 1
    assert not page.is_visible("#posting-map") and page.locator("#map-toggle").count() == 0
    page.click("li.posting-item h3 a")
    assert page.url.endswith(f"/jobs/{shown[1].pk}/")
    assert "137****0001" in page.content()  # the contact stays masked until acceptance
    page.click("text=我要报名")
    assert "报名成功" in page.content()
    application = Application.objects.get(posting=shown[1], worker=worker)
    assert application.status == "applied" and application.source == "self"
    context.close()


def _session_context(chromium, live_server, user):
    context = chromium.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    if user is not None:
        login = Client()
        login.force_login(user)
        context.add_cookies(
            [
                {
                    "name": settings.SESSION_COOKIE_NAME,
                    "value": login.cookies[settings.SESSION_COOKIE_NAME].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@override_settings(LINGONG_MAP_TILE_URL="", LINGONG_MAP_LABEL_URL="")
def test_jobs_pages_reflow_at_200_percent_text_and_label_every_control(
    chromium, live_server, postings, county_a
):
    from accounts.choices import Role
    from jobs import services
    from tests.accounts.factories import UserFactory
    from tests.jobs.factories import make_worker

    shown, _other, _draft = postings
    worker = make_worker(unit=county_a)
    services.application_apply(posting=shown[0], worker=worker, actor=worker)
    officer = UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])
    employer = shown[0].employer.user
    pages = [
        (None, f"/jobs/{shown[0].pk}/"),
        (worker, "/jobs/me/"),
        (worker, "/jobs/me/profile/"),
        (employer, "/jobs/employer/"),
        (employer, "/jobs/employer/postings/new/"),
        (officer, "/jobs/counter/"),
    ]
    for user, path in pages:
        context = _session_context(chromium, live_server, user)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        page.add_style_tag(content="html { font-size: 200% !important; }")
        assert _no_horizontal_scroll(page), f"{path} scrolls sideways at 200% text"
        unlabeled = page.evaluate(
            """[...document.querySelectorAll('input:not([type=hidden]):not([type=submit]), select, textarea')]
                 .filter(el => !(el.labels && el.labels.length)).map(el => el.name)"""
        )
        assert unlabeled == [], path
        assert errors == [], path
        context.close()
