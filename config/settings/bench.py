"""Benchmark (issue 6, `make bench`): production-like — DEBUG off, the production middleware, PostgreSQL and
Redis from DATABASE_URL and REDIS_URL, persistent connections — served by gunicorn on loopback. No SSL
redirect or secure cookies (plain HTTP on 127.0.0.1), and the bare baseline view is routed."""

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="bench-only-secret-key-not-for-production-0000000000000000")
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": env.db("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/lingong_bench")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES = with_replica(DATABASES)  # noqa: F405

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/5")
CACHES = redis_cache(REDIS_URL)  # noqa: F405
CELERY_BROKER_URL = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = redis_broker_options()  # noqa: F405
# Sessions read from Redis (written through to the database): no session query per signed-in request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_TASK_ALWAYS_EAGER = False

SECURE_SSL_REDIRECT = False
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Static files from the finders: the API under test renders no static asset, and no collectstatic is needed.
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
# Anonymous throttling would turn a load test into a 429 test.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {**REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "anon": None},  # noqa: F405
}
LOGGING = {**LOGGING, "root": {"handlers": ["console"], "level": "WARNING"}}  # noqa: F405
LINGONG_BENCH_BARE_VIEW = True
