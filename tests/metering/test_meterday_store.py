"""The meter-day write path (services.store_days through load_intervals) on either backend:
pieces of a day merge into one row, corrections change only their intervals and are idempotent,
a day is one interval length, a refused file writes nothing, PostgreSQL partitions come first."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.metering import daystore, partitions, services
from apps.metering.models import MeterDay
from tests.metering.factories import MeterDayFactory

from .helpers import load_hours, load_quarters, oslo_midnight, utc

pytestmark = pytest.mark.django_db


def stored(meter, day: dt.date):
    row = MeterDay.objects.get(meter=meter, day=day)
    count = daystore.day_layout(day, row.minutes).count
    values, statuses = daystore.decode_day((bytes(row.values), row.statuses and bytes(row.statuses)), count)
    return row, values, statuses


def test_a_day_of_hours_is_one_row_in_wh(owner):
    load_hours(owner.meter, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31), value="1.234")
    row, values, statuses = stored(owner.meter, dt.date(2025, 3, 30))
    assert MeterDay.objects.count() == 1
    assert (row.minutes, row.total, row.statuses) == (60, 23 * 1234, None)  # the 23-hour day
    assert values == [1234] * 23 and statuses == [0] * 23


def test_a_day_in_pieces_is_merged_in_any_order(owner, other):
    start = oslo_midnight(2025, 10, 26)  # 25 hours
    first = [(start + dt.timedelta(hours=h), Decimal(h), 0) for h in range(10)]
    second = [(start + dt.timedelta(hours=h), Decimal(h), 1 if h == 20 else 0) for h in range(10, 25)]
    for meter, pieces in ((owner.meter, (first, second)), (other.meter, (second, first))):
        for piece in pieces:
            services.load_intervals(rows=[(meter.pk, t, 60, v, s) for t, v, s in piece])
    mine, values, statuses = stored(owner.meter, dt.date(2025, 10, 26))
    theirs = MeterDay.objects.get(meter=other.meter, day=dt.date(2025, 10, 26))
    assert values == [h * 1000 for h in range(25)]
    assert statuses == [0] * 20 + [1] + [0] * 4
    assert mine.total == sum(range(25)) * 1000
    assert (bytes(mine.values), bytes(mine.statuses)) == (bytes(theirs.values), bytes(theirs.statuses))


def test_half_a_day_is_a_partial_row_with_the_rest_missing(owner):
    load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 1) + dt.timedelta(hours=10))
    row, values, statuses = stored(owner.meter, dt.date(2025, 2, 1))
    assert values == [1000] * 10 + [None] * 14
    assert statuses == [0] * 10 + [4000] * 14
    assert (row.total, bytes(row.statuses)) == (10_000, bytes((10, 4000 & 0xFF, 4000 >> 8)))


def test_a_correction_changes_only_its_interval_and_twice_is_once(owner):
    load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 2), value="1.000", status=1)
    correction = [(owner.meter.pk, utc(2025, 2, 1, 5), 60, Decimal("1.750"), 0)]
    services.load_intervals(rows=correction)
    once = MeterDay.objects.values_list("values", "statuses", "total").get()
    services.load_intervals(rows=correction)
    assert MeterDay.objects.values_list("values", "statuses", "total").get() == once
    _, values, statuses = stored(owner.meter, dt.date(2025, 2, 1))
    assert values == [1000] * 6 + [1750] + [1000] * 17  # 05:00 UTC is the 7th hour in Oslo
    assert statuses == [1] * 6 + [0] + [1] * 17


def test_a_value_less_interval_is_missing_and_not_counted(owner):
    services.load_intervals(
        rows=[
            (owner.meter.pk, utc(2025, 2, 1, 0), 60, "2.5", 0),
            (owner.meter.pk, utc(2025, 2, 1, 1), 60, None, 4000),
        ]
    )
    row, values, statuses = stored(owner.meter, dt.date(2025, 2, 1))
    assert values[1:3] == [2500, None] and statuses[1:3] == [0, 4000]
    assert row.total == 2500


def test_quarter_hours_and_int64_values(owner):
    load_quarters(owner.meter, oslo_midnight(2025, 10, 26), oslo_midnight(2025, 10, 27), value="0.250")
    row, values, _ = stored(owner.meter, dt.date(2025, 10, 26))
    assert (row.minutes, len(values), row.total) == (15, 100, 25_000)
    services.load_intervals(rows=[(owner.meter.pk, utc(2025, 10, 26, 12), 15, "99999999999.999", 0)])
    row, values, _ = stored(owner.meter, dt.date(2025, 10, 26))
    assert len(bytes(row.values)) == 800 and max(values) == 99_999_999_999_999


def test_a_day_is_one_interval_length(owner):
    load_hours(owner.meter, utc(2025, 2, 1, 0), utc(2025, 2, 1, 2))
    with pytest.raises(daystore.DayStoreError, match="60-minute intervals stored"):
        load_quarters(owner.meter, utc(2025, 2, 1, 8), utc(2025, 2, 1, 9))
    # A day holding only missing intervals is laid out again at the new length.
    services.load_intervals(rows=[(owner.meter.pk, utc(2025, 3, 1, 0), 60, None, 4000)])
    load_quarters(owner.meter, utc(2025, 3, 1, 8), utc(2025, 3, 1, 9))
    row, values, _ = stored(owner.meter, dt.date(2025, 3, 1))
    assert row.minutes == 15 and values.count(250) == 4


def test_a_file_mixing_lengths_in_a_day_is_refused_with_its_lines(owner, tmp_path):
    meter = owner.meter.meter_id
    path = tmp_path / "mixed.csv"
    path.write_text(
        "meter_id,start_at,value,status,minutes\n"
        f"{meter},2025-03-31T00:00:00Z,1.0,0,60\n"
        f"{meter},2025-03-31T04:00:00Z,0.2,0,15\n"
        f"{meter},2025-04-01T04:00:00Z,0.2,0,15\n"
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_readings", str(path), stdout=StringIO())
    assert "line 3: 2025-03-31 of this meter has 60-minute intervals (line 2), not 15" in str(refused.value)
    assert "line 4" not in str(refused.value)
    assert not MeterDay.objects.exists()


def test_a_file_with_a_malformed_line_writes_no_day(owner, tmp_path):
    meter = owner.meter.meter_id
    path = tmp_path / "bad.csv"
    path.write_text(
        "meter_id,start_at,value\n"
        f"{meter},2025-03-31T00:00:00Z,1.0\n"
        f"{meter},2025-03-31T01:00:00Z,one\n"
        f"{meter},2025-03-31T02:00:00Z,1.0\n"
    )
    with pytest.raises(CommandError, match="line 3: value 'one'"):
        call_command("import_readings", str(path), stdout=StringIO())
    assert not MeterDay.objects.exists()


def test_a_load_refused_by_the_day_store_writes_nothing(owner):
    rows = [(owner.meter.pk, utc(2025, 1, 1, h), 60, Decimal("1"), 0) for h in range(3)]
    rows.append((owner.meter.pk, utc(2025, 1, 2, 5), 15, Decimal("1"), 0))
    rows.append((owner.meter.pk, utc(2025, 1, 2, 6), 60, Decimal("1"), 0))
    with pytest.raises(daystore.DayStoreError):
        services.load_intervals(rows=rows)
    assert not MeterDay.objects.exists()


@pytest.mark.parametrize(
    ("text", "wh"), [("1", 1000), ("1.5", 1500), ("0.001", 1), ("12.345", 12345), ("-0.5", -500), ("007.10", 7100)]
)
def test_kwh_text_and_decimals_become_whole_wh(text, wh):
    assert services.to_wh(text) == wh == services.to_wh(Decimal(text))


@pytest.mark.parametrize(
    ("value", "wh"),
    [(0.1 * 3, 300), (3.643, 3643), (2.5, 2500), (7, 7000), (Decimal("0.0005"), 1), (Decimal("-0.0015"), -2)],
)
def test_finer_than_a_wh_rounds_as_the_numeric_column_did(value, wh):
    assert services.to_wh(value) == wh
    assert services.to_wh(str(value)) == wh


def test_months_of_a_range():
    assert partitions.months(dt.date(2024, 11, 30), dt.date(2025, 2, 1)) == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
        dt.date(2025, 2, 1),
    ]
    assert partitions.partition_name(dt.date(2025, 2, 1)) == "metering_meterday_202502"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has one unpartitioned table")
class TestPartitions:
    def test_a_load_creates_the_months_it_needs_once(self, owner):
        assert "metering_meterday_201303" not in partitions.existing_partitions()
        load_hours(owner.meter, utc(2013, 3, 31, 20), utc(2013, 4, 1, 2))
        names = partitions.existing_partitions()
        assert {"metering_meterday_201303", "metering_meterday_201304"} <= set(names)
        assert partitions.ensure_partitions(dt.date(2013, 3, 1), dt.date(2013, 4, 30)) == []
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM metering_meterday_201304")
            assert cursor.fetchone()[0] == 1

    def test_a_row_outside_every_partition_is_refused_not_lost(self, owner):
        with pytest.raises(Exception, match="no partition"):
            MeterDayFactory(meter=owner.meter, day=dt.date(1990, 1, 1), minutes=60, values=b"")
