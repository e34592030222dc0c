"""Consumption from the metering app, as the pricing app needs it: read through apps/metering/series.py
(the read engine of interval data) and nothing else of the metering app's storage."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.metering import public as metering
from apps.metering.public import Resolution, window

DEFAULT_TIME_ZONE = "Europe/Oslo"


def _zone(time_zone) -> ZoneInfo:
    if isinstance(time_zone, ZoneInfo):
        return time_zone
    return ZoneInfo(time_zone or DEFAULT_TIME_ZONE)


def series_of_meters(
    *, meters, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None
) -> dict[int, list[tuple[dt.datetime, Decimal | None, int]]]:
    """{meter pk: [(UTC start, kWh or None, status)]} of several meters over one window, from one query."""
    win = window(from_time, to_time, Resolution(resolution), _zone(time_zone))
    built = metering.consumption_of_meters([meter.pk for meter in meters], win)
    return {meter_pk: each.kwh() for meter_pk, each in built.items()}


def hourly_kwh(*, meters, from_time: dt.datetime, to_time: dt.datetime, time_zone=None) -> dict[dt.datetime, float]:
    """kWh per UTC hour start in [from_time, to_time), summed over `meters` (missing hours left out)."""
    total: dict[dt.datetime, float] = {}
    by_meter = series_of_meters(
        meters=meters, from_time=from_time, to_time=to_time, resolution=Resolution.Hour, time_zone=time_zone
    )
    for rows in by_meter.values():
        for moment, value, _status in rows:
            if value is not None:
                total[moment] = total.get(moment, 0.0) + float(value)
    return total


def series(*, meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None):
    """[(UTC start, kWh as Decimal or None, status)] of one meter."""
    win = window(from_time, to_time, Resolution(resolution), _zone(time_zone or meter.time_zone))
    return metering.consumption(meter.pk, win).kwh()


def has_quarter_hours(*, meter, from_time: dt.datetime, to_time: dt.datetime) -> bool:
    """Whether the meter has 15-minute intervals in [from_time, to_time)."""
    return metering.has_quarter_hours(meter_id=meter.pk, from_time=from_time, to_time=to_time)
