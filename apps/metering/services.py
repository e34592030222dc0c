"""Writes of the metering app: bulk loading of interval data, settings, manual readings."""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from apps.customers.models import DeliveryPoint, Meter
from apps.customers.services import update_customer_contact

from . import daystore
from . import live as live_channel
from .models import (
    INTERVAL_MINUTES,
    Interval,
    LiveValue,
    ManualReading,
    MeterDay,
    MeterSettings,
    Quality,
    WeatherObservation,
    WeatherStation,
)
from .partitions import ensure_partitions
from .weather import DEFAULT_STATIONS, get_adapter

# One interval as the loader takes it: (meter pk, start_at UTC, minutes, value (kWh, or its text), status).
IntervalRow = tuple[int, dt.datetime, int, Decimal | str | None, int]
Progress = Callable[[int, int], None]

COPY_BATCH = 50_000
LOCAL_TIME_ZONE = "Europe/Oslo"  # the calendar of manual readings' dates
MAX_REPORTED_ERRORS = 50
MAX_VALUE = Decimal("99999999999.999")
CSV_COLUMNS = ("meter_id", "start_at", "value")  # required; "status" and "minutes" are optional


# --- Bulk loading --------------------------------------------------------------------------------


def _overlaps_existing(rows: list[IntervalRow]) -> bool:
    """Whether any row may already be stored: each meter's own [first, last] range is checked.

    One box over all the batch's meters would almost always hit the previous batch of the same
    file (a batch edge cuts through a meter's rows), sending new data down the slow upsert path.
    """
    spans: dict[int, list] = {}
    for meter_id, start_at, *_ in rows:
        span = spans.get(meter_id)
        if span is None:
            spans[meter_id] = [start_at, start_at]
        elif start_at < span[0]:
            span[0] = start_at
        elif start_at > span[1]:
            span[1] = start_at
    meters, firsts, lasts = zip(*((m, lo, hi) for m, (lo, hi) in spans.items()), strict=True)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM unnest(%s::bigint[], %s::timestamptz[], %s::timestamptz[]) AS r(m, lo, hi) "
            "JOIN metering_interval i ON i.meter_id = r.m AND i.start_at BETWEEN r.lo AND r.hi)",
            [list(meters), list(firsts), list(lasts)],
        )
        return cursor.fetchone()[0]


def _copy(cursor, table: str, rows: Iterable[IntervalRow]) -> None:
    with cursor.copy(f"COPY {table} (meter_id, start_at, minutes, value, status) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _load_batch_postgresql(rows: list[IntervalRow]) -> None:
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg 3 cursor, for COPY
        if not _overlaps_existing(rows):
            _copy(cursor, "metering_interval", rows)  # the common case: new data, straight in
            return
        # Corrections of existing intervals: COPY into a staging table, then upsert.
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS metering_interval_load "
            "(LIKE metering_interval INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        cursor.execute("TRUNCATE metering_interval_load")
        _copy(cursor, "metering_interval_load", rows)
        cursor.execute(
            "INSERT INTO metering_interval (meter_id, start_at, minutes, value, status) "
            "SELECT meter_id, start_at, minutes, value, status FROM metering_interval_load "
            "ON CONFLICT (meter_id, start_at) DO UPDATE "
            "SET minutes = EXCLUDED.minutes, value = EXCLUDED.value, status = EXCLUDED.status"
        )


def _load_batch_other(rows: list[IntervalRow]) -> None:
    objects = [Interval(meter_id=m, start_at=t, minutes=n, value=v, status=s) for m, t, n, v, s in rows]
    Interval.objects.bulk_create(
        objects,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["meter", "start_at"],
        update_fields=["minutes", "value", "status"],
    )


# --- Meter days (MeterDay, apps/metering/daystore.py) ---------------------------------------------
# Rows become pieces of (meter, local day); a piece is merged into the stored day, changing only the
# intervals it names (a correction is idempotent, a day that arrives in pieces is one row).

STORAGE_TZ = daystore.OSLO  # the local day of a stored row, for every meter (docs/meter-storage.md)
DayKey = tuple[int, dt.date]
DayPiece = tuple[int, dict[int, tuple[int | None, int]]]  # (minutes, interval index → (Wh, status))
_DAY_COLUMNS = ("meter_id", "day", "minutes", "total", "values", "statuses")


def to_wh(value: Decimal | str | float | int | None) -> int | None:
    """kWh (a Decimal, its text, a float or an int) as whole Wh, rounded half away from zero as the
    interval table's numeric(14, 3) column rounded it (a float goes by its shortest text)."""
    if value is None:
        return None
    if isinstance(value, str):
        whole, _, fraction = value.strip().partition(".")
        if len(fraction) <= 3 and (fraction == "" or fraction.isdigit()) and whole.lstrip("-").isdigit():
            wh = int(whole.lstrip("-")) * 1000 + int(fraction.ljust(3, "0"))
            return -wh if whole.startswith("-") else wh
    elif isinstance(value, int):
        return value * 1000
    wh = (Decimal(repr(value)) if isinstance(value, float) else Decimal(value)).scaleb(3)
    if not wh.is_finite():
        raise daystore.DayStoreError(f"{value} is not a number of kWh")
    return int(wh.to_integral_value(ROUND_HALF_UP))


def day_pieces(rows: Iterable[IntervalRow]) -> dict[DayKey, DayPiece]:
    """Interval rows as pieces of (meter, local day); refuses a day given in two interval lengths."""
    pieces: dict[DayKey, DayPiece] = {}
    for meter_id, start_at, minutes, value, status in rows:
        layout = daystore.day_layout(daystore.local_day(start_at, STORAGE_TZ), minutes, STORAGE_TZ)
        key = (meter_id, layout.day)
        piece = pieces.get(key)
        if piece is None:
            piece = pieces[key] = (minutes, {})
        elif piece[0] != minutes:
            raise daystore.DayStoreError(f"meter {meter_id} has {piece[0]}- and {minutes}-minute intervals on {key[1]}")
        piece[1][layout.index_of(start_at)] = (to_wh(value), status)
    return pieces


def merge_piece(stored: tuple | None, key: DayKey, piece: DayPiece) -> tuple[int, daystore.StoredDay]:
    """(minutes, day) of `piece` merged into the stored (minutes, values, statuses, total) of `key`.

    A piece of another interval length replaces only a day without any value (re-laid out)."""
    minutes, intervals = piece
    count = daystore.day_layout(key[1], minutes, STORAGE_TZ).count
    if stored is None:
        return minutes, daystore.merge_day(None, count, intervals)
    stored_minutes, values, statuses, total = stored
    day = daystore.StoredDay(bytes(values), None if statuses is None else bytes(statuses), total)
    if stored_minutes != minutes:
        stored_count = daystore.day_layout(key[1], stored_minutes, STORAGE_TZ).count
        if any(v is not None for v in daystore.unpack_values(day.values, stored_count)):
            raise daystore.DayStoreError(
                f"meter {key[0]} has {stored_minutes}-minute intervals stored on {key[1]}, not {minutes}"
            )
        return minutes, daystore.merge_day(None, count, intervals)
    return minutes, daystore.merge_day(day, count, intervals)


def _store_days_postgresql(pieces: dict[DayKey, DayPiece]) -> None:
    """COPY the pieces as whole days into a staging table, insert the new days (ON CONFLICT DO
    NOTHING), then lock the existing ones in key order (FOR UPDATE), merge in Python, write back the
    changed ones. Two importers of the same day: the second waits on the first's row, then merges."""
    keys = sorted(pieces)
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg 3 cursor, for COPY
        cursor.execute(
            "CREATE TEMP TABLE IF NOT EXISTS metering_meterday_load (meter_id int8, day date, minutes int2, "
            'total int8, "values" bytea, statuses bytea) ON COMMIT DELETE ROWS'
        )
        cursor.execute("TRUNCATE metering_meterday_load")
        copy_sql = (
            'COPY metering_meterday_load (meter_id, day, minutes, total, "values", statuses) FROM STDIN (FORMAT BINARY)'
        )
        with cursor.copy(copy_sql) as copy:
            copy.set_types(["int8", "date", "int2", "int8", "bytea", "bytea"])
            for key in keys:
                minutes, day = merge_piece(None, key, pieces[key])
                copy.write_row((key[0], key[1], minutes, day.total, day.values, day.statuses))
        cursor.execute(
            'INSERT INTO metering_meterday (meter_id, day, minutes, total, "values", statuses) '
            'SELECT meter_id, day, minutes, total, "values", statuses FROM metering_meterday_load '
            "ORDER BY meter_id, day ON CONFLICT (meter_id, day) DO NOTHING RETURNING meter_id, day"
        )
        existing = sorted(set(keys).difference(cursor.fetchall()))
        if not existing:
            return
        cursor.execute(
            'SELECT meter_id, day, minutes, "values", statuses, total FROM metering_meterday '
            "WHERE (meter_id, day) IN (SELECT * FROM unnest(%s::int8[], %s::date[])) "
            "ORDER BY meter_id, day FOR UPDATE",
            [[k[0] for k in existing], [k[1] for k in existing]],
        )
        changed = []
        for meter_id, day, *stored in cursor.fetchall():
            stored_day = (stored[0], stored[1], stored[2], stored[3])
            minutes, merged = merge_piece(stored_day, (meter_id, day), pieces[(meter_id, day)])
            if (minutes, merged.values, merged.statuses) != (stored[0], bytes(stored[1]), _bytes(stored[2])):
                changed.append((meter_id, day, minutes, merged.total, merged.values, merged.statuses))
        if changed:
            columns = [list(column) for column in zip(*changed, strict=True)]
            cursor.execute(
                'UPDATE metering_meterday d SET minutes = m.minutes, total = m.total, "values" = m.v, '
                "statuses = m.statuses FROM unnest(%s::int8[], %s::date[], %s::int2[], %s::int8[], %s::bytea[], "
                "%s::bytea[]) AS m(meter_id, day, minutes, total, v, statuses) "
                "WHERE d.meter_id = m.meter_id AND d.day = m.day",
                columns,
            )


def _bytes(blob) -> bytes | None:
    return None if blob is None else bytes(blob)


def _store_days_other(pieces: dict[DayKey, DayPiece]) -> None:
    """The same merge through the ORM (SQLite): insert the new days (INSERT OR IGNORE, which also takes
    the database's write lock before anything is read), then merge every piece into what is stored."""
    keys = sorted(pieces)
    fresh = []
    for key in keys:
        minutes, day = merge_piece(None, key, pieces[key])
        fresh.append(
            MeterDay(
                meter_id=key[0], day=key[1], minutes=minutes, total=day.total, values=day.values, statuses=day.statuses
            )
        )
    MeterDay.objects.bulk_create(fresh, batch_size=500, ignore_conflicts=True)
    by_meter: dict[int, list[dt.date]] = {}
    for meter_id, day in keys:
        by_meter.setdefault(meter_id, []).append(day)
    for meter_id, days in by_meter.items():
        stored = MeterDay.objects.filter(meter_id=meter_id, day__in=days).values_list(
            "day", "minutes", "values", "statuses", "total"
        )
        for day, *row in stored:
            minutes, merged = merge_piece(tuple(row), (meter_id, day), pieces[(meter_id, day)])
            if (minutes, merged.values, merged.statuses) != (row[0], bytes(row[1]), _bytes(row[2])):
                MeterDay.objects.filter(meter_id=meter_id, day=day).update(
                    minutes=minutes, total=merged.total, values=merged.values, statuses=merged.statuses
                )


def store_days(rows: Iterable[IntervalRow]) -> int:
    """Merges interval rows into the stored meter days (in the caller's transaction); returns the
    number of meter days the rows touch."""
    pieces = day_pieces(rows)
    if not pieces:
        return 0
    days = [day for _, day in pieces]
    ensure_partitions(min(days), max(days))
    (_store_days_postgresql if connection.vendor == "postgresql" else _store_days_other)(pieces)
    return len(pieces)


def load_intervals(*, rows: Iterable[IntervalRow], total: int | None = None, progress: Progress | None = None) -> int:
    """Loads intervals in one transaction; an interval that exists already is replaced. Returns the count.

    Writes the meter days (`store_days`: each day merged, only the named intervals change) and,
    while readers move to them (issue 21), the old interval table too: PostgreSQL COPY straight
    into it when the batch touches no existing interval, else COPY into a staging table and upsert;
    other databases bulk_create with update on conflict. The rows must be valid (see
    `parse_interval_csv`); a row the day store refuses (a day in two interval lengths, a start off
    its interval grid) fails the whole load.
    """
    load = _load_batch_postgresql if connection.vendor == "postgresql" else _load_batch_other
    done = 0
    batch: list[IntervalRow] = []
    with transaction.atomic():
        for row in rows:
            batch.append(row)
            if len(batch) >= COPY_BATCH:
                load(batch)
                store_days(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total or done)
        if batch:
            load(batch)
            store_days(batch)
            done += len(batch)
    if progress:
        progress(done, total or done)
    return done


# --- CSV import ----------------------------------------------------------------------------------


@dataclass
class CsvRefusedError(Exception):
    """The file was refused: `errors` are (line number, message), at most MAX_REPORTED_ERRORS of them."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    more: int = 0

    def __str__(self):
        lines = [f"line {line}: {message}" for line, message in self.errors]
        if self.more:
            lines.append(f"... and {self.more} more")
        return "\n".join(lines)


VALUE_PATTERN = re.compile(r"[0-9]{1,11}(\.[0-9]{1,3})?")
ALLOWED_STATUS = {str(value): value for value in Quality.values}
ALLOWED_MINUTES = {str(value): value for value in INTERVAL_MINUTES}


def _parse_start(text: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(text)  # the fast path: ISO 8601, with Z or an offset, or none
    except ValueError:
        try:
            moment = parse_datetime(text)
        except ValueError:
            return None
        if moment is None:
            return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)  # the wire rule: times without an offset are UTC
    return moment.astimezone(dt.UTC)


def _parse_row(fields: list[str], columns: dict[str, int]) -> tuple[tuple | None, str | None]:
    """(meter id, start_at, minutes, value text or None, status) of one CSV row, or the reason it is refused."""

    def column(name: str, default: str = "") -> str:
        index = columns.get(name)
        return fields[index].strip() if index is not None and index < len(fields) else default

    meter_id = column("meter_id")
    if not meter_id:
        return None, "meter_id is empty"
    start_text = column("start_at")
    start_at = _parse_start(start_text)
    if start_at is None:
        return None, f"start_at {start_text!r} is not an ISO 8601 date and time"
    minutes = ALLOWED_MINUTES.get(column("minutes") or "60")
    if minutes is None:
        return None, f"minutes must be one of {INTERVAL_MINUTES}, not {column('minutes')!r}"
    status = ALLOWED_STATUS.get(column("status") or "0")
    if status is None:
        return None, f"status must be one of {Quality.values}, not {column('status')!r}"
    if start_at.second or start_at.microsecond or start_at.minute % minutes:
        return None, f"start_at {start_at:%Y-%m-%dT%H:%M:%S}Z is not on a {minutes}-minute boundary"
    value = column("value")
    if value == "":
        if status != Quality.Missing:
            return None, "value is empty but status is not 4000 (missing)"
        return (meter_id, start_at, minutes, None, status), None
    if not VALUE_PATTERN.fullmatch(value):
        return None, f"value {value!r} must be a number from 0 to {MAX_VALUE}, with at most 3 decimals"
    return (meter_id, start_at, minutes, value, status), None


def parse_interval_csv(lines: Iterable[str]) -> list[IntervalRow]:
    """Validates a whole CSV file of intervals and returns its rows; raises CsvRefusedError with line numbers.

    Columns (header required): meter_id (the public meter id), start_at (ISO 8601; no offset means
    UTC), value (kWh, at most 3 decimals; empty only with status 4000), optional status (0, 1,
    4000; default 0) and minutes (15 or 60; default 60). An interval may appear once per file.
    Values are kept as their text (COPY reads it as numeric), so a million rows stay small.
    """
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise CsvRefusedError([(1, f"the header lacks the column(s) {', '.join(missing)}")])
    columns = {name: index for index, name in enumerate(header)}
    problems = CsvRefusedError()

    def refuse(line_no: int, error: str) -> None:
        if len(problems.errors) < MAX_REPORTED_ERRORS:
            problems.errors.append((line_no, error))
        else:
            problems.more += 1

    parsed: list[tuple] = []
    lines_of: list[int] = []
    meter_ids: dict[str, str] = {}  # interned: a million rows share a few meter id strings
    for fields in reader:
        if not fields:
            continue
        row, error = _parse_row(fields, columns)
        if error is not None:
            refuse(reader.line_num, error)
            continue
        meter_id = meter_ids.setdefault(row[0], row[0])
        parsed.append((meter_id, *row[1:]))
        lines_of.append(reader.line_num)

    meters = dict(Meter.objects.filter(meter_id__in=list(meter_ids)).values_list("meter_id", "pk"))
    rows: list[IntervalRow] = []
    seen: dict[tuple[int, dt.datetime], int] = {}
    lengths: dict[tuple[int, dt.date], tuple[int, int]] = {}  # (meter, stored day) → (minutes, first line)
    for (meter_id, start_at, minutes, value, status), line_no in zip(parsed, lines_of, strict=True):
        pk = meters.get(meter_id)
        if pk is None:
            refuse(line_no, f"unknown meter {meter_id!r}")
            continue
        first = seen.setdefault((pk, start_at), line_no)
        if first != line_no:
            refuse(line_no, f"the interval is already on line {first}")
            continue
        day = daystore.local_day(start_at, STORAGE_TZ)
        length, length_line = lengths.setdefault((pk, day), (minutes, line_no))
        if length != minutes:
            refuse(line_no, f"{day} of this meter has {length}-minute intervals (line {length_line}), not {minutes}")
            continue
        rows.append((pk, start_at, minutes, value, status))
    if problems.errors:
        problems.errors.sort()
        raise problems
    return rows


# --- Weather -------------------------------------------------------------------------------------


def ensure_default_stations() -> list[WeatherStation]:
    """The default stations (one per price area); existing rows are left as they are."""
    for code, name, latitude, longitude, price_area, _, _ in DEFAULT_STATIONS:
        WeatherStation.objects.get_or_create(
            code=code,
            defaults={"name": name, "latitude": latitude, "longitude": longitude, "price_area": price_area},
        )
    return list(WeatherStation.objects.filter(code__in=[row[0] for row in DEFAULT_STATIONS]))


def store_observations(*, station: WeatherStation, observations: Iterable[tuple[dt.datetime, float]]) -> int:
    """Upserts hourly temperatures of a station; returns how many were written."""
    objects = [WeatherObservation(station=station, observed_at=t, temperature=v) for t, v in observations]
    WeatherObservation.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["station", "observed_at"],
        update_fields=["temperature"],
    )
    return len(objects)


def fetch_observations(*, station: WeatherStation, start: dt.datetime, end: dt.datetime) -> int:
    """Loads [start, end) of a station from the configured weather adapter and stores it."""
    observations = get_adapter().hourly_temperatures(code=station.code, start=start, end=end)
    return store_observations(station=station, observations=observations)


# --- Settings ------------------------------------------------------------------------------------

BUILDING_FIELDS = ("name", "building_year", "heating_area", "residents")


def update_building(*, meter: Meter, **changes) -> MeterSettings:
    """Sets any of the building's name, building year, heated area and residents; the rest keep their values."""
    unknown = set(changes) - set(BUILDING_FIELDS)
    if unknown:
        raise TypeError(f"Only {BUILDING_FIELDS} can change, not {sorted(unknown)}")
    settings, _ = MeterSettings.objects.get_or_create(meter=meter)
    for name, value in changes.items():
        setattr(settings, name, "" if name == "name" and value is None else value)
    settings.full_clean(exclude=["meter", "weather_station"])
    settings.save()
    return settings


def save_legacy_settings(*, meter: Meter, **changes) -> None:
    """The obsolete settings POST: building properties here, contact details through the customers app."""
    building = {name: changes.pop(name) for name in BUILDING_FIELDS if name in changes}
    update_building(meter=meter, **building)
    if changes:
        update_customer_contact(customer=meter.delivery_point.contract.customer, **changes)


# --- Manual readings -----------------------------------------------------------------------------


def record_reading(*, delivery_point: DeliveryPoint, reading_date: dt.date, value: int) -> ManualReading:
    """Saves a register reading; refuses one in the future, below an earlier reading or above a later one.

    The delivery point's row is locked while the neighbours are checked, so two readings at the same
    time cannot both pass. `consumption` (use since the previous reading) is kept for this reading
    and for the next one, which a back-dated reading splits.
    """
    today = dt.datetime.now(ZoneInfo(LOCAL_TIME_ZONE)).date()
    if reading_date > today:
        raise ValidationError({"reading_date": ["A reading cannot be in the future."]})
    DeliveryPoint.objects.select_for_update().filter(pk=delivery_point.pk).first()
    readings = ManualReading.objects.filter(delivery_point=delivery_point)
    previous = readings.filter(reading_date__lte=reading_date).order_by("-reading_date", "-id").first()
    following = readings.filter(reading_date__gt=reading_date).order_by("reading_date", "id").first()
    if previous is not None and value < previous.value:
        raise ValidationError(
            {"value": [f"The reading is below the previous one ({previous.value} on {previous.reading_date})."]}
        )
    if following is not None and value > following.value:
        raise ValidationError(
            {"value": [f"The reading is above a later one ({following.value} on {following.reading_date})."]}
        )
    reading = ManualReading.objects.create(
        delivery_point=delivery_point,
        meter=delivery_point.meters.order_by("pk").first(),
        reading_date=reading_date,
        value=value,
        consumption=None if previous is None else value - previous.value,
    )
    if following is not None:
        following.consumption = following.value - value
        following.save(update_fields=["consumption"])
    return reading


# --- Live values ---------------------------------------------------------------------------------


def receive_live_values(*, object_key: str, type_: int, values: list[tuple[dt.datetime, float]]) -> LiveValue:
    """Keeps the latest of `values` (unless a later one is stored) and publishes all of them after commit."""
    latest_time, latest_value = max(values, key=lambda item: item[0])
    live, created = LiveValue.objects.select_for_update().get_or_create(
        object_key=object_key, type=type_, defaults={"value_time": latest_time, "value": latest_value}
    )
    if not created and latest_time >= live.value_time:
        live.value_time, live.value = latest_time, latest_value
        live.save(update_fields=["value_time", "value", "received_at"])
    wire = [{"ValueTime": t.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"), "Value": v} for t, v in sorted(values)]
    transaction.on_commit(lambda: live_channel.publish(object_key=object_key, type_=type_, values=wire))
    return live
