"""Demo EV data for seed_demo: for demo1 a charger (measured by the meter, controlled by the demo
gateway), a car from the catalogue connected to it, and a charging request planned on the prices.

Idempotent: the charger is found by its external id, the car by its vehicle id, and a request is
added only when demo1 has none still open.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.assets import public as assets
from apps.assets.public import Asset, Charger, RelationType, ensure_meter_asset, relate
from apps.customers.public import DeliveryPoint

from . import selectors, services
from .catalogue import ensure_catalogue
from .models import Car, EvChargingRequest

DEMO_USER = "demo1"
# A fixed AssetId, so scripts (and a future bench pair) can name the demo charger in a request body.
DEMO_CHARGER_ASSET_ID = 9_100_000_001
logger = logging.getLogger(__name__)


def _charger(point: DeliveryPoint) -> Charger:
    external_id = f"DEMO-EV-CH-{point.pk}"
    existing = Charger.objects.filter(asset__external_id=external_id).first()
    if existing is not None:
        return existing
    meter_asset = ensure_meter_asset(meter=point.meters.order_by("pk").first())
    charger = assets.create_charger(
        max_power_kw=Decimal("11"),
        pk=DEMO_CHARGER_ASSET_ID if not Asset.objects.filter(pk=DEMO_CHARGER_ASSET_ID).exists() else None,
        name="Garage charger (11 kW)",
        external_id=external_id,
        delivery_point_id=point.pk,
        parent=meter_asset,
    )
    relate(parent=meter_asset, child=charger.asset, relation_type=RelationType.Measures)
    gateway = Asset.objects.filter(external_id=f"DEMO-GW-{meter_asset.name}").first()
    if gateway is not None:
        relate(parent=gateway, child=charger.asset, relation_type=RelationType.Controls)
    return charger


def seed(*, users, days: int = 0, progress=None, now: dt.datetime | None = None) -> None:
    user = next((u for u in users if u.username == DEMO_USER), None)
    if user is None:
        return
    point = (
        DeliveryPoint.objects.filter(contract__customer__accesses__user=user, meters__isnull=False)
        .select_related("contract__customer")
        .order_by("contract__customer__area", "id")
        .last()  # the Power customer (area 2) when there is one
    )
    if point is None:
        return
    customer = point.contract.customer
    charger = _charger(point)
    ensure_catalogue()  # the migration's rows, should someone have emptied the table since
    model = selectors.find_catalogue_model(manufacturer="Tesla", model="Model Y", generation="Long Range 2023")
    car, _ = Car.objects.get_or_create(
        customer=customer,
        manufacturer="demo",
        vehicle_id="DEMO-CAR-1",
        defaults={
            "model": "Model Y",
            "generation": "Long Range 2023",
            "display_name": "Familiebilen",
            "battery_car": model,
            "gross_battery_kwh": model.gross_battery_kwh if model else None,
            "net_battery_kwh": model.net_battery_kwh if model else None,
            "max_charge_kw": model.max_ac_kw if model else None,
            "connected_asset": charger.asset,
        },
    )
    now = now or timezone.now()
    if EvChargingRequest.objects.filter(customer=customer, end_at__gt=now).exists():
        return
    start = now.replace(minute=0, second=0, microsecond=0) + dt.timedelta(hours=1)
    try:
        services.create_charging_request(
            customer=customer,
            asset_id=charger.pk,
            start_at=start,
            end_at=start + dt.timedelta(hours=8),
            charging_demand_kwh=Decimal("30"),
            car_id=car.row_key,
            now=now,
        )
    except ValidationError as exc:  # no prices for the window (a source that is down): no request
        logger.warning("No demo charging request: %s", exc.detail)
