"""Helpers for metering tests: load intervals through the service, read series back."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.metering import services

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
