"""The Celery app: reads the CELERY_* Django settings and finds tasks in apps/<app>/tasks.py.

Each app may declare its periodic tasks in `apps/<app>/schedule.py` as a `BEAT_SCHEDULE` dict;
they are merged into the beat schedule here, so no app edits the settings of another.

A request that queues a task uses `enqueue_on_commit`: with the broker (Redis) down the request
has done its work, so the failed publish is logged instead of turning the response into a 500
(DESIGN.md §10). Use it only for tasks whose loss a later run repairs; a task whose message must
not be lost belongs in an outbox table written in the request's transaction.

Operations (docs/operations.md): a task queued during a request carries the request's id in a
message header and logs under it; the worker and beat log through settings.LOGGING (LOG_FORMAT=json
too) instead of Celery's own setup; each task's outcome and duration are counted for /metrics, and
with CELERY_METRICS_PORT set the worker serves its processes' metrics on that port.
"""

import functools
import importlib
import importlib.util
import logging
import os

from celery import Celery
from celery.signals import (
    before_task_publish,
    setup_logging,
    task_failure,
    task_postrun,
    task_prerun,
    worker_init,
    worker_process_shutdown,
)
from django.db import close_old_connections, transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from esmart import metrics, request_id

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")

app = Celery("esmart")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def collect_beat_schedules(sender, **kwargs):
    from django.conf import settings

    schedule = dict(sender.conf.beat_schedule or {})
    for app_module in settings.INSTALLED_APPS:
        module_name = f"{app_module}.schedule"
        if app_module.startswith(("apps.", "esmart.")) and importlib.util.find_spec(module_name):
            schedule.update(importlib.import_module(module_name).BEAT_SCHEDULE)
    sender.conf.beat_schedule = schedule


@task_prerun.connect
@task_postrun.connect
def recycle_database_connections(sender=None, **kwargs):
    """A worker's task treats its database connection as Django treats a request's: kept across
    tasks up to CONN_MAX_AGE, closed when it broke (CONN_HEALTH_CHECKS). Without this (and
    CELERY_DB_REUSE_MAX) Celery closes it around every task, and each task pays a new connection.
    Eager tasks run inside the caller's request or test transaction: left alone."""
    if sender is not None and not getattr(sender.request, "is_eager", False):
        close_old_connections()


@setup_logging.connect
def configure_logging(**kwargs):
    """Worker and beat log as web does (settings.LOGGING: plain or JSON lines, request ids,
    credentials scrubbed); a receiver here keeps Celery from installing its own handlers."""
    from django.conf import settings

    from esmart.logging import configure

    configure(settings.LOGGING)


@before_task_publish.connect
def carry_request_id(headers=None, **kwargs):
    rid = request_id.current()
    if rid is not None and headers is not None:
        headers.setdefault(request_id.TASK_HEADER, rid)


_task_request_ids: dict[str, object] = {}


@task_prerun.connect
def task_started(task_id=None, task=None, **kwargs):
    metrics.task_started(task_id)
    if task is not None and not getattr(task.request, "is_eager", False):
        # An eager task runs in its caller's context and keeps its request id.
        _task_request_ids[task_id] = request_id.activate(getattr(task.request, request_id.TASK_HEADER, None))


@task_failure.connect
def task_failed(task_id=None, sender=None, **kwargs):
    # Counted here, not at postrun: an eager task that raises to its caller sends no postrun.
    metrics.task_finished(task_id, getattr(sender, "name", "unknown"), "FAILURE")


@task_postrun.connect
def task_finished(task_id=None, task=None, state=None, **kwargs):
    if state != "FAILURE":
        metrics.task_finished(task_id, getattr(task, "name", "unknown"), state)
    token = _task_request_ids.pop(task_id, None)
    if token is not None:
        request_id.deactivate(token)


@worker_init.connect
def serve_worker_metrics(**kwargs):
    """Empties the metrics directory before the pool starts, and with CELERY_METRICS_PORT serves
    the worker's metrics (every pool process's) on that port, to loopback and METRICS_TOKEN."""
    metrics.reset_multiprocess_dir()
    port = os.environ.get("CELERY_METRICS_PORT")
    if port:
        metrics.start_metrics_server(int(port), os.environ.get("CELERY_METRICS_ADDRESS", "0.0.0.0"))


@worker_process_shutdown.connect
def forget_pool_process(pid=None, **kwargs):
    metrics.process_exited(pid or os.getpid())


def publish(task, /, **kwargs) -> bool:
    """Queues `task` with keyword arguments; False (logged) when it could not be queued.

    The caller's work is already committed, so nothing here may raise: an unreachable broker is the
    expected failure, anything else (a closed connection pool, a serialisation error) is logged with
    its traceback."""
    try:
        task.apply_async(kwargs=kwargs)
    except (OperationalError, RedisConnectionError) as exc:
        logger.error("Could not queue %s: the task broker is unreachable (%s)", task.name, type(exc).__name__)
        return False
    except Exception:
        logger.exception("Could not queue %s", task.name)
        return False
    return True


def enqueue_on_commit(task, /, **kwargs) -> None:
    """Queues `task` once the current transaction commits, without failing the request if the broker is down.

    This is the only way app code queues a task from a transaction (tests/core/test_enqueue_rule.py
    checks that no `transaction.on_commit` callback calls `.delay`/`.apply_async` itself)."""
    transaction.on_commit(functools.partial(publish, task, **kwargs), robust=True)
