"""The endpoint-contract harness: a few lines per route generate its contract tests.

Modelled on NetBox's `APIViewTestCases`. An app's test class subclasses `EndpointContract`, names
the apps whose rows a refusal must leave alone, lists its routes as `Endpoint`s and builds one
tenant's objects in `world()`. Every route and method of the app's URLconf must be listed, and
each `Endpoint` gets:

- the happy path: its status (200), and whether some row of the apps changed is `writes`;
- no credentials: 401 (a public route: `anonymous_status`), nothing written;
- another tenant's ids (`owned`): 404 for the caller, nothing written, while the same request is
  answered for their owner (so the ids are real and the 404 means "not yours"); where the path
  names a parent (`parent_keys`, e.g. the customer) and an object under it (`object_keys`), their
  object under the caller's own parent is a 404 as well;
- bad input (`bad`, and malformed JSON for every route with a body): 400 with a `Message`, nothing
  written;
- a `privilege`: without it `refused_status` (403), nothing written; with it, answered again.

Paths, bodies and headers are templates of the world's values: "{customer}" in a string is filled
with `str.format`, and a string that is exactly one placeholder keeps the value's type (an id that
is an int on the wire stays an int). "Nothing written" compares every row of the apps' tables
before and after (tests/db_rows.py). The clock is frozen for every test (tests/clock.py).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
from django.contrib.auth.models import Permission
from django.urls import resolve
from rest_framework.test import APIClient

from tests.db_rows import app_rows
from tests.factories import PASSWORD

MALFORMED_JSON = b'{"Message": "x",'
METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Bad:
    """One bad input of an endpoint: what replaces its body, path or headers; `named` is a template
    of a text the 400's ModelState must name."""

    body: Any = None
    path: str | None = None
    headers: Mapping[str, str] | None = None
    named: str | None = None


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # a template of the world's values
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)
    bad: tuple[Bad, ...] = ()
    writes: bool = False  # the happy path changes some row of the contract's apps
    owned: bool = True  # takes ids another tenant must not reach
    privilege: str | None = None  # the permission codename (customers app) the route needs
    refused_status: int = 403  # without the privilege
    login: str | None = "owner"  # the world's login that calls; None: no login (a public route)
    status: int = 200  # of the happy path
    anonymous_status: int | None = 401  # None: the route takes credentials in its body (a login)

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass
class World:
    """One tenant's objects: the values the templates name and the logins that call."""

    values: dict[str, Any]
    logins: dict[str, Any]
    extra: Any = None  # anything else a contract wants to keep (the objects themselves)


def basic(username: str, password: str = PASSWORD) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.credentials(HTTP_AUTHORIZATION=basic(user.username))
    return client


def fill(value, values: Mapping[str, Any]):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # a whole value keeps its type (an int id stays an int)
        return value.format(**values)
    if isinstance(value, list | tuple):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


def grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="customers"))
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def revoke_all(user) -> None:
    user.user_permissions.clear()
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def routed(urlpatterns) -> set[tuple[str, type]]:
    """(METHOD, view class) of every route of an app's URLconf."""
    return {
        (method.upper(), pattern.callback.view_class)
        for pattern in urlpatterns
        for method in METHODS
        if hasattr(pattern.callback.view_class, method)
    }


def _names(path: str, keys) -> bool:
    return any(f"{{{key}}}" in path for key in keys)


class EndpointContract:
    """Subclass as `Test<App>Endpoints`; pytest collects the tests below for each subclass."""

    apps: ClassVar[tuple[str, ...]]  # app labels whose rows a refusal must not change
    endpoints: ClassVar[list[Endpoint]]
    urlpatterns: ClassVar[list]  # the app's URLconf: every route and method must be listed
    parent_keys: ClassVar[tuple[str, ...]] = ()  # values the caller keeps in the mixed 404 case
    object_keys: ClassVar[tuple[str, ...]] = ()  # values naming objects under a parent
    malformed_json: ClassVar[bool] = True  # malformed JSON to every route with a body is a 400

    pytestmark = pytest.mark.django_db

    # --- what a contract provides -----------------------------------------------------------------
    def world(self) -> World:
        raise NotImplementedError

    def intruder(self) -> World:
        """Another tenant, with objects and privileges of their own."""
        return self.world()

    def before_foreign_call(self, caller: World, endpoint: Endpoint) -> None:
        """Set the caller up for a 404 case (e.g. hold only the privilege the route needs)."""

    def bad_input_world(self) -> World:
        """The world the bad inputs are sent in (a contract may add another tenant's ids to it)."""
        return self.world()

    def send(
        self,
        client: APIClient,
        endpoint: Endpoint,
        values: Mapping,
        *,
        body=None,
        path=None,
        headers=None,
        credentials: bool = True,
    ):
        """The endpoint's request; `credentials=False` for the no-credentials case (a public route
        that authenticates otherwise, say by a signature, leaves that out too)."""
        url = fill(path if path is not None else endpoint.path, values)
        data = fill(body if body is not None else endpoint.body, values)
        extra = fill(dict(headers if headers is not None else endpoint.headers), values)
        if isinstance(data, bytes):
            return client.generic(endpoint.method, url, data, content_type="application/json", **extra)
        if endpoint.method == "GET":
            return client.get(url, **extra)
        return getattr(client, endpoint.method.lower())(url, data, format="json", **extra)

    # --- helpers --------------------------------------------------------------------------------------
    def snapshot(self) -> dict[str, list]:
        return app_rows(*self.apps)

    def client(self, world: World, endpoint: Endpoint) -> APIClient:
        return client_for(world.logins[endpoint.login] if endpoint.login else None)

    def pytest_generate_tests(self, metafunc):
        select = getattr(metafunc.function, "select", None)
        if select is not None:
            cases = select(self)
            metafunc.parametrize("case", [value for _, value in cases], ids=[name for name, _ in cases])

    # --- the generated tests --------------------------------------------------------------------------
    def test_the_table_lists_every_route_and_method(self):
        values = self.world().values
        listed = {(e.method, resolve(fill(e.path, values).split("?")[0]).func.view_class) for e in self.endpoints}
        assert listed == routed(self.urlpatterns)  # resolved through the project's URLconf
        assert len(self.endpoints) == len(listed)  # one line per route and method

    def test_happy_path(self, case: Endpoint):
        world = self.world()
        before = self.snapshot()
        response = self.send(self.client(world, case), case, world.values)
        assert response.status_code == case.status, response.content
        assert (self.snapshot() != before) is case.writes

    test_happy_path.select = lambda self: [(str(e), e) for e in self.endpoints]

    def test_no_credentials_is_401_and_writes_nothing(self, case: Endpoint):
        world = self.world()
        before = self.snapshot()
        response = self.send(APIClient(), case, world.values, credentials=False)
        assert response.status_code == case.anonymous_status, response.content
        if case.anonymous_status == 401:
            assert set(response.json()) == {"Message"}
            assert response["WWW-Authenticate"].startswith("Basic")
        else:
            assert "Message" in response.json()
        assert self.snapshot() == before

    test_no_credentials_is_401_and_writes_nothing.select = lambda self: [
        (str(e), e) for e in self.endpoints if e.anonymous_status is not None
    ]

    def test_another_tenants_ids_are_404_and_write_nothing(self, case: tuple[Endpoint, bool]):
        endpoint, mixed = case
        mine, theirs = self.world(), self.intruder()
        values = dict(theirs.values)
        if mixed:  # their object under my own parent
            values.update({key: mine.values[key] for key in self.parent_keys})
        self.before_foreign_call(mine, endpoint)
        before = self.snapshot()
        response = self.send(self.client(mine, endpoint), endpoint, values)
        assert response.status_code == 404, response.content
        assert self.snapshot() == before
        # The same ids are real: their owner is answered.
        response = self.send(self.client(theirs, endpoint), endpoint, theirs.values)
        assert response.status_code == endpoint.status, response.content

    def _foreign_cases(self):
        cases = []
        for e in self.endpoints:
            if not e.owned:
                continue
            cases.append((str(e), (e, False)))
            if _names(e.path, self.parent_keys) and _names(e.path, self.object_keys):
                cases.append((f"{e} (their object under my parent)", (e, True)))
        return cases

    test_another_tenants_ids_are_404_and_write_nothing.select = _foreign_cases

    def test_bad_input_is_400_and_writes_nothing(self, case: tuple[Endpoint, Bad]):
        endpoint, bad = case
        world = self.bad_input_world()
        before = self.snapshot()
        response = self.send(
            self.client(world, endpoint),
            endpoint,
            world.values,
            body=bad.body if bad.body is not None else ({} if bad.path else None),
            path=bad.path,
            headers=bad.headers,
        )
        assert response.status_code == 400, response.content
        if bad.body is MALFORMED_JSON:
            assert "Message" in response.json()
        else:
            assert set(response.json()) == {"Message", "ModelState"}
        if bad.named is not None:
            assert str(fill(bad.named, world.values)) in str(response.json()["ModelState"]), response.json()
        assert self.snapshot() == before

    def _bad_cases(self):
        cases = []
        for e in self.endpoints:
            cases += [(f"{e} bad {n}", (e, bad)) for n, bad in enumerate(e.bad)]
            if self.malformed_json and e.method != "GET" and isinstance(e.body, dict):
                cases.append((f"{e} malformed JSON", (e, Bad(body=MALFORMED_JSON))))
        return cases

    test_bad_input_is_400_and_writes_nothing.select = _bad_cases

    def test_without_the_privilege_is_refused_and_writes_nothing(self, case: Endpoint):
        world = self.world()
        user = world.logins[case.login]
        revoke_all(user)
        before = self.snapshot()
        response = self.send(self.client(world, case), case, world.values)
        assert response.status_code == case.refused_status, response.content
        assert self.snapshot() == before
        grant(user, case.privilege)  # the privilege opens the route
        response = self.send(self.client(world, case), case, world.values)
        assert response.status_code == case.status, response.content

    test_without_the_privilege_is_refused_and_writes_nothing.select = lambda self: [
        (str(e), e) for e in self.endpoints if e.privilege
    ]
