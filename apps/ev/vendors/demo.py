"""The demo vendor: deterministic vehicles and battery levels for any credentials, no network.

A username/password pair or a bearer token is accepted unless the password or token is "wrong";
each login owns two vehicles derived from it, so a repeat import finds the same ones.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from .base import Credentials, NotAuthorizedError, UnknownVehicleError, VendorVehicle

NAME = "demo"
_MODELS = [("Model Y", "Long Range"), ("Model 3", "Standard Range")]


class DemoVendor:
    name = NAME

    def authorize(self, credentials: Credentials) -> str:
        secret = credentials.bearer or credentials.password
        login = credentials.bearer or credentials.username
        if not secret or not login or secret == "wrong":
            raise NotAuthorizedError("The demo vendor refused the credentials.")
        return "demo-" + hashlib.sha256(login.encode()).hexdigest()[:24]

    def vehicles(self, token: str) -> list[VendorVehicle]:
        if not token.startswith("demo-"):
            raise NotAuthorizedError("Not a demo token.")
        return [
            VendorVehicle(vehicle_id=f"{token[5:13]}{n}", model=model, generation=generation, display_name=f"Car {n}")
            for n, (model, generation) in enumerate(_MODELS, start=1)
        ]

    def vehicle(self, token: str, vehicle_id: str) -> VendorVehicle:
        for vehicle in self.vehicles(token):
            if vehicle.vehicle_id == vehicle_id:
                return vehicle
        raise UnknownVehicleError("The vehicle is not one of this login's.")

    def battery_level(self, token: str, vehicle_id: str) -> Decimal:
        self.vehicle(token, vehicle_id)
        return Decimal(20 + int(hashlib.sha256(vehicle_id.encode()).hexdigest(), 16) % 70)
