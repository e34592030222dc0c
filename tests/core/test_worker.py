"""A task through a real Celery worker and the real Redis broker (not eager mode)."""

import time

import pytest
from django.conf import settings
from django.core.cache import cache

from esmart.celery import app
from esmart.core.tasks import HEARTBEAT_CACHE_KEY, record_worker_heartbeat

from ..celery_worker import running_worker

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker"),
]


@pytest.fixture
def real_worker():
    with running_worker(broker_db=9):
        yield


def test_heartbeat_task_runs_on_a_worker_and_shows_in_ping(real_worker, client):
    assert app.conf.broker_url.startswith("redis://")
    assert cache.get(HEARTBEAT_CACHE_KEY) is None
    record_worker_heartbeat.delay()
    heartbeat = _wait_for(lambda: cache.get(HEARTBEAT_CACHE_KEY), seconds=20)
    assert heartbeat is not None, "the worker did not run the task"
    body = client.get("/api/ping").json()
    assert body["LastWorkerHeartbeat"] == heartbeat.strftime("%Y-%m-%dT%H:%M:%S")


def _wait_for(probe, *, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = probe()
        if value is not None:
            return value
        time.sleep(0.05)
    return None


def test_the_beat_schedule_collects_app_schedules():
    schedule = app.conf.beat_schedule
    assert schedule["worker-heartbeat"]["task"] == "esmart.core.tasks.record_worker_heartbeat"
