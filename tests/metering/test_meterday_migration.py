"""Migration 0005 moves the interval table's rows into meter days, replacing what is stored of them.

0006 dropped that table: each test recreates it inside its own transaction from the models as they
were at 0005 (Django's migration state), fills it, and runs 0005's forwards on those models.
"""

import datetime as dt
import importlib
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from apps.metering import series, services
from apps.metering.models import MeterDay, Resolution
from apps.metering.timeseries import window

from .helpers import oslo_midnight, utc

pytestmark = pytest.mark.django_db

migration = importlib.import_module("apps.metering.migrations.0005_meterday_from_intervals")


@pytest.fixture
def old_apps():
    """The app registry as at migration 0005, with its interval table created (rolled back with the test)."""
    state = MigrationLoader(connection, ignore_no_migrations=True).project_state(
        ("metering", "0005_meterday_from_intervals")
    )
    registry = state.apps
    # The table alone (its foreign key and indexes deferred, then left out): the schema editor's SQL,
    # run inside the test's transaction (the editor itself refuses SQLite's there).
    editor = connection.schema_editor()
    editor.deferred_sql = []
    sql, params = editor.table_sql(registry.get_model("metering", "Interval"))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    return registry


@pytest.fixture
def Interval(old_apps):  # the historical model, named as the migration names it
    return old_apps.get_model("metering", "Interval")


@pytest.fixture
def migrate(old_apps):
    return lambda: migration.forwards(old_apps, SimpleNamespace(connection=connection))


def test_intervals_become_the_days_the_loader_would_store(owner, other, Interval, migrate):
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


def test_a_day_in_two_lengths_stops_the_migration(owner, Interval, migrate):
    Interval.objects.bulk_create(
        [
            Interval(meter_id=owner.meter.pk, start_at=utc(2025, 2, 1, 1), minutes=60, value=Decimal(1)),
            Interval(meter_id=owner.meter.pk, start_at=utc(2025, 2, 1, 3), minutes=15, value=Decimal(1)),
        ]
    )
    with pytest.raises(RuntimeError, match="60- and 15-minute intervals on 2025-02-01"):
        migrate()
