"""Supply and demand on a hand-built month; the public statistics pages and API (published months only,
suppressed cells absent, CSV with BOM, XLSX); a worker's earnings and statement (own work only); the
work-and-pay dashboard panels (scoped)."""

from __future__ import annotations

import datetime as dt
import io
import re
import statistics
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from jobs.choices import ApplicationStatus, PostingStatus
from jobs.models import Application, ApplicationEvent, Posting, PostingEvent, SeekerSpell, WorkerProfile
from labour_stats.models import SupplyDemandStat
from labour_stats.services import guidance_compute, guidance_publish, supply_demand_compute
from tests.jobs.factories import draft_posting, make_employer, make_worker, occupation
from tests.work.factories import MONTH, settled_orders
from work.models import WorkOrder


def at(day: int, hour: int = 10, month: dt.date = MONTH) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(month.replace(day=day), dt.time(hour)))


def posting_published(
    unit, *, headcount: int, published_at: dt.datetime, occupation_code: str = "cleaner"
) -> Posting:
    posting = draft_posting(
        make_employer(unit=unit), occupation=occupation(occupation_code), scope_unit=unit, headcount=headcount
    )
    Posting.objects.filter(pk=posting.pk).update(status=PostingStatus.PUBLISHED, published_at=published_at)
    posting.refresh_from_db()
    return posting


def registered(
    unit,
    *,
    created_at: dt.datetime,
    available_days: str = "12345",
    active: bool = True,
    skill: str = "cleaner",
):
    user = make_worker(unit=unit, skills=((skill, "skilled", 2),))
    WorkerProfile.objects.filter(user=user).update(created_at=created_at, available_days=available_days)
    User.objects.filter(pk=user.pk).update(is_active=active)
    # as an import would load its history: seeking from registration, or never if unavailable or inactive
    spells = SeekerSpell.objects.filter(profile__user=user)
    if available_days and active:
        spells.update(started_at=created_at)
    else:
        spells.delete()
    return user


def hire(posting, worker, when):
    application = Application.objects.create(
        posting=posting, worker=worker, status=ApplicationStatus.ACCEPTED
    )
    ApplicationEvent.objects.create(
        application=application,
        from_status=ApplicationStatus.APPLIED,
        to_status=ApplicationStatus.ACCEPTED,
        at=when,
    )
    return application


def filled(posting, when):
    PostingEvent.objects.create(
        posting=posting, from_status=PostingStatus.PUBLISHED, to_status=PostingStatus.FILLED, at=when
    )


@pytest.fixture
def march(county_a, county_b):
    """County A, cleaners in March 2025: postings of 3 and 2 (filled after 2 and 4 days), two active
    seekers (one new in March), one without available days, one inactive, one registered in April;
    two hires in March and one in April. County B: a posting of 1, one seeker."""
    p1 = posting_published(county_a, headcount=3, published_at=at(5))
    p2 = posting_published(county_a, headcount=2, published_at=at(20))
    posting_published(county_a, headcount=4, published_at=at(1, month=dt.date(2025, 4, 1)))
    posting_published(county_b, headcount=1, published_at=at(10))
    w1 = registered(county_a, created_at=at(1, month=dt.date(2025, 1, 1)))
    w2 = registered(county_a, created_at=at(15))
    registered(county_a, created_at=at(2), available_days="")
    registered(county_a, created_at=at(3), active=False)
    registered(county_a, created_at=at(2, month=dt.date(2025, 4, 1)))
    registered(county_b, created_at=at(1, month=dt.date(2025, 2, 1)))
    hire(p1, w1, at(6))
    hire(p1, w2, at(7))
    hire(p2, w1, at(2, month=dt.date(2025, 4, 1)))
    filled(p1, at(7))  # 2 days after publishing
    filled(p2, at(24))  # 4 days
    return county_a, county_b


def test_supply_demand_figures_on_a_hand_built_month(march):
    county_a, county_b = march
    supply_demand_compute(month=MONTH)
    cleaner = occupation("cleaner")

    a = SupplyDemandStat.objects.get(month=MONTH, occupation=cleaner, scope_unit=county_a)
    assert (a.open_positions, a.postings, a.active_seekers) == (5, 2, 2)
    assert a.ratio == Decimal("2.50")
    assert a.new_registrations == 3  # registered in March: w2, the unavailable one, the inactive one
    assert a.hires == 2
    assert a.avg_days_to_fill == Decimal("3.0")

    b = SupplyDemandStat.objects.get(month=MONTH, occupation=cleaner, scope_unit=county_b)
    assert (b.open_positions, b.active_seekers, b.ratio, b.hires, b.avg_days_to_fill) == (
        1,
        1,
        Decimal("1.00"),
        0,
        None,
    )

    city = SupplyDemandStat.objects.get(month=MONTH, occupation=cleaner, scope_unit=None)
    assert (city.open_positions, city.postings, city.active_seekers, city.ratio) == (6, 3, 3, Decimal("2.00"))
    assert city.hires == 2 and city.avg_days_to_fill == Decimal("3.0")


def test_supply_demand_counts_the_seekers_valid_in_that_month_not_today(march):
    """Seekers from the seeking spells (ADR 0041): one who stopped seeking mid-March counts in March, one who
    stopped at the end of February does not; a seeker who becomes unavailable today leaves March as it was."""
    from jobs import services as jobs_services

    county_a, _ = march
    mid = registered(county_a, created_at=at(1, month=dt.date(2025, 1, 1)))
    SeekerSpell.objects.filter(profile__user=mid).update(ended_at=at(10))
    gone = registered(county_a, created_at=at(1, month=dt.date(2025, 1, 1)))
    SeekerSpell.objects.filter(profile__user=gone).update(
        ended_at=timezone.make_aware(dt.datetime(2025, 3, 1))  # the first instant of March: not in it
    )
    supply_demand_compute(month=MONTH)
    cleaner = occupation("cleaner")
    row = SupplyDemandStat.objects.get(month=MONTH, occupation=cleaner, scope_unit=county_a)
    assert row.active_seekers == 3  # w1, w2 and the one who stopped on 03-10
    assert row.ratio == Decimal("1.67")  # 5 ÷ 3

    w1 = WorkerProfile.objects.filter(user__scope_unit=county_a, created_at=at(1, month=dt.date(2025, 1, 1)))
    w1 = w1.exclude(user__in=[mid, gone]).get().user
    jobs_services.worker_seeking_set(user=w1, actor=w1, seeking=False)  # today
    assert SeekerSpell.objects.get(profile__user=w1).ended_at is not None
    supply_demand_compute(month=MONTH)
    row = SupplyDemandStat.objects.get(month=MONTH, occupation=cleaner, scope_unit=county_a)
    assert (row.active_seekers, row.ratio) == (3, Decimal("1.67"))


def test_supply_demand_ratio_is_empty_without_seekers_and_recompute_replaces_rows(county_a):
    posting_published(county_a, headcount=2, published_at=at(5), occupation_code="electrician")
    supply_demand_compute(month=MONTH)
    supply_demand_compute(month=MONTH)

    rows = SupplyDemandStat.objects.filter(month=MONTH, occupation=occupation("electrician"))
    assert rows.count() == 2  # county and city-wide, once each
    assert all(r.ratio is None and r.active_seekers == 0 and r.open_positions == 2 for r in rows)


# --- public pages and API -----------------------------------------------------------------------------------


@pytest.fixture
def published(county_a, county_b, city_staff):
    """March published: county A cleaners (30 from 5 employers) shown; county B (10 from 2) suppressed but
    counted city-wide. April computed as a draft only."""
    settled_orders([Decimal(200 + i) for i in range(30)], employers=5)
    settled_orders([Decimal("150")] * 10, employers=2, unit_code="370783")
    guidance_publish(guidance=guidance_compute(month=MONTH), actor=city_staff)
    settled_orders([Decimal("999")] * 30, employers=5, month=dt.date(2025, 4, 1))
    guidance_compute(month=dt.date(2025, 4, 1))
    return county_a, county_b


def test_wage_guidance_page_shows_published_cells_only(client, published):
    response = client.get(reverse("stats:wage_guidance"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert {(r[0], r[1], r[2]) for r in rows} == {
        ("2025-03", "潍城区", "保洁员"),
        ("2025-03", "全市", "保洁员"),
    }
    assert all(r[1] != "寿光市" for r in rows)  # suppressed
    assert "999.00" not in response.content.decode()  # the April draft
    # the city-wide median trend as a pygal SVG (no script), one month: a dot with its figure, no line
    html = response.content.decode()
    (svg,) = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    march_median = statistics.median([Decimal(200 + i) for i in range(30)] + [Decimal("150")] * 10)
    assert f"2025-03：{march_median:.2f}" in svg and "<script" not in svg
    assert 'class="line reactive nofill"' not in svg
    assert response.context["charts"][0]["points"] == [(MONTH, march_median)]
    assert f'<td class="num">{march_median:.2f}</td>' in html  # the chart's table
    assert response.context["month"] == MONTH


def test_wage_guidance_page_filters_by_county_and_occupation(client, published):
    url = reverse("stats:wage_guidance")
    assert [r[1] for r in client.get(url, {"county": "370702"}).context["rows"]] == ["潍城区"]
    assert client.get(url, {"county": "370783"}).context["rows"] == []
    assert [r[1] for r in client.get(url, {"county": "city"}).context["rows"]] == ["全市"]
    assert client.get(url, {"occupation": "electrician"}).context["rows"] == []
    assert len(client.get(url, {"occupation": "housekeeping"}).context["rows"]) == 2  # the category


def test_wage_guidance_csv_has_a_bom_and_xlsx_opens(client, published):
    csv_response = client.get(reverse("stats:wage_guidance"), {"format": "csv"})
    assert csv_response["Content-Type"].startswith("text/csv")
    assert csv_response.content.startswith(b"\xef\xbb\xbf")
    text = csv_response.content.decode("utf-8-sig")
    assert "中位数" in text and "潍城区" in text and "寿光市" not in text

    from openpyxl import load_workbook

    xlsx = client.get(reverse("stats:wage_guidance"), {"format": "xlsx", "county": "370702"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [[c for c in row] for row in sheet.iter_rows(values_only=True)]
    assert values[2][1] == "潍城区" and values[2][8] == 30


def test_wage_guidance_api_lists_published_cells_without_suppressed_ones(api, published):
    county_a, _county_b = published
    response = api.get("/api/v1/wage-guidance/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert {(r["month"], r["county_code"]) for r in results} == {
        ("2025-03-01", "370702"),
        ("2025-03-01", None),
    }
    row = next(r for r in results if r["county_code"] == "370702")
    assert row["median"] == row["p50"] == "214.50" and row["low"] == row["p10"]
    assert row["sample_size"] == 30 and row["employer_count"] == 5
    assert api.get("/api/v1/wage-guidance/", {"county": "370783"}).json()["results"] == []
    assert api.get("/api/v1/wage-guidance/", {"month": "2025-04"}).json()["results"] == []  # draft
    assert (
        len(
            api.get("/api/v1/wage-guidance/", {"month": "2025-03", "occupation": "cleaner"}).json()["results"]
        )
        == 2
    )
    assert api.post("/api/v1/wage-guidance/", {}).status_code in (401, 403, 405)  # read-only


def test_supply_demand_page_api_and_csv(client, api, march):
    supply_demand_compute(month=MONTH)

    page = client.get(reverse("stats:supply_demand"), {"county": "370702"})
    assert page.status_code == 200
    assert [r[3:6] for r in page.context["rows"]] == [[5, 2, Decimal("2.50")]]
    csv_response = client.get(reverse("stats:supply_demand"), {"format": "csv"})
    assert csv_response.content.startswith(b"\xef\xbb\xbf")

    data = api.get("/api/v1/supply-demand/", {"county": "city", "month": "2025-03"}).json()["results"]
    assert [(r["occupation_code"], r["open_positions"], r["active_seekers"], r["ratio"]) for r in data] == [
        ("cleaner", 6, 3, "2.00")
    ]


def test_stats_pages_are_empty_but_fine_before_anything_is_published(client, db):
    assert client.get(reverse("stats:wage_guidance")).status_code == 200
    assert client.get(reverse("stats:supply_demand")).status_code == 200
    assert client.get(reverse("stats:wage_guidance"), {"format": "csv"}).content.startswith(b"\xef\xbb\xbf")


# --- demo ---------------------------------------------------------------------------------------------------


def test_demo_has_published_guidance_charts_and_supply_demand(db, settings, client, client_as):
    import io as _io

    from django.core.management import call_command

    from labour_stats.models import WageGuidance, WageGuidanceCell
    from work import demo as demo_work

    settings.DEBUG = True
    call_command("seed_demo", stdout=_io.StringIO())
    published = WageGuidance.objects.filter(status="published").count()
    assert published == demo_work.MONTHS - 1
    assert WageGuidance.objects.filter(status="draft").count() == 1
    latest = WageGuidance.objects.filter(status="published").order_by("-month").first()
    cells = WageGuidanceCell.objects.filter(guidance=latest)
    assert cells.filter(scope_unit__code="370702").count() == len(demo_work.OCCUPATIONS)
    assert not cells.filter(scope_unit__code="370781").exists()  # three employers: suppressed
    assert cells.filter(scope_unit__isnull=True).count() == len(demo_work.OCCUPATIONS)
    assert SupplyDemandStat.objects.filter(month=latest.month, scope_unit__isnull=True).exists()

    page = client.get(reverse("stats:wage_guidance"))
    assert len(page.context["rows"]) == 3 * len(demo_work.OCCUPATIONS)
    assert page.content.count(b'class="line reactive nofill"') == len(demo_work.OCCUPATIONS)  # one line each
    for chart in page.context["charts"]:  # every point's figure in the drawing
        assert all(f"{m:%Y-%m}：{v:,.2f}" in chart["svg"] for m, v in chart["points"])
    assert client.get(reverse("stats:supply_demand")).context["rows"]

    worker = User.objects.get(phone=demo_work.DEMO_WORKER)
    assert client_as(worker).get(reverse("work:earnings")).context["count"] > 0

    counts = (WorkOrder.objects.count(), WageGuidanceCell.objects.count(), SupplyDemandStat.objects.count())
    call_command("seed_demo", stdout=_io.StringIO())
    assert (
        WorkOrder.objects.count(),
        WageGuidanceCell.objects.count(),
        SupplyDemandStat.objects.count(),
    ) == counts
