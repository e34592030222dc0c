"""Owned path values of the assets routes, for the tenancy matrix (tests/api/test_tenancy_matrix.py).

`{id}` means a different asset per route (an aggregation point on its business-object route...),
so the hook takes the route. The devices part may add its values in `tenancy_devices.py` beside
this file: `owned_values(owner, *, world, route) -> dict`.
"""

from __future__ import annotations

import importlib
import importlib.util

from . import graph_world

_ID_BY_ROUTE = {
    "businessobject/aggregationpoint/": "aggregation_point",
    "businessobject/smarthomedevice/": "smart_home_device",
    "businessobject/smarthomegateway/": "smart_home_gateway",
    "assetinfo/": "meter",
}


def owned_values(owner, route: str | None = None) -> dict[str, object]:
    world = graph_world.build(owner)
    values: dict[str, object] = {"assetId": world.meter.pk, "participantId": world.participant.pk}
    for prefix, attribute in _ID_BY_ROUTE.items():
        if route and prefix in route.lower():
            values["id"] = getattr(world, attribute).pk
    if importlib.util.find_spec("tests.assets.tenancy_devices"):
        devices = importlib.import_module("tests.assets.tenancy_devices")
        values.update(devices.owned_values(owner, world=world, route=route))
    return values
