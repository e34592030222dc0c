"""Demo demand response for seed_demo (runs after the assets, pricing and metering demos).

For the demo logins (demo1, demo2): the heater and the EV charger behind each of their meters
(apps/assets/devices/demo.py) are enrolled in the grid company's zone "Zone Oslo Nord"; the grid
company gets a flexibility contract over the zone and its login grid1 the demand_response
privilege; the zone gets an evening reduction request (17-19 local) from grid1 for each planned
day; every enrolled device is planned for the last `min(days, 7)` days, today and tomorrow (days
without prices are skipped), so past plans show delivered flexibility from the metering history;
demo1's Power site gets settings (threshold, shedding order: charger first).

Idempotent: devices, contract, settings and baselines are created only when missing, a request
only when none overlaps it, and `plan_day` leaves unchanged plans alone. The history plans are
stored, not sent to the devices.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.assets.public import DeviceType, Participant, SearchFilter, SmartHomeDevice
from apps.customers.public import DEMO_LOGINS, DeliveryPoint, User
from apps.pricing.public import market_date
from esmart.api.area import Area

from . import selectors, services
from .models import (
    BaselineMethod,
    ControllableDevice,
    ControlPlanRequestTsType,
    FlexContract,
    SiteSettings,
)

GRID_COMPANY_ORG_NO = "987654321"  # "Demo Nett AS" of apps/assets/graph/demo.py
ZONE_NAME = "Zone Oslo Nord"
GRID_LOGIN = "grid1"
CONTRACT_NAME = "Demo Nett fleksibilitet"
HISTORY_DAYS = 7
REQUEST_HOURS = (17, 18)  # local evening peak the grid asks to relieve
REQUEST_KW = Decimal("25")
# What the planner needs per device type: rated kW, daily kWh, local window [start, end).
ENROLMENT = {
    DeviceType.LightsAndHeating: (Decimal("2.00"), Decimal("8.00"), 0, 24),
    DeviceType.EvCharger: (Decimal("7.20"), Decimal("21.60"), 22, 7),
}
SITE_THRESHOLD_KW = Decimal("10.00")
SITE_HYSTERESIS_KW = Decimal("1.00")


def _demo_users(users) -> list[User]:
    names = {login.username for login in DEMO_LOGINS}
    return [u for u in users if u.username in names]


def _grid_side() -> tuple[SearchFilter, User] | None:
    zone = SearchFilter.objects.filter(name=ZONE_NAME, owner__organization_no=GRID_COMPANY_ORG_NO).first()
    grid_user = User.objects.filter(username=GRID_LOGIN).first()
    if zone is None or grid_user is None:
        return None
    privilege = Permission.objects.get(codename="demand_response", content_type__app_label="customers")
    grid_user.user_permissions.add(privilege)
    company = Participant.objects.get(organization_no=GRID_COMPANY_ORG_NO)
    contract, _ = FlexContract.objects.get_or_create(participant=company, name=CONTRACT_NAME)
    contract.zones.add(zone)
    return zone, grid_user


def _enrol(users, zone: SearchFilter) -> list[SmartHomeDevice]:
    devices = list(
        SmartHomeDevice.objects.filter(
            asset__external_id__startswith="DEMO-DV-",
            device_type__in=list(ENROLMENT),
            asset__delivery_point__contract__customer__accesses__user__in=users,
        )
        .distinct()
        .order_by("asset_id")
    )
    for device in devices:
        power, need, start, end = ENROLMENT[device.device_type]
        ControllableDevice.objects.get_or_create(
            device=device,
            defaults={
                "zone": zone,
                "power_kw": power,
                "daily_energy_kwh": need,
                "window_start_hour": start,
                "window_end_hour": end,
            },
        )
        if device.device_type == DeviceType.EvCharger and not hasattr(device.asset, "baseline_config"):
            services.set_baseline(asset=device.asset, method=BaselineMethod.HighXOfY, days=10, high_count=5)
    return devices


def _request(zone: SearchFilter, grid_user: User, day: dt.date) -> None:
    tz = ZoneInfo(selectors.DEFAULT_TIME_ZONE)
    times = [dt.datetime.combine(day, dt.time(hour), tz).astimezone(dt.UTC) for hour in REQUEST_HOURS]
    ts_type = ControlPlanRequestTsType.LoadReduction
    end = times[-1] + dt.timedelta(hours=1)
    if selectors.overlapping_request(zone=zone, ts_type=ts_type, start=times[0], end=end) is None:
        services.create_control_plan_request(
            user=grid_user, zone=zone, ts_type=ts_type, values=[(t, REQUEST_KW) for t in times]
        )


def _site(users, devices: list[SmartHomeDevice]) -> None:
    demo1 = next((u for u in users if u.username == DEMO_LOGINS[0].username), None)
    point = (
        DeliveryPoint.objects.filter(contract__customer__accesses__user=demo1, contract__customer__area=Area.POWER)
        .order_by("id")
        .first()
    )
    if point is None or SiteSettings.objects.filter(site=point).exists():
        return
    own = sorted((d for d in devices if d.asset.delivery_point_id == point.pk), key=lambda d: -d.device_type)
    if own:
        services.save_site_settings(
            site=point,
            threshold_kw=SITE_THRESHOLD_KW,
            hysteresis_kw=SITE_HYSTERESIS_KW,
            device_ids=[d.pk for d in own],  # the charger (EvCharger) is shed first
            replace=False,
        )


def seed(*, users, days: int = 0, progress=None, now: dt.datetime | None = None) -> None:
    users = _demo_users(users)
    grid = _grid_side() if users else None
    if grid is None:  # no demo logins, or the assets demo has not run
        return
    zone, grid_user = grid
    devices = _enrol(users, zone)
    if not devices:
        return
    _site(users, devices)
    today = market_date(now or timezone.now())
    plan_days = [today + dt.timedelta(days=n) for n in range(-min(days, HISTORY_DAYS), 2)]
    enrolled = selectors.enrolled_devices().filter(device__in=devices)
    for done, day in enumerate(plan_days, 1):
        _request(zone, grid_user, day)
        services.plan_day(day=day, devices=enrolled, send=day >= today)
        if progress is not None:
            progress(done, len(plan_days))
