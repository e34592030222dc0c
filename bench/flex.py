"""In-process workload (bench/inprocess.py): planning tomorrow for `size` enrolled devices, the
app's service path vs the same planner in a plain loop without the database.

The devices are created for the bench only, once and reused by later runs: `size` smart-home
devices of one delivery point (price area NO1) of a customer "bench-flex" without any login,
enrolled in a bench zone; two in three are heaters planned over the whole day, one in three EV
chargers with a 22-07 window. The zone has a grid request for tomorrow's evening (17-19 local).
Tomorrow's NO1 spot prices must be stored (seed_demo's pricing demo stores them up to tomorrow).

- real: apps.flex.services.plan_day(day=tomorrow, devices=<the bench devices' enrolled queryset>),
  what the beat job `plan_tomorrow` runs per call: loads the devices (with their assets, delivery
  points and ET profiles), the day's prices and the zone's reductions, plans every device, stores
  the plans and their intervals, and queues one command per plan (sent after commit).
- baseline: for the same devices, loaded beforehand, and the same prices and reductions, in
  memory: selectors.controllable_starts + selectors.reduced_starts + planner.plan_intervals per
  device, the planner's pure part, nothing stored.
Before each run the bench devices' plans and commands of that day are deleted and the tables
vacuumed; finish() deletes them too and keeps the devices.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone

from apps.assets.models import Asset, AssetType, DeviceType, SearchFilter, SmartHomeDevice
from apps.customers.models import Contract, Customer, DeliveryPoint, User
from apps.flex import selectors, services
from apps.flex.models import ControllableDevice, ControlPlanRequest, ControlPlanRequestTsType, ControlPlanRequestValue
from apps.flex.planner import plan_intervals
from apps.pricing.adapters.base import market_date

CUSTOMER_ID = 990002
CONTRACT_NO = 9900021
METERING_POINT_ID = "707057500099000021"
PRICE_AREA = "NO1"
ZONE_NAME = "Bench flex zone"
REQUESTER = "bench-flex"
OSLO = ZoneInfo(selectors.DEFAULT_TIME_ZONE)


def _enrolment(n: int, device_type: int) -> dict:
    """A heater planned over the whole day (4-8 kWh at 2 kW), or a charger at night (20 kWh at 7.2 kW)."""
    if device_type == DeviceType.EvCharger:
        return {
            "power_kw": Decimal("7.20"),
            "daily_energy_kwh": Decimal(20),
            "window_start_hour": 22,
            "window_end_hour": 7,
        }
    return {
        "power_kw": Decimal("2.00"),
        "daily_energy_kwh": Decimal(4 + n % 5),
        "window_start_hour": 0,
        "window_end_hour": 24,
    }


class PlanTomorrow:
    def __init__(self, size: int, log):
        self.size, self.log = size, log
        self.day = market_date(timezone.now()) + dt.timedelta(days=1)
        self.device_ids: list[int] = []
        self.inputs: list[tuple] = []

    # --- untimed -------------------------------------------------------------------------------

    def _point(self) -> DeliveryPoint:
        customer, _ = Customer.objects.get_or_create(
            pk=CUSTOMER_ID, defaults={"area": 2, "first_name": "Bench", "last_name": "Flex"}
        )
        contract, _ = Contract.objects.get_or_create(
            contract_no=CONTRACT_NO,
            defaults={"customer": customer, "product": Contract.Product.POWER, "start_date": dt.date(2024, 1, 1)},
        )
        point, _ = DeliveryPoint.objects.get_or_create(
            metering_point_id=METERING_POINT_ID,
            defaults={"contract": contract, "name": "bench flex", "price_area": PRICE_AREA},
        )
        return point

    def _devices(self, point: DeliveryPoint, zone: SearchFilter) -> None:
        """Tops the bench point up to `size` enrolled devices (bulk, once)."""
        have = ControllableDevice.objects.filter(device__asset__delivery_point=point).count()
        missing = self.size - have
        if missing <= 0:
            return
        kinds = [DeviceType.LightsAndHeating, DeviceType.LightsAndHeating, DeviceType.EvCharger]
        assets = Asset.objects.bulk_create(
            [
                Asset(asset_type=AssetType.SmartHomeDevice, name=f"Bench flex device {have + n}", delivery_point=point)
                for n in range(missing)
            ],
            batch_size=2000,
        )
        devices = SmartHomeDevice.objects.bulk_create(
            [SmartHomeDevice(asset=a, device_type=kinds[n % 3]) for n, a in enumerate(assets)], batch_size=2000
        )
        ControllableDevice.objects.bulk_create(
            [ControllableDevice(device=d, zone=zone, **_enrolment(n, d.device_type)) for n, d in enumerate(devices)],
            batch_size=2000,
        )

    def _grid_request(self, zone: SearchFilter) -> None:
        start = dt.datetime.combine(self.day, dt.time(17), OSLO).astimezone(dt.UTC)
        if ControlPlanRequest.objects.filter(zone=zone, start_at=start).exists():
            return
        user, created = User.objects.get_or_create(username=REQUESTER)
        if created:
            user.set_unusable_password()
            user.save()
        request = ControlPlanRequest.objects.create(
            zone=zone,
            ts_type=ControlPlanRequestTsType.LoadReduction,
            requested_by=user,
            start_at=start,
            end_at=start + dt.timedelta(hours=2),
        )
        ControlPlanRequestValue.objects.bulk_create(
            [ControlPlanRequestValue(request=request, time=start + dt.timedelta(hours=h), value=50) for h in (0, 1)]
        )

    def _queryset(self):
        return selectors.enrolled_devices().filter(pk__in=self.device_ids)

    def prepare(self) -> None:
        with transaction.atomic():
            point = self._point()
            zone, _ = SearchFilter.objects.get_or_create(name=ZONE_NAME, owner=None)
            self._devices(point, zone)
            self._grid_request(zone)
        bench = ControllableDevice.objects.filter(device__asset__delivery_point=point).order_by("pk")
        self.device_ids = list(bench.values_list("pk", flat=True)[: self.size])
        devices = list(self._queryset())  # the baseline's input, with the same relations loaded
        if len(devices) != self.size:
            raise RuntimeError(f"{len(devices)} bench devices, not {self.size}")
        prices = selectors.day_prices(area=PRICE_AREA, day=self.day, tz=OSLO)
        if not prices:
            raise RuntimeError(f"no {PRICE_AREA} spot prices stored for {self.day} (run seed_demo first)")
        start, end = selectors.local_day_bounds(self.day, OSLO)
        reductions = selectors.zone_reductions(zone_ids={zone.pk}, start=start, end=end).get(zone.pk, [])
        self.inputs = [(d, prices, reductions) for d in devices]
        self.log(f"  flex-plan: {len(devices)} devices, {len(prices)} price intervals on {self.day}")
        self.reset()

    def reset(self) -> None:
        ids = self.device_ids
        start, _ = selectors.local_day_bounds(self.day, OSLO)
        with connection.cursor() as cursor:  # raw SQL: a million interval rows, untimed, no cascade walk
            plans = "SELECT id FROM flex_controlplan WHERE device_id = ANY(%s) AND start_at = %s"
            cursor.execute("DELETE FROM flex_devicecommand WHERE device_id = ANY(%s)", [ids])
            cursor.execute(f"DELETE FROM flex_controlplaninterval WHERE plan_id IN ({plans})", [ids, start])
            cursor.execute("DELETE FROM flex_controlplan WHERE device_id = ANY(%s) AND start_at = %s", [ids, start])
            for table in ("flex_controlplaninterval", "flex_controlplan", "flex_devicecommand"):
                cursor.execute(f"VACUUM (ANALYZE) {table}")  # autocommit: the same fresh tables for every run

    def finish(self) -> None:
        if self.device_ids:
            self.reset()

    # --- timed ---------------------------------------------------------------------------------

    def real(self) -> int:
        counts = services.plan_day(day=self.day, devices=self._queryset())
        if counts["created"] != self.size:
            raise RuntimeError(f"plan_day: {counts}, expected {self.size} created")
        return counts["created"]

    def baseline(self) -> int:
        planned = 0
        for device, prices, reductions in self.inputs:
            tz = ZoneInfo(device.device.asset.default_time_zone or selectors.DEFAULT_TIME_ZONE)
            plan_intervals(
                prices=prices,
                power_kw=device.power_kw,
                need_kwh=device.daily_energy_kwh,
                controllable=selectors.controllable_starts(
                    device=device, prices=prices, tz=tz, profiles=list(device.device.asset.et_profiles.all())
                ),
                reduced=selectors.reduced_starts(prices, reductions),
            )
            planned += 1
        return planned
