"""Limits applied before expensive work (DESIGN.md §4 "Limits", §10 "Limits before expensive work").

- Path values that no row can hold are a 404 before any query (`path_value_can_exist`, with the
  backend-independent part in `esmart.api.routing`).
- Request bodies are capped before they are parsed (`check_body_size`, 413).
- The password hasher runs at most `AUTH_HASHER_LIMIT` times per `AUTH_HASHER_WINDOW_SECONDS`
  for one client network (an IPv4 address or an IPv6 /64), and for one network never twice at
  once, checked before the user is looked up (`hasher_slot`, 429 with Retry-After). Requests whose
  credentials are already verified (warm in the credential cache) never need it.
- Once a network has been refused (allowance spent, or one of its requests hashing), the process
  remembers it for a while, and `refusal_before_django` applies the same rule to that network's
  unverified Basic credentials in the WSGI layer (esmart/wsgi.py), before Django, the middleware
  or the user lookup: a flood of bad logins costs one cache read per request and does not queue
  ahead of other clients. Warm credentials still pass.
"""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import math
import time
from contextlib import contextmanager
from urllib.parse import unquote_plus

import environ
import orjson
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.urls import Resolver404, resolve
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

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
        remember_spent(client_network(ident), (slot + 1) * window)
        raise HasherLimited(wait=max(1, math.ceil((slot + 1) * window - now)))


class SameCredentialsHashingError(Exception):
    """Another request of this network is hashing the very same credentials right now."""


def hashing_key(network: str) -> str:
    """The cache key held while a request of `network` runs the hasher (holding its credentials' key)."""
    return f"auth:hashing:{network}"


@contextmanager
def hasher_slot(ident: str, *, credentials: str = ""):
    """The right to run the password hasher once for this client: within its allowance, and not
    while another request of the same network is hashing (so one address never occupies more than
    one worker with hashing, however many connections it opens). HasherLimited otherwise.

    `credentials` names what is being verified (a digest, never the password): a request that finds
    the same credentials already being hashed gets SameCredentialsHashingError instead of a 429, so an
    app that opens with several parallel requests on a cold cache waits for that one verdict.
    """
    busy_key = hashing_key(client_network(ident))
    if not cache.add(busy_key, credentials or 1, timeout=HASHING_TIMEOUT_SECONDS):
        if credentials and cache.get(busy_key) == credentials:
            raise SameCredentialsHashingError
        remember_contended(client_network(ident))
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


# --- the refusal before Django -------------------------------------------------------------

# Per process: the networks that spent their hasher allowance, until their window ends, and those
# refused because one of their requests was hashing, for HASHING_TIMEOUT_SECONDS (time.time()); the
# credential-cache keys this process has seen vouched for, until when (time.monotonic()).
_spent_until: dict[str, float] = {}
_contended_until: dict[str, float] = {}
_vouched_until: dict[str, float] = {}
REMEMBERED = 10_000  # entries of each, at most: beyond, the expired ones go (all of them if none has)


def _bounded_set(memory: dict[str, float], key: str, until: float, now: float) -> None:
    if len(memory) >= REMEMBERED and key not in memory:
        for stale in [k for k, v in memory.items() if v <= now]:
            del memory[stale]
        if len(memory) >= REMEMBERED:
            memory.clear()
    memory[key] = until


def remember_spent(network: str, until: float) -> None:
    """This process saw `network` over its allowance: refuse it early until `until` (the window's end)."""
    _bounded_set(_spent_until, network, until, time.time())


def remember_contended(network: str) -> None:
    """This process refused `network` while one of its requests was hashing: for a while, its
    unverified logins are checked against the hashing mark before Django."""
    now = time.time()
    _bounded_set(_contended_until, network, now + HASHING_TIMEOUT_SECONDS, now)


def forget_spent() -> None:
    """Forgets every network remembered as limited (tests; a deploy restarts the workers anyway)."""
    _spent_until.clear()
    _contended_until.clear()
    _vouched_until.clear()


def _remembered(memory: dict[str, float], network: str, now: float) -> float | None:
    until = memory.get(network)
    if until is not None and until <= now:
        memory.pop(network, None)
        return None
    return until


def _basic_credentials(header: str) -> tuple[str, str] | None:
    """(username, password) of an `Authorization: Basic` header, as DRF's BasicAuthentication reads it."""
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic" or not encoded or " " in encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=False)
        try:
            text = decoded.decode("utf-8")
        except UnicodeDecodeError:
            text = decoded.decode("latin-1")
    except (TypeError, ValueError, binascii.Error):
        return None
    username, colon, password = text.partition(":")
    return (username, password) if colon else None


@functools.lru_cache(maxsize=1024)
def _checks_basic_credentials(path: str) -> bool:
    """Whether the view at `path` verifies Basic credentials (public views such as ping ignore them)."""
    from .authentication import CachedBasicAuthentication

    try:
        match = resolve(path)
    except Resolver404:
        return False
    view_class = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    classes = getattr(view_class, "authentication_classes", ())
    return any(isinstance(c, type) and issubclass(c, CachedBasicAuthentication) for c in classes)


class _EnvironRequest:
    """What DRF's get_ident reads of a request (META, headers), straight from the WSGI environ."""

    __slots__ = ("META",)

    def __init__(self, environ: dict):
        self.META = environ

    @property
    def headers(self):
        return self

    def get(self, name: str, default=None):
        return self.META.get("HTTP_" + name.upper().replace("-", "_"), default)


def refusal_before_django(environ: dict) -> tuple[int, list[tuple[str, str]], bytes] | None:
    """The 429 the API would answer to a request whose network this process has seen limited
    (allowance spent, or a request of it hashing) and whose Basic credentials are not known good;
    None: serve it.

    It follows hasher_slot's rule with the cache's own marks, so nothing is refused that the full
    path would not refuse (the order at the top of esmart/api/authentication.py): warm credentials
    (vouched in this process, or found in the credential cache), a locked pair and a known pair go
    on to the full path, and so do requests without Basic credentials, to views that ignore them, or
    that Django redirects to HTTPS first. One dict lookup while no network is limited; then one
    cache read per such request instead of Django, DRF and their cache round trips.
    """
    if not _spent_until and not _contended_until:
        return None
    now = time.time()
    network = client_network(BaseThrottle().get_ident(_EnvironRequest(environ)) or "unknown")
    spent_until = _remembered(_spent_until, network, now)
    if spent_until is None and _remembered(_contended_until, network, now) is None:
        return None
    if "pass" in unquote_plus(environ.get("QUERY_STRING", "")).lower():
        return None  # the invoice PDF's query credentials come first: the full path decides
    credentials = _basic_credentials(environ.get("HTTP_AUTHORIZATION", ""))
    if credentials is None or not _checks_basic_credentials(environ.get("PATH_INFO", "")):
        return None
    secure = _is_secure(environ)
    if settings.SECURE_SSL_REDIRECT and not secure:
        return None  # Django redirects it to HTTPS first
    from .authentication import keys_deciding_before_the_allowance

    token_key, *pair_keys = keys_deciding_before_the_allowance(*credentials, network)
    monotonic = time.monotonic()
    vouched = _vouched_until.get(token_key)
    if vouched is not None and vouched > monotonic:
        return None
    busy_key = hashing_key(network)
    found = cache.get_many([token_key, *pair_keys, busy_key])  # one cache read
    if token_key in found:  # warm, verified by another process
        seconds = settings.AUTH_CREDENTIAL_CACHE_SECONDS
        _bounded_set(_vouched_until, token_key, monotonic + seconds, monotonic)
    if any(key in found for key in (token_key, *pair_keys)):
        return None  # warm credentials, a locked pair (its own 429), a known pair (outside the allowance)
    # hasher_slot's order: another request hashing first (1 s), then the spent allowance.
    hashing = found.get(busy_key)
    if hashing is not None:
        if hashing == token_key:
            return None  # the same credentials being hashed: the full path waits for that verdict
        wait = 1
    elif spent_until is not None:
        wait = max(1, math.ceil(spent_until - now))
    else:
        return None  # nothing hashing, allowance left: the full path hashes
    return _too_many_requests(wait, secure)


def _too_many_requests(wait: int, secure: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    refused = HasherLimited(wait=wait)
    body = orjson.dumps({"Message": str(refused.detail)})
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("Retry-After", str(int(refused.wait))),
        ("Cache-Control", "no-store"),
        *_security_headers(secure),
    ]
    return 429, headers, body


def _is_secure(environ: dict) -> bool:
    """request.is_secure(), from the WSGI environ."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        value = environ.get(header)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return environ.get("wsgi.url_scheme") == "https"


def _security_headers(secure: bool) -> list[tuple[str, str]]:
    """The headers Django's SecurityMiddleware and XFrameOptionsMiddleware add to a response."""
    headers = []
    if secure and settings.SECURE_HSTS_SECONDS:
        value = f"max-age={settings.SECURE_HSTS_SECONDS}"
        if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS:
            value += "; includeSubDomains"
        if settings.SECURE_HSTS_PRELOAD:
            value += "; preload"
        headers.append(("Strict-Transport-Security", value))
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append(("X-Content-Type-Options", "nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        policy = settings.SECURE_REFERRER_POLICY
        headers.append(("Referrer-Policy", policy if isinstance(policy, str) else ",".join(policy)))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        headers.append(("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY))
    headers.append(("X-Frame-Options", getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()))
    return headers
