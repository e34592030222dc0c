"""Tesla's Fleet API (https://developer.tesla.com/docs/fleet-api): a bearer token from Tesla's OAuth
(username/password logins were retired by Tesla, so only `auth.bearer` is accepted).

- GET {base}/api/1/vehicles → {"response": [{"id", "vehicle_id", "vin", "display_name", "state"}], "count"}
- GET {base}/api/1/vehicles/{id}/vehicle_data?endpoints=charge_state →
  {"response": {"charge_state": {"battery_level", "usable_battery_level", ...}}}
401 means the token is refused; 404 an unknown vehicle; 408 is a sleeping vehicle (unavailable).
The vendor's error bodies are never passed on.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from decimal import Decimal

from django.conf import settings

from .base import (
    Credentials,
    NotAuthorizedError,
    UnknownVehicleError,
    VendorError,
    VendorUnavailableError,
    VendorVehicle,
)

NAME = "tesla"
DEFAULT_BASE_URL = "https://fleet-api.prd.eu.vn.cloud.tesla.com"
# The fourth character of a Tesla VIN is the model line.
_MODEL_BY_VIN = {"S": "Model S", "3": "Model 3", "X": "Model X", "Y": "Model Y", "C": "Cybertruck"}


def model_of(vin: str) -> str:
    return _MODEL_BY_VIN.get(vin[3:4].upper(), "") if len(vin) >= 4 else ""


class TeslaVendor:
    name = NAME

    def __init__(self, base_url: str | None = None, timeout: float = 10.0, opener=None):
        self.base_url = (base_url or getattr(settings, "EV_TESLA_BASE_URL", DEFAULT_BASE_URL)).rstrip("/")
        self.timeout = timeout
        self.opener = opener or urllib.request.urlopen

    def _get(self, token: str, path: str) -> dict:
        request = urllib.request.Request(
            f"{self.base_url}{path}", headers={"Authorization": f"Bearer {token}", "Accept": "application/json"}
        )
        try:
            with self.opener(request, timeout=self.timeout) as response:
                body = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code in (401, 403):
                raise NotAuthorizedError("Tesla refused the token.") from None
            if exc.code == 404:
                raise UnknownVehicleError("Tesla knows no such vehicle for this login.") from None
            if exc.code in (408, 429, 503):
                raise VendorUnavailableError(f"Tesla is unavailable (HTTP {exc.code}).") from None
            raise VendorError(f"Tesla answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError):
            raise VendorUnavailableError("Tesla could not be reached.") from None
        try:
            document = json.loads(body)
            return document["response"]
        except (ValueError, KeyError, TypeError):
            raise VendorError("Tesla sent an answer that could not be read.") from None

    def authorize(self, credentials: Credentials) -> str:
        if not credentials.bearer:
            raise NotAuthorizedError("Tesla needs a bearer token from Tesla's own login (auth.bearer).")
        self._get(credentials.bearer, "/api/1/vehicles")  # proves the token
        return credentials.bearer

    def _vehicle(self, item: dict) -> VendorVehicle:
        try:
            vin = str(item.get("vin") or "")
            return VendorVehicle(
                vehicle_id=str(item["id"]), model=model_of(vin), display_name=str(item.get("display_name") or "")
            )
        except (KeyError, TypeError, AttributeError):
            raise VendorError("Tesla sent a vehicle that could not be read.") from None

    def vehicles(self, token: str) -> list[VendorVehicle]:
        items = self._get(token, "/api/1/vehicles")
        if not isinstance(items, list):
            raise VendorError("Tesla sent a vehicle list that could not be read.")
        return [self._vehicle(item) for item in items]

    @staticmethod
    def _vehicle_path(vehicle_id: str) -> str:
        # Tesla's ids are integers; anything else (a car whose VehicleId a client edited) is no Tesla vehicle.
        if not vehicle_id.isascii() or not vehicle_id.isdigit():
            raise UnknownVehicleError("Not a Tesla vehicle id.")
        return f"/api/1/vehicles/{int(vehicle_id)}"

    def vehicle(self, token: str, vehicle_id: str) -> VendorVehicle:
        return self._vehicle(self._get(token, self._vehicle_path(vehicle_id)))

    def battery_level(self, token: str, vehicle_id: str) -> Decimal:
        data = self._get(token, f"{self._vehicle_path(vehicle_id)}/vehicle_data?endpoints=charge_state")
        try:
            return Decimal(str(data["charge_state"]["battery_level"]))
        except (KeyError, TypeError, ArithmeticError):
            raise VendorError("Tesla sent a charge state that could not be read.") from None
