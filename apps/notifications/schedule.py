"""Beat: the sweep that retries push deliveries left claimed by a worker that died."""

BEAT_SCHEDULE = {
    "notifications-retry-stale-deliveries": {
        "task": "apps.notifications.tasks.retry_stale_deliveries",
        "schedule": 60.0,
    }
}
