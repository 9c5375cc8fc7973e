"""Every role can reach every page the portal serves them by links from their home (issue 13): logged in as
each role, a crawler follows the links of each page from the role's home, three clicks deep; every page it
must find is found, and no link answers 404 or 500. The same crawl in English finds no Chinese outside
user data (names, addresses, posting text, place and occupation names) and the language switch."""

from __future__ import annotations

import datetime as dt
import importlib
import re
from collections import deque
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.apps import apps as django_apps
from django.test import Client

from accounts.choices import Role
from accounts.navigation import home_url
from jobs import services as jobs_services
from jobs.models import Occupation
from work import services as work
from work.choices import CheckMethod
from work.models import WorkOrder

from .accounts.factories import UserFactory
from .jobs.factories import make_employer, make_worker, published_posting
from .markets.factories import MarketFactory, MarketOperatorFactory

pytestmark = pytest.mark.django_db

DEPTH = 3
SKIP = ("/admin/", "/api/", "/i18n/", "/static/", "/media/")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")


class Links(HTMLParser):
    """The links of a page and its visible text (attributes a person reads included)."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        for name in ("aria-label", "title", "alt", "placeholder", "data-locating", "data-no-location"):
            if attrs.get(name):
                self.text.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.text.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self._skip:
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


@pytest.fixture
def portal(county_a, django_db_blocker):
    """A small city: a worker with a settled, rated work order, an employer with open, filled and closed
    postings, a market with its operator, county and city staff, a training institution."""
    if not Occupation.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)
    employer = make_employer(unit=county_a)
    worker = make_worker(unit=county_a)
    open_posting = published_posting(employer, title="写字楼保洁 三人", headcount=3)
    done = published_posting(employer, title="家庭保洁 半天", headcount=1)
    app = jobs_services.application_apply(posting=done, worker=worker, actor=worker)
    jobs_services.application_accept(application=app, actor=employer.user)
    order = WorkOrder.objects.get(application=app)
    start = order.starts_at
    work.work_order_check_in(
        order=order, actor=worker, method=CheckMethod.QR, qr_token=order.qr_token, now=start
    )
    work.work_order_check_out(
        order=order,
        actor=worker,
        method=CheckMethod.QR,
        qr_token=order.qr_token,
        now=start + dt.timedelta(hours=8),
    )
    work.work_order_approve(order=order, actor=employer.user, now=start + dt.timedelta(hours=9))
    payment = work.payment_request(work_order=order, actor=employer.user, idempotency_key="c1", method="cash")
    work.payment_record_offline(payment=payment, actor=employer.user)
    work.payment_confirm_receipt(payment=payment, actor=worker)
    work.rating_create(work_order=order, actor=employer.user, stars=4, tags=["准时"])
    closed = published_posting(employer, title="搬家 两人", wage_amount=Decimal("300"))
    jobs_services.posting_close(posting=closed, actor=employer.user, reason="已找到人")
    market = MarketFactory(scope_unit=county_a)
    operator = MarketOperatorFactory(market=market).user
    return {
        "worker": worker,
        "employer": employer.user,
        "operator": operator,
        "officer": UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF]),
        "city": UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF]),
        "training": UserFactory(scope_unit=county_a, roles=[Role.TRAINING_INSTITUTION]),
        "order": order,
        "open": open_posting,
        "filled": done,
        "closed": closed,
        "market": market,
    }


def crawl(client: Client, start: str, *, depth: int = DEPTH):
    """(depth of each page reached, pages' text, bad links): breadth first from ``start``; the links of every
    page within ``depth`` clicks are fetched (and must answer below 400)."""
    seen: dict[str, int] = {start: 0}
    texts: dict[str, str] = {}
    bad: list[tuple[str, str, int]] = []
    queue = deque([start])
    while queue:
        url = queue.popleft()
        response = client.get(url, follow=True)
        if response.status_code >= 400:
            bad.append(("?", url, response.status_code))
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = Links()
        parser.feed(response.content.decode())
        texts[url] = " ".join(parser.text)
        if seen[url] >= depth:
            continue
        for href in parser.links:
            href = href.split("#")[0]
            if not href.startswith("/") or href.startswith(SKIP) or href in seen:
                continue
            seen[href] = seen[url] + 1
            queue.append(href)
    return seen, texts, bad


def expected_pages(p) -> dict[str, list[str]]:
    order, market = p["order"], p["market"]
    public = [
        "/jobs/",
        "/markets/",
        "/stats/",
        "/board/fairs/",
        "/markets/notices/",
        "/accounts/profile/",
        "/subsidies/",
    ]
    return {
        "worker": [
            *public,
            "/jobs/me/",
            "/jobs/me/profile/",
            "/subsidies/mine/",
            "/work/",
            f"/work/{order.pk}/",
            "/work/earnings/",
            f"/jobs/{p['open'].pk}/",
            "/stats/supply-demand/",
            "/markets/directory/",
            f"/markets/{market.pk}/",
            "/accounts/privacy/",
        ],
        "employer": [
            *public,
            "/jobs/employer/",
            "/jobs/employer/postings/new/",
            f"/jobs/employer/postings/{p['open'].pk}/",
            f"/jobs/{p['filled'].pk}/",
            f"/jobs/{p['closed'].pk}/",
            "/work/employer/",
            "/work/employer/payments/",
            f"/work/employer/{order.pk}/",
        ],
        "operator": [
            "/markets/manage/",
            f"/markets/manage/{market.pk}/",
            "/jobs/counter/",
            "/accounts/profile/",
        ],
        "officer": ["/jobs/counter/", "/accounts/profile/"],
        "city": ["/jobs/counter/", "/accounts/profile/", "/stats/"],
        "training": ["/accounts/profile/", "/jobs/"],
    }


ROLES = ["worker", "employer", "operator", "officer", "city", "training"]


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_a_role_is_within_three_clicks_of_its_home_and_no_link_is_broken(portal, role):
    user = portal[role]
    client = Client()
    client.force_login(user)
    start = home_url(user)
    if start.startswith("/admin/"):
        assert client.get(start).status_code == 200
        start = "/"  # staff's pages outside the admin start from the site's home
    seen, _texts, bad = crawl(client, start)
    assert not bad, bad
    missing = [page for page in expected_pages(portal)[role] if seen.get(page, 99) > DEPTH]
    assert not missing, f"{role}: not reachable within {DEPTH} clicks of {start}: {missing}"


def test_anonymous_visitor_reaches_the_public_pages_and_no_link_is_broken(portal):
    seen, _texts, bad = crawl(Client(), "/")
    assert not bad, bad
    for page in (
        "/jobs/",
        "/markets/",
        "/stats/",
        "/subsidies/",
        "/accounts/register/",
        "/accounts/login/",
        f"/jobs/{portal['open'].pk}/",
    ):
        assert seen.get(page, 99) <= DEPTH, page


def _user_data() -> list[str]:
    """Every text the portal shows that people or reference data wrote (never translated)."""
    from accounts.models import User
    from core.models import Division, InboxMessage, ScopeUnit
    from jobs.models import EmployerProfile, Posting
    from markets.models import Facility, Market
    from subsidies.models import ProgramParameter, ProgramType
    from work.models import Rating

    values: set[str] = set()
    for model, fields in (
        (User, ["real_name"]),
        (Posting, ["title", "description", "requirements", "address", "contact_name"]),
        (EmployerProfile, ["display_name"]),
        (Market, ["name", "address", "operator_name", "complaint_channel"]),
        (Facility, []),
        (Occupation, ["name"]),
        (ScopeUnit, ["name"]),
        (Division, ["name"]),
        (Rating, ["comment"]),
        # a message is written once, in the language of the moment it was sent (SMS and WeChat carry the same
        # text), and kept as it was: the inbox shows it as stored
        (InboxMessage, ["body"]),
        # the subsidy programs and their notices are reference data, kept as the notices word them
        (ProgramType, ["name", "summary"]),
        (ProgramParameter, ["notice", "basis"]),
    ):
        for field in fields:
            values.update(v for v in model.objects.values_list(field, flat=True) if v)
    from core.masking import mask_name

    names = [*User.objects.exclude(real_name="").values_list("real_name", flat=True)]
    names += [*Posting.objects.values_list("contact_name", flat=True)]
    values.update(mask_name(name) for name in names if name)
    return sorted(values, key=len, reverse=True)


@pytest.mark.parametrize("role", ["anonymous", *ROLES])
def test_every_page_in_english_has_no_chinese_outside_user_data(portal, role):
    client = Client()
    client.cookies["django_language"] = "en"
    if role != "anonymous":
        client.force_login(portal[role])
    start = "/" if role == "anonymous" else home_url(portal[role])
    if start.startswith("/admin/"):
        start = "/"
    _seen, texts, bad = crawl(client, start)
    assert not bad
    data = _user_data()
    leaks = {}
    for url, text in texts.items():
        for value in data:
            text = text.replace(value, " ")
        text = text.replace("简体中文", " ")  # the language switch names itself
        found = sorted(set(re.findall(r"\S*[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]+\S*", text)))
        if found:
            leaks[url] = found[:15]
    assert not leaks, "\n".join(f"{url}: {words}" for url, words in leaks.items())
