"""Devices, gateways, counters, chargers, charging stations and SIM cards over the API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from apps.assets.devices import services as devices
from apps.assets.models import Asset, DeviceType, IoTStatus, SmartHomeDevice

from ..conftest import make_owner
from .devices_world import build, home

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(owner):
    return build(owner)


@pytest.fixture
def theirs(other):
    return build(other)


def get(client, url, **params):
    return client.get(url, params)


class TestParticipantDevices:
    def url(self, world, device_type="LightsAndHeating"):
        return f"/api/assets/{world.participant.pk}/devices/{device_type}"

    def test_lists_the_participants_devices_of_the_type_with_their_values(self, owner, mine):
        response = owner.client().get(self.url(mine))
        assert response.status_code == 200
        assert response.json() == [
            {
                "AssetId": mine.device.asset_id,
                "Name": mine.device.asset.name,
                "Description": "Living room",
                "DeviceType": 1,
                "Values": [
                    {
                        "ValueCategory": 3,
                        "ValueTime": "2025-03-30T12:00:00",
                        "ValueSubCategory": 1,
                        "Value": 21.5,
                        "ValueUnit": 3,
                    },
                    {
                        "ValueCategory": 4,
                        "ValueTime": "2025-03-30T12:00:00",
                        "ValueSubCategory": 1,
                        "Value": 1.0,
                        "ValueUnit": 0,
                    },
                ],
            }
        ]
        # The type by value is the same; another type lists nothing.
        assert owner.client().get(self.url(mine, "1")).json() == response.json()
        assert owner.client().get(self.url(mine, "Thermostat")).json() == []

    def test_bad_type_is_400(self, owner, mine):
        for bad in ("0", "Toaster", "99"):
            response = owner.client().get(self.url(mine, bad))
            assert response.status_code == 400
            assert set(response.json()) == {"Message", "ModelState"}
            assert "Type" in response.json()["ModelState"]

    def test_paged_with_constant_queries(self, owner, mine, django_assert_num_queries):
        for n in range(3):
            devices.create_device(
                device_type=DeviceType.LightsAndHeating, name=f"Extra {n}", parent=mine.building, serial_number=f"X{n}"
            )
        client = owner.client()
        client.get(self.url(mine))  # warm the credential cache
        # user, its two permission queries, participant, its top nodes, devices, values
        with django_assert_num_queries(7):
            first = client.get(self.url(mine), {"pageSize": 2}).json()
        for n in range(3, 10):
            devices.create_device(device_type=DeviceType.LightsAndHeating, name=f"Extra {n}", parent=mine.building)
        with django_assert_num_queries(7):
            assert len(client.get(self.url(mine), {"pageSize": 100}).json()) == 11
        second = client.get(self.url(mine), {"pageSize": 2, "page": 2}).json()
        assert [d["AssetId"] for d in first + second] == sorted(d["AssetId"] for d in first + second)
        assert len(first) == len(second) == 2
        assert client.get(self.url(mine), {"pageSize": settings.API_MAX_PAGE_SIZE + 1}).status_code == 400
        assert client.get(self.url(mine), {"page": 0}).status_code == 400


class TestDeviceBySerialNumber:
    def test_the_device_and_its_gateway(self, owner, mine):
        client = owner.client()
        device = client.get(f"/api/devices/serialnumber/{mine.device_serial}")
        assert device.status_code == 200
        assert device.json()["AssetId"] == mine.device.asset_id
        gateway = client.get(f"/api/devices/serialnumber/{mine.device_serial}/gateway")
        assert gateway.status_code == 200
        assert gateway.json() == {
            "Id": str(mine.gateway.gateway_id),
            "GatewayClassId": 1,
            "Status": 1,
            "AssetId": mine.gateway.asset_id,
            "ValidFrom": None,
            "ValidTo": None,
            "LoggingIsOn": True,
            "TokenExpiry": mine.gateway.token_expiry.strftime("%Y-%m-%dT%H:%M:%S"),
            "DataProviderId": 7,
            "FirmwareVersion": "",
            "ConnectionState": 0,
            "LastSeen": None,
        }
        assert mine.gateway.token_digest not in gateway.content.decode()

    def test_a_customer_without_the_privilege_sees_their_own_device(self, db):
        customer = make_owner()
        mine = home(customer)
        client = customer.client()
        response = client.get(f"/api/devices/serialnumber/{mine.device.asset.serial_number}")
        assert response.status_code == 200
        assert response.json()["AssetId"] == mine.device.asset_id
        assert response.json()["DeviceType"] == 6
        gateway = client.get(f"/api/devices/serialnumber/{mine.device.asset.serial_number}/gateway").json()
        assert gateway["AssetId"] == mine.gateway.asset_id
        devices_of_gateway = client.get(f"/api/gateways/externalId/{mine.gateway.asset.external_id}/devices").json()
        assert [d["AssetId"] for d in devices_of_gateway] == [mine.device.asset_id]

    def test_a_device_without_a_gateway_is_404_on_the_gateway_route(self, owner, mine):
        devices.create_device(
            device_type=DeviceType.Sensor, name="Loose", serial_number="LOOSE-1", delivery_point=owner.delivery_point
        )
        client = owner.client()
        assert client.get("/api/devices/serialnumber/LOOSE-1").status_code == 200
        response = client.get("/api/devices/serialnumber/LOOSE-1/gateway")
        assert response.status_code == 404
        assert response.json()["Message"] == "The device has no gateway."

    def test_someone_elses_or_unknown_serial_is_404(self, owner, mine, theirs, anonymous):
        client = owner.client()
        for url in (f"/api/devices/serialnumber/{theirs.device_serial}", "/api/devices/serialnumber/nope"):
            assert client.get(url).status_code == 404
            assert client.get(f"{url}/gateway").status_code == 404
        assert client.get("/api/devices/serialnumber/" + "x" * 101).status_code == 404  # longer than the column
        assert anonymous.get(f"/api/devices/serialnumber/{mine.device_serial}").status_code == 401


class TestGateways:
    def test_by_serial_number_never_shows_the_token(self, owner, mine, theirs):
        response = owner.client().get(f"/api/gateways/serialnumber/{mine.gateway_serial}")
        assert response.status_code == 200
        assert response.json()["Id"] == str(mine.gateway.gateway_id)
        assert "Token" not in {key for key in response.json() if key != "TokenExpiry"}
        assert owner.client().get(f"/api/gateways/serialnumber/{theirs.gateway_serial}").status_code == 404

    def test_devices_of_a_gateway_by_external_id(self, owner, mine, theirs, django_assert_num_queries):
        client = owner.client()
        url = f"/api/gateways/externalId/{mine.external_id}/devices"
        assert [d["AssetId"] for d in client.get(url).json()] == [mine.device.asset_id]
        for n in range(4):
            devices.create_device(
                device_type=DeviceType.SmartPlug, gateway=mine.gateway, name=f"Plug {n}", parent=mine.building
            )
        with django_assert_num_queries(4):  # user, gateway, devices, values
            listed = client.get(url).json()
        assert len(listed) == 5
        assert {d["DeviceType"] for d in listed} == {1, 4}
        assert client.get(f"/api/gateways/externalId/{theirs.external_id}/devices").status_code == 404

    def test_active_gateways_of_a_participant(self, owner, mine, theirs):
        url = "/api/gateways/active/serialnumber"
        client = owner.client()
        inactive = devices.create_gateway(
            name="Old", serial_number="SN-OLD", parent=mine.building, details={"status": IoTStatus.Inactive}
        )
        expired = devices.create_gateway(
            name="Expired",
            serial_number="SN-EXPIRED",
            parent=mine.building,
            valid_to=timezone.now() - dt.timedelta(days=1),
            details={"status": IoTStatus.Active},
        )
        devices.create_gateway(
            name="New", serial_number="SN-A-NEW", parent=mine.building, details={"status": IoTStatus.Active}
        )
        response = client.get(url, {"participantId": mine.participant.pk})
        assert response.status_code == 200
        assert response.json() == sorted(["SN-A-NEW", mine.gateway_serial])
        assert inactive.asset.serial_number not in response.json()
        assert expired.asset.serial_number not in response.json()
        second_page = client.get(url, {"participantId": mine.participant.pk, "pageSize": 1, "page": 2})
        assert second_page.json() == response.json()[1:]

    def test_active_gateways_constant_queries(self, owner, mine, django_assert_num_queries):
        url = "/api/gateways/active/serialnumber"
        client = owner.client()
        client.get(url, {"participantId": mine.participant.pk})
        for n in range(5):
            devices.create_gateway(
                name=f"G{n}", serial_number=f"SN-G{n}", parent=mine.building, details={"status": IoTStatus.Active}
            )
        # user, its two permission queries, participant in scope, its top nodes, serial numbers
        with django_assert_num_queries(6):
            assert len(client.get(url, {"participantId": mine.participant.pk}).json()) == 6

    def test_active_gateways_bad_input_other_participant_and_privilege(self, owner, mine, theirs, anonymous):
        url = "/api/gateways/active/serialnumber"
        client = owner.client()
        missing = client.get(url)
        assert missing.status_code == 400
        assert "ParticipantId" in missing.json()["ModelState"]
        assert client.get(url, {"participantId": "abc"}).status_code == 400
        assert client.get(url, {"participantId": theirs.participant.pk}).status_code == 404
        assert anonymous.get(url, {"participantId": mine.participant.pk}).status_code == 401
        owner.user.user_permissions.clear()
        assert owner.client().get(url, {"participantId": mine.participant.pk}).status_code == 403


class TestTokens:
    def test_only_the_digest_is_stored_and_a_new_token_replaces_the_old(self, owner, mine):
        gateway = mine.gateway
        token = devices.issue_gateway_token(gateway=gateway)
        gateway.refresh_from_db()
        assert token not in gateway.token_digest
        assert len(gateway.token_digest) == 64
        assert devices.gateway_token_is_valid(gateway=gateway, token=token)
        assert not devices.gateway_token_is_valid(gateway=gateway, token=token + "x")
        newer = devices.issue_gateway_token(gateway=gateway)
        assert not devices.gateway_token_is_valid(gateway=gateway, token=token)
        assert devices.gateway_token_is_valid(gateway=gateway, token=newer)
        later = gateway.token_expiry + dt.timedelta(seconds=1)
        assert not devices.gateway_token_is_valid(gateway=gateway, token=newer, now=later)


class TestDeviceValues:
    def test_latest_value_wins_and_older_ones_are_ignored(self, mine):
        device = mine.device
        t0 = device.values.get(value_category=3).value_time
        older = (3, 1, 3, t0 - dt.timedelta(hours=1), Decimal("5"))
        newer = (3, 1, 3, t0 + dt.timedelta(hours=1), Decimal("22.25"))
        assert devices.record_device_values(device=device, values=[older]) == 0
        assert devices.record_device_values(device=device, values=[newer]) == 1
        assert device.values.get(value_category=3).value == Decimal("22.25")
        assert device.values.count() == 2


class TestLists:
    def test_counters_and_by_category(self, owner, mine, theirs):
        client = owner.client()
        counters = client.get("/api/assets/counters")
        assert counters.status_code == 200
        assert counters.json() == [
            {
                "AssetId": mine.counter.asset_id,
                "Name": mine.counter.asset.name,
                "Description": "",
                "SerialNumber": mine.counter.asset.serial_number,
                "ExternalId": "",
                "Category": 2,
                "Unit": 5,
                "Reading": 123.456,
                "ReadAt": "2025-03-30T12:00:00",
            }
        ]
        for category in ("Water", "water", "2"):
            assert client.get(f"/api/assets/counters/categories/{category}").json() == counters.json()
        assert client.get("/api/assets/counters/categories/Gas").json() == []
        bad = client.get("/api/assets/counters/categories/Beer")
        assert bad.status_code == 400
        assert "Category" in bad.json()["ModelState"]

    def test_chargers_with_their_station(self, owner, mine, theirs):
        response = owner.client().get("/api/assets/chargers")
        assert response.status_code == 200
        assert response.json() == [
            {
                "AssetId": mine.charger.asset_id,
                "Name": mine.charger.asset.name,
                "Description": "",
                "SerialNumber": "",
                "ExternalId": "",
                "Latitude": 60.4,
                "Longitude": 5.3,
                "MaxPowerKw": 22.0,
                "Connectors": 1,
                "ConnectorType": 1,
                "ChargingStationAssetId": mine.station.asset_id,
            }
        ]

    def test_charging_stations_with_the_chargers_they_supply(self, owner, mine, theirs, django_assert_num_queries):
        client = owner.client()
        stations = client.get("/api/assets/chargingstation").json()
        assert [(s["AssetId"], s["Operator"], s["IsPublic"]) for s in stations] == [
            (mine.station.asset_id, "Grid", True)
        ]
        assert [c["AssetId"] for c in stations[0]["Chargers"]] == [mine.charger.asset_id]
        for n in range(3):
            station = devices.create_charging_station(name=f"S{n}", parent=mine.building)
            devices.create_charger(max_power_kw=Decimal("7.4"), station=station, name=f"C{n}", parent=mine.building)
        with django_assert_num_queries(5):  # user, its two permission queries, stations, chargers
            stations = client.get("/api/assets/chargingstation").json()
        assert len(stations) == 4
        assert all(len(s["Chargers"]) == 1 for s in stations)

    def test_sim_cards(self, owner, mine, theirs):
        response = owner.client().get("/api/SimCard")
        assert response.status_code == 200
        assert response.json() == [
            {
                "AssetId": mine.sim.asset_id,
                "Name": mine.sim.asset.name,
                "Iccid": mine.sim.iccid,
                "Msisdn": "4790000000",
                "Imsi": "242010000000001",
                "Operator": "Telia",
                "Status": 1,
                "GatewayAssetId": mine.gateway.asset_id,
                "ValidFrom": None,
                "ValidTo": None,
            }
        ]

    def test_chargers_a_customer_sees_only_their_own(self, db, mine):
        customer = make_owner()
        devices.create_charger(max_power_kw=Decimal("11"), name="Home charger", delivery_point=customer.delivery_point)
        listed = customer.client().get("/api/assets/chargers").json()
        assert [c["Name"] for c in listed] == ["Home charger"]

    @pytest.mark.parametrize(
        ("url", "queries"),
        [
            ("/api/assets/counters", 4),
            ("/api/assets/counters/categories/2", 4),
            ("/api/assets/chargers", 2),  # no privilege to check: user, chargers
            ("/api/SimCard", 4),
        ],
    )
    def test_constant_queries(self, url, queries, owner, mine, django_assert_num_queries):
        client = owner.client()
        client.get(url)
        for n in range(5):
            devices.create_counter(category=2, name=f"K{n}", parent=mine.building)
            devices.create_charger(max_power_kw=Decimal("3.7"), name=f"C{n}", parent=mine.building)
            devices.create_sim_card(iccid=f"89460000000000{n:05d}", name=f"S{n}", parent=mine.building)
        with django_assert_num_queries(queries):
            assert len(client.get(url).json()) == 6


def test_nothing_is_returned_from_a_detail_row_of_another_type(owner, mine):
    # A gateway's serial number on the device route names no device.
    gateway_only = devices.create_gateway(name="Only", serial_number="GW-ONLY", delivery_point=owner.delivery_point)
    assert owner.client().get("/api/devices/serialnumber/GW-ONLY").status_code == 404
    assert owner.client().get("/api/gateways/serialnumber/GW-ONLY").json()["AssetId"] == gateway_only.asset_id
    assert SmartHomeDevice.objects.filter(asset__serial_number="GW-ONLY").count() == 0
    assert Asset.objects.filter(serial_number="GW-ONLY").count() == 1
