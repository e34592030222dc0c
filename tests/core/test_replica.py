"""Heavy reads on a real streaming replica (esmart/replica.py, docs/replica.md).

The test makes its own PostgreSQL primary (initdb, wal_level=replica, replication allowed from the
loopback in pg_hba.conf) and a replica of it (pg_basebackup -R, hot_standby) on free ports in a
temporary directory (tests/core/postgres_cluster.py), never the machine's shared cluster, and runs
the application against them in a second process configured by DATABASE_URL and
DATABASE_REPLICA_URL (tests/core/replica_scenario.py). It runs wherever the PostgreSQL server
binaries are installed, whatever database the rest of the suite uses.

What the replica served is told apart by what it has: its replay is paused while the primary gets a
new day, so a series read on the replica lacks that day and one read on the primary has it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .postgres_cluster import PrimaryAndReplica, why_not_available

ROOT = Path(__file__).resolve().parents[2]
RETRY_SECONDS = 1.0

pytestmark = [
    pytest.mark.real_clock,  # the servers and the application process keep the real time
    pytest.mark.skipif(bool(why_not_available()), reason=str(why_not_available())),
]


class Application:
    """The scenario process: `step(name, **arguments)` returns its answer (see replica_scenario.py)."""

    def __init__(self, cluster: PrimaryAndReplica):
        keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV")
        env = {key: os.environ[key] for key in keep if key in os.environ}
        env.update(
            DJANGO_SETTINGS_MODULE="esmart.settings.local",
            DJANGO_DEBUG="false",
            DATABASE_URL=cluster.primary.url(),
            DATABASE_REPLICA_URL=cluster.replica.url(),
            REDIS_URL="",  # local-memory cache, eager tasks (set, so a developer's .env does not apply)
            DATABASE_REPLICA_RETRY_SECONDS=str(RETRY_SECONDS),
            DATABASE_REPLICA_CATCH_UP_SECONDS="1",
            METERING_CIM_DIR=str(cluster.root / "cim"),
            LOG_LEVEL="WARNING",
        )
        self.errors = cluster.root / "application.log"
        with open(self.errors, "w") as errors:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.core.replica_scenario"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
                text=True,
            )
        self._answer()

    def _answer(self) -> dict:
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the application process ended: {self.errors.read_text()[-3000:]}")
        answer = json.loads(line)
        if "error" in answer:
            raise AssertionError(answer["error"])
        return answer

    def step(self, name: str, **arguments) -> dict:
        self.process.stdin.write(json.dumps({"step": name, **arguments}) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self) -> None:
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def served_by(answer: dict) -> set[str]:
    return set(answer["data_reads"])


def warnings(answer: dict) -> list[str]:
    return [line for line in answer["log"] if line.startswith("WARNING")]


def test_heavy_reads_are_served_by_the_replica_and_fall_back_to_the_primary():
    cluster = PrimaryAndReplica()
    application = None
    try:
        cluster.make_primary()
        application = Application(cluster)
        application.step("schema")  # migrations, on the primary
        cluster.make_replica()
        application.step("seed")  # a login, a meter and 24 kWh on 3 March, written on the primary
        cluster.wait_until_replayed()

        # A series through the API: read on the replica, a standby, in the session that served it.
        read = application.step("api_read")
        assert read["values"] == [24.0, None]
        assert served_by(read) == {"replica"}, read["data_reads"]
        assert read["in_recovery"] == {"replica": True}
        assert read["log"] == []

        # The replica stops replaying; the primary gets 4 March. Heavy reads still go to the
        # replica, which has not got it: the day is missing, so the replica served the read.
        with cluster.replica.connect() as replica:
            replica.execute("SELECT pg_wal_replay_pause()")
        application.step("write", day="2025-03-04", kwh="2.000")
        stale = application.step("api_read")
        assert stale["values"] == [24.0, None]
        assert served_by(stale) == {"replica"}

        # What must be fresh stays on the primary: a unit of work that wrote reads its own write...
        own = application.step("write_then_read", day="2025-03-04", kwh="3.000")
        assert own["values"] == [24.0, 72.0]
        assert served_by(own) == {"default"}
        assert own["route"] == ["default", "this unit of work wrote"]
        # ...and a read inside a transaction (read to write) is the primary's.
        in_transaction = application.step("read_in_transaction")
        assert in_transaction["values"] == [24.0, 72.0]
        assert served_by(in_transaction) == {"default"}

        # The CIM export waits for the replica to catch up (1 s here): paused, it reads the primary...
        behind = application.step("cim_export", day="2025-03-04")
        assert behind["value_count"] == 24
        assert "replica" not in served_by(behind)
        # ...and once the replica has caught up, the replica.
        with cluster.replica.connect() as replica:
            replica.execute("SELECT pg_wal_replay_resume()")
        caught_up = application.step("cim_export", day="2025-03-03")
        assert caught_up["value_count"] == 24
        assert "replica" in served_by(caught_up)
        # (the primary only read the export's own logs)
        assert all("metering_cim" in sql for sql in caught_up["data_reads"].get("default", []))

        cluster.wait_until_replayed()
        fresh = application.step("api_read")
        assert fresh["values"] == [24.0, 72.0]
        assert served_by(fresh) == {"replica"}

        # The replica goes down: heavy reads go to the primary, and the outage is logged once.
        cluster.replica.stop("fast")
        down = application.step("api_read")
        assert down["values"] == [24.0, 72.0]
        assert served_by(down) == {"default"}
        assert len(warnings(down)) == 1, down["log"]
        assert "read replica is unreachable" in warnings(down)[0]
        again = application.step("api_read")
        assert served_by(again) == {"default"} and again["log"] == []
        time.sleep(RETRY_SECONDS + 0.2)  # tried again after the retry time: still down, not logged again
        retried = application.step("api_read")
        assert served_by(retried) == {"default"} and retried["log"] == []

        # Back up: after the retry time heavy reads return to it, and that is logged once too.
        cluster.replica.start("hot_standby=on")
        time.sleep(RETRY_SECONDS + 0.2)
        back = application.step("api_read")
        assert back["values"] == [24.0, 72.0]
        assert served_by(back) == {"replica"}
        assert back["log"] == ["INFO The read replica is reachable again: heavy reads go to it"]
    finally:
        if application is not None:
            application.close()
        cluster.close()
