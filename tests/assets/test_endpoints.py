"""Every assets endpoint on the contract harness (tests/api/harness.py), one contract per sub-domain
(the graph, the devices): the happy path, no credentials → 401, another organisation's or
customer's ids → 404, bad input → 400, the `professional` privilege → 403 without it, and none of
the refusals writes anything (every assets row compared). The worlds are graph_world and
devices_world; the behaviour in detail is in the other files of tests/assets.

A GET without query or body values has no bad input of its own: its path values are ints by route
or the caller's own strings, so a wrong one is a 404, covered by the 404 cases.
"""

from __future__ import annotations

import pytest
from django.urls import resolve

from apps.assets.devices.api import urls as devices_urls
from apps.assets.graph.api import urls as graph_urls
from apps.assets.models import Asset, RelationType
from tests.api.harness import Bad, Endpoint, EndpointContract, World, fill
from tests.conftest import make_owner

from . import devices_world

GSRN = "707057500000123458"  # a valid GS1 check digit
NET = int(RelationType.Network)
PRO = "professional"
BUSINESS_OBJECT = {  # route: (world value, the type's own part of a valid body)
    "aggregationpoint": (
        "aggregation_point",
        {"AggregationPoint": {"MeteringPointId": GSRN, "BiddingZone": "no2", "MaxCapacityKw": 750.5}},
    ),
    "smarthomedevice": (
        "smart_home_device",
        {"Device": {"DeviceType": "Thermostat", "GatewayAssetId": "{gateway}", "RatedPowerKw": 1.25}},
    ),
    "smarthomegateway": (
        "smart_home_gateway",
        {"SerialNumber": "GW-NEW-1", "Gateway": {"GatewayClassId": "HanGateway", "Status": "Active"}},
    ),
}
BUSINESS_OBJECT_KEYS = [key for key, _ in BUSINESS_OBJECT.values()]
CHILDREN = ("meters", "facilities", "aggregationpoint", "industries")


def devices_world_values(owner) -> dict[str, object]:
    world = devices_world.build(owner)
    devices_world.weather_stations()  # .../{assetId}/wheaterobservation/nearest needs a station
    return {
        "customer": owner.customer.pk,
        "user": owner.user.pk,
        "participant": world.participant.pk,
        "substation": world.substation.pk,
        "feeder": world.feeder.pk,
        "region": world.region.pk,
        "building": world.building.pk,
        "meter": world.meter.pk,
        "counter": world.counter.asset_id,
        "aggregation_point": world.aggregation_point.pk,
        "smart_home_device": world.smart_home_device.pk,
        "smart_home_gateway": world.smart_home_gateway.pk,
        "gateway": world.gateway.asset_id,
        **{f"{key}_version": Asset.objects.get(pk=getattr(world, key).pk).version for key in BUSINESS_OBJECT_KEYS},
        "device_serial": world.device_serial,
        "gateway_serial": world.gateway_serial,
        "external_id": world.external_id,
    }


class AssetsContract(EndpointContract):
    apps = ("assets",)

    def world(self) -> World:
        owner = make_owner()  # a professional member of their own grid company (graph_world)
        return World(devices_world_values(owner), {"owner": owner.user}, extra=owner)


def business_object_endpoints() -> list[Endpoint]:
    endpoints = []
    for route, (key, details) in BUSINESS_OBJECT.items():
        path = f"/api/businessobject/{route}"
        created = {"Name": "New", "ParentId": "{substation}", "RelationshipType": NET, **details}
        replaced = {"Name": "Renamed", "Version": f"{{{key}_version}}", **details}
        endpoints += [
            Endpoint("GET", f"{path}/{{{key}}}", privilege=PRO),
            Endpoint(
                "PUT",
                f"{path}/{{{key}}}",
                replaced,
                bad=(Bad({**replaced, "Latitude": 91}, named="Latitude"),),
                privilege=PRO,
                writes=True,
            ),
            Endpoint(
                "POST",
                path,
                created,
                bad=(Bad({"ParentId": "{substation}", "Latitude": 91}, named="Latitude"),),
                privilege=PRO,
                writes=True,
            ),
        ]
    return endpoints


def create_children_endpoints() -> list[Endpoint]:
    return [
        Endpoint(
            "POST",
            f"/api/{route}/{{building}}",
            [{"Name": "A", "ExternalId": "x-1"}],
            bad=(Bad([]), Bad({"Name": "x"}), Bad([{"Name": "Good"}, {"Description": "no name"}], named="[1].Name")),
            privilege=PRO,
            writes=True,
        )
        for route in CHILDREN
    ]


class TestGraphEndpoints(AssetsContract):
    urlpatterns = graph_urls.urlpatterns
    endpoints = [
        *business_object_endpoints(),
        Endpoint(
            "GET",
            "/api/assets/types/Feeder",
            bad=(Bad(path="/api/assets/types/Feeder?pageSize=0"),),
            owned=False,
            privilege=PRO,
        ),
        Endpoint("GET", "/api/assets/{meter}/timezone"),
        Endpoint("GET", "/api/customers/{customer}/zones"),
        Endpoint("GET", "/api/assetinfo/{substation}/label", privilege=PRO),
        Endpoint(
            "POST",
            "/api/assetinfo/{substation}/label",
            {"Label": "North"},
            bad=(Bad({"Label": 7}, named="Label"), Bad({"Label": "x" * 201}, named="Label")),
            privilege=PRO,
            writes=True,
        ),
        Endpoint("GET", "/api/assetinfo/{substation}", privilege=PRO),
        *create_children_endpoints(),
        Endpoint(
            "POST",
            "/api/Facilities",
            [{"Name": "Plant", "ParentId": "{region}"}],
            bad=(
                Bad([]),
                Bad({"Name": "P", "ParentId": "{region}"}),
                Bad([{"Name": "No parent"}], named="[0].ParentId"),
            ),
            privilege=PRO,
            writes=True,
        ),
        Endpoint(
            "GET",
            "/api/AssetRelations/GetParticipants?id={user}",
            bad=(Bad(path="/api/AssetRelations/GetParticipants?id=abc"),),
            privilege=PRO,
        ),
        Endpoint("GET", "/api/Users/{user}/Participants", privilege=PRO),
        Endpoint("GET", "/api/Users/{user}/topnodes", privilege=PRO),
        Endpoint("GET", "/api/Users/{user}/participant/hierarchy", privilege=PRO),
        Endpoint("GET", "/api/ParticipantRelations/{participant}/children/location", privilege=PRO),
        Endpoint("GET", "/api/ParticipantRelations/{participant}/children/network", privilege=PRO),
        Endpoint(
            "GET",
            "/api/AssetRelations/{region}/children/location",
            bad=(Bad(path="/api/AssetRelations/{region}/children/location?depth=abc"),),
            privilege=PRO,
        ),
        Endpoint("GET", "/api/AssetRelations/{substation}/children/network", privilege=PRO),
        Endpoint("GET", "/api/AssetRelations/{meter}/parent/location", privilege=PRO),
        Endpoint("GET", "/api/assetrelations/{meter}/children/Measures", privilege=PRO),
        Endpoint(
            "POST",
            "/api/relation",
            {"ParentId": "{meter}", "ChildId": "{counter}", "RelationshipType": "Measures"},
            bad=(Bad({"ParentId": "{meter}", "ChildId": "{substation}", "RelationshipType": 99}),),
            privilege=PRO,
            writes=True,
        ),
    ]


class TestDevicesEndpoints(AssetsContract):
    urlpatterns = devices_urls.urlpatterns
    endpoints = [
        Endpoint("GET", "/api/assets/{participant}/devices/1", privilege=PRO),
        Endpoint("GET", "/api/assets/wheaterobservation/blindern", owned=False),
        Endpoint("GET", "/api/assets/{meter}/wheaterobservation/nearest"),
        Endpoint("GET", "/api/assets/counters", owned=False, privilege=PRO),
        Endpoint(
            "GET",
            "/api/assets/counters/categories/1",
            bad=(Bad(path="/api/assets/counters/categories/Beer"),),
            owned=False,
            privilege=PRO,
        ),
        Endpoint("GET", "/api/assets/chargers", owned=False),
        Endpoint("GET", "/api/assets/chargingstation", owned=False, privilege=PRO),
        Endpoint("GET", "/api/componentinfo/types", owned=False, privilege=PRO),
        Endpoint("GET", "/api/componentinfo/events", owned=False, privilege=PRO),
        Endpoint("GET", "/api/componentinfo/substations/event/outage", owned=False, privilege=PRO),
        Endpoint("GET", "/api/componentinfo/meters/event/outage", owned=False, privilege=PRO),
        Endpoint("GET", "/api/componentinforestricted/types", owned=False),
        Endpoint("GET", "/api/componentinforestricted/events", owned=False),
        Endpoint("GET", "/api/componentinforestricted/substations/event/outage", owned=False),
        Endpoint("GET", "/api/componentinforestricted/meters/event/outage", owned=False),
        Endpoint("GET", "/api/devices/serialnumber/{device_serial}"),
        Endpoint("GET", "/api/devices/serialnumber/{device_serial}/gateway"),
        Endpoint(
            "GET",
            "/api/gateways/active/serialnumber?participantId={participant}",
            bad=(Bad(path="/api/gateways/active/serialnumber?participantId=abc"),),
            privilege=PRO,
        ),
        Endpoint("GET", "/api/gateways/serialnumber/{gateway_serial}"),
        Endpoint("GET", "/api/gateways/externalId/{external_id}/devices"),
        Endpoint("GET", "/api/SimCard", owned=False, privilege=PRO),
    ]


def _needs_professional(view) -> bool:
    return any(getattr(permission, "privilege", None) == PRO for permission in view.permission_classes)


@pytest.mark.django_db
def test_every_professional_route_declares_the_privilege():
    """The contracts' `privilege=PRO` lines are exactly the routes whose views require it, so a
    professional route added later is refused to a layman by the generated tests."""
    values = TestGraphEndpoints().world().values
    listed = [(e, resolve(fill(e.path, values).split("?")[0]).func.view_class) for e in ALL_ENDPOINTS]
    declared = {(e.method, view) for e, view in listed if e.privilege == PRO}
    assert declared == {(e.method, view) for e, view in listed if _needs_professional(view)}
    assert len(declared) >= 30  # the catalogue's professional side: business objects, graph, devices lists


ALL_ENDPOINTS = [*TestGraphEndpoints.endpoints, *TestDevicesEndpoints.endpoints]
