"""The consumption body written by PostgreSQL equals the Python path's, byte for byte.

On PostgreSQL `selectors.consumption_json` builds the whole response in one query; the Python path
(SQLite, other databases) builds a dict that the renderer writes with orjson. These tests run both
on the same data (the Python path forced with `use_sql`), over DST days, gaps, estimated and stored
missing rows, quarter hours, days, weeks, months, years, LastYear and Temperatures.
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


def both(monkeypatch, **arguments) -> tuple[bytes, bytes]:
    by_sql = selectors.consumption_json(**arguments)
    with monkeypatch.context() as patch:
        patch.setattr(selectors, "use_sql", lambda: False)
        by_python = orjson.dumps(selectors.consumption_response(**arguments))
    return by_sql, by_python


@pytest.fixture
def history(owner):
    irregular_history(owner.meter, oslo_midnight(2024, 1, 1), oslo_midnight(2024, 1, 10), seed=1)
    irregular_history(owner.meter, oslo_midnight(2025, 3, 25), oslo_midnight(2025, 4, 5), seed=2)
    irregular_history(owner.meter, oslo_midnight(2025, 10, 20), oslo_midnight(2025, 11, 3), seed=3)
    # Quarter hours on 1 October 2025 from noon, beside hourly data before it.
    services.load_intervals(rows=[(owner.meter.pk, utc(2025, 10, 1, h), 60, Decimal("1.250"), 0) for h in range(12)])
    load_quarters(owner.meter, utc(2025, 10, 1, 12), utc(2025, 10, 2), value="0.333")
    return owner.meter


CASES = {
    "spring-forward hours": (oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1), Resolution.Hour, None),
    "fall-back hours": (oslo_midnight(2025, 10, 25), oslo_midnight(2025, 10, 28), Resolution.Hour, None),
    "days across both DST changes": (oslo_midnight(2025, 3, 20), oslo_midnight(2025, 11, 5), Resolution.Day, None),
    "quarter hours of hourly and quarter data": (
        utc(2025, 10, 1, 6),
        utc(2025, 10, 1, 18),
        Resolution.QuarterHour,
        None,
    ),
    "quarter hours over the fall-back night": (
        oslo_midnight(2025, 10, 26),
        oslo_midnight(2025, 10, 27),
        Resolution.QuarterHour,
        None,
    ),
    "weeks": (oslo_midnight(2025, 3, 1), oslo_midnight(2025, 11, 30), Resolution.Week, None),
    "months": (oslo_midnight(2024, 1, 1), oslo_midnight(2026, 1, 1), Resolution.Month, None),
    "years": (oslo_midnight(2024, 1, 1), oslo_midnight(2026, 1, 1), Resolution.Year, None),
    "days in another time zone": (utc(2025, 3, 28), utc(2025, 4, 2), Resolution.Day, "America/New_York"),
    "nothing at all": (utc(2023, 5, 1), utc(2023, 5, 3), Resolution.Hour, None),
}


@pytest.mark.parametrize("case", CASES)
def test_the_database_writes_the_python_paths_bytes(history, monkeypatch, case):
    from_time, to_time, resolution, time_zone = CASES[case]
    by_sql, by_python = both(
        monkeypatch, meter=history, from_time=from_time, to_time=to_time, resolution=resolution, time_zone=time_zone
    )
    assert by_sql == by_python
    body = orjson.loads(by_sql)
    assert body["Values"], "a series has every bucket"


def test_last_year_and_temperatures_too(history, monkeypatch):
    station = next(s for s in services.ensure_default_stations() if s.price_area == history.delivery_point.price_area)
    rng = random.Random(4)
    observations = [
        (utc(2025, 3, 28) + dt.timedelta(hours=h), rng.randint(-40, 40) / 4) for h in range(24 * 6) if h % 17
    ]
    services.store_observations(station=station, observations=observations)
    for resolution in (Resolution.Hour, Resolution.Day):
        by_sql, by_python = both(
            monkeypatch,
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
        meter=owner.meter,
        from_time=utc(2025, 1, 1),
        to_time=utc(2025, 1, 2),
        resolution=Resolution.Hour,
        include_weather=True,
    )
    assert by_sql == by_python
    assert {v["Status"] for v in orjson.loads(by_sql)["Temperatures"]} == {4000}


def test_the_endpoint_answers_alike_on_both_paths(owner, history, monkeypatch):
    url = (
        f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
        f"/meters/{owner.meter.meter_id}/consumption"
    )
    body = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-04-01T22:00:00", "Resolution": 7}
    client = owner.client()
    by_sql = client.post(url, body, format="json")
    monkeypatch.setattr(selectors, "use_sql", lambda: False)
    by_python = client.post(url, body, format="json")
    assert by_sql.status_code == by_python.status_code == 200
    assert by_sql.content == by_python.content
    assert {k: v for k, v in by_sql.items()} == {k: v for k, v in by_python.items()}


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
    assert {k: v for k, v in by_sql.items()} == {k: v for k, v in by_python.items()}


def test_the_body_with_last_year_is_one_query(history, django_assert_num_queries):
    with django_assert_num_queries(1):
        body = selectors.consumption_json(
            meter=history,
            from_time=oslo_midnight(2025, 3, 29),
            to_time=oslo_midnight(2025, 4, 1),
            resolution=Resolution.Hour,
            include_last_year=True,
        )
    parsed = orjson.loads(body)
    assert len(parsed["Values"]) == len(parsed["LastYear"]) == 71  # 3 days, one of 23 hours
