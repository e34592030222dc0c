"""Reads of the flex app: plans with their intervals, the inputs of the planner (prices, grid
reductions, controllable hours), zones and requests, sites, and delivered flexibility."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet

from apps.assets.public import SearchFilter, SmartHomeDevice
from apps.customers.public import DeliveryPoint, Meter
from apps.metering.public import Resolution, consumption_series
from apps.pricing.public import spot_rows
from apps.pricing.public import zone as bidding_zone

from . import baseline
from .models import (
    TS_TYPE_MINUTES,
    BaselineConfig,
    ControllableDevice,
    ControlPlan,
    ControlPlanInterval,
    ControlPlanRequest,
    ControlPlanRequestValue,
    EtProfile,
)
from .planner import PriceInterval, window_hours

UTC = dt.UTC
DEFAULT_TIME_ZONE = "Europe/Oslo"


def local_day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tz).astimezone(UTC)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tz).astimezone(UTC)
    return start, end


# --- plans ------------------------------------------------------------------------------------


def device_plans(*, device: ControllableDevice | None) -> QuerySet[ControlPlan]:
    """A device's plans, newest first, with intervals and decline (a constant number of queries)."""
    if device is None:
        return ControlPlan.objects.none()
    return (
        ControlPlan.objects.filter(device=device)
        .select_related("decline")
        .prefetch_related(Prefetch("intervals", queryset=ControlPlanInterval.objects.order_by("start_at")))
        .order_by("-start_at", "-created_at")
    )


# --- planner inputs ---------------------------------------------------------------------------


def day_prices(*, area: str, day: dt.date, tz: ZoneInfo) -> list[PriceInterval]:
    """The spot prices of the local day (empty when not published)."""
    start, end = local_day_bounds(day, tz)
    rows = spot_rows(zone=bidding_zone(area), from_time=start, to_time=end, include_preliminary=True, use_cache=True)
    return [
        PriceInterval(
            start=dt.datetime.fromtimestamp(row[0], UTC),
            end=dt.datetime.fromtimestamp(row[0] + row[6] * 60, UTC),
            price=Decimal(str(row[2])),
        )
        for row in rows
    ]


def zone_reductions(*, zone_ids, start: dt.datetime, end: dt.datetime) -> dict[int, list[tuple]]:
    """Per zone, the (start, end) of every requested reduction (value > 0) overlapping [start, end)."""
    values = ControlPlanRequestValue.objects.filter(
        request__zone_id__in=list(zone_ids), time__lt=end, value__gt=0, time__gte=start - dt.timedelta(hours=1)
    ).values_list("request__zone_id", "request__ts_type", "time")
    found: dict[int, list[tuple]] = defaultdict(list)
    for zone_id, ts_type, time in values:
        found[zone_id].append((time, time + dt.timedelta(minutes=TS_TYPE_MINUTES[ts_type])))
    return found


def reduced_starts(prices: list[PriceInterval], reductions: list[tuple]) -> frozenset[dt.datetime]:
    """The price intervals that overlap a requested reduction."""
    return frozenset(p.start for p in prices if any(s < p.end and p.start < e for s, e in reductions))


def controllable_starts(
    *, device: ControllableDevice, prices: list[PriceInterval], tz: ZoneInfo, profiles: list[EtProfile]
) -> frozenset[dt.datetime]:
    """Intervals in the device's energy window and, when the asset has ET profiles, in the profile
    of that weekday (an asset with profiles but none for the weekday is not controlled that day)."""
    hours = window_hours(device.window_start_hour, device.window_end_hour)
    by_weekday = {p.weekday: p for p in profiles}
    starts = set()
    for p in prices:
        local = p.start.astimezone(tz)
        if local.hour not in hours:
            continue
        if profiles:
            profile = by_weekday.get((local.isoweekday()) % 7)  # .NET DayOfWeek: Sunday 0
            if profile is None or not (profile.from_hour <= local.hour < profile.to_hour):
                continue
        starts.add(p.start)
    return frozenset(starts)


def enrolled_devices() -> QuerySet[ControllableDevice]:
    return (
        ControllableDevice.objects.filter(enrolled=True)
        .select_related("device__asset__delivery_point")
        .prefetch_related(Prefetch("device__asset__et_profiles", queryset=EtProfile.objects.order_by("weekday")))
        .order_by("device_id")
    )


def device_area(device: ControllableDevice) -> str:
    point = device.device.asset.delivery_point
    return point.price_area if point is not None else "NO1"


# --- zones and requests -----------------------------------------------------------------------


def requests_in(*, zone: SearchFilter, ts_type: int, from_time: dt.datetime, to_time: dt.datetime) -> dict:
    values = list(
        ControlPlanRequestValue.objects.filter(
            request__zone=zone, request__ts_type=ts_type, time__gte=from_time, time__lt=to_time
        )
        .select_related("request")
        .order_by("time")
    )
    latest = max(values, key=lambda v: (v.request.created_at, v.request_id), default=None)
    return {
        "zone_id": zone.pk,
        "ts_type_id": ts_type,
        "user_id": str(latest.request.requested_by_id) if latest else "",
        "values": [{"time": v.time, "value": v.value} for v in values],
    }


def overlapping_request(*, zone: SearchFilter, ts_type: int, start: dt.datetime, end: dt.datetime):
    return ControlPlanRequest.objects.filter(zone=zone, ts_type=ts_type, start_at__lt=end, end_at__gt=start).first()


# --- sites ------------------------------------------------------------------------------------


def customer_sites(*, customer) -> QuerySet[DeliveryPoint]:
    return (
        DeliveryPoint.objects.filter(contract__customer=customer)
        .select_related("flex_settings")
        .prefetch_related("meters")
        .order_by("id")
    )


def site_devices(*, site: DeliveryPoint) -> QuerySet[SmartHomeDevice]:
    return (
        SmartHomeDevice.objects.filter(asset__delivery_point=site)
        .select_related("asset")
        .prefetch_related("values")
        .order_by("asset_id")
    )


# --- delivered flexibility --------------------------------------------------------------------


def _bucket_minutes(intervals: list[ControlPlanInterval]) -> int:
    """Hourly buckets unless an interval is shorter (quarter-hour prices): then quarter hours."""
    shortest = min(int((i.end_at - i.start_at).total_seconds() // 60) for i in intervals)
    return 60 if shortest >= 60 else 15


def _sum_or_none(values) -> Decimal | None:
    values = list(values)
    if not values or any(v is None for v in values):
        return None
    return sum(values, Decimal(0))


def plans_flexibility(*, plans: list[ControlPlan], asset, now: dt.datetime) -> dict[object, dict[dt.datetime, tuple]]:
    """Per plan id, per interval start: (baseline, measured, delivered) of the plans whose period has
    passed (the others are absent), as shown (`baseline.flexibility`: delivered = the shown baseline −
    the shown measured). `plans` are one device's (`asset`), intervals prefetched.

    Measured is the consumption of the site's meter (the asset's delivery point) from metering, the
    sum of its buckets in the interval; the baseline of an interval is the sum of its buckets'
    baselines, each from the asset's `BaselineConfig` (default: average of the last 10 similar days).
    One meter, one config and one consumption series for the whole page: a constant number of queries."""
    past = [p for p in plans if p.end_at <= now and p.intervals.all()]
    if not past:
        return {}
    meter = Meter.objects.filter(delivery_point_id=asset.delivery_point_id).order_by("id").first()
    if meter is None:
        return {}
    config = BaselineConfig.objects.filter(asset=asset).first()
    method = config.method if config else baseline.DEFAULT_METHOD
    days = config.days if config else baseline.DEFAULT_DAYS
    high = config.high_count if config else None
    intervals = [i for p in past for i in p.intervals.all()]
    minutes = _bucket_minutes(intervals)
    lookback = min(baseline.MAX_LOOKBACK_DAYS, days * 3 + 7)  # enough calendar days for N similar ones
    series = consumption_series(
        meter=meter,
        from_time=min(p.start_at for p in past) - dt.timedelta(days=lookback),
        to_time=max(p.end_at for p in past),
        resolution=Resolution.QuarterHour if minutes == 15 else Resolution.Hour,
    )
    tz = ZoneInfo(asset.default_time_zone or DEFAULT_TIME_ZONE)
    history: dict[tuple, dict[dt.date, Decimal]] = defaultdict(dict)  # (local hour, minute) -> day -> value
    measured: dict[dt.datetime, Decimal | None] = {}
    for start, value, _status in series:
        measured[start] = value
        if value is not None:
            local = start.astimezone(tz)
            history[(local.hour, local.minute)][local.date()] = value

    def bucket_baseline(start: dt.datetime) -> Decimal | None:
        local = start.astimezone(tz)
        return baseline.baseline_value(
            method=method, days=days, high_count=high, day=local.date(), history=history[(local.hour, local.minute)]
        )

    step = dt.timedelta(minutes=minutes)
    out: dict[object, dict[dt.datetime, tuple]] = {}
    for plan in past:
        per_interval = out[plan.pk] = {}
        for interval in plan.intervals.all():
            buckets = []
            moment = interval.start_at
            while moment < interval.end_at:
                buckets.append(moment)
                moment += step
            base = _sum_or_none(bucket_baseline(b) for b in buckets)
            value = _sum_or_none(measured.get(b) for b in buckets)
            per_interval[interval.start_at] = baseline.flexibility(base, value)
    return out
