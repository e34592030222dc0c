from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

HEARTBEAT_CACHE_KEY = "core:worker-heartbeat"


@shared_task(acks_late=True, ignore_result=True)
def record_worker_heartbeat() -> str:
    """Beat queues this every minute; api/ping shows when a worker last ran it."""
    now = timezone.now().replace(microsecond=0)
    cache.set(HEARTBEAT_CACHE_KEY, now, timeout=None)
    return now.isoformat()
