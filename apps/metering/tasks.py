"""Background jobs of the metering app (keyword arguments only, idempotent, acks_late, bounded retries)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from esmart.celery import enqueue_on_commit

from . import cim, conf, partitions, services
from .models import WeatherStation

WEATHER_LOOKBACK_HOURS = 48
PARTITION_MONTHS_AHEAD = 3


@shared_task(
    name="metering.fetch_weather",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def fetch_weather(*, hours: int = WEATHER_LOOKBACK_HOURS) -> int:
    """Loads the last `hours` of observations of every station from the weather adapter (upserts)."""
    end = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    start = end - dt.timedelta(hours=hours)
    return sum(services.fetch_observations(station=s, start=start, end=end) for s in WeatherStation.objects.all())


@shared_task(name="metering.export_cim_day", acks_late=True, autoretry_for=(OSError,), retry_backoff=60, max_retries=3)
def export_cim_day(*, day: str) -> str:
    """Exports one local day (YYYY-MM-DD) as CIM MeterReadings; returns the export's correlation id."""
    return str(cim.export_day(day=dt.date.fromisoformat(day)).correlation_id)


@shared_task(name="metering.export_cim_yesterday", acks_late=True, max_retries=0)
def export_cim_yesterday() -> str:
    """The nightly job: queues yesterday's export (in the export calendar)."""
    yesterday = timezone.now().astimezone(ZoneInfo(conf.cim_time_zone())).date() - dt.timedelta(days=1)
    enqueue_on_commit(export_cim_day, day=yesterday.isoformat())
    return yesterday.isoformat()


@shared_task(name="metering.ensure_meterday_partitions", acks_late=True, max_retries=0)
def ensure_meterday_partitions(*, months_ahead: int = PARTITION_MONTHS_AHEAD) -> list[str]:
    """The monthly partitions of meter days from this month to `months_ahead` ahead (PostgreSQL; the
    loader creates any other month it writes into); returns the names created."""
    today = timezone.now().astimezone(partitions_zone()).date()
    last = partitions.month_start(today)
    for _ in range(months_ahead):
        last = partitions.next_month(last)
    return partitions.ensure_partitions(partitions.month_start(today), last)


def partitions_zone() -> ZoneInfo:
    """The calendar of stored days (and so of partitions): Europe/Oslo."""
    return services.STORAGE_TZ
