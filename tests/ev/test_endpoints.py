"""Every EV endpoint on the contract harness (tests/api/harness.py): the happy path, no credentials
→ 401, another customer's ids → 404, bad input → 400, and none of the refusals writes anything
(every EV and assets row compared). The behaviour in detail is in the other files of tests/ev.

A GET without query or body values (the catalogue, the lists, one car, the gateway's devices) has no
bad input of its own: its path values are ints by route or any string (a RowKey), so a wrong one is
a 404, covered by the 404 cases.
"""

from __future__ import annotations

import datetime as dt

from apps.ev.api import urls as ev_urls
from apps.ev.models import BatteryCar, VendorAccount
from apps.ev.vendors import Credentials
from apps.ev.vendors.demo import DemoVendor
from esmart.api.casing import utc_text
from tests.api.harness import Bad, Endpoint, EndpointContract, World
from tests.conftest import make_owner
from tests.ev.factories import VendorAccountFactory

from . import world as ev_world
from .world import next_hour

CREDENTIALS = {"username": "{vendor_login}", "password": "hemmelig-passord", "Manufacturer": "demo"}
REQUESTS = "/api/customers/{customer}/evchargingrequests"
CARS = "/api/evinfo/customers/{customer}/cars"
EXTERNAL = "/api/evinfo/external"
STATISTICS = "/api/evinfo/customers/{customer}/contracts/{contract}/chargers/{charger}/statistics"


def request_body() -> dict:
    return {
        "AssetId": "{charger}",
        "StartTime": utc_text(next_hour(1)),
        "EndTime": utc_text(next_hour(4)),
        "ChargingDemand": 5,
    }


def import_world(owner, username="kari@example.no") -> ev_world.World:
    """The Owner's EV objects, the car being one the demo vendor knows for `username` (so vendor calls
    would succeed), and a stored vendor login (so a logout would delete something)."""
    world = ev_world.build(owner)
    token = DemoVendor().authorize(Credentials(username=username, password="x"))
    world.car.vehicle_id = DemoVendor().vehicles(token)[0].vehicle_id
    world.car.save()
    VendorAccountFactory(
        user=owner.user, manufacturer="demo", access_token=token, handle_digest=f"{owner.user.pk}".ljust(64, "h")
    )
    return world


def values_of(owner, world: ev_world.World, vendor_login: str) -> dict[str, object]:
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
        "vendor_login": vendor_login,
    }


class TestEvEndpoints(EndpointContract):
    apps = ("ev", "assets")  # vendor accounts decrypted: a re-encryption is a write too
    urlpatterns = ev_urls.urlpatterns
    parent_keys = ("customer", "contract")
    object_keys = ("request", "car", "vehicle", "gateway", "charger")
    endpoints = [
        Endpoint("GET", "/api/batterycars", owned=False),
        Endpoint("GET", "/api/batterycars/{battery_car}", owned=False),
        Endpoint("GET", "/api/batterycars/manufacturers", owned=False),
        Endpoint("GET", "/api/evinfo/carvendors", owned=False),
        Endpoint(
            "GET",
            "/api/chargers?externalId={external_id}",
            bad=(Bad(path="/api/chargers"), Bad(path="/api/chargers?externalId={external_id}&createIfNotExists=maybe")),
        ),
        Endpoint("GET", REQUESTS),
        Endpoint(
            "POST",
            REQUESTS,
            request_body(),
            bad=(
                Bad({**request_body(), "ChargingDemand": -1}),
                Bad({**request_body(), "EndTime": utc_text(next_hour(1) - dt.timedelta(hours=2))}),
                Bad({**request_body(), "ChargingDemand": 500}),
            ),
            writes=True,
            status=201,
        ),
        Endpoint("GET", REQUESTS + "/{request}", bad=(Bad(path=REQUESTS + "/not-a-guid"),)),
        Endpoint(
            "PATCH",
            REQUESTS + "/{request}",
            {"ChargingDemand": 6},
            bad=(
                Bad({"ChargeDemand": "x"}),
                Bad({"EndTime": utc_text(next_hour(60))}),
                Bad({"ChargingDemand": 5}, path=REQUESTS + "/not-a-guid"),
            ),
            writes=True,
        ),
        Endpoint("DELETE", REQUESTS + "/{request}", bad=(Bad(path=REQUESTS + "/not-a-guid"),), writes=True),
        Endpoint("GET", CARS),
        Endpoint("GET", CARS + "/{car}"),
        Endpoint(
            "POST",
            CARS + "/{car}",
            {"Manufacturer": "demo", "Model": "Model 3"},
            bad=(
                Bad({"Manufacturer": "demo", "Email": "not-an-address"}),
                Bad({"Manufacturer": "demo", "GrossBatterySize": 50, "NettBatterySize": 60}),
            ),
            writes=True,
        ),
        Endpoint("PATCH", CARS + "/{car}", {"DisplayName": "Hytta"}, bad=(Bad({"NettBatterySize": 0}),), writes=True),
        Endpoint("DELETE", CARS + "/{car}", writes=True),
        Endpoint("GET", "/api/evinfo/customers/{customer}/gateways/{gateway}/evchargingdevicesandcars"),
        Endpoint("GET", STATISTICS + "?year=2025&month=3", bad=(Bad(path=STATISTICS + "?year=2025"),)),
        Endpoint(
            "POST",
            f"{EXTERNAL}/authorize",
            CREDENTIALS,
            bad=(Bad({**CREDENTIALS, "username": 5}),),
            owned=False,
            writes=True,
        ),
        Endpoint(
            "POST",
            EXTERNAL + "/authandimport/customers/{customer}",
            CREDENTIALS,
            bad=(Bad({"username": "a", "password": "b"}),),
            writes=True,
        ),
        Endpoint(
            "POST", EXTERNAL + "/cars/{vehicle}", CREDENTIALS, bad=(Bad({"auth": "bearer-as-text"}),), writes=True
        ),
        Endpoint(
            "POST",
            EXTERNAL + "/customers/{customer}/cars/{vehicle}/charge",
            CREDENTIALS,
            bad=(Bad({"password": ["x"]}),),
            writes=True,
        ),
        Endpoint(
            "POST",
            f"{EXTERNAL}/logout",
            {"Manufacturer": "demo"},
            bad=(Bad({"Manufacturer": 5}),),
            owned=False,
            writes=True,
        ),
    ]

    def world(self, vendor_login: str = "kari@example.no") -> World:
        owner = make_owner()
        world = import_world(owner, username=vendor_login)
        return World(values_of(owner, world, vendor_login), {"owner": owner.user}, extra=owner)

    def intruder(self) -> World:
        return self.world(vendor_login="ola@example.no")


def test_logout_forgets_only_the_callers_logins(db):
    owner, other = make_owner(), make_owner()
    import_world(owner)
    import_world(other)
    response = owner.client().post(f"{EXTERNAL}/logout", {}, format="json")
    assert response.status_code == 200
    assert list(VendorAccount.objects.values_list("user", flat=True)) == [other.user.pk]
