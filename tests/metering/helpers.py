"""Helpers for metering tests: load intervals through the service, read series back."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.metering import series, services
from apps.metering.models import MeterDay

OSLO = ZoneInfo("Europe/Oslo")
UTC = dt.UTC


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def oslo_midnight(year, month, day) -> dt.datetime:
    return dt.datetime(year, month, day, tzinfo=OSLO).astimezone(UTC)


def load_hours(meter, start: dt.datetime, end: dt.datetime, value="1.000", status=0, skip=()):
    """Hourly intervals of `value` for [start, end), except the UTC hours in `skip`."""
    rows = []
    moment = start
    while moment < end:
        if moment not in skip:
            rows.append((meter.pk, moment, 60, Decimal(value), status))
        moment += dt.timedelta(hours=1)
    return services.load_intervals(rows=rows)


def load_quarters(meter, start: dt.datetime, end: dt.datetime, value="0.250", status=0):
    rows = []
    moment = start
    while moment < end:
        rows.append((meter.pk, moment, 15, Decimal(value), status))
        moment += dt.timedelta(minutes=15)
    return services.load_intervals(rows=rows)


def stored_intervals(meter=None) -> dict[dt.datetime, tuple[int, Decimal | None, int]]:
    """Every interval of the stored meter days (of `meter`, or all): UTC start → (minutes, kWh or None,
    status). An interval that has not arrived reads as (None, 4000), as the store keeps it."""
    days = MeterDay.objects.order_by("meter_id", "day")
    if meter is not None:
        days = days.filter(meter=meter)
    rows = days.values_list("day", "minutes", "values", "statuses")
    return {
        start: (minutes, None if wh is None else Decimal(wh).scaleb(-3), status)
        for start, minutes, wh, status in series.intervals(rows)
    }


def stored_values(meter=None) -> dict[dt.datetime, tuple[int, Decimal, int]]:
    """The stored intervals that hold a value (see `stored_intervals`)."""
    return {start: row for start, row in stored_intervals(meter).items() if row[1] is not None}
