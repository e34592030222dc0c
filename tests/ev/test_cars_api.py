"""api/evinfo: cars, vendors (authorize, import, vehicle, battery level, logout), devices behind a gateway."""

import io
import logging
import urllib.error
from pathlib import Path

import pytest
from django.db import connection

from apps.ev import services
from apps.ev.models import Car, VendorAccount
from apps.ev.vendors import tesla
from apps.ev.vendors.demo import DemoVendor

from . import world as ev_world

pytestmark = pytest.mark.django_db

RECORDED_ERROR = (Path(__file__).resolve().parent.parent / "fixtures" / "ev" / "tesla_unauthorized.json").read_bytes()
CREDENTIALS = {"username": "kari@example.no", "password": "hemmelig-passord", "Manufacturer": "demo"}


@pytest.fixture
def ev(owner):
    return ev_world.build(owner, with_request=False)


def cars_url(owner, row_key=""):
    base = f"/api/evinfo/customers/{owner.customer.pk}/cars"
    return f"{base}/{row_key}" if row_key else base


# --- cars ------------------------------------------------------------------------------------------


def test_list_and_get_a_car(owner, ev):
    listed = owner.client().get(cars_url(owner))
    assert listed.status_code == 200
    (car,) = listed.json()
    assert car["RowKey"] == ev.car.row_key
    assert car["CustomerId"] == str(owner.customer.pk)
    assert car["NettBatterySize"] == 75
    assert car["ConnectedAssetId"] == ev.charger.pk
    assert owner.client().get(cars_url(owner, ev.car.row_key)).json() == car


def test_post_saves_every_property_and_fills_the_catalogue_values(owner, ev):
    body = {"Manufacturer": "Tesla", "Model": "Model 3", "Generation": "Long Range 2024", "DisplayName": "Blå"}
    response = owner.client().post(cars_url(owner, ev.car.row_key), body, format="json")
    assert response.status_code == 200, response.content
    car = response.json()
    assert (car["Model"], car["DisplayName"], car["NettBatterySize"], car["GrossBatterySize"]) == (
        "Model 3",
        "Blå",
        75,
        82,
    )
    assert car["ConnectedAssetId"] is None  # POST replaces: left out is cleared
    assert car["VehicleId"] == ""


def test_patch_changes_only_what_is_given(owner, ev):
    response = owner.client().patch(cars_url(owner, ev.car.row_key), {"displayname": "Garasjen"}, format="json")
    assert response.status_code == 200
    assert response.json()["DisplayName"] == "Garasjen"
    assert response.json()["ConnectedAssetId"] == ev.charger.pk


@pytest.mark.parametrize(
    "body",
    [
        {"NettBatterySize": 90, "GrossBatterySize": 80},
        {"ConnectedAssetId": 999999},
        {"Email": "not-an-address"},
        {"UseExternalApi": "yes"},
        {"Model": 7},
    ],
)
def test_bad_car_bodies_are_400_and_change_nothing(owner, ev, body):
    before = owner.client().get(cars_url(owner, ev.car.row_key)).json()
    response = owner.client().patch(cars_url(owner, ev.car.row_key), body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"Message", "ModelState"}
    assert owner.client().get(cars_url(owner, ev.car.row_key)).json() == before


def test_another_customers_charger_cannot_be_connected(owner, other, ev):
    theirs = ev_world.build(other, with_request=False)
    response = owner.client().patch(
        cars_url(owner, ev.car.row_key), {"ConnectedAssetId": theirs.charger.pk}, format="json"
    )
    assert response.status_code == 400


def test_delete_and_others_cars(owner, other, ev):
    theirs = ev_world.build(other, with_request=False)
    assert owner.client().get(f"/api/evinfo/customers/{other.customer.pk}/cars/{theirs.car.row_key}").status_code == 404
    assert owner.client().get(cars_url(owner, theirs.car.row_key)).status_code == 404
    assert owner.client().get("/api/evinfo/customers/abc/cars").status_code == 404
    assert owner.client().delete(cars_url(owner, ev.car.row_key)).status_code == 200
    assert not Car.objects.filter(pk=ev.car.pk).exists()
    assert Car.objects.filter(pk=theirs.car.pk).exists()


def test_no_credentials_is_401(anonymous, owner):
    assert anonymous.get(cars_url(owner)).status_code == 401
    assert anonymous.post("/api/evinfo/external/authorize", CREDENTIALS, format="json").status_code == 401


# --- vendors ---------------------------------------------------------------------------------------


def test_authorize_stores_encrypted_credentials_and_returns_only_a_handle(owner, caplog):
    caplog.set_level(logging.DEBUG)
    response = owner.client().post("/api/evinfo/external/authorize", CREDENTIALS, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["IsAuthorized"] is True and data["Type"] == "Bearer"
    assert data["Value"].startswith("evs_")
    account = VendorAccount.objects.get(user=owner.user)
    assert data["Value"] != account.access_token
    assert b"hemmelig" not in response.content and account.access_token.encode() not in response.content
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT password FROM {VendorAccount._meta.db_table}")
        assert "hemmelig" not in cursor.fetchone()[0]
    assert "hemmelig" not in caplog.text


def test_refused_credentials_are_not_authorized(owner):
    response = owner.client().post(
        "/api/evinfo/external/authorize", {**CREDENTIALS, "password": "wrong"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"IsAuthorized": False, "Value": None, "Type": "Bearer"}
    assert not VendorAccount.objects.exists()


def test_authorize_needs_a_manufacturer(owner):
    response = owner.client().post("/api/evinfo/external/authorize", {"username": "a", "password": "b"}, format="json")
    assert response.status_code == 400
    assert "Manufacturer" in response.json()["ModelState"]


def test_authandimport_imports_once(owner):
    url = f"/api/evinfo/external/authandimport/customers/{owner.customer.pk}"
    first = owner.client().post(url, CREDENTIALS, format="json")
    assert first.status_code == 200, first.content
    data = first.json()
    assert data["Bearer"].startswith("evs_")
    assert len(data["Cars"]) == 2
    assert {c["Model"] for c in data["Cars"]} == {"Model Y", "Model 3"}
    assert all(c["UseExternalApi"] and c["Email"] == "kari@example.no" for c in data["Cars"])
    again = owner.client().post(url, {"auth": {"bearer": data["Bearer"]}, "Manufacturer": "demo"}, format="json")
    assert again.status_code == 200
    assert [c["RowKey"] for c in again.json()["Cars"]] == [c["RowKey"] for c in data["Cars"]]
    assert Car.objects.filter(customer=owner.customer).count() == 2


def test_authandimport_for_another_customer_is_404(owner, other):
    url = f"/api/evinfo/external/authandimport/customers/{other.customer.pk}"
    assert owner.client().post(url, CREDENTIALS, format="json").status_code == 404
    assert not Car.objects.exists()


def test_battery_level_and_vendor_car_with_stored_login(owner):
    imported = (
        owner.client()
        .post(f"/api/evinfo/external/authandimport/customers/{owner.customer.pk}", CREDENTIALS, format="json")
        .json()
    )
    vehicle_id = imported["Cars"][0]["VehicleId"]
    url = f"/api/evinfo/external/customers/{owner.customer.pk}/cars/{vehicle_id}/charge"
    response = owner.client().post(url, {"Manufacturer": "demo"}, format="json")
    assert response.status_code == 200, response.content
    token = DemoVendor().authorize(services.vendors.Credentials(username="kari@example.no", password="x"))
    assert response.json() == {"BatteryLevel": float(DemoVendor().battery_level(token, vehicle_id))}
    car = owner.client().post(f"/api/evinfo/external/cars/{vehicle_id}", {}, format="json")
    assert car.status_code == 200
    assert car.json()["VehicleId"] == vehicle_id


def test_without_a_login_the_vendor_calls_are_400(owner, ev):
    url = f"/api/evinfo/external/customers/{owner.customer.pk}/cars/{ev.car.vehicle_id}/charge"
    response = owner.client().post(url, {}, format="json")
    assert response.status_code == 400
    assert "Log in" in response.json()["ModelState"]["Credentials"][0]


VENDOR_SECRET = "token 'eyJhbGciOi...' is expired"  # in the recorded error body: must never reach the client


@pytest.fixture
def tesla_answers(monkeypatch, settings):
    """Cars of manufacturer "demo" go to the Tesla adapter, whose HTTP answers `answer(url)` gives as
    (status, body); the recorded error body carries text that must not be passed on."""
    settings.EV_VENDOR_ADAPTERS = {"demo": "tesla"}
    routes = {}

    def urlopen(request, timeout=None):
        status, body = routes["answer"](request.full_url)
        if status != 200:
            raise urllib.error.HTTPError(request.full_url, status, "error", {}, io.BytesIO(body))
        return io.BytesIO(body)

    monkeypatch.setattr(tesla.urllib.request, "urlopen", urlopen)
    return routes


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (503, RECORDED_ERROR, 503),
        (408, RECORDED_ERROR, 503),  # a sleeping car
        (500, RECORDED_ERROR, 502),
        (200, b"<html>" + VENDOR_SECRET.encode() + b"</html>", 502),
        (200, b'{"response": {"charge_state": "' + VENDOR_SECRET.encode() + b'"}}', 502),
        (404, RECORDED_ERROR, 404),
    ],
)
def test_vendor_failures_are_502_503_or_404_without_the_vendors_text(owner, ev, tesla_answers, status, body, expected):
    ev.car.vehicle_id = "100021"
    ev.car.save()
    tesla_answers["answer"] = lambda url: (200, b'{"response": []}') if url.endswith("/vehicles") else (status, body)
    url = f"/api/evinfo/external/customers/{owner.customer.pk}/cars/{ev.car.vehicle_id}/charge"
    response = owner.client().post(url, {"auth": {"bearer": "tesla-token"}, "Manufacturer": "demo"}, format="json")
    assert response.status_code == expected, response.content
    assert "Message" in response.json()
    assert b"expired" not in response.content and b"tesla-token" not in response.content


def test_a_vehicle_id_that_is_no_tesla_id_is_404_not_500(owner, ev, tesla_answers):
    tesla_answers["answer"] = lambda url: (200, b'{"response": []}')
    ev.car.vehicle_id = "not-a-number"
    ev.car.save()
    url = f"/api/evinfo/external/customers/{owner.customer.pk}/cars/{ev.car.vehicle_id}/charge"
    response = owner.client().post(url, {"auth": {"bearer": "tesla-token"}, "Manufacturer": "demo"}, format="json")
    assert response.status_code == 404


def test_an_adapter_that_fails_is_502_and_its_text_is_not_logged(owner, ev, monkeypatch, caplog):
    def broken(self, token, vehicle_id):
        raise ValueError(f"cannot parse {token}")

    monkeypatch.setattr(DemoVendor, "battery_level", broken)
    url = f"/api/evinfo/external/customers/{owner.customer.pk}/cars/{ev.car.vehicle_id}/charge"
    response = owner.client().post(url, CREDENTIALS, format="json")
    assert response.status_code == 502
    assert "ValueError" in caplog.text
    assert "demo-" not in caplog.text and "demo-" not in response.content.decode()  # the token


def test_logout_forgets_the_stored_tokens(owner):
    owner.client().post("/api/evinfo/external/authorize", CREDENTIALS, format="json")
    assert VendorAccount.objects.filter(user=owner.user).exists()
    response = owner.client().post("/api/evinfo/external/logout", {"Manufacturer": "demo"}, format="json")
    assert response.status_code == 200
    assert not VendorAccount.objects.filter(user=owner.user).exists()


# --- devices behind a gateway --------------------------------------------------------------------


def test_ev_charging_devices_and_cars_behind_a_gateway(owner, other, ev):
    url = f"/api/evinfo/customers/{owner.customer.pk}/gateways/{ev.gateway.pk}/evchargingdevicesandcars"
    response = owner.client().get(url)
    assert response.status_code == 200, response.content
    data = response.json()
    (device,) = data["Devices"]
    assert device["AssetId"] == ev.charger.pk and device["DeviceType"] == 2
    info = device["EvChargingInfo"]
    assert info["CarInfoId"] == ev.car.row_key
    assert info["GatewayAssetId"] == ev.gateway.pk and info["DeviceAssetId"] == ev.charger.pk
    assert info["CustomerId"] == str(owner.customer.pk)
    assert [c["RowKey"] for c in data["Cars"]] == [ev.car.row_key]
    theirs = ev_world.build(other, with_request=False)
    mixed = f"/api/evinfo/customers/{owner.customer.pk}/gateways/{theirs.gateway.pk}/evchargingdevicesandcars"
    assert owner.client().get(mixed).status_code == 404
