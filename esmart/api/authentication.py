"""HTTP Basic with a verified-credentials cache and a per-(username, client IP) lockout.

Django's PBKDF2 check costs ~0.3 s of CPU here, so running it on every request would cap the
server at a few requests per second (DESIGN.md §6). A successful check is remembered under
HMAC-SHA256(secret, username, password, stored hash): nothing reversible is stored, and a password
change (new hash) or a deactivation (checked on the row each time) takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from rest_framework import authentication, exceptions
from rest_framework.throttling import BaseThrottle

from .exceptions import LockedOut

WWW_AUTHENTICATE = 'Basic realm="api"'
WRONG_CREDENTIALS_MESSAGE = "Authorization has been denied for this request."


def client_ident(request) -> str:
    """The client's address, honouring NUM_PROXIES the way DRF's throttles do."""
    return BaseThrottle().get_ident(request) or "unknown"


def _digest(*parts: str) -> str:
    message = "\x00".join(parts).encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _lockout_keys(username: str, ident: str) -> tuple[str, str]:
    pair = _digest("lockout", username, ident)[:40]
    return f"auth:fail:{pair}", f"auth:lock:{pair}"


def _record_failure(fail_key: str, lock_key: str) -> None:
    window = settings.AUTH_LOCKOUT_WINDOW_SECONDS
    cache.add(fail_key, 0, timeout=window)
    try:
        failures = cache.incr(fail_key)
    except ValueError:  # the window expired between add() and incr()
        cache.set(fail_key, 1, timeout=window)
        failures = 1
    if failures >= settings.AUTH_LOCKOUT_ATTEMPTS:
        cache.set(lock_key, time.time() + window, timeout=window)


def verify_credentials(*, username: str, password: str, ident: str):
    """Returns the active user with these credentials, or raises AuthenticationFailed/LockedOut.

    Warm path: one query for the user row and one cache round trip; the hasher only runs when
    the credentials are not known to be good.
    """
    user_model = get_user_model()
    fail_key, lock_key = _lockout_keys(username, ident)
    user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
    token_key = f"auth:ok:{_digest('credentials', username, password, user.password if user else '')}"
    known = cache.get_many([lock_key, token_key, fail_key])

    locked_until = known.get(lock_key)
    if locked_until:
        raise LockedOut(wait=max(1, math.ceil(locked_until - time.time())))

    if user is not None and user.is_active and known.get(token_key):
        if fail_key in known:
            cache.delete(fail_key)
        return user

    if user is None:
        # Run the hasher anyway so that response time does not reveal which usernames exist.
        user_model().set_password(password)
        verified = False
    else:
        verified = user.is_active and user.check_password(password)

    if not verified:
        _record_failure(fail_key, lock_key)
        raise exceptions.AuthenticationFailed(WRONG_CREDENTIALS_MESSAGE)

    cache.set(token_key, 1, timeout=settings.AUTH_CREDENTIAL_CACHE_SECONDS)
    if fail_key in known:
        cache.delete(fail_key)
    return user


class CachedBasicAuthentication(authentication.BasicAuthentication):
    www_authenticate_realm = "api"

    def authenticate_credentials(self, userid, password, request=None):
        user = verify_credentials(username=userid, password=password, ident=client_ident(request))
        return user, None

    def authenticate_header(self, request):
        return WWW_AUTHENTICATE
