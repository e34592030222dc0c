"""The car-vendor adapter of a manufacturer: `settings.EV_VENDOR_ADAPTERS` maps a manufacturer
(any case) to an adapter name; every other manufacturer uses `settings.EV_VENDOR_ADAPTER`
(default "demo"), so nothing reaches a vendor unless it is configured."""

from __future__ import annotations

from django.conf import settings

from .base import (
    Credentials,
    NotAuthorizedError,
    UnknownVehicleError,
    VendorAdapter,
    VendorError,
    VendorUnavailableError,
    VendorVehicle,
)
from .demo import DemoVendor
from .tesla import TeslaVendor

ADAPTERS = {"demo": DemoVendor, "tesla": TeslaVendor}

__all__ = [
    "ADAPTERS",
    "Credentials",
    "NotAuthorizedError",
    "UnknownVehicleError",
    "VendorAdapter",
    "VendorError",
    "VendorUnavailableError",
    "VendorVehicle",
    "adapter_name",
    "adapter_for",
]


def adapter_name(manufacturer: str) -> str:
    overrides = {key.lower(): value for key, value in getattr(settings, "EV_VENDOR_ADAPTERS", {}).items()}
    return overrides.get(manufacturer.strip().lower(), getattr(settings, "EV_VENDOR_ADAPTER", "demo"))


def adapter_for(manufacturer: str) -> VendorAdapter:
    return ADAPTERS[adapter_name(manufacturer)]()
