"""The read engine's contract (apps/metering/series.py), the same module on SQLite and PostgreSQL.

Irregular histories (DST days both ways, gaps, estimated and other statuses, stored missing
intervals, partial days, an hourly meter and a quarter-hour meter) go in through the loader; every
resolution, in the storage zone and others, must come back exactly as `reference` computes it from
the loaded rows: the plain definition of a series (sum the counted intervals starting in each
bucket; an hour spread evenly over its quarters as estimated; a bucket's status 4000 with nothing
counted, 1 when an interval counted is not measured or the bucket is not fully covered, else 0).
"""

import datetime as dt
import random
from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import orjson
import pytest

from apps.metering import selectors, series, services
from apps.metering.models import Resolution
from apps.metering.timeseries import window

from .helpers import oslo_midnight, utc

pytestmark = pytest.mark.django_db

QUARTER = dt.timedelta(minutes=15)


def irregular(meter, start: dt.datetime, end: dt.datetime, minutes: int, *, seed: int) -> list[tuple]:
    rng = random.Random(seed)
    rows, moment = [], start
    step = dt.timedelta(minutes=minutes)
    while moment < end:
        draw = rng.random()
        if draw < 0.05:
            pass  # a gap
        elif draw < 0.07:
            rows.append((meter.pk, moment, minutes, None, 4000))  # a stored missing interval
        else:
            value = Decimal(rng.randint(0, 5000)).scaleb(-3) if draw < 0.95 else Decimal(rng.randint(0, 3))
            status = 0 if draw < 0.9 else 1  # (the old table takes no other code until it goes)
            rows.append((meter.pk, moment, minutes, value, status))
        moment += step
    return rows


def reference(rows: list[tuple], win) -> list[tuple]:
    """The series of `rows` (meter, start, minutes, kWh, status) over `win`, by definition."""
    starts = win.starts()
    ends = [*starts[1:], win.end]
    totals, worst, covered = [None] * len(starts), [0] * len(starts), [0] * len(starts)
    quarters = win.resolution == Resolution.QuarterHour
    for _, start, minutes, value, status in rows:
        if status >= 4000 or value is None:
            continue
        if quarters and minutes > 15:
            part = (value * 15 / minutes).quantize(Decimal("0.0001"), ROUND_HALF_UP)
            pieces = [(start + k * QUARTER, part, max(status, 1), 15) for k in range(minutes // 15)]
        else:
            pieces = [(start, value, status, minutes)]
        for moment, amount, quality, length in pieces:
            if not win.start <= moment < win.end:
                continue
            i = bisect_right(starts, moment) - 1
            totals[i] = amount if totals[i] is None else totals[i] + amount
            worst[i] = max(worst[i], quality)
            covered[i] += length
    out = []
    for i, start in enumerate(starts):
        if totals[i] is None:
            status = 4000
        elif worst[i] > 0 or covered[i] * 60 < (ends[i] - start).total_seconds():
            status = 1
        else:
            status = 0
        out.append((start, totals[i], status))
    return out


@pytest.fixture
def histories(owner, other):
    hourly, quarterly = owner.meter, other.meter
    rows = [
        *irregular(hourly, oslo_midnight(2024, 12, 28), oslo_midnight(2025, 1, 6), 60, seed=1),
        *irregular(hourly, oslo_midnight(2025, 3, 27), oslo_midnight(2025, 4, 2), 60, seed=2),
        *irregular(
            hourly, oslo_midnight(2025, 10, 24), oslo_midnight(2025, 10, 26) + dt.timedelta(hours=30), 60, seed=3
        ),
        *irregular(quarterly, oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1), 15, seed=4),
        *irregular(quarterly, oslo_midnight(2025, 10, 25), oslo_midnight(2025, 10, 28), 15, seed=5),
    ]
    services.load_intervals(rows=rows)
    return {hourly.pk: [r for r in rows if r[0] == hourly.pk], quarterly.pk: [r for r in rows if r[0] == quarterly.pk]}


WINDOWS = {
    "spring forward": (oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1)),
    "fall back": (oslo_midnight(2025, 10, 25), oslo_midnight(2025, 10, 28)),
    "new year, not on midnights": (utc(2024, 12, 30, 5, 45), utc(2025, 1, 3, 17, 15)),
    "a year across both changes": (oslo_midnight(2024, 12, 1), oslo_midnight(2025, 12, 1)),
}
ZONES = [None, "UTC", "America/New_York", "Asia/Kolkata"]


@pytest.mark.parametrize("zone", ZONES)
@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize(
    "resolution",
    [Resolution.QuarterHour, Resolution.Hour, Resolution.Day, Resolution.Week, Resolution.Month, Resolution.Year],
)
def test_every_resolution_is_the_definition(histories, name, zone, resolution):
    if resolution == Resolution.QuarterHour and name == "a year across both changes":
        pytest.skip("a year of quarter hours is the same path as three days of them")
    from_time, to_time = WINDOWS[name]
    tz = ZoneInfo(zone or "Europe/Oslo")
    win = window(from_time, to_time, resolution, tz)
    for meter_id, rows in histories.items():
        got = series.consumption(meter_id, win).kwh()
        assert got == reference(rows, win), (meter_id, name, zone, resolution)


def test_the_selector_and_the_wire_are_the_engine(histories, owner):
    win = window(oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1), Resolution.Hour, ZoneInfo("Europe/Oslo"))
    expected = reference(histories[owner.meter.pk], win)
    assert len(expected) == 71
    assert (
        selectors.consumption_series(
            meter=owner.meter, from_time=win.start, to_time=win.end, resolution=Resolution.Hour
        )
        == expected
    )
    body = selectors.consumption_response(
        meter=owner.meter, from_time=win.start, to_time=win.end, resolution=Resolution.Hour
    )
    assert orjson.loads(orjson.dumps(body))["Values"] == [
        {"ValueTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Value": None if v is None else float(v), "Status": s}
        for t, v, s in expected
    ]


def test_several_meters_come_from_one_query(histories, django_assert_num_queries):
    win = window(oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1), Resolution.Day, ZoneInfo("Europe/Oslo"))
    with django_assert_num_queries(1):
        both = series.consumption_of_meters([*histories, 10**9], win)
    assert [s for _, _, s in both[10**9].kwh()] == [4000, 4000, 4000]
    for meter_id, rows in histories.items():
        assert both[meter_id].kwh() == reference(rows, win)


def test_calendar_buckets_in_the_storage_zone_read_no_values(histories, django_assert_num_queries):
    win = window(oslo_midnight(2025, 1, 1), oslo_midnight(2026, 1, 1), Resolution.Month, ZoneInfo("Europe/Oslo"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        series.consumption_of_meters(list(histories), win)
    [query] = queries.captured_queries
    assert '"values"' not in query["sql"] and '"total"' in query["sql"]


def test_quarter_values_keep_three_decimals_unless_spread(histories, owner, other):
    win = window(utc(2025, 10, 26, 10), utc(2025, 10, 26, 11), Resolution.QuarterHour, ZoneInfo("Europe/Oslo"))
    spread = [v for _, v, _ in series.consumption(owner.meter.pk, win).kwh() if v is not None]
    native = [v for _, v, _ in series.consumption(other.meter.pk, win).kwh() if v is not None]
    assert all(-v.as_tuple().exponent == 3 for v in native)
    assert all(-v.as_tuple().exponent in (3, 4) for v in spread)


# --- The wire JSON of a series: templates (the fast path) and orjson over wire dicts, the same bytes --


@pytest.mark.parametrize("unit", [series.WH, series.TENTH_WH])
@pytest.mark.parametrize("step", [series.HOUR, series.QUARTER_HOUR])
def test_wire_templates_write_orjsons_bytes(unit, step, settings):
    rng = random.Random(7)
    edge = [0, 1, -1, 999, 1000, 10**4, 2**31 - 1, -(2**31) + 1, 2**62, 12345678901234, None]
    values = edge + [rng.choice([None, rng.randint(-(10**7), 10**7), rng.randint(0, 5000)]) for _ in range(3000)]
    starts = [dt.datetime(2025, 3, 29, 23, tzinfo=dt.UTC) + n * step for n in range(len(values))]
    statuses = [4000 if v is None else rng.choice([0, 0, 0, 1]) for v in values]
    built = series.Series(starts, values, statuses, unit, step)
    plain = orjson.dumps(built.wire())
    assert built.wire_json() == plain
    assert series.Series(starts[:5], values[:5], statuses[:5], unit, step).wire_json() == orjson.dumps(built.wire()[:5])
    settings.METERING_WIRE_TEMPLATES = False
    assert built.wire_json() == plain


def test_wire_templates_of_an_all_measured_series_and_a_full_text_cache(monkeypatch):
    """The common year (every bucket measured) takes the templates' measured runs; once the cache of
    value texts is full, new values are written from the call's own texts, the same bytes."""
    rng = random.Random(11)
    values = [rng.randint(0, 20_000) for _ in range(24 * 40 + 7)]
    starts = [dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC) + n * series.HOUR for n in range(len(values))]
    built = series.Series(starts, values, [0] * len(values), series.WH, series.HOUR)
    assert built.wire_json() == orjson.dumps(built.wire())
    empty = {series.WH: {None: b'null,"Status":0}'}, series.TENTH_WH: {None: b'null,"Status":0}'}}
    monkeypatch.setattr(series, "_MEASURED_TAILS", empty)
    monkeypatch.setattr(series, "MEASURED_TAILS_MAX", 1)
    assert built.wire_json() == orjson.dumps(built.wire())
    assert len(series._MEASURED_TAILS[series.WH]) == 1  # nothing added past the cap


def test_the_consumption_endpoint_answers_alike_with_and_without_templates(histories, owner, settings):
    contract = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
    url = f"{contract}/meters/{owner.meter.meter_id}/consumption"
    answers = {}
    for templates in (True, False):
        settings.METERING_WIRE_TEMPLATES = templates
        answers[templates] = [
            owner.client()
            .post(
                url,
                {"FromTime": "2025-03-28T23:00:00", "ToTime": "2025-04-01T22:00:00", "Resolution": resolution},
                format="json",
            )
            .content
            for resolution in (5, 7, 20)
        ]
    assert answers[True] == answers[False]
    hours = orjson.loads(answers[True][1])["Values"]
    assert len(hours) == 95 and {v["Status"] for v in hours} >= {0}
