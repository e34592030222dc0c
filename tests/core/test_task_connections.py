"""A worker's tasks keep their database connection as requests do (esmart.celery): Celery's Django
fixup would otherwise close it around every task, so each task paid a new connection."""

import time
from types import SimpleNamespace

import pytest
from django.db import connection

from esmart.celery import app, recycle_database_connections

pytestmark = pytest.mark.django_db(transaction=True)


def _task(*, eager: bool):
    return SimpleNamespace(request=SimpleNamespace(is_eager=eager))


def _open_connection():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return connection.connection


def test_the_fixup_no_longer_closes_around_every_task():
    assert app.conf.get("CELERY_DB_REUSE_MAX", None) >= 100


def test_a_task_keeps_a_usable_connection_within_its_max_age():
    opened = _open_connection()
    recycle_database_connections(sender=_task(eager=False))
    assert connection.connection is opened


@pytest.mark.skipif(connection.vendor == "sqlite", reason="Django never closes an in-memory SQLite test database")
def test_a_connection_past_its_max_age_is_closed_after_the_task():
    _open_connection()
    connection.close_at = time.monotonic() - 1  # as if CONN_MAX_AGE had passed
    recycle_database_connections(sender=_task(eager=False))
    assert connection.connection is None


def test_an_eager_task_leaves_the_callers_connection_alone():
    opened = _open_connection()
    connection.close_at = time.monotonic() - 1
    recycle_database_connections(sender=_task(eager=True))
    assert connection.connection is opened
