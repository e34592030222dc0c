"""Production: secrets from the environment, HTTPS hardening (`manage.py check --deploy` is clean).

Safe by default (DESIGN.md §10): refuses to start with no secret key or a published one, or
without Redis (the lockout counters and limits must be shared by every worker process); keeps
the cache and the task broker in separate Redis databases (a cache flush or eviction must not
drop queued tasks); trusts X-Forwarded-Proto only when told a proxy sets it; loads no demo data.
"""

import re

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import CACHES, REDIS_URL, env

DEBUG = False

# Keys that are (or were) published in this repository or by Django's project template.
PUBLISHED_SECRET_KEYS = frozenset(
    {
        "insecure-local-development-key-change-me-0123456789",
        "local-compose-only-secret-key-set-DJANGO_SECRET_KEY-for-real-use",
        "build-time-only-not-a-secret",
    }
)
SECRET_KEY = env("DJANGO_SECRET_KEY")
if SECRET_KEY in PUBLISHED_SECRET_KEYS or SECRET_KEY.startswith("django-insecure-"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is a published key: set a random one (at least 50 characters).")

if not REDIS_URL:
    raise ImproperlyConfigured(
        "REDIS_URL is required in production: the login lockout and the limits must be shared by all workers."
    )


def _redis_db(url: str) -> int:
    match = re.search(r"/(\d+)/?$", url)
    return int(match[1]) if match else 0


def _with_redis_db(url: str, db: int) -> str:
    return re.sub(r"(/\d+)?/?$", f"/{db}", url, count=1)


# The cache uses REDIS_URL's database; the broker (and task results) REDIS_BROKER_DB, default the next one.
REDIS_BROKER_DB = env.int("REDIS_BROKER_DB", default=_redis_db(REDIS_URL) + 1)
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=_with_redis_db(REDIS_URL, REDIS_BROKER_DB))
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
_cache_location = CACHES["default"]["LOCATION"]
if _with_redis_db(CELERY_BROKER_URL, _redis_db(CELERY_BROKER_URL)) == _with_redis_db(
    _cache_location, _redis_db(_cache_location)
):
    raise ImproperlyConfigured("The task broker and the cache must not share a Redis database (REDIS_BROKER_DB).")

# Only behind a proxy that sets X-Forwarded-Proto itself; otherwise a client could claim HTTPS.
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_TRUST_X_FORWARDED_PROTO", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# Health checks and the metrics scrape come over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^api/ping", r"^metrics$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True

# `seed_demo` creates logins with published passwords: never here.
DEMO_DATA_ALLOWED = False
