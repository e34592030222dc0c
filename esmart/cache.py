"""Django's Redis cache, made cheaper on the hot path and survivable when Redis is down.

`ReusedClientRedisCache`: Django builds a new redis.Redis client for every cache operation; its
constructor fills a response-callback table of some 170 entries, which cost about as much as the
round trip itself on the authenticated hot path (every request reads the credential cache). The
client is thread-safe and the pool is shared, so it is built once per pool.

`ResilientRedisCache` (DESIGN.md §10, "degrade, don't fail"): the credential cache, the lockout
counters and the limiter all live in the default cache, so a Redis outage must not turn every
request into a 500. When Redis cannot be reached, operations go to a per-process local-memory
cache instead; the outage is logged once, Redis is tried again only every `FALLBACK_RETRY_SECONDS`
(so an outage costs no connect timeout per request), and when it answers the app uses it again
without a restart. Lockout counters and limits are per process while Redis is down, which is
weaker than shared ones but better than refusing everybody.
"""

from __future__ import annotations

import logging
import threading
import time
from urllib.parse import urlsplit

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import InvalidResponse, OutOfMemoryError, ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

# Errors that mean "Redis cannot serve us" (down, not Redis, full, a read-only replica after a
# failover), as opposed to a bad command, which stays an error.
UNREACHABLE_ERRORS = (RedisConnectionError, RedisTimeoutError, InvalidResponse, OutOfMemoryError, ReadOnlyError)
DEFAULT_FALLBACK_RETRY_SECONDS = 5.0
FALLBACK_MAX_ENTRIES = 10_000


class ReusedClientRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients_by_pool", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


class RedisHealth:
    """Whether Redis is believed down and when to try it again; one per process and location."""

    def __init__(self, *, retry_seconds: float, clock=time.monotonic):
        self.retry_seconds = retry_seconds
        self.clock = clock
        self.down_since: float | None = None
        self.retry_at = 0.0
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def should_try(self) -> bool:
        return self.down_since is None or self.clock() >= self.retry_at

    def failed(self) -> bool:
        """Records a failed attempt; True when it starts an outage (the one time to log it)."""
        with self._lock:
            now = self.clock()
            self.retry_at = now + self.retry_seconds
            if self.down_since is None:
                self.down_since = now
                return True
            return False

    def answered(self) -> bool:
        """Records a successful call; True when it ends an outage."""
        if self.down_since is None:
            return False
        with self._lock:
            ended, self.down_since = self.down_since is not None, None
            return ended


_health_by_location: dict[str, RedisHealth] = {}
_health_lock = threading.Lock()


def _health_for(location: str, retry_seconds: float) -> RedisHealth:
    # Django makes one cache object per thread; the outage state is the process's.
    with _health_lock:
        health = _health_by_location.get(location)
        if health is None or health.retry_seconds != retry_seconds:
            health = _health_by_location[location] = RedisHealth(retry_seconds=retry_seconds)
        return health


def redacted(location: str) -> str:
    """host:port/db of a Redis URL, without a password, for log lines."""
    parts = [urlsplit(url.strip()) for url in location.split(",")]
    return ",".join(f"{p.hostname}:{p.port or 6379}{p.path}" for p in parts)


def _fallible(name: str):
    redis_method = getattr(ReusedClientRedisCache, name)

    def method(self, *args, **kwargs):
        health = self.health
        if not health.should_try():
            return getattr(self.fallback, name)(*args, **kwargs)
        try:
            result = redis_method(self, *args, **kwargs)
        except UNREACHABLE_ERRORS as exc:
            self._unreachable(exc)
            return getattr(self.fallback, name)(*args, **kwargs)
        if health.down:
            self._reachable()
        return result

    method.__name__ = name
    method.__doc__ = f"Redis's {name}, or the per-process cache's while Redis is unreachable."
    return method


class ResilientRedisCache(ReusedClientRedisCache):
    """OPTIONS go to redis-py's connection pool, except FALLBACK_RETRY_SECONDS (default 5)."""

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        retry_seconds = float(options.pop("FALLBACK_RETRY_SECONDS", DEFAULT_FALLBACK_RETRY_SECONDS))
        super().__init__(server, {**params, "OPTIONS": options})
        self._location = ",".join(self._servers)
        self.health = _health_for(self._location, retry_seconds)
        # The same name in every thread: LocMemCache instances of one name share their storage.
        self.fallback = LocMemCache(
            f"esmart-redis-fallback:{self._location}",
            {
                "TIMEOUT": params.get("TIMEOUT", 300),
                "KEY_PREFIX": params.get("KEY_PREFIX", ""),
                "VERSION": params.get("VERSION", 1),
                "KEY_FUNCTION": params.get("KEY_FUNCTION"),
                "OPTIONS": {"MAX_ENTRIES": FALLBACK_MAX_ENTRIES},
            },
        )

    def _unreachable(self, exc: Exception) -> None:
        if self.health.failed():
            logger.error(
                "Redis cache at %s is unreachable (%s: %s); using a per-process cache, retrying every %ss",
                redacted(self._location),
                type(exc).__name__,
                exc,
                self.health.retry_seconds,
            )

    def _reachable(self) -> None:
        if self.health.answered():
            # What was stored during the outage may be stale by the next one.
            self.fallback.clear()
            logger.warning("Redis cache at %s answers again; using it", redacted(self._location))

    def redis_reachable(self) -> bool:
        """A real PING (api/ping/checks); within the back-off it answers False without trying."""
        if not self.health.should_try():
            return False
        try:
            self._cache.get_client(write=True).ping()
        except UNREACHABLE_ERRORS as exc:
            self._unreachable(exc)
            return False
        self._reachable()
        return True

    add = _fallible("add")
    get = _fallible("get")
    set = _fallible("set")
    touch = _fallible("touch")
    delete = _fallible("delete")
    get_many = _fallible("get_many")
    has_key = _fallible("has_key")
    incr = _fallible("incr")
    set_many = _fallible("set_many")
    delete_many = _fallible("delete_many")
    clear = _fallible("clear")
