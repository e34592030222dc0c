"""Queuing a task while the broker is down: logged, and the request that queued it goes on."""

import logging

import pytest
from django.db import transaction

from esmart.celery import app, enqueue_on_commit, publish
from esmart.core.tasks import record_worker_heartbeat

from .redis_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker_down(monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    monkeypatch.setattr(app, "_pool", None)  # connections made with the previous broker
    monkeypatch.setattr(app.amqp, "_producer_pool", None)


def test_a_task_queued_on_commit_with_the_broker_down_is_logged_not_raised(
    broker_down, caplog, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(record_worker_heartbeat)
    assert len(callbacks) == 1
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and r.name == "esmart.celery"]
    assert [r.getMessage() for r in errors] == [
        "Could not queue esmart.core.tasks.record_worker_heartbeat: the task broker is unreachable (OperationalError)"
    ]


def test_publish_in_eager_mode_runs_the_task():
    from django.core.cache import cache

    from esmart.core.tasks import HEARTBEAT_CACHE_KEY

    assert publish(record_worker_heartbeat) is True
    assert cache.get(HEARTBEAT_CACHE_KEY) is not None


def test_a_failure_other_than_the_broker_is_logged_not_raised(monkeypatch, caplog):
    """A closed producer pool (kombu's RuntimeError) after the commit must not fail the caller either."""

    def closed_pool(*args, **kwargs):
        raise RuntimeError("Acquire on closed pool")

    monkeypatch.setattr(record_worker_heartbeat, "apply_async", closed_pool)
    assert publish(record_worker_heartbeat) is False
    assert [r.getMessage() for r in caplog.records if r.name == "esmart.celery"] == [
        "Could not queue esmart.core.tasks.record_worker_heartbeat"
    ]
