"""A flex world per Owner, on top of the assets tests' devices world: the owner's heater enrolled
in the zone of their grid company, a plan for a past day and one for tomorrow, a flexibility
contract with the zone, site settings, and the demand_response privilege. Cached on the Owner."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

from django.contrib.auth.models import Permission
from django.utils import timezone

from apps.flex.models import (
    BaselineMethod,
    ControlPlan,
    ControlPlanInterval,
    IntervalSource,
)
from tests.assets import devices_world, graph_world
from tests.flex.factories import (
    BaselineConfigFactory,
    ControllableDeviceFactory,
    ControlPlanFactory,
    FlexContractFactory,
    SiteDeviceFactory,
    SiteSettingsFactory,
)


def grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="customers"))
    for cache in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache, None)


def make_plan(device, *, start: dt.datetime, hours: int = 4) -> ControlPlan:
    plan = ControlPlanFactory(device=device, zone=device.zone, start_at=start, end_at=start + dt.timedelta(hours=hours))
    ControlPlanInterval.objects.bulk_create(
        [
            ControlPlanInterval(
                plan=plan,
                start_at=start + dt.timedelta(hours=h),
                end_at=start + dt.timedelta(hours=h + 1),
                is_on=h % 2 == 0,
                power_limit_kw=Decimal(2) if h % 2 == 0 else Decimal(0),
                source=IntervalSource.Price,
            )
            for h in range(hours)
        ]
    )
    return plan


def build(owner) -> SimpleNamespace:
    cached = getattr(owner, "_flex_world", None)
    if cached is not None:
        return cached
    devices = devices_world.build(owner)
    graph = graph_world.build(owner)
    grant(owner.user, "demand_response")
    device = devices.device
    flex = ControllableDeviceFactory(device=device, zone=graph.zone, power_kw=Decimal(2), daily_energy_kwh=Decimal(4))
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    past = make_plan(flex, start=now - dt.timedelta(days=2))
    future = make_plan(flex, start=now + dt.timedelta(days=1))
    contract = FlexContractFactory(participant=graph.participant, name=f"Flex {owner.user.pk}")
    contract.zones.add(graph.zone)
    site_settings = SiteSettingsFactory(site=owner.delivery_point, threshold_kw=Decimal(5))
    SiteDeviceFactory(settings=site_settings, device=device, position=0)
    BaselineConfigFactory(asset=device.asset, method=BaselineMethod.AverageOfSimilarDays, days=10)
    world = SimpleNamespace(
        owner=owner,
        graph=graph,
        device=device,
        flex=flex,
        past_plan=past,
        future_plan=future,
        contract=contract,
        zone=graph.zone,
        site_settings=site_settings,
    )
    owner._flex_world = world
    return world
