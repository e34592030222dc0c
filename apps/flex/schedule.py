"""Periodic tasks of the flex app (merged into the beat schedule by esmart/celery.py)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Day-ahead prices are fetched from 12:05 UTC; plan every hour after until all areas are planned
    # (idempotent: planned devices are unchanged, areas without prices are tried again).
    "flex-plan-tomorrow": {"task": "apps.flex.tasks.plan_tomorrow", "schedule": crontab(minute=30, hour="12-21")},
    # Load shedding follows the sites' live power.
    "flex-evaluate-sites": {"task": "apps.flex.tasks.evaluate_sites", "schedule": 60.0},
}
