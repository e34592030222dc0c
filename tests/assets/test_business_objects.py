"""Business objects (api/businessobject/{aggregationpoint,smarthomedevice,smarthomegateway}): the
asset with its type's own validated details, under optimistic concurrency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from apps.assets.graph.business_objects import gateway_rule_errors
from apps.assets.models import (
    AggregationPoint,
    Asset,
    AssetRelation,
    AssetType,
    GatewayConnectionState,
    IoTStatus,
    RelationType,
    SmartHomeDevice,
    SmartHomeGateway,
)
from apps.assets.models.devices import validate_metering_point_id
from tests.conftest import make_owner

from . import devices_world, graph_world

pytestmark = pytest.mark.django_db

NET, CONTROLS = RelationType.Network, RelationType.Controls
GSRN, OTHER_GSRN = "707057500000123458", "707057500000543218"  # valid GS1 check digits


@pytest.fixture
def world(owner):
    return devices_world.build(owner)  # gateway and device details on graph_world's business objects


@pytest.fixture
def other_world(other):
    return devices_world.build(other)


@pytest.fixture
def layman():
    return make_owner()


def client(world):
    return world.owner.client()


def details_body(route: str, world) -> dict:
    """A valid body's own part for each type (the gateway one names a fresh serial number)."""
    return {
        "aggregationpoint": {
            "AggregationPoint": {
                "MeteringPointId": GSRN,
                "BiddingZone": "no2",
                "MaxCapacityKw": 750.5,
                "FlexibilityEnabled": True,
            }
        },
        "smarthomedevice": {
            "Device": {"DeviceType": "Thermostat", "GatewayAssetId": world.gateway.asset_id, "RatedPowerKw": 1.25}
        },
        "smarthomegateway": {
            "SerialNumber": "GW-NEW-1",
            "Gateway": {
                "GatewayClassId": "HanGateway",
                "Status": "Active",
                "LoggingIsOn": True,
                "DataProviderId": 3,
                "FirmwareVersion": "3.0.1-rc1",
                "ConnectionState": "Online",
                "LastSeen": "2025-03-30T12:00:00",
            },
        },
    }[route]


def stored_details(route: str, asset_id: int):
    model = {"aggregationpoint": AggregationPoint, "smarthomedevice": SmartHomeDevice}.get(route, SmartHomeGateway)
    return model.objects.filter(pk=asset_id).first()


def snapshot():
    """Everything a business-object write may touch."""
    return (
        set(Asset.objects.values_list("pk", "name", "version", "serial_number")),
        set(AggregationPoint.objects.values_list("pk", "metering_point_id", "bidding_zone", "max_capacity_kw")),
        set(SmartHomeDevice.objects.values_list("pk", "device_type", "rated_power_kw")),
        set(SmartHomeGateway.objects.values_list("pk", "status", "firmware_version", "connection_state")),
        set(AssetRelation.objects.values_list("parent_id", "child_id", "relation_type")),
    )


ROUTE_TYPES = {
    "aggregationpoint": AssetType.AggregationPoint,
    "smarthomedevice": AssetType.SmartHomeDevice,
    "smarthomegateway": AssetType.SmartHomeGateway,
}
DETAILS_PROPERTY = {"aggregationpoint": "AggregationPoint", "smarthomedevice": "Device", "smarthomegateway": "Gateway"}
ROUTES = [
    ("aggregationpoint", "aggregation_point"),
    ("smarthomedevice", "smart_home_device"),
    ("smarthomegateway", "smart_home_gateway"),
]


class TestRead:
    def test_each_type_answers_its_details(self, world):
        point = client(world).get(f"/api/businessobject/aggregationpoint/{world.aggregation_point.pk}").json()
        assert point["AggregationPoint"] == {
            "MeteringPointId": "",
            "BiddingZone": "NO1",
            "MaxCapacityKw": 500.0,
            "FlexibilityEnabled": False,
        }
        device = client(world).get(f"/api/businessobject/smarthomedevice/{world.smart_home_device.pk}")
        assert device.json()["Device"] == {
            "DeviceType": 1,
            "GatewayAssetId": world.gateway.asset_id,
            "RatedPowerKw": None,
        }
        assert device["ETag"] == f'"{world.smart_home_device.pk}-{device.json()["Version"]}"'
        gateway = client(world).get(f"/api/businessobject/smarthomegateway/{world.smart_home_gateway.pk}").json()
        assert gateway["SerialNumber"] == world.gateway_serial
        assert gateway["Gateway"]["Id"] == str(world.gateway.gateway_id)
        assert (gateway["Gateway"]["Status"], gateway["Gateway"]["LoggingIsOn"]) == (int(IoTStatus.Active), True)
        assert "TokenDigest" not in gateway["Gateway"] and world.gateway.token_digest not in str(gateway)

    def test_an_asset_without_details_answers_null(self, world):
        bare = graph_world.asset(AssetType.SmartHomeGateway, "Bare gateway", world.substation)
        body = client(world).get(f"/api/businessobject/smarthomegateway/{bare.pk}").json()
        assert body["Gateway"] is None and body["Id"] == bare.pk

    @pytest.mark.parametrize(("route", "attribute"), ROUTES)
    def test_other_organisation_wrong_type_credentials_privilege(
        self, world, other_world, layman, anonymous, route, attribute
    ):
        url = f"/api/businessobject/{route}/{getattr(world, attribute).pk}"
        assert client(world).get(f"/api/businessobject/{route}/{getattr(other_world, attribute).pk}").status_code == 404
        assert client(world).get(f"/api/businessobject/{route}/{world.substation.pk}").status_code == 404
        assert anonymous.get(url).status_code == 401
        assert layman.client().get(url).status_code == 403


@pytest.mark.parametrize(("route", "attribute"), ROUTES)
class TestCreate:
    def test_creates_the_asset_with_its_details(self, world, route, attribute):
        body = {
            "Name": "New",
            "ParentId": world.substation.pk,
            "RelationshipType": int(NET),
            **details_body(route, world),
        }
        response = client(world).post(f"/api/businessobject/{route}", body, format="json")
        assert response.status_code == 200, response.content
        created = Asset.objects.get(pk=response.json()["Id"])
        assert created.asset_type == ROUTE_TYPES[route]
        assert AssetRelation.objects.filter(parent=world.substation, child=created, relation_type=NET).exists()
        assert response["ETag"] == f'"{created.pk}-1"' and response.json()["Version"] == 1
        details = stored_details(route, created.pk)
        assert details is not None
        if route == "aggregationpoint":
            assert (details.metering_point_id, details.bidding_zone, details.max_capacity_kw) == (
                GSRN,
                "NO2",  # stored by its short code
                Decimal("750.500"),
            )
            assert response.json()["AggregationPoint"]["FlexibilityEnabled"] is True
        elif route == "smarthomedevice":
            assert (details.device_type, details.rated_power_kw) == (3, Decimal("1.250"))
            assert AssetRelation.objects.filter(parent_id=world.gateway.asset_id, child=created, relation_type=CONTROLS)
            assert response.json()["Device"]["GatewayAssetId"] == world.gateway.asset_id
        else:
            assert created.serial_number == "GW-NEW-1"
            assert (details.status, details.connection_state, details.firmware_version) == (1, 1, "3.0.1-rc1")
            assert response.json()["Gateway"]["LastSeen"] == "2025-03-30T12:00:00"

    def test_bad_input_or_foreign_parent_writes_nothing(self, world, other_world, route, attribute):
        before = snapshot()
        bad = client(world).post(
            f"/api/businessobject/{route}", {"ParentId": world.substation.pk, "Latitude": 91}, format="json"
        )
        assert bad.status_code == 400
        assert {"Name", "Latitude"} <= set(bad.json()["ModelState"])
        foreign = {"Name": "X", "ParentId": other_world.substation.pk, **details_body(route, world)}
        assert client(world).post(f"/api/businessobject/{route}", foreign, format="json").status_code == 404
        assert snapshot() == before


BAD_DETAILS = [
    (
        "aggregationpoint",
        {"AggregationPoint": {"MeteringPointId": "707057500000123459"}},
        "AggregationPoint.MeteringPointId",
    ),
    ("aggregationpoint", {"AggregationPoint": {"MeteringPointId": "12345"}}, "AggregationPoint.MeteringPointId"),
    ("aggregationpoint", {"AggregationPoint": {"BiddingZone": "NO9"}}, "AggregationPoint.BiddingZone"),
    ("aggregationpoint", {"AggregationPoint": {"MaxCapacityKw": -1}}, "AggregationPoint.MaxCapacityKw"),
    ("aggregationpoint", {"AggregationPoint": {"FlexibilityEnabled": "yes"}}, "AggregationPoint.FlexibilityEnabled"),
    ("smarthomedevice", {}, "Device"),
    ("smarthomedevice", {"Device": {"DeviceType": "Toaster"}}, "Device.DeviceType"),
    ("smarthomedevice", {"Device": {"DeviceType": 1, "RatedPowerKw": 1001}}, "Device.RatedPowerKw"),
    ("smarthomegateway", {"Gateway": {}}, "SerialNumber"),
    ("smarthomegateway", {"SerialNumber": "", "Gateway": {}}, "SerialNumber"),
    ("smarthomegateway", {"SerialNumber": "S1", "Gateway": {"FirmwareVersion": "latest"}}, "Gateway.FirmwareVersion"),
    ("smarthomegateway", {"SerialNumber": "S1", "Gateway": {"Status": 9}}, "Gateway.Status"),
    ("smarthomegateway", {"SerialNumber": "S1", "Gateway": {"ConnectionState": "Online"}}, "Gateway.ConnectionState"),
    ("smarthomegateway", {"SerialNumber": "S1", "Gateway": {"LastSeen": "2999-01-01T00:00:00"}}, "Gateway.LastSeen"),
    ("smarthomegateway", {"SerialNumber": "S1", "Gateway": {"DataProviderId": 0}}, "Gateway.DataProviderId"),
]


@pytest.mark.parametrize(("route", "details", "key"), BAD_DETAILS)
def test_bad_details_are_400_and_nothing_is_written(world, route, details, key):
    before = snapshot()
    body = {"Name": "New", "ParentId": world.substation.pk, **details}
    response = client(world).post(f"/api/businessobject/{route}", body, format="json")
    assert response.status_code == 400, response.content
    assert key in response.json()["ModelState"], response.json()
    assert snapshot() == before


class TestReferencesInTheBody:
    def test_a_gateway_serial_number_is_unique(self, world):
        body = {"Name": "Twin", "ParentId": world.substation.pk, "SerialNumber": world.gateway_serial}
        response = client(world).post("/api/businessobject/smarthomegateway", body, format="json")
        assert response.status_code == 400 and "SerialNumber" in response.json()["ModelState"]

    def test_a_metering_point_id_is_unique(self, world):
        AggregationPoint.objects.filter(pk=world.aggregation_point.pk).update(metering_point_id=OTHER_GSRN)
        body = {"Name": "Twin", "ParentId": world.substation.pk, "AggregationPoint": {"MeteringPointId": OTHER_GSRN}}
        response = client(world).post("/api/businessobject/aggregationpoint", body, format="json")
        assert response.status_code == 400 and "AggregationPoint.MeteringPointId" in response.json()["ModelState"]

    def test_the_device_gateway_must_be_a_gateway_in_reach(self, world, other_world):
        before = snapshot()
        url = "/api/businessobject/smarthomedevice"
        not_a_gateway = {"Name": "D", "ParentId": world.substation.pk, "Device": {"DeviceType": 1}}
        not_a_gateway["Device"]["GatewayAssetId"] = world.feeder.pk
        response = client(world).post(url, not_a_gateway, format="json")
        assert response.status_code == 400 and "Device.GatewayAssetId" in response.json()["ModelState"]
        theirs = {"Name": "D", "ParentId": world.substation.pk}
        theirs["Device"] = {"DeviceType": 1, "GatewayAssetId": other_world.gateway.asset_id}
        assert client(world).post(url, theirs, format="json").status_code == 404
        assert snapshot() == before

    def test_the_owner_must_be_a_participant_in_reach(self, world, other_world):
        """ParticipantId names the owner: one of the caller's participants or one below them, else a 404."""
        url = "/api/businessobject/aggregationpoint"
        before = snapshot()
        theirs = {"Name": "A", "ParentId": world.substation.pk, "ParticipantId": other_world.participant.pk}
        assert client(world).post(url, theirs, format="json").status_code == 404
        assert snapshot() == before
        below = {"Name": "A", "ParentId": world.substation.pk, "ParticipantId": world.office.pk}
        response = client(world).post(url, below, format="json")
        assert response.status_code == 200, response.content
        assert Asset.objects.get(pk=response.json()["Id"]).owner_id == world.office.pk


@pytest.mark.parametrize(("route", "attribute"), ROUTES)
class TestReplace:
    def read(self, world, route, attribute):
        return client(world).get(f"/api/businessobject/{route}/{getattr(world, attribute).pk}").json()

    def test_replaces_asset_and_details_and_bumps_the_version_once(self, world, route, attribute):
        current = self.read(world, route, attribute)
        body = {"Name": "Renamed", "Version": current["Version"], **details_body(route, world)}
        url = f"/api/businessobject/{route}/{current['Id']}"
        response = client(world).put(url, body, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["Version"] == current["Version"] + 1
        assert response["ETag"] == f'"{current["Id"]}-{current["Version"] + 1}"'
        again = self.read(world, route, attribute)  # what GET answers is what PUT answered
        prop = DETAILS_PROPERTY[route]
        assert (again["Version"], again[prop]) == (response.json()["Version"], response.json()[prop])
        assert Asset.objects.get(pk=current["Id"]).name == "Renamed"
        details = stored_details(route, current["Id"])
        if route == "aggregationpoint":
            assert details.metering_point_id == GSRN
        elif route == "smarthomedevice":
            assert details.device_type == 3
        else:
            assert details.firmware_version == "3.0.1-rc1"

    def test_absent_details_take_their_defaults(self, world, route, attribute):
        current = self.read(world, route, attribute)
        body = {"Name": "Plain", "Version": current["Version"], "SerialNumber": "GW-PLAIN"}
        if route == "smarthomedevice":  # DeviceType has no default: a device's body always names it
            body["Device"] = {"DeviceType": 1}
            client(world).put(  # give it a rated power and a gateway first
                f"/api/businessobject/{route}/{current['Id']}",
                {**details_body(route, world), "Name": "Full", "Version": current["Version"]},
                format="json",
            )
            body["Version"] = current["Version"] + 1
        response = client(world).put(f"/api/businessobject/{route}/{current['Id']}", body, format="json")
        assert response.status_code == 200, response.content
        details = stored_details(route, current["Id"])
        if route == "aggregationpoint":
            assert (details.bidding_zone, details.max_capacity_kw, details.flexibility_enabled) == ("", None, False)
        elif route == "smarthomedevice":
            assert (details.device_type, details.rated_power_kw) == (1, None)
            assert response.json()["Device"]["GatewayAssetId"] is None
        else:
            defaults = (IoTStatus.Registered, False, None)
            assert (details.status, details.logging_is_on, details.data_provider_id) == defaults
            assert details.gateway_id == world.gateway.gateway_id  # the identity is not the client's to change

    def test_stale_version_or_if_match_is_409_and_changes_nothing(self, world, route, attribute):
        current = self.read(world, route, attribute)
        v, url = current["Version"], f"/api/businessobject/{route}/{current['Id']}"
        first = {"Name": "First", "Version": v, **details_body(route, world)}
        assert client(world).put(url, first, format="json").status_code == 200
        before = snapshot()
        changed = {**details_body(route, world), "Name": "Second"}
        if route == "aggregationpoint":
            changed["AggregationPoint"] = {"MeteringPointId": OTHER_GSRN}
        assert client(world).put(url, {**changed, "Version": v}, format="json").status_code == 409
        stale_tag = client(world).put(
            url, {**changed, "Version": v + 1}, format="json", HTTP_IF_MATCH=f'"{current["Id"]}-{v}"'
        )
        assert stale_tag.status_code == 409
        assert snapshot() == before
        fresh = client(world).put(
            url, {**changed, "Version": v + 1}, format="json", HTTP_IF_MATCH=f'"{current["Id"]}-{v + 1}"'
        )
        assert fresh.status_code == 200 and fresh.json()["Name"] == "Second"

    def test_bad_input_changes_nothing(self, world, route, attribute):
        current = self.read(world, route, attribute)
        before = snapshot()
        body = {"Name": "", "Version": current["Version"], "DefaultTimeZoneId": "Mars/Olympus"}
        response = client(world).put(f"/api/businessobject/{route}/{current['Id']}", body, format="json")
        assert response.status_code == 400
        assert {"Name", "DefaultTimeZoneId"} <= set(response.json()["ModelState"])
        assert snapshot() == before

    def test_another_organisations_object_is_404_and_privilege_403(
        self, world, other_world, layman, anonymous, route, attribute
    ):
        before = snapshot()
        url = f"/api/businessobject/{route}/{getattr(other_world, attribute).pk}"
        body = {"Name": "Mine now", "Version": 1, **details_body(route, world)}
        assert client(world).put(url, body, format="json").status_code == 404
        assert anonymous.put(url, body, format="json").status_code == 401
        assert layman.client().put(url, body, format="json").status_code == 403
        assert snapshot() == before


class TestDeviceGateway:
    def url_and_version(self, world):
        current = client(world).get(f"/api/businessobject/smarthomedevice/{world.smart_home_device.pk}").json()
        return f"/api/businessobject/smarthomedevice/{current['Id']}", current["Version"]

    def controllers(self, world):
        return set(
            AssetRelation.objects.filter(child=world.smart_home_device, relation_type=CONTROLS).values_list(
                "parent_id", flat=True
            )
        )

    def test_moving_to_another_gateway_and_to_none(self, world):
        other_gateway = graph_world.asset(AssetType.SmartHomeGateway, "Second gateway", world.substation)
        url, v = self.url_and_version(world)
        body = {"Name": "Heater", "Version": v, "Device": {"DeviceType": 1, "GatewayAssetId": other_gateway.pk}}
        assert client(world).put(url, body, format="json").status_code == 200
        assert self.controllers(world) == {other_gateway.pk}
        body = {"Name": "Heater", "Version": v + 1, "Device": {"DeviceType": 1, "GatewayAssetId": None}}
        response = client(world).put(url, body, format="json")
        assert response.status_code == 200 and response.json()["Device"]["GatewayAssetId"] is None
        assert self.controllers(world) == set()


def test_gateway_rules():
    now = timezone.now()
    assert gateway_rule_errors(status=1, connection_state=1, last_seen_at=now, now=now) == {}
    assert gateway_rule_errors(status=1, connection_state=0, last_seen_at=None, now=now) == {}
    assert set(gateway_rule_errors(status=1, connection_state=1, last_seen_at=None, now=now)) == {"connection_state"}
    decommissioned = gateway_rule_errors(
        status=IoTStatus.Decommissioned, connection_state=GatewayConnectionState.Online, last_seen_at=now, now=now
    )
    assert set(decommissioned) == {"connection_state"}
    ahead = now + dt.timedelta(minutes=6)
    assert set(gateway_rule_errors(status=1, connection_state=2, last_seen_at=ahead, now=now)) == {"last_seen"}
    assert gateway_rule_errors(status=1, connection_state=2, last_seen_at=now + dt.timedelta(minutes=4), now=now) == {}


@pytest.mark.parametrize("value", [GSRN, OTHER_GSRN])
def test_valid_metering_point_ids(value):
    validate_metering_point_id(value)


@pytest.mark.parametrize(
    "value", ["707057500000123459", "607057500000123458", "70705750000012345", "7070575000001234a8"]
)
def test_invalid_metering_point_ids(value):
    with pytest.raises(ValidationError):
        validate_metering_point_id(value)
