"""New connections go to the least busy worker (esmart.serving.ThreadWorker.accept).

Every gunicorn worker polls the same listening socket, and whoever accepts a connection keeps all
its kept-alive requests. A worker that is running requests waits GUNICORN_ACCEPT_DEFER_MS per
request before it accepts, so an idle worker takes the connection: without that, one process (one
GIL) could hold most connections while the other idles (docs/performance.md).
"""

import os
import socket
import time
from pathlib import Path

import pytest

from .gunicorn_server import production_server

pytestmark = pytest.mark.real_clock  # a gunicorn subprocess: its clock is the real one


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    with production_server(
        tmp_path_factory.mktemp("accept"),
        WEB_CONCURRENCY="2",
        GUNICORN_ACCEPT_DEFER_MS="300",  # far above any scheduling delay of the idle worker
        GUNICORN_READ_TIMEOUT="10",
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on the loopback, as behind a TLS proxy
    ) as port:
        wait_for_both_workers(port)
        yield port


def wait_for_both_workers(port: int, timeout: float = 60) -> None:
    """The server answers once one worker is up; the test needs the second one accepting too."""
    seen: set[int] = set()
    deadline = time.monotonic() + timeout
    while len(seen) < 2:
        assert time.monotonic() < deadline, f"only workers {seen} accepted connections"
        connections = [answered_ping(port) for _ in range(4)]  # held open together: both workers' turn
        seen |= {server_process_of(connection, port) for connection in connections}
        for connection in connections:
            connection.close()


def busy_connection(port: int) -> socket.socket:
    """A request whose body never comes: the worker that accepted it runs it (a thread waits for the body)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock.sendall(b"POST /api/Authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000\r\n\r\n{")
    time.sleep(0.5)  # the worker has read what was sent and waits for the rest
    return sock


def answered_ping(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=15)
    sock.sendall(b"GET /api/ping HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    return sock  # kept alive: the worker that accepted it still holds it


def server_process_of(client: socket.socket, port: int) -> int:
    """The pid of the process holding the server side of `client`'s connection (Linux /proc)."""
    client_port = client.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = fields[1], fields[2]
        if int(local.split(":")[1], 16) == port and int(remote.split(":")[1], 16) == client_port:
            inode = fields[9]
    assert inode is not None, "the server side of the connection is not in /proc/net/tcp"
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            if any(os.readlink(fd) == f"socket:[{inode}]" for fd in fd_dir.iterdir()):
                return int(fd_dir.parent.name)
        except OSError:  # a process that ended, or one we may not read
            continue
    raise AssertionError(f"no process holds socket {inode}")


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux's /proc to find the accepting worker")
def test_a_busy_worker_leaves_a_new_connection_to_the_idle_one(port):
    for _ in range(3):
        busy = busy_connection(port)
        try:
            busy_worker = server_process_of(busy, port)
            pinged = answered_ping(port)
            try:
                assert server_process_of(pinged, port) != busy_worker
            finally:
                pinged.close()
        finally:
            busy.close()
