"""Redis is not a single point of failure for pages (ADR 0013): a cache error is a miss, sessions fall back to
the database, the map snapshot to its stored row; ``/readyz/`` reports the database, the cache and the broker
each, ``/healthz/`` stays liveness."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from redis.exceptions import RedisError

from core.cache import ResilientRedisCache
from markets.models import MapSnapshot

from ..markets.factories import MarketFactory
from ..support.services import free_port


def resilient(url: str) -> dict:
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


def test_a_cache_that_does_not_answer_is_a_miss_and_drops_writes(settings):
    settings.CACHES = resilient(f"redis://127.0.0.1:{free_port(range(6380, 6390))}/0")
    assert cache.get("k", "fallback") == "fallback"
    assert cache.set("k", 1) is None and cache.add("k", 1) is False and cache.delete("k") is False
    assert cache.get_many(["a", "b"]) == {} and cache.has_key("k") is False
    assert cache.incr("k") == 1 and cache.set_many({"a": 1}) == ["a"]
    with pytest.raises(RedisError):
        cache.ping()  # the one call that says so (readiness)


def test_after_an_error_the_cache_is_left_alone_for_a_few_seconds(monkeypatch):
    backend = ResilientRedisCache(f"redis://127.0.0.1:{free_port(range(6380, 6390))}/0", {})
    calls = []
    original = ResilientRedisCache.__mro__[1].get

    def counting(self, *args, **kwargs):
        calls.append(1)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ResilientRedisCache.__mro__[1], "get", counting)
    assert backend.get("a") is None and backend.get("b") is None and backend.get("c") is None
    assert len(calls) == 1  # one timeout, not one per call


@pytest.fixture
def cache_redis(throwaway_redis, settings):
    settings.CACHES = resilient(throwaway_redis.url)
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    cache.clear()
    yield throwaway_redis
    if not throwaway_redis.ping():
        throwaway_redis.start()
    cache.clear()


def test_cache_down_pages_and_the_map_feed_answer_and_sessions_survive(cache_redis, worker, county_a):
    MarketFactory(scope_unit=county_a)
    client = Client()
    client.force_login(worker)
    first = client.get("/api/v1/markets/geojson/")
    assert first.status_code == 200 and client.get("/accounts/profile/").status_code == 200
    stored = MapSnapshot.objects.order_by("-version").first()

    cache_redis.stop()
    from markets import publishing

    publishing._remember(None)  # no per-process copy: the feed must come from the stored row
    for path in ("/", "/markets/", "/jobs/", "/stats/"):
        assert client.get(path).status_code == 200, path
    feed = client.get("/api/v1/markets/geojson/")
    assert feed.status_code == 200 and feed["ETag"] == f'"{stored.etag}"' and feed.json()["features"]
    profile = client.get("/accounts/profile/")
    assert (
        profile.status_code == 200 and profile.wsgi_request.user == worker
    )  # the session, from the database
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})  # a signed-in POST
    assert switched.status_code == 302

    ready = client.get("/readyz/")
    report = ready.json()
    assert ready.status_code == 200 and report["status"] == "degraded"
    assert report["checks"]["cache"]["ok"] is False and "error" in report["checks"]["cache"]
    assert report["checks"]["database"]["ok"] is True and report["checks"]["broker"]["ok"] is True
    assert client.get("/healthz/").status_code == 200

    cache_redis.start()
    again = client.get("/readyz/").json()
    assert again["status"] == "ok" and again["checks"]["cache"]["ok"] is True


def test_readiness_reports_each_and_fails_only_without_the_database(db, live_broker, monkeypatch):
    client = Client()
    report = client.get("/readyz/").json()
    assert report["status"] == "ok" and set(report["checks"]) == {"database", "cache", "broker"}
    assert all(c["ok"] for c in report["checks"].values())
    assert report["checks"]["database"]["outbox_pending"] == 0

    live_broker(f"redis://127.0.0.1:{free_port(range(6380, 6390))}/0")
    down = client.get("/readyz/")
    assert down.status_code == 200 and down.json()["status"] == "degraded"
    assert down.json()["checks"]["broker"]["ok"] is False

    from core import health

    def no_database():
        raise OSError("connection refused")

    monkeypatch.setattr(health, "check_database", no_database)
    gone = client.get("/readyz/")
    assert gone.status_code == 503 and gone.json()["status"] == "unavailable"
