"""Redis down, then back: the API keeps answering from a per-process cache and returns to Redis.

The test runs its own redis-server on a free port (tests/core/redis_server.py) and stops it with
SHUTDOWN NOSAVE mid-test; the machine's shared Redis is never touched.
"""

import logging
import time

import pytest
from django.core.cache import cache, caches
from django.test import override_settings
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.retry import Retry

from esmart.cache import RedisHealth, redacted
from esmart.core import services

from ..conftest import basic
from .redis_server import REDIS_SERVER, PrivateRedis, free_port

pytestmark = pytest.mark.django_db
needs_redis_server = pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not on PATH")


def cache_settings(url: str, *, retry_seconds: float) -> dict:
    return {
        "default": {
            "BACKEND": "esmart.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": "esmart-outage-test",
            "OPTIONS": {
                "socket_connect_timeout": 0.5,
                "socket_timeout": 1,
                "retry": Retry(NoBackoff(), 1),
                "retry_on_error": [RedisConnectionError],
                "FALLBACK_RETRY_SECONDS": retry_seconds,
            },
        }
    }


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def redis_cache(private_redis):
    with override_settings(CACHES=cache_settings(private_redis.url, retry_seconds=0.2)):
        yield private_redis


def wait_until(probe, *, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.05)
    return False


@needs_redis_server
def test_requests_survive_a_redis_outage_and_use_redis_again(redis_cache, owner, anonymous, caplog):
    direct = redis_cache.client()
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}"
    assert client.get(url).status_code == 200
    assert direct.dbsize() > 0, "the verified credentials were not cached in Redis"
    assert anonymous.get("/api/ping/checks").status_code == 200

    redis_cache.stop()
    caplog.set_level(logging.INFO, logger="esmart.cache")
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, response.content
    wrong = anonymous.get(url, HTTP_AUTHORIZATION=basic(owner.user.username, "wrong-password"))
    assert wrong.status_code == 401  # the lockout counters work on the per-process cache
    assert anonymous.get("/api/ping").status_code == 200

    checks = anonymous.get("/api/ping/checks")
    assert checks.status_code == 503
    failed = [c for c in checks.json()["Checks"] if not c["Ok"]]
    assert [c["Name"] for c in failed] == ["Cache"]
    text = checks.content.decode()
    for detail in ("111", "refused", "Connection", str(redis_cache.port), "127.0.0.1"):
        assert detail not in text, f"backend detail {detail!r} echoed to an anonymous caller"
    time.sleep(0.3)  # past the back-off: the next call tries Redis again, and must not log again
    assert client.get(url).status_code == 200
    down_logs = [r for r in caplog.records if r.name == "esmart.cache" and "unreachable" in r.getMessage()]
    assert len(down_logs) == 1, [r.getMessage() for r in caplog.records]

    redis_cache.start()  # same port, empty
    assert wait_until(lambda: anonymous.get("/api/ping/checks").status_code == 200)
    assert any("answers again" in r.getMessage() for r in caplog.records if r.name == "esmart.cache")
    assert direct.dbsize() == 0
    assert client.get(url).status_code == 200
    assert direct.dbsize() > 0, "the app did not go back to Redis"


def test_within_the_back_off_redis_is_not_tried(settings):
    # Nothing listens on this port: every attempt would be a failed connect.
    with override_settings(CACHES=cache_settings(f"redis://127.0.0.1:{free_port()}/0", retry_seconds=600)):
        backend = caches["default"]
        attempts = []
        real_get_client = backend._cache.get_client

        def counting_get_client(*args, **kwargs):
            attempts.append(1)
            return real_get_client(*args, **kwargs)

        backend._cache.get_client = counting_get_client
        cache.set("key", "value")
        for _ in range(20):
            assert cache.get("key") == "value"
        assert cache.get_many(["key", "missing"]) == {"key": "value"}
        cache.add("counter", 0)
        assert cache.incr("counter") == 1
        assert services.check_cache() == services.CACHE_FALLBACK
        assert len(attempts) == 1, "Redis was tried again within the back-off"


def test_health_logs_an_outage_once_and_retries_after_the_back_off():
    now = [100.0]
    health = RedisHealth(retry_seconds=5, clock=lambda: now[0])
    assert health.should_try() and not health.down
    assert health.failed() is True  # the start of the outage
    assert health.failed() is False
    assert not health.should_try()
    now[0] += 5
    assert health.should_try()
    assert health.failed() is False  # still the same outage
    assert health.answered() is True
    assert health.answered() is False
    assert health.should_try() and not health.down


def test_log_lines_name_the_redis_server_without_its_password():
    assert redacted("redis://:s3cret@redis.internal:6380/2") == "redis.internal:6380/2"
    assert redacted("redis://127.0.0.1/0") == "127.0.0.1:6379/0"
