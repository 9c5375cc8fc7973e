"""County scope of institutions and classes, with the personas of the other apps: county-A staff see only
county-A institutions and classes (404 for county B through the API, the pages and the admin); an
institution's member sees only their own institution's drafts; a worker and an anonymous visitor see the
public (filed, approved) ones only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.choices import Role
from training.choices import ClassStatus, InstitutionStatus

from ..accounts.factories import UserFactory
from ..markets.factories import MarketFactory
from .factories import institution_member, make_class, make_institution

pytestmark = pytest.mark.django_db

A, B = "370702", "370783"


@pytest.fixture
def world(county_a, county_b):
    """One applied institution and one draft class in each county, plus a filed institution with an approved
    class in each."""
    applied_a = make_institution(unit_code=A, status=InstitutionStatus.APPLIED)
    applied_b = make_institution(unit_code=B, status=InstitutionStatus.APPLIED)
    filed_a = make_institution(unit_code=A)
    filed_b = make_institution(unit_code=B)
    return {
        "applied_a": applied_a,
        "applied_b": applied_b,
        "filed_a": filed_a,
        "filed_b": filed_b,
        "draft_a": make_class(
            filed_a, status=ClassStatus.SUBMITTED, market=MarketFactory(scope_unit=county_a)
        ),
        "draft_b": make_class(
            filed_b, status=ClassStatus.SUBMITTED, market=MarketFactory(scope_unit=county_b)
        ),
        "open_a": make_class(filed_a, status=ClassStatus.APPROVED, market=MarketFactory(scope_unit=county_a)),
        "open_b": make_class(filed_b, status=ClassStatus.APPROVED, market=MarketFactory(scope_unit=county_b)),
    }


def ids(response):
    assert response.status_code == 200, response.content[:500]
    return {row["id"] for row in response.json()["results"]}


def test_county_staff_see_their_county_and_the_public_rows(api_as, officer, world):
    api = api_as(officer)
    assert ids(api.get("/api/v1/training-institutions/")) == {
        world["applied_a"].pk,
        world["filed_a"].pk,
        world["filed_b"].pk,  # filed institutions are public
    }
    assert api.get(f"/api/v1/training-institutions/{world['applied_b'].pk}/").status_code == 404
    assert ids(api.get("/api/v1/training-classes/")) == {
        world["draft_a"].pk,
        world["open_a"].pk,
        world["open_b"].pk,
    }
    assert api.get(f"/api/v1/training-classes/{world['draft_b'].pk}/").status_code == 404


def test_county_staff_cannot_act_on_another_county(api_as, officer, world):
    api = api_as(officer)
    assert api.post(f"/api/v1/training-institutions/{world['applied_b'].pk}/file/", {}).status_code == 404
    # a filed institution of county B is public, but not county A's to suspend
    response = api.post(f"/api/v1/training-institutions/{world['filed_b'].pk}/suspend/", {"reason": "x"})
    assert response.status_code == 404
    assert api.post(f"/api/v1/training-classes/{world['draft_b'].pk}/approve/", {}).status_code == 404
    world["filed_b"].refresh_from_db()
    world["draft_b"].refresh_from_db()
    assert world["filed_b"].status == InstitutionStatus.FILED
    assert world["draft_b"].status == ClassStatus.SUBMITTED


def test_a_member_sees_only_their_own_drafts(api_as, world):
    member = institution_member(world["filed_a"])
    api = api_as(member)
    assert ids(api.get("/api/v1/training-classes/")) == {
        world["draft_a"].pk,
        world["open_a"].pk,
        world["open_b"].pk,
    }
    other = institution_member(world["filed_b"])
    assert world["draft_a"].pk not in ids(api_as(other).get("/api/v1/training-classes/"))
    assert api.get(f"/api/v1/training-classes/{world['draft_b'].pk}/").status_code == 404
    # a member's institution pages show their own class; another institution's class is 404
    client = _client(member)
    assert client.get(reverse("training:institution_class", args=[world["draft_a"].pk])).status_code == 200
    assert client.get(reverse("training:institution_class", args=[world["draft_b"].pk])).status_code == 404


def test_a_worker_and_anonymous_see_public_rows_only(api_as, api, worker, world):
    for client in (api, api_as(worker)):
        assert ids(client.get("/api/v1/training-institutions/")) == {world["filed_a"].pk, world["filed_b"].pk}
        assert ids(client.get("/api/v1/training-classes/")) == {world["open_a"].pk, world["open_b"].pk}
    assert api.post(
        f"/api/v1/training-classes/{world['open_a'].pk}/cancel/", {"reason": "x"}
    ).status_code in (401, 403)
    assert (
        api_as(worker)
        .post(f"/api/v1/training-classes/{world['open_a'].pk}/cancel/", {"reason": "x"})
        .status_code
        == 404
    )


def test_public_page_only_for_filed_institutions(client, world):
    assert client.get(reverse("training:institution_public", args=[world["filed_a"].pk])).status_code == 200
    assert client.get(reverse("training:institution_public", args=[world["applied_a"].pk])).status_code == 404
    page = client.get(reverse("training:institution_public", args=[world["filed_a"].pk])).content.decode()
    assert world["open_a"].title in page and world["draft_a"].title not in page


def test_institution_pages_need_a_membership(client_as, worker, world):
    client = client_as(worker)
    assert client.get(reverse("training:institution_class", args=[world["draft_a"].pk])).status_code == 404
    assert client.get(reverse("training:institution_points")).status_code == 404
    assert client.get(reverse("training:institution_home")).status_code == 302  # to the application


def test_admin_is_scoped_to_the_county(client_as, officer, world):
    client = client_as(officer)
    listing = client.get(reverse("admin:training_institution_changelist")).content.decode()
    assert world["applied_a"].name in listing and world["applied_b"].name not in listing
    response = client.get(reverse("admin:training_institution_change", args=[world["applied_b"].pk]))
    assert response.status_code == 302  # the admin's "does not exist" redirect
    classes = client.get(reverse("admin:training_trainingclass_changelist")).content.decode()
    assert world["draft_a"].title in classes and world["draft_b"].title not in classes
    # an action on a county-B row cannot be forced through the changelist
    client.post(
        reverse("admin:training_trainingclass_changelist"),
        {"action": "approve_classes", "_selected_action": [world["draft_b"].pk]},
    )
    world["draft_b"].refresh_from_db()
    assert world["draft_b"].status == ClassStatus.SUBMITTED


def _client(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


def test_every_training_admin_page_renders(client_as, city_staff, officer, world):
    from training.models import CatalogueItem, SignUpPoint, SpotCheck

    from .factories import item

    check = SpotCheck.objects.create(
        institution=world["filed_a"], checked_on="2026-12-01", checked_by=officer, result="pass"
    )
    client = client_as(city_staff)
    pages = {
        "institution": world["applied_a"].pk,
        "trainingclass": world["draft_a"].pk,
        "catalogueitem": item().pk,
        "signuppoint": SignUpPoint.objects.first().pk,
        "spotcheck": check.pk,
    }
    for model, pk in pages.items():
        assert client.get(reverse(f"admin:training_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:training_{model}_change", args=[pk])).status_code == 200, model
    assert client.get(reverse("admin:training_claimrule_changelist")).status_code == 200
    # county staff read the city's catalogue but do not change it
    county = client_as(officer)
    assert county.get(reverse("admin:training_catalogueitem_change", args=[item().pk])).status_code == 200
    response = county.post(reverse("admin:training_catalogueitem_change", args=[item().pk]), {"name": "改名"})
    assert response.status_code == 403
    assert CatalogueItem.objects.get(pk=item().pk).name != "改名"


def test_institutions_filter_by_county(api, world):
    assert ids(api.get("/api/v1/training-institutions/", {"county": B})) == {world["filed_b"].pk}
    assert api.get("/api/v1/training-institutions/", {"county": "999999"}).status_code == 400


def test_visible_rows_are_not_repeated_per_institution_member():
    """An institution with three members: county staff, a member and the enrolled worker each see every row
    once (the owner condition is a subquery, not a join on the members)."""
    from training.models import Enrollment, Institution, TrainingClass

    from .factories import enroll, institution_member, make_class, make_institution

    institution = make_institution()
    member = institution_member(institution)
    institution_member(institution, admin=False, teacher=True)
    institution_member(institution, admin=False, teacher=True)
    training_class = make_class(institution)
    enrollment = enroll(training_class)
    staff = UserFactory(scope_unit=institution.scope_unit, roles=[Role.COUNTY_STAFF])
    for person in (staff, member):
        assert list(Institution.objects.visible_to(person).filter(pk=institution.pk)) == [institution]
        assert list(TrainingClass.objects.visible_to(person).filter(pk=training_class.pk)) == [training_class]
        assert list(Enrollment.objects.visible_to(person)) == [enrollment]
    assert list(Enrollment.objects.visible_to(enrollment.worker)) == [enrollment]
