"""Kernel limits (DESIGN.md §4 "Limits", §10): impossible path ids, body caps, the hasher limiter.

The path tests walk the URLconf (the tenancy matrix's route list), so every route of every app,
including routes added later, is covered.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.customers.models import Customer, Meter
from esmart.api import limits
from esmart.api.authentication import _digest
from esmart.api.routing import MAX_PATH_INT

from ..conftest import basic
from ..factories import PASSWORD, UserFactory
from .test_authentication import CountingHasher
from .test_tenancy_matrix import FREE_SAMPLES, ROUTES, call, owned_values

pytestmark = pytest.mark.django_db

INT_ROUTES = [r for r in ROUTES if "<int:" in r.route]
STR_ROUTES = [r for r in ROUTES if any(p for p in r.parameters if f"<int:{p}>" not in r.route)]


@pytest.fixture
def values(owner):
    return {**FREE_SAMPLES, **owned_values(owner)}


def _complete(route, values):
    # A route whose app provides no ids yet still gets real-looking ones: the bad value alone decides.
    return {p: values.get(p, 1) for p in route.parameters}


def _int_parameters(route):
    return [p for p in route.parameters if f"<int:{p}>" in route.route]


def _str_parameters(route):
    return [p for p in route.parameters if f"<int:{p}>" not in route.route]


# --- 1. impossible path ids -----------------------------------------------------------------


def test_the_walk_sees_routes_of_every_existing_app():
    apps = {r.view_class.__module__.split(".")[1] for r in INT_ROUTES + STR_ROUTES}
    assert {"customers", "metering", "pricing"} <= apps


@pytest.mark.parametrize("huge", [MAX_PATH_INT + 1, 2**64 + 7, 10**40])
@pytest.mark.parametrize("route", INT_ROUTES, ids=str)
def test_an_integer_id_beyond_64_bits_is_404_before_any_query(route, huge, owner, values):
    client = owner.client()
    for parameter in _int_parameters(route):
        url = route.url({**_complete(route, values), parameter: huge})
        for method in route.methods:
            with CaptureQueriesContext(connection) as queries:
                response = call(client, method, url)
            assert response.status_code == 404, (method, url, response.content)
            assert response.json() == {"Message": "No resource was found that matches the request URI."}
            assert len(queries) == 0, queries.captured_queries


@pytest.mark.parametrize("route", STR_ROUTES, ids=str)
def test_a_nul_byte_in_a_string_path_value_is_404_before_any_query(route, owner, values):
    client = owner.client()
    for parameter in _str_parameters(route):
        url = route.url({**_complete(route, values), parameter: "ab%00cd"})
        for method in route.methods:
            with CaptureQueriesContext(connection) as queries:
                response = call(client, method, url)
            assert response.status_code == 404, (method, url, response.content)
            assert len(queries) == 0, queries.captured_queries


def test_the_largest_64_bit_id_still_reaches_the_view(owner):
    # In range for the column: a normal scoped miss (the query runs), not a routing refusal.
    response = owner.client().get(f"/api/customers/{MAX_PATH_INT}")
    assert response.status_code == 404


def test_an_owned_value_longer_than_its_column_is_404_without_the_anchor_query(owner):
    client = owner.client()
    client.get(f"/api/customers/{owner.customer.pk}")  # warm the credentials: only anchor queries remain
    long_meter = "9" * (Meter._meta.get_field("meter_id").max_length + 1)
    url = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/{long_meter}/exists"
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 404
    assert not [q for q in queries.captured_queries if Meter._meta.db_table in q["sql"]]


@pytest.mark.parametrize(
    "lookup, value, expected",
    [
        ("pk", 1, True),
        ("pk", MAX_PATH_INT, True),
        ("pk", MAX_PATH_INT + 1, False),
        ("pk", "not-a-number", False),  # wrong shape
        ("contracts__contract_no", "x" * 500, False),  # followed through a relation
        ("contracts__contract_no", "a\x00b", False),
        ("contracts__contract_no", "123", True),
    ],
)
def test_path_value_can_exist(lookup, value, expected):
    assert limits.path_value_can_exist(Customer, lookup, value) is expected


def test_the_column_range_of_the_backend_is_used(monkeypatch):
    # A narrower column (as an IntegerField is on PostgreSQL) refuses what a 64-bit one accepts.
    monkeypatch.setattr(connection.ops, "integer_field_range", lambda internal_type: (-(2**31), 2**31 - 1))
    assert limits.path_value_can_exist(Customer, "pk", 2**31 - 1)
    assert not limits.path_value_can_exist(Customer, "pk", 2**31)


# --- 3. body size ---------------------------------------------------------------------------


def _post_raw(client, url, size):
    body = b'{"UserName": "' + b"x" * size + b'", "Password": "p", "Area": 2}'
    return client.generic("POST", url, body, content_type="application/json")


def test_a_body_over_the_cap_is_413_before_it_is_parsed(anonymous, monkeypatch, settings):
    settings.API_MAX_BODY_BYTES = 4096
    parsed = []
    monkeypatch.setattr("esmart.api.parsers.WireJSONParser.parse", lambda *a, **k: parsed.append(1) or {})
    response = _post_raw(anonymous, "/api/Authenticate", 5000)
    assert response.status_code == 413
    assert response.json() == {"Message": "The request body is too large: at most 4096 bytes are accepted."}
    assert parsed == []


def test_the_default_cap_is_one_mebibyte(anonymous):
    assert limits.max_body_bytes() == 1024 * 1024
    assert _post_raw(anonymous, "/api/Authenticate", 2 * 1024 * 1024).status_code == 413
    within = _post_raw(anonymous, "/api/Authenticate", 1000)  # parsed and validated: too long a name
    assert within.status_code == 400 and "UserName" in within.json()["ModelState"]


def test_a_body_within_the_cap_of_an_authenticated_write_is_parsed(owner, settings):
    settings.API_MAX_BODY_BYTES = 4096
    url = f"/api/customers/{owner.customer.pk}"
    assert owner.client().patch(url, {"Email": "a@example.com"}, format="json").status_code == 200
    response = owner.client().patch(url, {"Email": "a@example.com", "Pad": "x" * 5000}, format="json")
    assert response.status_code == 413
    assert Customer.objects.get(pk=owner.customer.pk).email == "a@example.com"


def test_a_view_may_declare_a_larger_cap(settings):
    settings.API_MAX_BODY_BYTES = 10

    class Bulk:
        max_body_bytes = 10_000

    assert limits.max_body_bytes(Bulk()) == 10_000
    assert limits.max_body_bytes(object()) == 10


# --- 5. the hasher limiter ------------------------------------------------------------------


def _login_attempt(ip, username, password="wrong"):
    client = APIClient(REMOTE_ADDR=ip)
    client.credentials(HTTP_AUTHORIZATION=basic(username, password))
    return client.get("/api/users/1")


@pytest.fixture
def counting_hasher(settings):
    CountingHasher.calls = 0
    settings.PASSWORD_HASHERS = ["tests.api.test_authentication.CountingHasher"]
    return CountingHasher


@pytest.fixture
def small_allowance(settings):
    settings.AUTH_HASHER_LIMIT = 3
    settings.AUTH_HASHER_WINDOW_SECONDS = 60
    return 3


def test_fresh_usernames_from_one_address_are_limited_before_the_hasher(small_allowance, counting_hasher):
    for n in range(small_allowance):
        assert _login_attempt("10.1.0.1", f"nobody{n}").status_code == 401
    with CaptureQueriesContext(connection) as queries:
        response = _login_attempt("10.1.0.1", "nobody-else")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 60
    assert "Message" in response.json()
    assert not [q for q in queries.captured_queries if "customers_user" in q["sql"]]  # no user lookup
    # Another address has its own allowance.
    assert _login_attempt("10.1.0.2", "nobody0").status_code == 401


def test_the_hasher_does_not_run_once_the_allowance_is_spent(small_allowance, counting_hasher):
    user = UserFactory()
    user.set_password(PASSWORD)
    user.save()
    counting_hasher.calls = 0
    for _ in range(small_allowance):
        assert _login_attempt("10.1.0.3", user.username).status_code == 401
    assert counting_hasher.calls == small_allowance
    assert _login_attempt("10.1.0.3", f"{user.username}-2").status_code == 429
    assert _login_attempt("10.1.0.3", user.username, PASSWORD).status_code == 429  # cold, so limited
    assert counting_hasher.calls == small_allowance


def test_ipv6_is_limited_per_64(small_allowance):
    for n in range(small_allowance):
        assert _login_attempt(f"2001:db8:1:2::{n + 1}", f"nobody{n}").status_code == 401
    assert _login_attempt("2001:db8:1:2:ffff::9", "nobody9").status_code == 429  # same /64
    assert _login_attempt("2001:db8:1:3::1", "nobody9").status_code == 401  # the next /64


@pytest.mark.parametrize(
    "ident, network",
    [
        ("10.0.0.1", "10.0.0.1"),
        ("2001:db8::1", "2001:db8::/64"),
        ("2001:db8:0:0:ffff:1:2:3", "2001:db8::/64"),
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("unknown", "unknown"),
    ],
)
def test_client_network(ident, network):
    assert limits.client_network(ident) == network


def test_warm_credentials_are_never_refused(owner, small_allowance):
    ip = "10.1.0.4"
    good = APIClient(REMOTE_ADDR=ip)
    good.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    assert good.get(f"/api/users/{owner.user.pk}").status_code == 200  # verified: now warm
    # The same address floods: the allowance is spent and the user's pair is locked out...
    for _ in range(10):
        _login_attempt(ip, owner.user.username)
    assert _login_attempt(ip, owner.user.username).status_code == 429
    # ...yet the signed-in user's warm requests still answer.
    for _ in range(3):
        assert good.get(f"/api/users/{owner.user.pk}").status_code == 200


def test_a_flood_cannot_lock_out_a_warm_user_through_the_lockout(owner, settings):
    settings.AUTH_HASHER_LIMIT = 1000
    ip = "10.1.0.5"
    good = APIClient(REMOTE_ADDR=ip)
    good.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    assert good.get(f"/api/users/{owner.user.pk}").status_code == 200
    for _ in range(settings.AUTH_LOCKOUT_ATTEMPTS):
        assert _login_attempt(ip, owner.user.username).status_code == 401
    assert _login_attempt(ip, owner.user.username).status_code == 429  # the pair is locked
    assert good.get(f"/api/users/{owner.user.pk}").status_code == 200


def test_authenticate_endpoint_is_limited(db, small_allowance):
    client = APIClient(REMOTE_ADDR="10.1.0.6")
    for n in range(small_allowance):
        body = {"UserName": f"nobody{n}", "Password": "x", "Area": 2}
        assert client.post("/api/Authenticate", body, format="json").status_code == 401
    body = {"UserName": "nobody-last", "Password": "x", "Area": 2}
    response = client.post("/api/Authenticate", body, format="json")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_pdf_query_credentials_are_limited(db, small_allowance):
    client = APIClient(REMOTE_ADDR="10.1.0.7")
    for n in range(small_allowance):
        query = {"userName": f"nobody{n}", "password": "x"}
        assert client.get("/api/customers/1/invoices/1/pdf", query).status_code == 401
    response = client.get("/api/customers/1/invoices/1/pdf", {"userName": "nobody-last", "password": "x"})
    assert response.status_code == 429
    assert "Retry-After" in response


def test_behind_a_proxy_num_proxies_tells_clients_apart(owner, settings):
    # NUM_PROXIES=1: the address the proxy appended is the client; without it every client would
    # share the proxy's address, and one client's failures would lock the user out for all.
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}

    def attempt(client_ip, password="wrong"):
        client = APIClient(REMOTE_ADDR="10.9.9.9", HTTP_X_FORWARDED_FOR=f"{client_ip}")
        client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, password))
        return client.get(f"/api/users/{owner.user.pk}")

    for _ in range(settings.AUTH_LOCKOUT_ATTEMPTS):
        assert attempt("198.51.100.1").status_code == 401
    assert attempt("198.51.100.1").status_code == 429
    assert attempt("198.51.100.2", PASSWORD).status_code == 200


def test_a_nul_byte_in_a_basic_username_is_401(db):
    response = _login_attempt("10.1.0.8", "demo\x00user")
    assert response.status_code == 401
    assert "Message" in response.json()
    overlong = _login_attempt("10.1.0.8", "u" * 10_000)
    assert overlong.status_code == 401


def test_one_network_never_hashes_twice_at_once(db, counting_hasher):
    # Another request of 10.1.0.9's network is hashing right now (its mark is in the cache).
    cache.add(f"auth:hashing:{limits.client_network('10.1.0.9')}", 1, timeout=5)
    response = _login_attempt("10.1.0.9", "nobody")
    assert response.status_code == 429
    assert response["Retry-After"] == "1"
    assert counting_hasher.calls == 0
    assert _login_attempt("10.1.0.10", "nobody").status_code == 401  # another address hashes
    cache.delete(f"auth:hashing:{limits.client_network('10.1.0.9')}")
    assert _login_attempt("10.1.0.9", "nobody").status_code == 401  # and so does this one, once done


def test_parallel_requests_with_the_same_credentials_share_one_hash(owner, counting_hasher):
    """An app opening with several requests at once on a cold cache: one hashes, the rest wait for
    its verdict instead of a 429 (different credentials from the network are still refused above)."""
    owner.user.set_password(PASSWORD)
    owner.user.save()
    counting_hasher.calls = 0
    token_key = f"auth:ok:{_digest('credentials', owner.user.username, PASSWORD)}"
    busy_key = f"auth:hashing:{limits.client_network('10.2.0.1')}"
    cache.add(busy_key, token_key, timeout=5)  # "another request is hashing these credentials"

    def finish_the_other_request():
        cache.set(token_key, _digest("hash", owner.user.password), timeout=60)
        cache.delete(busy_key)

    threading.Timer(0.2, finish_the_other_request).start()
    client = APIClient(REMOTE_ADDR="10.2.0.1")
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    assert client.get(f"/api/users/{owner.user.pk}").status_code == 200
    assert counting_hasher.calls == 0  # it took the other request's verdict


def test_a_parallel_refusal_is_shared_too(owner, counting_hasher):
    token_key = f"auth:ok:{_digest('credentials', owner.user.username, 'wrong')}"
    cache.add(f"auth:hashing:{limits.client_network('10.2.0.2')}", token_key, timeout=5)
    cache.set(f"{token_key}:refused", 1, timeout=5)
    assert _login_attempt("10.2.0.2", owner.user.username).status_code == 401
    assert counting_hasher.calls == 0
