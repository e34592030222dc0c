"""Settings shared by every environment; everything that differs comes from the environment.

With no variables set the project runs on embedded defaults (SQLite, local-memory cache, eager
Celery), so `make run` needs nothing installed.
"""

from pathlib import Path

import environ
from corsheaders.defaults import default_headers
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from esmart.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-development-key-change-me-0123456789")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    # Swagger UI's files from the package, served by WhiteNoise: api/docs/ needs no CDN.
    "drf_spectacular_sidecar",
    "corsheaders",
    "esmart.core",
    "apps.customers",
    "apps.metering",
    "apps.assets",
    "apps.pricing",
    "apps.notifications",
    "apps.ev",
    "apps.assignments",
    "apps.flex",
]

MIDDLEWARE = [
    # X-Request-ID on every answer, and on every log line of the request (docs/operations.md).
    "esmart.request_id.RequestIdMiddleware",
    # Latency by route template and status, queries per route, for /metrics.
    "esmart.metrics.MetricsMiddleware",
    "esmart.api.middleware.QueryCredentialsMiddleware",
    # Browser apps on other origins: only CORS_ALLOWED_ORIGINS (none by default), API paths only.
    "corsheaders.middleware.CorsMiddleware",
    "esmart.core.middleware.NoStoreApiResponsesMiddleware",
    # A view that cannot reach the database answers 503 with Retry-After, not 500.
    "esmart.core.middleware.DatabaseOutageMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The admin in the staff's language (Accept-Language: nb) and Oslo time; the API stays English.
    "esmart.core.middleware.AdminLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "esmart.urls"
WSGI_APPLICATION = "esmart.wsgi.application"
AUTH_USER_MODEL = "customers.User"
# The app whose permissions are the professionals' privileges (esmart.api.permissions.privilege_required).
PRIVILEGES_APP_LABEL = "customers"
# What the health check queries (esmart.core.services.check_database): the tables the API serves, by app label.
HEALTH_CHECK_MODELS = {"meters": "customers.Meter", "customers": "customers.Customer"}

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# API writes run in one transaction each (esmart.api.views.ApiView.dispatch), the admin's in its own.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# A PostgreSQL streaming replica for heavy reads (series, comparisons, exports): esmart/replica.py,
# docs/replica.md. Without it the router sends everything to the primary.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"].setdefault("CONN_MAX_AGE", DATABASES["default"]["CONN_MAX_AGE"])
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # libpq's connect_timeout (2 s at least): an unreachable replica costs at most this, once per retry.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_REPLICA_CONNECT_TIMEOUT", default=2)
    )
DATABASE_ROUTERS = ["esmart.replica.ReplicaRouter"]
# A replica that failed is left alone this long; the CIM export waits this long for it to catch up.
DATABASE_REPLICA_RETRY_SECONDS = env.float("DATABASE_REPLICA_RETRY_SECONDS", default=10.0)
DATABASE_REPLICA_CATCH_UP_SECONDS = env.float("DATABASE_REPLICA_CATCH_UP_SECONDS", default=5.0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default="")
# Short timeouts: Redis answers in well under a millisecond, and an unreachable Redis must cost
# a request at most this, not redis-py's 5 s default (DESIGN.md §10).
REDIS_CONNECT_TIMEOUT_SECONDS = env.float("REDIS_CONNECT_TIMEOUT_SECONDS", default=0.5)
REDIS_SOCKET_TIMEOUT_SECONDS = env.float("REDIS_SOCKET_TIMEOUT_SECONDS", default=1.0)
if REDIS_URL:
    CACHES = {
        "default": {
            # Falls back to a per-process cache while Redis is unreachable (esmart/cache.py).
            "BACKEND": "esmart.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="esmart"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
                "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS,
                # One immediate retry on a fresh connection: the pooled ones die when Redis restarts.
                "retry": Retry(NoBackoff(), 1),
                "retry_on_error": [RedisConnectionError],
                "FALLBACK_RETRY_SECONDS": env.float("CACHE_FALLBACK_RETRY_SECONDS", default=5.0),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
# The wire format is UTC (DESIGN.md §4); local calendar time is applied per meter where needed.
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# The admin only (esmart.core.middleware.AdminLocaleMiddleware): the language Accept-Language asks
# for among these, times in ADMIN_TIME_ZONE; 24-hour formats in English too (esmart/formats/).
LANGUAGES = [("en", "English"), ("nb", "Norsk (bokmål)")]
ADMIN_TIME_ZONE = env("ADMIN_TIME_ZONE", default="Europe/Oslo")
FORMAT_MODULE_PATH = ["esmart.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# The original API had no trailing slashes; the router tolerates one instead of redirecting.
APPEND_SLASH = False

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "esmart.api.authentication.CachedBasicAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["esmart.api.renderers.WireJSONRenderer", "esmart.api.renderers.TextJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["esmart.api.parsers.WireJSONParser", "esmart.api.parsers.TextJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "esmart.api.renderers.WireContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "esmart.api.schema.WireAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "EXCEPTION_HANDLER": "esmart.api.exceptions.wire_exception_handler",
    # Datetimes leave serializers as objects; the renderer writes them as UTC text (casing.py).
    "DATETIME_FORMAT": None,
    # Dates too: the renderer writes them as .NET DateTimes at midnight, 2013-09-17T00:00:00; they
    # are read with or without the time (and offset), which is ignored (esmart/api/fields.py).
    "DATE_FORMAT": None,
    "DATE_INPUT_FORMATS": [
        "iso-8601",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M:%S.%f",
        "%Y-%m-%dT%H:%M:%S%z",
        "%Y-%m-%dT%H:%M:%S.%f%z",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "NUM_PROXIES": env.int("NUM_PROXIES", default=0),
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Decimals leave serializers as Decimal and the renderer writes them as JSON numbers (casing.py),
    # so a DecimalField documents a number, as it is sent (docs/api-schema.md).
    "COERCE_DECIMAL_TO_STRING": False,
}

# CORS (django-cors-headers) for browser apps served from other origins: none unless listed, e.g.
# CORS_ALLOWED_ORIGINS=https://minside.example.no. The API's own headers may be sent; the request
# id may be read back.
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_HEADERS = (*default_headers, "x-area", "x-contractid", "x-request-id")
CORS_EXPOSE_HEADERS = ("X-Request-ID", "Retry-After")
CORS_PREFLIGHT_MAX_AGE = 3600

# /metrics (esmart/metrics.py): loopback callers, and callers with `Authorization: Bearer <this>`.
METRICS_TOKEN = env("METRICS_TOKEN", default="")

# How deep a JSON request body may nest (at most 256): deeper is a 400 before anything walks it.
API_JSON_MAX_DEPTH = env.int("API_JSON_MAX_DEPTH", default=64)

# The largest page of any paged list (esmart/api/pagination.py; the choice is explained in docs/api.md).
API_MAX_PAGE_SIZE = 10_000
# Off: every response is rendered by its declared serializer from the instance, never by the
# serializer's fast producer (SQL-built JSON, cached wire bytes); docs/api.md "How a view answers".
API_FAST_OUTPUT = env.bool("API_FAST_OUTPUT", default=True)
# Off: anchor queries go through the ORM on every request instead of the statement compiled once
# per view (esmart/api/compiled.py).
API_COMPILED_ANCHORS = env.bool("API_COMPILED_ANCHORS", default=True)

SPECTACULAR_SETTINGS = {
    "TITLE": "eSmart customer API",
    "DESCRIPTION": (
        "REST access to customers, contracts, meters, consumption, prices and invoices. "
        "Every request is authenticated with HTTP Basic. Select the area with the X-Area header "
        "(1 = Net, 2 = Power; absent = Power). Dates and times are UTC, written 2013-09-17T22:39:30."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI (and ReDoc) from drf_spectacular_sidecar's static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from the online validator (validator.swagger.io): the page fetches nothing from elsewhere.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_GENERATE_CHOICE_DESCRIPTION": True,
    # A PATCH body is the original's DTO, not a "Patched…" copy of it (contract.md).
    "COMPONENT_SPLIT_PATCH": False,
    # Enum components keep the original's names (contract.md); an enum not listed is named after
    # its class (esmart.api.fields.EnumField).
    "ENUM_NAME_OVERRIDES": {
        "ConsumptionSeriesResolution": "apps.metering.models.Resolution",
        "Quality": "apps.metering.models.Quality",
        "AreaEnum": "esmart.api.area.Area",
        "InvoiceStatusEnum": "apps.pricing.models.InvoiceStatus",
        "RelationType": "apps.assets.models.RelationType",
        "HierarchyType": "apps.assets.models.Hierarchy",
    },
    # Advertised credentials: Basic, and the invoice PDF's query credentials where they apply. The
    # session cookie (the admin's, the browsable pages') works on the wire but is no API credential.
    "AUTHENTICATION_WHITELIST": [
        "esmart.api.authentication.CachedBasicAuthentication",
        "apps.pricing.authentication.InvoicePdfAuthentication",
    ],
    # Bodies are documented as application/json; text/json is still read (esmart/api/parsers.py),
    # but generators warn about it on every body (docs/api-schema.md).
    "PARSER_WHITELIST": ["esmart.api.parsers.WireJSONParser", "rest_framework.parsers.FormParser"],
    # A route that matches digits but whose value the original typed as a string (contract.md).
    "PATH_CONVERTER_OVERRIDES": {"digits": {"type": "string", "pattern": "^[0-9]+$"}},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "esmart.api.schema.optional_properties_are_nullable",
        "esmart.api.schema.wire_names_hook",
        "esmart.api.schema.blank_strings_are_any_of",
        "esmart.api.schema.request_components_hold_what_the_server_reads",
        "esmart.api.schema.shared_header_parameters",
        "esmart.api.schema.path_names_as_in_the_seed",
        "esmart.api.schema.every_parameter_is_described",
        "esmart.api.schema.bodies_have_examples",
    ],
}

# Celery: with no REDIS_URL tasks run eagerly in-process, so nothing needs a broker. Eager tasks
# still open a producer on the in-memory transport: its URL names a host, or kombu warns that none
# was supplied (tests/core/test_quiet_defaults.py).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {}
# Redis redelivers an unacknowledged message after the visibility timeout; acks_late tasks that
# run longer would run twice. 12 h is above the longest task (the nightly CIM export), which
# also takes a lock per day (apps/metering/cim.py).
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=6 * 60 * 60)
# On SIGTERM (with REMAP_SIGTERM=SIGQUIT, as docker/compose.yaml sets): running tasks get this many
# seconds to finish, then the worker stops and Redis's unacknowledged (acks_late) tasks go back to
# the queue for the next worker, so a stop never waits for the 6-hour limit (docs/operations.md).
CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT = env.float("CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT", default=0.0)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=12 * 60 * 60),
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0),
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=5.0)
# A request that queues a task must not hang on a broker that is down (esmart.celery.enqueue_on_commit).
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
# Celery's Django fixup closes the database connection around every task unless this is set; a task
# keeps it as a request does instead (CONN_MAX_AGE, health checks: esmart.celery), so the fixup's
# own close only comes every 2 × this many tasks.
CELERY_DB_REUSE_MAX = 1000

# Basic authentication: verified credentials are remembered for this long (seconds), failed
# attempts are counted per (username, client IP) and lock the pair out after the limit.
AUTH_CREDENTIAL_CACHE_SECONDS = env.int("AUTH_CREDENTIAL_CACHE_SECONDS", default=300)
AUTH_LOCKOUT_ATTEMPTS = env.int("AUTH_LOCKOUT_ATTEMPTS", default=5)
AUTH_LOCKOUT_WINDOW_SECONDS = env.int("AUTH_LOCKOUT_WINDOW_SECONDS", default=15 * 60)
# A (username, client network) pair that verified its password within this many seconds is "known":
# its logins skip the network's hasher allowance (the pair's own lockout still applies).
AUTH_KNOWN_CLIENT_SECONDS = env.int("AUTH_KNOWN_CLIENT_SECONDS", default=30 * 24 * 60 * 60)

ESMART_VERSION = "1.0.0"
# `seed_demo` creates logins with published passwords; the production settings refuse it.
DEMO_DATA_ALLOWED = True
# The CIM export's files: web (download links) and worker (export) must see the same directory.
METERING_CIM_DIR = env("METERING_CIM_DIR", default=str(BASE_DIR / "var" / "cim"))

# Notifications (apps/notifications/conf.py): e-mail alerts go through Django's e-mail backend, the
# console unless EMAIL_BACKEND names SMTP (then EMAIL_HOST...); push provider, FCM credentials per app
# short name (JSON: {"smartliv": {"project_id": ..., "service_account_json": ...}}, the admin's push
# app credentials win) and Twilio from the environment. Unset Twilio values: its routes answer 503.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@example.com")
NOTIFICATIONS_PUSH_PROVIDER = env("NOTIFICATIONS_PUSH_PROVIDER", default="console")
NOTIFICATIONS_FCM_CREDENTIALS = env.json("NOTIFICATIONS_FCM_CREDENTIALS", default={})
TWILIO_ACCOUNT_SID = env("TWILIO_ACCOUNT_SID", default="")
TWILIO_API_KEY = env("TWILIO_API_KEY", default="")
TWILIO_API_SECRET = env("TWILIO_API_SECRET", default="")
TWILIO_AUTH_TOKEN = env("TWILIO_AUTH_TOKEN", default="")
TWILIO_WEBHOOK_URL = env("TWILIO_WEBHOOK_URL", default="")

# One setup for web, worker and beat: LOG_FORMAT=json for one JSON object per line (esmart/logging.py).
LOGGING_CONFIG = "esmart.logging.configure"
LOGGING = logging_config(
    level=env("LOG_LEVEL", default="INFO"),
    log_format=env("LOG_FORMAT", default="plain"),
    eager_tasks=CELERY_TASK_ALWAYS_EAGER,
)

# Errors and failed tasks to Sentry when SENTRY_DSN is set (esmart/sentry.py: nothing secret is sent).
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    from esmart.sentry import init_sentry

    init_sentry(
        SENTRY_DSN,
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        release=f"esmart@{ESMART_VERSION}",
    )
