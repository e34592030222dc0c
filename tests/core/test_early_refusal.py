"""A network over its hasher allowance is refused before Django (issue 20, "a bad-login flood slows
everyone"), through the WSGI application gunicorn serves (esmart.wsgi.application).

The refusal must cost almost nothing (no middleware, no view, no user lookup) and refuse nothing
the full path would not: warm credentials pass, as do requests without Basic credentials, requests
to views that ignore them, and other networks; the memory ends with the allowance's window.
"""

from __future__ import annotations

import base64
import datetime as dt

import pytest
import time_machine
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.test import RequestFactory

from esmart.api import limits
from esmart.api.authentication import credential_cache_key
from esmart.wsgi import application
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NOON = dt.datetime(2026, 3, 2, 12, 0, 10, tzinfo=dt.UTC)  # 10 s into a 60 s window
FLOODER = "10.20.0.1"


@pytest.fixture(autouse=True)
def fresh_memory(settings):
    settings.AUTH_HASHER_LIMIT = 3
    settings.AUTH_HASHER_WINDOW_SECONDS = 60
    limits.forget_spent()
    yield
    limits.forget_spent()


@pytest.fixture
def django_entered():
    """Counts the requests that reached Django (its request_started signal)."""
    entered = []

    def count(**kwargs):
        entered.append(1)

    # As Django's test client does: the test's transaction must survive the request's signals.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.request_started.connect(count)
    yield entered
    signals.request_started.disconnect(count)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def serve(path: str, ip: str, username: str | None = None, password: str = "wrong", **extra):
    """(status, headers, body) of `path` served by the WSGI application gunicorn runs."""
    if username is not None:
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        extra["HTTP_AUTHORIZATION"] = f"Basic {token}"
    environ = RequestFactory().get(path, REMOTE_ADDR=ip, **extra).environ
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    chunks = application(environ, start_response)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return answer["status"], answer["headers"], body


def spend_allowance(path: str, ip: str = FLOODER) -> tuple[int, dict, bytes]:
    """Bad logins with fresh usernames until Django refuses one (within the allowance of 3 hasher
    runs); returns that refusal."""
    for n in range(4):
        answer = serve(path, ip, f"flood-{n}")
        if answer[0] == 429:
            return answer
        assert answer[0] == 401
    raise AssertionError("the allowance was never spent")


@time_machine.travel(NOON, tick=False)
def test_a_spent_network_is_refused_before_django_with_the_same_answer(owner, django_entered):
    path = f"/api/customers/{owner.customer.pk}"
    by_django = spend_allowance(path)
    assert len(django_entered) == 4

    early = serve(path, FLOODER, "flood-4")
    assert len(django_entered) == 4  # refused before Django
    assert early[0] == 429
    assert early[1]["Retry-After"] == by_django[1]["Retry-After"] == "50"
    assert early[2] == by_django[2]  # {"Message": "Too many login attempts ... Try again in 50 seconds."}
    # The same headers as Django's answer (its security and no-store headers included), each with
    # a request id of its own.
    assert early[1]["X-Request-ID"] and by_django[1]["X-Request-ID"]
    ignored = {"Content-Length", "Vary", "Allow", "X-Request-ID"}
    assert {k: v for k, v in early[1].items() if k not in ignored} == {
        k: v for k, v in by_django[1].items() if k not in ignored
    }


@time_machine.travel(NOON, tick=False)
def test_while_a_request_of_the_network_hashes_its_other_logins_are_refused_early(owner, django_entered):
    """hasher_slot's one-at-a-time rule: a 429 (Retry-After 1) while another request hashes."""
    path = f"/api/customers/{owner.customer.pk}"
    with limits.hasher_slot(FLOODER, credentials="the-key-of-another-login"):  # a request hashing
        by_django = serve(path, FLOODER, "flood-0")
        entered = len(django_entered)
        early = serve(path, FLOODER, "flood-1")
        assert len(django_entered) == entered  # refused before Django
        assert early[0] == by_django[0] == 429
        assert early[1]["Retry-After"] == by_django[1]["Retry-After"] == "1"
        assert early[2] == by_django[2]
    assert serve(path, FLOODER, "flood-2")[0] == 401  # nothing hashing any more: the full path hashes
    assert len(django_entered) == entered + 1


@time_machine.travel(NOON, tick=False)
def test_warm_credentials_from_the_spent_network_are_served(owner, other, django_entered):
    path = f"/api/customers/{owner.customer.pk}"
    username = owner.user.username
    assert serve(path, FLOODER, username, PASSWORD)[0] == 200  # verified (a hasher run): now warm
    spend_allowance(path)

    for _ in range(2):  # the first one reads the credential cache, the next is vouched in process
        before = len(django_entered)
        assert serve(path, FLOODER, username, PASSWORD)[0] == 200
        assert len(django_entered) == before + 1
    # Another user's right password, never verified from here (cold): refused as the full path would.
    before = len(django_entered)
    assert serve(f"/api/customers/{other.customer.pk}", FLOODER, other.user.username, PASSWORD)[0] == 429
    assert len(django_entered) == before


@time_machine.travel(NOON, tick=False)
def test_known_and_locked_pairs_are_left_to_the_full_path(owner, django_entered, settings):
    """A username that logged in from this network is exempt from its allowance (even once its
    credentials are cold), and a locked pair gets the lockout's own answer."""
    path = f"/api/customers/{owner.customer.pk}"
    username = owner.user.username
    assert serve(path, FLOODER, username, PASSWORD)[0] == 200  # now a known pair
    spend_allowance(path)
    cache.delete(credential_cache_key(username, PASSWORD))  # the credential cache forgot it
    limits.forget_spent()
    spend_allowance(path)

    assert serve(path, FLOODER, username, PASSWORD)[0] == 200  # known pair: verified outside the allowance
    for _ in range(settings.AUTH_LOCKOUT_ATTEMPTS):
        assert serve(path, FLOODER, username, "a-guess")[0] == 401  # known pair: hashed, counted
    before = len(django_entered)
    status, _, body = serve(path, FLOODER, username, "a-guess")
    assert (status, len(django_entered)) == (429, before + 1)  # the lockout, through Django
    assert b"failed login attempts" in body


@time_machine.travel(NOON, tick=False)
def test_what_the_full_path_would_serve_is_not_refused_early(owner, django_entered):
    path = f"/api/customers/{owner.customer.pk}"
    spend_allowance(path)
    entered = len(django_entered)

    assert serve(path, FLOODER)[0] == 401  # no credentials: no hasher to spare
    assert serve("/api/ping", FLOODER, "flood-5")[0] == 200  # ping ignores Basic credentials
    assert serve(path, "10.20.0.2", "flood-6")[0] == 401  # another network, its own allowance
    assert len(django_entered) == entered + 3


def test_the_memory_ends_with_the_window(owner, django_entered):
    path = f"/api/customers/{owner.customer.pk}"
    with time_machine.travel(NOON, tick=False) as clock:
        spend_allowance(path)
        entered = len(django_entered)
        assert serve(path, FLOODER, "flood-7")[0] == 429
        assert len(django_entered) == entered
        clock.move_to(NOON + dt.timedelta(seconds=50))  # the next window
        assert serve(path, FLOODER, "flood-8")[0] == 401
        assert len(django_entered) == entered + 1


@time_machine.travel(NOON, tick=False)
def test_the_client_address_honours_num_proxies(owner, django_entered, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}
    path = f"/api/customers/{owner.customer.pk}"
    proxy = "10.20.0.9"
    forwarded = {"HTTP_X_FORWARDED_FOR": FLOODER}
    for n in range(3):
        assert serve(path, proxy, f"flood-{n}", **forwarded)[0] == 401
    assert serve(path, proxy, "flood-3", **forwarded)[0] == 429
    entered = len(django_entered)
    assert serve(path, proxy, "flood-4", **forwarded)[0] == 429
    assert len(django_entered) == entered  # the forwarded client is refused early...
    assert serve(path, proxy, "flood-5", HTTP_X_FORWARDED_FOR="10.20.0.3")[0] == 401  # ...not the proxy's others
