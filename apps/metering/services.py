"""Writes of the metering app: bulk loading of interval data, settings, manual readings."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import re
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils.dateparse import parse_datetime
from rest_framework.exceptions import ValidationError

from apps.customers.public import DeliveryPoint, Meter, update_customer_contact

from . import daystore
from . import live as live_channel
from .models import (
    INTERVAL_MINUTES,
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

ROWS_PER_BATCH = 50_000  # rows given to load_intervals, merged and written at a time
DAYS_PER_BATCH = 5_000  # meter days of parsed readings written at a time (a progress step)
LOCAL_TIME_ZONE = "Europe/Oslo"  # the calendar of manual readings' dates
MAX_REPORTED_ERRORS = 50
MAX_VALUE = Decimal("99999999999.999")
CSV_COLUMNS = ("meter_id", "start_at", "value")  # required; "status" and "minutes" are optional


# --- Bulk loading --------------------------------------------------------------------------------


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
    if type(value) is str:
        whole, _, fraction = value.partition(".")
        # The common text, "12.345" (ASCII digits, three decimals): no Decimal made.
        if len(fraction) == 3 and whole.isdecimal() and fraction.isdecimal() and value.isascii():
            return int(whole) * 1000 + int(fraction)
        whole, _, fraction = value.strip().partition(".")
        digits = whole.removeprefix("-")
        if len(fraction) <= 3 and (fraction == "" or fraction.isdigit()) and digits.isdigit() and value.isascii():
            wh = int(digits) * 1000 + int(fraction.ljust(3, "0"))
            return -wh if whole.startswith("-") else wh
    elif value is None:
        return None
    elif isinstance(value, int):
        return value * 1000
    wh = (Decimal(repr(value)) if isinstance(value, float) else Decimal(value)).scaleb(3)
    if not wh.is_finite():
        raise daystore.DayStoreError(f"{value} is not a number of kWh")
    return int(wh.to_integral_value(ROUND_HALF_UP))


def day_pieces(rows: Iterable[IntervalRow]) -> dict[DayKey, DayPiece]:
    """Interval rows as pieces of (meter, local day); refuses a day given in two interval lengths and
    a start off its day's interval grid.

    Import speed (docs/meter-storage.md): rows mostly come as runs of one meter's consecutive
    intervals, so a row that starts where the previous one ended takes the next index of the same
    day, and any other row of that day costs an epoch subtraction; only a new day costs a time-zone
    conversion. Value texts repeat (a meter's readings have a few thousand distinct values), so
    their Wh are remembered for the call."""
    pieces: dict[DayKey, DayPiece] = {}
    wh_of: dict = {}
    meter = length = intervals = None
    first = end = step = expected = 0.0
    index = -1
    for meter_id, start_at, minutes, value, status in rows:
        seconds = start_at.timestamp()
        if seconds == expected and meter_id == meter and minutes == length and seconds < end:
            index += 1
        else:
            if meter_id != meter or minutes != length or not first <= seconds < end:
                layout = daystore.day_layout(daystore.local_day(start_at, STORAGE_TZ), minutes, STORAGE_TZ)
                key = (meter_id, layout.day)
                piece = pieces.get(key)
                if piece is None:
                    piece = pieces[key] = (minutes, {})
                elif piece[0] != minutes:
                    raise daystore.DayStoreError(
                        f"meter {meter_id} has {piece[0]}- and {minutes}-minute intervals on {key[1]}"
                    )
                meter, length, intervals = meter_id, minutes, piece[1]
                first, end, step = layout.start.timestamp(), layout.end.timestamp(), minutes * 60
            position, rest = divmod(seconds - first, step)
            if rest:
                raise daystore.DayStoreError(f"{start_at.isoformat()} starts no {minutes}-minute interval")
            index = int(position)
        expected = seconds + step
        wh = wh_of.get(value) if type(value) is str else None
        if wh is None:
            wh = to_wh(value)
            if type(value) is str:
                wh_of[value] = wh
        intervals[index] = (wh, status)
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


@contextmanager
def _no_cycle_collection():
    """A bulk load allocates millions of tuples and dicts and makes no reference cycles: the cyclic
    garbage collector's passes over them free nothing and cost 10 to 30 % of the load
    (docs/meter-storage.md). Reference counting still frees everything; the collector's state is
    restored after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def store_pieces(pieces: dict[DayKey, DayPiece]) -> int:
    """Merges pieces of meter days into the stored days (in the caller's transaction); returns the
    number of meter days touched."""
    if not pieces:
        return 0
    days = [day for _, day in pieces]
    ensure_partitions(min(days), max(days))
    (_store_days_postgresql if connection.vendor == "postgresql" else _store_days_other)(pieces)
    return len(pieces)


def store_days(rows: Iterable[IntervalRow]) -> int:
    """Merges interval rows into the stored meter days (in the caller's transaction); returns the
    number of meter days the rows touch."""
    return store_pieces(day_pieces(rows))


@dataclass
class Readings:
    """Validated readings, grouped as the loader stores them: pieces of (meter pk, local day)."""

    pieces: dict[DayKey, DayPiece]
    count: int


def load_readings(readings: Readings, *, progress: Progress | None = None) -> int:
    """Stores parsed readings (`parse_interval_csv`) in one transaction, DAYS_PER_BATCH meter days
    at a time (the progress steps); returns the number of readings."""
    keys = list(readings.pieces)
    done = 0
    with _no_cycle_collection(), transaction.atomic():
        for n in range(0, len(keys), DAYS_PER_BATCH):
            batch = {key: readings.pieces[key] for key in keys[n : n + DAYS_PER_BATCH]}
            store_pieces(batch)
            done += sum(len(intervals) for _, intervals in batch.values())
            if progress:
                progress(done, readings.count)
    return done


def load_intervals(*, rows: Iterable[IntervalRow], total: int | None = None, progress: Progress | None = None) -> int:
    """Loads intervals in one transaction, merged into the stored meter days (`store_days`: only the
    named intervals change, so a correction is idempotent). Returns the count.

    The rows must be valid; a row the day store refuses (a day in two interval lengths, a start off
    its interval grid) fails the whole load. Rows are taken ROWS_PER_BATCH at a time, so a generator
    of a long history is never all in memory.
    """
    done = 0
    batch: list[IntervalRow] = []
    with _no_cycle_collection(), transaction.atomic():
        for row in rows:
            batch.append(row)
            if len(batch) >= ROWS_PER_BATCH:
                store_days(batch)
                done += len(batch)
                batch = []
                if progress:
                    progress(done, total or done)
        if batch:
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


def _slot(text: str, minutes: int) -> tuple[dt.datetime, dt.date, int, int] | str:
    """(UTC start, local day, interval index, the day's interval count) of a start_at text, or why
    it is refused."""
    start_at = _parse_start(text)
    if start_at is None:
        return f"start_at {text!r} is not an ISO 8601 date and time"
    if start_at.second or start_at.microsecond or start_at.minute % minutes:
        return f"start_at {start_at:%Y-%m-%dT%H:%M:%S}Z is not on a {minutes}-minute boundary"
    layout = daystore.day_layout(daystore.local_day(start_at, STORAGE_TZ), minutes, STORAGE_TZ)
    return start_at, layout.day, layout.index_of(start_at), layout.count


def _wh_of_text(text: str) -> int | None:
    """Whole Wh of a valid value text (VALUE_PATTERN), or None."""
    if not VALUE_PATTERN.fullmatch(text):
        return None
    whole, _, fraction = text.partition(".")
    return int(whole) * 1000 + int(fraction.ljust(3, "0"))


@dataclass
class _FilePiece:
    """A meter day as the file gives it: the interval length, index → (Wh, status), index → line."""

    minutes: int
    first_line: int
    intervals: dict[int, tuple[int | None, int]]
    lines: list[int]


def parse_interval_csv(lines: Iterable[str]) -> Readings:
    """Validates a whole CSV file of intervals and returns its readings; raises CsvRefusedError with line numbers.

    Columns (header required): meter_id (the public meter id), start_at (ISO 8601; no offset means
    UTC), value (kWh, at most 3 decimals; empty only with status 4000), optional status (0, 1,
    4000; default 0) and minutes (15 or 60; default 60). An interval may appear once per file, and
    a meter's local day has one interval length.

    Speed (docs/meter-storage.md): rows become pieces of meter days as they are read; the texts that
    repeat (start times across meters, values, meter ids) are parsed once per file, and a row of the
    same meter day as the row before it finds its piece without a lookup.
    """
    with _no_cycle_collection():
        return _parse_interval_csv(lines)


def _parse_interval_csv(lines: Iterable[str]) -> Readings:
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader, [])]
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise CsvRefusedError([(1, f"the header lacks the column(s) {', '.join(missing)}")])
    at = {name: index for index, name in enumerate(header)}
    i_meter, i_start, i_value = at["meter_id"], at["start_at"], at["value"]
    i_status, i_minutes = at.get("status"), at.get("minutes")
    width = max(at.values()) + 1
    problems = CsvRefusedError()

    def refuse(line_no: int, error: str) -> None:
        if len(problems.errors) < MAX_REPORTED_ERRORS:
            problems.errors.append((line_no, error))
        else:
            problems.more += 1

    slots: dict[int, dict[str, tuple | str]] = {minutes: {} for minutes in INTERVAL_MINUTES}
    wh_of: dict[str, int | None] = {}
    pieces: dict[tuple[str, dt.date], _FilePiece] = {}
    piece_key, piece = None, None
    count = 0
    for fields in reader:
        if not fields:
            continue
        line_no = reader.line_num
        if len(fields) < width:
            fields += [""] * (width - len(fields))
        meter_id = fields[i_meter].strip()
        if not meter_id:
            refuse(line_no, "meter_id is empty")
            continue
        minutes_text = fields[i_minutes].strip() if i_minutes is not None else ""
        minutes = ALLOWED_MINUTES.get(minutes_text or "60")
        if minutes is None:
            refuse(line_no, f"minutes must be one of {INTERVAL_MINUTES}, not {minutes_text!r}")
            continue
        status_text = fields[i_status].strip() if i_status is not None else ""
        status = ALLOWED_STATUS.get(status_text or "0")
        if status is None:
            refuse(line_no, f"status must be one of {Quality.values}, not {status_text!r}")
            continue
        start_text = fields[i_start].strip()
        slot = slots[minutes].get(start_text)
        if slot is None:
            slot = slots[minutes][start_text] = _slot(start_text, minutes)
        if type(slot) is str:
            refuse(line_no, slot)
            continue
        value = fields[i_value].strip()
        if value == "":
            if status != Quality.Missing:
                refuse(line_no, "value is empty but status is not 4000 (missing)")
                continue
            wh = None
        else:
            wh = wh_of.get(value)
            if wh is None:
                wh = wh_of[value] = _wh_of_text(value)
                if wh is None:
                    refuse(line_no, f"value {value!r} must be a number from 0 to {MAX_VALUE}, with at most 3 decimals")
                    continue
        _, day, index, day_count = slot
        if piece_key is None or piece_key[0] != meter_id or piece_key[1] != day:
            piece_key = (meter_id, day)
            piece = pieces.get(piece_key)
            if piece is None:
                piece = pieces[piece_key] = _FilePiece(minutes, line_no, {}, [0] * day_count)
        if piece.minutes != minutes:
            refuse(
                line_no,
                f"{day} of this meter has {piece.minutes}-minute intervals (line {piece.first_line}), not {minutes}",
            )
            continue
        if index in piece.intervals:
            refuse(line_no, f"the interval is already on line {piece.lines[index]}")
            continue
        piece.intervals[index] = (wh, status)
        piece.lines[index] = line_no
        count += 1

    meters = dict(Meter.objects.filter(meter_id__in={meter_id for meter_id, _ in pieces}).values_list("meter_id", "pk"))
    readings: dict[DayKey, DayPiece] = {}
    for (meter_id, day), piece in pieces.items():
        pk = meters.get(meter_id)
        if pk is None:
            for line_no in sorted(line for line in piece.lines if line):
                refuse(line_no, f"unknown meter {meter_id!r}")
            continue
        readings[(pk, day)] = (piece.minutes, piece.intervals)
    if problems.errors:
        problems.errors.sort()
        raise problems
    return Readings(readings, count)


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
