"""Spot prices on demand: only served zones and days up to tomorrow are fetched; the fetch lock holds
across workers with the cache unreachable (a database lock)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from apps.pricing import spotprices
from apps.pricing.adapters.base import market_day_bounds
from apps.pricing.areas import zone
from apps.pricing.models import SpotPrice, SpotPriceFetchLock

from .conftest import in_threads

pytestmark = pytest.mark.django_db

NO1 = zone("NO1")
DAY = dt.date(2025, 10, 2)
# A Redis nobody listens on: every cache call fails (port 1 refuses at once).
DEAD_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}

# The project's own backend at that address: it answers from a per-process cache meanwhile.
RESILIENT_DEAD_CACHE = {
    "default": {**DEAD_CACHE["default"], "BACKEND": "esmart.cache.ResilientRedisCache", "KEY_PREFIX": "h4-dead"}
}


def spot(client, **params):
    return client.get("/api/spotprices", {"priceArea": "NO1", **params})


def _utc(day: dt.date) -> str:
    return market_day_bounds(day)[0].strftime("%Y-%m-%dT%H:%M:%S")


class TestOnlyServedZonesAndDays:
    def test_a_zone_the_deployment_does_not_serve_is_400_before_any_fetch(self, owner, source):
        response = spot(owner.client(), priceArea="SE3", fromTimeUtc=_utc(DAY))
        assert response.status_code == 400
        assert "PriceArea" in response.json()["ModelState"]
        assert source.calls == [] and not SpotPrice.objects.exists()

    def test_served_zones_are_a_setting(self, owner, source, settings):
        settings.PRICING_SERVED_AREAS = ["NO1", "SE3"]
        response = spot(owner.client(), priceArea="SE3", fromTimeUtc=_utc(DAY))
        assert response.status_code == 200 and len(response.json()["Values"]) == 96
        assert source.calls == [("SE3", DAY)]

    def test_tomorrow_is_fetched_the_day_after_is_400(self, owner, source):
        tomorrow = spotprices.tomorrow()
        assert spot(owner.client(), fromTimeUtc=_utc(tomorrow)).status_code == 200
        assert source.calls == [("NO1", tomorrow)]
        after = tomorrow + dt.timedelta(days=1)
        response = spot(owner.client(), fromTimeUtc=_utc(after))
        assert response.status_code == 400
        assert "FromTimeUtc" in response.json()["ModelState"]
        assert source.calls == [("NO1", tomorrow)]

    def test_before_the_first_supported_day_is_400(self, owner, source):
        response = spot(owner.client(), fromTimeUtc=_utc(dt.date(2023, 12, 31)))
        assert response.status_code == 400
        assert source.calls == []

    @pytest.mark.parametrize(
        "params",
        [
            {"fromTimeUtc": "9999-12-31T23:00:00"},
            {"fromTimeUtc": "9999-12-30T00:00:00", "toTimeUtc": "9999-12-31T23:59:59"},
            {"fromTimeUtc": "0001-01-01T00:00:00"},
            {"fromTimeUtc": "0001-01-01T00:00:00", "toTimeUtc": "0001-01-02T00:00:00"},
            {"toTimeUtc": "0001-01-02T00:00:00"},
        ],
    )
    def test_year_9999_and_year_1_are_400_not_500(self, owner, source, params):
        response = spot(owner.client(), **params)
        assert response.status_code == 400
        assert source.calls == []

    def test_hour_prices_in_year_9999_are_400(self, owner, source):
        url = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/hourprices"
        assert owner.client().get(url, {"fromTimeUtc": "9999-12-31T23:00:00"}).status_code == 400
        assert owner.client().get(url, {"fromTimeUtc": "0001-01-01T00:00:00"}).status_code == 400
        assert source.calls == []

    def test_costs_of_a_day_that_may_not_be_fetched_fetch_nothing(self, source):
        assert spotprices.rows_for_days(zone=NO1, days=[dt.date(2023, 6, 1)], fetch=True) == {dt.date(2023, 6, 1): []}
        assert spotprices.rows_for_days(zone=zone("SE3"), days=[DAY], fetch=True) == {DAY: []}
        assert source.calls == []


class TestCacheUnreachable:
    def test_prices_are_fetched_once_and_served_from_the_database(self, owner, source, settings):
        settings.CACHES = DEAD_CACHE
        assert len(spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]) == 96
        assert len(spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]) == 96
        assert source.calls == [("NO1", DAY)]

    def test_the_api_answers_with_the_resilient_cache_down(self, owner, source, settings):
        settings.CACHES = RESILIENT_DEAD_CACHE
        response = spot(owner.client(), fromTimeUtc=_utc(DAY))
        assert response.status_code == 200 and len(response.json()["Values"]) == 96
        assert source.calls == [("NO1", DAY)]

    def test_an_unpublished_day_is_empty(self, source, settings):
        settings.CACHES = DEAD_CACHE
        source.unpublished.add(DAY)
        assert spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True) == {DAY: []}

    def test_the_row_lock_is_used_where_there_are_no_advisory_locks(self, source, settings):
        if connection.vendor == "postgresql":
            pytest.skip("PostgreSQL takes an advisory lock instead")
        settings.CACHES = DEAD_CACHE
        spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True)
        assert SpotPriceFetchLock.objects.filter(area=NO1.eic, delivery_date=DAY, locked_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_misses_fetch_once_with_the_cache_unreachable(source, settings):
    """Six workers want the same missing day while Redis is down: the database lock lets one fetch."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite's test database is one connection)")
    settings.CACHES = DEAD_CACHE
    settings.PRICING_LOCK_WAIT_SECONDS = 10
    source.delay = 0.3  # the first fetcher holds the lock while the others arrive
    results = in_threads(lambda: len(spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]), 6)
    assert results == [96] * 6
    assert source.calls == [("NO1", DAY)]


@pytest.mark.django_db(transaction=True)
def test_a_waiter_gives_up_on_a_held_database_lock_without_fetching(source, settings):
    from django.db import transaction

    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL")
    settings.CACHES = DEAD_CACHE
    settings.PRICING_LOCK_WAIT_SECONDS = 0.3
    held, release = threading.Event(), threading.Event()

    def holder():
        try:
            with transaction.atomic():
                spotprices._take_db_lock(NO1.eic, DAY)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=holder)
    thread.start()
    assert held.wait(10)
    try:
        assert spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True) == {DAY: []}
        assert source.calls == []
    finally:
        release.set()
        thread.join(30)
    assert not thread.is_alive()
    # once the holder is gone the day is fetched
    assert len(spotprices.rows_for_days(zone=NO1, days=[DAY], fetch=True)[DAY]) == 96
