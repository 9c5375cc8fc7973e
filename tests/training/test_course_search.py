"""Course search and the worker's pages: /training/ lists the classes open for enrollment with the filters
(occupation, county, near me, start date, subsidised only, mode) in at most three queries; a class's page,
enroll, my trainings, withdraw; the counter enrolls the worker it serves."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.choices import Role
from jobs.views.counter import COUNTER_SESSION_KEY
from training.choices import ClassMode, ClassStatus, EnrollmentChannel, EnrollmentStatus, InstitutionStatus
from training.models import CatalogueRate, Enrollment, EnrollmentEvent
from training.selectors import course_list, with_rates

from ..accounts.factories import UserFactory, unit
from ..markets.factories import MarketFactory
from .factories import enroll, item, make_class, make_institution

pytestmark = pytest.mark.django_db

TODAY = dt.date.today()
SOON = TODAY + dt.timedelta(days=5)
LATER = TODAY + dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _fresh_local_copies():
    """The selectors keep cached values per process for seconds: each test starts without them."""
    from training import selectors

    selectors._local.clear()
    yield
    selectors._local.clear()


def ids(response) -> list[int]:
    return [c.pk for c in response.context["classes"]]


@pytest.fixture
def classes(county_a, county_b):
    """Five open classes and four that are not open."""
    near = MarketFactory(scope_unit=county_a, lat=36.70, lng=119.10)
    far = MarketFactory(scope_unit=county_b, lat=36.30, lng=119.80)  # ~80 km away
    inst_b = make_institution(unit_code=county_b.code)
    made = {
        "electric": make_class(market=near, starts_on=SOON, ends_on=LATER),
        "welder": make_class(market=near, item_code="welder-special", starts_on=LATER, ends_on=LATER),
        "far": make_class(inst_b, market=far, starts_on=SOON, ends_on=LATER),
        "unsubsidised": make_class(market=near, starts_on=SOON, ends_on=LATER, subsidised=False),
        "online": make_class(
            market=near, starts_on=LATER, ends_on=LATER, mode=ClassMode.ONLINE, venue_lat=None, venue_lng=None
        ),
        # not open for enrollment
        "submitted": make_class(market=near, starts_on=SOON, ends_on=LATER, status=ClassStatus.SUBMITTED),
        "closed": make_class(
            market=near, starts_on=SOON, ends_on=LATER, enrollment_closes_on=TODAY - dt.timedelta(days=1)
        ),
        "started": make_class(market=near, starts_on=TODAY - dt.timedelta(days=2), ends_on=LATER),
        "suspended": make_class(
            make_institution(status=InstitutionStatus.SUSPENDED), market=near, starts_on=SOON, ends_on=LATER
        ),
    }
    return {k: v.pk for k, v in made.items()}


OPEN = ["electric", "far", "unsubsidised", "welder", "online"]


def test_the_course_page_lists_open_classes_only_soonest_first(client, classes):
    response = client.get(reverse("training:courses"))
    assert response.status_code == 200
    listed = ids(response)
    assert set(listed) == {classes[k] for k in OPEN}
    assert listed[:3] == sorted(listed[:3])  # the three starting SOON, by id
    assert {listed[3], listed[4]} == {classes["welder"], classes["online"]}
    assert response.context["next_url"] == ""


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"occupation": "welder"}, ["welder"]),
        ({"occupation": "electrician"}, ["electric", "far", "unsubsidised", "online"]),
        ({"subsidised": "on"}, ["electric", "far", "welder", "online"]),
        ({"mode": "online"}, ["online"]),
        ({"starts_from": (TODAY + dt.timedelta(days=20)).isoformat()}, ["welder", "online"]),
        (
            {"near": "on", "lat": "36.70", "lng": "119.10", "radius_km": "10"},
            ["electric", "unsubsidised", "welder"],
        ),
    ],
)
def test_each_filter_narrows_the_list(client, classes, params, expected):
    response = client.get(reverse("training:courses"), params)
    assert set(ids(response)) == {classes[k] for k in expected}


def test_the_county_filter(client, classes, county_b):
    response = client.get(reverse("training:courses"), {"county": county_b.pk})
    assert ids(response) == [classes["far"]]


def test_near_me_uses_the_worker_home_and_orders_by_distance(client_as, classes, county_a):
    from ..jobs.factories import make_worker

    worker = make_worker(unit=county_a, lat=36.30, lng=119.80)
    response = client_as(worker).get(reverse("training:courses"), {"near": "on", "radius_km": "20"})
    assert ids(response) == [classes["far"]]


def test_a_class_shows_seats_left_and_the_rate_in_force(client, classes):
    # a newer county rate for the electrician item replaces the city-wide 800 in county A
    CatalogueRate.objects.create(
        item=item("electrician-special"),
        scope_unit=unit("370702"),
        effective_from=TODAY - dt.timedelta(days=1),
        min_class_hours=80,
        rate=Decimal("900"),
        cap=Decimal("900"),
        source="test",
    )
    from training.models import TrainingClass

    electric = TrainingClass.objects.get(pk=classes["electric"])
    for _ in range(3):
        enroll(electric)
    rows = {c.pk: c for c in with_rates(course_list())}
    assert rows[classes["electric"]].subsidy_rate == Decimal("900")
    assert rows[classes["far"]].subsidy_rate == Decimal("800")  # county B: the city-wide rate
    assert rows[classes["electric"]].seats_left == 30 - 3
    # the page shows them
    html = client.get(reverse("training:courses")).content.decode()
    assert "补贴 ¥900.00/人" in html and "余 27 个名额" in html


def test_the_course_page_reads_in_one_query(client, classes, django_assert_num_queries):
    client.get(reverse("training:courses"))  # fill the cached choices and rates
    with django_assert_num_queries(1):
        response = client.get(
            reverse("training:courses"),
            {"occupation": "electrician", "near": "on", "lat": "36.7", "lng": "119.1"},
        )
    assert response.status_code == 200


def test_the_course_page_pages(client, county_a):
    market = MarketFactory(scope_unit=county_a)
    institution = make_institution()
    for _ in range(23):
        make_class(institution, market=market, starts_on=SOON, ends_on=LATER)
    first = client.get(reverse("training:courses"))
    second = client.get(reverse("training:courses"), {"page": 2})
    assert len(first.context["classes"]) == 20 and len(second.context["classes"]) == 3
    assert first.context["next_url"] == "?page=2" and second.context["next_url"] == ""
    assert second.context["previous_url"] == "?page=1"
    assert not set(ids(first)) & set(ids(second))


@pytest.mark.parametrize(
    "params", [{"page": "x"}, {"county": "abc"}, {"lat": "999", "near": "on"}, {"starts_from": "2026-99-99"}]
)
def test_nonsense_filters_answer_200(client, classes, params):
    assert client.get(reverse("training:courses"), params).status_code == 200


def test_the_class_page_anonymous_gets_a_login_link(client, classes):
    response = client.get(reverse("training:class_detail", args=[classes["electric"]]))
    assert response.status_code == 200
    assert reverse("accounts:login") in response.content.decode()
    assert client.get(reverse("training:class_detail", args=[classes["submitted"]])).status_code == 404


def test_a_worker_enrolls_from_the_class_page(client_as, worker, classes):
    client = client_as(worker)
    url = reverse("training:enroll", args=[classes["electric"]])
    response = client.post(url)
    assert response.status_code == 302
    enrollment = Enrollment.objects.get(worker=worker)
    assert enrollment.status == EnrollmentStatus.ENROLLED and enrollment.channel == EnrollmentChannel.ONLINE
    page = client.get(reverse("training:class_detail", args=[classes["electric"]]))
    assert page.context["mine"].pk == enrollment.pk
    # anonymous: to the login page
    from django.test import Client

    anonymous = Client().post(url)
    assert anonymous.status_code == 302 and reverse("accounts:login") in anonymous["Location"]


def test_my_trainings_and_withdraw(client_as, worker, classes):
    from training.models import TrainingClass

    electric = TrainingClass.objects.get(pk=classes["electric"])
    enrollment = enroll(electric, worker)
    Enrollment.objects.filter(pk=enrollment.pk).update(hours_attended=12)
    client = client_as(worker)
    page = client.get(reverse("training:my_trainings"))
    assert page.status_code == 200
    row = page.context["enrollments"][0]
    assert (row.pk, row.hours_attended, row.min_hours, row.can_withdraw) == (enrollment.pk, 12, 80, True)
    assert "已到 12 / 80 课时" in page.content.decode()
    assert row.claim_url == ""  # not completed (and the claim page is another part's)
    other = UserFactory(roles=[Role.WORKER])
    assert client_as(other).post(reverse("training:withdraw", args=[enrollment.pk])).status_code == 404
    assert client.post(reverse("training:withdraw", args=[enrollment.pk])).status_code == 302
    enrollment.refresh_from_db()
    electric.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN and electric.enrolled_count == 0


def test_the_counter_enrolls_the_worker_it_serves(client_as, officer, worker, classes):
    client = client_as(officer)
    session = client.session
    session[COUNTER_SESSION_KEY] = worker.pk
    session.save()
    page = client.get(reverse("training:counter"))
    assert page.status_code == 200 and page.context["serving"]
    response = client.post(
        reverse("training:enroll", args=[classes["electric"]]), {"next": reverse("training:counter")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("training:counter")
    enrollment = Enrollment.objects.get(worker=worker)
    assert enrollment.channel == EnrollmentChannel.COUNTER and enrollment.assisted_by_id == officer.pk
    event = EnrollmentEvent.objects.get(enrollment=enrollment)
    assert (event.actor_id, event.on_behalf_of_id) == (officer.pk, worker.pk)


def test_the_counter_page_is_for_counter_staff_only(client_as, worker):
    assert client_as(worker).get(reverse("training:counter")).status_code == 404


def test_the_counter_home_links_training(client_as, officer):
    page = client_as(officer).get(reverse("jobs:counter"))
    assert reverse("training:counter") in page.content.decode()
