"""Slow clients cannot take the API down (issue 20): under the README's production start, connections
that stall in the middle of a request hold a thread for at most the read timeout, never a worker.

With gunicorn's sync workers (2), two such connections held both workers for 60 s and api/ping
timed out; gunicorn.conf.py now serves with gthread (esmart.serving.ThreadWorker), whose client
sockets give a request GUNICORN_READ_TIMEOUT seconds to arrive whole.
"""

import socket
import time

import pytest

from .gunicorn_server import get, production_server

READ_TIMEOUT = 3


def stalled_body(port: int) -> socket.socket:
    """Headers announcing a 100,000-byte body, then a few bytes of it, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT + 10)
    sock.sendall(
        b"POST /api/Authenticate HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100000\r\n\r\n{"UserName": "a'
    )
    return sock


def stalled_headers(port: int) -> socket.socket:
    """Half a request line and header, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=READ_TIMEOUT + 10)
    sock.sendall(b"GET /api/ping HTTP/1.1\r\nHost: 127.0")
    return sock


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    """One production start (the default workers and threads) for the module: starting it is the slow part."""
    with production_server(tmp_path_factory.mktemp("slow"), GUNICORN_READ_TIMEOUT=str(READ_TIMEOUT)) as port:
        yield port


def read_until_closed(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection (socket.timeout if it never does)."""
    received = b""
    while chunk := sock.recv(65536):
        received += chunk
    return received


def test_stalled_connections_neither_block_ping_nor_stay_open(port):
    bodies = [stalled_body(port) for _ in range(4)]
    headers = [stalled_headers(port) for _ in range(2)]
    opened = time.monotonic()
    time.sleep(0.5)  # the server has read what they sent and is waiting for the rest

    # Answered while all six stall: a 2 s client timeout, far below gunicorn's 60 s timeout.
    for _ in range(3):
        response = get(port, "/api/ping", timeout=2)
        assert response.status == 200, response.data
    assert time.monotonic() - opened < READ_TIMEOUT, "ping was answered only once the slow clients were gone"

    for sock in bodies:
        with sock:
            answer = read_until_closed(sock)  # raises socket.timeout if the server keeps it open
        assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]
    for sock in headers:
        with sock:
            assert read_until_closed(sock) == b""  # dropped without an answer: no request arrived
    # Not before the read timeout. (The server may close them one after another, see README; a
    # connection it kept open would make read_until_closed time out after READ_TIMEOUT + 10 s.)
    assert time.monotonic() - opened >= READ_TIMEOUT - 0.5


def test_a_trickling_client_gets_no_more_time_than_a_silent_one(port):
    """One byte every half second never lets the read deadline run for longer than READ_TIMEOUT."""
    sock = stalled_headers(port)
    started = time.monotonic()
    closed = False
    with sock:
        while time.monotonic() - started < READ_TIMEOUT + 6:
            try:
                sock.sendall(b"x")
            except OSError:  # reset: the server closed it
                closed = True
                break
            sock.settimeout(0.5)
            try:
                if sock.recv(65536) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
    assert closed, "the server kept a trickling connection open past its read timeout"
    assert time.monotonic() - started < READ_TIMEOUT + 3
