"""The beat job that creates meter-day partitions ahead (PostgreSQL; a no-op on SQLite)."""

import pytest
from django.db import connection

from apps.metering import partitions, tasks
from esmart.celery import app
from tests.clock import TEST_NOW

pytestmark = pytest.mark.django_db


def test_it_is_on_the_beat_schedule():
    entry = app.conf.beat_schedule["metering.ensure_meterday_partitions"]
    assert entry["task"] == tasks.ensure_meterday_partitions.name


@pytest.mark.skipif(connection.vendor == "postgresql", reason="SQLite has no partitions")
def test_nothing_to_create_on_sqlite():
    assert tasks.ensure_meterday_partitions.delay().get() == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's partitions")
def test_this_month_and_three_ahead_exist_and_a_rerun_creates_nothing():
    month = partitions.month_start(TEST_NOW.astimezone(tasks.partitions_zone()).date())
    wanted = [month]
    for _ in range(3):
        wanted.append(partitions.next_month(wanted[-1]))
    tasks.ensure_meterday_partitions.delay().get()
    assert {partitions.partition_name(m) for m in wanted} <= set(partitions.existing_partitions())
    assert tasks.ensure_meterday_partitions.delay().get() == []
