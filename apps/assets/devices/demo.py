"""Demo devices for seed_demo (called by apps/assets/graph/demo.py): weather-station assets for
metering's stations; behind each demo meter a gateway (with a SIM card) controlling a heater and
an EV charger with recent values; counters and a public charging station with two chargers at a
site; and active flags on the substations (an outage published to the web, planned work raised).

Deterministic and idempotent: every object is found by its external id before it is created.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.metering import public as metering

from ..models.components import ComponentEvent, FlagState
from ..models.devices import (
    ConnectorType,
    CounterCategory,
    DeviceType,
    GatewayConnectionState,
    IoTStatus,
    TimeSeriesTypeClass,
    ValueSubCategory,
    ValueUnit,
)
from ..models.graph import Asset
from . import components, weather
from . import services as devices


def _existing(external_id: str) -> Asset | None:
    return Asset.objects.filter(external_id=external_id).first()


def _behind_meter(meter: Asset, index: int, now: dt.datetime) -> None:
    key = meter.name
    if _existing(f"DEMO-GW-{key}") is not None:
        return
    point = meter.delivery_point_id
    gateway = devices.create_gateway(
        name=f"Smart hub {key}",
        serial_number=f"GW{index + 1:06d}",
        external_id=f"DEMO-GW-{key}",
        delivery_point_id=point,
        parent=meter,
        details={
            "status": IoTStatus.Active,
            "logging_is_on": index % 2 == 0,
            "data_provider_id": 1,
            "firmware_version": "2.14.1",
            "connection_state": GatewayConnectionState.Online,
            "last_seen_at": now,
        },
    )
    devices.issue_gateway_token(gateway=gateway)
    heater = devices.create_device(
        device_type=DeviceType.LightsAndHeating,
        gateway=gateway,
        name="Living room heater",
        serial_number=f"DV{index + 1:06d}1",
        external_id=f"DEMO-DV-{key}-1",
        delivery_point_id=point,
        parent=gateway.asset,
    )
    charger = devices.create_device(
        device_type=DeviceType.EvCharger,
        gateway=gateway,
        name="Garage charger",
        serial_number=f"DV{index + 1:06d}2",
        external_id=f"DEMO-DV-{key}-2",
        delivery_point_id=point,
        parent=gateway.asset,
    )
    at = now.replace(minute=0, second=0, microsecond=0)
    devices.record_device_values(
        device=heater,
        values=[
            (TimeSeriesTypeClass.Temperature, ValueSubCategory.Actual, ValueUnit.Celsius, at, Decimal("21.5")),
            (TimeSeriesTypeClass.Temperature, ValueSubCategory.Setpoint, ValueUnit.Celsius, at, Decimal("22")),
            (TimeSeriesTypeClass.OnOff, ValueSubCategory.Actual, ValueUnit.NoUnit, at, Decimal("1")),
        ],
    )
    devices.record_device_values(
        device=charger,
        values=[
            (TimeSeriesTypeClass.Power, ValueSubCategory.Actual, ValueUnit.KW, at, Decimal("7.2")),
            (TimeSeriesTypeClass.StateOfCharge, ValueSubCategory.Actual, ValueUnit.Percent, at, Decimal("64")),
        ],
    )
    devices.create_sim_card(
        iccid=f"8947080000{index + 1:09d}",
        gateway=gateway,
        name=f"SIM {key}",
        external_id=f"DEMO-SIM-{key}",
        parent=gateway.asset,
        details={"msisdn": f"4759{index + 1:06d}", "operator": "Telenor"},
    )


def _site(site: Asset, now: dt.datetime) -> None:
    if _existing("DEMO-STATION-1") is not None:
        return
    for n, (category, unit, reading) in enumerate(
        [
            (CounterCategory.Water, ValueUnit.CubicMetre, Decimal("1532.120")),
            (CounterCategory.DistrictHeating, ValueUnit.KWh, Decimal("88213.400")),
            (CounterCategory.Electricity, ValueUnit.KWh, Decimal("412009.000")),
        ],
        start=1,
    ):
        devices.create_counter(
            category=category,
            name=f"{category.label} counter {n}",
            serial_number=f"CT{n:06d}",
            external_id=f"DEMO-CT-{n}",
            parent=site,
            details={"unit": unit, "reading": reading, "read_at": now.replace(minute=0, second=0, microsecond=0)},
        )
    station = devices.create_charging_station(
        name="Demo charging station",
        external_id="DEMO-STATION-1",
        latitude=site.latitude,
        longitude=site.longitude,
        parent=site,
        details={"operator": "Demo Grid", "is_public": True},
    )
    for n, (power, connector) in enumerate(
        [(Decimal("22.0"), ConnectorType.Type2), (Decimal("50.0"), ConnectorType.Ccs)]
    ):
        devices.create_charger(
            max_power_kw=power,
            station=station,
            name=f"Charge point {n + 1}",
            serial_number=f"CP{n + 1:06d}",
            external_id=f"DEMO-CP-{n + 1}",
            latitude=site.latitude,
            longitude=site.longitude,
            parent=site,
            details={"connectors": 2, "connector_type": connector},
        )


def _flags(substations: Sequence[Asset], by) -> None:
    plan = [(ComponentEvent.Outage, "Cable fault on the feeder", "Power cut in the area; back by 18:00", True)]
    plan.append((ComponentEvent.PlannedWork, "Transformer maintenance", "", False))
    for substation, (event, message, web_message, publish) in zip(substations, plan, strict=False):
        if substation.component_flags.filter(event=event).exclude(state=FlagState.Cleared).exists():
            continue
        flag = components.raise_flag(asset=substation, event=event, by=by, message=message)
        if publish:
            components.publish_flag(flag=flag, by=by, web_message=web_message)


@transaction.atomic
def seed_devices(
    *,
    meters: Sequence[Asset],
    site: Asset,
    substations: Sequence[Asset],
    by,
    progress: Callable[[int, int], None] | None = None,
    now: dt.datetime | None = None,
) -> None:
    """Seeds the demo devices: behind each of `meters` (the demo customers' meter assets), at `site`
    (a located building in the professional's reach) and flags on `substations`, raised `by` the
    professional login. `progress(done, total)` is called per meter; `now` is seed_demo's clock."""
    now = now or timezone.now()
    for station in metering.ensure_default_stations():
        weather.ensure_station_asset(station=station)
    for index, meter in enumerate(meters):
        _behind_meter(meter, index, now)
        if progress is not None:
            progress(index + 1, len(meters))
    _site(site, now)
    _flags(substations, by)
