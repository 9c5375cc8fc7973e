"""Matching both ways: recommended workers for a posting, recommended postings for a worker.

Hard rules (a candidate that fails one is never recommended)
-------------------------------------------------------------
- occupation: the worker has a skill in the posting's occupation or in a related one (same category, or the
  category itself);
- eligibility, as ``jobs.selectors.eligibility_problem`` decides it (computed in bulk here): a licensed
  occupation (特种作业) needs a certificate for it valid on the first work date; minors never do licensed or
  minors-forbidden work;
- place: within the worker's ``max_distance_km`` of the site (from their home, or from ``origin`` when a
  worker looks for postings near where they are), or the site is in one of their preferred counties;
- time: free on the weekday of at least one remaining work date, and their time window overlaps the
  posting's hours (windows may run past midnight);
- wage: their expected daily wage is at most ``WAGE_TOLERANCE`` (×1.2) of the posting's daily wage;
- no pair twice: a worker who has applied to the posting in any state (applied, accepted, rejected,
  withdrawn) is not recommended for it again; an employer is never recommended their own posting;
- the worker's account is active.

Score in [0, 1]: a weighted sum of components that are each in [0, 1]
-----------------------------------------------------------------------
======================  ======  ==============================================================================
component               weight  value
======================  ======  ==============================================================================
skill                   0.30    base × (0.6 + 0.25 × level + 0.15 × min(years, 10) / 10); base 1 for the exact
                                occupation, 0.5 for a related one; level: beginner 0, skilled 0.6, expert 1
distance                0.25    1 − distance / max distance (0 at the worker's limit or beyond, when only a
                                preferred county lets them in); 0.5 when the worker has no coordinates
availability            0.15    share of the remaining work dates on which they are free × share of the
                                posting's hours inside their time window
wage                    0.15    offered / expected = r: 0.7 at r = 1 rising to 1 at r ≥ 1.25; below 1 falling
                                linearly to 0 at the tolerance (r = 1/1.2); 0.7 when they state no expectation
                                (they take the posted wage); per-piece or per-job expectations compare only
                                with a posting in the same unit, else 0.7
reliability             0.10    completed / (completed + no-shows) over the last 50 work orders
rating                  0.05    (average stars − 1) / 4
======================  ======  ==============================================================================

Reliability and rating come from work orders and ratings: matching reads them from the worker's stored
record (``WorkerProfile.reliability`` / ``.rating``), which the ``work`` app keeps
(``work.services.records.refresh_worker_records``): the work-order and rating services call it whenever an
outcome or an employer's rating changes, and a nightly task recomputes the workers touched in the last two
days; None for a worker with no record. A None component carries neutral
weight: it is left out and the other weights are rescaled to sum to 1, so a newcomer is neither favoured nor
penalised.

Ties break on distance, then id. Every recommendation carries its reasons in Chinese (translatable), e.g.
``["电工（熟练，5年）", "持低压电工作业操作证", "距离2.3公里", "周六有空", "日薪¥260 ≥ 期望¥240"]``.

Queries are bounded whatever the number of candidates (issue 6: recommended workers in two queries): the
hard rules run in SQL (a bounding-box prefilter from ``core.geo.bounding_box``, ``Exists`` subqueries for
applications, certificates and preferred counties); the candidates come back as plain values with their
skills and valid certificates folded in as JSON arrays; on PostgreSQL they are the ``MAX_CANDIDATES``
nearest qualifying workers among the ``NEAREST_SCAN`` homes nearest the site (a GiST index over home points,
bounded by one probe query), plus up to ``PREFERRING_CANDIDATES`` who prefer the posting's county; on SQLite
the exact occupation first, then the nearest. The exact haversine distance and the score are computed in
Python without any text, and only the ``limit`` best are given their reasons. Occupations come from the
process's copy of the tree (``jobs.occupations``).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from core.geo import bounding_box, distance_km_expression, haversine_km

from .choices import WEEKDAYS, CertificateStatus, SkillLevel, WageUnit
from .models import Application, Certificate, Occupation, Posting, WorkerProfile, WorkerSkill

WEIGHTS: dict[str, float] = {
    "skill": 0.30,
    "distance": 0.25,
    "availability": 0.15,
    "wage": 0.15,
    "reliability": 0.10,
    "rating": 0.05,
}
MAX_CANDIDATES = 500
PREFERRING_CANDIDATES = 200  # PostgreSQL: workers who prefer the posting's county, near or not
NEAREST_SCAN = 5000  # PostgreSQL: candidates are looked for among this many workers nearest the site
BOUND_CACHE_SECONDS = 600
MAX_DISTANCE_KM = 200  # the validator's ceiling on WorkerProfile.max_distance_km
WAGE_TOLERANCE = Decimal("1.2")
RELATED_SKILL_BASE = 0.5
LEVEL_VALUE = {SkillLevel.BEGINNER: 0.0, SkillLevel.SKILLED: 0.6, SkillLevel.EXPERT: 1.0}
UNKNOWN_DISTANCE = 0.5
WAGE_MET = 0.7
BBOX_SLACK = 1.01  # the box is only a prefilter; the exact test is haversine in Python


@dataclass
class Recommendation:
    """One recommended worker (``obj`` is a WorkerProfile) or posting (``obj`` is a Posting)."""

    obj: object
    score: float
    reasons: list[str] = field(default_factory=list)
    distance_km: float | None = None


# --- small pure helpers -----------------------------------------------------------------------------------


def _money(value: Decimal) -> str:
    """260.00 → "260", 240.50 → "240.5", 0.0150 → "0.015"."""
    return format(value.normalize(), "f")


def _related_q(occupation: Occupation, prefix: str = "") -> Q:
    """Occupations related to ``occupation``: itself, its siblings, its category, or (for a category) its
    children."""
    q = Q(**{f"{prefix}pk": occupation.pk}) | Q(**{f"{prefix}parent_id": occupation.pk})
    if occupation.parent_id:
        q |= Q(**{f"{prefix}parent_id": occupation.parent_id}) | Q(**{f"{prefix}pk": occupation.parent_id})
    return q


def _related(a: Occupation, b: Occupation) -> bool:
    return (
        a.pk == b.pk
        or (a.parent_id is not None and a.parent_id == b.parent_id)
        or a.parent_id == b.pk
        or b.parent_id == a.pk
    )


def _adult_cutoff(today: dt.date) -> dt.date:
    """Born on or before this date: 18 or older today (a 29 February birthday counts from 1 March)."""
    try:
        return today.replace(year=today.year - 18)
    except ValueError:  # today is 29 February
        return today.replace(year=today.year - 18, day=28)


def _remaining_dates(posting: Posting, today: dt.date) -> list[dt.date]:
    dates = [d for d in posting.work_dates if d >= today]
    return dates or posting.work_dates


def _span(start: dt.time, end: dt.time) -> tuple[int, int]:
    """A time window in minutes from midnight; one that ends at or before its start runs past midnight."""
    a, b = start.hour * 60 + start.minute, end.hour * 60 + end.minute
    return (a, b + 1440) if b <= a else (a, b)


def _time_share(profile: WorkerProfile, posting: Posting) -> float:
    """The share of the posting's hours that falls inside the worker's window."""
    w, p = _span(profile.available_from, profile.available_to), _span(posting.start_time, posting.end_time)
    overlap = sum(max(0, min(w[1] + s, p[1]) - max(w[0] + s, p[0])) for s in (-1440, 0, 1440))
    return min(1.0, overlap / (p[1] - p[0]))


def _weekday_name(day: int) -> str:
    return str(WEEKDAYS[day - 1][1])


def _best_skill(
    skills: Iterable[WorkerSkill], occupation: Occupation
) -> tuple[float, WorkerSkill | None, bool]:
    """(fit, skill, exact) for the worker's best skill for ``occupation``."""
    best: tuple[float, WorkerSkill | None, bool] = (0.0, None, False)
    for skill in skills:
        if not _related(skill.occupation, occupation):
            continue
        exact = skill.occupation_id == occupation.pk
        base = 1.0 if exact else RELATED_SKILL_BASE
        fit = base * (0.6 + 0.25 * LEVEL_VALUE.get(skill.level, 0.6) + 0.15 * min(skill.years, 10) / 10)
        if fit > best[0]:
            best = (fit, skill, exact)
    return best


def _skill_reason(skill: WorkerSkill, exact: bool) -> str:
    if skill.years:
        text = _("%(occ)s（%(level)s，%(years)s年）") % {
            "occ": skill.occupation.name,
            "level": skill.get_level_display(),
            "years": skill.years,
        }
    else:
        text = _("%(occ)s（%(level)s）") % {"occ": skill.occupation.name, "level": skill.get_level_display()}
    return text if exact else _("相近工种：%(skill)s") % {"skill": text}


def _wage_fit(profile, posting: Posting, explain: bool = True) -> tuple[bool, float, str]:
    """(within tolerance, score, reason); the reason only when ``explain``."""
    offered_daily = posting.daily_wage
    if explain:
        daily_label = _("日薪") if posting.wage_unit in (WageUnit.DAY, WageUnit.HOUR) else _("预计日收入")
        offered_text = "%s¥%s" % (daily_label, _money(offered_daily))
    else:
        offered_text = ""
    if profile.expected_wage is None:
        return True, WAGE_MET, offered_text
    if profile.expected_unit in (WageUnit.DAY, WageUnit.HOUR):
        offered, expected = offered_daily, profile.expected_daily
        if explain:
            shown_offered, shown_expected = offered_text, "¥%s" % _money(expected)
    elif profile.expected_unit == posting.wage_unit:
        offered, expected = posting.wage_amount, profile.expected_wage
        if explain:
            unit = WageUnit(posting.wage_unit).label
            shown_offered = "%s%s" % (_money(offered), unit)
            shown_expected = "%s%s" % (_money(expected), unit)
    else:  # a per-piece expectation against a daily posting: nothing to compare
        return True, WAGE_MET, offered_text
    if expected <= 0:
        return True, 1.0, offered_text
    if expected > offered * WAGE_TOLERANCE:
        return False, 0.0, ""
    ratio = float(offered / expected)
    reason = ""
    if ratio >= 1:
        score = WAGE_MET + (1 - WAGE_MET) * min((ratio - 1) / 0.25, 1.0)
        if explain:
            reason = _("%(offered)s ≥ 期望%(expected)s") % {
                "offered": shown_offered,
                "expected": shown_expected,
            }
    else:
        floor = 1 / float(WAGE_TOLERANCE)
        score = max(0.0, WAGE_MET * (ratio - floor) / (1 - floor))
        if explain:
            reason = _("%(offered)s，略低于期望%(expected)s") % {
                "offered": shown_offered,
                "expected": shown_expected,
            }
    return True, score, reason


def _availability(
    profile, posting: Posting, dates: list[dt.date], explain: bool = True
) -> tuple[float, list[str]] | None:
    free = [d for d in dates if str(d.isoweekday()) in profile.available_days]
    if not free:
        return None
    time_share = _time_share(profile, posting)
    if time_share <= 0:
        return None
    reasons: list[str] = []
    if explain:
        weekdays = list(dict.fromkeys(d.isoweekday() for d in free))
        if len(free) == len(dates) and len(weekdays) <= 3:
            reasons.append(_("%(days)s有空") % {"days": _("、").join(_weekday_name(w) for w in weekdays)})
        elif len(free) == len(dates):
            reasons.append(_("%(n)s个工作日都有空") % {"n": len(dates)})
        else:
            reasons.append(_("%(n)s个工作日中%(m)s天有空") % {"n": len(dates), "m": len(free)})
        if time_share < 1:
            reasons.append(
                _("可工作时间%(from)s–%(to)s，与上班时间部分重合")
                % {
                    "from": profile.available_from.strftime("%H:%M"),
                    "to": profile.available_to.strftime("%H:%M"),
                }
            )
    return len(free) / len(dates) * time_share, reasons


def _combine(parts: dict[str, float | None]) -> float:
    """The weighted sum; None components are left out and the other weights rescaled."""
    known = {k: v for k, v in parts.items() if v is not None}
    total = sum(WEIGHTS[k] for k in known)
    if total <= 0:
        return 0.0
    score = sum(WEIGHTS[k] * max(0.0, min(1.0, v)) for k, v in known.items()) / total
    return round(max(0.0, min(1.0, score)), 4)


def _valid_certificate(certificates: Iterable, occupation: Occupation, on: dt.date):
    valid = [c for c in certificates if c.occupation_id == occupation.pk and c.valid_on(on)]
    # the one that stays valid longest (no expiry first)
    valid.sort(key=lambda c: (c.expires_on is not None, -(c.expires_on.toordinal() if c.expires_on else 0)))
    return valid[0] if valid else None


def _assess(
    *,
    profile,
    skills: Iterable,
    certificates: Iterable,
    posting: Posting,
    distance_km: float | None,
    in_preferred_unit: bool,
    reliability: float | None,
    rating: float | None,
    today: dt.date,
    is_minor: bool,
    explain: bool = True,
) -> tuple[float, list[str]] | None:
    """Score one worker–posting pair, or None when a hard rule fails; the reasons only when ``explain`` (the
    texts cost more than the score: they are built for the few that are shown)."""
    occupation = posting.occupation
    # eligibility: the same rules as selectors.eligibility_problem, from prefetched rows
    if occupation.closed_to_minors and is_minor:
        return None
    certificate = None
    if occupation.licensed:
        certificate = _valid_certificate(certificates, occupation, posting.work_start_date)
        if certificate is None:
            return None
    skill_fit, skill, exact = _best_skill(skills, occupation)
    if skill is None:
        return None
    within = distance_km is not None and distance_km <= profile.max_distance_km
    if not within and not in_preferred_unit:
        return None
    available = _availability(profile, posting, _remaining_dates(posting, today), explain)
    if available is None:
        return None
    wage_ok, wage_score, wage_reason = _wage_fit(profile, posting, explain)
    if not wage_ok:
        return None

    if distance_km is None:
        distance_score = UNKNOWN_DISTANCE
    else:
        limit = max(profile.max_distance_km, 1)
        distance_score = max(0.0, 1 - distance_km / limit)
    score = _combine(
        {
            "skill": skill_fit,
            "distance": distance_score,
            "availability": available[0],
            "wage": wage_score,
            "reliability": reliability,
            "rating": None if rating is None else (rating - 1) / 4,
        }
    )
    if not explain:
        return score, []
    reasons = [_skill_reason(skill, exact)]
    if certificate is not None:
        reasons.append(_("持%(name)s") % {"name": certificate.name})
    if distance_km is not None:
        reasons.append(_("距离%(km)s公里") % {"km": f"{distance_km:.1f}"})
    if not within:
        reasons.append(_("希望在%(unit)s工作") % {"unit": posting.scope_unit.name})
    reasons.extend(available[1])
    reasons.append(wage_reason)
    if reliability is not None:
        reasons.append(_("完工率%(p)s%%") % {"p": round(reliability * 100)})
    if rating is not None:
        reasons.append(_("评分%(r)s") % {"r": f"{rating:.1f}"})
    return score, [r for r in reasons if r]


def _rank_key(r: Recommendation):
    return (-r.score, math.inf if r.distance_km is None else r.distance_km, r.obj.pk)


def _ranked(found: list[Recommendation], limit: int) -> list[Recommendation]:
    found.sort(key=_rank_key)
    return found[:limit]


# --- workers for a posting --------------------------------------------------------------------------------


class HomeNearest(Func):
    """``point(home_lng, home_lat) <-> point(site)``: the distance in degrees that PostgreSQL's GiST index
    ``workerprofile_home_gist`` (jobs migration 0014) orders by nearest first. Only an ordering: the rules and
    the score use kilometres."""

    output_field = FloatField()

    def __init__(self, lat: float, lng: float):
        super().__init__(F("home_lng"), F("home_lat"))
        self.site = (float(lng), float(lat))

    def as_sql(self, compiler, connection, **extra_context):
        lng_sql, lng_params = compiler.compile(self.source_expressions[0])
        lat_sql, lat_params = compiler.compile(self.source_expressions[1])
        return f"(point({lng_sql}, {lat_sql}) <-> point(%s, %s))", (*lng_params, *lat_params, *self.site)


def _nearest_bound(posting: Posting) -> float | None:
    """The distance (in degrees, as HomeNearest orders) of the NEAREST_SCAN-th nearest home to the site, or
    None when there are fewer workers. Kept per posting and site for BOUND_CACHE_SECONDS: homes move slowly,
    an employer looks at a posting's recommendations again and again, and the bound only limits the scan."""
    from django.core.cache import cache

    key = f"jobs:nearest-bound:{NEAREST_SCAN}:{posting.pk}:{posting.lat:.6f}:{posting.lng:.6f}"
    hit = cache.get(key)
    if hit is not None:
        return hit[0]
    farthest = (
        WorkerProfile.objects.filter(home_lat__isnull=False, home_lng__isnull=False)
        .annotate(knn=HomeNearest(posting.lat, posting.lng))
        .order_by("knn")
        .values_list("knn", flat=True)[NEAREST_SCAN - 1 : NEAREST_SCAN]
    )
    bound = next(iter(farthest), None)
    cache.set(key, [bound], BOUND_CACHE_SECONDS)
    return bound


class HomeInSquare(Func):
    """``point(home_lng, home_lat) <@ box(site ± half_side degrees)``: an index condition of the GiST index
    over home points (workerprofile_home_gist) that bounds the candidate search."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, lat: float, lng: float, half_side: float):
        super().__init__(F("home_lng"), F("home_lat"))
        self.site = (float(lat), float(lng), float(half_side))

    def as_sql(self, compiler, connection, **extra_context):
        lng_sql, lng_params = compiler.compile(self.source_expressions[0])
        lat_sql, lat_params = compiler.compile(self.source_expressions[1])
        lat, lng, half = self.site
        sql = f"(point({lng_sql}, {lat_sql}) <@ box(point(%s, %s), point(%s, %s)))"
        return sql, (*lng_params, *lat_params, lng - half, lat - half, lng + half, lat + half)


@dataclass
class _Candidate:
    """A candidate worker as plain values (no model instances for the thousands that are only scored)."""

    pk: int
    user_id: int
    home_lat: float | None
    home_lng: float | None
    max_distance_km: int
    available_days: str
    available_from: dt.time
    available_to: dt.time
    expected_wage: Decimal | None
    expected_unit: str
    birth_date: dt.date | None
    in_unit: bool
    reliability: float | None
    rating: float | None
    skills: list[WorkerSkill]
    certificates: list[Certificate]
    shown: tuple = ()  # real name, phone, scope unit (id, code, name): for the few that are shown

    expected_daily = WorkerProfile.expected_daily

    def as_profile(self) -> WorkerProfile:
        """The WorkerProfile (with its user, county and skills) that the API shows, from the values."""
        from accounts.models import User
        from core.models import ScopeUnit

        real_name, phone, unit_id, unit_code, unit_name = self.shown
        user = User(id=self.user_id, real_name=real_name, phone=phone, birth_date=self.birth_date)
        user.scope_unit = ScopeUnit(id=unit_id, code=unit_code, name=unit_name) if unit_id else None
        profile = WorkerProfile(
            id=self.pk,
            user_id=self.user_id,
            home_lat=self.home_lat,
            home_lng=self.home_lng,
            max_distance_km=self.max_distance_km,
            available_days=self.available_days,
            available_from=self.available_from,
            available_to=self.available_to,
            expected_wage=self.expected_wage,
            expected_unit=self.expected_unit,
            reliability=self.reliability,
            rating=self.rating,
        )
        profile.user = user
        for obj in (user, profile):  # as if loaded: rows that exist, read from the default database
            obj._state.adding, obj._state.db = False, "default"
        skills = [k.as_model(self.pk) for k in self.skills]
        profile._prefetched_objects_cache = {"skills": skills}
        return profile


def _date(value) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


@dataclass
class _Skill:
    """A skill as plain values for scoring; ``as_model`` gives the WorkerSkill for the few that are shown."""

    pk: int
    occupation_id: int
    occupation: Occupation
    level: str
    years: int

    def as_model(self, profile_id: int) -> WorkerSkill:
        skill = WorkerSkill(
            id=self.pk,
            profile_id=profile_id,
            occupation_id=self.occupation_id,
            level=self.level,
            years=self.years,
        )
        skill.occupation = self.occupation
        return skill


def _skills_from_json(rows, occupations) -> list[_Skill]:
    skills = [
        _Skill(row["i"], row["o"], occupations[row["o"]], row["l"], row["y"])
        for row in rows or ()
        if row["o"] in occupations
    ]
    skills.sort(key=lambda k: k.pk)
    return skills


def _related_ids(occupation: Occupation, occupations) -> list[int]:
    """Ids of the occupations related to ``occupation`` (see ``_related_q``), from the tree."""
    return sorted(o.pk for o in occupations.by_id.values() if _related(o, occupation))


def _certificates_from_json(rows, profile_id: int) -> list[Certificate]:
    return [
        Certificate(
            id=row["i"],
            profile_id=profile_id,
            occupation_id=row["o"],
            name=row["n"],
            expires_on=_date(row["e"]),
            status=CertificateStatus.VERIFIED,  # only verified ones are folded in
        )
        for row in rows or ()
    ]


def recommend_workers(*, posting: Posting, limit: int = 20) -> list[Recommendation]:
    """The best workers for a posting, best first, each with its score and reasons. On PostgreSQL two queries
    (the nearest-homes probe, then the candidates as values), on SQLite one; the ``limit`` best become
    WorkerProfile objects (with their user, county and skills, so ``profile.skills.all()`` needs no query)
    built from the same values."""
    from django.db.models import JSONField, Subquery
    from django.db.models.functions import JSONObject

    from core.db import JSONGroupArray

    from .occupations import tree

    if limit <= 0:
        return []
    today = timezone.localdate()
    occupation = posting.occupation
    dates = _remaining_dates(posting, today)

    occupations = tree()
    related_ids = _related_ids(occupation, occupations)
    related_skill = WorkerSkill.objects.filter(profile=OuterRef("pk"), occupation_id__in=related_ids)
    in_unit = WorkerProfile.preferred_units.through.objects.filter(
        workerprofile_id=OuterRef("pk"), scopeunit_id=posting.scope_unit_id
    )
    applied = Application.objects.filter(posting_id=posting.pk, worker_id=OuterRef("user_id"))
    skills_json = Subquery(
        WorkerSkill.objects.filter(profile_id=OuterRef("pk"))
        .order_by()
        .values("profile_id")
        .annotate(rows=JSONGroupArray(JSONObject(i="id", o="occupation_id", l="level", y="years")))
        .values("rows"),
        output_field=JSONField(),
    )

    qs = (
        WorkerProfile.objects.filter(seeking=True, user__is_active=True, user__anonymized_at__isnull=True)
        .exclude(user__employer_profile__id=posting.employer_id)
        .annotate(
            in_unit=Exists(in_unit),
            exact=Exists(WorkerSkill.objects.filter(profile=OuterRef("pk"), occupation_id=occupation.pk)),
            approx_km=distance_km_expression(posting.lat, posting.lng, "home_lat", "home_lng"),
            skills_json=skills_json,
        )
        .filter(Exists(related_skill))
        .filter(~Exists(applied))
    )

    # place: in a preferred county, or home within the worker's own reach of the site (a box per row)
    min_lat, max_lat, min_lng, max_lng = bounding_box(posting.lat, posting.lng, MAX_DISTANCE_KM * BBOX_SLACK)
    south_1km, _north, west_1km, _east = bounding_box(posting.lat, posting.lng, BBOX_SLACK)
    per_km_lat, per_km_lng = posting.lat - south_1km, posting.lng - west_1km
    reach_lat = ExpressionWrapper(F("max_distance_km") * Value(per_km_lat), output_field=FloatField())
    reach_lng = ExpressionWrapper(F("max_distance_km") * Value(per_km_lng), output_field=FloatField())
    near = Q(
        home_lat__gte=min_lat,
        home_lat__lte=max_lat,
        home_lng__gte=min_lng,
        home_lng__lte=max_lng,
    ) & Q(
        home_lat__gte=Value(posting.lat) - reach_lat,
        home_lat__lte=Value(posting.lat) + reach_lat,
        home_lng__gte=Value(posting.lng) - reach_lng,
        home_lng__lte=Value(posting.lng) + reach_lng,
    )
    qs = qs.filter(Q(in_unit=True) | near)

    # time: free on at least one remaining work date (the hours are checked in Python: windows may wrap)
    days_q = Q()
    for day in sorted({d.isoweekday() for d in dates}):
        days_q |= Q(available_days__contains=str(day))
    qs = qs.filter(days_q)

    # wage: expectation within the tolerance (per-piece and per-job expectations are checked in Python)
    ceiling = posting.daily_wage * WAGE_TOLERANCE
    qs = qs.filter(
        Q(expected_wage__isnull=True)
        | Q(expected_unit__in=[WageUnit.PIECE, WageUnit.JOB])
        | Q(expected_unit=WageUnit.DAY, expected_wage__lte=ceiling)
        | Q(expected_unit=WageUnit.HOUR, expected_wage__lte=ceiling / 8)
    )

    # eligibility in bulk (selectors.eligibility_problem): minors by birth date, certificates by subquery
    if occupation.closed_to_minors:
        qs = qs.filter(Q(user__birth_date__isnull=True) | Q(user__birth_date__lte=_adult_cutoff(today)))
    fields = [
        "pk",
        "user_id",
        "home_lat",
        "home_lng",
        "max_distance_km",
        "available_days",
        "available_from",
        "available_to",
        "expected_wage",
        "expected_unit",
        "user__birth_date",
        "in_unit",
        "reliability",
        "rating",
        "skills_json",
        # what the recommendation shows (masked by the serializer): no second query for the best
        "user__real_name",
        "user__phone",
        "user__scope_unit_id",
        "user__scope_unit__code",
        "user__scope_unit__name",
    ]
    if occupation.licensed:
        valid_certs = Certificate.objects.filter(
            occupation_id=occupation.pk, status=CertificateStatus.VERIFIED
        ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=posting.work_start_date))
        qs = qs.filter(Exists(valid_certs.filter(profile=OuterRef("pk")))).annotate(
            certs_json=Subquery(
                valid_certs.filter(profile_id=OuterRef("pk"))
                .order_by()
                .values("profile_id")
                .annotate(
                    rows=JSONGroupArray(JSONObject(i="id", o="occupation_id", n="name", e="expires_on"))
                )
                .values("rows"),
                output_field=JSONField(),
            )
        )
        fields.append("certs_json")

    if connection.vendor == "postgresql":
        # Candidates among the NEAREST_SCAN workers nearest the site, found through the GiST index over home
        # points (workerprofile_home_gist), so the work does not grow with the city's workers (issue 6: a
        # sort of every qualifying worker took 1–2 s at province scale; a nearest-first scan alone read every
        # worker for a site that few can reach). A probe reads the distance of the NEAREST_SCAN-th nearest
        # home (an index-only nearest-neighbour scan); the square of that half-side bounds the search.
        # Workers who prefer the posting's county, near or not, come in a second branch.
        placed = qs.filter(home_lat__isnull=False, home_lng__isnull=False)
        bound = _nearest_bound(posting)
        if bound is not None:
            placed = placed.filter(HomeInSquare(posting.lat, posting.lng, bound))
        placed = (
            placed.annotate(knn=HomeNearest(posting.lat, posting.lng))
            .order_by("knn")
            .values_list(*fields)[:MAX_CANDIDATES]
        )
        preferring = qs.filter(in_unit=True).order_by("pk").values_list(*fields)[:PREFERRING_CANDIDATES]
        rows = placed.union(preferring, all=True)
    else:
        rows = qs.order_by(F("exact").desc(), F("approx_km").asc(nulls_last=True), "pk").values_list(*fields)[
            :MAX_CANDIDATES
        ]
    by_id = occupations.by_id
    cutoff = _adult_cutoff(today)
    found: list[Recommendation] = []
    seen: set[int] = set()
    for row in rows:
        if row[0] in seen:  # near and preferring the county: in both branches
            continue
        seen.add(row[0])
        candidate = _Candidate(
            *row[:11],
            in_unit=bool(row[11]),
            reliability=row[12],
            rating=row[13],
            skills=_skills_from_json(row[14], by_id),
            shown=row[15:20],
            certificates=_certificates_from_json(row[20], row[0]) if occupation.licensed else [],
        )
        distance = None
        if candidate.home_lat is not None and candidate.home_lng is not None:
            distance = haversine_km(candidate.home_lat, candidate.home_lng, posting.lat, posting.lng)
        is_minor = candidate.birth_date is not None and candidate.birth_date > cutoff
        result = _assess(
            profile=candidate,
            skills=candidate.skills,
            certificates=candidate.certificates,
            posting=posting,
            distance_km=distance,
            in_preferred_unit=candidate.in_unit,
            reliability=candidate.reliability,
            rating=candidate.rating,
            today=today,
            is_minor=is_minor,
            explain=False,
        )
        if result is not None:
            found.append(Recommendation(obj=candidate, score=result[0], distance_km=distance))
    best = _ranked(found, limit)
    if not best:
        return []

    for rec in best:
        candidate = rec.obj
        profile = candidate.as_profile()
        skills = profile._prefetched_objects_cache["skills"]
        profile.related_skills = [k for k in skills if _related(k.occupation, occupation)]
        rec.obj = profile
        rec.reasons = _assess(
            profile=profile,
            skills=skills,
            certificates=candidate.certificates,
            posting=posting,
            distance_km=rec.distance_km,
            in_preferred_unit=candidate.in_unit,
            reliability=candidate.reliability,
            rating=candidate.rating,
            today=today,
            is_minor=profile.user.is_minor,
        )[1]
    return best


# --- postings for a worker --------------------------------------------------------------------------------


def _load_profile(worker) -> WorkerProfile | None:
    skills = Prefetch("skills", queryset=WorkerSkill.objects.select_related("occupation"))
    if isinstance(worker, WorkerProfile):
        from django.db.models import prefetch_related_objects

        prefetch_related_objects([worker], skills, "certificates")
        return worker
    return (
        WorkerProfile.objects.filter(user=worker)
        .select_related("user")
        .prefetch_related(skills, "certificates")
        .first()
    )


def recommend_postings(
    *, worker, limit: int = 20, origin: tuple[float, float] | None = None
) -> list[Recommendation]:
    """The best open postings for a worker (a User or their WorkerProfile), best first. Distances are from
    ``origin`` (where they are now) when given, else from their home."""
    if limit <= 0:
        return []
    profile = _load_profile(worker)
    if profile is None:
        return []
    user = profile.user
    if not user.is_active or user.anonymized_at is not None:
        return []
    skills = list(profile.skills.all())
    if not skills:
        return []
    certificates = [c for c in profile.certificates.all() if c.is_verified]
    today = timezone.localdate()

    occupation_q = Q()
    for skill in skills:
        occupation_q |= _related_q(skill.occupation, "occupation__")
    exact_ids = sorted({s.occupation_id for s in skills})
    in_unit = WorkerProfile.preferred_units.through.objects.filter(
        workerprofile_id=profile.pk, scopeunit_id=OuterRef("scope_unit_id")
    )
    applied = Application.objects.filter(posting_id=OuterRef("pk"), worker_id=user.pk)

    qs = (
        Posting.objects.open(today)
        .filter(occupation_q)
        .exclude(employer__user_id=user.pk)
        .filter(~Exists(applied))
        .annotate(
            in_unit=Exists(in_unit),
            exact=Case(
                When(occupation_id__in=exact_ids, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
        )
    )

    # eligibility in bulk (selectors.eligibility_problem)
    if user.is_minor:
        qs = qs.exclude(occupation__licensed=True).exclude(occupation__minors_forbidden=True)
    cert_q = Q(occupation__licensed=False)
    for cert in certificates:
        cert_q |= (
            Q(occupation_id=cert.occupation_id)
            if cert.expires_on is None
            else Q(occupation_id=cert.occupation_id, work_start_date__lte=cert.expires_on)
        )
    qs = qs.filter(cert_q)

    # place: within reach of origin or home, or in a preferred county
    point = origin
    if point is None and profile.home_lat is not None and profile.home_lng is not None:
        point = (profile.home_lat, profile.home_lng)
    place_q = Q(in_unit=True)
    if point is not None:
        min_lat, max_lat, min_lng, max_lng = bounding_box(
            point[0], point[1], profile.max_distance_km * BBOX_SLACK
        )
        place_q |= Q(lat__gte=min_lat, lat__lte=max_lat, lng__gte=min_lng, lng__lte=max_lng)
        qs = qs.annotate(approx_km=distance_km_expression(point[0], point[1]))
        ordering = [F("exact").desc(), F("approx_km").asc(), "pk"]
    else:
        ordering = [F("exact").desc(), "work_start_date", "pk"]
    qs = qs.filter(place_q)

    # time: a one-day posting on a day they do not work is out (longer ones are checked in Python)
    days = [int(c) for c in profile.available_days if c.isdigit()]
    qs = qs.filter(Q(work_end_date__gt=F("work_start_date")) | Q(work_start_date__iso_week_day__in=days))

    # wage: the posting pays at least the expectation less the tolerance
    if profile.expected_wage is not None and profile.expected_unit in (WageUnit.DAY, WageUnit.HOUR):
        floor = (profile.expected_daily / WAGE_TOLERANCE).quantize(Decimal("0.01"), rounding=ROUND_FLOOR)
        qs = qs.filter(daily_wage__gte=floor)

    postings = list(
        qs.select_related("occupation", "occupation__parent", "scope_unit", "employer", "market").order_by(
            *ordering
        )[:MAX_CANDIDATES]
    )
    reliability, rating = profile.reliability, profile.rating

    def assess(posting, distance, explain):
        return _assess(
            profile=profile,
            skills=skills,
            certificates=certificates,
            posting=posting,
            distance_km=distance,
            in_preferred_unit=posting.in_unit,
            reliability=reliability,
            rating=rating,
            today=today,
            is_minor=user.is_minor,
            explain=explain,
        )

    found: list[Recommendation] = []
    for posting in postings:
        distance = haversine_km(point[0], point[1], posting.lat, posting.lng) if point is not None else None
        result = assess(posting, distance, False)
        if result is not None:
            found.append(Recommendation(obj=posting, score=result[0], distance_km=distance))
    best = _ranked(found, limit)
    for rec in best:
        rec.reasons = assess(rec.obj, rec.distance_km, True)[1]
    return best
