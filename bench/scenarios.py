"""The benchmark's scenarios (issue 6's table), built from the data that ``bench_data`` generated.

Each scenario is a list of request variants (method, path with its query string, JSON body for writes, and
the user whose session it carries, or None for anonymous) that the load generator cycles through, and the
number of queries per request that the issue allows. Shared by ``bench.run`` and the CI smoke test, so both
hit the same URLs.

``mixed`` is the issue's mixed workload, interleaved from the other scenarios' variants with the weights of
``MIX``: 60 % search, 10 % keyword, 15 % detail, 5 % map (the GeoJSON), 5 % wage pages and 5 % writes. The
writes are employers drafting a posting through the public API (POST /api/v1/postings/, session + CSRF):
repeatable under load (each one is a new draft; a retried request only adds another draft) and invisible to
the public searches. Their titles start with ``WRITE_TITLE_PREFIX``, so bench drafts can be told apart."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count
from django.utils import timezone

KEYWORDS = {
    2: ["日结", "保洁", "工地", "管吃"],
    3: ["搬运工", "包午饭", "物流园"],
    4: ["蔬菜大棚", "当天结算", "学校食堂"],
}


MIX = {"search": 60, "keyword": 10, "detail": 15, "geojson": 5, "wage": 5, "write": 5}  # of 100 slots
WRITE_TITLE_PREFIX = "基准测试"


@dataclass
class Request:
    path: str
    user_id: int | None = None
    method: str = "GET"
    body: dict | None = None  # JSON body of a write
    headers: dict | None = None  # e.g. a county system's Authorization header


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
    from jobs.models import Posting
    from labour_stats.choices import GuidanceStatus
    from labour_stats.models import WageGuidance
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
    geojson = [Request("/api/v1/markets/geojson/")]
    wage = [Request(wage_path)]
    write = _write_requests([pk for pk, _ in picks], today, count=10)
    mixed = interleave(
        {
            "search": search,
            "keyword": keyword,
            "detail": detail,
            "geojson": geojson,
            "wage": wage,
            "write": write,
        },
        seed=seed,
    )
    courses = _course_requests(rng, markets, today, variants)
    queue = _queue_requests(variants)
    review = _review_requests(variants)
    report = _report_requests(seed, today)
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
        Scenario("geojson", "public market GeoJSON (cached)", geojson, 0),
        Scenario("wage", "wage guidance (published month, API list)", wage, None, rate=20.0),
        Scenario(
            "courses",
            "course search (/training/): occupation, near a market 20 km, subsidised, from today; 20 per page",
            courses,
            max_queries=3,
            min_queries=1,
        ),
        *(
            [
                Scenario(
                    "queue",
                    "staff case queue (/api/v1/case-queue/): county staff, one deadline state, nearest first",
                    queue,
                    max_queries=3,
                    min_queries=1,
                )
            ]
            if queue
            else []
        ),
        *(
            [
                Scenario(
                    "review",
                    "county review queue (/api/v1/subsidy-applications/?queue=county): county reviewers, "
                    "oldest submitted first",
                    review,
                    max_queries=3,
                    min_queries=1,
                )
            ]
            if review
            else []
        ),
        *(
            [
                Scenario(
                    "report",
                    "county-month report (/api/v1/reports/values/?period=YYYYMM&org_unit=<county>): each "
                    "county's token, its last two closed months",
                    report,
                    max_queries=2,
                    min_queries=1,
                )
            ]
            if report
            else []
        ),
        Scenario(
            "mixed",
            "mixed workload: 60 % search, 10 % keyword, 15 % detail, 5 % map, 5 % wage, 5 % writes (drafts)",
            mixed,
            None,
            rate=100.0,
        ),
    ]


def _course_requests(rng: random.Random, markets, today: dt.date, variants: int) -> list[Request]:
    """Public course searches (the HTML page, anonymous): the catalogue's occupations with open classes,
    near a market (20 km) or city-wide, some subsidised only or by mode, some on page 2."""
    from training.models import TrainingClass
    from training.selectors import open_for_enrollment_q

    occupations = list(
        TrainingClass.objects.filter(open_for_enrollment_q(today))
        .values("item__occupation__code")
        .annotate(n=Count("pk"))
        .order_by("-n", "item__occupation__code")
        .values_list("item__occupation__code", flat=True)[:8]
    )
    out = []
    for i in range(variants):
        params: dict = {"starts_from": today.isoformat()}
        if occupations and i % 4 != 3:
            params["occupation"] = rng.choice(occupations)
        if i % 3 != 2:
            market = rng.choice(markets)
            params.update(near="on", lat=f"{market[1]:.5f}", lng=f"{market[2]:.5f}", radius_km="20")
        if i % 2:
            params["subsidised"] = "on"
        if i % 5 == 4:
            params["mode"] = "offline"
        if i % 7 == 6:
            params["page"] = "2"
        out.append(Request(f"/training/?{urlencode(params)}"))
    return out


def _queue_requests(variants: int) -> list[Request]:
    """The staff queue as county staff read it (issue 16): each county's first clerk of the bench
    (``bench.disputes_data``), one deadline state per request (overdue, due soon, on time in turn), nearest
    deadline first; every other on-time request on page 2 where the county has a second page of them. Empty
    when the data set has no disputes phase."""
    from accounts.models import User
    from bench.disputes_data import STAFF_PHONE
    from disputes.models import Case
    from disputes.selectors import deadline_q

    clerks = list(
        User.objects.filter(phone__startswith=STAFF_PHONE, phone__endswith="00")
        .order_by("phone")
        .values_list("pk", "scope_unit_id")
    )
    if not clerks:
        return []
    now = timezone.now()
    on_time = Counter(
        Case.objects.open()
        .filter(deadline_q("on_time", now))
        .values_list("scope_unit_id", flat=True)
        .order_by()
    )
    states = ("overdue", "due_soon", "on_time")
    out = []
    for i in range(variants):
        user_id, unit = clerks[i % len(clerks)]
        params = {"deadline": states[i % 3]}
        if params["deadline"] == "on_time" and i % 2 and on_time[unit] > 20:
            params["page"] = "2"
        out.append(Request(f"/api/v1/case-queue/?{urlencode(params)}", user_id=user_id))
    return out


def _review_requests(variants: int) -> list[Request]:
    """The subsidy county review queue as county reviewers read it (issue 17): each county's first reviewer
    of the bench (``bench.subsidy_applications_data``), the whole queue or one program's, oldest submitted
    first; every third request on page 2 where the county has one. Empty when the data set has no
    subsidy applications phase."""
    from accounts.models import User
    from bench.subsidy_applications_data import STAFF_PHONE
    from subsidies.choices import REVIEW_QUEUES
    from subsidies.models import Application

    reviewers = list(
        User.objects.filter(phone__startswith=STAFF_PHONE, phone__endswith="00")
        .exclude(scope_unit=None)
        .order_by("phone")
        .values_list("pk", "scope_unit_id")
    )
    if not reviewers:
        return []
    waiting = Counter()
    for unit, program in (
        Application.objects.filter(status__in=REVIEW_QUEUES["county"])
        .values_list("scope_unit_id", "program_type__code")
        .order_by()
    ):
        waiting[unit, program] += 1
        waiting[unit, ""] += 1
    programs = ("", "flexible_social_insurance", "gig_accident_insurance")
    out = []
    for i in range(variants):
        user_id, unit = reviewers[i % len(reviewers)]
        params = {"queue": "county"}
        if program := programs[i % len(programs)]:
            params["program"] = program
        if i % 3 == 2 and waiting[unit, program] > 20:
            params["page"] = "2"
        out.append(Request(f"/api/v1/subsidy-applications/?{urlencode(params)}", user_id=user_id))
    return out


def _report_requests(seed: int, today: dt.date) -> list[Request]:
    """The county-month report as county systems pull it (issue 18): every county's own token
    (``bench.reports.county_tokens``), its last two closed months, the whole month in long form (JSON). Empty
    when no facts were computed for those months (``bench.reports.time_reports`` computes them)."""
    from bench.reports import county_tokens, months_up_to
    from reports.models import Fact

    months = months_up_to(today, 3)[:2]
    if not Fact.objects.filter(period__in=months).exists():
        return []
    out = []
    for month in reversed(months):
        for code, raw in county_tokens(seed):
            out.append(
                Request(
                    f"/api/v1/reports/values/?{urlencode({'period': month, 'org_unit': code})}",
                    headers={"Authorization": f"Token {raw}"},
                )
            )
    return out


def _write_requests(posting_ids: list[int], today: dt.date, *, count: int) -> list[Request]:
    """Employers drafting a posting like one of their open ones (POST /api/v1/postings/ as the employer):
    ``count`` variants, one per distinct employer, in the order of ``posting_ids``."""
    from jobs.models import Posting

    rows = {
        row[0]: row
        for row in Posting.objects.filter(pk__in=posting_ids).values_list(
            "pk",
            "employer__user_id",
            "occupation__code",
            "occupation__name",
            "scope_unit__code",
            "lat",
            "lng",
            "address",
            "contact_name",
            "contact_phone",
        )
    }
    start = today + dt.timedelta(days=2)
    out, employers = [], set()
    for pk in posting_ids:
        _pk, user_id, occ_code, occ_name, county, lat, lng, address, contact, phone = rows[pk]
        if user_id in employers:
            continue
        employers.add(user_id)
        body = {
            "occupation": occ_code,
            "title": f"{WRITE_TITLE_PREFIX} {occ_name}{len(out) + 1}号岗",
            "description": f"{WRITE_TITLE_PREFIX}写入的草稿：{occ_name}，负载测试生成，不发布。",
            "county": county,
            "address": address,
            "lat": round(float(lat), 6),
            "lng": round(float(lng), 6),
            "work_start_date": start.isoformat(),
            "work_end_date": start.isoformat(),
            "headcount": 2,
            "wage_amount": "300",
            "wage_unit": "day",
            "settlement": "daily",
            "contact_name": contact,
            "contact_phone": phone,
        }
        out.append(Request("/api/v1/postings/", user_id=user_id, method="POST", body=body))
        if len(out) >= count:
            break
    return out


def interleave(
    parts: dict[str, list[Request]], *, seed: int, weights: dict[str, int] | None = None
) -> list[Request]:
    """The mixed workload: rounds of 100 slots, each round's slots given to the parts by their weight and
    shuffled (seeded, so every run sends the same sequence); each part cycles through its own variants.
    As many rounds as the part with the most variants per slot needs to send each of its variants once."""
    weights = weights or MIX
    rng = random.Random(f"{seed}:mixed")
    total = sum(weights.values())
    rounds = max(-(-len(parts[name]) // weights[name]) for name in weights if parts[name])
    slots = [name for name, n in weights.items() if parts[name] for _ in range(n)]
    if len(slots) != total:
        missing = sorted(name for name in weights if not parts[name])
        raise RuntimeError(f"mixed workload: no request variants for {missing}")
    cursor = dict.fromkeys(weights, 0)
    out = []
    for _ in range(rounds):
        rng.shuffle(slots)
        for name in slots:
            variants = parts[name]
            out.append(variants[cursor[name] % len(variants)])
            cursor[name] += 1
    return out


def kind_of(request: Request) -> str:
    """The kind of a request of the mixed workload (one of ``MIX``'s keys)."""
    if request.method != "GET":
        return "write"
    if request.path.startswith("/api/v1/markets/geojson/"):
        return "geojson"
    if request.path.startswith("/api/v1/wage-guidance/"):
        return "wage"
    if request.path.startswith("/api/v1/postings/?"):
        return "keyword" if "?q=" in request.path or "&q=" in request.path else "search"
    if request.path.startswith("/api/v1/postings/"):
        return "detail"
    return "other"


def mix_of(requests: list[Request]) -> dict[str, int]:
    """How many of ``requests`` are of each kind (the mix as sent)."""
    counts: dict[str, int] = {}
    for r in requests:
        kind = kind_of(r)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def with_page_size(path: str, size: int) -> str:
    return f"{path}&page_size={size}"
