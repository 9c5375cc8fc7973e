"""The API fuzzed from its own schema (issue 11): on a served portal over PostgreSQL with the demo city, as
anonymous, a worker, an employer, county staff and a county token, no request may raise a 5xx and every
answer must match the schema. A broken view and an answer outside the schema make the same run fail.
Each role's full report is left in var/fuzz/<role>.txt."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.throttling import SimpleRateThrottle

from tests.conftest import needs
from tests.markets.factories import MarketFactory

from .fuzz import run_schemathesis
from .harness import Credentials, credentials, seed_demo_city

ROLES = ["anonymous", "worker", "employer", "county_staff", "county_token"]


@pytest.fixture
def served(live_server, monkeypatch):
    if connection.vendor != "postgresql":
        needs("the fuzz job runs on PostgreSQL (set DATABASE_URL)")
    # Throttles stay on, but loose enough that the fuzzer reaches the views rather than the 429 (documented).
    for scope in list(SimpleRateThrottle.THROTTLE_RATES):
        monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, scope, "100000/minute")
    return live_server.url


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_api_survives_fuzzing_as_every_role(served):
    seed_demo_city()
    results = [run_schemathesis(served, creds) for creds in credentials(ROLES)]
    failed = [r for r in results if r.returncode != 0]
    assert not failed, "\n\n".join(f"=== {r.role} ===\n{r.summary}" for r in failed)


def _broken(*args, **kwargs):
    raise ZeroDivisionError("a deliberately broken view")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_broken_view_fails_the_fuzz_job(served, monkeypatch, county_a):
    from markets.api.views import MarketViewSet

    MarketFactory(scope_unit=county_a)
    monkeypatch.setattr(MarketViewSet, "list", _broken)
    result = run_schemathesis(
        served,
        Credentials("broken-view"),
        examples=2,
        seconds=20,
        include_path="/api/v1/markets/",
        include_method="GET",
    )
    assert result.returncode != 0
    assert "Server error" in result.output


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_answer_outside_the_schema_fails_the_fuzz_job(served, monkeypatch, county_a):
    from markets.api.serializers import MarketSerializer

    MarketFactory(scope_unit=county_a)
    original = MarketSerializer.to_representation

    def wrong_type(self, instance):
        data = original(self, instance)
        data["id"] = "not-a-number"
        return data

    monkeypatch.setattr(MarketSerializer, "to_representation", wrong_type)
    result = run_schemathesis(
        served,
        Credentials("off-schema"),
        examples=2,
        seconds=20,
        include_path="/api/v1/markets/",
        include_method="GET",
    )
    assert result.returncode != 0
    assert "Response violates schema" in result.output
