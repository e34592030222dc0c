"""Private PostgreSQL servers for tests (never the machine's shared cluster): a primary made with
initdb and a streaming replica made with pg_basebackup -R, each in its own folder of a temporary
directory, on free ports, listening on 127.0.0.1 and a socket in that directory only.

The server binaries are the newest under /usr/lib/postgresql/*/bin (Debian's layout), else the
folder `pg_config --bindir` names. PostgreSQL refuses to run as root: as root they run as the
`postgres` OS user (which then owns the temporary directory).
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

from .redis_server import free_port

NEEDED = ("initdb", "pg_ctl", "pg_basebackup", "postgres")
WAIT = ("-w", "-t", "60")  # pg_ctl waits for the server, at most 60 s
REPLAYED = "SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0"


def server_bin() -> Path | None:
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True)
    pg_config = shutil.which("pg_config")
    if pg_config:
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            candidates.append(
                subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=True).stdout.strip()
            )
    for folder in candidates:
        if all(os.access(Path(folder, name), os.X_OK) for name in NEEDED):
            return Path(folder)
    return None


def run_as() -> str | None:
    """The OS user the servers run as: None (this process's own), or "postgres" when this is root."""
    return "postgres" if os.geteuid() == 0 else None


def why_not_available() -> str | None:
    """None when private servers can run here, else the reason (for a skip)."""
    if server_bin() is None:
        return "PostgreSQL server binaries (initdb, pg_ctl, pg_basebackup) are not installed"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root and there is no postgres OS user to run the servers as"
    return None


class Server:
    def __init__(self, folder: Path, port: int, bindir: Path, user: str | None):
        self.folder, self.port, self.bindir, self.user = folder, port, bindir, user
        self.data = folder / "data"
        self.log = folder / "server.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=database, autocommit=True)

    def run(self, name: str, *args: str, timeout: float = 120) -> None:
        result = subprocess.run(
            [str(self.bindir / name), *args],
            user=self.user,
            cwd=self.folder.parent,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{name} failed ({result.returncode}): {result.stdout}{result.stderr}{self.log_tail()}")

    def log_tail(self) -> str:
        with contextlib.suppress(OSError):
            return "\n--- server log ---\n" + self.log.read_text()[-3000:]
        return ""

    def start(self, *settings: str) -> None:
        options = [
            f"-p {self.port}",
            f"-k {self.folder}",  # its own socket directory, not /var/run/postgresql
            "-c listen_addresses=127.0.0.1",
            # A test's server: nothing to keep after a crash, so no flushing to disk.
            "-c fsync=off",
            "-c synchronous_commit=off",
            "-c full_page_writes=off",
            "-c shared_buffers=16MB",
            "-c max_connections=20",
            *(f"-c {s}" for s in settings),
        ]
        self.run("pg_ctl", "-D", str(self.data), "-l", str(self.log), *WAIT, "-o", " ".join(options), "start")

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(self.data), "-m", mode, *WAIT, "stop")


class PrimaryAndReplica:
    """`make_primary()`, then `make_replica()` (a base backup of the primary as it is), `close()`."""

    def __init__(self):
        self.bindir = server_bin()
        self.user = run_as()
        self.root = Path(tempfile.mkdtemp(prefix="esmart-replica-"))
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)
        self.primary = Server(self._folder("primary"), free_port(), self.bindir, self.user)
        self.replica = Server(self._folder("replica"), free_port(), self.bindir, self.user)

    def _folder(self, name: str) -> Path:
        folder = self.root / name
        folder.mkdir()
        if self.user:
            account = pwd.getpwnam(self.user)
            os.chown(folder, account.pw_uid, account.pw_gid)
        return folder

    def make_primary(self) -> None:
        primary = self.primary
        primary.run("initdb", "-D", str(primary.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync")
        # Trust on the loopback only, for sessions and for replication (pg_basebackup, the standby).
        (primary.data / "pg_hba.conf").write_text(
            "local all all trust\n"
            "host all all 127.0.0.1/32 trust\n"
            "local replication all trust\n"
            "host replication all 127.0.0.1/32 trust\n"
        )
        primary.start("wal_level=replica", "max_wal_senders=4", "hot_standby=on")

    def make_replica(self) -> None:
        """pg_basebackup -R: a copy of the primary that starts as a standby streaming from it."""
        replica = self.replica
        replica.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.primary.port), "-U", "postgres"),
            *("-D", str(replica.data), "-R", "-X", "stream", "-c", "fast", "--no-sync"),
        )
        replica.start("hot_standby=on")

    def wait_until_replayed(self, timeout: float = 60) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.primary.connect() as primary:
            target = primary.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        with self.replica.connect() as replica:
            deadline = time.monotonic() + timeout
            while not replica.execute("SELECT pg_wal_lsn_diff(pg_last_wal_replay_lsn(), %s) >= 0", [target]).fetchone()[
                0
            ]:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the replica did not replay up to {target}")
                time.sleep(0.05)

    def close(self) -> None:
        for server in (self.replica, self.primary):
            with contextlib.suppress(Exception):
                server.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
