"""Demo interval data for `manage.py seed_demo`: plausible, deterministic hourly history.

Every meter of the given users' customers gets hourly consumption for `days` days up to the
hour of `now` (seed_demo's clock, `demo_now` in apps/customers/demo.py): a base load, a daily
shape (morning and evening peaks), heating that follows the temperature of the meter's weather
station (so winter is higher than summer), and noise seeded
per meter and day, so the same hour always gets the same value. A few hours are estimated or
missing, as real meter data is. The weather stations get the same temperatures as observations.
Runs are idempotent: only hours not loaded yet are added (through the same COPY path as
`import_readings`).
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from zoneinfo import ZoneInfo

from django.db.models import Max, Min
from django.utils import timezone

from apps.customers.public import Meter

from . import series, services
from .models import MeterDay, MeterSettings, Quality, WeatherObservation
from .weather import demo_temperature

HOUR = dt.timedelta(hours=1)
# Relative use by local hour of day: night low, morning and evening peaks.
DAILY_SHAPE = [
    0.55, 0.5, 0.48, 0.47, 0.48, 0.55, 0.8, 1.15, 1.2, 0.95, 0.85, 0.85,
    0.9, 0.85, 0.85, 0.95, 1.15, 1.4, 1.5, 1.45, 1.3, 1.1, 0.85, 0.65,
]  # fmt: skip


def _station_code(meter: Meter, stations: dict[str, str]) -> str:
    return stations.get(meter.delivery_point.price_area, "SN18700")


def meter_hours(meter: Meter, code: str, start: dt.datetime, end: dt.datetime):
    """Hourly rows (meter pk, start_at, 60, value, status) for [start, end); deterministic per meter and hour."""
    seed = zlib.crc32(meter.meter_id.encode())
    profile = random.Random(seed)
    base = profile.uniform(0.15, 0.45)  # kWh per hour that always runs
    size = profile.uniform(0.6, 1.8)  # household size factor
    heat = profile.uniform(0.05, 0.14)  # kWh per hour per °C below 16 °C
    zone = ZoneInfo(meter.time_zone or "Europe/Oslo")
    # Always start at local midnight, so every hour sees the same draws whatever the gap's start.
    local_start = start.astimezone(zone)
    moment = local_start.replace(hour=0, minute=0, second=0, microsecond=0).astimezone(dt.UTC)
    day_rng = None
    day_key = None
    while moment < end:
        local = moment.astimezone(zone)
        if local.date() != day_key:
            day_key = local.date()
            day_rng = random.Random(seed ^ day_key.toordinal())
        noise = day_rng.gauss(1.0, 0.12)
        chance = day_rng.random()
        temperature = demo_temperature(code, moment)
        value = (base + 0.35 * size * DAILY_SHAPE[local.hour] + heat * size * max(0.0, 16.0 - temperature)) * noise
        if moment < start or chance < 0.0005:
            pass  # before the gap, or a missing hour: no row at all
        else:
            status = Quality.Estimated if chance < 0.003 else Quality.Measured
            yield (meter.pk, moment, 60, round(max(value, 0.0), 3), int(status))
        moment += HOUR


def _gaps(existing_first, existing_last, start, end):
    """The parts of [start, end) not between the first and last hour already loaded."""
    if existing_first is None:
        return [(start, end)]
    gaps = []
    if start < existing_first:
        gaps.append((start, existing_first))
    if existing_last + HOUR < end:
        gaps.append((max(start, existing_last + HOUR), end))
    return gaps


def stored_bounds(meters: list[Meter]) -> dict[int, tuple[dt.datetime, dt.datetime]]:
    """The starts of the first and the last stored interval with a value of each meter that has any:
    its first and last stored days, decoded."""
    days = (
        MeterDay.objects.filter(meter__in=meters)
        .values("meter_id")
        .annotate(first=Min("day"), last=Max("day"))
        .values_list("meter_id", "first", "last")
    )
    bounds = {}
    for meter_id, first, last in days:
        rows = MeterDay.objects.filter(meter_id=meter_id, day__in={first, last}).order_by("day")
        starts = [
            start
            for start, _, value, _ in series.intervals(list(rows.values_list("day", "minutes", "values", "statuses")))
            if value is not None
        ]
        if starts:
            bounds[meter_id] = (starts[0], starts[-1])
    return bounds


def _building(meter: Meter) -> dict:
    profile = random.Random(zlib.crc32(meter.meter_id.encode()) + 1)
    return {
        "name": "Home",
        "building_year": profile.randint(1950, 2020),
        "heating_area": profile.randint(60, 220),
        "residents": profile.randint(1, 5),
    }


def seed(*, users, days: int, progress=None, now: dt.datetime | None = None) -> None:
    stations = {s.price_area: s for s in services.ensure_default_stations()}
    end = (now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    start = (end - dt.timedelta(days=days)).replace(hour=0)
    if days <= 0:
        return

    codes = {area: station.code for area, station in stations.items()}
    for station in stations.values():
        bounds = WeatherObservation.objects.filter(station=station).aggregate(
            first=Min("observed_at"), last=Max("observed_at")
        )
        for gap_start, gap_end in _gaps(bounds["first"], bounds["last"], start, end):
            services.fetch_observations(station=station, start=gap_start, end=gap_end)

    meters = list(
        Meter.objects.filter(delivery_point__contract__customer__accesses__user__in=users)
        .select_related("delivery_point")
        .distinct()
        .order_by("pk")
    )
    bounds = stored_bounds(meters)
    for done, meter in enumerate(meters, start=1):
        code = _station_code(meter, codes)
        first, last = bounds.get(meter.pk, (None, None))
        rows = (
            row
            for gap_start, gap_end in _gaps(first, last, start, end)
            for row in meter_hours(meter, code, gap_start, gap_end)
        )
        services.load_intervals(rows=rows)
        MeterSettings.objects.get_or_create(meter=meter, defaults=_building(meter))
        if progress and (done % 50 == 0 or done == len(meters)):
            progress(done, len(meters))
