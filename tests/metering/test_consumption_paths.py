"""Temperatures written by PostgreSQL equal the Python path's, byte for byte; consumption beside them.

On PostgreSQL `selectors.temperature_json` builds the temperature body in one query and
`temperature_values` aggregates in SQL; the Python path (SQLite, other databases) computes the same.
These tests run both on the same data (the Python path forced with `use_sql`). Consumption has one
engine on every database (series.py; its contract is tests/metering/test_series_engine.py), so a
consumption body with LastYear and Temperatures differs between the paths only by the temperatures.
"""

import datetime as dt
import random
from decimal import Decimal

import orjson
import pytest
from django.db import connection

from apps.metering import selectors, services
from apps.metering.models import Resolution

from .helpers import load_quarters, oslo_midnight, utc

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="compares the PostgreSQL path with the Python one"),
]


def irregular_history(meter, start: dt.datetime, end: dt.datetime, *, seed: int):
    """Hourly values with gaps, estimated hours, stored missing rows and whole-number values."""
    rng = random.Random(seed)
    rows, moment = [], start
    while moment < end:
        draw = rng.random()
        if draw < 0.05:
            pass  # no row: a gap
        elif draw < 0.07:
            rows.append((meter.pk, moment, 60, None, 4000))  # a stored missing row
        else:
            value = Decimal(rng.choice([rng.randint(0, 5000) / 1000, rng.randint(0, 3)]))
            rows.append((meter.pk, moment, 60, value.quantize(Decimal("0.001")), int(draw < 0.1)))
        moment += dt.timedelta(hours=1)
    services.load_intervals(rows=rows)


def both(monkeypatch, read, **arguments) -> tuple[bytes, bytes]:
    by_sql = orjson.dumps(read(**arguments))
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "use_sql", lambda: False)
        by_python = orjson.dumps(read(**arguments))
    return by_sql, by_python


@pytest.fixture
def history(owner):
    irregular_history(owner.meter, oslo_midnight(2024, 1, 1), oslo_midnight(2024, 1, 10), seed=1)
    irregular_history(owner.meter, oslo_midnight(2025, 3, 25), oslo_midnight(2025, 4, 5), seed=2)
    irregular_history(owner.meter, oslo_midnight(2025, 10, 20), oslo_midnight(2025, 11, 3), seed=3)
    # Quarter hours on 1 October 2025 from noon, hourly data the day before (a stored day has one length).
    services.load_intervals(rows=[(owner.meter.pk, utc(2025, 9, 30, h), 60, Decimal("1.250"), 0) for h in range(12)])
    load_quarters(owner.meter, utc(2025, 10, 1, 12), utc(2025, 10, 2), value="0.333")
    return owner.meter


def observe(meter, start: dt.datetime, hours: int, *, seed: int) -> None:
    station = next(s for s in services.ensure_default_stations() if s.price_area == meter.delivery_point.price_area)
    rng = random.Random(seed)
    observations = [(start + dt.timedelta(hours=h), rng.randint(-40, 40) / 4) for h in range(hours) if h % 17]
    services.store_observations(station=station, observations=observations)


@pytest.mark.parametrize("resolution", [Resolution.Hour, Resolution.Day, Resolution.Month])
def test_temperatures_by_sql_are_the_python_paths_bytes(owner, monkeypatch, resolution):
    observe(owner.meter, utc(2025, 3, 28), 24 * 6, seed=4)
    arguments = {
        "meter": owner.meter,
        "from_time": oslo_midnight(2025, 3, 29),
        "to_time": oslo_midnight(2025, 4, 2),
        "resolution": resolution,
    }
    by_sql = selectors.temperature_json(**arguments)
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "use_sql", lambda: False)
        by_python = orjson.dumps(selectors.temperature_response(**arguments))
    assert by_sql == by_python
    assert {v["Status"] for v in orjson.loads(by_sql)["Values"]} >= {0}


def test_last_year_and_temperatures_too(history, monkeypatch):
    observe(history, utc(2025, 3, 28), 24 * 6, seed=4)
    for resolution in (Resolution.Hour, Resolution.Day):
        by_sql, by_python = both(
            monkeypatch,
            selectors.consumption_response,
            meter=history,
            from_time=oslo_midnight(2025, 3, 29),
            to_time=oslo_midnight(2025, 4, 2),
            resolution=resolution,
            include_last_year=True,
            include_weather=True,
        )
        assert by_sql == by_python
        body = orjson.loads(by_sql)
        assert list(body) == ["Resolution", "Unit", "Values", "LastYear", "TemperatureUnit", "Temperatures"]
        hours_without_observation = {4000} if resolution == Resolution.Hour else set()
        assert {v["Status"] for v in body["Temperatures"]} == {0} | hours_without_observation


def test_temperatures_without_a_station_are_missing(owner, monkeypatch):
    from apps.metering.models import WeatherStation

    WeatherStation.objects.all().delete()
    by_sql, by_python = both(
        monkeypatch,
        selectors.consumption_response,
        meter=owner.meter,
        from_time=utc(2025, 1, 1),
        to_time=utc(2025, 1, 2),
        resolution=Resolution.Hour,
        include_weather=True,
    )
    assert by_sql == by_python
    assert {v["Status"] for v in orjson.loads(by_sql)["Temperatures"]} == {4000}


def test_the_temperature_endpoint_answers_alike_on_both_paths(owner, monkeypatch):
    station = next(s for s in services.ensure_default_stations() if s.price_area == owner.delivery_point.price_area)
    services.store_observations(station=station, observations=[(utc(2025, 3, 30, h), h / 2 - 3) for h in range(20)])
    url = f"/api/meters/{owner.meter.meter_id}/temperatures"
    body = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-31T22:00:00", "Resolution": 7}
    client = owner.client()
    by_sql = client.post(url, body, format="json")
    monkeypatch.setattr(selectors, "use_sql", lambda: False)
    by_python = client.post(url, body, format="json")
    assert by_sql.status_code == 200 and by_sql.content == by_python.content
    # the same headers, but for the request id every answer has its own of
    assert {k: v for k, v in by_sql.items() if k != "X-Request-ID"} == {
        k: v for k, v in by_python.items() if k != "X-Request-ID"
    }
