"""The benchmark's scenarios (issue 6's table), built from the data that ``bench_data`` generated.

Each scenario is a list of request variants (path with its query string, and the user whose session it
carries, or None for anonymous) that the load generator cycles through, and the number of queries per
request that the issue allows. Shared by ``bench.run`` and the CI smoke test, so both hit the same URLs."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.utils import timezone

KEYWORDS = {
    2: ["日结", "保洁", "工地", "管吃"],
    3: ["搬运工", "包午饭", "物流园"],
    4: ["蔬菜大棚", "当天结算", "学校食堂"],
}


@dataclass
class Request:
    path: str
    user_id: int | None = None


@dataclass
class Scenario:
    name: str
    title: str
    requests: list[Request]
    max_queries: int | None  # the allowance per request (None: not pinned)
    min_queries: int = 0
    rate: float = 50.0  # the open-loop offered rate the issue names (req/s)
    notes: list[str] = field(default_factory=list)


def _search_params(rng: random.Random, market, occupation_code: str, today: dt.date, wage: int) -> dict:
    return {
        "occupation": occupation_code,
        "lat": f"{market[1]:.5f}",
        "lng": f"{market[2]:.5f}",
        "radius_km": "10",
        "date_from": today.isoformat(),
        "date_to": (today + dt.timedelta(days=7)).isoformat(),
        "wage_min": str(wage),
        "ordering": "distance",
    }


def build(*, seed: int = 2026, variants: int = 40) -> list[Scenario]:
    """The scenarios over the current database (call with Django set up)."""
    from jobs.choices import GuidanceStatus
    from jobs.models import Posting, WageGuidance
    from markets.models import Market

    rng = random.Random(f"{seed}:scenarios")
    today = timezone.localdate()
    markets = list(Market.objects.public().order_by("pk").values_list("pk", "lat", "lng"))
    open_postings = Posting.objects.open()
    # The occupations with the most open postings: what people search for.
    occupations = list(
        open_postings.values("occupation__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "occupation__code")
        .values_list("occupation__code", flat=True)[:8]
    )
    if not markets or not occupations:
        raise RuntimeError("No bench data: run `manage.py bench_data` first.")
    search, keyword = [], []
    for i in range(variants):
        params = _search_params(
            rng, rng.choice(markets), rng.choice(occupations), today, rng.choice((100, 150, 180))
        )
        search.append(Request(f"/api/v1/postings/?{urlencode(params)}"))
        words = KEYWORDS[(2, 3, 4)[i % 3]]
        kw = dict(params, q=words[rng.randrange(len(words))])
        kw.pop("occupation")
        keyword.append(Request(f"/api/v1/postings/?{urlencode(kw)}"))
    sample = list(open_postings.order_by("pk").values_list("pk", "employer__user_id")[:2000])
    picks = [sample[rng.randrange(len(sample))] for _ in range(variants)]
    detail = [Request(f"/api/v1/postings/{pk}/") for pk, _ in picks]
    recommend = [
        Request(f"/api/v1/recommendations/workers/?posting={pk}", user_id=uid) for pk, uid in picks[:10]
    ]
    month = (
        WageGuidance.objects.filter(status=GuidanceStatus.PUBLISHED)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    wage_path = "/api/v1/wage-guidance/" + (f"?month={month:%Y-%m}" if month else "")
    return [
        Scenario("bare", "bare Django JSON view (full middleware)", [Request("/bench/bare/")], None),
        Scenario(
            "search",
            "job search: occupation + 10 km + next 7 days + wage ≥ X, nearest first, 20 per page",
            search,
            max_queries=3,
            min_queries=1,
        ),
        Scenario(
            "keyword", "Chinese keyword search (2, 3, 4 characters) with the same filters", keyword, 3, 1
        ),
        Scenario("detail", "posting detail", detail, 4, rate=50.0),
        Scenario(
            "recommend",
            "recommended workers for a posting (top 20), as its employer",
            recommend,
            4,
            rate=20.0,
        ),
        Scenario("geojson", "public market GeoJSON (cached)", [Request("/api/v1/markets/geojson/")], 0),
        Scenario("wage", "wage guidance (published month, API list)", [Request(wage_path)], None, rate=20.0),
    ]


def with_page_size(path: str, size: int) -> str:
    return f"{path}&page_size={size}"
