"""The read-replica router's rules that need no replica (esmart/replica.py). A real primary and
replica: tests/core/test_replica.py."""

import logging
import threading

import pytest
from celery.signals import task_prerun
from django.db import connections, transaction
from django.test import Client

from apps.customers.models import Meter
from esmart import replica
from esmart.replica import DEFAULT, ReplicaHealth, ReplicaRouter, heavy_read, route

ROUTER = ReplicaRouter()
# What a heavy read with nothing against the replica gets in this run: none is configured (the
# SQLite default, CI's PostgreSQL), or the one given is the primary's test mirror (settings/test.py).
NO_OBJECTION = {replica.NOT_CONFIGURED, replica.TEST_MIRROR}


@pytest.fixture(autouse=True)
def _fresh_unit_of_work():
    replica.begin_unit_of_work()
    yield
    replica.begin_unit_of_work()


def test_reads_go_to_the_primary_unless_marked_heavy():
    assert route() == (DEFAULT, replica.NOT_HEAVY)
    assert ROUTER.db_for_read(Meter) == DEFAULT
    with heavy_read():
        assert route()[1] in NO_OBJECTION
    assert route() == (DEFAULT, replica.NOT_HEAVY)


def test_writes_always_go_to_the_primary_and_are_remembered_until_the_next_unit_of_work():
    assert ROUTER.db_for_write(Meter) == DEFAULT
    with heavy_read():
        assert route() == (DEFAULT, replica.WROTE)
    assert Client().get("/api/ping").status_code == 200  # a new request (request_started)
    with heavy_read():
        assert route()[1] in NO_OBJECTION
    ROUTER.db_for_write(Meter)
    task_prerun.send(sender=None, task_id="t", task=None)  # a new Celery task
    with heavy_read():
        assert route()[1] in NO_OBJECTION


@pytest.mark.django_db
def test_a_read_inside_a_transaction_stays_on_the_primary():
    with transaction.atomic(), heavy_read():
        assert connections[DEFAULT].in_atomic_block
        assert route() == (DEFAULT, replica.IN_TRANSACTION)


@pytest.mark.django_db
def test_in_a_test_transaction_heavy_reads_use_the_primary(owner):
    # Inside the test's transaction: the primary, where the test's rows are.
    with heavy_read():
        assert Meter.objects.filter(pk=owner.meter.pk).db == DEFAULT
        assert replica.connection_for(Meter) is connections[DEFAULT]


def test_a_write_inside_a_heavy_read_turns_its_later_reads_to_the_primary():
    with heavy_read():
        assert route()[1] in NO_OBJECTION
        ROUTER.db_for_write(Meter)
        assert route() == (DEFAULT, replica.WROTE)


def test_nested_blocks_follow_the_outermost_and_decorated_calls_have_their_own_state():
    seen = []

    @heavy_read()
    def read(depth):
        seen.append(route()[1])
        if depth:
            read(depth - 1)

    read(2)
    assert seen[0] in NO_OBJECTION and len(set(seen)) == 1
    assert route() == (DEFAULT, replica.NOT_HEAVY)  # every level unwound

    outcomes = []

    def elsewhere():
        outcomes.append(route())

    with heavy_read():
        thread = threading.Thread(target=elsewhere)  # another thread has its own context
        thread.start()
        thread.join()
    assert outcomes == [(DEFAULT, replica.NOT_HEAVY)]


def test_a_caught_up_block_without_a_usable_replica_never_reads_it():
    with heavy_read(caught_up=True):
        assert route() == (DEFAULT, replica.NOT_CAUGHT_UP)


@pytest.mark.parametrize(
    ("sql", "writes"),
    [
        ("SELECT 1", False),
        ("  select * from metering_interval", False),
        ("(SELECT 1) UNION (SELECT 2)", False),
        ("WITH RECURSIVE up(id) AS (SELECT 1) SELECT id FROM up", False),
        ("INSERT INTO metering_interval VALUES (1)", True),
        ("update metering_interval set value = 1", True),
        ("DELETE FROM metering_interval", True),
        ("WITH gone AS (DELETE FROM metering_interval RETURNING 1) SELECT count(*) FROM gone", True),
        ("CREATE TEMP TABLE t (x int)", True),
        ("TRUNCATE t", True),
    ],
)
def test_raw_sql_writes_on_the_primary_are_noticed(sql, writes):
    class Primary:
        in_atomic_block = False

    ran = []
    result = replica.note_raw_writes(
        lambda *args: ran.append(args) or "done", sql, None, False, {"connection": Primary}
    )
    assert result == "done" and len(ran) == 1
    with heavy_read():
        assert (route() == (DEFAULT, replica.WROTE)) is writes


def test_any_statement_inside_a_transaction_counts_as_writing():
    class Primary:
        in_atomic_block = True

    replica.note_raw_writes(lambda *args: None, "SELECT 1", None, False, {"connection": Primary})
    with heavy_read():
        assert route() == (DEFAULT, replica.WROTE)


class BugError(Exception):
    pass


def test_an_outage_is_logged_once_and_the_replica_tried_again_after_the_retry_time(settings, caplog):
    from django.db import OperationalError

    settings.DATABASE_REPLICA_RETRY_SECONDS = 10
    health = ReplicaHealth()
    calls = []
    state = {"up": False}

    def connect():
        calls.append(1)
        if not state["up"]:
            raise OperationalError('connection to server at "127.0.0.1", port 1 failed: Connection refused\nmore')

    caplog.set_level(logging.INFO, logger="esmart.replica")
    assert health.usable(connect, now=100.0) is False
    assert health.usable(connect, now=105.0) is False  # within the retry time: not even tried
    assert len(calls) == 1
    assert health.usable(connect, now=110.0) is False  # tried again, still down: not logged again
    assert len(calls) == 2
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage() and "Connection refused" in warnings[0].getMessage()

    state["up"] = True
    assert health.usable(connect, now=121.0) is True
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.INFO] == [
        "The read replica is reachable again: heavy reads go to it"
    ]
    assert health.usable(connect, now=122.0) is True  # no further lines while it is up
    state["up"] = False
    assert health.usable(connect, now=123.0) is False  # a new outage: one more warning
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 2
    assert len(caplog.records) == 3


def test_an_error_that_is_not_a_database_error_is_not_an_outage():
    health = ReplicaHealth()

    def connect():
        raise BugError("a bug, not an outage")

    with pytest.raises(BugError):
        health.usable(connect, now=1.0)
    assert health.in_outage is False


def test_migrations_and_relations():
    assert ROUTER.allow_migrate("replica", "metering") is False
    assert ROUTER.allow_migrate("default", "metering") is None
    first, second = Meter(), Meter()
    first._state.db, second._state.db = "replica", "default"
    assert ROUTER.allow_relation(first, second) is True
    second._state.db = "other"
    assert ROUTER.allow_relation(first, second) is None
