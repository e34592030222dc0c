"""manage.py import_readings and the loader behind it."""

import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from apps.metering import daystore, services
from apps.metering.models import MeterDay

from .helpers import stored_intervals, stored_values, utc

pytestmark = pytest.mark.django_db

FIXTURE = Path(__file__).parent.parent / "fixtures" / "metering" / "intervals.csv"


def write_csv(tmp_path, text: str) -> Path:
    path = tmp_path / "readings.csv"
    path.write_text(text)
    return path


def test_imports_a_valid_file_with_progress(owner, tmp_path):
    path = write_csv(tmp_path, FIXTURE.read_text().replace("{meter}", owner.meter.meter_id))
    out = StringIO()
    call_command("import_readings", str(path), stdout=out)
    assert "8 valid rows" in out.getvalue()
    assert "loaded 8/8" in out.getvalue()
    stored = stored_intervals(owner.meter)
    assert len(stored_values(owner.meter)) == 7
    assert stored[utc(2025, 3, 30, 0)] == (60, Decimal("0.812"), 0)
    assert stored[utc(2025, 3, 30, 2)] == (60, Decimal("0.701"), 1)
    assert stored[utc(2025, 3, 30, 3)] == (60, None, 4000)
    assert stored[utc(2025, 3, 31, 4, 15)] == (15, Decimal("0.175"), 0)


def test_a_file_with_bad_rows_loads_nothing_and_names_the_lines(owner, tmp_path):
    good = f"{owner.meter.meter_id},2025-03-30T00:00:00Z,1.0"
    text = "\n".join(
        [
            "meter_id,start_at,value,status,minutes",
            good,
            f"{owner.meter.meter_id},not a time,1.0",
            "NOSUCHMETER,2025-03-30T01:00:00Z,1.0",
            f"{owner.meter.meter_id},2025-03-30T01:30:00Z,1.0,0,60",
            f"{owner.meter.meter_id},2025-03-30T02:00:00Z,-1",
            f"{owner.meter.meter_id},2025-03-30T03:00:00Z,1.0001",
            f"{owner.meter.meter_id},2025-03-30T04:00:00Z,,0",
            f"{owner.meter.meter_id},2025-03-30T05:00:00Z,1,7",
            f"{owner.meter.meter_id},2025-03-30T06:00:00Z,1,0,30",
            good,
        ]
    )
    with pytest.raises(CommandError) as refused:
        call_command("import_readings", str(write_csv(tmp_path, text)), stdout=StringIO())
    message = str(refused.value)
    assert "nothing was loaded" in message
    for line in range(3, 12):
        assert f"line {line}:" in message
    assert "line 2:" not in message
    assert "already on line 2" in message
    assert not MeterDay.objects.exists()


def test_missing_columns_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="lacks the column"):
        call_command("import_readings", str(write_csv(tmp_path, "meter,time\n")), stdout=StringIO())
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_readings", str(tmp_path / "nothing.csv"), stdout=StringIO())


def test_reloading_replaces_existing_intervals(owner):
    start = utc(2025, 1, 1)
    services.load_intervals(rows=[(owner.meter.pk, start, 60, Decimal("1.000"), 1)])
    services.load_intervals(
        rows=[
            (owner.meter.pk, start, 60, Decimal("1.250"), 0),
            (owner.meter.pk, start + dt.timedelta(hours=1), 60, Decimal("2.000"), 0),
        ]
    )
    assert stored_values(owner.meter) == {
        start: (60, Decimal("1.250"), 0),
        start + dt.timedelta(hours=1): (60, Decimal("2.000"), 0),
    }


def test_a_failing_batch_loads_nothing(owner):
    rows = [(owner.meter.pk, utc(2025, 1, 1, h), 60, Decimal("1"), 0) for h in range(3)]
    rows.append((owner.meter.pk, utc(2025, 1, 1, 5), 45, Decimal("1"), 0))  # no 45-minute day layout
    with pytest.raises(daystore.DayStoreError):
        services.load_intervals(rows=rows)
    assert not MeterDay.objects.exists()


def test_a_load_leaves_the_garbage_collector_as_it_found_it(owner):
    """Loads run without the cyclic collector (speed) and give it back, also when they fail."""
    import gc

    assert gc.isenabled()
    services.load_intervals(rows=[(owner.meter.pk, utc(2025, 1, 1), 60, "1.000", 0)])
    assert gc.isenabled()
    with pytest.raises(daystore.DayStoreError):
        services.load_intervals(rows=[(owner.meter.pk, utc(2025, 1, 1, 1), 45, "1.000", 0)])
    assert gc.isenabled()
    gc.disable()
    try:
        services.load_intervals(rows=[(owner.meter.pk, utc(2025, 1, 1, 2), 60, "1.000", 0)])
        assert not gc.isenabled()
    finally:
        gc.enable()
