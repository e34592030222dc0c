"""Reads of the EV app: the customer price per interval for a charger, chargers and cars of a
customer, the EV charging devices behind a gateway, and monthly charger statistics.

Prices come from pricing (its spot-price store and `unit_prices`, the same rules as costs); energy
from metering through the meter that `Measures` the charger. Nothing here re-implements a price rule.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from apps.assets.public import (
    Asset,
    AssetType,
    Charger,
    DeviceType,
    RelationType,
    SmartHomeDevice,
    SmartHomeGateway,
    TimeSeriesTypeClass,
)
from apps.customers.public import Contract, Customer, DeliveryPoint, Meter
from apps.metering.public import Resolution
from apps.pricing import public as pricing
from apps.pricing.public import zone as find_zone

from .models import BatteryCar, Car, EvChargingModeEnum, EvChargingRequest
from .planner import Price

UTC = dt.UTC
# Energy above this in one interval counts as charging (a session is a run of such intervals).
SESSION_THRESHOLD_KWH = Decimal("0.1")


def interval_prices(
    *, contract: Contract, from_time: dt.datetime, to_time: dt.datetime, point: DeliveryPoint | None = None
) -> list[Price]:
    """The customer's price of one kWh (NOK, VAT included) per market interval in [from_time, to_time)
    at `point` (default: the contract's first delivery point): 15 minutes or an hour, as the spot
    prices are; forecast (preliminary) prices count. Intervals without a price are left out (the
    planner then cannot use them)."""
    plan = pricing.price_plan_of(contract)
    is_net = contract.product == Contract.Product.NET
    point = point or pricing.first_point_of(contract)
    consumer = pricing.consumer_of(contract=contract, point=point)
    area = point.price_area if point is not None else pricing.DEFAULT_PRICE_AREA
    meter = point.meters.order_by("pk").first() if point is not None else None
    tz = ZoneInfo(meter.time_zone if meter is not None else pricing.DEFAULT_TIME_ZONE)
    rows = pricing.spot_rows(
        zone=find_zone(area),
        from_time=from_time - dt.timedelta(hours=1),
        to_time=to_time,
        include_preliminary=True,
        use_cache=True,
    )
    prices = []
    for row in rows:
        start = dt.datetime.fromtimestamp(row[0], UTC)
        end = start + dt.timedelta(minutes=row[6])
        if end <= from_time:
            continue
        parts = pricing.unit_prices(
            plan=plan, is_net=is_net, consumer=consumer, spot=Decimal(str(row[2])), local=start.astimezone(tz)
        )
        if parts is not None:
            prices.append(Price(start, end, sum(parts.values(), Decimal(0)).quantize(Decimal("0.00001"))))
    return prices


def customer_chargers(*, customer: Customer) -> QuerySet[Charger]:
    return Charger.objects.filter(asset__delivery_point__contract__customer=customer).select_related("asset")


def charging_requests(*, customer: Customer) -> QuerySet[EvChargingRequest]:
    return (
        EvChargingRequest.objects.filter(customer=customer)
        .select_related("car")
        .prefetch_related("slots")
        .order_by("start_at", "created_at")
    )


def cars(*, customer: Customer) -> QuerySet[Car]:
    return Car.objects.filter(customer=customer).select_related("battery_car").order_by("id")


def catalogue() -> QuerySet[BatteryCar]:
    return BatteryCar.objects.order_by("manufacturer", "model", "generation")


def manufacturers() -> list[str]:
    return list(BatteryCar.objects.order_by("manufacturer").values_list("manufacturer", flat=True).distinct())


def find_catalogue_model(*, manufacturer: str, model: str, generation: str = "") -> BatteryCar | None:
    queryset = BatteryCar.objects.filter(manufacturer__iexact=manufacturer, model__iexact=model)
    if generation:
        exact = queryset.filter(generation__iexact=generation).first()
        if exact is not None:
            return exact
    return queryset.order_by("-net_battery_kwh").first()


def gateway_charging_devices(*, gateway_asset: Asset) -> list[dict]:
    """The EV charging devices a gateway controls: smart-home EvCharger devices and charger assets,
    each as {asset, device_type, values}."""
    controlled = Q(parent_relations__parent=gateway_asset, parent_relations__relation_type=RelationType.Controls)
    devices = (
        SmartHomeDevice.objects.filter(
            device_type=DeviceType.EvCharger,
            asset__parent_relations__parent=gateway_asset,
            asset__parent_relations__relation_type=RelationType.Controls,
        )
        .select_related("asset")
        .prefetch_related("values")
        .order_by("asset_id")
    )
    chargers = Asset.objects.filter(controlled, asset_type=AssetType.Charger).order_by("id")
    out = [{"asset": d.asset, "device_type": DeviceType.EvCharger, "values": list(d.values.all())} for d in devices]
    out += [{"asset": asset, "device_type": DeviceType.EvCharger, "values": []} for asset in chargers]
    return sorted(out, key=lambda item: item["asset"].pk)


def fully_charged_by(*, asset_ids: list[int], now: dt.datetime) -> dict[int, dt.datetime]:
    """The end of the earliest open charging request of each charger that has one (one query)."""
    rows = (
        EvChargingRequest.objects.filter(charger_id__in=asset_ids, end_at__gt=now)
        .values("charger_id")
        .annotate(first_end=Min("end_at"))
        .order_by()
    )
    return {row["charger_id"]: row["first_end"] for row in rows}


def gateway_devices_and_cars(gateway: SmartHomeGateway, *, now: dt.datetime | None = None) -> dict:
    """The EV charging devices behind a gateway, each with its `EvChargingInformationReq` (the car connected
    to it, whether a running request plans its charging, by when), and the customer's cars."""
    contract = gateway.asset.delivery_point.contract
    customer_cars = list(cars(customer=contract.customer))
    by_asset = {car.connected_asset_id: car for car in customer_cars if car.connected_asset_id}
    items = gateway_charging_devices(gateway_asset=gateway.asset)
    planned = fully_charged_by(asset_ids=[item["asset"].pk for item in items], now=now or timezone.now())
    devices = []
    for item in items:
        asset, car = item["asset"], by_asset.get(item["asset"].pk)
        soc = next((v.value for v in item["values"] if v.value_category == TimeSeriesTypeClass.StateOfCharge), None)
        smart = asset.pk in planned  # a running request plans the charging
        devices.append(
            {
                "asset_id": asset.pk,
                "name": asset.name,
                "description": asset.description,
                "device_type": item["device_type"],
                "values": item["values"],
                "ev_charging_info": {
                    "charging_mode": EvChargingModeEnum.Smart if smart else EvChargingModeEnum.Immediate,
                    "smart_mode_is_active": smart,
                    "car_info_id": car.row_key if car else None,
                    "car_manufacturer": car.manufacturer if car else None,
                    "car_model": car.model if car else None,
                    "car_generation": car.generation if car else None,
                    "gross_battery_size": car.gross_battery_kwh if car else None,
                    "net_battery_size": car.net_battery_kwh if car else None,
                    "battery_level": soc,
                    "fully_charged_by": planned.get(asset.pk),
                    "customer_id": str(contract.customer_id),
                    "contract_id": contract.contract_no,
                    "gateway_asset_id": gateway.pk,
                    "device_asset_id": asset.pk,
                },
            }
        )
    return {"devices": devices, "cars": customer_cars}


def charger_meter(charger: Charger) -> Meter | None:
    """The meter whose asset `Measures` the charger."""
    asset = (
        Asset.objects.filter(
            child_relations__child_id=charger.pk,
            child_relations__relation_type=RelationType.Measures,
            meter__isnull=False,
        )
        .select_related("meter__delivery_point__contract__customer")
        .first()
    )
    return asset.meter if asset is not None else None


def month_bounds(year: int, month: int, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def sessions_and_peak(series: list[tuple[dt.datetime, Decimal | None]], minutes: int) -> tuple[int, Decimal]:
    """Sessions (runs of consecutive intervals above the threshold) and the peak power in kW."""
    sessions, charging, peak = 0, False, Decimal(0)
    hours = Decimal(minutes) / 60
    for _moment, kwh in series:
        active = kwh is not None and kwh > SESSION_THRESHOLD_KWH
        if active and not charging:
            sessions += 1
        charging = active
        if kwh is not None:
            peak = max(peak, kwh / hours)
    return sessions, peak


def charger_statistics(*, charger: Charger, meter: Meter, year: int, month: int) -> dict:
    tz = ZoneInfo(meter.time_zone or pricing.DEFAULT_TIME_ZONE)
    start, end = month_bounds(year, month, tz)
    quarters = pricing.has_quarter_hours(meter=meter, from_time=start, to_time=end)
    resolution, minutes = (Resolution.QuarterHour, 15) if quarters else (Resolution.Hour, 60)
    series = [
        (moment, None if kwh is None else Decimal(str(kwh)))
        for moment, kwh, _status in pricing.consumption_series(
            meter=meter, from_time=start, to_time=end, resolution=resolution, time_zone=tz.key
        )
    ]
    sessions, peak = sessions_and_peak(series, minutes)
    costs = pricing.meter_costs(
        meter=meter, from_time=start, to_time=end, resolution=Resolution.Month, time_zone=tz.key
    )
    energy = sum((kwh for _m, kwh in series if kwh is not None), Decimal(0))
    return {
        "charger_asset_id": charger.pk,
        "meter_id": meter.meter_id,
        "year": year,
        "month": month,
        "from_time": start,
        "to_time": end,
        "energy_charged": float(energy.quantize(Decimal("0.001"))),
        "number_of_sessions": sessions,
        "peak_power": float(peak.quantize(Decimal("0.001"))),
        "cost": costs["totals"]["value"],
        "currency": "NOK",
    }
