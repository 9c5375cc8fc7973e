"""Personas (healthchecks' alice/bob): a worker, an employer, a county officer, an officer of another
county, city staff, an auditor, an API client, anonymous. County A is 潍城区 (370702), B is 寿光市 (370783)."""

from __future__ import annotations

import contextlib
import importlib
import os

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.choices import Role
from accounts.permissions import reset_cache
from core import notifications
from core.divisions import load_divisions, sync_city_scope_units
from core.models import ScopeUnit
from jobs import occupations
from markets import publishing

from .accounts.factories import UserFactory

COUNTY_A = "370702"
COUNTY_B = "370783"


def needs(reason: str):
    """Skip with a reason locally; in CI (CI=true) a missing service or browser is a failure."""
    if os.environ.get("CI"):
        pytest.fail(f"required in CI: {reason}")
    pytest.skip(reason)


SEEDED_BY_MIGRATIONS = [
    ("accounts.PrivacyNotice", "accounts.migrations.0003_privacy_notice_v1"),
    ("markets.Facility", "markets.migrations.0002_standard_and_schedules"),
    ("core.MinimumWageTier", "core.migrations.0005_minimum_wage_rows"),
    ("jobs.Occupation", "jobs.migrations.0002_seed_and_search_indexes"),
    ("disputes.ClockRule", "disputes.migrations.0002_clock_and_routing_rules"),
    ("disputes.BlacklistThreshold", "disputes.migrations.0005_arrears_and_blacklist"),
    ("reports.Indicator", "reports.migrations.0002_seed_indicators"),
]


def ensure_divisions() -> None:
    """Reference data that migrations or `make run` provide: divisions, county scope units, the privacy
    notice. Transactional tests (live server, real worker) flush the database, so it is restored here."""
    from django.apps import apps

    if not ScopeUnit.objects.exists():
        load_divisions()
        sync_city_scope_units("370700")
    # Data seeded by migrations: (model whose emptiness means a flush happened, migration module).
    for label, module in SEEDED_BY_MIGRATIONS:
        if not apps.get_model(label).objects.exists():
            importlib.import_module(module).forwards(apps, None)


DB_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


# Tests that use these fixtures carry these markers without saying so (``-m "not postgres"`` selects
# honestly): a test cannot forget the marker of what it needs.
FIXTURE_MARKERS = {"postgres": ("postgres",), "worker_queue": ("postgres", "services")}


def _allow_the_replica(item) -> None:
    """With DATABASE_REPLICA_URL set (a TEST MIRROR of default, config/settings/test.py) a test that touches
    the database may also use the ``replica`` alias: reads of the reports outside a transaction go there
    (transactional tests, live servers). The marker keeps the test's own options."""
    marker = item.get_closest_marker("django_db")
    if marker is None and not (DB_FIXTURES & set(getattr(item, "fixturenames", ()))):
        return
    kwargs = dict(marker.kwargs) if marker else {}
    if kwargs.get("databases") == "__all__":
        return
    kwargs["databases"] = "__all__"
    item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


def pytest_collection_modifyitems(config, items):
    from django.conf import settings

    replica = "replica" in settings.DATABASES
    for item in items:
        if replica:
            _allow_the_replica(item)
        for fixture, markers in FIXTURE_MARKERS.items():
            if fixture in getattr(item, "fixturenames", ()):
                for marker in markers:
                    if not item.get_closest_marker(marker):
                        item.add_marker(marker)


@pytest.fixture(scope="session")
def _no_lingering_sessions(django_db_setup, django_db_blocker):
    """Set up after the test database, so torn down before it is dropped: live-server threads leave
    connections open, and PostgreSQL refuses to drop a database that has any (the test database used to
    survive every run)."""
    yield
    if connection.vendor != "postgresql":
        return
    from django.db import connections

    connections.close_all()
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Before any test that touches the database (pure tests skip this)."""
    if not (request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)):
        return
    request.getfixturevalue("django_db_setup")
    request.getfixturevalue("_no_lingering_sessions")
    with django_db_blocker.unblock():
        ensure_divisions()


@pytest.fixture(autouse=True)
def working_day_calendar(request, _reference_data, django_db_blocker):
    """Transactional tests flush the tables: restore the working-day calendar core migration 0008 seeds, so
    every test that counts working days (policy questions, case clocks) sees the State Council's dates."""
    if not (request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)):
        return
    from core.calendar import seed_from_chinese_calendar
    from core.models import CalendarDay

    with django_db_blocker.unblock():
        if not CalendarDay.objects.exists():
            seed_from_chinese_calendar(CalendarDay)


@pytest.fixture(autouse=True)
def training_reference_data(request, _reference_data, django_db_blocker):
    """The same for the training catalogue, its rates, the claim rule and the attendance statuses (training
    migration 0002), which the demo and every training page stand on."""
    if not (request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)):
        return
    from django.apps import apps

    from training.models import AttendanceStatus
    from training.reference import seed_reference

    with django_db_blocker.unblock():
        if not AttendanceStatus.objects.exists():
            seed_reference(apps.get_model)


@pytest.fixture(autouse=True)
def subsidies_reference_data(request, _reference_data, django_db_blocker):
    """The same for the subsidy programs and their parameter rows (subsidies migration 0002)."""
    if not (request.node.get_closest_marker("django_db") or DB_FIXTURES & set(request.fixturenames)):
        return
    from django.apps import apps

    from subsidies.models import ProgramType
    from subsidies.reference import seed_reference

    with django_db_blocker.unblock():
        if not ProgramType.objects.exists():
            seed_reference(apps.get_model)


@pytest.fixture(autouse=True)
def _clean_state(settings):
    from django.core.cache import cache
    from django.utils import translation

    # a test that switched to English (a page rendered with Accept-Language, the crawl) must not leave the
    # next test's messages in English
    translation.activate(settings.LANGUAGE_CODE)

    notifications.outbox.clear()
    cache.clear()
    reset_cache()
    occupations.forget()
    publishing._remember(None)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@contextlib.contextmanager
def nothing_written():
    """A refused request writes nothing: every table of the project's apps (events and audit rows included,
    so a transition or an edit would show) has as many rows after as before."""
    from django.apps import apps
    from django.conf import settings

    models = [m for label in settings.LOCAL_APPS for m in apps.get_app_config(label).get_models()]

    def counts():
        return {m._meta.label: m._default_manager.count() for m in models}

    before = counts()
    yield
    after = counts()
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}


@pytest.fixture
def postgres(db):
    if connection.vendor != "postgresql":
        needs("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def county_a(db) -> ScopeUnit:
    ensure_divisions()
    return ScopeUnit.objects.get(code=COUNTY_A)


@pytest.fixture
def county_b(db) -> ScopeUnit:
    ensure_divisions()
    return ScopeUnit.objects.get(code=COUNTY_B)


@pytest.fixture
def worker(county_a):
    return UserFactory(scope_unit=county_a, roles=[Role.WORKER])


@pytest.fixture
def worker_b(county_b):
    return UserFactory(scope_unit=county_b, roles=[Role.WORKER])


@pytest.fixture
def employer(county_a):
    return UserFactory(scope_unit=county_a, roles=[Role.EMPLOYER])


@pytest.fixture
def officer(county_a):
    return UserFactory(scope_unit=county_a, roles=[Role.COUNTY_STAFF])


@pytest.fixture
def officer_b(county_b):
    return UserFactory(scope_unit=county_b, roles=[Role.COUNTY_STAFF])


@pytest.fixture
def city_staff(county_a):
    return UserFactory(scope_unit=None, id_number=None, roles=[Role.CITY_STAFF])


@pytest.fixture
def auditor(county_a):
    return UserFactory(scope_unit=None, id_number=None, roles__city=True, roles=[Role.AUDITOR])


@pytest.fixture
def api(db):
    return APIClient()


@pytest.fixture
def api_as():
    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def client_as():
    from django.test import Client

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def api_client_a(county_a, city_staff):
    """A county-A system's API client with its raw token."""
    from accounts.services import api_client_issue

    client, raw = api_client_issue(actor=city_staff, name="潍城区业务系统", scope_unit=county_a)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    api.record = client
    return api


@pytest.fixture
def api_client_city(county_a, city_staff):
    """The city's own system: a city-wide token (no unit) with its raw token."""
    from accounts.services import api_client_issue

    client, raw = api_client_issue(actor=city_staff, name="市人社局数据平台", scope_unit=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    api.record = client
    return api


# --- real brokers and workers (ADR 0013: the outage tests) ---------------------------------------------------


@pytest.fixture
def throwaway_redis():
    """A Redis of our own on a free port in 6390–6399 (never the shared one), stopped afterwards."""
    from .support.services import ThrowawayRedis

    if not ThrowawayRedis.available():
        needs("needs redis-server for a throwaway Redis (outage tests)")
    redis = ThrowawayRedis().start()
    yield redis
    redis.cleanup()


@pytest.fixture
def live_broker():
    """``use(url)``: this process's Celery app publishes to ``url`` for real (not eagerly) until the test
    ends; its connection pools are rebuilt both ways."""
    from config.celery_app import app

    keys = ("broker_url", "task_always_eager", "broker_transport_options", "broker_connection_timeout")
    saved = {k: app.conf[k] for k in keys}

    def reset():
        from kombu import pools

        pools.reset()  # kombu keeps connection and producer pools per URL, process-wide
        app._pool = None
        app.amqp._producer_pool = None

    def use(url: str):
        reset()
        app.conf.update(
            broker_url=url,
            task_always_eager=False,
            broker_connection_timeout=1,
            broker_transport_options={
                "visibility_timeout": 60,
                "socket_connect_timeout": 1,
                "socket_timeout": 5,
                "max_retries": 1,
                "interval_start": 0,
            }
            if url.startswith("redis")
            else {},
        )

    yield use
    reset()
    app.conf.update(saved)


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_env(transactional_db, tmp_path):
    """``make(broker_url, **extra)``: the environment of a Celery process on the test database (PostgreSQL)
    with the file notification backend (``tests.support.backends``) writing to ``tmp_path/sent.jsonl``."""
    if connection.vendor != "postgresql":
        needs("needs PostgreSQL (set DATABASE_URL) so that workers share the test database")
    log = tmp_path / "sent.jsonl"

    def make(broker_url: str, **extra) -> dict:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "DATABASE_URL": extra.pop("DATABASE_URL", database_url()),
            "CELERY_BROKER_URL": broker_url,
            "REDIS_URL": "",
            "REDIS_CACHE_URL": "",
            "CELERY_RESULT_BACKEND": "",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "LINGONG_NOTIFICATION_BACKEND": "tests.support.backends.FileBackend",
            "LINGONG_TEST_MESSAGE_LOG": str(log),
            **{k: str(v) for k, v in extra.items()},
        }

    make.log = log
    return make


@pytest.fixture
def postgres_transactional(transactional_db):
    if connection.vendor != "postgresql":
        needs("needs PostgreSQL (set DATABASE_URL)")
