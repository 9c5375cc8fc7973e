"""The market board (/board/markets/<id>/): the information screen of an operating market shows today's and
tomorrow's open postings within 10 km of it (or attached to it) — nothing later, farther, closed, past or
unreviewed — to anyone, reloads itself every minute without JavaScript, and carries a QR code per posting
that encodes the posting's page. Also the demo data that `seed_demo` builds on top of the markets."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re

import pytest
import segno
from django.apps import apps as django_apps
from django.core.management import call_command
from django.utils import timezone

from core.geo import haversine_km
from core.models import MinimumWageTier
from jobs import services
from jobs.choices import ApplicationSource, ApplicationStatus, PostingStatus
from jobs.models import (
    Application,
    EmployerProfile,
    FairBooth,
    FairRegistration,
    JobFair,
    Occupation,
    Posting,
)
from jobs.views import board as views_board
from markets.choices import MarketStatus
from tests.markets.factories import MarketFactory

from .factories import draft_posting, make_employer, published_posting

COUNTIES = {
    "370702",
    "370703",
    "370704",
    "370705",
    "370724",
    "370725",
    "370781",
    "370782",
    "370783",
    "370784",
    "370785",
    "370786",
}
KM_LAT = 1 / 111.2  # degrees of latitude per km (due north keeps the arithmetic simple)


def ensure_jobs_seed() -> None:
    """The occupations and minimum wages that migration 0002 seeds (transactional tests flush them)."""
    if not Occupation.objects.exists() or not MinimumWageTier.objects.exists():
        importlib.import_module("jobs.migrations.0002_seed_and_search_indexes").forwards(django_apps, None)


@pytest.fixture(scope="module", autouse=True)
def _jobs_seed_around_flush(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        ensure_jobs_seed()
    yield
    with django_db_blocker.unblock():
        ensure_jobs_seed()


@pytest.fixture
def market(county_a):
    return MarketFactory(
        scope_unit=county_a, name="潍城区零工市场", lat=36.7100, lng=119.0240, hotline="0536-8000022"
    )


def at(market, km: float) -> dict:
    return {"lat": market.lat + km * KM_LAT, "lng": market.lng}


def dates(start_in: int, days: int = 1) -> dict:
    today = timezone.localdate()
    return {
        "work_start_date": today + dt.timedelta(days=start_in),
        "work_end_date": today + dt.timedelta(days=start_in + days - 1),
    }


@pytest.fixture
def scene(market, county_a):
    """One posting of each kind around the market, keyed by what the board should do with it."""
    employer = make_employer(unit=county_a)
    shown = {
        "today_near": published_posting(
            employer, title="今天 胜利街保洁 两公里", **at(market, 2), **dates(0)
        ),
        "tomorrow_near": published_posting(
            employer, title="明天 超市搬运 九公里", **at(market, 9.5), **dates(1)
        ),
        "running": published_posting(
            employer, title="已开工 工地小工 三公里", **at(market, 3), **dates(-2, 5)
        ),
        "attached_far": published_posting(
            employer, title="市场挂牌 远郊采摘", market=market, **at(market, 25), **dates(1)
        ),
    }
    hidden = {
        "far": published_posting(employer, title="隐藏 远处保洁 十五公里", **at(market, 15), **dates(0)),
        "later": published_posting(employer, title="隐藏 后天搬家", **at(market, 1), **dates(2)),
        "closed": published_posting(employer, title="隐藏 已关闭岗位", **at(market, 1), **dates(0)),
        "past": published_posting(employer, title="隐藏 已过期岗位", **at(market, 1), **dates(1)),
        "pending": None,
    }
    services.posting_close(posting=hidden["closed"], actor=employer.user, reason="已找到人")
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Posting.objects.filter(pk=hidden["past"].pk).update(
        work_start_date=yesterday, work_end_date=yesterday
    )  # scan not run yet
    unreviewed = draft_posting(
        make_employer(unit=county_a), title="隐藏 待审核岗位", **at(market, 1), **dates(0)
    )
    services.posting_submit(posting=unreviewed, actor=unreviewed.employer.user)
    hidden["pending"] = unreviewed
    return shown, hidden


def board(client, market, **params):
    return client.get(f"/board/markets/{market.pk}/", params)


def svgs(html: str) -> list[str]:
    return re.findall(r"<svg\b.*?</svg>", html, flags=re.S)


def svg_matrix(svg: str) -> list[list[int]]:
    """Read the modules back out of segno's SVG path ("M x y.5 h n m dx dy …", one unit per module)."""
    size = int(re.search(r'viewBox="0 0 (\d+) (\d+)"', svg).group(1))
    path = re.search(r'<path[^>]*class="qrline"[^>]*\sd="([^"]+)"', svg) or re.search(
        r'<path[^>]*stroke=[^>]*\sd="([^"]+)"', svg
    )
    grid = [[0] * size for _ in range(size)]
    x = y = 0.0
    for cmd, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", path.group(1)):
        nums = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if cmd == "M":
            x, y = nums
        elif cmd == "m":
            x, y = x + nums[0], y + nums[1]
        elif cmd == "h":
            row = int(y)
            for col in range(int(x), int(x + nums[0])):
                grid[row][col] = 1
            x += nums[0]
    return grid


def encodes(svg: str, url: str) -> bool:
    """Whether the SVG holds the QR symbol of ``url`` at any error level (quiet zone of any width)."""
    grid = svg_matrix(svg)
    for error in "lmqh":
        for boost in (True, False):
            matrix = [
                list(row) for row in segno.make(url, error=error, micro=False, boost_error=boost).matrix
            ]
            n = len(matrix)
            border = (len(grid) - n) // 2
            if border >= 0 and [row[border : border + n] for row in grid[border : border + n]] == matrix:
                return True
    return False


@pytest.mark.django_db
def test_board_lists_todays_and_tomorrows_nearby_postings_and_nothing_else(client, market, scene):
    shown, hidden = scene
    response = board(client, market)
    assert response.status_code == 200
    html = response.content.decode()
    for posting in shown.values():
        assert posting.title in html, posting.title
    for posting in hidden.values():
        assert posting.title not in html, posting.title
    listed = {item.posting.pk for item in response.context["items"]}
    assert listed == {p.pk for p in shown.values()}
    # the distance rule is the haversine one: 9.5 km in, 15 km out
    assert haversine_km(market.lat, market.lng, shown["tomorrow_near"].lat, shown["tomorrow_near"].lng) < 10
    assert haversine_km(market.lat, market.lng, hidden["far"].lat, hidden["far"].lng) > 10


@pytest.mark.django_db
def test_board_labels_days_and_shows_wage_distance_and_remaining(client, market, scene):
    shown, _hidden = scene
    items = {item.posting.pk: item for item in board(client, market).context["items"]}
    assert items[shown["today_near"].pk].day == "今天" and items[shown["running"].pk].day == "今天"
    assert items[shown["tomorrow_near"].pk].day == "明天"
    assert items[shown["attached_far"].pk].distance == "本市场"
    assert items[shown["today_near"].pk].distance == "2.0 公里"
    assert items[shown["today_near"].pk].wage.startswith("220 元/天")
    html = board(client, market).content.decode()
    assert "还招 2 人" in html


@pytest.mark.django_db
def test_board_is_public_refreshes_itself_and_names_the_market(client, market, scene):
    response = board(client, market)
    assert response.status_code == 200  # anonymous
    html = response.content.decode()
    assert re.search(r'<meta http-equiv="refresh" content="60(;[^"]*)?">', html)
    assert "<script" not in html
    assert market.name in html and market.hotline in html
    now = timezone.localtime()
    assert "更新于" in html and f'datetime="{now:%Y-%m-%d}' in html
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_every_posting_on_the_board_has_a_qr_code_of_its_page(client, market, scene):
    response = board(client, market)
    html = response.content.decode()
    items = response.context["items"]
    codes = svgs(html)
    assert len(codes) == len(items) == 4
    for item, svg in zip(items, codes, strict=True):
        url = f"http://testserver/jobs/{item.posting.pk}/"
        assert encodes(svg, url), item.posting.title
        assert not encodes(svg, f"http://testserver/jobs/{item.posting.pk + 1000}/")


@pytest.mark.django_db
def test_board_only_for_operating_markets(client, county_a):
    for status in (MarketStatus.PLANNED, MarketStatus.SUSPENDED, MarketStatus.CLOSED, MarketStatus.BANNED):
        market = MarketFactory(scope_unit=county_a, status=status)
        assert client.get(f"/board/markets/{market.pk}/").status_code == 404
    assert client.get("/board/markets/999999/").status_code == 404


@pytest.mark.django_db
def test_board_runs_a_fixed_number_of_queries(client, market, county_a, django_assert_max_num_queries):
    employer = make_employer(unit=county_a)
    for i in range(12):
        published_posting(employer, title=f"岗位{i}", **at(market, 0.5 + i * 0.3), **dates(i % 2))
    # the market, the postings, and the panels (markets.extensions): training's sign-up points and upcoming
    # classes, disputes' county rights contacts (ADR 0027)
    with django_assert_max_num_queries(5):
        response = board(client, market)
    assert response.status_code == 200


@pytest.mark.django_db
def test_board_turns_pages_with_its_refresh(client, market, county_a, settings):
    employer = make_employer(unit=county_a)
    count = views_board.BOARD_PAGE_SIZE + 2
    titles = {
        published_posting(employer, title=f"第{i}个岗位", **at(market, 1 + i * 0.1), **dates(0)).title
        for i in range(count)
    }
    first = board(client, market)
    assert 'content="60; url=?page=2"' in first.content.decode()
    second = board(client, market, page=2)
    assert 'content="60; url=?page=1"' in second.content.decode()
    seen = {i.posting.title for r in (first, second) for i in r.context["items"]}
    assert seen == titles
    assert board(client, market, page="x").status_code == 200


# --- the demo city ----------------------------------------------------------------------------------------


@pytest.fixture
def seeded(settings):
    from tests.markets.conftest import ensure_market_standard

    ensure_market_standard()
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())


def demo_counts() -> dict:
    models = (EmployerProfile, Posting, Application, JobFair, FairBooth, FairRegistration)
    return {m.__name__: m.objects.count() for m in models}


@pytest.mark.django_db
def test_seed_demo_posts_in_every_county_with_applications_in_every_state(seeded, client):
    published = Posting.objects.filter(status=PostingStatus.PUBLISHED)
    assert published.count() >= 60
    assert set(published.values_list("scope_unit__code", flat=True)) == COUNTIES
    assert set(Application.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert Application.objects.filter(source=ApplicationSource.REFERRAL, acted_by__isnull=False).exists()
    assert Application.objects.filter(source=ApplicationSource.COUNTER).exists()
    # wages are the services' daily equivalents, above every county's minimum
    assert not published.filter(daily_wage__lt=160).exists()
    assert published.filter(wage_unit="piece", estimated_daily_wage__isnull=False).exists()
    assert (
        EmployerProfile.objects.filter(trusted=True).exists()
        and EmployerProfile.objects.filter(kind="organization").exists()
    )
    fair = JobFair.objects.filter(booths__isnull=False, registrations__isnull=False).distinct().first()
    assert fair is not None and fair.starts_at > timezone.now()
    assert JobFair.objects.filter(hires__gt=0).exists()
    # the board of a seeded market has something to show
    from markets.models import Market

    market = Market.objects.get(name="潍城区零工市场")
    assert board(client, market).context["items"]


@pytest.mark.django_db
def test_seed_demo_twice_changes_nothing_in_jobs(seeded):
    before = demo_counts()
    statuses = dict(Posting.objects.values_list("pk", "status"))
    call_command("seed_demo", stdout=io.StringIO())
    assert demo_counts() == before
    assert dict(Posting.objects.values_list("pk", "status")) == statuses
