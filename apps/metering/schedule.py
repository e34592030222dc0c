"""Periodic jobs of the metering app, merged into the beat schedule by esmart/celery.py."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "metering.fetch_weather": {"task": "metering.fetch_weather", "schedule": crontab(minute=10)},
    # 01:30 or 02:30 in Norway, when the head-end has delivered the day.
    "metering.export_cim_yesterday": {
        "task": "metering.export_cim_yesterday",
        "schedule": crontab(minute=30, hour=0),
    },
    # Meter-day partitions three months ahead (PostgreSQL); daily, so a missed run is caught up.
    "metering.ensure_meterday_partitions": {
        "task": "metering.ensure_meterday_partitions",
        "schedule": crontab(minute=20, hour=3),
    },
}
