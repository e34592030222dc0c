"""Health checks of the subsystems the API depends on."""

from __future__ import annotations

import logging
import uuid

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from kombu.utils.url import maybe_sanitize_url

from esmart.celery import app as celery_app

from .outages import outage_log
from .tasks import HEARTBEAT_CACHE_KEY

logger = logging.getLogger(__name__)

# Fixed texts: backend errors carry hosts, ports and sometimes credentials.
CACHE_DOWN = "The cache is unreachable."
CACHE_FALLBACK = "The cache (Redis) is unreachable; each process uses a local cache meanwhile."
BROKER_DOWN = "The task broker is unreachable."


def subsystems() -> list[dict]:
    database = connection.settings_dict["ENGINE"].rsplit(".", 1)[-1]
    cache_backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    broker = "eager (in-process)" if settings.CELERY_TASK_ALWAYS_EAGER else celery_app.conf.broker_url.split(":", 1)[0]
    return [
        {"name": "Database", "kind": database},
        {"name": "Cache", "kind": cache_backend},
        {"name": "TaskBroker", "kind": broker},
    ]


def last_worker_heartbeat():
    return cache.get(HEARTBEAT_CACHE_KEY)


def check_cache() -> str | None:
    """None when the cache works, else a message that names no backend detail (anyone may call ping).

    A cache that falls back to a per-process one while Redis is down still round-trips values,
    so that one is asked about Redis itself.
    """
    if hasattr(cache, "redis_reachable"):
        return None if cache.redis_reachable() else CACHE_FALLBACK
    key, value = f"ping:{uuid.uuid4().hex}", uuid.uuid4().hex
    outage = outage_log(logger, "The cache", settings.CACHES["default"]["BACKEND"])
    try:
        cache.set(key, value, timeout=10)
        ok = cache.get(key) == value
        cache.delete(key)
    except Exception as exc:  # any backend error means the cache is unusable; the detail goes to the log, once
        outage.failed(exc)
        return CACHE_DOWN
    outage.answered()
    return None if ok else "The cache did not return the value just stored."


def check_broker() -> str | None:
    """None when the broker accepts a connection; a failure is logged once per outage (esmart/core/outages.py)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return None  # tasks run in-process; there is no broker to reach
    url = celery_app.conf.broker_url
    outage = outage_log(logger, f"The task broker at {maybe_sanitize_url(url)}", url)
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=0, timeout=2)  # one attempt: anyone may call this
    except Exception as exc:  # kombu raises many transport-specific errors; the detail goes to the log
        outage.failed(exc)
        return BROKER_DOWN
    outage.answered()
    return None


def check_database() -> dict:
    """A real query against the tables the API serves (the original's Any() meters): settings.HEALTH_CHECK_MODELS
    names them by app label, so the kernel imports no app."""
    return {key: apps.get_model(label)._default_manager.exists() for key, label in settings.HEALTH_CHECK_MODELS.items()}
