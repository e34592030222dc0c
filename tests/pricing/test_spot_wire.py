"""GET api/spotprices from each day's cached wire bytes: the same bytes as rendering the rows, and a
stored day replaces them."""

import dataclasses
import datetime as dt
from decimal import Decimal

import orjson
import pytest
from django.core.cache import cache

from apps.metering.models import Resolution
from apps.pricing import selectors, spotprices, spotwire
from apps.pricing.adapters.base import expected_resolution_minutes, market_date
from apps.pricing.adapters.demo import DemoSource
from apps.pricing.areas import zone
from apps.pricing.models import SpotPrice, SpotPriceDay

pytestmark = pytest.mark.django_db

NO1 = zone("NO1")
OCTOBER_2 = dt.date(2025, 10, 2)  # market day 2025-10-01T22:00Z .. 2025-10-02T22:00Z, 96 quarter hours


def utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def rendered_from_rows(*, from_time, to_time, include_preliminary=False, area=NO1) -> bytes:
    """The body as the view wrote it before the wire cache: the rows turned into dicts, then orjson."""
    rows = selectors.spot_rows(
        zone=area, from_time=from_time, to_time=to_time, include_preliminary=include_preliminary, use_cache=False
    )
    minutes = min((row[6] for row in rows), default=expected_resolution_minutes(market_date(from_time)))
    return orjson.dumps(
        {
            "PriceArea": area.code,
            "Eic": area.eic,
            "Currency": "NOK",
            "Unit": "NOK/kWh",
            "Resolution": int(Resolution.QuarterHour if minutes < 60 else Resolution.Hour),
            "Values": [
                {
                    "ValueTime": row[1],
                    "Value": row[2],
                    "Status": 0,
                    "EurPerMwh": row[3],
                    "ExchangeRate": row[4],
                    "Preliminary": row[5],
                }
                for row in rows
            ],
        }
    )


def get_spot(client, start: str, end: str, headers=None, **params):
    query = {"priceArea": "NO1", "fromTimeUtc": start, "toTimeUtc": end, **params}
    return client.get("/api/spotprices", query, headers=headers)


RANGES = [
    pytest.param("2025-10-01T22:00:00", "2025-10-02T22:00:00", id="one-quarter-hour-day"),
    pytest.param("2025-03-14T23:00:00", "2025-03-15T23:00:00", id="one-hourly-day"),
    pytest.param("2025-10-25T22:00:00", "2025-10-26T23:00:00", id="dst-day-of-100-quarters"),
    pytest.param("2025-09-28T22:00:00", "2025-10-02T22:00:00", id="days-across-the-resolution-change"),
    pytest.param("2025-10-02T07:15:00", "2025-10-02T13:45:00", id="part-of-a-day"),
    pytest.param("2025-10-02T21:50:00", "2025-10-03T00:10:00", id="across-midnight-off-the-grid"),
    pytest.param("2025-10-02T10:00:00", "2025-10-02T10:05:00", id="no-interval-starts-inside"),
]


@pytest.mark.parametrize(("start", "end"), RANGES)
def test_cached_bytes_are_the_rendered_rows(owner, source, start, end):
    client = owner.client()
    first = get_spot(client, start, end)  # stores the days, caches rows and wire
    cached = get_spot(client, start, end)
    uncached = get_spot(client, start, end, useCache="false")
    assert first.status_code == cached.status_code == uncached.status_code == 200
    expected = rendered_from_rows(from_time=utc(start), to_time=utc(end))
    assert first.content == cached.content == uncached.content == expected
    assert cached["Content-Type"] == "application/json"


def test_a_cached_day_is_one_cache_get_and_no_price_query(owner, source, django_assert_num_queries):
    client = owner.client()
    get_spot(client, "2025-10-01T22:00:00", "2025-10-02T22:00:00")
    with django_assert_num_queries(1):  # the user row of the credential check; the day comes from the cache
        response = get_spot(client, "2025-10-01T22:00:00", "2025-10-02T22:00:00")
    assert len(response.json()["Values"]) == 96
    assert cache.get(spotwire.wire_cache_key(NO1.eic, OCTOBER_2)) is not None


def test_text_json_gets_the_same_bytes(owner, source):
    client = owner.client()
    plain = get_spot(client, "2025-10-01T22:00:00", "2025-10-02T22:00:00")
    text = get_spot(client, "2025-10-01T22:00:00", "2025-10-02T22:00:00", headers={"Accept": "text/json"})
    assert text["Content-Type"] == "text/json"
    assert text.content == plain.content


def test_preliminary_days_are_left_out_unless_asked(owner, source):
    client = owner.client()
    start, end = "2025-10-01T22:00:00", "2025-10-03T22:00:00"  # 2 and 3 October
    get_spot(client, start, end)
    SpotPrice.objects.filter(delivery_date=OCTOBER_2).update(preliminary=True)
    SpotPriceDay.objects.filter(delivery_date=OCTOBER_2).update(preliminary=True)
    cache.clear()
    for include in (False, True):
        flag = "true" if include else "false"
        cold = get_spot(client, start, end, includePreliminary=flag)
        warm = get_spot(client, start, end, includePreliminary=flag)
        expected = rendered_from_rows(from_time=utc(start), to_time=utc(end), include_preliminary=include)
        assert cold.content == warm.content == expected
        assert len(warm.json()["Values"]) == (192 if include else 96)


def test_a_stored_day_replaces_its_cached_bytes(owner, source):
    client = owner.client()
    start, end = "2025-10-01T22:00:00", "2025-10-02T22:00:00"
    before = get_spot(client, start, end).json()["Values"]
    assert cache.get(spotwire.wire_cache_key(NO1.eic, OCTOBER_2)) is not None
    prices = DemoSource().fetch_day(zone=NO1, day=OCTOBER_2, today=dt.date(2030, 1, 1))
    doubled = [dataclasses.replace(p, nok_per_kwh=p.nok_per_kwh * 2 + Decimal("0.01")) for p in prices.intervals]
    spotprices.store_day(prices=dataclasses.replace(prices, intervals=doubled, preliminary=True))
    after = get_spot(client, start, end, includePreliminary="true")
    assert after.content == rendered_from_rows(from_time=utc(start), to_time=utc(end), include_preliminary=True)
    values = after.json()["Values"]
    assert all(new["Value"] > 2 * old["Value"] for new, old in zip(values, before, strict=True))
    assert all(v["Preliminary"] for v in values)


def test_an_unpublished_day_is_not_cached_as_empty(owner, source):
    client = owner.client()
    source.unpublished.add(OCTOBER_2)
    assert get_spot(client, "2025-10-01T22:00:00", "2025-10-02T22:00:00").json()["Values"] == []
    assert cache.get(spotwire.wire_cache_key(NO1.eic, OCTOBER_2)) is None
    source.unpublished.clear()
    spotprices.fetch_day(zone=NO1, day=OCTOBER_2)  # published and stored later (the beat task)
    assert len(get_spot(client, "2025-10-01T22:00:00", "2025-10-02T22:00:00").json()["Values"]) == 96


# --- the pure splice ------------------------------------------------------------------------------


def rows(epochs, *, minutes=15, preliminary=False):
    return [
        (e, f"t{e}", 0.1 + e / 1000, 12.5 + e, 11.7, preliminary, minutes) for e in epochs
    ]  # (epoch, ValueTime, NOK/kWh, EUR/MWh, rate, preliminary, minutes)


def test_resolution_codes_are_the_metering_enum():
    assert (int(Resolution.QuarterHour), int(Resolution.Hour)) == (spotwire.QUARTER_HOUR, spotwire.HOUR)


@pytest.mark.parametrize(
    ("lo", "hi", "include"),
    [(0, 10_000, False), (900, 2700, False), (901, 2700, True), (5000, 6000, False), (0, 1, True)],
)
def test_series_bytes_equal_rendering_the_selected_rows(lo, hi, include):
    days = [rows(range(0, 3600, 900), minutes=15), rows(range(3600, 7200, 3600), minutes=60, preliminary=True)]
    body = spotwire.series_bytes(
        code="NO1",
        eic="E",
        days=[spotwire.render_day(day) for day in days],
        lo=lo,
        hi=hi,
        include_preliminary=include,
        default_minutes=60,
    )
    chosen = [r for day in days for r in day if lo <= r[0] < hi and (include or not r[5])]
    finest = min((r[6] for r in chosen), default=60)
    expected = {
        "PriceArea": "NO1",
        "Eic": "E",
        "Currency": "NOK",
        "Unit": "NOK/kWh",
        "Resolution": spotwire.QUARTER_HOUR if finest < 60 else spotwire.HOUR,
        "Values": [spotwire.value_entry(r) for r in chosen],
    }
    assert body == orjson.dumps(expected)


def test_an_empty_day_renders_no_values():
    empty = spotwire.render_day([])
    body = spotwire.series_bytes(
        code="NO1", eic="E", days=[empty], lo=0, hi=10, include_preliminary=True, default_minutes=15
    )
    assert orjson.loads(body)["Values"] == [] and orjson.loads(body)["Resolution"] == spotwire.QUARTER_HOUR
