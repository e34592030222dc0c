"""Heavy reads on a PostgreSQL streaming replica, everything else on the primary (docs/replica.md).

With `DATABASE_REPLICA_URL` set the settings add a `replica` database; `ReplicaRouter` (always
installed) sends every read and write to the primary (`default`), except the reads made inside
`heavy_read()`: the selectors of long series, comparisons and exports opt in by name, at their
entry point. Inside one, a read goes to the replica unless

- the primary is in a transaction (what is read there is read to write);
- this unit of work (a request, a Celery task) has written: it must see its own writes;
- the replica is down: it is then left alone for `DATABASE_REPLICA_RETRY_SECONDS` (logged once
  per outage), and the read goes to the primary.

`heavy_read(caught_up=True)` (the CIM export) first waits, up to
`DATABASE_REPLICA_CATCH_UP_SECONDS`, until the replica has replayed everything the primary had
written when the block began (its own writes included), else reads the primary.

Raw SQL of a heavy read takes its connection from `connection_for(model)`, not
`django.db.connection` (which is always the primary's).
"""

from __future__ import annotations

import contextvars
import logging
import re
import threading
import time
from collections.abc import Callable
from contextlib import ContextDecorator

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, router

logger = logging.getLogger(__name__)

REPLICA = "replica"
DEFAULT = DEFAULT_DB_ALIAS

# Writes of the current unit of work, counted (reset by begin_unit_of_work()).
_writes: contextvars.ContextVar[int] = contextvars.ContextVar("esmart_replica_writes", default=0)
# Inside heavy_read(): how many writes the block may read past (0: none; after a catch-up, the
# count at its start; -1: the replica is not to be used). None outside.
_allowance: contextvars.ContextVar[int | None] = contextvars.ContextVar("esmart_replica_allowance", default=None)

NOT_HEAVY = "not a heavy read"
IN_TRANSACTION = "the primary is in a transaction"
WROTE = "this unit of work wrote"
NOT_CAUGHT_UP = "the replica had not caught up"
NOT_CONFIGURED = "no replica configured"
TEST_MIRROR = "the replica is a test mirror of the primary"
DOWN = "the replica is down"
ON_REPLICA = "replica"


def begin_unit_of_work(**kwargs) -> None:
    """A request or a task starts: nothing written yet (connected to request_started, task_prerun)."""
    _writes.set(0)


def note_write() -> None:
    _writes.set(_writes.get() + 1)


def configured() -> bool:
    return REPLICA in settings.DATABASES


def route() -> tuple[str, str]:
    """(the alias a read goes to now, why)."""
    allowance = _allowance.get()
    if allowance is None:
        return DEFAULT, NOT_HEAVY
    if connections[DEFAULT].in_atomic_block:
        return DEFAULT, IN_TRANSACTION
    if allowance < 0:
        return DEFAULT, NOT_CAUGHT_UP
    if _writes.get() != allowance:
        return DEFAULT, WROTE
    return _replica_if_usable()


def _replica_if_usable() -> tuple[str, str]:
    if not configured():
        return DEFAULT, NOT_CONFIGURED
    if connections[REPLICA].settings_dict["TEST"].get("MIRROR"):
        # Tests: the mirror is the primary's test database; only the primary's connection sees
        # the test's own (uncommitted) data.
        return DEFAULT, TEST_MIRROR
    if not HEALTH.usable(_connect_replica):
        return DEFAULT, DOWN
    return REPLICA, ON_REPLICA


def connection_for(model):
    """The connection a raw-SQL read of `model` uses (the router's choice)."""
    return connections[router.db_for_read(model)]


class heavy_read(ContextDecorator):  # noqa: N801 (used as a decorator and a context manager)
    """Marks a heavy read: its reads may go to the replica (see the module's rules). Nested blocks
    follow the outermost one."""

    def __init__(self, *, caught_up: bool = False):
        self.caught_up = caught_up
        self._token = None

    def _recreate_cm(self):
        return type(self)(caught_up=self.caught_up)  # one state per call: decorated functions may recurse

    def __enter__(self):
        if _allowance.get() is None:
            self._token = _allowance.set(self._start_allowance())
        return self

    def __exit__(self, *exc_info):
        if self._token is not None:
            _allowance.reset(self._token)
            self._token = None
        return False

    def _start_allowance(self) -> int:
        if not self.caught_up:
            return 0
        writes = _writes.get()
        if connections[DEFAULT].in_atomic_block or _replica_if_usable()[0] != REPLICA:
            return -1
        return writes if _replica_caught_up(settings.DATABASE_REPLICA_CATCH_UP_SECONDS) else -1


def _replica_caught_up(timeout: float) -> bool:
    """Whether the replica replays, within `timeout` seconds, the primary's WAL position of now."""
    with connections[DEFAULT].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        target = cursor.fetchone()[0]
    deadline = time.monotonic() + timeout
    try:
        with connections[REPLICA].cursor() as cursor:
            while True:
                cursor.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [target])
                if cursor.fetchone()[0]:
                    return True
                if time.monotonic() >= deadline:
                    logger.info("The read replica is behind the primary: this read goes to the primary")
                    return False
                time.sleep(0.02)
    except DatabaseError as exc:
        HEALTH.mark_down(exc)
        return False


def _connect_replica() -> None:
    """Raises DatabaseError when the replica cannot be reached; cheap when its connection is open."""
    replica = connections[REPLICA]
    if replica.errors_occurred:  # a query failed on it: check it as a new request would
        replica.close_if_unusable_or_obsolete()
    replica.close_if_health_check_failed()
    replica.ensure_connection()


class ReplicaHealth:
    """Whether the replica may be tried, in process memory: after a failure it is left alone for
    DATABASE_REPLICA_RETRY_SECONDS; an outage is logged once (its end once too)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_until = 0.0
        self.in_outage = False

    def usable(self, connect: Callable[[], None], now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        if now < self.down_until:
            return False
        try:
            connect()
        except DatabaseError as exc:
            self.mark_down(exc, now)
            return False
        if self.in_outage:
            with self._lock:
                ended, self.in_outage = self.in_outage, False
            if ended:
                logger.info("The read replica is reachable again: heavy reads go to it")
        return True

    def mark_down(self, exc: Exception, now: float | None = None) -> None:
        retry = settings.DATABASE_REPLICA_RETRY_SECONDS
        with self._lock:
            self.down_until = (time.monotonic() if now is None else now) + retry
            first, self.in_outage = not self.in_outage, True
        if first:
            logger.warning(
                "The read replica is unreachable (%s): heavy reads go to the primary; trying it again every %s s",
                str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                retry,
            )


HEALTH = ReplicaHealth()


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _allowance.get() is None:  # the common case, first
            return DEFAULT
        return route()[0]

    def db_for_write(self, model, **hints):
        note_write()
        return DEFAULT

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: objects read from either may be related.
        if {obj1._state.db, obj2._state.db} <= {DEFAULT, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None


# --- Raw-SQL writes on the primary ------------------------------------------------------------------
# The router sees the ORM's writes; raw SQL (cursor.execute) is seen by this execute wrapper on the
# primary's connection. Any statement inside a transaction counts (it is read to write, or writes),
# and outside one anything but a plain read. psycopg's COPY bypasses Django's cursor; its users load
# inside transaction.atomic, whose first statement counts.
_READ_STATEMENT = re.compile(
    r"\s*(?:\(\s*)*(?:SELECT|SHOW|EXPLAIN|VALUES|WITH\b(?!.*\b(?:INSERT|UPDATE|DELETE|MERGE)\b))\b",
    re.IGNORECASE | re.DOTALL,
)


def note_raw_writes(execute, sql, params, many, context):
    if context["connection"].in_atomic_block or not _READ_STATEMENT.match(sql):
        note_write()
    return execute(sql, params, many, context)


def _watch_primary(sender, connection, **kwargs):
    if connection.alias == DEFAULT and note_raw_writes not in connection.execute_wrappers:
        # First in the list: connection.execute_wrapper() blocks pop the last one on exit.
        connection.execute_wrappers.insert(0, note_raw_writes)


def install() -> None:
    """Connects the unit-of-work resets and, with a replica, the primary's raw-write watch (CoreConfig.ready)."""
    from celery.signals import task_prerun
    from django.core.signals import request_started
    from django.db.backends.signals import connection_created

    request_started.connect(begin_unit_of_work, dispatch_uid="esmart.replica.request")
    task_prerun.connect(begin_unit_of_work, dispatch_uid="esmart.replica.task", weak=False)
    if configured():
        connection_created.connect(_watch_primary, dispatch_uid="esmart.replica.watch")
