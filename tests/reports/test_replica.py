"""The read-replica router (ADR 0044): the test settings carry ``replica`` as a TEST MIRROR of default, so the
router's choices are visible here. Reads of the reports outside a transaction go to the replica; writes,
reads inside a transaction and every other app stay on default; migrations run on default only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connections, router, transaction
from django.test.utils import CaptureQueriesContext

from core import db_router
from jobs.models import WorkerProfile
from reports import services
from reports.models import Fact, Indicator

from ..jobs.factories import make_worker
from .factories import SHANGHAI

URL = "/api/v1/reports/values/"
NOVEMBER = dt.datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)


@pytest.fixture
def facts(county_a):
    WorkerProfile.objects.filter(user=make_worker(unit=county_a)).update(created_at=NOVEMBER)
    services.compute("202611")


def _facts_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if '"reports_fact"' in q["sql"]]


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_reports_reads_outside_a_transaction_go_to_the_replica(facts, api_client_a):
    assert Fact.objects.all().db == "replica"
    assert Indicator.objects.all().db == "replica"
    assert WorkerProfile.objects.all().db == "default"  # other apps read the primary
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = api_client_a.get(URL, {"period": "202611", "org_unit": "370702"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert len(rows) == Fact.objects.filter(period="202611", org_unit__code="370702").count() > 0
    assert len(_facts_queries(on_replica)) == 1
    assert _facts_queries(on_default) == []


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_writes_go_to_default_even_for_a_row_read_from_the_replica(facts):
    fact = Fact.objects.filter(period="202611").first()
    assert fact._state.db == "replica"
    assert router.db_for_write(Fact, instance=fact) == "default"
    with CaptureQueriesContext(connections["default"]) as on_default:
        Fact.objects.filter(pk=fact.pk).update(source=fact.source)
        fact.save(update_fields=["source"])
    assert sum("UPDATE" in q["sql"] for q in on_default.captured_queries) == 2
    assert fact._state.db == "default"


@pytest.mark.django_db(databases="__all__")
def test_reads_inside_a_transaction_stay_on_the_primary(facts):
    # pytest-django's test transaction is itself one: read-your-writes and locks on the primary
    with transaction.atomic():
        assert Fact.objects.all().db == "default"
        assert Fact.objects.filter(period="202611").exists()


@pytest.mark.django_db(transaction=True, databases="__all__")
def test_without_a_replica_everything_stays_on_default(monkeypatch, facts):
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    assert Fact.objects.all().db == "default"
    assert Indicator.objects.all().db == "default"
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert Fact.objects.filter(period="202611").count() > 0
    assert on_replica.captured_queries == []


def test_migrations_run_on_default_only():
    assert router.allow_migrate("default", "reports") is True
    assert router.allow_migrate("replica", "reports") is False
    assert router.allow_migrate("replica", "jobs") is False
    assert router.allow_relation(Fact(), Indicator()) is True
