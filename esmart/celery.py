"""The Celery app: reads the CELERY_* Django settings and finds tasks in apps/<app>/tasks.py.

Each app may declare its periodic tasks in `apps/<app>/schedule.py` as a `BEAT_SCHEDULE` dict;
they are merged into the beat schedule here, so no app edits the settings of another.

A request that queues a task uses `enqueue_on_commit`: with the broker (Redis) down the request
has done its work, so the failed publish is logged instead of turning the response into a 500
(DESIGN.md §10). Use it only for tasks whose loss a later run repairs; a task whose message must
not be lost belongs in an outbox table written in the request's transaction.
"""

import functools
import importlib
import importlib.util
import logging
import os

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections, transaction
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

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
