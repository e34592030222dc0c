"""The tenancy matrix, generated from the URLconf (DESIGN.md §5, §10; docs/tenancy.md).

Every API route is served by an ApiView whose path values are classified (esmart/api/tenancy.py),
and every authenticated route names its anchor or why it has none. Every authenticated route and
method is on an app's endpoint contract (tests/<app>/test_endpoints.py, tests/api/harness.py),
which generates its no credentials → 401 and, for a route that takes owned ids, the ids of another
user's objects → 404 for the caller while the same request is answered for their owner. A route
added later fails here until its app's contract lists it.

Apps provide ids of their own objects through `tests/<app>/tenancy.py`:
`def owned_values(owner) -> dict[str, object]`, creating the objects for that Owner (used by
tests/api/test_limits.py and test_no_server_errors.py to fill any route's path); a hook that also
takes `route` (the URL pattern) may give a parameter a different meaning per route.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import itertools
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve
from rest_framework.permissions import AllowAny

from esmart.api.tenancy import Anchor, NotTenantScoped, path_parameters
from esmart.api.views import ApiView
from esmart.urls import API_APPS

from ..conftest import Owner
from .harness import EndpointContract

OWNED_PATH_PARAMETERS, FREE_PATH_PARAMETERS = path_parameters()

FREE_SAMPLES = {
    "appshortname": "smartliv",
    "appShortName": "smartliv",
    "companyShortName": "esmart",
    "build": "100",
    "year": 2025,
    "type": "1",
    "category": "1",
    "eventName": "outage",
    "relationshipType": "1",
    "weekdays": "1",
    "endDate": "2025-01-01",
    "searchFilterId": "1",
    "tsTypeId": 1,
    "objectKey": "key-1",
    "correlationId": "00000000-0000-0000-0000-000000000001",
}
NON_API_ROUTES = {"api/schema", "api/docs"}
_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    route: str
    view_class: type
    methods: tuple[str, ...]

    @property
    def parameters(self) -> list[str]:
        return [m.group("name") for m in _PARAMETER.finditer(self.route)]

    @property
    def is_public(self) -> bool:
        return any(p is AllowAny for p in self.view_class.permission_classes)

    def url(self, values: dict) -> str:
        return "/" + _PARAMETER.sub(lambda m: str(values[m.group("name")]), self.route)

    def __str__(self):
        return self.route


def _walk(patterns, prefix=""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def api_routes() -> list[Route]:
    routes = []
    for route, callback in _walk(get_resolver().url_patterns):
        if not route.lower().startswith("api/") or route in NON_API_ROUTES:
            continue
        view_class = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
        methods = tuple(m for m in ("get", "post", "put", "patch", "delete") if view_class and hasattr(view_class, m))
        routes.append(Route(route, view_class, methods))
    return routes


ROUTES = api_routes()
CASES = [(route, method) for route in ROUTES for method in route.methods]


def _case_id(case):
    return f"{case[1].upper()} {case[0]}" if isinstance(case, tuple) else str(case)


def owned_values(owner: Owner, route: str | None = None) -> dict:
    values = {
        "userId": owner.user.pk,
        "customerId": owner.customer.pk,
        "contractNo": owner.contract.contract_no,
        "deliveryPointId": owner.delivery_point.pk,
        "meterId": owner.meter.meter_id,
    }
    for app in settings.INSTALLED_APPS:
        module_name = f"tests.{app.split('.')[-1]}.tenancy"
        if app.startswith("apps.") and _module_exists(module_name):
            hook = importlib.import_module(module_name).owned_values
            # A hook that takes the route may give a parameter a per-route meaning (assetId of a meter,
            # of a gateway...); one that does not gives the same value everywhere.
            takes_route = "route" in inspect.signature(hook).parameters
            values.update(hook(owner, route=route) if takes_route else hook(owner))
    return values


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # the app has no tests package at all
        return False


def call(client, method: str, url: str):
    return getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)


def test_only_ping_authenticate_and_signed_downloads_are_public():
    assert sorted(r.route for r in ROUTES if r.is_public) == [
        "api/Authenticate",
        "api/TwilioMessage",  # Twilio's webhook: answers only to a valid X-Twilio-Signature
        "api/cimexportlogs/files",  # answers only to a signed, short-lived token
        "api/ping",
        "api/ping/checks",
        "api/ping/database",
    ]


def test_the_matrix_sees_the_api():
    seen = {r.route for r in ROUTES}
    assert {"api/ping", "api/Authenticate", "api/users/<int:userId>", "api/customers/<int:customerId>"} <= seen


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_every_route_is_classified(route):
    assert route.view_class is not None and issubclass(route.view_class, ApiView), (
        f"{route} is not served by an ApiView: tenancy cannot be guaranteed"
    )
    unknown = [p for p in route.parameters if p not in OWNED_PATH_PARAMETERS | FREE_PATH_PARAMETERS]
    assert not unknown, f"{route}: declare {unknown} in its app's AppConfig (esmart/api/tenancy.py)"
    owned = [p for p in route.parameters if p in OWNED_PATH_PARAMETERS]
    if owned:
        assert route.view_class.anchor_model is not None and route.view_class.anchor_scope is not None, (
            f"{route} takes owned ids {owned} but its view has no anchor scope"
        )
        missing = set(owned) - set(route.view_class.anchor_lookups)
        assert not missing, f"{route}: owned ids {missing} are not resolved by the anchor query"
    assert route.methods, f"{route} handles no method"


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.is_public], ids=str)
def test_every_authenticated_route_names_its_anchor_or_why_not(route):
    # docs/tenancy.md: `tenancy = <an app's Anchor>` or `tenancy = NotTenantScoped("why")`.
    tenancy = route.view_class.tenancy
    assert isinstance(tenancy, Anchor | NotTenantScoped), (
        f"{route}: {route.view_class.__name__} declares no tenancy (an anchor of apps/<app>/scopes.py, "
        "or NotTenantScoped with a reason)"
    )
    if route.view_class.anchor_model is not None:
        assert isinstance(tenancy, Anchor) and tenancy.scope is route.view_class.anchor_scope, (
            f"{route}: the anchor query must come from the declared anchor"
        )


# Routes with owned path values whose 404 case a contract cannot generate, and where it is tested.
OWNED_BY_A_SECRET = {
    # An unclaimed next of kin is found by any login holding its code (the code is the secret);
    # once claimed it is 404 to others: tests/assignments/test_people_api.py.
    "GET /api/nextofkin/{invited}/usercode/{code}",
}


def _contracts() -> list[type[EndpointContract]]:
    """Every app's endpoint contracts (tests/<app>/test_endpoints.py)."""
    for app in API_APPS:
        importlib.import_module(f"tests.{app}.test_endpoints")
    found, todo = [], [EndpointContract]
    while todo:
        for contract in todo.pop().__subclasses__():
            todo.append(contract)
            if hasattr(contract, "endpoints"):  # not a shared base (tests/assets' AssetsContract)
                found.append(contract)
    return found


def _view_of(path: str) -> type:
    """The view a contract's path template reaches: each placeholder filled with a sample that
    fits an int, str or uuid converter, the first combination that resolves."""
    names = sorted(set(re.findall(r"{(\w+)}", path)))
    for samples in itertools.product(("1", "00000000-0000-0000-0000-000000000001"), repeat=len(names)):
        try:
            return resolve(path.format(**dict(zip(names, samples, strict=True))).split("?")[0]).func.view_class
        except Resolver404:
            continue
    raise AssertionError(f"{path} resolves to no route")


def test_every_authenticated_route_is_on_an_endpoint_contract():
    """The contracts generate each route's 401 (no credentials) and, for a route taking owned ids,
    its 404 (another user's ids, answered for their owner): every authenticated route and method is
    on one, and a route with owned path values is marked `owned` there."""
    endpoints = [(e, _view_of(e.path)) for contract in _contracts() for e in contract.endpoints]
    listed = {(e.method.lower(), view) for e, view in endpoints}
    unlisted = [_case_id(c) for c in CASES if not c[0].is_public and (c[1], c[0].view_class) not in listed]
    assert not unlisted, f"add these to their app's tests/<app>/test_endpoints.py: {unlisted}"
    owned_views = {r.view_class for r in ROUTES if set(r.parameters) & OWNED_PATH_PARAMETERS}
    not_owned = [
        str(e) for e, view in endpoints if view in owned_views and not e.owned and str(e) not in OWNED_BY_A_SECRET
    ]
    assert not not_owned, f"these take owned ids: their 404 case must be generated: {not_owned}"
