"""Staff's admin: facts are read-only (only the compute service writes them) and scoped like every list."""

from __future__ import annotations

import pytest

from reports import services
from reports.models import Fact

pytestmark = pytest.mark.django_db


@pytest.fixture
def facts(county_a):
    services.compute("202611")


def test_city_staff_see_every_fact_and_cannot_add(client_as, city_staff, facts):
    client = client_as(city_staff)
    response = client.get("/admin/reports/fact/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == Fact.objects.count()
    assert client.get("/admin/reports/fact/add/").status_code == 403


def test_officer_sees_only_own_county_facts(client_as, officer, facts):
    response = client_as(officer).get("/admin/reports/fact/")
    assert response.status_code == 200
    assert response.context["cl"].result_count == Fact.objects.filter(org_unit=officer.scope_unit).count() > 0
    other = Fact.objects.exclude(org_unit=officer.scope_unit).first()
    assert client_as(officer).get(f"/admin/reports/fact/{other.pk}/change/").status_code in (302, 404)
