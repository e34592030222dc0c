"""Storing and reading spot prices: idempotent fetch, cache hit/miss/bypass, the on-demand lock."""

import datetime as dt
import threading
import time
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.db import connection

from apps.pricing import selectors, services, spotprices
from apps.pricing.adapters import PriceNotPublishedError
from apps.pricing.adapters.base import market_day_bounds
from apps.pricing.areas import zone
from apps.pricing.models import SpotPrice, SpotPriceDay

from .conftest import in_threads

pytestmark = pytest.mark.django_db

NO1 = zone("NO1")
DAY = dt.date(2025, 10, 2)


def test_fetch_day_stores_every_interval(source):
    stored = services.fetch_day(zone=NO1, day=DAY)
    assert (stored.intervals, stored.resolution_minutes, stored.source) == (96, 15, "counting")
    assert SpotPrice.objects.filter(area=NO1.eic, delivery_date=DAY).count() == 96


def test_fetch_day_is_idempotent(source):
    services.fetch_day(zone=NO1, day=DAY)
    services.fetch_day(zone=NO1, day=DAY)
    assert source.calls == [("NO1", DAY)]
    assert SpotPrice.objects.count() == 96
    assert SpotPriceDay.objects.count() == 1


def test_force_refetch_replaces_the_day(source):
    services.fetch_day(zone=NO1, day=DAY)
    SpotPrice.objects.filter(area=NO1.eic).update(nok_per_kwh=Decimal("9"))
    services.fetch_day(zone=NO1, day=DAY, force=True)
    assert len(source.calls) == 2
    assert SpotPrice.objects.count() == 96
    assert not SpotPrice.objects.filter(nok_per_kwh=Decimal("9")).exists()


def test_preliminary_day_is_fetched_again(source):
    services.fetch_day(zone=NO1, day=DAY)
    SpotPriceDay.objects.update(preliminary=True)
    services.fetch_day(zone=NO1, day=DAY)
    assert len(source.calls) == 2


class TestCache:
    def test_miss_fetches_then_hit_runs_no_query(self, source, django_assert_num_queries):
        rows = services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]
        assert len(rows) == 96
        assert cache.get(services.day_cache_key(NO1.eic, DAY)) == rows
        with django_assert_num_queries(0):
            assert services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY] == rows
        assert len(source.calls) == 1

    def test_stored_day_is_read_from_the_database_once(self, source, django_assert_num_queries):
        services.fetch_day(zone=NO1, day=DAY)
        with django_assert_num_queries(2):
            services.rows_for_days(zone=NO1, days=[DAY], fetch=True)
        with django_assert_num_queries(0):
            services.rows_for_days(zone=NO1, days=[DAY], fetch=True)

    def test_bypass_reads_the_database_not_the_cache(self, source):
        services.rows_for_days(zone=NO1, days=[DAY], fetch=True)
        SpotPrice.objects.filter(area=NO1.eic).update(nok_per_kwh=Decimal("1.5"))
        cached = services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]
        fresh = services.rows_for_days(zone=NO1, days=[DAY], use_cache=False, fetch=True)[DAY]
        assert cached[0][2] != 1.5
        assert {row[2] for row in fresh} == {1.5}

    def test_storing_a_day_drops_its_cached_copy(self, source):
        services.rows_for_days(zone=NO1, days=[DAY], fetch=True)
        services.fetch_day(zone=NO1, day=DAY, force=True)
        assert cache.get(services.day_cache_key(NO1.eic, DAY)) is None

    def test_unpublished_day_is_remembered(self, source):
        source.unpublished.add(DAY)
        assert services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY] == []
        assert services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY] == []
        assert source.calls == [("NO1", DAY)]
        assert not SpotPriceDay.objects.exists()


class TestLock:
    def test_a_held_lock_keeps_the_source_out(self, source, settings):
        settings.PRICING_LOCK_WAIT_SECONDS = 0.1
        cache.add(services.lock_cache_key(NO1.eic, DAY), "someone else", timeout=60)
        assert services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY] == []
        assert source.calls == []

    def test_a_waiter_takes_the_day_the_lock_holder_fetched(self, source, settings, monkeypatch):
        settings.PRICING_LOCK_WAIT_SECONDS = 30
        lock = services.lock_cache_key(NO1.eic, DAY)
        cache.add(lock, "holder", timeout=60)
        result = {}
        polling = threading.Event()

        def poll_sleep(seconds):  # the waiter's poll loop sleeps between looks: it is waiting now
            polling.set()
            time.sleep(seconds)

        monkeypatch.setattr(spotprices, "time", SimpleNamespace(monotonic=time.monotonic, sleep=poll_sleep))

        def wait():
            result["rows"] = services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]
            connection.close()

        waiter = threading.Thread(target=wait)
        waiter.start()
        assert polling.wait(30)
        rows = [(1, "2025-10-01T22:00:00", 0.5, 40.0, 11.5, False, 15)]
        cache.set(services.day_cache_key(NO1.eic, DAY), rows)
        cache.delete(lock)
        waiter.join(30)
        assert result["rows"] == rows
        assert source.calls == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_misses_fetch_once(source, settings):
    settings.PRICING_LOCK_WAIT_SECONDS = 10
    source.delay = 0.3
    results = in_threads(lambda: len(services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]), 6)
    assert results == [96] * 6
    assert source.calls == [("NO1", DAY)]


def test_spot_rows_filters_range_and_preliminary(source):
    services.fetch_day(zone=NO1, day=DAY)
    SpotPrice.objects.filter(start_at__gte=dt.datetime(2025, 10, 2, 12, tzinfo=dt.UTC)).update(preliminary=True)
    SpotPriceDay.objects.update(preliminary=True)
    start, end = dt.datetime(2025, 10, 2, 10, tzinfo=dt.UTC), dt.datetime(2025, 10, 2, 14, tzinfo=dt.UTC)
    final = selectors.spot_rows(zone=NO1, from_time=start, to_time=end, include_preliminary=False, use_cache=True)
    everything = selectors.spot_rows(zone=NO1, from_time=start, to_time=end, include_preliminary=True, use_cache=True)
    assert len(final) == 8 and len(everything) == 16
    assert final[0][1] == "2025-10-02T10:00:00"


def test_market_days_of_a_utc_range():
    start, end = dt.datetime(2025, 10, 1, 0, tzinfo=dt.UTC), dt.datetime(2025, 10, 2, 0, tzinfo=dt.UTC)
    assert selectors.market_days(start, end) == [dt.date(2025, 10, 1), dt.date(2025, 10, 2)]
    start = dt.datetime(2025, 9, 30, 22, tzinfo=dt.UTC)
    assert selectors.market_days(start, start + dt.timedelta(days=1)) == [dt.date(2025, 10, 1)]


def test_not_published_marker_with_lock_waiter(source, settings):
    settings.PRICING_LOCK_WAIT_SECONDS = 0.1
    cache.set(services.unpublished_cache_key(NO1.eic, DAY), True)
    assert services.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY] == []
    assert source.calls == []
    with pytest.raises(PriceNotPublishedError):
        source.unpublished.add(DAY)
        services.fetch_day(zone=NO1, day=DAY)


def test_the_reads_never_fetch_the_explicit_service_does(source):
    """A read (selector) does not write: a day that is not stored has no rows and the source is not
    called; `fetch_missing_spot_days`, which the views call first, fetches it once."""
    from apps.pricing.models import SpotPriceDay

    start, end = market_day_bounds(DAY)
    assert selectors.spot_rows(zone=NO1, from_time=start, to_time=end, include_preliminary=True, use_cache=True) == []
    assert source.calls == [] and not SpotPriceDay.objects.exists()
    services.fetch_missing_spot_days(price_areas=["NO1"], from_time=start, to_time=end)
    services.fetch_missing_spot_days(price_areas=["NO1"], from_time=start, to_time=end)
    assert source.calls == [("NO1", DAY)]
    rows = selectors.spot_rows(zone=NO1, from_time=start, to_time=end, include_preliminary=True, use_cache=True)
    assert len(rows) == SpotPriceDay.objects.get().intervals > 0


def test_spot_day_wires_fetches_only_the_days_its_read_found_missing(source):
    """The spot-price GET's service: a read first; only the days without values are fetched, then read
    again. A stored day costs no fetch and is served from the wire form the read found."""
    from apps.pricing.models import SpotPriceDay

    services.fetch_day(zone=NO1, day=DAY)
    stored_calls = list(source.calls)
    start, _ = market_day_bounds(DAY)
    _, end = market_day_bounds(DAY + dt.timedelta(days=1))
    wires = services.spot_day_wires(zone=NO1, from_time=start, to_time=end)
    assert source.calls == [*stored_calls, ("NO1", DAY + dt.timedelta(days=1))]
    assert sorted(wires) == [DAY, DAY + dt.timedelta(days=1)] and all(wire.epochs for wire in wires.values())
    assert SpotPriceDay.objects.count() == 2
    again = services.spot_day_wires(zone=NO1, from_time=start, to_time=end)
    assert source.calls == [*stored_calls, ("NO1", DAY + dt.timedelta(days=1))]  # nothing fetched twice
    assert again == wires
    body = selectors.spot_series_json(
        zone=NO1, from_time=start, to_time=end, include_preliminary=True, use_cache=True, wires=again
    )
    assert body == selectors.spot_series_json(
        zone=NO1, from_time=start, to_time=end, include_preliminary=True, use_cache=True
    )
