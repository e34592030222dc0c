"""seed_devices: plausible devices behind the demo meters, counters and chargers at a site, active
flags; deterministic and idempotent."""

import pytest

from apps.assets.devices.demo import seed_devices
from apps.assets.models import (
    ChargingStation,
    ComponentFlag,
    Counter,
    FlagState,
    SimCard,
    SmartHomeDevice,
    SmartHomeGateway,
    WeatherStationAsset,
)

from ..conftest import make_owner
from .graph_world import build

pytestmark = pytest.mark.django_db


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (SmartHomeGateway, SmartHomeDevice, SimCard, Counter, ChargingStation, ComponentFlag)
    }


def test_seeds_devices_behind_each_meter_and_is_idempotent(owner):
    world = build(owner)
    customer = make_owner()
    world.building.latitude, world.building.longitude = 59.91, 10.75
    world.building.save()
    meters = [owner.meter.asset, customer.meter.asset]
    calls = []
    seed = dict(meters=meters, site=world.building, substations=[world.substation], by=owner.user)
    seed_devices(**seed, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 2), (2, 2)]
    first = counts()
    assert first == {
        "SmartHomeGateway": 2,
        "SmartHomeDevice": 4,
        "SimCard": 2,
        "Counter": 3,
        "ChargingStation": 1,
        "ComponentFlag": 1,
    }
    assert WeatherStationAsset.objects.filter(station__code="SN18700").exists()
    assert ComponentFlag.objects.get().state == FlagState.Published
    seed_devices(**seed)
    assert counts() == first

    # The customer sees the devices behind their own meter, and the professional the site's chargers.
    gateway = SmartHomeGateway.objects.get(asset__delivery_point=customer.delivery_point)
    listed = customer.client().get(f"/api/gateways/externalId/{gateway.asset.external_id}/devices").json()
    assert sorted(d["DeviceType"] for d in listed) == [1, 2]
    assert len(owner.client().get("/api/assets/chargingstation").json()[0]["Chargers"]) == 2
    outage = owner.client().get("/api/componentinforestricted/substations/event/outage").json()
    assert [s["AssetId"] for s in outage] == [world.substation.pk]
