"""Prometheus metrics at `/metrics` (docs/operations.md "Metrics").

Counted where they happen, with prometheus-client:
- `esmart_http_request_duration_seconds{method,route,status}`: a histogram per route *template*
  (`api/customers/<int:customer_id>`, never the path itself: bounded label values);
- `esmart_db_queries_total{route}`: the queries the requests of a route ran (all databases);
- `esmart_celery_tasks_total{task,outcome}` and `esmart_celery_task_duration_seconds{task}`.

Read from the database and the cache when scraped (`StateCollector`): open push chunks, the newest
stored spot-price day per area, active login lockouts.

Several processes: with PROMETHEUS_MULTIPROC_DIR set (the image sets it), prometheus-client's
multiprocess mode keeps each process's values in a memory-mapped file of that directory and the
scrape adds them up; gunicorn's hooks (gunicorn.conf.py) empty the directory when the server
starts and drop a dead worker's live gauges, the Celery worker's likewise (esmart/celery.py).
Without it (`make run`, tests) the values live in the process.

`/metrics` answers loopback callers that came through no proxy, and callers with
`Authorization: Bearer $METRICS_TOKEN`; anyone else gets the 404 of an unknown path.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import shutil
import time
from contextlib import ExitStack
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

MULTIPROC_DIR_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
if os.environ.get(MULTIPROC_DIR_VARIABLE):
    # A process that starts no server (manage.py seed_demo running tasks eagerly) writes there too.
    os.makedirs(os.environ[MULTIPROC_DIR_VARIABLE], exist_ok=True)
UNROUTED = "<unrouted>"  # static files, 404s, refusals before the URL was resolved
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
# Every metric has labels: in multiprocess mode a value without labels would be created (and its
# file opened) at import, in gunicorn's master too.
REQUEST_SECONDS = Histogram(
    "esmart_http_request_duration_seconds",
    "Time from the first middleware to the response, by route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
DB_QUERIES = Counter(
    "esmart_db_queries",
    "Database queries run by the requests of a route (every database alias).",
    ["route"],
)
TASKS = Counter(
    "esmart_celery_tasks",
    "Celery tasks finished, by task name and outcome (success, failure, retry...).",
    ["task", "outcome"],
)
TASK_SECONDS = Histogram(
    "esmart_celery_task_duration_seconds",
    "How long a Celery task ran, by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 6 * 3600.0),
)


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_DIR_VARIABLE) or None


def reset_multiprocess_dir() -> None:
    """Empties (or creates) the multiprocess directory: a server's start, before any worker writes."""
    directory = multiprocess_dir()
    if directory is None:
        return
    path = Path(directory)
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


def process_exited(pid: int) -> None:
    """Drops a dead worker process's live gauges (its counters and histograms stay summed)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)


# --- requests ------------------------------------------------------------------------------------


class _QueryCounter:
    __slots__ = ("count",)

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class MetricsMiddleware:
    """Times every request and counts its queries (placed just below RequestIdMiddleware)."""

    def __init__(self, get_response):
        from django.db import connections

        self.get_response = get_response
        self.connections = connections

    def __call__(self, request):
        started = time.perf_counter()
        queries = _QueryCounter()
        with ExitStack() as stack:
            for alias in self.connections:
                stack.enter_context(self.connections[alias].execute_wrapper(queries))
            response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        route = match.route if match is not None and match.route else UNROUTED
        method = request.method if request.method in KNOWN_METHODS else "other"
        REQUEST_SECONDS.labels(method, route, str(response.status_code)).observe(elapsed)
        if queries.count:
            DB_QUERIES.labels(route).inc(queries.count)
        return response


# --- Celery --------------------------------------------------------------------------------------

_task_started: dict[str, float] = {}


def task_started(task_id: str) -> None:
    _task_started[task_id] = time.perf_counter()


def task_finished(task_id: str, task_name: str, state: str | None) -> None:
    started = _task_started.pop(task_id, None)
    TASKS.labels(task_name, (state or "unknown").lower()).inc()
    if started is not None:
        TASK_SECONDS.labels(task_name).observe(time.perf_counter() - started)


# --- read when scraped ---------------------------------------------------------------------------


class StateCollector:
    """Gauges read from the database and the cache at each scrape (a few indexed queries). A
    database that cannot answer leaves its gauges out and sets esmart_state_up to 0: the scrape
    itself still succeeds, with the request and task metrics that tell about the outage.

    The database gauges belong to the apps that own the tables: each registers a function that
    returns one metric family (register_state_gauge, from its AppConfig.ready); the kernel names no app."""

    def __init__(self):
        self.gauges = []

    def collect(self):
        from django.db import DatabaseError

        from esmart.api import lockouts

        up = 1
        try:
            families = [gauge() for gauge in self.gauges]
        except DatabaseError:
            families, up = [], 0
        yield from families
        yield GaugeMetricFamily(
            "esmart_login_lockouts_active",
            "(username, client network) pairs locked out by failed logins now.",
            value=lockouts.active_count(),
        )
        yield GaugeMetricFamily("esmart_state_up", "1 when the database gauges could be read.", value=up)


_state = StateCollector()


def register_state_gauge(gauge) -> None:
    """Read `gauge()` (a metric family from the database) at each scrape; called from an AppConfig.ready."""
    if gauge not in _state.gauges:
        _state.gauges.append(gauge)


def _process_metrics():
    """This process's registry, or in multiprocess mode every process's files, summed."""
    if multiprocess_dir() is not None:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        yield from registry.collect()
    else:
        yield from REGISTRY.collect()


class _Exposition:
    """What one scrape of the web reads: the processes' metrics and the state read from the database."""

    def collect(self):
        yield from _process_metrics()
        yield from _state.collect()


_LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))
_PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP", "HTTP_FORWARDED")


def _from_loopback(meta: dict) -> bool:
    """The peer is this machine and no proxy relayed the request (a proxy on the same machine
    would make every client look local: it adds X-Forwarded-For, which a client cannot remove)."""
    if any(header in meta for header in _PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(meta.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in _LOOPBACK)


def _has_token(meta: dict) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    scheme, _, offered = meta.get("HTTP_AUTHORIZATION", "").partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(offered.strip(), token)


def allowed(meta: dict) -> bool:
    """Whether a request (Django's META or a WSGI environ) may read the metrics."""
    return _from_loopback(meta) or _has_token(meta)


def metrics_view(request):
    if request.method not in ("GET", "HEAD") or not allowed(request.META):
        raise Http404
    return HttpResponse(generate_latest(_Exposition()), content_type=CONTENT_TYPE_LATEST)


class _TaskExposition:
    """A worker's scrape: its pool processes' values (no database state: web serves that)."""

    def collect(self):
        yield from _process_metrics()


def worker_metrics_app(environ, start_response):
    """The Celery worker's /metrics (CELERY_METRICS_PORT), under the same access rule as web's."""
    if environ.get("PATH_INFO") != "/metrics" or not allowed(environ):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"Not found"]
    start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
    return [generate_latest(_TaskExposition())]


def start_metrics_server(port: int, address: str = "0.0.0.0"):
    """Serves `worker_metrics_app` from a daemon thread; returns the server (for its port)."""
    import threading
    from wsgiref.simple_server import WSGIRequestHandler, make_server

    from prometheus_client.exposition import ThreadingWSGIServer

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):
            pass

    server = make_server(address, port, worker_metrics_app, ThreadingWSGIServer, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="metrics", daemon=True).start()
    return server
