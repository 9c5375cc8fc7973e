"""The cache and the broker may be separate Redis instances (ADR 0013); production needs one or both named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "from django.conf import settings as s; "
    "print(s.CACHES['default']['BACKEND'], s.CACHES['default']['LOCATION'], s.CELERY_BROKER_URL, "
    "s.CELERY_BROKER_TRANSPORT_OPTIONS['visibility_timeout'], s.SESSION_ENGINE)"
)


def settings_with(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("REDIS", "CELERY_", "DJANGO_"))}
    base.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="lingong.example.gov.cn",
        DATABASE_URL="postgres://localhost/lingong",
        **env,
    )
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {PROBE}"],
        cwd=ROOT,
        env=base,
        capture_output=True,
        text=True,
    )


def test_cache_and_broker_on_separate_redis():
    out = settings_with(REDIS_CACHE_URL="redis://cache:6379/0", CELERY_BROKER_URL="redis://broker:6379/0")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [
        "core.cache.ResilientRedisCache",
        "redis://cache:6379/0",
        "redis://broker:6379/0",
        "1800",
        "django.contrib.sessions.backends.cached_db",
    ]


def test_one_redis_url_sets_both():
    out = settings_with(REDIS_URL="redis://one:6379/0")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[1:3] == ["redis://one:6379/0", "redis://one:6379/0"]


def test_production_without_redis_refuses_to_start():
    out = settings_with()
    assert out.returncode != 0 and "REDIS_URL" in out.stderr
