"""HTTP Basic with a verified-credentials cache, a per-(username, client IP) lockout and a hasher limiter.

Django's PBKDF2 check costs ~0.3 s of CPU here, so running it on every request would cap the
server at a few requests per second (DESIGN.md §6). A successful check is remembered under
HMAC-SHA256(secret, username, password), holding HMAC-SHA256(secret, stored hash): nothing
reversible is stored, and a password change (new hash) or a deactivation (checked on the row each
time) takes effect at once. Because the key needs no user row, the order of a request is:

1. warm credentials (the cache vouches for them and the row's hash still matches): accepted, never
   refused by the lockout or the limiter (a flood from the same address cannot lock a signed-in
   user out);
2. a locked (username, client) pair: 429 without hashing;
3. the hasher limiter per client network (esmart.api.limits: an allowance per window, and one
   hashing request at a time): 429 before the user is looked up. A *known* pair (this username
   verified its password from this network within AUTH_KNOWN_CLIENT_SECONDS) is exempt: it hashes
   one request at a time per pair, outside the network's allowance, so other usernames' bad logins
   from a shared address cannot keep the real user out, while guessing that username is still
   stopped by step 2 after AUTH_LOCKOUT_ATTEMPTS failures;
4. the user lookup and the hasher, with equal work for every refusal: unknown usernames, accounts
   without a usable password and deactivated accounts run the hasher exactly as a wrong password
   does, so response time does not tell which usernames exist or are active.

`verify_credentials` is the one verification: the API's Basic authentication, `POST api/Authenticate`,
the PDF's query credentials and the admin login form (apps/customers/admin.py) all call it.
Locks are also noted by username in esmart.api.lockouts, for support staff and the metrics.

The client address honours NUM_PROXIES (DRF's rule): behind a reverse proxy it must be the number of
proxies that append to X-Forwarded-For, or every client shares the proxy's address.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import math
import secrets
import time
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password, is_password_usable, make_password
from django.core.cache import cache
from django.db import connections, router
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from . import lockouts
from .exceptions import LockedOut
from .limits import (
    HASHING_TIMEOUT_SECONDS,
    HasherLimited,
    SameCredentialsHashingError,
    await_verdict,
    client_network,
    hasher_slot,
)

WWW_AUTHENTICATE = 'Basic realm="api"'
WRONG_CREDENTIALS_MESSAGE = "Authorization has been denied for this request."
# How long a refusal is kept for the parallel requests that wait on the same credentials.
VERDICT_SECONDS = 5
# How long a (username, client network) pair stays known after its password was verified.
DEFAULT_KNOWN_CLIENT_SECONDS = 30 * 24 * 60 * 60


def client_ident(request) -> str:
    """The client's network (IPv6 per /64), honouring NUM_PROXIES the way DRF's throttles do."""
    return client_network(BaseThrottle().get_ident(request) or "unknown")


def _digest(*parts: str) -> str:
    message = "\x00".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def credential_cache_key(username: str, password: str) -> str:
    """The credential cache's key for these credentials (verify_credentials' token_key); the early
    refusal of esmart.api.limits reads it to let warm credentials through."""
    return f"auth:ok:{_digest('credentials', username, password)}"


def _pair_keys(username: str, ident: str) -> tuple[str, str, str]:
    """The failure count, the lock and the known mark of a (username, client network) pair."""
    pair = _digest("lockout", username, ident)[:40]
    return f"auth:fail:{pair}", f"auth:lock:{pair}", f"auth:known:{pair}"


def keys_deciding_before_the_allowance(username: str, password: str, ident: str) -> tuple[str, str, str]:
    """The cache keys whose presence lets verify_credentials decide before the network's hasher
    allowance: warm credentials (step 1), a locked pair's own 429 (step 2), a known pair (step 3).
    The early refusal of esmart.api.limits leaves a request to the full path when any is present."""
    _fail_key, lock_key, known_key = _pair_keys(username, ident)
    return credential_cache_key(username, password), lock_key, known_key


@functools.lru_cache(maxsize=4)
def _dummy_encoded(hashers: tuple[str, ...]) -> str:
    """A hash of a random password in the current default hasher, to verify against when there is no
    usable hash (unknown user, unusable password): the same work as checking a real one."""
    return make_password(secrets.token_urlsafe(32))


def _password_matches(user, password: str) -> bool:
    """Whether `user` is active and `password` is theirs, at the cost of one hasher run whatever the
    answer: the hasher runs before is_active is looked at, and against a dummy hash when there is no
    user or no usable password."""
    if user is None or not is_password_usable(user.password):
        check_password(password, _dummy_encoded(tuple(settings.PASSWORD_HASHERS)))
        return False
    matches = user.check_password(password)
    return matches and user.is_active


@contextmanager
def _pair_slot(known_key: str, *, credentials: str):
    """A known pair hashes outside its network's allowance, but never twice at once (parallel
    requests with the same credentials wait for the one verdict, as in limits.hasher_slot)."""
    busy_key = f"{known_key}:hashing"
    if not cache.add(busy_key, credentials, timeout=HASHING_TIMEOUT_SECONDS):
        if cache.get(busy_key) == credentials:
            raise SameCredentialsHashingError
        raise HasherLimited(wait=1)
    try:
        yield
    finally:
        cache.delete(busy_key)


def _record_failure(fail_key: str, lock_key: str, *, username: str, ident: str) -> None:
    window = settings.AUTH_LOCKOUT_WINDOW_SECONDS
    cache.add(fail_key, 0, timeout=window)
    try:
        failures = cache.incr(fail_key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(fail_key, 1, timeout=window)
        failures = 1
    if failures >= settings.AUTH_LOCKOUT_ATTEMPTS:
        locked_until = time.time() + window
        cache.set(lock_key, locked_until, timeout=window)
        if failures == settings.AUTH_LOCKOUT_ATTEMPTS:  # the increment is atomic: noted once per lock
            lockouts.recorded(
                username=username, network=ident, fail_key=fail_key, lock_key=lock_key, locked_until=locked_until
            )


@functools.cache
def _user_row_statement(user_model, alias: str):
    """SELECT of every column of the user row by username, written once per model and database: the
    ORM would build and compile the same statement on every request (a third of the warm path's work).
    Returns the SQL, the attribute names and each column's database converters (SQLite's datetimes)."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = user_model._meta.concrete_fields
    username_column = user_model._meta.get_field(user_model.USERNAME_FIELD).column
    sql = (
        f"SELECT {', '.join(quote(f.column) for f in fields)} FROM {quote(user_model._meta.db_table)} "
        f"WHERE {quote(username_column)} = %s"
    )
    columns = [f.get_col(user_model._meta.db_table) for f in fields]
    converters = [connection.ops.get_db_converters(c) + c.get_db_converters(connection) for c in columns]
    return sql, [f.attname for f in fields], list(zip(converters, columns, strict=True))


def _find_user(username: str):
    """The user row, or None; a name no row can hold (NUL byte, too long) is not queried at all."""
    user_model = get_user_model()
    field = user_model._meta.get_field(user_model.USERNAME_FIELD)
    if "\x00" in username or (field.max_length and len(username) > field.max_length):
        return None
    alias = router.db_for_read(user_model)
    sql, attnames, converters = _user_row_statement(user_model, alias)
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(sql, [username])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for i, (column_converters, column) in enumerate(converters):
        for convert in column_converters:
            values[i] = convert(values[i], column, connection)
    return user_model.from_db(alias, attnames, values)


def verify_credentials(*, username: str, password: str, ident: str):
    """Returns the active user with these credentials, or raises AuthenticationFailed/LockedOut/HasherLimited.

    Warm path: one cache round trip and one query for the user row; the hasher only runs when the
    credentials are not known to be good, and only within the client's allowance.
    """
    fail_key, lock_key, known_key = _pair_keys(username, ident)
    token_key = credential_cache_key(username, password)
    known = cache.get_many([lock_key, token_key, fail_key, known_key])

    user = None
    vouched = known.get(token_key)
    if vouched is not None:
        user = _find_user(username)
        if user is not None and user.is_active and hmac.compare_digest(vouched, _digest("hash", user.password)):
            if fail_key in known:
                cache.delete(fail_key)
            return user

    locked_until = known.get(lock_key)
    if locked_until:
        raise LockedOut(wait=max(1, math.ceil(locked_until - time.time())))

    refused_key = f"{token_key}:refused"
    if known_key in known:
        slot = _pair_slot(known_key, credentials=token_key)
    else:
        slot = hasher_slot(ident, credentials=token_key)
    try:
        with slot:
            if vouched is None:
                user = _find_user(username)
            verified = _password_matches(user, password)
    except SameCredentialsHashingError:
        # A parallel request (an app opening several at once) is hashing these very credentials:
        # take its verdict instead of hashing again or refusing with a 429.
        return _parallel_verdict(username, token_key, refused_key)

    if not verified:
        cache.set(refused_key, 1, timeout=VERDICT_SECONDS)  # for the parallel requests waiting on it
        _record_failure(fail_key, lock_key, username=username, ident=ident)
        raise exceptions.AuthenticationFailed(WRONG_CREDENTIALS_MESSAGE)

    cache.set(token_key, _digest("hash", user.password), timeout=settings.AUTH_CREDENTIAL_CACHE_SECONDS)
    cache.set(known_key, 1, timeout=_known_client_seconds())
    if fail_key in known:
        cache.delete(fail_key)
    return user


def _known_client_seconds() -> int:
    return getattr(settings, "AUTH_KNOWN_CLIENT_SECONDS", None) or DEFAULT_KNOWN_CLIENT_SECONDS


def _parallel_verdict(username: str, token_key: str, refused_key: str):
    verdict = await_verdict((token_key, refused_key))
    if verdict is not None and verdict[0] == token_key:
        user = _find_user(username)
        if user is not None and user.is_active and hmac.compare_digest(verdict[1], _digest("hash", user.password)):
            return user
    raise exceptions.AuthenticationFailed(WRONG_CREDENTIALS_MESSAGE)


class CachedBasicAuthentication(authentication.BasicAuthentication):
    www_authenticate_realm = "api"

    def authenticate_credentials(self, userid, password, request=None):
        user = verify_credentials(username=userid, password=password, ident=client_ident(request))
        return user, None

    def authenticate_header(self, request):
        return WWW_AUTHENTICATE
