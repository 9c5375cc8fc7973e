"""Tests: tasks run eagerly, fast hashing, messages kept in memory. DATABASE_URL picks PostgreSQL in CI."""

from .base import *  # noqa: F403

DEBUG = False
# The replica alias always exists in tests, as a TEST MIRROR of default (Django's "Testing primary/replica
# configurations"), whether DATABASE_REPLICA_URL is set or not: the router's reads of the reports are
# exercised in every run, and tests/conftest.py lets every database test use both aliases (ADR 0044).
DATABASES["replica"] = {  # noqa: F405
    **DATABASES.get("replica", DATABASES["default"]),  # noqa: F405
    "TEST": {"MIRROR": "default"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
LINGONG_NOTIFICATION_BACKEND = "core.notifications.LocmemBackend"
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "test"}}
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
LANGUAGE_CODE = "zh-hans"
# Static files straight from the finders (no collectstatic needed before serving).
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

# The browsable API for developers (masked, without write forms: core.api.renderers); production is JSON only.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "core.api.renderers.BrowsableAPIRenderer",
    ],
}
