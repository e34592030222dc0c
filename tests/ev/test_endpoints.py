"""Every EV endpoint, table-driven: no credentials → 401, another customer's ids → 404, bad input → 400,
and none of them writes anything. The happy paths are in the other files of tests/ev.

A GET without query or body values (the catalogue, the lists, one car, the gateway's devices) has no
bad input of its own: its path values are ints by route or any string (a RowKey), so a wrong one is
a 404, covered by the 404 table.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

import pytest
from django.urls import resolve

from apps.ev.api import urls as ev_urls
from apps.ev.models import BatteryCar, VendorAccount
from apps.ev.vendors import Credentials
from apps.ev.vendors.demo import DemoVendor
from esmart.api.casing import utc_text
from tests.db_rows import app_rows

from . import world as ev_world
from .world import next_hour

pytestmark = pytest.mark.django_db

CREDENTIALS = {"username": "kari@example.no", "password": "hemmelig-passord", "Manufacturer": "demo"}
REQUESTS = "/api/customers/{customer}/evchargingrequests"
CARS = "/api/evinfo/customers/{customer}/cars"
EXTERNAL = "/api/evinfo/external"


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # a template of the values of `ids()`
    body: dict | None = None
    owned: bool = True  # takes ids of the caller's objects (customer, car, request...)


def request_body() -> dict:
    return {
        "AssetId": "{charger}",
        "StartTime": utc_text(next_hour(1)),
        "EndTime": utc_text(next_hour(4)),
        "ChargingDemand": 5,
    }


ENDPOINTS = [
    Endpoint("GET", "/api/batterycars", owned=False),
    Endpoint("GET", "/api/batterycars/{battery_car}", owned=False),
    Endpoint("GET", "/api/batterycars/manufacturers", owned=False),
    Endpoint("GET", "/api/evinfo/carvendors", owned=False),
    Endpoint("GET", "/api/chargers?externalId={external_id}"),
    Endpoint("GET", REQUESTS),
    Endpoint("POST", REQUESTS, request_body()),
    Endpoint("GET", REQUESTS + "/{request}"),
    Endpoint("PATCH", REQUESTS + "/{request}", {"ChargingDemand": 6}),
    Endpoint("DELETE", REQUESTS + "/{request}"),
    Endpoint("GET", CARS),
    Endpoint("GET", CARS + "/{car}"),
    Endpoint("POST", CARS + "/{car}", {"Manufacturer": "demo", "Model": "Model 3"}),
    Endpoint("PATCH", CARS + "/{car}", {"DisplayName": "Hytta"}),
    Endpoint("DELETE", CARS + "/{car}"),
    Endpoint("GET", "/api/evinfo/customers/{customer}/gateways/{gateway}/evchargingdevicesandcars"),
    Endpoint(
        "GET", "/api/evinfo/customers/{customer}/contracts/{contract}/chargers/{charger}/statistics?year=2025&month=3"
    ),
    Endpoint("POST", f"{EXTERNAL}/authorize", CREDENTIALS, owned=False),
    Endpoint("POST", EXTERNAL + "/authandimport/customers/{customer}", CREDENTIALS),
    Endpoint("POST", EXTERNAL + "/cars/{vehicle}", CREDENTIALS),
    Endpoint("POST", EXTERNAL + "/customers/{customer}/cars/{vehicle}/charge", CREDENTIALS),
    Endpoint("POST", f"{EXTERNAL}/logout", {"Manufacturer": "demo"}, owned=False),
]


def ids(owner, world) -> dict[str, object]:
    return {
        "customer": owner.customer.pk,
        "contract": owner.contract.contract_no,
        "charger": world.charger.pk,
        "external_id": world.charger.asset.external_id,
        "gateway": world.gateway.pk,
        "request": world.request.pk,
        "car": world.car.row_key,
        "vehicle": world.car.vehicle_id,
        "battery_car": BatteryCar.objects.order_by("id").first().pk,
    }


def fill(value, values: dict):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # a whole value keeps its type (AssetId is an int on the wire)
        return value.format(**values)
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


def send(client, endpoint: Endpoint, values: dict, body=None):
    url = fill(endpoint.path, values)
    data = fill(body if body is not None else endpoint.body, values)
    if isinstance(data, bytes):
        return client.generic(endpoint.method, url, data, content_type="application/json")
    return getattr(client, endpoint.method.lower())(url, data, format="json")


def snapshot() -> dict[str, list]:
    """Every row of the EV app (vendor accounts decrypted: a re-encryption is a write too) and the
    assets it makes."""
    return app_rows("ev", "assets")


def import_world(owner, username=CREDENTIALS["username"]) -> ev_world.World:
    """The Owner's EV objects, the car being one the demo vendor knows for `username` (so vendor calls
    would succeed), and a stored vendor login (so a logout would delete something)."""
    world = ev_world.build(owner)
    token = DemoVendor().authorize(Credentials(username=username, password="x"))
    world.car.vehicle_id = DemoVendor().vehicles(token)[0].vehicle_id
    world.car.save()
    VendorAccount.objects.create(
        user=owner.user, manufacturer="demo", access_token=token, handle_digest=f"{owner.user.pk}".ljust(64, "h")
    )
    return world


def test_the_table_lists_every_ev_route_and_method():
    names = {pattern.name: pattern.callback.view_class for pattern in ev_urls.urlpatterns}
    routed = {
        (method.upper(), name)
        for name, view in names.items()
        for method in view.http_method_names
        if method not in ("options", "head") and hasattr(view, method)
    }
    assert len(routed) == 22
    sample = {key: 1 for key in ("customer", "contract", "charger", "gateway", "battery_car")}
    sample.update(external_id="x", request=uuid.uuid4(), car="r", vehicle="v")
    listed = {(e.method, resolve(fill(e.path, sample).split("?")[0]).url_name) for e in ENDPOINTS}
    assert listed == routed  # resolved through the project's URLconf


def test_no_credentials_is_401_and_writes_nothing(owner, anonymous):
    values = ids(owner, import_world(owner))
    before = snapshot()
    for endpoint in ENDPOINTS:
        response = send(anonymous, endpoint, values)
        assert response.status_code == 401, (endpoint, response.content)
        assert set(response.json()) == {"Message"}, endpoint
    assert snapshot() == before


def names_an_object(path: str) -> bool:
    return any(f"{{{name}}}" in path for name in ("request", "car", "vehicle", "gateway", "charger"))


def test_another_customers_ids_are_404_and_write_nothing(owner, other):
    import_world(owner)
    theirs = ids(other, import_world(other, username="ola@example.no"))
    mine = {**theirs, "customer": owner.customer.pk, "contract": owner.contract.contract_no}
    before = snapshot()
    client = owner.client()
    for endpoint in [e for e in ENDPOINTS if e.owned]:
        for values in (theirs, mine):  # their customer, and their objects under my customer
            if values is mine and not ("{customer}" in endpoint.path and names_an_object(endpoint.path)):
                continue
            response = send(client, endpoint, values)
            assert response.status_code == 404, (endpoint, values is mine, response.content)
    assert snapshot() == before
    # The same ids are real: their owner reaches every one of them (the deletes last).
    for endpoint in sorted([e for e in ENDPOINTS if e.owned], key=lambda e: e.method == "DELETE"):
        body = endpoint.body
        if body is CREDENTIALS:
            body = {**CREDENTIALS, "username": "ola@example.no"}  # the login their car was imported with
        response = send(other.client(), endpoint, theirs, body=body)
        assert response.status_code in (200, 201), (endpoint, response.content)


def test_logout_forgets_only_the_callers_logins(owner, other):
    import_world(owner)
    import_world(other)
    response = owner.client().post(f"{EXTERNAL}/logout", {}, format="json")
    assert response.status_code == 200
    assert list(VendorAccount.objects.values_list("user", flat=True)) == [other.user.pk]


# Bad input of each endpoint that takes any: (endpoint, what replaces its body or path values).
BAD_INPUTS = [
    (Endpoint("GET", "/api/chargers"), None),
    (Endpoint("GET", "/api/chargers?externalId={external_id}&createIfNotExists=maybe"), None),
    (Endpoint("POST", REQUESTS), {**request_body(), "ChargingDemand": -1}),
    (Endpoint("POST", REQUESTS), {**request_body(), "EndTime": utc_text(next_hour(1) - dt.timedelta(hours=2))}),
    (Endpoint("POST", REQUESTS), {**request_body(), "ChargingDemand": 500}),
    (Endpoint("GET", REQUESTS + "/not-a-guid"), None),
    (Endpoint("PATCH", REQUESTS + "/{request}"), {"ChargeDemand": "x"}),
    (Endpoint("PATCH", REQUESTS + "/{request}"), {"EndTime": utc_text(next_hour(60))}),
    (Endpoint("PATCH", REQUESTS + "/not-a-guid"), {"ChargingDemand": 5}),
    (Endpoint("DELETE", REQUESTS + "/not-a-guid"), None),
    (Endpoint("POST", CARS + "/{car}"), {"Manufacturer": "demo", "Email": "not-an-address"}),
    (Endpoint("POST", CARS + "/{car}"), {"Manufacturer": "demo", "GrossBatterySize": 50, "NettBatterySize": 60}),
    (Endpoint("PATCH", CARS + "/{car}"), {"NettBatterySize": 0}),
    (
        Endpoint(
            "GET", "/api/evinfo/customers/{customer}/contracts/{contract}/chargers/{charger}/statistics?year=2025"
        ),
        None,
    ),
    (Endpoint("POST", f"{EXTERNAL}/authorize"), {**CREDENTIALS, "username": 5}),
    (Endpoint("POST", EXTERNAL + "/authandimport/customers/{customer}"), {"username": "a", "password": "b"}),
    (Endpoint("POST", EXTERNAL + "/cars/{vehicle}"), {"auth": "bearer-as-text"}),
    (Endpoint("POST", EXTERNAL + "/customers/{customer}/cars/{vehicle}/charge"), {"password": ["x"]}),
    (Endpoint("POST", f"{EXTERNAL}/logout"), {"Manufacturer": 5}),
]
MALFORMED_JSON = b'{"Manufacturer": "demo",'


def test_bad_input_is_400_and_writes_nothing(owner):
    values = ids(owner, import_world(owner))
    before = snapshot()
    client = owner.client()
    for endpoint, body in BAD_INPUTS:
        response = send(client, endpoint, values, body=body if body is not None else {})
        assert response.status_code == 400, (endpoint, body, response.content)
        assert "Message" in response.json(), endpoint
    for endpoint in [e for e in ENDPOINTS if e.method != "GET" and e.body is not None]:
        response = send(client, endpoint, values, body=MALFORMED_JSON)
        assert response.status_code == 400, (endpoint, response.content)
    assert snapshot() == before
