"""Writes of the flex app (keyword-only): planning, declines, sends, grid requests, site settings,
load shedding, ET profiles, baselines and sequential control. Views and tasks call these."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from apps.assets.public import SearchFilter, SmartHomeDevice, TimeSeriesTypeClass
from apps.customers.public import DeliveryPoint
from apps.metering.public import LiveValue, TimeSeriesType
from esmart.celery import enqueue_on_commit

from . import selectors, shedding
from .models import (
    TS_TYPE_MINUTES,
    BaselineConfig,
    ControllableDevice,
    ControlPlan,
    ControlPlanDecline,
    ControlPlanInterval,
    ControlPlanRequest,
    ControlPlanRequestValue,
    DeviceCommand,
    EtProfile,
    SheddingAction,
    SiteDevice,
    SiteSettings,
)
from .planner import PlannedInterval, plan_intervals

UTC = dt.UTC


class ConflictError(Exception):
    """A write that would contradict stored data (the view answers 409)."""


def _wire_time(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


# --- planning -------------------------------------------------------------------------------


def _same(intervals: list[ControlPlanInterval], planned: list[PlannedInterval]) -> bool:
    return [(i.start_at, i.is_on, i.power_limit_kw, i.source) for i in intervals] == [
        (p.start, p.is_on, p.power_limit_kw, p.source) for p in planned
    ]


INTERVAL_COLUMNS = ("plan_id", "start_at", "end_at", "is_on", "power_limit_kw", "source", "price_nok_per_kwh")


def _interval_rows(plan: ControlPlan, planned: list[PlannedInterval]) -> list[tuple]:
    return [(plan.pk, p.start, p.end, p.is_on, p.power_limit_kw, p.source, p.price) for p in planned]


def _store_intervals(rows: list[tuple]) -> None:
    """Inserts plan intervals (rows in INTERVAL_COLUMNS order). A day of quarter hours for 10,000
    devices is about a million rows: PostgreSQL gets them by COPY, without a model instance per row."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = ControlPlanInterval._meta.db_table
        with (
            connection.cursor() as wrapper,
            wrapper.cursor.copy(f"COPY {table} ({', '.join(INTERVAL_COLUMNS)}, declined) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row((*row, False))
        return
    ControlPlanInterval.objects.bulk_create(
        [ControlPlanInterval(**dict(zip(INTERVAL_COLUMNS, row, strict=True))) for row in rows], batch_size=5000
    )


def plan_day(*, day: dt.date, devices=None, prices_by_area: dict | None = None, send: bool = True) -> dict:
    """Plans `day` (local) for every enrolled device (or `devices`); idempotent.

    A device without prices for its area that day (not published yet) is skipped; a plan that
    exists unchanged is left alone; a changed one is replaced with the next version, unless the
    customer declined it. New and changed plans are queued for sending after commit (unless not
    `send`: the demo's history of past days).
    Returns counts {created, updated, unchanged, skipped}.
    """
    devices = list(selectors.enrolled_devices() if devices is None else devices)
    prices_by_area = {} if prices_by_area is None else prices_by_area
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    zone_ids = {d.zone_id for d in devices if d.zone_id}
    tz_default = ZoneInfo(selectors.DEFAULT_TIME_ZONE)
    start, end = selectors.local_day_bounds(day, tz_default)
    reductions = selectors.zone_reductions(zone_ids=zone_ids, start=start, end=end) if zone_ids else {}
    existing = {
        p.device_id: p
        for p in ControlPlan.objects.filter(device__in=devices, start_at=start)
        .select_related("decline")
        .prefetch_related("intervals")
    }
    new_plans, changed, new_intervals, to_send = [], [], [], []
    with transaction.atomic():
        for device in devices:
            area = selectors.device_area(device)
            if area not in prices_by_area:
                prices_by_area[area] = selectors.day_prices(area=area, day=day, tz=tz_default)
            prices = prices_by_area[area]
            if not prices:
                counts["skipped"] += 1
                continue
            tz = ZoneInfo(device.device.asset.default_time_zone or selectors.DEFAULT_TIME_ZONE)
            planned = plan_intervals(
                prices=prices,
                power_kw=device.power_kw,
                need_kwh=device.daily_energy_kwh,
                controllable=selectors.controllable_starts(
                    device=device, prices=prices, tz=tz, profiles=list(device.device.asset.et_profiles.all())
                ),
                reduced=selectors.reduced_starts(prices, reductions.get(device.zone_id, [])),
            )
            plan = existing.get(device.pk)
            if plan is None:
                plan = ControlPlan(device=device, zone_id=device.zone_id, start_at=start, end_at=end)
                new_plans.append(plan)
                new_intervals.extend(_interval_rows(plan, planned))
                to_send.append(plan)
                counts["created"] += 1
            elif hasattr(plan, "decline") or _same(list(plan.intervals.all()), planned):
                counts["unchanged"] += 1
            else:  # replanned (a grid request came, prices were corrected): the next version
                plan.version += 1
                plan.zone_id = device.zone_id
                plan.updated_at = timezone.now()
                changed.append(plan)
                new_intervals.extend(_interval_rows(plan, planned))
                to_send.append(plan)
                counts["updated"] += 1
        if changed:  # in bulk too: a zone's request can change every plan of the zone
            ControlPlanInterval.objects.filter(plan__in=changed).delete()
            ControlPlan.objects.bulk_update(changed, ["version", "zone", "updated_at"], batch_size=2000)
        ControlPlan.objects.bulk_create(new_plans, batch_size=2000)
        _store_intervals(new_intervals)
        if send:
            queue_plan_sends(plans=to_send)
    return counts


# --- sending ----------------------------------------------------------------------------------


def plan_controls(plan: ControlPlan, intervals=None) -> dict:
    """The plan in the original's `Controls` shape: the power limit (kW) per remaining interval."""
    intervals = plan.intervals.all() if intervals is None else intervals
    return {
        "ValueCategory": int(TimeSeriesTypeClass.Power),
        "Plan": [
            {"ValueTime": _wire_time(i.start_at), "Value": float(i.power_limit_kw)} for i in intervals if not i.declined
        ],
    }


def queue_plan_sends(*, plans: list[ControlPlan]) -> None:
    """One DeviceCommand per (plan, version), so a version is sent at most once; sent after commit."""
    if not plans:
        return
    known = set(DeviceCommand.objects.filter(plan__in=plans).values_list("plan_id", "plan_version"))
    commands = [
        DeviceCommand(
            device_id=plan.device_id,
            kind=DeviceCommand.Kind.PLAN,
            plan=plan,
            plan_version=plan.version,
            payload={},  # written at send time: the plan's intervals as they are then
        )
        for plan in plans
        if (plan.pk, plan.version) not in known
    ]
    DeviceCommand.objects.bulk_create(commands, batch_size=2000)
    from .tasks import send_device_commands

    ids = list(
        DeviceCommand.objects.filter(plan__in=plans, status=DeviceCommand.Status.QUEUED).values_list("id", flat=True)
    )
    if ids:
        enqueue_on_commit(send_device_commands, command_ids=ids)


def send_command(*, command_id: int, adapter) -> bool:
    """Sends one queued command through `adapter`; False when it was already sent (a redelivery) or
    its plan version was replaced meanwhile (superseded: the newer version has a command of its own)."""
    with transaction.atomic():
        command = (
            DeviceCommand.objects.select_for_update().filter(pk=command_id, status=DeviceCommand.Status.QUEUED).first()
        )
        if command is None:
            return False
        if command.plan_id is not None:  # built at send time: the plan's intervals as they are now
            plan = ControlPlan.objects.prefetch_related("intervals").get(pk=command.plan_id)
            if plan.version != command.plan_version:  # its own command sends the newer version
                command.status = DeviceCommand.Status.SUPERSEDED
                command.result = f"Superseded by version {plan.version}."
                command.save(update_fields=["status", "result"])
                return False
            command.payload = {"Controls": plan_controls(plan)}
        try:
            command.result = str(adapter.send(device_id=command.device_id, controls=command.payload["Controls"]))[:500]
            command.status = DeviceCommand.Status.SENT
        except Exception as error:  # an adapter's failure is logged on the command, not raised
            command.result = f"{type(error).__name__}: {error}"[:500]
            command.status = DeviceCommand.Status.FAILED
        command.sent_at = timezone.now()
        command.save(update_fields=["payload", "result", "status", "sent_at"])
        return True


def queue_commands(*, device: SmartHomeDevice, kind: str, controls: dict, user=None) -> DeviceCommand:
    from .tasks import send_device_commands

    command = DeviceCommand.objects.create(device=device, kind=kind, payload={"Controls": controls}, requested_by=user)
    enqueue_on_commit(send_device_commands, command_ids=[command.pk])
    return command


# --- declines ---------------------------------------------------------------------------------


def decline_plan(*, plan: ControlPlan, user, reason: str = "", now: dt.datetime | None = None) -> bool:
    """Takes the device out of the plan's remaining intervals; past ones stay as executed.

    Idempotent: a declined plan is not declined again (False)."""
    now = now or timezone.now()
    plan = ControlPlan.objects.select_for_update().get(pk=plan.pk)
    if ControlPlanDecline.objects.filter(plan=plan).exists():
        return False
    remaining = list(plan.intervals.filter(end_at__gt=now, declined=False))
    decline = ControlPlanDecline.objects.create(plan=plan, declined_by=user, declined_at=now, reason=reason or "")
    decline.removed_intervals.set(remaining)
    ControlPlanInterval.objects.filter(pk__in=[i.pk for i in remaining]).update(declined=True)
    plan.version += 1
    plan.save(update_fields=["version", "updated_at"])
    queue_plan_sends(plans=[plan])
    return True


# --- control-plan requests -------------------------------------------------------------------


def create_control_plan_request(
    *, user, zone: SearchFilter, ts_type: int, values: list[tuple[dt.datetime, Decimal]]
) -> ControlPlanRequest:
    minutes = TS_TYPE_MINUTES[ts_type]
    times = sorted(t for t, _ in values)
    start, end = times[0], times[-1] + dt.timedelta(minutes=minutes)
    SearchFilter.objects.select_for_update().filter(pk=zone.pk).first()  # serialises posts per zone
    clash = selectors.overlapping_request(zone=zone, ts_type=ts_type, start=start, end=end)
    if clash is not None:
        raise ConflictError(
            f"Request {clash.pk} for this zone and type already covers "
            f"{_wire_time(clash.start_at)} to {_wire_time(clash.end_at)}."
        )
    request = ControlPlanRequest.objects.create(
        zone=zone, ts_type=ts_type, requested_by=user, start_at=start, end_at=end
    )
    ControlPlanRequestValue.objects.bulk_create(
        [ControlPlanRequestValue(request=request, time=t, value=v) for t, v in values]
    )
    return request


# --- demand and control -----------------------------------------------------------------------


def save_site_settings(
    *, site: DeliveryPoint, threshold_kw: Decimal, hysteresis_kw: Decimal | None, device_ids: list[int], replace: bool
) -> SiteSettings:
    """Creates or updates the site's settings; `replace` (PUT) needs existing settings (404 otherwise,
    raised by the caller). Every device must be one of the site's own (a 400 naming them)."""
    own = set(selectors.site_devices(site=site).values_list("asset_id", flat=True))
    foreign = [d for d in device_ids if d not in own]
    if foreign:
        raise ValidationError({"DeviceOrder": [f"Not a device of this site: {', '.join(map(str, foreign))}."]})
    if len(set(device_ids)) != len(device_ids):
        raise ValidationError({"DeviceOrder": ["A device is listed twice."]})
    settings_, _ = SiteSettings.objects.select_for_update().get_or_create(
        site=site, defaults={"threshold_kw": threshold_kw}
    )
    settings_.threshold_kw = threshold_kw
    if hysteresis_kw is not None or replace:
        settings_.hysteresis_kw = hysteresis_kw if hysteresis_kw is not None else Decimal("0.5")
    settings_.save()
    shed = set(settings_.devices.filter(is_shed=True).values_list("device_id", flat=True))
    settings_.devices.all().delete()
    SiteDevice.objects.bulk_create(
        [SiteDevice(settings=settings_, device_id=d, position=n, is_shed=d in shed) for n, d in enumerate(device_ids)]
    )
    return settings_


def delete_site_settings(*, site_settings: SiteSettings) -> None:
    site_settings.delete()


def _draw_kw(device_id: int, flex: dict, values: dict) -> float:
    if device_id in flex:
        return float(flex[device_id])
    return float(values.get(device_id, 0))


def evaluate_site(*, site_settings: SiteSettings, now: dt.datetime | None = None) -> tuple[list[int], list[int]]:
    """Sheds or restores the site's devices for its latest power (metering's live ActivePower of
    its meter); logs every action with that power and queues the command to the device."""
    now = now or timezone.now()
    site = site_settings.site
    meter_ids = list(site.meters.values_list("meter_id", flat=True))
    live = (
        LiveValue.objects.filter(object_key__in=meter_ids, type=TimeSeriesType.ActivePower)
        .order_by("-value_time")
        .first()
    )
    if live is None:
        return [], []
    rows = list(SiteDevice.objects.select_for_update().filter(settings=site_settings).order_by("position"))
    ids = [r.device_id for r in rows]
    flex = dict(ControllableDevice.objects.filter(pk__in=ids).values_list("pk", "power_kw"))
    from apps.assets.public import DeviceValue

    values = dict(
        DeviceValue.objects.filter(device_id__in=ids, value_category=TimeSeriesTypeClass.Power).values_list(
            "device_id", "value"
        )
    )
    order = [shedding.OrderedDevice(r.device_id, r.is_shed, _draw_kw(r.device_id, flex, values)) for r in rows]
    to_shed, to_restore = shedding.decide(
        power_kw=live.value,
        threshold_kw=float(site_settings.threshold_kw),
        hysteresis_kw=float(site_settings.hysteresis_kw),
        order=order,
    )
    for action, device_ids, value in (
        (SheddingAction.Action.SHED, to_shed, 0),
        (SheddingAction.Action.RESTORE, to_restore, 1),
    ):
        for device_id in device_ids:
            SiteDevice.objects.filter(settings=site_settings, device_id=device_id).update(
                is_shed=action == SheddingAction.Action.SHED
            )
            SheddingAction.objects.create(
                site=site,
                device_id=device_id,
                action=action,
                power_kw=live.value,
                threshold_kw=site_settings.threshold_kw,
                measured_at=live.value_time,
            )
            queue_commands(
                device=SmartHomeDevice(asset_id=device_id),
                kind=action,
                controls={
                    "ValueCategory": int(TimeSeriesTypeClass.OnOff),
                    "Plan": [{"ValueTime": None, "Value": value}],
                },
            )
    return to_shed, to_restore


# --- ET profiles and baselines -----------------------------------------------------------------


def set_et_profiles(*, asset, profiles: list[dict]) -> list[EtProfile]:
    """Sets the profile of each weekday given (others stay)."""
    for profile in profiles:
        EtProfile.objects.update_or_create(
            asset=asset,
            weekday=profile["weekday"],
            defaults={"from_hour": profile["from_hour"], "to_hour": profile["to_hour"]},
        )
    return list(asset.et_profiles.order_by("weekday"))


def delete_et_profiles(*, asset, weekdays: list[int] | None = None) -> int:
    profiles = asset.et_profiles.all()
    if weekdays is not None:
        profiles = profiles.filter(weekday__in=weekdays)
    return profiles.delete()[0]


def set_baseline(*, asset, method: int, days: int, high_count: int | None) -> BaselineConfig:
    config, _ = BaselineConfig.objects.update_or_create(
        asset=asset, defaults={"method": method, "days": days, "high_count": high_count}
    )
    return config


def delete_baseline(*, asset) -> int:
    return BaselineConfig.objects.filter(asset=asset).delete()[0]
