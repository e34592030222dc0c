"""Reads of the metering app: consumption and temperature series, settings, readings.

Consumption comes from the stored meter days through one engine on every database (series.py on
daystore.py). Temperatures are aggregated in the database on PostgreSQL (generate_series of the
buckets, date_trunc in the series' time zone, a LEFT JOIN so that empty buckets come back as
missing) and in Python elsewhere; the tests run both paths against the same expectations.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import orjson
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum

from apps.customers.public import Meter
from esmart.replica import connection_for, heavy_read

from . import capacity, compare, conf, series
from .models import (
    CimExportLog,
    CimExportStatus,
    CimSubExportLog,
    LiveValue,
    MeterDay,
    MeterSettings,
    Quality,
    Resolution,
    TimeSeriesType,
    WattmeterType,
    WeatherObservation,
    WeatherStation,
)
from .timeseries import SQL_STEP, SQL_TRUNC_UNIT, Window, one_year_earlier, window

TENTH = Decimal("0.1")
UNITS = {Meter.Kind.ELECTRICITY: "kWh", Meter.Kind.DISTRICT_HEATING: "kWh", Meter.Kind.WATER: "m3"}
TEMPERATURE_UNIT = "°C"


def meter_time_zone(meter: Meter, time_zone: str | None = None) -> ZoneInfo:
    return ZoneInfo(time_zone or meter.time_zone or "Europe/Oslo")


def unit_of(meter: Meter) -> str:
    return UNITS.get(meter.kind, "kWh")


def own_resolution(*, meter: Meter) -> Resolution:
    """The meter's own interval length (of its latest value), for a request with Resolution None (0)."""
    minutes = MeterDay.objects.filter(meter=meter).order_by("-day").values_list("minutes", flat=True).first()
    return Resolution.QuarterHour if minutes == 15 else Resolution.Hour


# --- PostgreSQL ---------------------------------------------------------------------------------

_PG_BUCKETS = """
WITH buckets AS (
    SELECT (l AT TIME ZONE %(tz)s) AS bucket_start, ((l + %(step)s::interval) AT TIME ZONE %(tz)s) AS bucket_end
    FROM generate_series(%(first)s::timestamp, %(last)s::timestamp, %(step)s::interval) AS l
), agg AS ({agg}
)
{select}
FROM buckets b LEFT JOIN agg a ON a.bucket_start = b.bucket_start
"""

_WIRE_TIME = "to_char(b.bucket_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS')"


# The JSON array of a series from its rows q (bucket_start, v the numeric value, st the status),
# written as orjson writes the Python path's floats: PostgreSQL's float8 text is the shortest that
# round-trips, as orjson's is, but a whole number needs the ".0" orjson writes (24 → 24.0). The
# rows come sorted from the subquery and the text is built in the aggregate: sorting the narrow
# rows is cheaper than sorting their text (string_agg(... ORDER BY)), about 25 % for a year.
_JSON_ARRAY = """SELECT '[' || coalesce(string_agg('{"ValueTime":' || to_json(q.bucket_start AT TIME ZONE 'UTC')::text
    || ',"Value":' || CASE WHEN q.v IS NULL THEN 'null' WHEN q.v = trunc(q.v) THEN trunc(q.v)::bigint::text || '.0'
    ELSE q.v::float8::text END || ',"Status":' || q.st || '}', ','), '') || ']' FROM ("""


_TEMPERATURE_SOURCE = """(
    SELECT observed_at AS start_at, temperature FROM metering_weatherobservation
    WHERE station_id = %(key)s AND observed_at >= %(start)s AND observed_at < %(end)s
) AS s"""


def _pg_bucket_expression(resolution: Resolution) -> str:
    if resolution == Resolution.QuarterHour:
        return "s.start_at"
    if resolution == Resolution.Hour:
        return "date_bin('1 hour', s.start_at, TIMESTAMPTZ '2000-01-01 00:00:00+00')"
    return f"date_trunc('{SQL_TRUNC_UNIT[resolution]}', s.start_at, %(tz)s)"


def _pg_series_sql(*, kind: str, key: int | None, win: Window, out: str) -> tuple[str, dict]:
    """The query of one series and its parameters. `out`: "rows" (bucket start, value, status per bucket,
    in order), "wire" (the same with the start as wire text and the value as float8) or "json" (one
    row: the wire JSON array of the series as text, written as orjson writes the Python path's)."""
    if kind != "temperature":
        raise ValueError(f"no SQL series of {kind!r}: consumption is read through series.py")
    source = _TEMPERATURE_SOURCE
    aggregates = "avg(s.temperature) AS total"
    value = "round(a.total::numeric, 1)"
    status = "CASE WHEN a.total IS NULL THEN 4000 ELSE 0 END"
    bucket = _pg_bucket_expression(win.resolution)
    agg = f"SELECT {bucket} AS bucket_start, {aggregates} FROM {source} GROUP BY 1"
    if out == "json":
        # (to_json writes a timestamp as "2013-09-17T22:39:30", faster than to_char)
        select = f"{_JSON_ARRAY}SELECT b.bucket_start, {value} AS v, {status} AS st"
        order = "ORDER BY b.bucket_start) AS q"
    elif out == "wire":
        select, order = f"SELECT {_WIRE_TIME}, ({value})::float8, {status}", "ORDER BY b.bucket_start"
    else:
        select, order = f"SELECT b.bucket_start, {value}, {status}", "ORDER BY b.bucket_start"
    params = {
        "tz": win.bucket_tz,
        "step": SQL_STEP[win.resolution],
        "first": win.local_first,
        "last": win.local_last,
        "key": key,
        "start": win.start,
        "end": win.end,
    }
    return _PG_BUCKETS.format(agg=agg, select=select) + order, params


def _pg_series(*, kind: str, key: int, win: Window, wire: bool) -> list[tuple]:
    sql, params = _pg_series_sql(kind=kind, key=key, win=win, out="wire" if wire else "rows")
    with connection_for(WeatherObservation).cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _pg_json_body(fields: list[tuple[str, str | tuple]]) -> bytes:
    """One query whose one value is the JSON object of `fields`: (wire name, a JSON literal, or a
    (kind, key, window) series that PostgreSQL aggregates and writes itself)."""
    parts, params = [], {}
    for n, (name, field) in enumerate(fields):
        prefix = "," if n else "{"
        if isinstance(field, str):
            parts.append(_sql_literal(f'{prefix}"{name}":{field}'))
            continue
        kind, key, win = field
        sql, series_params = _pg_series_sql(kind=kind, key=key, win=win, out="json")
        # Each series has its own parameters: prefix their names.
        parts.append(_sql_literal(f'{prefix}"{name}":'))
        parts.append(f"({sql.replace('%(', f'%(s{n}_')})")
        params.update({f"s{n}_{k}": v for k, v in series_params.items()})
    with connection_for(WeatherObservation).cursor() as cursor:
        cursor.execute(f"SELECT {' || '.join(parts)} || '}}'", params)
        return cursor.fetchone()[0].encode()


def _sql_literal(text: str) -> str:
    """A constant of the app's own making (wire names, units) as an SQL string literal."""
    return "'" + text.replace("'", "''").replace("%", "%%") + "'"


# --- Python (SQLite and other databases) ---------------------------------------------------------


def _py_temperature(*, key: int, win: Window) -> list[tuple]:
    rows = WeatherObservation.objects.filter(
        station_id=key, observed_at__gte=win.start, observed_at__lt=win.end
    ).values_list("observed_at", "temperature")
    starts = win.starts()
    sums = [0.0] * len(starts)
    counts = [0] * len(starts)
    for moment, temperature in rows:
        i = bisect_right(starts, moment) - 1
        sums[i] += temperature
        counts[i] += 1
    # As PostgreSQL's round(avg(temperature)::numeric, 1): the mean to 15 significant digits, then
    # half away from zero (+ 0 turns -0.0 into 0.0: numeric has no negative zero).
    return [
        (start, Decimal(f"{sums[i] / counts[i]:.15g}").quantize(TENTH, ROUND_HALF_UP) + 0, 0)
        if counts[i]
        else (start, None, int(Quality.Missing))
        for i, start in enumerate(starts)
    ]


def use_sql() -> bool:
    """Whether temperatures are aggregated by the database (PostgreSQL); tests turn it off to compare the paths."""
    return connection.vendor == "postgresql"


def _series(*, kind: str, key: int, win: Window, wire: bool) -> list | orjson.Fragment:
    if kind == "consumption":
        built = series.consumption(key, win)
        return orjson.Fragment(built.wire_json()) if wire else built.kwh()
    if use_sql():
        rows = _pg_series(kind=kind, key=key, win=win, wire=wire)
        if wire:
            return [{"ValueTime": t, "Value": v, "Status": s} for t, v, s in rows]
        return rows
    rows = _py_temperature(key=key, win=win)
    if wire:
        return [
            {"ValueTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Value": None if v is None else float(v), "Status": s}
            for t, v, s in rows
        ]
    return rows


# --- Public reads --------------------------------------------------------------------------------


@heavy_read()
def consumption_series(
    *,
    meter: Meter,
    from_time: dt.datetime,
    to_time: dt.datetime,
    resolution: Resolution,
    time_zone: str | None = None,
) -> list[tuple[dt.datetime, Decimal | None, int]]:
    """A meter's consumption in [from_time, to_time) per bucket of `resolution`, one tuple per bucket.

    Returns `[(value_time_utc, value, status), ...]` in time order, for every bucket, none dropped:
    - `value_time_utc`: the bucket's start, an aware UTC datetime. The range is widened outward to
      whole buckets. QuarterHour and Hour buckets are UTC-aligned; Day, Week (ISO, from Monday),
      Month and Year start at local midnight in `time_zone` (default: the meter's, Europe/Oslo),
      so a DST day is 23 or 25 hours and a month is exactly the sum of its days.
    - `value`: the sum of the meter's intervals in the bucket, a Decimal (kWh for electricity), or
      None when the bucket has no value.
    - `status`: `Quality` — 0 measured (complete), 1 estimated (an estimated interval, a partly
      covered bucket, or an hourly value spread over quarter hours), 4000 missing (value None).

    `resolution` must not be `Resolution.None_`. Other apps (pricing: cost per interval) use this.
    """
    if resolution == Resolution.None_:
        raise ValueError("A consumption series needs a resolution.")
    win = window(from_time, to_time, Resolution(resolution), meter_time_zone(meter, time_zone))
    return _series(kind="consumption", key=meter.pk, win=win, wire=False)


def _consumption_windows(meter, from_time, to_time, resolution, time_zone, include_last_year):
    """(resolution, window, the same window a year earlier or None) of a consumption read: the one
    set-up of consumption_response() and consumption_body(), whose outputs a test compares."""
    tz = meter_time_zone(meter, time_zone)
    resolution = Resolution(resolution)
    win = window(from_time, to_time, resolution, tz)
    if not include_last_year:
        return resolution, win, None
    return resolution, win, window(one_year_earlier(from_time, tz), one_year_earlier(to_time, tz), resolution, tz)


@heavy_read()
def consumption_response(
    *,
    meter: Meter,
    from_time: dt.datetime,
    to_time: dt.datetime,
    resolution: Resolution,
    time_zone: str | None = None,
    include_last_year: bool = False,
    include_weather: bool = False,
) -> dict:
    """The wire body of POST .../consumption: values already in wire form (no serializer walk)."""
    resolution, win, earlier = _consumption_windows(meter, from_time, to_time, resolution, time_zone, include_last_year)
    body = {
        "Resolution": int(resolution),
        "Unit": unit_of(meter),
        "Values": _series(kind="consumption", key=meter.pk, win=win, wire=True),
    }
    if earlier is not None:
        body["LastYear"] = _series(kind="consumption", key=meter.pk, win=earlier, wire=True)
    if include_weather:
        body["TemperatureUnit"] = TEMPERATURE_UNIT
        body["Temperatures"] = temperature_values(meter=meter, win=win)
    return body


@heavy_read()
def temperature_json(
    *, meter: Meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None
) -> bytes:
    """temperature_response() as the bytes the renderer would write, built by PostgreSQL in one query
    (buckets, gaps, status and wire names), so no row becomes a Python object. PostgreSQL only."""
    resolution = Resolution(resolution)
    win = window(from_time, to_time, resolution, meter_time_zone(meter, time_zone))
    station = weather_station_for(meter)
    return _pg_json_body(
        [
            ("Resolution", str(int(resolution))),
            ("Unit", orjson.dumps(TEMPERATURE_UNIT).decode()),
            ("Values", ("temperature", station.pk if station else None, win)),
        ]
    )


def weather_station_for(meter: Meter) -> WeatherStation | None:
    """The station pinned in the meter's settings, else the first station of its delivery point's price area."""
    pinned = MeterSettings.objects.filter(meter=meter, weather_station__isnull=False).values_list(
        "weather_station_id", flat=True
    )
    station = WeatherStation.objects.filter(pk__in=pinned).first()
    if station is not None:
        return station
    price_area = meter.delivery_point.price_area
    return WeatherStation.objects.filter(price_area=price_area).order_by("code").first()


def temperature_values(*, meter: Meter, win: Window) -> list[dict]:
    """Mean temperature per bucket at the meter's station, in wire form (all missing without a station)."""
    station = weather_station_for(meter)
    if station is None:
        return [
            {"ValueTime": t.strftime("%Y-%m-%dT%H:%M:%S"), "Value": None, "Status": int(Quality.Missing)}
            for t in win.starts()
        ]
    return _series(kind="temperature", key=station.pk, win=win, wire=True)


@heavy_read()
def temperature_response(
    *, meter: Meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None
) -> dict:
    tz = meter_time_zone(meter, time_zone)
    resolution = Resolution(resolution)
    win = window(from_time, to_time, resolution, tz)
    return {"Resolution": int(resolution), "Unit": TEMPERATURE_UNIT, "Values": temperature_values(meter=meter, win=win)}


def _plain_values(rows) -> list[dict]:
    return [{"value_time": t, "value": v, "status": q} for t, v, q in rows]


def _plain_temperatures(*, meter: Meter, win: Window) -> list[dict]:
    """temperature_values() as Python values (datetimes, decimals), for the serializers to render."""
    station = weather_station_for(meter)
    if station is None:
        return [{"value_time": t, "value": None, "status": int(Quality.Missing)} for t in win.starts()]
    return _plain_values(_series(kind="temperature", key=station.pk, win=win, wire=False))


@heavy_read()
def temperature_series(
    *, meter: Meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None
) -> dict:
    """temperature_response() as Python values: what TemperatureSeriesSerializer renders."""
    resolution = Resolution(resolution)
    win = window(from_time, to_time, resolution, meter_time_zone(meter, time_zone))
    return {"resolution": resolution, "unit": TEMPERATURE_UNIT, "values": _plain_temperatures(meter=meter, win=win)}


@heavy_read()
def consumption_body(
    *,
    meter: Meter,
    from_time: dt.datetime,
    to_time: dt.datetime,
    resolution: Resolution,
    time_zone: str | None = None,
    include_last_year: bool = False,
    include_weather: bool = False,
) -> dict:
    """consumption_response() as Python values: what ConsumptionSeriesSerializer renders."""
    resolution, win, earlier = _consumption_windows(meter, from_time, to_time, resolution, time_zone, include_last_year)
    body = {
        "resolution": resolution,
        "unit": unit_of(meter),
        "values": _plain_values(_series(kind="consumption", key=meter.pk, win=win, wire=False)),
    }
    if earlier is not None:
        body["last_year"] = _plain_values(_series(kind="consumption", key=meter.pk, win=earlier, wire=False))
    if include_weather:
        body["temperature_unit"] = TEMPERATURE_UNIT
        body["temperatures"] = _plain_temperatures(meter=meter, win=win)
    return body


def meter_settings(*, meter: Meter) -> dict:
    """The settings body of a meter (blank building properties when none were saved)."""
    saved = MeterSettings.objects.filter(meter=meter).first()
    return {
        "meter_id": meter.meter_id,
        "name": saved.name if saved else "",
        "building_year": saved.building_year if saved else None,
        "heating_area": saved.heating_area if saved else None,
        "residents": saved.residents if saved else None,
        "has_watt_meter": meter.has_wattmeter,
        "time_zone": meter.time_zone,
        "price_area": meter.delivery_point.price_area,
    }


def meters_of_user(*, user) -> list[Meter]:
    """Every meter of every customer `user` has access to (both areas), with its chain, in one query."""
    return list(
        Meter.objects.filter(delivery_point__contract__customer__accesses__user=user)
        .select_related("delivery_point__contract__customer", "asset")
        .order_by("pk")
    )


def readings_of(*, delivery_point) -> QuerySet:
    """The delivery point's manual readings, newest first, with their meter (one query a page)."""
    return delivery_point.manual_readings.select_related("meter").order_by("-reading_date", "-id")


# --- Wattmeter -----------------------------------------------------------------------------------


def _hourly_peaks(meter: Meter, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, Decimal]]:
    return [
        (t, v)
        for t, v, _ in consumption_series(meter=meter, from_time=start, to_time=end, resolution=Resolution.Hour)
        if v is not None
    ]


def _summary(point, type_) -> dict | None:
    if point is None:
        return None
    return {"value_time": point[0], "value": float(point[1]), "time_series_type": int(type_)}


def _wattmeter(meter: Meter, now: dt.datetime | None) -> tuple[dict, list]:
    now = now or dt.datetime.now(dt.UTC)
    tz = meter_time_zone(meter)
    local = now.astimezone(tz)
    month_start = dt.datetime(local.year, local.month, 1, tzinfo=tz).astimezone(dt.UTC)
    hours = _hourly_peaks(meter, now - dt.timedelta(days=365), now)
    this_month = [point for point in hours if point[0] >= month_start]
    live = LiveValue.objects.filter(object_key=meter.meter_id, type=TimeSeriesType.ActivePower).first()
    return {
        "last": None
        if live is None
        else {"value_time": live.value_time, "value": live.value, "time_series_type": int(TimeSeriesType.ActivePower)},
        "this_month_max": _summary(max(this_month, key=lambda p: p[1], default=None), TimeSeriesType.HourlyConsumption),
        "max": _summary(max(hours, key=lambda p: p[1], default=None), TimeSeriesType.HourlyConsumption),
    }, this_month


def wattmeter(*, meter: Meter, now: dt.datetime | None = None) -> dict:
    """WattMeterAndMaxEffect: the latest live power (ActivePower posted to api/signalr for the meter id),
    and the highest hourly consumption this local month and in the last 12 months (None when unknown)."""
    return _wattmeter(meter, now)[0]


def capacity_step(month_hours: list[tuple[dt.datetime, Decimal]], tz: ZoneInfo) -> int:
    """The grid tariff's capacity step (its upper kW bound) for the mean of the three days' highest
    hours of the month, by pricing's one boundary rule (registered in capacity.py): a value on a boundary is
    the higher step."""
    daily: dict[dt.date, Decimal] = {}
    for moment, value in month_hours:
        day = moment.astimezone(tz).date()
        daily[day] = max(daily.get(day, value), value)
    return capacity.capacity_step_kw([float(v) for v in daily.values()])


def wattmeter_v2(*, meter: Meter, now: dt.datetime | None = None) -> dict:
    """WattMeterResponse: display type, the month's maxima and the subscribed power with its three sections."""
    summary, month_hours = _wattmeter(meter, now)
    step = capacity_step(month_hours, meter_time_zone(meter))
    is_net = meter.delivery_point.contract.product == "NET"
    return {
        "wattmeter_display_type": int(WattmeterType.SubscribedPower if is_net else WattmeterType.MaxMonth),
        "max_month_wattmeter": summary,
        "subscribed_power_wattmeter": {
            "subscribed_power": {"value": float(step), "unit": "kW"},
            "sections": {
                "first_section": {"from": 0.0, "to": round(step * 0.6, 2)},
                "second_section": {"from": round(step * 0.6, 2), "to": round(step * 0.9, 2)},
                "third_section": {"from": round(step * 0.9, 2), "to": float(step)},
            },
        },
    }


# --- CIM export logs -----------------------------------------------------------------------------


def cim_export_logs(*, from_time: dt.datetime, to_time: dt.datetime) -> QuerySet:
    """Main export logs whose period starts in [from_time, to_time), newest first."""
    logs = CimExportLog.objects.filter(period_start__gte=from_time, period_start__lt=to_time)
    return logs.order_by("-period_start")


def cim_sub_export_logs(*, correlation_id) -> list | None:
    """The sub export logs of one export, or None when there is no such export."""
    log = CimExportLog.objects.filter(correlation_id=correlation_id).first()
    if log is None:
        return None
    return list(log.sub_exports.select_related("export").order_by("sequence_no"))


def cim_sub_export_statistics(*, from_time: dt.datetime, to_time: dt.datetime) -> dict:
    totals = CimSubExportLog.objects.filter(started_at__gte=from_time, started_at__lt=to_time).aggregate(
        sub_export_count=Count("pk"),
        succeeded=Count("pk", filter=Q(status=CimExportStatus.Succeeded)),
        failed=Count("pk", filter=Q(status=CimExportStatus.Failed)),
        started=Count("pk", filter=Q(status=CimExportStatus.Started)),
        meter_count=Sum("meter_count"),
        value_count=Sum("value_count"),
        error_count=Sum("error_count"),
    )
    return {"from_time": from_time, "to_time": to_time, **{k: v or 0 for k, v in totals.items()}}


def cim_sub_export(*, correlation_id, file_name: str):
    return (
        CimSubExportLog.objects.select_related("export")
        .filter(export__correlation_id=correlation_id, file_name=file_name)
        .first()
    )


# --- Compared with others ------------------------------------------------------------------------


def cohort(*, meter: Meter):
    """The meters `meter` is compared with: its fixed cohort (compare.py), without itself, the first by id.

    Electricity meters of the same price area whose heated area is in the meter's band (or, for a
    meter without one, that have none either). A queryset of ids, so PostgreSQL can run it inside
    the aggregation query.
    """
    heating_area = MeterSettings.objects.filter(meter=meter).values_list("heating_area", flat=True).first()
    band = compare.heating_area_band(heating_area)
    meters = Meter.objects.filter(
        kind=Meter.Kind.ELECTRICITY, delivery_point__price_area=meter.delivery_point.price_area
    ).exclude(pk=meter.pk)
    if band is None:
        meters = meters.filter(Q(metering_settings__isnull=True) | Q(metering_settings__heating_area__isnull=True))
    else:
        low, high = band
        meters = meters.filter(metering_settings__heating_area__gte=low)
        if high is not None:
            meters = meters.filter(metering_settings__heating_area__lt=high)
    return meters.order_by("pk").values_list("pk", flat=True)[: conf.compare_max_group()]


def _compare(*, meter: Meter, members, win: Window) -> tuple[list[compare.BucketStats], compare.TotalStats]:
    """Per meter and bucket sums of the meter and its cohort (one query of stored days, the cohort a
    subquery of it; Day…Year from day totals), aggregated by compare.py."""
    sums = series.bucket_sums(Q(meter_id=meter.pk) | Q(meter_id__in=members), win)
    return compare.aggregate(starts=win.starts(), sums=sums, me=meter.pk)


@heavy_read()
def compared_with_others(
    *, meter: Meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None
) -> dict:
    """AssetCompareModel in wire form: the meter beside its cohort and the cohort's most efficient quarter.

    Score: how the meter's total ranks in the cohort (100 = uses least); the comparison percentages
    are the meter's total as a percentage of the averages' totals; Scores: the same rank per bucket.
    What may be shown of the others follows compare.py (minimum group, rounded size).
    """
    return compare.compare_body(**_compare_stats(meter, from_time, to_time, resolution, time_zone))


@heavy_read()
def compared_fields(
    *, meter: Meter, from_time: dt.datetime, to_time: dt.datetime, resolution: Resolution, time_zone=None
) -> dict:
    """compared_with_others() as Python values: what AssetCompareModelSerializer renders."""
    return compare.compare_fields(**_compare_stats(meter, from_time, to_time, resolution, time_zone))


def _compare_stats(meter, from_time, to_time, resolution, time_zone) -> dict:
    win = window(from_time, to_time, Resolution(resolution), meter_time_zone(meter, time_zone))
    buckets, total = _compare(meter=meter, members=cohort(meter=meter), win=win)
    return {
        "buckets": buckets,
        "total": total,
        "min_group": conf.compare_min_group(),
        "size_step": conf.compare_size_step(),
    }
