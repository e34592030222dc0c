"""The day store of spot prices: stored days, the cache in front of them, fetching a missing day once.

Reads that need a day (the spot-price series, hour prices, costs) come here; a missing day is fetched
from the configured source under a lock, so N requests for the same day make one call. Only zones the
deployment serves and days from `conf.FIRST_PRICE_DAY` to tomorrow are ever fetched (`fetchable`).

Dependencies run one way: rules → spotprices → selectors → services (billing).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
import zlib

from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from . import conf
from .adapters import DayPrices, PriceNotPublishedError, SourceError, get_source
from .adapters.base import market_date
from .areas import BiddingZone
from .areas import zone as find_zone
from .models import SpotPrice, SpotPriceDay, SpotPriceFetchLock
from .spotwire import DayWire, render_day, wire_cache_key

logger = logging.getLogger(__name__)

CACHE_VERSION = 1
# A day's rows: (start epoch, "ValueTime" text, NOK/kWh, EUR/MWh, exchange rate, preliminary, minutes).
Row = tuple


def day_cache_key(area: str, day: dt.date) -> str:
    return f"pricing:day:{CACHE_VERSION}:{area}:{day.isoformat()}"


def unpublished_cache_key(area: str, day: dt.date) -> str:
    return f"pricing:unpublished:{area}:{day.isoformat()}"


def lock_cache_key(area: str, day: dt.date) -> str:
    return f"pricing:lock:{area}:{day.isoformat()}"


# --- The cache, degraded to "no cache" when it is unreachable -------------------------------------
class _Unreachable:
    pass


UNREACHABLE = _Unreachable()


def _cached(operation, *args, default=None, **kwargs):
    """`cache.<operation>(...)`, or `default` when the cache cannot be reached (the API still answers)."""
    try:
        return getattr(cache, operation)(*args, **kwargs)
    except Exception:  # any backend error: redis.ConnectionError, TimeoutError, OSError...
        logger.warning("Cache %s failed; spot prices go to the database", operation, exc_info=True)
        return default


def _forget(area: str, day: dt.date) -> None:
    keys = [day_cache_key(area, day), wire_cache_key(area, day), unpublished_cache_key(area, day)]
    _cached("delete_many", keys)


# --- What may be fetched ---------------------------------------------------------------------------
def tomorrow() -> dt.date:
    return market_date(dt.datetime.now(dt.UTC)) + dt.timedelta(days=1)


def fetchable_days() -> tuple[dt.date, dt.date]:
    """The first and last delivery day fetched on demand."""
    return conf.FIRST_PRICE_DAY, tomorrow()


def is_served(zone: BiddingZone) -> bool:
    return zone.eic in {find_zone(name).eic for name in conf.SERVED_AREAS}


def fetchable(zone: BiddingZone, day: dt.date) -> bool:
    first, last = fetchable_days()
    return is_served(zone) and first <= day <= last


# --- Storing and fetching a day ------------------------------------------------------------------
@transaction.atomic
def store_day(*, prices: DayPrices) -> SpotPriceDay:
    """Replaces the stored prices of (area, day) with `prices`; the cached copy is dropped."""
    SpotPrice.objects.filter(area=prices.area, delivery_date=prices.delivery_date).delete()
    SpotPrice.objects.bulk_create(
        [
            SpotPrice(
                area=prices.area,
                start_at=p.start_at,
                end_at=p.end_at,
                delivery_date=prices.delivery_date,
                eur_per_mwh=p.eur_per_mwh,
                nok_per_kwh=p.nok_per_kwh,
                exchange_rate=p.exchange_rate,
                preliminary=prices.preliminary,
            )
            for p in prices.intervals
        ]
    )
    day, _ = SpotPriceDay.objects.update_or_create(
        area=prices.area,
        delivery_date=prices.delivery_date,
        defaults={
            "resolution_minutes": prices.resolution_minutes,
            "intervals": len(prices.intervals),
            "source": prices.source,
            "preliminary": prices.preliminary,
            "fetched_at": timezone.now(),
        },
    )
    _forget(prices.area, prices.delivery_date)
    transaction.on_commit(lambda: _forget(prices.area, prices.delivery_date))
    return day


def fetch_day(*, zone: BiddingZone, day: dt.date, force: bool = False, source: str | None = None) -> SpotPriceDay:
    """Fetches and stores one market day of `zone` unless final prices are already stored (idempotent).

    Raises PriceNotPublishedError or SourceError from the source.
    """
    if not force:
        stored = SpotPriceDay.objects.filter(area=zone.eic, delivery_date=day, preliminary=False).first()
        if stored is not None:
            return stored
    prices = get_source(source).fetch_day(zone=zone, day=day)
    if prices.area != zone.eic or prices.delivery_date != day:
        raise SourceError(f"The source answered {prices.area} {prices.delivery_date} for {zone.eic} {day}.")
    stored = store_day(prices=prices)
    logger.info("Stored %s spot prices of %s %s from %s", stored.intervals, zone.code, day, prices.source)
    return stored


def rows_from_db(area: str, day: dt.date) -> list[Row] | None:
    """The stored rows of a day, or None when the day is not stored."""
    if not SpotPriceDay.objects.filter(area=area, delivery_date=day).exists():
        return None
    rows = SpotPrice.objects.filter(area=area, delivery_date=day).order_by("start_at")
    return [
        (
            int(p.start_at.timestamp()),
            p.start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            float(p.nok_per_kwh),
            float(p.eur_per_mwh),
            float(p.exchange_rate),
            p.preliminary,
            int((p.end_at - p.start_at).total_seconds() // 60),
        )
        for p in rows.only("start_at", "end_at", "nok_per_kwh", "eur_per_mwh", "exchange_rate", "preliminary")
    ]


# --- The fetch lock: the cache when it answers, the database always ------------------------------
def _take_db_lock(area: str, day: dt.date) -> None:
    """Holds a lock on (area, day) until the surrounding transaction ends; waits at most
    PRICING_LOCK_WAIT_SECONDS (then a DatabaseError). PostgreSQL: a transaction-level advisory lock;
    elsewhere: a row of SpotPriceFetchLock locked by select_for_update and an update (SQLite has no row
    locks, but the update takes its database write lock, which serialises the fetchers as well)."""
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"pricing:{area}:{day.isoformat()}".encode())
        with connection.cursor() as cursor:
            # The wait limit applies to this lock only: the caller's own lock_timeout comes back after it.
            cursor.execute("SELECT current_setting('lock_timeout')")
            (previous,) = cursor.fetchone()
            wait_ms = str(int(conf.PRICING_LOCK_WAIT_SECONDS * 1000))
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [wait_ms])
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x5052, key - 2**31])
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
        return
    lock, _ = SpotPriceFetchLock.objects.get_or_create(area=area, delivery_date=day)
    SpotPriceFetchLock.objects.select_for_update().filter(pk=lock.pk).update(locked_at=timezone.now())


def _fetch_with_db_lock(zone: BiddingZone, day: dt.date) -> list[Row] | None:
    """Under the database lock: the stored day, or fetch and store it. The lock is what holds across
    workers when the cache is unreachable (a per-process fallback cache would lock nothing)."""
    unpublished_key = unpublished_cache_key(zone.eic, day)
    try:
        with transaction.atomic():
            _take_db_lock(zone.eic, day)
            rows = rows_from_db(zone.eic, day)
            if rows is None:
                try:
                    fetch_day(zone=zone, day=day)
                except PriceNotPublishedError:
                    _cached("set", unpublished_key, True, timeout=conf.PRICING_NOT_PUBLISHED_SECONDS)
                    return None
                except SourceError:
                    logger.warning("Spot prices of %s %s could not be fetched", zone.code, day, exc_info=True)
                    _cached("set", unpublished_key, True, timeout=conf.PRICING_NOT_PUBLISHED_SECONDS)
                    return None
                rows = rows_from_db(zone.eic, day)
    except DatabaseError:  # the lock wait timed out: another worker is still fetching
        logger.info("Gave up waiting for the fetch lock of %s %s", zone.code, day)
        return rows_from_db(zone.eic, day)
    _cached("set", day_cache_key(zone.eic, day), rows, timeout=conf.PRICING_CACHE_SECONDS)
    return rows


def _fetch_under_lock(zone: BiddingZone, day: dt.date) -> list[Row] | None:
    """Fetches a missing day once, however many requests want it at the same moment.

    The first caller takes a cache lock (cache.add is atomic in Redis and in the local-memory
    cache) and the others wait for the cached day instead of opening a transaction each; the fetch
    itself runs under the database lock, so it happens once even when the cache is down. "Not
    published" is remembered for a while, so a future day does not send every request to the source.
    """
    unpublished_key = unpublished_cache_key(zone.eic, day)
    if _cached("get", unpublished_key):
        return None
    lock_key = lock_cache_key(zone.eic, day)
    token = uuid.uuid4().hex
    taken = _cached("add", lock_key, token, timeout=conf.PRICING_LOCK_SECONDS, default=UNREACHABLE)
    if taken is UNREACHABLE or taken:
        try:
            return _fetch_with_db_lock(zone, day)
        finally:
            if taken is True and _cached("get", lock_key) == token:
                _cached("delete", lock_key)
    deadline = time.monotonic() + conf.PRICING_LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        rows = _cached("get", day_cache_key(zone.eic, day))
        if rows is not None:
            return rows
        if _cached("get", unpublished_key):
            return None
        if _cached("get", lock_key) is None:
            return rows_from_db(zone.eic, day)
    return None


def rows_for_days(
    *, zone: BiddingZone, days: list[dt.date], use_cache: bool = True, fetch: bool = False
) -> dict[dt.date, list[Row]]:
    """The rows of each day (an empty list for a day that is not stored); one cache round trip when warm.

    Reads only, unless `fetch`: then a day that is not stored is fetched when `fetchable` (a served
    zone, not before the first supported day, not after tomorrow). The reads of the API never fetch:
    their views call `fetch_missing_days` first (a GET does not write as a side effect of a read)."""
    found: dict[dt.date, list[Row]] = {}
    if use_cache:
        keys = {day_cache_key(zone.eic, day): day for day in days}
        for key, rows in (_cached("get_many", list(keys)) or {}).items():
            found[keys[key]] = rows
    to_cache = {}
    for day in days:
        if day in found:
            continue
        rows = rows_from_db(zone.eic, day)
        if rows is None:
            rows = _fetch_under_lock(zone, day) if fetch and fetchable(zone, day) else None
        elif use_cache:
            to_cache[day_cache_key(zone.eic, day)] = rows
        found[day] = rows or []
    if to_cache:
        _cached("set_many", to_cache, timeout=conf.PRICING_CACHE_SECONDS)
    return found


def fetch_missing_days(*, zone: BiddingZone, days: list[dt.date], use_cache: bool = True) -> None:
    """Fetches the days of `days` that are not stored and may be fetched (`fetchable`), each once however
    many requests want it (the cache lock and the database lock of `_fetch_under_lock`). The explicit
    write the API's price and cost reads call before they read."""
    rows_for_days(zone=zone, days=days, use_cache=use_cache, fetch=True)


def wire_for_days(*, zone: BiddingZone, days: list[dt.date], use_cache: bool = True) -> dict[dt.date, DayWire]:
    """The wire form of each day (spotwire.render_day); one cache round trip when warm.

    A miss is rendered from `rows_for_days` and cached under its own key, which store_day drops
    together with the rows. A day without rows is not cached: it may be stored later."""
    found: dict[dt.date, DayWire] = {}
    if use_cache:
        keys = {wire_cache_key(zone.eic, day): day for day in days}
        for key, wire in (_cached("get_many", list(keys)) or {}).items():
            found[keys[key]] = wire
    missing = [day for day in days if day not in found]
    if missing:
        rows = rows_for_days(zone=zone, days=missing, use_cache=use_cache)
        rendered = {day: render_day(rows[day]) for day in missing}
        found.update(rendered)
        to_cache = {wire_cache_key(zone.eic, day): wire for day, wire in rendered.items() if wire.epochs}
        if use_cache and to_cache:
            _cached("set_many", to_cache, timeout=conf.PRICING_CACHE_SECONDS)
    return found
