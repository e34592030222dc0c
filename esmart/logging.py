"""Keeping credentials out of logs and error reports (DESIGN.md §6, §10).

Basic credentials travel in the Authorization header, which Django's reporter filter already
hides; `esmart.api.middleware.QueryCredentialsMiddleware` takes credentials out of query strings
before anything can log them. This module is the second line:

- `StripQueryStringFilter`: Django's request log lines carry paths only;
- `GunicornLogger` (named by ./gunicorn.conf.py): gunicorn logs the request before Django sees it,
  so its error log carries paths only and every access-log field (request line, query string,
  Referer, environ variables...) loses credential parameters, whatever format is configured.
- `ScrubCredentialsFilter` (on every handler of `logging_config`): whatever a message says,
  credential parameters and Basic/Bearer header values are taken out of it.

`logging_config(...)` is the one logging setup of web, worker and beat (settings.LOGGING;
esmart/celery.py hands it to Celery's processes): LOG_FORMAT=json writes one JSON object per line
(`JsonFormatter`), anything else the plain text of `make run`. Every line carries the request id
(esmart/request_id.py), "-" outside a request or task.
"""

from __future__ import annotations

import logging
import logging.config
import os
import re
from urllib.parse import unquote_plus

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

from esmart import request_id

_QUERY_STRING = re.compile(r"\?[^\s\"']*")
# key=value pairs of a query string (or of a URL inside a header); the key is judged decoded.
_QUERY_PAIR = re.compile(r"(?P<lead>^|[?&;])(?P<key>[^=&;?#\s\"']*)=(?P<value>[^&;#\s\"']*)")
# Keys that carry credentials, compared case-folded after percent-decoding (`PassWord`, `pass%77ord`).
CREDENTIAL_KEYS = frozenset({"username", "password", "token"})


# An Authorization header's value written into a message ("Basic ZGVtbzE6...", "Bearer abc").
_AUTHORIZATION_VALUE = re.compile(r"\b(Basic|Bearer|Token)\s+[A-Za-z0-9+/=._~-]+", re.IGNORECASE)
PLAIN_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def strip_query_string(text: str) -> str:
    return _QUERY_STRING.sub("", text)


def is_credential_key(key: str) -> bool:
    return unquote_plus(key).strip().casefold() in CREDENTIAL_KEYS


def strip_credentials(text: str) -> str:
    """`text` with every credential key=value pair removed; other parameters are kept."""
    if "=" not in text:
        return text
    return _QUERY_PAIR.sub(lambda m: m["lead"] if is_credential_key(m["key"]) else m[0], text)


def scrub(text: str) -> str:
    """`text` without credential parameters or Authorization header values."""
    return _AUTHORIZATION_VALUE.sub(r"\1 [Filtered]", strip_credentials(text))


class StripQueryStringFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = strip_query_string(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(strip_query_string(a) if isinstance(a, str) else a for a in record.args)
        return True


class ScrubCredentialsFilter(logging.Filter):
    """Takes credentials out of the formatted message (and the `extra` texts) of every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it for logging's own error report
            return True
        scrubbed = scrub(message)
        if scrubbed != message or record.args:
            record.msg, record.args = scrubbed, None
        return True


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the exception's
    traceback, and the record's `extra` values, every text scrubbed of credentials. An `extra`
    `request` object (django.request logs one) is not written: its repr has the query string."""

    RENAMED = {"levelname": "level", "name": "logger"}

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault("rename_fields", self.RENAMED)
        kwargs.setdefault("reserved_attrs", [*_RESERVED_ATTRS, "request", "color_message"])
        super().__init__("%(levelname)s %(name)s %(message)s %(request_id)s", *args, **kwargs)

    def process_log_record(self, log_data):
        for key, value in log_data.items():
            if isinstance(value, str):
                log_data[key] = scrub(value)
        return log_data


# The LogRecord attributes that are not `extra` values (pythonjsonlogger's list).
_RESERVED_ATTRS = [
    "args",
    "asctime",
    "created",
    "exc_info",
    "exc_text",
    "filename",
    "funcName",
    "levelname",
    "levelno",
    "lineno",
    "module",
    "msecs",
    "message",
    "msg",
    "name",
    "pathname",
    "process",
    "processName",
    "relativeCreated",
    "stack_info",
    "thread",
    "threadName",
    "taskName",
]


def json_logs() -> bool:
    return os.environ.get("LOG_FORMAT", "").strip().lower() == "json"


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: applies the configuration, and routes Python warnings through it
    (as JSON lines too), which Django no longer does."""
    logging.config.dictConfig(config)
    logging.captureWarnings(True)


def logging_config(*, level: str = "INFO", log_format: str | None = None, eager_tasks: bool = False) -> dict:
    """settings.LOGGING: one console handler on the root logger, plain text or JSON lines."""
    formatter = "json" if (log_format or ("json" if json_logs() else "plain")) == "json" else "plain"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "plain": {"format": PLAIN_FORMAT},
            "json": {"()": "esmart.logging.JsonFormatter"},
        },
        "filters": {
            "strip_query_string": {"()": "esmart.logging.StripQueryStringFilter"},
            "request_id": {"()": "esmart.request_id.RequestIdFilter"},
            "scrub_credentials": {"()": "esmart.logging.ScrubCredentialsFilter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["request_id", "scrub_credentials"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django logs the full URL (query string included) of 4xx/5xx responses; the PDF
            # endpoint carries credentials there, so request logging goes through the filter.
            "django.request": {"level": "ERROR", "filters": ["strip_query_string"]},
            "django.server": {"filters": ["strip_query_string"]},
            # Tasks run in-process (no broker configured): a line per task is noise in seed_demo's output.
            "celery.app.trace": {"level": "WARNING" if eager_tasks else "INFO"},
        },
    }


class _ScrubbedAtoms(dict):
    """Gunicorn's access-log atoms with credentials removed from every text value."""

    def __init__(self, atoms: dict):
        super().__init__({k: strip_credentials(v) if isinstance(v, str) else v for k, v in atoms.items()})
        self["r"] = strip_query_string(self.get("r", "-"))  # the request line: path only


class GunicornLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        # "Error handling request /path?query" and the like: paths only.
        if not any(isinstance(f, StripQueryStringFilter) for f in self.error_log.filters):
            self.error_log.addFilter(StripQueryStringFilter())
        if json_logs():
            for log in (self.error_log, self.access_log):
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())
                    handler.addFilter(request_id.RequestIdFilter())

    def atoms(self, resp, req, environ, request_time):
        return _ScrubbedAtoms(super().atoms(resp, req, environ, request_time))

    def access(self, resp, req, environ, request_time):
        """gunicorn's access line; as JSON, its parts are fields of their own (the request id is
        the one the app answered in X-Request-ID)."""
        if not json_logs():
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
        fields = {
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": strip_query_string(atoms["U"]),
            "status": resp.status_code,
            "bytes": atoms["B"],
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": atoms["{x-request-id}o"],
        }
        try:
            self.access_log.info(self.cfg.access_log_format, atoms, extra=fields)
        except Exception:
            self.exception("Could not write the access log line")
        return None
