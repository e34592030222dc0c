"""How gunicorn serves the app (gunicorn.conf.py uses this module; docs/deployment.md "Production serving").

- `ThreadWorker`: gunicorn's gthread worker whose client sockets time out. A connection holds a
  thread only while it has something to say: gthread keeps idle connections in its poller, and
  here a request that has begun must arrive whole (headers, and the body the app reads) within
  `read_timeout` seconds, or the connection is dropped (`ClientTooSlow`); writing a response
  may take at most `write_timeout` seconds, as the sync workers' timeout bounded it. So a slow
  or stalled client holds one thread for a bounded time, never a whole worker.
- `forwarded_trust(settings_module)`: what gunicorn may believe of forwarded headers, derived
  from the Django settings' SECURE_PROXY_SSL_HEADER: nothing unless the settings trust a proxy.
- `ServingApplication`: the WSGI layer in front of Django (esmart/wsgi.py): the early refusal
  of a network over its hasher allowance (esmart.api.limits.refusal_before_django), and the
  request body read before Django under the read timeout, so a client that stalls mid-body is
  a 408, not an error inside a view.
"""

from __future__ import annotations

import heapq
import importlib
import io
import os
import socket
import threading
import time
from concurrent import futures

from gunicorn.http.errors import NoMoreData
from gunicorn.workers import gthread

from esmart import request_id

DEFAULT_READ_TIMEOUT = 10
DEFAULT_REFUSAL_PARK = 1.0
# How long a new connection may hold a thread before its first bytes; a silent one then waits in
# gthread's poller (at most `keepalive` seconds) instead of a thread (gthread alone waits 5 s).
FIRST_BYTES_WAIT = 0.2
# A busy worker waits GUNICORN_ACCEPT_DEFER_MS per request it is running (at most 5 of them)
# before it accepts a new connection, so that an idle worker, woken by the same one, takes it.
DEFAULT_ACCEPT_DEFER_MS = 2.0
ACCEPT_DEFER_REQUESTS_MAX = 5


def read_timeout() -> float:
    """GUNICORN_READ_TIMEOUT: seconds a client has to send one request, headers and body."""
    return float(os.environ.get("GUNICORN_READ_TIMEOUT", DEFAULT_READ_TIMEOUT))


class ClientTooSlow(NoMoreData):
    """The client did not send its request within the read timeout (gunicorn closes quietly)."""

    def __str__(self) -> str:
        return "the client did not send its request in time"


class ClientSocket(socket.socket):
    """A client connection whose blocking reads share one deadline per request.

    gthread calls setblocking(True) when a connection has data for a new request: that starts
    the request's read deadline. Every recv then waits at most until it, so trickling a byte now
    and then does not extend it either. Sends wait at most `write_timeout`.
    """

    __slots__ = ("_read_deadline", "read_timeout", "write_timeout")

    @classmethod
    def adopt(cls, sock: socket.socket, *, read_timeout: float, write_timeout: float) -> ClientSocket:
        adopted = cls(fileno=sock.detach())
        adopted.read_timeout, adopted.write_timeout = read_timeout, write_timeout
        adopted._read_deadline = None
        super(ClientSocket, adopted).setblocking(False)  # as gthread leaves a connection it polls
        return adopted

    def setblocking(self, flag: bool) -> None:
        if flag:
            self._read_deadline = time.monotonic() + self.read_timeout
            super().settimeout(self.read_timeout)
        else:
            super().setblocking(False)

    def _before_read(self) -> None:
        if self._read_deadline is None or self.gettimeout() == 0.0:
            return  # not reading a request (gthread's own non-blocking peeks)
        remaining = self._read_deadline - time.monotonic()
        if remaining <= 0:
            raise ClientTooSlow
        super().settimeout(remaining)

    def recv(self, *args):
        self._before_read()
        try:
            return super().recv(*args)
        except TimeoutError:
            raise ClientTooSlow from None

    def recv_into(self, *args):
        self._before_read()
        try:
            return super().recv_into(*args)
        except TimeoutError:
            raise ClientTooSlow from None

    def _before_write(self) -> None:
        if self.gettimeout() != 0.0:
            super().settimeout(self.write_timeout)

    def send(self, *args):
        self._before_write()
        return super().send(*args)

    def sendall(self, *args):
        self._before_write()
        return super().sendall(*args)

    def sendfile(self, *args, **kwargs):
        self._before_write()
        return super().sendfile(*args, **kwargs)


class ThreadWorker(gthread.ThreadWorker):
    """gthread, with every plain TCP client connection a `ClientSocket` (read timeout:
    GUNICORN_READ_TIMEOUT; write timeout: gunicorn's `timeout`), a new connection waiting for
    its first bytes in the poller rather than in a thread, and a connection whose request was
    refused (429: a limiter or the lockout, before Django or in it) parked for
    GUNICORN_REFUSAL_PARK seconds before its next request is read, and new connections going to
    the least busy worker (`accept`).

    Parking is what bounds a closed-loop flood: a flooder sends its next request as soon as its
    429 arrives, so however cheap the refusal, it would take every spare CPU cycle from the
    requests the server should serve. A parked connection holds no thread and costs the flooder
    one request per park and connection; a well-behaved client waits for Retry-After anyway.
    """

    def init_process(self):
        self.parked_conns: list[tuple[float, int, object]] = []  # (resume at, tie-break, conn): a heap
        self.requests_running = 0
        self.accept_defer = float(os.environ.get("GUNICORN_ACCEPT_DEFER_MS", DEFAULT_ACCEPT_DEFER_MS)) / 1000
        super().init_process()

    def enqueue_req(self, conn):
        self.requests_running += 1
        super().enqueue_req(conn)

    def accept(self, listener):
        """gthread's accept, after a short wait in a worker that is running requests.

        Every worker polls the same listening socket, and a new connection wakes them all: whoever
        calls accept() first gets it, and keeps it for all its kept-alive requests. Without the wait
        a busy worker can win as often as an idle one, and then one process (one GIL) serves most
        connections while the other idles: measured with 4 kept-alive connections on 2 workers,
        splits of 3+1 and 4+0 halved the throughput of CPU-bound requests (docs/performance.md).
        With it the idle worker accepts first; a busy one finds EAGAIN (handled by gthread) or,
        if no other worker took the connection, accepts it a few milliseconds later."""
        if self.requests_running and self.accept_defer:
            time.sleep(self.accept_defer * min(self.requests_running, ACCEPT_DEFER_REQUESTS_MAX))
        super().accept(listener)

    def handle(self, conn):
        if not conn.initialized and not conn.data_ready and not conn.wait_for_data(FIRST_BYTES_WAIT):
            return gthread._DEFER  # gthread polls it, and closes it if silent for `keepalive` seconds
        if type(conn.sock) is socket.socket and conn.sock.family in (socket.AF_INET, socket.AF_INET6):
            conn.sock = ClientSocket.adopt(
                conn.sock, read_timeout=read_timeout(), write_timeout=float(self.cfg.timeout)
            )
        _refused.now = False
        keepalive = super().handle(conn)
        if keepalive and keepalive is not gthread._DEFER and _refused.now:
            conn.esmart_resume_at = time.monotonic() + refusal_park_seconds()
        return keepalive

    def finish_request(self, conn, fs):
        """gthread's, except that a kept-alive connection refused early waits in `parked_conns`
        (not in the poller) until its park ends. Runs on the main thread, like gthread's."""
        self.requests_running -= 1
        resume_at = getattr(conn, "esmart_resume_at", None)
        if resume_at is None or not self.alive or fs.cancelled() or fs.exception() is not None or not fs.result():
            return super().finish_request(conn, fs)
        conn.esmart_resume_at = None
        heapq.heappush(self.parked_conns, (resume_at, id(conn), conn))

    def wait_for_and_dispatch_events(self, timeout):
        """Resumes the parked connections whose park has ended (into gthread's keep-alive path),
        and wakes up in time for the next one."""
        now = time.monotonic()
        while self.parked_conns and self.parked_conns[0][0] <= now:
            _, _, conn = heapq.heappop(self.parked_conns)
            super().finish_request(conn, _done(True))
        if self.parked_conns:
            timeout = min(timeout, max(self.parked_conns[0][0] - now, 0.0))
        super().wait_for_and_dispatch_events(timeout)


def _done(result) -> futures.Future:
    future = futures.Future()
    future.set_result(result)
    return future


def refusal_park_seconds() -> float:
    """GUNICORN_REFUSAL_PARK: seconds before the next request of a connection refused early is read."""
    return float(os.environ.get("GUNICORN_REFUSAL_PARK", DEFAULT_REFUSAL_PARK))


# Set by ServingApplication on the thread whose request was answered 429 (before Django or by it).
_refused = threading.local()


def _noting_refusals(start_response):
    """start_response, noting a 429 (a limiter's or the lockout's refusal) for the worker's park."""

    def noting(status, headers, exc_info=None):
        if status.startswith("429"):
            _refused.now = True
        return start_response(status, headers, exc_info)

    return noting


# --- forwarded headers -------------------------------------------------------------------------


def _gunicorn_header(meta_name: str) -> str:
    """Django's META name of a request header (HTTP_X_FORWARDED_PROTO) as gunicorn spells it."""
    name = meta_name.removeprefix("HTTP_")
    return name.replace("_", "-").upper()


def forwarded_trust(settings_module: str) -> dict:
    """gunicorn's forwarded_allow_ips, secure_scheme_headers and forwarder_headers for these settings.

    Django alone decides what a forwarded header means: X-Forwarded-Proto through
    SECURE_PROXY_SSL_HEADER (production: DJANGO_TRUST_X_FORWARDED_PROTO), X-Forwarded-For through
    NUM_PROXIES. gunicorn's defaults would trust X-Forwarded-Proto (and X-Forwarded-Ssl...) from
    127.0.0.1 and set wsgi.url_scheme=https whatever the settings say, so with the settings' trust
    off gunicorn trusts no one; with it on, gunicorn reads the same one header Django reads, so
    wsgi.url_scheme agrees with request.scheme. Headers that would rewrite SCRIPT_NAME or PATH_INFO
    are never taken from a client.

    Only the settings module is imported (its values read), not django.conf.settings: the arbiter
    must not configure Django before forking (bench/bare_wsgi.py configures its own).
    """
    proxy_header = getattr(importlib.import_module(settings_module), "SECURE_PROXY_SSL_HEADER", None)
    if not proxy_header:
        return {"forwarded_allow_ips": "", "secure_scheme_headers": {}, "forwarder_headers": ""}
    header, value = proxy_header
    return {
        "forwarded_allow_ips": "*",
        "secure_scheme_headers": {_gunicorn_header(header): value},
        "forwarder_headers": "",
    }


# --- the WSGI layer in front of Django ---------------------------------------------------------

REQUEST_TIMEOUT_BODY = b'{"Message":"The request was not received in time."}'


class ServingApplication:
    """Wraps Django's WSGI handler: refuses a spent network's unverified logins before Django, and
    reads a request body (up to the API's body cap) before Django under the socket's read timeout."""

    def __init__(self, django_application):
        self.django_application = django_application

    def __call__(self, environ, start_response):
        from esmart.api import limits

        refusal = limits.refusal_before_django(environ)
        if refusal is not None:
            status, headers, body = refusal
            _refused.now = True  # the worker parks this connection (ThreadWorker)
            start_response(
                f"{status} Too Many Requests", [*headers, (request_id.HEADER, request_id.from_environ(environ))]
            )
            return [body]
        if not self._read_body(environ, limits.max_body_bytes()):
            # gunicorn closes the connection after it: the rest of the body never arrived in time.
            headers = [
                ("Content-Type", "application/json"),
                ("Content-Length", str(len(REQUEST_TIMEOUT_BODY))),
                (request_id.HEADER, request_id.from_environ(environ)),
            ]
            start_response("408 Request Timeout", headers)
            return [REQUEST_TIMEOUT_BODY]
        return self.django_application(environ, _noting_refusals(start_response))

    @staticmethod
    def _read_body(environ, cap: int) -> bool:
        """Reads a declared body of at most `cap` bytes into memory; False when the client stalled.

        A larger body is left alone (the API refuses it with a 413 before reading it)."""
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return True  # Django and the API answer a malformed length
        if length <= 0 or length > cap:
            return True
        try:
            body = environ["wsgi.input"].read(length)
        except OSError:  # ClientTooSlow, or the client went away: nothing to serve
            return False
        environ["wsgi.input"] = io.BytesIO(body)
        return True
