"""Matching both ways: reasons, exclusions, ranking, eligibility (licences, minors) and bounded queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from core.models import InboxMessage, ScopeUnit
from jobs import matching, services
from jobs.matching import Recommendation, recommend_postings, recommend_workers
from jobs.models import Certificate, WorkerProfile
from jobs.selectors import eligibility_problem
from jobs.tasks import posting_notify_matches_task

from .factories import make_employer, make_worker, occupation, published_posting, worker_profile

pytestmark = pytest.mark.django_db

SITE = (36.7100, 119.0240)  # the factory posting's site in 潍城区


def next_weekday(isoweekday: int) -> dt.date:
    """The first date from tomorrow on that falls on ``isoweekday``."""
    day = timezone.localdate() + dt.timedelta(days=1)
    while day.isoweekday() != isoweekday:
        day += dt.timedelta(days=1)
    return day


def electrician_posting(**overrides):
    data = {
        "occupation": occupation("electrician"),
        "title": "小区线路检修",
        "description": "更换配电箱和插座线路。",
        "wage_amount": Decimal("300"),
    }
    data.update(overrides)
    return published_posting(**data)


def certify(user, code: str = "electrician", expires_on: dt.date | None = None) -> Certificate:
    return Certificate.objects.create(
        profile=worker_profile(user),
        occupation=occupation(code),
        name="低压电工作业操作证",
        number="T370702199001011234",
        issuer="潍坊市应急管理局",
        expires_on=expires_on,
        status="verified",  # checked by staff at a counter: only then does it open licensed work (issue 13)
    )


def make_minor(**kwargs):
    user = make_worker(**kwargs)
    today = timezone.localdate()
    User.objects.filter(pk=user.pk).update(
        birth_date=today.replace(year=today.year - 17) - dt.timedelta(days=30)
    )
    user.refresh_from_db()
    assert user.is_minor
    return user


def worker_ids(recs: list[Recommendation]) -> list[int]:
    return [r.obj.user_id for r in recs]


def posting_ids(recs: list[Recommendation]) -> list[int]:
    return [r.obj.pk for r in recs]


# --- reasons and score --------------------------------------------------------------------------------------


def test_recommended_workers_carry_reasons_and_a_score_in_range():
    day = next_weekday(6)
    posting = published_posting(work_start_date=day, work_end_date=day, wage_amount=Decimal("260"))
    worker = make_worker(skills=(("cleaner", "skilled", 5),), expected_wage=Decimal("240"))

    recs = recommend_workers(posting=posting)

    assert worker_ids(recs) == [worker.pk]
    rec = recs[0]
    assert rec.obj == worker_profile(worker)
    assert 0 < rec.score <= 1
    assert rec.distance_km == pytest.approx(0.54, abs=0.05)
    assert rec.reasons == ["保洁员（熟练，5年）", "距离0.5公里", "周六有空", "日薪¥260 ≥ 期望¥240"]


def test_recommended_postings_carry_the_same_reasons():
    day = next_weekday(6)
    posting = published_posting(work_start_date=day, work_end_date=day, wage_amount=Decimal("260"))
    worker = make_worker(skills=(("cleaner", "skilled", 5),), expected_wage=Decimal("240"))

    recs = recommend_postings(worker=worker)

    assert posting_ids(recs) == [posting.pk]
    assert recs[0].reasons == ["保洁员（熟练，5年）", "距离0.5公里", "周六有空", "日薪¥260 ≥ 期望¥240"]
    assert recs[0].score == recommend_workers(posting=posting)[0].score


def test_related_occupation_and_preferred_county_are_named_in_the_reasons(county_a):
    posting = published_posting(
        occupation=occupation("nanny"), title="照看老人白天班", description="陪护做饭。"
    )
    related = make_worker(skills=(("cleaner", "expert", 10),))
    no_coordinates = make_worker(skills=(("nanny", "skilled", 2),), lat=None, lng=None)
    worker_profile(no_coordinates).preferred_units.set([county_a])

    recs = {r.obj.user_id: r for r in recommend_workers(posting=posting)}

    assert "相近工种：保洁员（高级/技师，10年）" in recs[related.pk].reasons
    assert recs[no_coordinates.pk].distance_km is None
    assert f"希望在{county_a.name}工作" in recs[no_coordinates.pk].reasons


def test_partial_availability_and_a_lower_wage_are_explained():
    start = next_weekday(5)  # Friday, Saturday, Sunday
    posting = published_posting(
        work_start_date=start,
        work_end_date=start + dt.timedelta(days=2),
        wage_amount=Decimal("220"),
        start_time=dt.time(8, 0),
        end_time=dt.time(17, 0),
    )
    worker = make_worker(
        available_days="12345",
        available_from=dt.time(12, 0),
        available_to=dt.time(20, 0),
        expected_wage=Decimal("30"),
        expected_unit="hour",
    )

    [rec] = recommend_workers(posting=posting)

    assert rec.obj.user_id == worker.pk
    assert "3个工作日中1天有空" in rec.reasons
    assert "可工作时间12:00–20:00，与上班时间部分重合" in rec.reasons
    assert "日薪¥220，略低于期望¥240" in rec.reasons


# --- exclusions ---------------------------------------------------------------------------------------------


def test_rejected_withdrawn_and_current_applicants_are_not_recommended_again():
    posting = published_posting(headcount=5)
    rejected, withdrawn, applied, accepted, fresh = (make_worker() for _ in range(5))
    for user in (rejected, withdrawn, applied, accepted):
        services.application_apply(posting=posting, worker=user, actor=user)
    apps = {a.worker_id: a for a in posting.applications.all()}
    services.application_reject(application=apps[rejected.pk], actor=posting.employer.user)
    services.application_withdraw(application=apps[withdrawn.pk], actor=withdrawn)
    services.application_accept(application=apps[accepted.pk], actor=posting.employer.user)

    assert worker_ids(recommend_workers(posting=posting)) == [fresh.pk]
    for user in (rejected, withdrawn, applied, accepted):
        assert posting.pk not in posting_ids(recommend_postings(worker=user))
    assert posting_ids(recommend_postings(worker=fresh)) == [posting.pk]


def test_the_employer_is_not_recommended_their_own_posting():
    foreman = make_worker()
    employer = make_employer(user=foreman)
    own = published_posting(employer)
    other = published_posting()

    assert foreman.pk not in worker_ids(recommend_workers(posting=own))
    assert foreman.pk in worker_ids(recommend_workers(posting=other))
    assert posting_ids(recommend_postings(worker=foreman)) == [other.pk]


def test_workers_out_of_reach_unavailable_too_dear_or_inactive_are_left_out(county_b):
    saturday = next_weekday(6)
    posting = published_posting(work_start_date=saturday, work_end_date=saturday, wage_amount=Decimal("220"))
    fits = make_worker()
    far = make_worker(lat=36.88, lng=118.73)  # 寿光 side, about 32 km: beyond 15 km
    far_but_prefers_county = make_worker(lat=36.88, lng=118.73, max_distance_km=5)
    worker_profile(far_but_prefers_county).preferred_units.set([posting.scope_unit])
    prefers_other_county = make_worker(lat=None, lng=None)
    worker_profile(prefers_other_county).preferred_units.set([county_b])
    weekdays_only = make_worker(available_days="12345")
    nights_only = make_worker(available_from=dt.time(19, 0), available_to=dt.time(23, 0))
    too_dear = make_worker(expected_wage=Decimal("300"))  # > 220 × 1.2
    slightly_dear = make_worker(expected_wage=Decimal("250"))
    other_trade = make_worker(skills=(("porter", "skilled", 3),))
    inactive = make_worker()
    User.objects.filter(pk=inactive.pk).update(is_active=False)

    found = set(worker_ids(recommend_workers(posting=posting)))

    assert found == {fits.pk, far_but_prefers_county.pk, slightly_dear.pk}
    for user in (far, prefers_other_county, weekdays_only, nights_only, too_dear, other_trade, inactive):
        assert posting.pk not in posting_ids(recommend_postings(worker=user))


def test_a_night_window_overlaps_a_night_posting():
    posting = published_posting(start_time=dt.time(22, 0), end_time=dt.time(6, 0))
    night = make_worker(available_from=dt.time(20, 0), available_to=dt.time(4, 0))
    day = make_worker(available_from=dt.time(8, 0), available_to=dt.time(18, 0))

    recs = {r.obj.user_id: r for r in recommend_workers(posting=posting)}

    assert set(recs) == {night.pk}
    assert "可工作时间20:00–04:00，与上班时间部分重合" in recs[night.pk].reasons
    assert day.pk not in recs


# --- ranking ------------------------------------------------------------------------------------------------


def test_a_nearer_better_fitting_worker_ranks_above_a_farther_one():
    posting = published_posting(headcount=3)
    far_novice = make_worker(skills=(("cleaner", "beginner", 0),), lat=36.80, lng=119.03)  # about 10 km
    near_expert = make_worker(skills=(("cleaner", "expert", 8),), lat=36.712, lng=119.026)
    near_novice = make_worker(skills=(("cleaner", "beginner", 0),), lat=36.712, lng=119.026)
    far_expert = make_worker(skills=(("cleaner", "expert", 8),), lat=36.80, lng=119.03)

    recs = recommend_workers(posting=posting)

    assert worker_ids(recs) == [near_expert.pk, near_novice.pk, far_expert.pk, far_novice.pk]
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    assert recs[0].distance_km < recs[-1].distance_km


def test_same_skill_nearer_first_and_exact_occupation_above_related():
    posting = published_posting(headcount=3)
    far = make_worker(lat=36.78, lng=119.03)
    near = make_worker(lat=36.715, lng=119.03)
    related = make_worker(skills=(("nanny", "skilled", 3),), lat=36.715, lng=119.03)

    assert worker_ids(recommend_workers(posting=posting)) == [near.pk, far.pk, related.pk]


def test_limit_cuts_the_list():
    posting = published_posting()
    for _ in range(4):
        make_worker()

    assert len(recommend_workers(posting=posting, limit=2)) == 2
    assert recommend_workers(posting=posting, limit=0) == []


def test_postings_nearer_to_the_origin_rank_first():
    worker = make_worker(lat=36.71, lng=119.03, max_distance_km=50)
    here = published_posting(lat=36.71, lng=119.03)
    there = published_posting(lat=36.85, lng=119.03)

    assert posting_ids(recommend_postings(worker=worker)) == [here.pk, there.pk]
    assert posting_ids(recommend_postings(worker=worker, origin=(36.85, 119.03))) == [there.pk, here.pk]


def test_reliability_and_rating_count_once_known(monkeypatch):
    posting = published_posting(headcount=2)
    steady = make_worker()
    flaky = make_worker()
    # The stored record matching reads (kept by refresh_worker_records; see test_ratings for its upkeep).
    WorkerProfile.objects.filter(user=steady).update(reliability=1.0, rating=4.8)
    WorkerProfile.objects.filter(user=flaky).update(reliability=0.5)

    recs = recommend_workers(posting=posting)

    assert worker_ids(recs) == [steady.pk, flaky.pk]
    assert "完工率100%" in recs[0].reasons and "评分4.8" in recs[0].reasons
    assert "完工率50%" in recs[1].reasons
    assert all(0 <= r.score <= 1 for r in recs)


# --- eligibility ---------------------------------------------------------------------------------------------


def test_licensed_occupation_needs_a_valid_certificate():
    assert occupation("electrician").licensed
    posting = electrician_posting()
    uncertified = make_worker(skills=(("electrician", "expert", 10),))
    expired = make_worker(skills=(("electrician", "expert", 10),))
    certify(expired, expires_on=posting.work_start_date - dt.timedelta(days=1))
    wrong_cert = make_worker(skills=(("electrician", "expert", 10),))
    certify(wrong_cert, code="welder")
    certified = make_worker(skills=(("electrician", "skilled", 5),))
    certify(certified, expires_on=posting.work_start_date + dt.timedelta(days=365))

    recs = recommend_workers(posting=posting)

    assert worker_ids(recs) == [certified.pk]
    assert "持低压电工作业操作证" in recs[0].reasons
    for user in (uncertified, expired, wrong_cert):
        assert eligibility_problem(worker=user, occupation=posting.occupation, on=posting.work_start_date)
        assert recommend_postings(worker=user) == []
    assert posting_ids(recommend_postings(worker=certified)) == [posting.pk]


def test_every_recommendation_passes_eligibility_problem():
    postings = [
        electrician_posting(),
        published_posting(occupation=occupation("porter"), title="搬家", description="搬家具。"),
    ]
    for skills in (
        (("electrician", "skilled", 3),),
        (("porter", "skilled", 3),),
        (("welder", "skilled", 3),),
    ):
        make_worker(skills=skills)
        certify(make_worker(skills=skills))
        make_minor(skills=skills)
    for posting in postings:
        for rec in recommend_workers(posting=posting, limit=100):
            assert (
                eligibility_problem(
                    worker=rec.obj.user, occupation=posting.occupation, on=posting.work_start_date
                )
                is None
            )


def test_a_minor_is_never_recommended_for_work_closed_to_minors():
    porter = occupation("porter")
    assert porter.minors_forbidden and not porter.licensed
    moving = published_posting(occupation=porter, title="搬家帮手", description="搬运家具。")
    wiring = electrician_posting()
    cleaning = published_posting()
    skills = (("porter", "skilled", 3), ("electrician", "skilled", 3), ("cleaner", "skilled", 3))
    minor = make_minor(skills=skills)
    certify(minor)
    adult = make_worker(skills=skills)
    certify(adult)

    assert worker_ids(recommend_workers(posting=moving)) == [adult.pk]
    assert worker_ids(recommend_workers(posting=wiring)) == [adult.pk]
    assert set(worker_ids(recommend_workers(posting=cleaning))) == {minor.pk, adult.pk}
    assert posting_ids(recommend_postings(worker=minor)) == [cleaning.pk]
    assert set(posting_ids(recommend_postings(worker=adult))) == {moving.pk, wiring.pk, cleaning.pk}


# --- postings for a worker ------------------------------------------------------------------------------------


def test_recommend_postings_keeps_to_open_related_reachable_postings(county_b):
    worker = make_worker(skills=(("cleaner", "skilled", 3),))
    near = published_posting()
    related = published_posting(occupation=occupation("nanny"), title="白天看护老人", description="陪护。")
    unrelated = published_posting(occupation=occupation("porter"), title="搬家", description="搬家具。")
    far = published_posting(scope_unit=county_b, lat=36.88, lng=118.73, address="寿光市某镇")
    closed = published_posting()
    services.posting_close(posting=closed, actor=closed.employer.user)

    found = recommend_postings(worker=worker)

    assert posting_ids(found) == [near.pk, related.pk]
    assert "相近工种：保洁员（熟练，3年）" in found[1].reasons
    assert unrelated.pk not in posting_ids(found) and far.pk not in posting_ids(found)
    worker_profile(worker).preferred_units.set([county_b])
    found = recommend_postings(worker=worker_profile(worker))
    assert far.pk in posting_ids(found)
    assert f"希望在{county_b.name}工作" in found[posting_ids(found).index(far.pk)].reasons


def test_recommend_postings_without_coordinates_uses_preferred_counties(county_a, county_b):
    worker = make_worker(lat=None, lng=None)
    in_a = published_posting()
    in_b = published_posting(scope_unit=county_b, lat=36.88, lng=118.73, address="寿光市某镇")

    assert recommend_postings(worker=worker) == []
    worker_profile(worker).preferred_units.set([county_b])
    recs = recommend_postings(worker=worker)
    assert posting_ids(recs) == [in_b.pk]
    assert recs[0].distance_km is None
    assert in_a.pk not in posting_ids(recs)


def test_recommend_postings_leaves_out_a_one_day_job_on_a_day_off_and_low_pay():
    worker = make_worker(available_days="12345", expected_wage=Decimal("250"))
    saturday = published_posting(work_start_date=next_weekday(6), work_end_date=next_weekday(6))
    monday = published_posting(
        work_start_date=next_weekday(1), work_end_date=next_weekday(1), wage_amount=Decimal("240")
    )
    low = published_posting(
        work_start_date=next_weekday(2), work_end_date=next_weekday(2), wage_amount=Decimal("200")
    )

    found = posting_ids(recommend_postings(worker=worker))

    assert monday.pk in found
    assert saturday.pk not in found and low.pk not in found


def test_a_user_without_a_worker_profile_gets_nothing(employer):
    published_posting()
    assert recommend_postings(worker=employer) == []


# --- the task that uses recommend_workers ---------------------------------------------------------------------


def test_new_posting_notifies_matching_workers_with_reasons():
    posting = published_posting()
    worker = make_worker()
    make_worker(skills=(("porter", "skilled", 3),))

    assert posting_notify_matches_task(posting_id=posting.pk) == 1
    message = InboxMessage.objects.get(user=worker)
    assert "距离0.5公里" in message.body


# --- bounded queries --------------------------------------------------------------------------------------------


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


@pytest.mark.parametrize("licensed", [False, True])
def test_recommend_workers_runs_a_fixed_number_of_queries(django_assert_max_num_queries, licensed):
    posting = electrician_posting() if licensed else published_posting()
    code = "electrician" if licensed else "cleaner"

    def add_workers(n):
        for i in range(n):
            user = make_worker(skills=((code, "skilled", i), ("nanny", "beginner", 1)), lat=36.71 + i / 1000)
            certify(user, code=code)
            worker_profile(user).preferred_units.set(ScopeUnit.objects.filter(code__in=["370702", "370783"]))

    add_workers(2)
    posting.refresh_from_db()
    baseline = _queries(lambda: recommend_workers(posting=posting))
    assert baseline <= 6
    add_workers(12)
    posting.refresh_from_db()
    with django_assert_max_num_queries(baseline):
        recs = recommend_workers(posting=posting, limit=50)
    assert len(recs) == 14
    assert all(r.reasons for r in recs)


def test_recommend_postings_runs_a_fixed_number_of_queries(django_assert_max_num_queries):
    worker = make_worker(skills=(("cleaner", "skilled", 3), ("electrician", "skilled", 3)))
    certify(worker)
    employer = make_employer()

    def add_postings(n):
        for i in range(n):
            code = "electrician" if i % 2 else "cleaner"
            published_posting(
                employer,
                occupation=occupation(code),
                title=f"岗位{i}",
                description="内容。",
                lat=36.71 + i / 1000,
            )

    add_postings(2)
    user = User.objects.get(pk=worker.pk)
    baseline = _queries(lambda: recommend_postings(worker=user))
    assert baseline <= 6  # incl. the worker's reliability and rating (one query each)
    add_postings(12)
    user = User.objects.get(pk=worker.pk)
    with django_assert_max_num_queries(baseline):
        recs = recommend_postings(worker=user, limit=50)
    assert len(recs) == 14


def test_recommend_workers_scans_the_nearest_first_on_postgresql(postgres):
    """Issue 6: the candidates come from the GiST nearest-neighbour index over home points, so the work does
    not grow with the number of workers (sequential scans off for the check: a small table would be read
    whole, and sorts off: a few rows would be sorted rather than read in order). Workers without a home point who prefer the county come in through the second branch."""
    posting = published_posting()
    near = make_worker(lat=SITE[0] + 0.01, lng=SITE[1])
    unplaced = make_worker(lat=None, lng=None)
    worker_profile(unplaced).preferred_units.set([posting.scope_unit])
    for i in range(30):
        make_worker(lat=SITE[0] + i / 500, lng=SITE[1] - i / 500)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE jobs_workerprofile")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("SET enable_sort = off")
        try:
            with CaptureQueriesContext(connection) as ctx:
                recs = recommend_workers(posting=posting, limit=50)
            (sql,) = [q["sql"] for q in ctx.captured_queries if "UNION ALL" in q["sql"]]
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")
            cursor.execute("RESET enable_sort")
    assert "Index Scan using workerprofile_home_gist" in plan, plan
    ids = worker_ids(recs)
    assert near.pk in ids and unplaced.pk in ids
    assert ids.index(near.pk) < ids.index(unplaced.pk)


def test_the_nearest_homes_bound_is_kept_per_posting_and_site(postgres, monkeypatch):
    """The probe that bounds the candidate search (the NEAREST_SCAN-th nearest home) runs once per posting
    and site for BOUND_CACHE_SECONDS; moving the site asks again."""
    monkeypatch.setattr(matching, "NEAREST_SCAN", 3)
    posting = published_posting()
    for i in range(6):
        make_worker(lat=SITE[0] + i / 200, lng=SITE[1])

    def probes() -> int:
        with CaptureQueriesContext(connection) as ctx:
            recs = recommend_workers(posting=posting)
        assert recs  # the bound does not empty the list
        return sum(1 for q in ctx.captured_queries if "OFFSET 2" in q["sql"])

    assert probes() == 1
    assert probes() == 0
    posting.lat += 0.01
    assert probes() == 1


def test_a_paused_registration_is_not_recommended_nor_told_until_it_resumes(county_a):
    """Paused finding work (jobs.services.worker_seeking_set, the worker's "暂停找活"): employers' lists and
    the new-posting alerts (drawn from the same list) leave the worker out; resumed, they are back."""
    saturday = next_weekday(6)
    posting = published_posting(work_start_date=saturday, work_end_date=saturday, wage_amount=Decimal("220"))
    seeking = make_worker()
    paused = make_worker()
    services.worker_seeking_set(user=paused, actor=paused, seeking=False)

    assert set(worker_ids(recommend_workers(posting=posting))) == {seeking.pk}

    services.worker_seeking_set(user=paused, actor=paused, seeking=True)
    assert set(worker_ids(recommend_workers(posting=posting))) == {seeking.pk, paused.pk}
