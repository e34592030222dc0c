"""Owned path values of the devices routes for the tenancy matrix (called by tenancy.py).

`{serialNumber}` names a device on api/devices/... and a gateway on api/gateways/...; the
weather stations are shared (not anyone's), so the nearest-station route answers for the owner.
"""

from . import devices_world


def owned_values(owner, *, world, route) -> dict[str, object]:
    mine = devices_world.build(owner)
    devices_world.weather_stations()  # .../{assetId}/wheaterobservation/nearest needs a station
    on_gateway_route = bool(route) and route.lower().startswith("api/gateways/")
    return {
        "serialNumber": mine.gateway_serial if on_gateway_route else mine.device_serial,
        "externalId": mine.external_id,
    }
