"""EV objects of an Owner: a charger at their delivery point, measured by their meter and controlled
by a gateway, a car connected to it, a vendor account and a charging request."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from apps.assets.devices import services as devices
from apps.assets.graph.services import ensure_meter_asset, relate
from apps.assets.models import Charger, RelationType, SmartHomeGateway
from apps.ev import services
from apps.ev.models import Car, EvChargingRequest
from apps.pricing import spotprices
from apps.pricing.adapters.base import DayPrices, IntervalPrice, market_date, market_day_bounds
from apps.pricing.areas import zone
from tests.ev.factories import CarFactory


@dataclass
class World:
    charger: Charger
    gateway: SmartHomeGateway
    car: Car
    request: EvChargingRequest | None


def store_prices(*, area: str = "NO1", days=None, price_of=None) -> None:
    """Known spot prices (NOK/kWh ex VAT, hourly) for today and the next two market days; `price_of(start)`
    gives each hour's price (default: 1.00 + 0.01 × hour of day)."""
    price_of = price_of or (lambda start: Decimal("1.00") + Decimal(start.hour) / 100)
    first = market_date(timezone.now())
    for offset in days or (0, 1, 2):
        day = first + dt.timedelta(days=offset)
        start, end = market_day_bounds(day)
        intervals, moment = [], start
        while moment < end:
            nok = price_of(moment)
            intervals.append(IntervalPrice(moment, moment + dt.timedelta(hours=1), nok * 100, nok, Decimal("11.5")))
            moment += dt.timedelta(hours=1)
        spotprices.store_day(prices=DayPrices(zone(area).eic, day, intervals, "test", preliminary=offset > 1))


def next_hour(hours: int = 1) -> dt.datetime:
    return timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=hours)


def build(owner, *, with_request: bool = True) -> World:
    point = owner.delivery_point
    meter_asset = ensure_meter_asset(meter=owner.meter)
    gateway = devices.create_gateway(
        name="Smart hub", external_id=f"EV-GW-{owner.user.pk}", delivery_point_id=point.pk, parent=meter_asset
    )
    charger = devices.create_charger(
        max_power_kw=Decimal("11"),
        name="Garage charger",
        external_id=f"EV-CH-{owner.user.pk}",
        delivery_point_id=point.pk,
        parent=meter_asset,
    )
    relate(parent=gateway.asset, child=charger.asset, relation_type=RelationType.Controls)
    relate(parent=meter_asset, child=charger.asset, relation_type=RelationType.Measures)
    car = CarFactory(
        customer=owner.customer,
        manufacturer="demo",
        model="Model Y",
        vehicle_id=f"V{owner.user.pk}",
        gross_battery_kwh=Decimal("81"),
        net_battery_kwh=Decimal("75"),
        connected_asset=charger.asset,
        use_external_api=True,
    )
    request = None
    if with_request:
        store_prices(area=point.price_area)
        request = services.create_charging_request(
            customer=owner.customer,
            asset_id=charger.pk,
            start_at=next_hour(1),
            end_at=next_hour(6),
            charging_demand_kwh=Decimal("20"),
        )
    return World(charger=charger, gateway=gateway, car=car, request=request)
