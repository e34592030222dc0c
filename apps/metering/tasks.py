"""Background jobs of the metering app (keyword arguments only, idempotent, acks_late, bounded retries)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from esmart.celery import enqueue_on_commit

from . import cim, conf, services
from .models import WeatherStation

WEATHER_LOOKBACK_HOURS = 48


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
