"""manage.py prune_meter_days: retention of stored meter days (whole months detached and dropped on
PostgreSQL, older days deleted on SQLite), with --dry-run."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from apps.metering import partitions
from apps.metering.models import MeterDay
from apps.metering.services import STORAGE_TZ
from tests.clock import TEST_NOW

from .helpers import load_hours, oslo_midnight

pytestmark = pytest.mark.django_db


def prune(**options) -> str:
    out = StringIO()
    call_command("prune_meter_days", stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def three_months(owner):
    """A day in each of the three months before the clock's month (tests/clock.py), and one in it."""
    this_month = partitions.month_start(TEST_NOW.astimezone(STORAGE_TZ).date())
    days = [this_month]
    for _ in range(3):
        days.insert(0, (days[0] - dt.timedelta(days=1)).replace(day=1))
    for day in days:
        load_hours(owner.meter, oslo_midnight(day.year, day.month, 2), oslo_midnight(day.year, day.month, 3))
    return days


def test_dry_run_lists_and_keeps_everything(three_months):
    out = prune(keep_months=1, dry_run=True)
    assert "would remove" in out
    assert MeterDay.objects.count() == 4


def test_months_before_the_retention_go_and_the_rest_stay(three_months):
    out = prune(keep_months=1)
    kept = sorted(MeterDay.objects.values_list("day", flat=True))
    assert [d.replace(day=1) for d in kept] == three_months[2:]
    if connection.vendor == "postgresql":
        gone = {partitions.partition_name(m) for m in three_months[:2]}
        assert all(f"removed {name}" in out for name in gone)
        assert not gone & set(partitions.existing_partitions())
        assert partitions.partition_name(three_months[2]) in partitions.existing_partitions()
    again = prune(keep_months=1)  # nothing left to remove
    if connection.vendor == "postgresql":
        assert again == f"removed 0 partitions before {three_months[2]}\n"
    else:
        assert again == f"removed 0 meter days before {three_months[2]}\n"


def test_partition_names_and_expiry_are_pure():
    assert partitions.partition_month("metering_meterday_202502") == dt.date(2025, 2, 1)
    assert partitions.partition_month("metering_meterday_x") is None
    assert partitions.partition_month("other_202502") is None
