"""Limits applied before expensive work (DESIGN.md §4 "Limits", §10 "Limits before expensive work").

- Path values that no row can hold are a 404 before any query (`path_value_can_exist`, with the
  backend-independent part in `esmart.api.routing`).
- Request bodies are capped before they are parsed (`check_body_size`, 413).
- The password hasher runs at most `AUTH_HASHER_LIMIT` times per `AUTH_HASHER_WINDOW_SECONDS`
  for one client network (an IPv4 address or an IPv6 /64), and for one network never twice at
  once, checked before the user is looked up (`hasher_slot`, 429 with Retry-After). Requests whose
  credentials are already verified (warm in the credential cache) never need it.
"""

from __future__ import annotations

import ipaddress
import math
import time
from contextlib import contextmanager

import environ
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from rest_framework import exceptions

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
DEFAULT_HASHER_LIMIT = 10
DEFAULT_HASHER_WINDOW_SECONDS = 60
# How long a crashed request's "hashing" mark can hold its network back (a hash takes ~0.35 s).
HASHING_TIMEOUT_SECONDS = 5
_env = environ.Env()


def _setting(name: str, default: int) -> int:
    """A Django setting if the settings define it, else the environment variable, else the default."""
    value = getattr(settings, name, None)
    return value if value is not None else _env.int(name, default=default)


# --- path values ---------------------------------------------------------------------------


def _lookup_field(model, lookup: str) -> models.Field | None:
    """The concrete field a `filter()` lookup such as `delivery_point__contract__customer_id` compares."""
    field = None
    for part in lookup.split("__"):
        if field is not None:
            if not field.is_relation or field.related_model is None:
                return None  # a transform (`__iexact`...): not ours to judge
            model = field.related_model
        try:
            field = model._meta.pk if part == "pk" else model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
    while field is not None and field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field
    return field


def path_value_can_exist(model, lookup: str, value) -> bool:
    """False when `value` cannot be stored in the column `lookup` names (range, length, shape)."""
    field = _lookup_field(model, lookup)
    if field is None:
        return True
    try:
        python_value = field.to_python(value)
    except ValidationError:
        return False  # wrong shape: a GUID that is not one, digits for a text id...
    if isinstance(field, models.IntegerField):  # AutoFields too
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or python_value >= low) and (high is None or python_value <= high)
    if isinstance(python_value, str):
        if "\x00" in python_value:
            return False
        max_length = getattr(field, "max_length", None)
        return max_length is None or len(python_value) <= max_length
    return True


# --- request bodies ------------------------------------------------------------------------


class PayloadTooLarge(exceptions.APIException):
    status_code = 413
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def max_body_bytes(view=None) -> int:
    """The cap for a view's bodies: its own `max_body_bytes`, else the API_MAX_BODY_BYTES setting."""
    own = getattr(view, "max_body_bytes", None)
    if own is not None:
        return own
    return _setting("API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)


def check_body_size(request, view=None) -> None:
    """413 when the declared body is larger than the cap, before a byte of it is read.

    Django's WSGI request reads at most CONTENT_LENGTH bytes (a body without one reads as empty),
    so the declared length is the most the parser can ever see.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise exceptions.ParseError("The Content-Length header is not a number.") from None
    cap = max_body_bytes(view)
    if length > cap:
        raise PayloadTooLarge(f"The request body is too large: at most {cap} bytes are accepted.")


# --- the password hasher -------------------------------------------------------------------


def client_network(ident: str) -> str:
    """The unit the limiter counts: an IPv4 address, or the /64 of an IPv6 address."""
    try:
        address = ipaddress.ip_address(ident.strip().strip("[]"))
    except ValueError:
        return ident
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{address}/64", strict=False))
    return str(address)


class HasherLimited(exceptions.Throttled):
    default_detail = "Too many login attempts from this address."
    extra_detail_singular = "Try again in {wait} second."
    extra_detail_plural = "Try again in {wait} seconds."


def spend_hasher_allowance(ident: str) -> None:
    """Counts one password-hasher run for the client's network; HasherLimited when it is spent.

    A fixed window per network: one cache add (and an incr after the first), no user lookup, no
    hashing.
    """
    limit = _setting("AUTH_HASHER_LIMIT", DEFAULT_HASHER_LIMIT)
    window = _setting("AUTH_HASHER_WINDOW_SECONDS", DEFAULT_HASHER_WINDOW_SECONDS)
    now = time.time()
    slot = int(now // window)
    key = f"auth:hasher:{client_network(ident)}:{slot}"
    if cache.add(key, 1, timeout=window + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.set(key, 1, timeout=window + 1)
            count = 1
    if count > limit:
        raise HasherLimited(wait=max(1, math.ceil((slot + 1) * window - now)))


class SameCredentialsHashingError(Exception):
    """Another request of this network is hashing the very same credentials right now."""


@contextmanager
def hasher_slot(ident: str, *, credentials: str = ""):
    """The right to run the password hasher once for this client: within its allowance, and not
    while another request of the same network is hashing (so one address never occupies more than
    one worker with hashing, however many connections it opens). HasherLimited otherwise.

    `credentials` names what is being verified (a digest, never the password): a request that finds
    the same credentials already being hashed gets SameCredentialsHashingError instead of a 429, so an
    app that opens with several parallel requests on a cold cache waits for that one verdict.
    """
    busy_key = f"auth:hashing:{client_network(ident)}"
    if not cache.add(busy_key, credentials or 1, timeout=HASHING_TIMEOUT_SECONDS):
        if credentials and cache.get(busy_key) == credentials:
            raise SameCredentialsHashingError
        raise HasherLimited(wait=1)
    try:
        spend_hasher_allowance(ident)
        yield
    finally:
        cache.delete(busy_key)


def await_verdict(keys: tuple[str, str], *, timeout: float = HASHING_TIMEOUT_SECONDS, poll: float = 0.02):
    """Waits for another request's verdict on the same credentials: the value of the first key
    that appears (good, bad), or None when neither does within `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        found = cache.get_many(list(keys))
        for key in keys:
            if key in found:
                return key, found[key]
        if time.monotonic() >= deadline:
            return None
        time.sleep(poll)
