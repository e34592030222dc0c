"""What a car-vendor adapter is, and the errors it may raise.

Adapters never let the vendor's own error text out: `VendorError` (502) and `VendorUnavailableError`
(503) carry our message only; `NotAuthorizedError` means the vendor refused the credentials, and
`UnknownVehicleError` that the login has no such vehicle (404).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol


class VendorError(Exception):
    """The vendor answered something unusable (the API answers 502)."""


class VendorUnavailableError(VendorError):
    """The vendor could not be reached or is down (503)."""


class NotAuthorizedError(Exception):
    """The vendor refused the credentials or token."""


class UnknownVehicleError(Exception):
    """The vendor knows no such vehicle for the login (or the id is not one of its ids)."""


@dataclass(frozen=True)
class Credentials:
    username: str = ""
    password: str = ""
    bearer: str = ""


@dataclass(frozen=True)
class VendorVehicle:
    vehicle_id: str
    model: str
    display_name: str = ""
    generation: str = ""
    image_url: str = ""


class VendorAdapter(Protocol):
    name: str

    def authorize(self, credentials: Credentials) -> str:
        """An access token for the credentials (NotAuthorizedError when refused)."""

    def vehicles(self, token: str) -> list[VendorVehicle]: ...

    def vehicle(self, token: str, vehicle_id: str) -> VendorVehicle: ...

    def battery_level(self, token: str, vehicle_id: str) -> Decimal:
        """State of charge in percent."""
