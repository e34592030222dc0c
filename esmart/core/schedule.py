BEAT_SCHEDULE = {
    "worker-heartbeat": {"task": "esmart.core.tasks.record_worker_heartbeat", "schedule": 60.0},
}
