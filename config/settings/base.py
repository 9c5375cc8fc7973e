"""Base settings: everything lives here; local, test and production only override.

Environment variables are read in this one place (django-environ). With no variable set at all the
portal runs on its embedded defaults: SQLite, the local-memory cache and Celery on kombu's filesystem
transport (``make run`` starts a worker with beat beside the web server), so nothing but Python is needed.
"""

from datetime import timedelta
from pathlib import Path

import environ
import xstatic.pkg.leaflet
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(str(BASE_DIR / ".env"))

# --- Core -------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-lingong-0000000000000000000000")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]
THIRD_PARTY_APPS = [
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "axes",
    "csp",
]
# In the direction of imports (DESIGN.md, ADR 0012): each app imports only from those before it.
LOCAL_APPS = [
    "core",
    "accounts",
    "markets",
    "jobs",
    "work",
    "labour_stats",
    "guidance",
    "training",
    "disputes",
    "subsidies",
    "reports",
]
# Tools that are apps only for their management commands (the benchmark's data generator).
TOOL_APPS = ["bench"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS + TOOL_APPS

MIDDLEWARE = [
    "core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.RequestSanityMiddleware",
    "core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.DisclosureAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the message middleware: it tells the person why they were logged out.
    "accounts.middleware.StaffIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.site",
                "accounts.navigation.context",
            ],
        },
    },
]

# --- Content-Security-Policy (django-csp) ---------------------------------------------------------------
# Scripts only from this site (a nonce for the rare inline one: ``{{ request.csp_nonce }}``); no plugins, no
# framing, forms post only here. Inline styles stay allowed: the admin's widgets and the server-drawn charts
# set style attributes, and a style cannot run code. The map's tile servers are added to img-src from the
# map settings (core.middleware.ContentSecurityPolicyMiddleware). ADR 0014.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# --- Database and cache ---------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the background worker share the file without "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"init_command": "PRAGMA journal_mode=WAL;", "timeout": 20})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def with_replica(databases: dict) -> dict:
    """Adds the ``replica`` alias when DATABASE_REPLICA_URL is set (a streaming replica of the primary,
    ADR 0044): ``core.db_router.ReplicaRouter`` then sends the reads of LINGONG_REPLICA_APPS there. Without
    the variable there is no such alias and everything stays on ``default``."""
    url = env("DATABASE_REPLICA_URL", default="")
    if url:
        replica = env.db_url_config(url)
        replica["ATOMIC_REQUESTS"] = False
        replica["CONN_MAX_AGE"] = databases["default"].get("CONN_MAX_AGE", 0)
        replica["CONN_HEALTH_CHECKS"] = True
        databases["replica"] = replica
    return databases


DATABASES = with_replica(DATABASES)
DATABASE_ROUTERS = ["core.db_router.ReplicaRouter"]
# The apps whose reads may be a little behind the primary: the reports' facts and catalogue (and so the
# dashboards and the pull API that read them). Their writes, and reads inside a transaction, stay on default.
LINGONG_REPLICA_APPS = ["reports"]

# One Redis for the cache and the broker (REDIS_URL), or one each (REDIS_CACHE_URL, CELERY_BROKER_URL), so
# that neither takes the other down. A cache error is a miss (core.cache.ResilientRedisCache): pages answer,
# slower, while the cache's Redis is down.
REDIS_URL = env("REDIS_URL", default="")
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default=REDIS_URL)


def redis_cache(url: str) -> dict:
    """The cache settings for a Redis URL: errors are misses, and a Redis that does not answer is given up
    on within a second (then skipped for a few seconds) rather than holding a page."""
    return {
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1, "retry_on_timeout": False},
        }
    }


if REDIS_CACHE_URL:
    CACHES = redis_cache(REDIS_CACHE_URL)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lingong"}}

# --- Auth -------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.RoleBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"

# Login protection (django-axes): 5 failures for one account from one address start a cool-off for that
# pair only, so a worker at another counter is not locked out of their own account.
AXES_FAILURE_LIMIT = env.int("LINGONG_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LINGONG_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "accounts.backends.axes_username"
AXES_CLIENT_IP_CALLABLE = "core.http.client_ip"
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "username", "phone"]

# Staff sessions end after this many idle seconds (shared counter PCs); other sessions last two weeks.
LINGONG_STAFF_IDLE_TIMEOUT = env.int("LINGONG_STAFF_IDLE_TIMEOUT", default=30 * 60)
# The reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges; default none): the client
# address of audit rows, SMS limits, login lockouts and throttles (core.http.client_ip).
LINGONG_TRUSTED_PROXIES = env.list("LINGONG_TRUSTED_PROXIES", default=[])
# Lookups of a person by a whole mobile number or resident ID, per person and hour (each audited as a reveal).
LINGONG_PERSONAL_LOOKUP_LIMIT = env.int("LINGONG_PERSONAL_LOOKUP_LIMIT", default=60)
# The two parties of a hire see each other's contact until this many days after its last work date.
LINGONG_HIRE_CONTACT_DAYS = env.int("LINGONG_HIRE_CONTACT_DAYS", default=30)
SESSION_COOKIE_AGE = 14 * 24 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False

# --- Internationalization ---------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and media files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static", ("vendor/leaflet", xstatic.pkg.leaflet.BASE_DIR)]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Files no URL serves (signed consent forms): outside MEDIA_ROOT, read through checked views (ADR 0019).
    "private": {"BACKEND": "accounts.storage.PrivateStorage"},
}
LINGONG_PRIVATE_MEDIA_ROOT = env.path("LINGONG_PRIVATE_MEDIA_ROOT", default=str(VAR_DIR / "private"))
LINGONG_CONSENT_SCAN_MAX_BYTES = env.int("LINGONG_CONSENT_SCAN_MAX_BYTES", default=5 * 1024 * 1024)

# --- REST API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.ApiClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every view states its own permission classes.
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.DenyAll"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    # JSON; the browsable API (masked, without write forms) only where DEBUG is on (config.settings.local).
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "core.api.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {
        "sms_code": "20/hour",
        "anon": "120/minute",
        # a provider retries a few notifications a minute; a flood from one address is not a provider
        "payment_callback": "120/minute",
        # market safety reports (ADR 0027): anyone may send one; the service also limits anonymous ones
        "safety_report": "30/hour",
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "零工市场服务平台 API",
    "DESCRIPTION": "Public contract for county systems and future mini-program and app clients.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    # Times of day without an offset are documented by a pattern, not ``format: time`` (core.api.schema).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.time_fields",
    ],
    # Choice sets shared by several fields (kind, status, to_status) get one stable component name each.
    "ENUM_NAME_OVERRIDES": {
        "MarketKindEnum": "markets.choices.MarketKind",
        "MarketStatusEnum": "markets.choices.MarketStatus",
        "PlatformKindEnum": "markets.choices.PlatformKind",
        "PlatformStatusEnum": "markets.choices.PlatformStatus",
        "FairKindEnum": "jobs.choices.FairKind",
        "PostingStatusEnum": "jobs.choices.PostingStatus",
        "ApplicationStatusEnum": "jobs.choices.ApplicationStatus",
        "WageUnitEnum": "jobs.choices.WageUnit",
        "PaymentMethodEnum": "work.choices.PaymentMethod",
        "OfflinePaymentMethodEnum": "work.gateways.OFFLINE_METHOD_CHOICES",
        "PaymentStatusEnum": "work.choices.PaymentStatus",
        "WorkOrderStatusEnum": "work.choices.WorkOrderStatus",
        "CheckMethodEnum": "work.choices.CheckMethod",
        "ClockKindEnum": "disputes.choices.ClockKind",
        "CaseStatusEnum": "disputes.choices.CaseStatus",
        "CaseChannelEnum": "disputes.choices.Channel",
        "VisitMethodEnum": "disputes.choices.VisitMethod",
        "MediationOutcomeEnum": "disputes.choices.MediationOutcome",
        "OperatorAssessmentStatusEnum": "subsidies.choices.AssessmentStatus",
        "SubsidyPaymentStatusEnum": "subsidies.choices.PaymentStatus",
        "DisbursementBatchStatusEnum": "subsidies.choices.BatchStatus",
        "SubsidyRunStatusEnum": "subsidies.choices.ImportStatus",
    },
}

# --- Celery ------------------------------------------------------------------------------------------
# Embedded default: the filesystem transport, so that `make run` runs tasks and periodic jobs without Redis.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {}
)
for _folder in CELERY_BROKER_TRANSPORT_OPTIONS.values():
    if isinstance(_folder, str):
        # The filesystem broker needs its folders before anything is queued (a fresh checkout has none).
        Path(_folder).mkdir(parents=True, exist_ok=True)
# Acks-late on Redis: a task that no worker acknowledged within this many seconds (its worker died) is
# delivered again. Longer than any retry countdown and any task's run (``CELERY_TASK_TIME_LIMIT``).
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=30 * 60)


def redis_broker_options() -> dict:
    """Redis broker options: the visibility timeout, and a publish that gives up after one quick retry when
    Redis is down (the outbox row waits for the relay; a request is never held up waiting for the broker).
    The worker's own reconnecting is Celery's (``broker_connection_retry``), not limited by these. Workers
    look for tasks a dead worker left unacknowledged every minute (kombu's default is every ~100 s), so one
    comes back within the visibility timeout plus a minute."""
    return {
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(60, CELERY_BROKER_VISIBILITY_TIMEOUT // 2)),
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        "max_retries": 1,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.5,
    }


if CELERY_BROKER_URL.startswith(("redis", "rediss")):
    CELERY_BROKER_TRANSPORT_OPTIONS = redis_broker_options()
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
# A task whose pool child died (SIGKILL, out of memory) is put back for another worker, not acked as failed:
# effects check their idempotency keys, so running it again is safe (ADR 0013).
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# No task runs longer than this (it is killed and redelivered), and no retry waits longer than
# LINGONG_TASK_RETRY_BACKOFF_MAX: both below the visibility timeout.
CELERY_TASK_TIME_LIMIT = 10 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 9 * 60
LINGONG_TASK_RETRY_BACKOFF_MAX = min(
    env.int("LINGONG_TASK_RETRY_BACKOFF_MAX", default=5 * 60), CELERY_BROKER_VISIBILITY_TIMEOUT // 2
)
# Publishing gives up on a broker that does not answer within 2 s (the outbox row waits for the relay).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Lingong --------------------------------------------------------------------------------------------
# The deployment's city (GB/T 2260); its counties are the scope units, with the functional zones staff add.
LINGONG_CITY_CODE = env("LINGONG_CITY_CODE", default="370700")
LINGONG_SITE_NAME = env("LINGONG_SITE_NAME", default="零工市场服务平台")
LINGONG_NOTIFICATION_BACKEND = env(
    "LINGONG_NOTIFICATION_BACKEND", default="core.notifications.ConsoleBackend"
)
# Messaging providers (ADR 0017, README "Messages"). With core.notifications.ProviderBackend, SMS goes through
# LINGONG_SMS_PROVIDER: tencent, aliyun, gateway (政务短信平台) or console (development only; check --deploy
# fails on it). Every endpoint is a setting (an intranet proxy, a test's fake on 127.0.0.1).
LINGONG_SITE_URL = env("LINGONG_SITE_URL", default="")  # https://host, for links in WeChat messages
LINGONG_SMS_PROVIDER = env("LINGONG_SMS_PROVIDER", default="console")
LINGONG_SMS_TIMEOUT = env.int("LINGONG_SMS_TIMEOUT", default=5)
LINGONG_TENCENT_SMS_SECRET_ID = env("LINGONG_TENCENT_SMS_SECRET_ID", default="")
LINGONG_TENCENT_SMS_SECRET_KEY = env("LINGONG_TENCENT_SMS_SECRET_KEY", default="")
LINGONG_TENCENT_SMS_SDK_APP_ID = env("LINGONG_TENCENT_SMS_SDK_APP_ID", default="")
LINGONG_TENCENT_SMS_REGION = env("LINGONG_TENCENT_SMS_REGION", default="ap-guangzhou")
LINGONG_TENCENT_SMS_ENDPOINT = env("LINGONG_TENCENT_SMS_ENDPOINT", default="sms.tencentcloudapi.com")
LINGONG_TENCENT_SMS_SCHEME = env("LINGONG_TENCENT_SMS_SCHEME", default="https")
LINGONG_ALIYUN_SMS_ACCESS_KEY_ID = env("LINGONG_ALIYUN_SMS_ACCESS_KEY_ID", default="")
LINGONG_ALIYUN_SMS_ACCESS_KEY_SECRET = env("LINGONG_ALIYUN_SMS_ACCESS_KEY_SECRET", default="")
LINGONG_ALIYUN_SMS_ENDPOINT = env("LINGONG_ALIYUN_SMS_ENDPOINT", default="dysmsapi.aliyuncs.com")
LINGONG_ALIYUN_SMS_PROTOCOL = env("LINGONG_ALIYUN_SMS_PROTOCOL", default="https")
LINGONG_SMS_GATEWAY_URL = env("LINGONG_SMS_GATEWAY_URL", default="")
LINGONG_SMS_GATEWAY_APP_ID = env("LINGONG_SMS_GATEWAY_APP_ID", default="")
LINGONG_SMS_GATEWAY_SECRET = env("LINGONG_SMS_GATEWAY_SECRET", default="")
LINGONG_WECHAT_APP_ID = env("LINGONG_WECHAT_APP_ID", default="")
LINGONG_WECHAT_APP_SECRET = env("LINGONG_WECHAT_APP_SECRET", default="")
LINGONG_WECHAT_API_BASE = env("LINGONG_WECHAT_API_BASE", default="https://api.weixin.qq.com/")
LINGONG_WECHAT_OAUTH_BASE = env("LINGONG_WECHAT_OAUTH_BASE", default="https://open.weixin.qq.com/connect/")
# Audit rows are kept at least 184 days (six months, Cybersecurity Law art. 21); a smaller value is raised.
LINGONG_AUDIT_RETENTION_DAYS = max(184, env.int("LINGONG_AUDIT_RETENTION_DAYS", default=365))
# Policy questions (guidance): answered within this many working days (core.calendar), staff reminded this many
# working days before the due date.
LINGONG_QUESTION_ANSWER_WORKING_DAYS = env.int("LINGONG_QUESTION_ANSWER_WORKING_DAYS", default=5)
LINGONG_QUESTION_REMIND_WORKING_DAYS = env.int("LINGONG_QUESTION_REMIND_WORKING_DAYS", default=1)
# Disputes: evidence uploads (images re-encoded, PDF checked) up to this size; a clock is "due soon" once this share
# of its allowed time has passed (the first escalation), overdue at its end (the second).
LINGONG_EVIDENCE_MAX_BYTES = env.int("LINGONG_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
LINGONG_CASE_ESCALATE_SHARE = 0.8
# Market safety reports (ADR 0027): anonymous reports per client address per hour; the national rights hotline
# (a county's own number is data, disputes.RightsContact) and the citizens' service line.
LINGONG_SAFETY_REPORT_ANON_LIMIT = env.int("LINGONG_SAFETY_REPORT_ANON_LIMIT", default=5)
# Subsidy applications (ADR 0030): the public notice (公示) lasts this many working days after the city's approval;
# anonymous objections per client address per hour.
LINGONG_SUBSIDY_NOTICE_WORKING_DAYS = max(5, env.int("LINGONG_SUBSIDY_NOTICE_WORKING_DAYS", default=5))
LINGONG_SUBSIDY_OBJECTION_ANON_LIMIT = env.int("LINGONG_SUBSIDY_OBJECTION_ANON_LIMIT", default=3)
LINGONG_RIGHTS_HOTLINE = env("LINGONG_RIGHTS_HOTLINE", default="12333")
LINGONG_CITIZEN_HOTLINE = env("LINGONG_CITIZEN_HOTLINE", default="12345")
LINGONG_SMS_CODE_TTL = env.int("LINGONG_SMS_CODE_TTL", default=5 * 60)
LINGONG_SMS_CODE_INTERVAL = env.int("LINGONG_SMS_CODE_INTERVAL", default=60)
LINGONG_SMS_CODE_DAILY_LIMIT = env.int("LINGONG_SMS_CODE_DAILY_LIMIT", default=10)
LINGONG_SMS_CODE_MAX_ATTEMPTS = 5
LINGONG_API_TOKEN_DAYS = env.int("LINGONG_API_TOKEN_DAYS", default=365)
LINGONG_DEMO_PASSWORD = "Demo@2026"

# Map. Public pages use Tianditu (天地图, an approved map service) with a key, or any tile server the
# bureau names (an intranet tile server works). OpenStreetMap only in development (local settings).
# Without tiles the map still shows every market's marker, and the list beside it works without JavaScript.
TIANDITU_KEY = env("TIANDITU_KEY", default="")
LINGONG_MAP_TILE_URL = env(
    "LINGONG_MAP_TILE_URL",
    default=(
        "https://t{s}.tianditu.gov.cn/vec_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=vec&STYLE=default"
        f"&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={TIANDITU_KEY}"
        if TIANDITU_KEY
        else ""
    ),
)
LINGONG_MAP_LABEL_URL = env(
    "LINGONG_MAP_LABEL_URL",
    default=(
        "https://t{s}.tianditu.gov.cn/cva_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=cva&STYLE=default"
        f"&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={TIANDITU_KEY}"
        if TIANDITU_KEY
        else ""
    ),
)
LINGONG_MAP_TILE_SUBDOMAINS = env(
    "LINGONG_MAP_TILE_SUBDOMAINS", default="01234567" if TIANDITU_KEY else "abc"
)
LINGONG_MAP_ATTRIBUTION = env(
    "LINGONG_MAP_ATTRIBUTION", default="天地图 GS(2024)0568号" if TIANDITU_KEY else ""
)
LINGONG_MAP_CENTER = env.list("LINGONG_MAP_CENTER", cast=float, default=[36.7068, 119.1619])
LINGONG_MAP_ZOOM = env.int("LINGONG_MAP_ZOOM", default=9)
# Profile edits republish the map once they have been quiet this long; status changes publish at once.
LINGONG_MAP_PUBLISH_DEBOUNCE = env.int("LINGONG_MAP_PUBLISH_DEBOUNCE", default=20)
LINGONG_WEBHOOK_TIMEOUT = env.int("LINGONG_WEBHOOK_TIMEOUT", default=5)

# Postings of approved employers marked trusted skip review when the keyword screen finds nothing.
LINGONG_POSTING_AUTO_APPROVE_TRUSTED = env.bool("LINGONG_POSTING_AUTO_APPROVE_TRUSTED", default=True)

# Training attendance. The classroom QR code changes every LINGONG_TRAINING_QR_SECONDS (at most 30: a photo
# of the screen sent to an absent friend expires within a minute; the previous code is still accepted for a
# scan made at the edge of a period). Sign-in opens this many minutes before a session starts and closes at
# its end.
LINGONG_TRAINING_QR_SECONDS = min(30, env.int("LINGONG_TRAINING_QR_SECONDS", default=30))
LINGONG_TRAINING_SIGNIN_OPENS_MINUTES = env.int("LINGONG_TRAINING_SIGNIN_OPENS_MINUTES", default=30)

# Work and pay.
LINGONG_CHECKIN_RADIUS_M = env.int("LINGONG_CHECKIN_RADIUS_M", default=500)
LINGONG_APPROVAL_DEADLINE_HOURS = env.int("LINGONG_APPROVAL_DEADLINE_HOURS", default=48)
LINGONG_SETTLEMENT_DEADLINE_DAYS = env.int("LINGONG_SETTLEMENT_DEADLINE_DAYS", default=7)
LINGONG_PAYMENT_BACKEND = env("LINGONG_PAYMENT_BACKEND", default="offline")
LINGONG_SANDBOX_PAYMENT_SECRET = env("LINGONG_SANDBOX_PAYMENT_SECRET", default="sandbox-secret-change-me")
# Empty: the sandbox calls the callback handler in-process (tasks); else it POSTs the signed callback there.
LINGONG_SANDBOX_CALLBACK_URL = env("LINGONG_SANDBOX_CALLBACK_URL", default="")
# Online payments still pending after this long are failed, so that a new attempt can be made.
# A dashboard recompute (reports.runs) queued or running longer than this is ended failed: its worker died.
LINGONG_REPORT_RUN_TIMEOUT_MINUTES = env.int("LINGONG_REPORT_RUN_TIMEOUT_MINUTES", default=60)
LINGONG_SANDBOX_TIMEOUT_MINUTES = env.int("LINGONG_SANDBOX_TIMEOUT_MINUTES", default=30)
# Online providers (ADR 0018). The site's public address builds the notify and return URLs; pending online
# payments are queried at the provider once this old (the reconciliation scan), and failed (their order
# closed) after LINGONG_SANDBOX_TIMEOUT_MINUTES unless the provider says they were paid.
LINGONG_PAYMENT_SITE_URL = env("LINGONG_PAYMENT_SITE_URL", default="http://127.0.0.1:8000")
LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES = env.int("LINGONG_PAYMENT_RECONCILE_AFTER_MINUTES", default=10)
LINGONG_PAYMENT_HTTP_TIMEOUT = env.int("LINGONG_PAYMENT_HTTP_TIMEOUT", default=10)
LINGONG_WECHATPAY_API_BASE = env("LINGONG_WECHATPAY_API_BASE", default="https://api.mch.weixin.qq.com")
LINGONG_WECHATPAY_MCHID = env("LINGONG_WECHATPAY_MCHID", default="")
LINGONG_WECHATPAY_APPID = env("LINGONG_WECHATPAY_APPID", default="")
LINGONG_WECHATPAY_CERT_SERIAL_NO = env("LINGONG_WECHATPAY_CERT_SERIAL_NO", default="")
LINGONG_WECHATPAY_PRIVATE_KEY_PATH = env("LINGONG_WECHATPAY_PRIVATE_KEY_PATH", default="")
LINGONG_WECHATPAY_APIV3_KEY = env("LINGONG_WECHATPAY_APIV3_KEY", default="")
LINGONG_WECHATPAY_PUBLIC_KEY_PATH = env("LINGONG_WECHATPAY_PUBLIC_KEY_PATH", default="")
LINGONG_WECHATPAY_PUBLIC_KEY_ID = env("LINGONG_WECHATPAY_PUBLIC_KEY_ID", default="")
LINGONG_WECHATPAY_NOTIFY_URL = env("LINGONG_WECHATPAY_NOTIFY_URL", default="")
LINGONG_ALIPAY_GATEWAY = env("LINGONG_ALIPAY_GATEWAY", default="https://openapi.alipay.com/gateway.do")
LINGONG_ALIPAY_APPID = env("LINGONG_ALIPAY_APPID", default="")
LINGONG_ALIPAY_APP_PRIVATE_KEY_PATH = env("LINGONG_ALIPAY_APP_PRIVATE_KEY_PATH", default="")
LINGONG_ALIPAY_PUBLIC_KEY_PATH = env("LINGONG_ALIPAY_PUBLIC_KEY_PATH", default="")
LINGONG_ALIPAY_TRADE_TYPE = env("LINGONG_ALIPAY_TRADE_TYPE", default="wap")  # "wap" or "page"
LINGONG_ALIPAY_NOTIFY_URL = env("LINGONG_ALIPAY_NOTIFY_URL", default="")
LINGONG_GUIDANCE_MIN_OBSERVATIONS = env.int("LINGONG_GUIDANCE_MIN_OBSERVATIONS", default=30)
LINGONG_GUIDANCE_MIN_EMPLOYERS = env.int("LINGONG_GUIDANCE_MIN_EMPLOYERS", default=5)
# Reports' people breakdowns (gender, age band): a cell counting fewer people is not stored (ADR 0047).
LINGONG_REPORTS_MIN_CELL = env.int("LINGONG_REPORTS_MIN_CELL", default=5)
# training outcomes: a cohort with fewer completers shows counts only (no rates, no medians)
LINGONG_TRAINING_OUTCOME_MIN_COMPLETERS = env.int("LINGONG_TRAINING_OUTCOME_MIN_COMPLETERS", default=5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
