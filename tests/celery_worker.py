"""A real Celery worker for tests: solo pool in this process, on a Redis database of its own.

Tests that need one are marked `worker` and skip without REDIS_URL. Each passes its own broker
database, so concurrent test runs (and the app's own broker database) never share messages; the
processes of one parallel run (pytest -n) are kept apart by a key prefix per process.
"""

import re
from contextlib import contextmanager

from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections
from kombu import pools

from esmart.celery import app


def _reconnect(**conf):
    app.conf.update(conf)
    # Close the connections made with the previous broker and forget their pools: app._pool is
    # kombu's process-wide pool for that broker URL, so closing it alone left a closed pool in
    # kombu's registry for the next test that queues to the same URL ("Acquire on closed pool").
    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)


def _restore(changed: dict) -> None:
    """Puts back the app's own configuration changes as they were (`changed`: the previous ones).
    A key the tests set is removed again, not set to the value read before: that value may come
    from an override_settings that ends first (the app reads the Django settings live)."""
    for key in ("broker_url", "result_backend", "task_always_eager", "broker_transport_options"):
        app.conf.changes.pop(key, None)
    _reconnect(**changed)


def _changed() -> dict:
    keys = ("broker_url", "result_backend", "task_always_eager", "broker_transport_options")
    return {key: app.conf.changes[key] for key in keys if key in app.conf.changes}


@contextmanager
def queuing_to(broker_url: str):
    """Runs the block with tasks queued to `broker_url` instead of run eagerly, and no worker."""
    changed = _changed()
    _reconnect(broker_url=broker_url, task_always_eager=False)
    try:
        yield app
    finally:
        _restore(changed)


@contextmanager
def running_worker(*, broker_db: int = 0, results: bool = False, broker_url: str | None = None):
    """Runs the block with tasks going through Redis database `broker_db` to a live worker (or
    through `broker_url`, a private redis-server's: tests/core/redis_server.py)."""
    broker = broker_url or re.sub(r"(/\d+)?$", f"/{broker_db}", settings.REDIS_URL.rstrip("/"), count=1)
    changed = _changed()
    saved = {"broker_transport_options": app.conf.broker_transport_options}
    # Parallel test processes (pytest -n) may run tests on the same broker database: their keys differ.
    options = {**(saved["broker_transport_options"] or {}), "global_keyprefix": f"test-{settings.TEST_WORKER}:"}
    _reconnect(
        broker_url=broker,
        result_backend=broker if results else None,
        task_always_eager=False,
        broker_transport_options=options,
    )
    # Tasks keep their database connection between runs (esmart.celery); the worker thread's must
    # not outlive the test, or its test database cannot be dropped.
    task_postrun.connect(_close_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
            yield app
    finally:
        task_postrun.disconnect(_close_connections)
        _restore(changed)


def _close_connections(sender=None, **kwargs):
    if not getattr(sender.request, "is_eager", False):
        connections.close_all()
