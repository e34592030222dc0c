"""Consumption from the metering app, as the pricing app needs it."""

from __future__ import annotations

import datetime as dt

from apps.metering import series as metering_series
from apps.metering.models import Resolution
from apps.metering.selectors import consumption_series


def hourly_kwh(*, meters, from_time: dt.datetime, to_time: dt.datetime, time_zone=None) -> dict[dt.datetime, float]:
    """kWh per UTC hour start in [from_time, to_time), summed over `meters` (missing hours left out)."""
    zone_name = getattr(time_zone, "key", time_zone)
    total: dict[dt.datetime, float] = {}
    for meter in meters:
        for moment, value, _status in consumption_series(
            meter=meter, from_time=from_time, to_time=to_time, resolution=Resolution.Hour, time_zone=zone_name
        ):
            if value is not None:
                total[moment] = total.get(moment, 0.0) + float(value)
    return total


def series(*, meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None):
    """[(UTC start, kWh as Decimal or None, status)] of one meter, as the metering app computes it."""
    return consumption_series(
        meter=meter, from_time=from_time, to_time=to_time, resolution=resolution, time_zone=time_zone
    )


def has_quarter_hours(*, meter, from_time: dt.datetime, to_time: dt.datetime) -> bool:
    """Whether the meter has 15-minute intervals in [from_time, to_time): its energy is then priced per
    quarter hour (quarter-hour kWh × quarter-hour price)."""
    return metering_series.has_quarter_hours(meter_id=meter.pk, from_time=from_time, to_time=to_time)
