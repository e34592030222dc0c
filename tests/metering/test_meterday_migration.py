"""Migration 0005 moves the interval table's rows into meter days, replacing what is stored of them."""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection

from apps.metering import series, services
from apps.metering.models import Interval, MeterDay, Resolution
from apps.metering.timeseries import window

from .helpers import oslo_midnight, utc

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.metering.migrations.0005_meterday_from_intervals")


def migrate() -> None:
    migration.forwards(apps, SimpleNamespace(connection=connection))


def test_intervals_become_the_days_the_loader_would_store(owner, other):
    rows = []
    for meter, start, minutes, n in (
        (owner.meter, oslo_midnight(2025, 3, 29), 60, 24 + 23 + 10),  # a 23-hour day, then a partial one
        (other.meter, oslo_midnight(2025, 10, 26), 15, 100 + 7),  # a 100-quarter day
    ):
        for k in range(n):
            start_at = start + dt.timedelta(minutes=minutes * k)
            value, status = (None, 4000) if k == 5 else (Decimal(k % 9) + Decimal("0.125"), int(k == 6))
            rows.append((meter.pk, start_at, minutes, value, status))
    Interval.objects.bulk_create(
        Interval(meter_id=m, start_at=t, minutes=n, value=v, status=s) for m, t, n, v, s in rows
    )
    # A day whose first hours came before 0004 and the rest after: only the later piece is stored.
    services.store_days([r for r in rows if r[0] == owner.meter.pk and r[1] >= utc(2025, 3, 29, 10)][:5])

    migrate()
    migrated = {
        (m, d): (n, bytes(v), s and bytes(s), t)
        for m, d, n, v, s, t in MeterDay.objects.values_list(
            "meter_id", "day", "minutes", "values", "statuses", "total"
        )
    }
    MeterDay.objects.all().delete()
    services.store_days(rows)
    loaded = {
        (m, d): (n, bytes(v), s and bytes(s), t)
        for m, d, n, v, s, t in MeterDay.objects.values_list(
            "meter_id", "day", "minutes", "values", "statuses", "total"
        )
    }
    assert migrated == loaded and len(loaded) == 5

    migrate()  # again: the same bytes
    again = {
        (m, d): (n, bytes(v), s and bytes(s), t)
        for m, d, n, v, s, t in MeterDay.objects.values_list(
            "meter_id", "day", "minutes", "values", "statuses", "total"
        )
    }
    assert again == loaded
    win = window(oslo_midnight(2025, 3, 29), oslo_midnight(2025, 4, 1), Resolution.Day, ZoneInfo("Europe/Oslo"))
    assert [s for _, _, s in series.consumption(owner.meter.pk, win).kwh()] == [1, 0, 1]


def test_a_day_in_two_lengths_stops_the_migration(owner):
    Interval.objects.bulk_create(
        [
            Interval(meter=owner.meter, start_at=utc(2025, 2, 1, 1), minutes=60, value=Decimal(1)),
            Interval(meter=owner.meter, start_at=utc(2025, 2, 1, 3), minutes=15, value=Decimal(1)),
        ]
    )
    with pytest.raises(RuntimeError, match="60- and 15-minute intervals on 2025-02-01"):
        migrate()
