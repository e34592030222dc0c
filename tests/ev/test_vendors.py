"""Vendor adapters: Tesla's Fleet API on recorded payloads of its real format, and the demo vendor."""

import io
import json
import urllib.error
from decimal import Decimal
from pathlib import Path

import pytest

from apps.ev.vendors import Credentials, NotAuthorizedError, VendorError, VendorUnavailableError, adapter_for
from apps.ev.vendors.demo import DemoVendor
from apps.ev.vendors.tesla import TeslaVendor, model_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ev"


class Recorded:
    """An urlopen stand-in answering recorded documents by path; records the requests it saw."""

    def __init__(self, routes: dict[str, tuple[int, str]]):
        self.routes = routes
        self.requests = []

    def __call__(self, request, timeout=None):
        self.requests.append(request)
        path = request.full_url.split("cloud.tesla.com", 1)[-1]
        status, name = self.routes[path]
        body = (FIXTURES / name).read_bytes()
        if status != 200:
            raise urllib.error.HTTPError(request.full_url, status, "error", {}, io.BytesIO(body))
        return io.BytesIO(body)


def tesla(routes):
    opener = Recorded(routes)
    return TeslaVendor(opener=opener), opener


def test_vehicles_from_the_recorded_list():
    vendor, opener = tesla({"/api/1/vehicles": (200, "tesla_vehicles.json")})
    vehicles = vendor.vehicles("token-1")
    assert [(v.vehicle_id, v.model, v.display_name) for v in vehicles] == [
        ("100021", "Model Y", "Familiebilen"),
        ("100022", "Model 3", "Hytta"),
    ]
    assert opener.requests[0].get_header("Authorization") == "Bearer token-1"


def test_one_vehicle_and_its_battery_level():
    vendor, _ = tesla(
        {
            "/api/1/vehicles/100021": (200, "tesla_vehicle.json"),
            "/api/1/vehicles/100021/vehicle_data?endpoints=charge_state": (200, "tesla_charge_state.json"),
        }
    )
    assert vendor.vehicle("t", "100021").model == "Model Y"
    assert vendor.battery_level("t", "100021") == Decimal(42)


def test_authorize_proves_a_bearer_token_and_refuses_passwords():
    vendor, _ = tesla({"/api/1/vehicles": (200, "tesla_vehicles.json")})
    assert vendor.authorize(Credentials(bearer="abc")) == "abc"
    with pytest.raises(NotAuthorizedError):
        vendor.authorize(Credentials(username="a@b.no", password="x"))


def test_an_expired_token_is_not_authorized_and_the_vendor_text_is_not_passed_on():
    vendor, _ = tesla({"/api/1/vehicles": (401, "tesla_unauthorized.json")})
    with pytest.raises(NotAuthorizedError) as error:
        vendor.vehicles("old")
    assert "expired" not in str(error.value)


@pytest.mark.parametrize(
    ("status", "error"), [(408, VendorUnavailableError), (503, VendorUnavailableError), (500, VendorError)]
)
def test_vendor_failures_are_typed(status, error):
    vendor, _ = tesla({"/api/1/vehicles": (status, "tesla_unauthorized.json")})
    with pytest.raises(error) as raised:
        vendor.vehicles("t")
    assert "invalid bearer" not in str(raised.value)


def test_garbage_is_a_vendor_error(tmp_path):
    def opener(request, timeout=None):
        return io.BytesIO(b"<html>oops</html>")

    with pytest.raises(VendorError):
        TeslaVendor(opener=opener).vehicles("t")


def test_unreachable_is_unavailable():
    def opener(request, timeout=None):
        raise urllib.error.URLError("no route")

    with pytest.raises(VendorUnavailableError):
        TeslaVendor(opener=opener).vehicles("t")


def test_model_from_vin():
    assert model_of("5YJSA1E2XHF000003") == "Model S"
    assert model_of("") == ""


def test_demo_vendor_is_deterministic_and_refuses_wrong():
    demo = DemoVendor()
    token = demo.authorize(Credentials(username="kari@example.no", password="secret"))
    assert token == demo.authorize(Credentials(username="kari@example.no", password="other"))
    assert [v.vehicle_id for v in demo.vehicles(token)] == [v.vehicle_id for v in demo.vehicles(token)]
    assert 20 <= demo.battery_level(token, demo.vehicles(token)[0].vehicle_id) < 90
    with pytest.raises(NotAuthorizedError):
        demo.authorize(Credentials(username="kari@example.no", password="wrong"))


def test_adapter_per_manufacturer(settings):
    settings.EV_VENDOR_ADAPTERS = {"Tesla": "tesla"}
    assert isinstance(adapter_for("tesla"), TeslaVendor)
    assert isinstance(adapter_for("Volvo"), DemoVendor)


def test_recorded_payloads_are_json():
    for path in FIXTURES.glob("*.json"):
        json.loads(path.read_text())
