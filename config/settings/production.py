"""Production: PostgreSQL, Redis broker and cache, secure cookies and HSTS. `check --deploy` is clean."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
DATABASES = {"default": env.db("DATABASE_URL")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES = with_replica(DATABASES)  # noqa: F405

# REDIS_URL for both, or REDIS_CACHE_URL and CELERY_BROKER_URL for one Redis each (README).
REDIS_URL = env("REDIS_URL", default="")
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=REDIS_URL)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
if not (REDIS_CACHE_URL and CELERY_BROKER_URL):
    raise ImproperlyConfigured("production needs REDIS_URL, or both REDIS_CACHE_URL and CELERY_BROKER_URL")
CACHES = redis_cache(REDIS_CACHE_URL)  # noqa: F405
CELERY_BROKER_TRANSPORT_OPTIONS = redis_broker_options()  # noqa: F405
# Sessions read from Redis (written through to the database): no session query per signed-in request.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_TASK_ALWAYS_EAGER = False
# Real messages: SMS through LINGONG_SMS_PROVIDER, WeChat, the inbox (ADR 0017); core.checks fails
# `check --deploy` while this is a console/in-memory backend or the SMS provider is the console.
LINGONG_NOTIFICATION_BACKEND = env(
    "LINGONG_NOTIFICATION_BACKEND", default="core.notifications.ProviderBackend"
)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
