"""Request ids: every answer carries `X-Request-ID`, every log line of the request (and of the
tasks it queues) carries the same id (docs/operations.md "Request ids").

A caller's id is echoed when it is well formed (1–128 characters of letters, digits, `.`, `_`, `-`:
a UUID, a proxy's or a load balancer's id), so a support case can quote the id its app logged;
anything else (too long, spaces, control characters that would forge log lines) is replaced by a
new one rather than refused. The id lives in a context variable: gthread serves one request per
thread, and Celery tasks get it from their message's headers (esmart/celery.py).
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
META_KEY = "HTTP_X_REQUEST_ID"
# The Celery message header that carries the id of the request that queued the task.
TASK_HEADER = "esmart_request_id"
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,128}")

_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("esmart_request_id", default=None)


def current() -> str | None:
    """The id of the request (or task) this code runs for, or None outside one."""
    return _current.get()


def activate(request_id: str | None) -> contextvars.Token:
    return _current.set(request_id)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)


def new() -> str:
    return uuid.uuid4().hex


def from_caller(value: str | None) -> str:
    """The caller's id when well formed, else a new one."""
    if value and WELL_FORMED.fullmatch(value):
        return value
    return new()


def from_environ(environ: dict) -> str:
    return from_caller(environ.get(META_KEY))


class RequestIdMiddleware:
    """Outermost middleware: sets the request's id for everything below it and answers it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = from_environ(request.META)
        request.request_id = request_id
        token = activate(request_id)
        try:
            response = self.get_response(request)
        finally:
            deactivate(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` ("-" outside a request or task) for the formatters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = _current.get() or "-"
        return True
