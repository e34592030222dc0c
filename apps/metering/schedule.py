"""Periodic jobs of the metering app, merged into the beat schedule by esmart/celery.py."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    "metering.fetch_weather": {"task": "metering.fetch_weather", "schedule": crontab(minute=10)},
    # 01:30 or 02:30 in Norway, when the head-end has delivered the day.
    "metering.export_cim_yesterday": {
        "task": "metering.export_cim_yesterday",
        "schedule": crontab(minute=30, hour=0),
    },
}
