"""The devices on top of the graph tests' world (graph_world): details for its gateway and device
behind the owner's delivery point, the device's values, a counter, a charging station with a
charger and a SIM card in the building. Built through the services, cached on the Owner like
the graph world, so the tenancy matrix can ask twice."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from apps.assets.devices import services as devices
from apps.assets.devices import weather
from apps.assets.models import (
    CounterCategory,
    DeviceType,
    IoTStatus,
    TimeSeriesTypeClass,
    ValueSubCategory,
    ValueUnit,
)
from apps.metering.models import WeatherStation

from . import graph_world

T0 = dt.datetime(2025, 3, 30, 12, 0, tzinfo=dt.UTC)


def build(owner) -> SimpleNamespace:
    cached = getattr(owner, "_devices_world", None)
    if cached is not None:
        return cached
    graph = graph_world.build(owner)
    tag = str(owner.user.pk)
    point = owner.delivery_point
    gateway = devices.create_gateway(
        asset=graph.smart_home_gateway,
        serial_number=f"GW-SN-{tag}",
        external_id=f"GW-{tag}",
        delivery_point=point,
        details={"status": IoTStatus.Active, "logging_is_on": True, "data_provider_id": 7},
    )
    devices.issue_gateway_token(gateway=gateway)
    device = devices.create_device(
        asset=graph.smart_home_device,
        device_type=DeviceType.LightsAndHeating,
        gateway=gateway,
        name=f"Heater {tag}",
        description="Living room",
        serial_number=f"DEV-SN-{tag}",
        delivery_point=point,
    )
    devices.record_device_values(
        device=device,
        values=[
            (TimeSeriesTypeClass.Temperature, ValueSubCategory.Actual, ValueUnit.Celsius, T0, Decimal("21.5")),
            (TimeSeriesTypeClass.OnOff, ValueSubCategory.Actual, ValueUnit.NoUnit, T0, Decimal("1")),
        ],
    )
    building = graph.building
    counter = devices.create_counter(
        category=CounterCategory.Water,
        name=f"Water {tag}",
        serial_number=f"WC-{tag}",
        parent=building,
        details={"unit": ValueUnit.CubicMetre, "reading": Decimal("123.456"), "read_at": T0},
    )
    station = devices.create_charging_station(
        name=f"Station {tag}", parent=building, details={"operator": "Grid", "is_public": True}
    )
    charger = devices.create_charger(
        max_power_kw=Decimal("22.0"),
        station=station,
        name=f"Charger {tag}",
        parent=building,
        latitude=60.4,
        longitude=5.3,
    )
    sim = devices.create_sim_card(
        iccid=f"8947{int(owner.user.pk):015d}",
        gateway=gateway,
        name=f"SIM {tag}",
        parent=building,
        details={"msisdn": "4790000000", "imsi": "242010000000001", "operator": "Telia"},
    )
    world = SimpleNamespace(
        **vars(graph),
        gateway=gateway,
        device=device,
        counter=counter,
        station=station,
        charger=charger,
        sim=sim,
        device_serial=device.asset.serial_number,
        gateway_serial=gateway.asset.serial_number,
        external_id=gateway.asset.external_id,
    )
    owner._devices_world = world
    return world


def home(owner) -> SimpleNamespace:
    """A plain customer's gateway and device at their delivery point (no participant, no privilege)."""
    tag = f"home-{owner.user.pk}"
    point = owner.delivery_point
    gateway = devices.create_gateway(
        name=f"Gateway {tag}", serial_number=f"GW-{tag}", external_id=f"X-{tag}", delivery_point=point
    )
    device = devices.create_device(
        device_type=DeviceType.HeatPump,
        gateway=gateway,
        name=f"Heat pump {tag}",
        serial_number=f"D-{tag}",
        delivery_point=point,
    )
    return SimpleNamespace(gateway=gateway, device=device, meter=owner.meter.asset)


def weather_stations():
    """Asset links for Oslo - Blindern and Bergen - Florida (metering's stations)."""
    blindern = WeatherStation.objects.get_or_create(
        code="SN18700", defaults={"name": "Oslo - Blindern", "latitude": 59.9423, "longitude": 10.72}
    )[0]
    bergen = WeatherStation.objects.get_or_create(
        code="SN50540", defaults={"name": "Bergen - Florida", "latitude": 60.3837, "longitude": 5.3327}
    )[0]
    return weather.ensure_station_asset(station=blindern), weather.ensure_station_asset(station=bergen)
