"""Periodic tasks of the pricing app (merged into the beat schedule by esmart/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # The day-ahead auction result is out at about 12:45–13:00 CET; the task retries until published.
    "pricing-fetch-next-day": {
        "task": "apps.pricing.tasks.fetch_day_ahead_prices",
        "schedule": crontab(minute=5, hour=12),  # UTC: 13:05 CET, 14:05 CEST
    },
    # A catch-up for today (idempotent: nothing happens when the day is stored).
    "pricing-fetch-today": {
        "task": "apps.pricing.tasks.fetch_day_ahead_prices",
        "schedule": crontab(minute=15, hour=4),
        "kwargs": {"days_ahead": 0},
    },
}
