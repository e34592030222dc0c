"""GET/POST .../settings, POST .../settings/building, GET .../exists, GET api/Users/{userId}/meters."""

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.models import Customer
from apps.metering.models import MeterSettings
from esmart.api.area import Area
from tests.factories import MeterFactory

pytestmark = pytest.mark.django_db


def meter_path(owner, meter=None) -> str:
    meter = meter or owner.meter
    return f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/{meter.meter_id}"


class TestSettings:
    def test_defaults_before_anything_is_saved(self, owner):
        response = owner.client().get(meter_path(owner) + "/settings")
        assert response.status_code == 200
        assert response.json() == {
            "MeterId": owner.meter.meter_id,
            "Name": "",
            "BuildingYear": None,
            "HeatingArea": None,
            "Residents": None,
            "HasWattMeter": False,
            "TimeZone": "Europe/Oslo",
            "PriceArea": "NO1",
        }

    def test_building_subsets_update_only_what_they_name(self, owner):
        client = owner.client()
        first = client.post(
            meter_path(owner) + "/settings/building",
            {"Name": "Cabin", "BuildingYear": 1978, "HeatingArea": 120},
            format="json",
        )
        assert first.status_code == 200 and first.content == b""
        assert client.post(meter_path(owner) + "/settings/building", {"Residents": 4}, format="json").status_code == 200
        body = client.get(meter_path(owner) + "/settings").json()
        assert (body["Name"], body["BuildingYear"], body["HeatingArea"], body["Residents"]) == ("Cabin", 1978, 120, 4)

    @pytest.mark.parametrize(
        "body",
        [{"BuildingYear": 1200}, {"BuildingYear": 3000}, {"HeatingArea": 0}, {"Residents": -1}, {"Residents": 51}],
    )
    def test_out_of_range_is_400_and_writes_nothing(self, owner, body):
        response = owner.client().post(meter_path(owner) + "/settings/building", body, format="json")
        assert response.status_code == 400
        assert set(response.json()["ModelState"]) == set(body)
        assert not MeterSettings.objects.exists()

    def test_obsolete_settings_post_sets_building_and_contact(self, owner):
        body = {"Name": "Home", "Residents": 2, "MobileNumber": "98765432", "Email": "new@example.com"}
        response = owner.client().post(meter_path(owner) + "/settings", body, format="json")
        assert response.status_code == 200
        owner.customer.refresh_from_db()
        assert (owner.customer.mobile_number, owner.customer.email) == ("98765432", "new@example.com")
        assert MeterSettings.objects.get(meter=owner.meter).residents == 2

    def test_obsolete_settings_post_with_a_bad_phone_writes_nothing(self, owner):
        body = {"Residents": 2, "PhoneNumber": "call me"}
        response = owner.client().post(meter_path(owner) + "/settings", body, format="json")
        assert response.status_code == 400
        assert "PhoneNumber" in response.json()["ModelState"]
        assert not MeterSettings.objects.exists()


class TestExists:
    def test_own_meter_exists(self, owner):
        response = owner.client().get(meter_path(owner) + "/exists")
        assert response.status_code == 200
        assert response.json() is True

    def test_unknown_or_foreign_meter_is_404(self, owner, other):
        assert owner.client().get(meter_path(other) + "/exists").status_code == 404
        url = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/NOPE/exists"
        assert owner.client().get(url).status_code == 404

    def test_net_area_does_not_see_power_meters(self, owner):
        assert owner.client(Area.NET).get(meter_path(owner) + "/exists").status_code == 404


class TestUserMeters:
    def test_lists_the_meters_of_all_the_users_customers(self, owner, other):
        second = MeterFactory(delivery_point=owner.delivery_point)
        response = owner.client().get(f"/api/Users/{owner.user.pk}/meters")
        assert response.status_code == 200
        body = response.json()
        assert [m["MeterId"] for m in body] == [owner.meter.meter_id, second.meter_id]
        assert body[0] == {
            "MeterId": owner.meter.meter_id,
            "AssetId": owner.meter.asset.pk,
            "MeterNo": owner.meter.meter_no,
            "CustomerId": owner.customer.pk,
            "ContractNo": owner.contract.contract_no,
            "DeliveryPointId": owner.delivery_point.pk,
            "MeteringPointId": owner.delivery_point.metering_point_id,
            "Area": int(Area.POWER),
            "MeterType": 1,
            "TimeZone": "Europe/Oslo",
            "HasWattMeter": False,
        }

    def test_constant_queries(self, owner):
        client = owner.client()
        client.get(f"/api/users/{owner.user.pk}/meters")
        with CaptureQueriesContext(connection) as few:
            client.get(f"/api/users/{owner.user.pk}/meters")
        for _ in range(5):
            MeterFactory(delivery_point=owner.delivery_point)
        with CaptureQueriesContext(connection) as many:
            response = client.get(f"/api/users/{owner.user.pk}/meters")
        assert len(response.json()) == 6
        assert len(few) == len(many)

    def test_another_user_is_404_unless_support(self, owner, other):
        assert owner.client().get(f"/api/users/{other.user.pk}/meters").status_code == 404
        owner.user.user_permissions.add(Permission.objects.get(codename="support"))
        response = owner.client().get(f"/api/users/{other.user.pk}/meters")
        assert [m["MeterId"] for m in response.json()] == [other.meter.meter_id]

    def test_a_user_without_customers_has_no_meters(self, owner):
        Customer.objects.all().delete()
        assert owner.client().get(f"/api/users/{owner.user.pk}/meters").json() == []
