"""gunicorn's settings: read by default when gunicorn starts in the project root (DESIGN.md §10).

`gunicorn esmart.wsgi:application` with no flags is safe: the invoice PDF link carries
credentials in its query string, so the access log records the path without it (%(U)s, not
%(r)s), and `esmart.logging.GunicornLogger` removes credential parameters from every logged
field and query strings from the error log, even if a flag asks for another format. Command-line
flags still override anything here (e.g. `--bind 0.0.0.0:8000` in the image).
"""

import os

wsgi_app = "esmart.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))

accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(b)s %(L)s'
logger_class = "esmart.logging.GunicornLogger"
