"""Which logins are locked out: for support staff (`manage.py unlock_login`, the admin's user
page and action) and for the metrics (docs/operations.md).

The lockout itself is a cache key per (username, client network), named by an HMAC of both
(esmart.api.authentication): the hot path reads it by name and nothing can list it. So when a
pair is locked, it is also noted here, in keys that expire with the lock:

- per username, a counter and one slot per lock (`auth:locks:<user>:n`, `...:<i>`): which pairs,
  from which network, until when; written with an atomic increment, so two locks of one username
  at the same moment both get a slot;
- for the count of active lockouts, a counter per 10 seconds of lock starts
  (`auth:locks:started:<bucket>`): a scrape adds up the buckets of the last lockout window (at
  most 10 s late to see a lock end), an unlock takes its lock off its bucket.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache

BUCKET_SECONDS = 10


@dataclasses.dataclass(frozen=True)
class Lock:
    network: str
    locked_until: dt.datetime


def _window() -> int:
    return settings.AUTH_LOCKOUT_WINDOW_SECONDS


def _user_prefix(username: str) -> str:
    from .authentication import _digest

    return f"auth:locks:{_digest('locks', username)[:40]}"


def _bucket_key(started: float) -> str:
    return f"auth:locks:started:{int(started // BUCKET_SECONDS)}"


def _incr(key: str, timeout: int) -> int:
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add() and incr()
        cache.set(key, 1, timeout=timeout)
        return 1


def recorded(*, username: str, network: str, fail_key: str, lock_key: str, locked_until: float) -> None:
    """Notes a lock that verify_credentials has just set."""
    window = _window()
    started = locked_until - window
    prefix = _user_prefix(username)
    slot = _incr(f"{prefix}:n", window)
    cache.touch(f"{prefix}:n", window)
    entry = {"fail": fail_key, "lock": lock_key, "network": network, "until": locked_until, "started": started}
    cache.set(f"{prefix}:{slot}", entry, timeout=window)
    _incr(_bucket_key(started), window + BUCKET_SECONDS)


def _entries(username: str) -> tuple[str, dict[str, dict]]:
    prefix = _user_prefix(username)
    count = cache.get(f"{prefix}:n") or 0
    slots = cache.get_many([f"{prefix}:{i}" for i in range(1, count + 1)])
    return prefix, slots


def _live(slots: dict[str, dict]) -> dict[str, dict]:
    """The slots whose lock still holds (not expired, not cleared)."""
    locks = cache.get_many([entry["lock"] for entry in slots.values()])
    return {key: entry for key, entry in slots.items() if entry["lock"] in locks and entry["until"] > time.time()}


def locks_of(username: str) -> list[Lock]:
    """The username's active locks, soonest end first."""
    _prefix, slots = _entries(username)
    locks = [
        Lock(network=entry["network"], locked_until=dt.datetime.fromtimestamp(entry["until"], tz=dt.UTC))
        for entry in _live(slots).values()
    ]
    return sorted(locks, key=lambda lock: lock.locked_until)


def clear(username: str) -> int:
    """Ends every lock of `username` and forgets its failed attempts; the number of locks ended."""
    prefix, slots = _entries(username)
    live = _live(slots)
    doomed = [f"{prefix}:n", *slots]
    for entry in slots.values():
        doomed += [entry["lock"], entry["fail"]]
    cache.delete_many(doomed)
    for entry in live.values():
        with contextlib.suppress(ValueError):  # its bucket already expired
            cache.decr(_bucket_key(entry["started"]))
    return len(live)


def active_count(now: float | None = None) -> int:
    """Locks started within the last lockout window and not cleared (a lock that ended in the last
    10 seconds may still count)."""
    now = time.time() if now is None else now
    first = int((now - _window()) // BUCKET_SECONDS)
    last = int(now // BUCKET_SECONDS)
    keys = [f"auth:locks:started:{bucket}" for bucket in range(first, last + 1)]
    return max(0, sum(cache.get_many(keys).values()))
