"""Errors in ASP.NET Web API's shape: {"Message": "...", "ModelState": {"Field": ["..."]}}."""

import logging
import sqlite3
import sys

import orjson
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError, InterfaceError, OperationalError
from django.http import Http404, HttpResponse
from rest_framework import exceptions, status
from rest_framework.response import Response

from .casing import WireDict, to_pascal

logger = logging.getLogger(__name__)

INVALID_REQUEST_MESSAGE = "The request is invalid."


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_detail = "The resource is gone."
    default_code = "gone"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the current state of the resource."
    default_code = "conflict"


class ServiceUnavailable(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "A subsystem is unavailable."
    default_code = "service_unavailable"


class DatabaseUnavailable(ServiceUnavailable):
    default_detail = "The database is unavailable; try again shortly."
    default_code = "database_unavailable"
    wait = 5  # Retry-After, seconds


# PostgreSQL SQLSTATEs of a database that cannot serve the connection (the statement is not at
# fault): class 08 (connection exception), shutting down or starting up, too many connections.
UNAVAILABLE_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "57P05", "53300"})
UNAVAILABLE_SQLITE_CODES = frozenset({sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_BUSY, sqlite3.SQLITE_IOERR})


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether `exc` means the database cannot be reached (down, restarting, refusing connections,
    the connection lost): a 503 to retry, not a bug. Errors of the statement or its data (integrity,
    out-of-range values, a missing table, a cancelled query) are not: they stay what they are."""
    if isinstance(exc, InterfaceError):  # Django's: a closed or broken connection
        return True
    if not isinstance(exc, OperationalError):
        return False
    cause = exc.__cause__
    if isinstance(cause, sqlite3.Error):
        return (getattr(cause, "sqlite_errorcode", 0) & 0xFF) in UNAVAILABLE_SQLITE_CODES
    sqlstate = getattr(cause, "sqlstate", None)  # psycopg: None for client-side (connection) failures
    return sqlstate is None or sqlstate.startswith("08") or sqlstate in UNAVAILABLE_SQLSTATES


def database_outage():
    """The process's log of database outages: the first failure logged with its traceback, then
    nothing until a request reaches the database again (esmart.core.middleware)."""
    from esmart.core.outages import outage_log

    return outage_log(logger, "The database")


def database_unavailable_response(exc: BaseException) -> HttpResponse:
    """The 503 for a request that could not reach the database, outside DRF (admin, Django views)."""
    database_outage().failed(exc)
    response = HttpResponse(
        orjson.dumps(error_body(str(DatabaseUnavailable.default_detail))),
        status=DatabaseUnavailable.status_code,
        content_type="application/json",
    )
    response["Retry-After"] = str(DatabaseUnavailable.wait)
    return response


class LockedOut(exceptions.Throttled):
    default_detail = "Too many failed login attempts."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


def _model_state(detail, prefix: str = "") -> dict[str, list[str]]:
    """Flattens DRF's nested error detail into ModelState's "Parent.Child": [messages] form."""
    state: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # a list's bad items, which DRF reports as {index: errors}
                path = f"{prefix}[{key}]"
            else:
                name = "" if key == "non_field_errors" else to_pascal(str(key))
                path = f"{prefix}.{name}" if prefix and name else (name or prefix)
            for sub_key, messages in _model_state(value, path).items():
                state.setdefault(sub_key, []).extend(messages)
    elif isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            state.setdefault(prefix, []).extend(str(item) for item in detail)
        else:
            for index, item in enumerate(detail):
                for sub_key, messages in _model_state(item, f"{prefix}[{index}]").items():
                    state.setdefault(sub_key, []).extend(messages)
    else:
        state.setdefault(prefix, []).append(str(detail))
    return state


def error_body(message: str, model_state: dict | None = None) -> dict:
    body = {"Message": message}
    if model_state:
        body["ModelState"] = model_state
    return body


def _django_validation_detail(exc: DjangoValidationError):
    if hasattr(exc, "error_dict"):
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {"non_field_errors": list(exc.messages)}


def _bad_input(exc: Exception) -> exceptions.APIException | None:
    """Errors that input a serializer let through can cause; the net under "never a 500 for bad input".

    Services should turn these into their own 400/409 (and do where they know the cause); this
    net catches what no validator foresaw, logs it so it gets a proper validation, and answers in
    the wire's error shape. The request transaction is rolled back (ApiView.dispatch).
    """
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(_django_validation_detail(exc))
    if isinstance(exc, (DataError, OverflowError)):  # a value the database or datetime cannot hold
        logger.warning("Bad input reached %s: %s", type(exc).__name__, exc, exc_info=exc)
        return exceptions.ValidationError({"non_field_errors": ["A value is out of range or not storable."]})
    if isinstance(exc, IntegrityError):  # e.g. two identical requests racing on a unique constraint
        logger.warning("Conflict on a constraint: %s", exc, exc_info=exc)
        return Conflict()
    return None


def wire_exception_handler(exc, context):
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif database_unavailable(exc):
        database_outage().failed(exc)
        exc = DatabaseUnavailable()
    elif not isinstance(exc, exceptions.APIException):
        exc = _bad_input(exc) or exc
    if not isinstance(exc, exceptions.APIException):
        return None  # a real bug: let Django's 500 handling (and its report) deal with it

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc.detail, (list, dict)):  # validation errors, field by field
        body = error_body(INVALID_REQUEST_MESSAGE, _model_state(exc.detail))
    else:
        body = error_body(str(exc.detail))

    # ModelState keys are already wire paths ("Address.City"): the renderer leaves them alone.
    return Response(WireDict(body), status=exc.status_code, headers=headers)


def json_error_view(status_code: int, message: str):
    """Django-level errors (no route matched, a crash) in the same body as the API's."""
    content = orjson.dumps(error_body(message))

    def view(request, exception=None):
        return HttpResponse(content, status=status_code, content_type="application/json")

    return view


handler400 = json_error_view(400, "The request is invalid.")
handler403 = json_error_view(403, "Authorization has been denied for this request.")
handler404 = json_error_view(404, "No resource was found that matches the request URI.")
_server_error = json_error_view(500, "An error has occurred.")


def handler500(request):
    """A crash, or (raised in a middleware, where DatabaseOutageMiddleware does not see it) a
    database that cannot be reached: then the 503. Django calls this while handling the exception."""
    exc = sys.exception()
    if database_unavailable(exc):
        return database_unavailable_response(exc)
    return _server_error(request)
