"""gunicorn's settings: read by default when gunicorn starts in the project root (DESIGN.md §10).

`gunicorn esmart.wsgi:application` with no flags is safe: the invoice PDF link carries
credentials in its query string, so the access log records the path without it (%(U)s, not
%(r)s), and `esmart.logging.GunicornLogger` removes credential parameters from every logged
field and query strings from the error log, even if a flag asks for another format. Command-line
flags still override anything here (e.g. `--bind 0.0.0.0:8000` in the image).

Workers (issue 20): gthread with `threads` threads per process (esmart.serving.ThreadWorker). An
idle or slow connection waits in the worker's poller, not in a thread; a request, once begun, must
arrive whole within GUNICORN_READ_TIMEOUT seconds, or the connection is dropped. So slow clients
hold a thread each for at most that long, and never a whole worker as with sync workers.

Metrics (docs/operations.md): with PROMETHEUS_MULTIPROC_DIR set, the workers write their values
there; the server empties it when it starts, and a dead worker's live gauges are dropped.

Forwarded headers: gunicorn believes X-Forwarded-Proto only when the Django settings do
(SECURE_PROXY_SSL_HEADER, i.e. DJANGO_TRUST_X_FORWARDED_PROTO in production), never from an
address it merely finds local (esmart.serving.forwarded_trust).
"""

import os

from esmart import metrics
from esmart.serving import forwarded_trust

wsgi_app = "esmart.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "esmart.serving.ThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a stuck worker's restart; a response's write time
# GUNICORN_READ_TIMEOUT (default 10 s) is read by esmart.serving.ThreadWorker itself.

_trust = forwarded_trust(os.environ.get("DJANGO_SETTINGS_MODULE", "esmart.settings.local"))
forwarded_allow_ips = _trust["forwarded_allow_ips"]
secure_scheme_headers = _trust["secure_scheme_headers"]
forwarder_headers = _trust["forwarder_headers"]

accesslog = "-"
errorlog = "-"
# The last field is the request id the app answered (X-Request-ID). LOG_FORMAT=json writes these
# as fields of one JSON object instead (esmart.logging.GunicornLogger).
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)s %({x-request-id}o)s'
logger_class = "esmart.logging.GunicornLogger"


def on_starting(server):
    metrics.reset_multiprocess_dir()


def child_exit(server, worker):
    metrics.process_exited(worker.pid)
