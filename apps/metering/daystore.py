"""The pure core of meter-day storage: one stored row per meter and local calendar day (no ORM, no clock).

A day is the local calendar day of a time zone (Europe/Oslo unless told): 23, 24 or 25 hours, so
92, 96 or 100 quarter hours. Its intervals are numbered from 0 at local midnight; interval i
starts at the day's UTC start + i × minutes (every interval is the same length in UTC, DST only
changes how many a day has). The same functions serve SQLite (a BLOB) and PostgreSQL (a bytea):
the database only stores and fetches a day's bytes, this module reads and aggregates them, so
both backends go through one engine (docs/meter-storage.md).

Stored per day:

* ``values``: the values in whole Wh, packed little-endian: 4 bytes each (int32) when every value
  fits, else 8 (int64); the width follows from the length (count × 4 or count × 8), so there is no
  header. An interval without a value holds the width's smallest integer (``ABSENT32``/``ABSENT64``),
  never a legal reading (−2.1 GWh in one interval), so "no value" needs no bitmap.
* ``statuses``: ``None`` when every interval is measured (status 0), the common case; otherwise the
  change points of the status run, each 3 bytes (the interval index as one byte, the status code as
  an unsigned 16-bit little-endian integer), the status before the first change point being 0. Any
  code 0..65535 is kept (0, 1, 4000 and any later one). A day with one estimated hour costs 6 bytes, a
  day whose last 10 hours have not arrived costs 3.
* ``total``: the sum in Wh of the values whose status is below 4000, or ``None`` when there is
  none, so day, month and year series read totals and statuses without unpacking values.

An interval that has not arrived (or arrived without a value) is stored as (absent, 4000): a value
without a reading is missing by definition, whatever status came with it. Merging a piece of a day
(`merge_day`) overwrites exactly the intervals the piece names and nothing else, so a correction is
idempotent and pieces that do not overlap merge to the same day in any order.
"""

from __future__ import annotations

import datetime as dt
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

UTC = dt.UTC
OSLO = ZoneInfo("Europe/Oslo")

# Quality codes as in apps.metering.models.Quality (kept here so this module imports no model).
MEASURED = 0
ESTIMATED = 1
MISSING = 4000  # the original's clients treat any status above 3999 as bad data

MINUTES = (15, 60)
ABSENT32 = -(2**31)
ABSENT64 = -(2**63)
MAX_STATUS = 0xFFFF

_LITTLE = sys.byteorder == "little"
_I32 = "i" if array("i").itemsize == 4 else "l"
_I64 = "q"


class DayStoreError(ValueError):
    """A day's bytes or a piece of a day that cannot be read or merged."""


# --- Layout ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DayLayout:
    """The intervals of one local day at one interval length."""

    day: dt.date
    minutes: int
    start: dt.datetime  # the UTC start of interval 0 (local midnight)
    end: dt.datetime  # the UTC start of the next local day
    count: int

    @property
    def step(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.minutes)

    def start_of(self, index: int) -> dt.datetime:
        """The UTC start of interval `index`."""
        if not 0 <= index < self.count:
            raise IndexError(f"interval {index} of {self.day} ({self.count} intervals)")
        return self.start + index * self.step

    def starts(self) -> tuple[dt.datetime, ...]:
        """The UTC start of every interval (cached per day: a year of hours is 8,760 datetimes)."""
        return _starts(self.start, self.minutes, self.count)

    def index_of(self, moment: dt.datetime) -> int:
        """The interval that starts at `moment` (aware); refuses a moment off the day's grid."""
        offset = moment.astimezone(UTC) - self.start
        index, rest = divmod(offset, self.step)
        if rest or not 0 <= index < self.count:
            raise DayStoreError(f"{moment.isoformat()} starts no {self.minutes}-minute interval of {self.day}")
        return index


@lru_cache(maxsize=4096)
def _starts(start: dt.datetime, minutes: int, count: int) -> tuple[dt.datetime, ...]:
    step = dt.timedelta(minutes=minutes)
    return tuple(start + i * step for i in range(count))


def midnight(day: dt.date, tz: ZoneInfo = OSLO) -> dt.datetime:
    """The UTC moment of local midnight starting `day` (a zone whose midnight is skipped: the first moment after)."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


@lru_cache(maxsize=8192)
def day_layout(day: dt.date, minutes: int, tz: ZoneInfo = OSLO) -> DayLayout:
    if minutes not in MINUTES:
        raise DayStoreError(f"interval length {minutes} minutes; expected one of {MINUTES}")
    start = midnight(day, tz)
    end = midnight(day + dt.timedelta(days=1), tz)
    count, rest = divmod(end - start, dt.timedelta(minutes=minutes))
    if rest:
        raise DayStoreError(f"{day} in {tz.key} is not a whole number of {minutes}-minute intervals")
    return DayLayout(day, minutes, start, end, count)


def local_day(moment: dt.datetime, tz: ZoneInfo = OSLO) -> dt.date:
    """The local calendar day holding `moment` (aware)."""
    return moment.astimezone(tz).date()


# --- Values ----------------------------------------------------------------------------------------


def pack_values(values: Sequence[int | None]) -> bytes:
    """Wh values (``None``: no value) as little-endian int32, or int64 when one does not fit."""
    filled = [ABSENT32 if v is None else v for v in values]
    try:
        packed = array(_I32, filled)  # OverflowError when a value does not fit
        if filled.count(ABSENT32) != values.count(None):  # a value equal to the sentinel
            raise OverflowError
    except OverflowError:
        if any(v is not None and not ABSENT64 < v < 2**63 for v in values):
            raise DayStoreError("a value does not fit in 64 bits") from None
        packed = array(_I64, [ABSENT64 if v is None else v for v in values])
    if not _LITTLE:
        packed.byteswap()
    return packed.tobytes()


def unpack_raw(blob: bytes | memoryview, count: int) -> tuple[array, int]:
    """The stored integers (absent intervals hold the sentinel) and that sentinel, without building a list."""
    size = len(blob)
    if size == 4 * count:
        raw, absent = array(_I32), ABSENT32
    elif size == 8 * count:
        raw, absent = array(_I64), ABSENT64
    else:
        raise DayStoreError(f"{size} bytes of values for {count} intervals")
    raw.frombytes(blob)
    if not _LITTLE:
        raw.byteswap()
    return raw, absent


def unpack_values(blob: bytes | memoryview, count: int) -> list[int | None]:
    raw, absent = unpack_raw(blob, count)
    values = raw.tolist()
    if absent in values:
        return [None if v == absent else v for v in values]
    return values


# --- Statuses --------------------------------------------------------------------------------------


def pack_statuses(statuses: Sequence[int]) -> bytes | None:
    """The change points of the status run; ``None`` when every interval is measured."""
    if len(statuses) > 256:
        raise DayStoreError(f"{len(statuses)} intervals in one day")
    if statuses.count(MEASURED) == len(statuses):
        return None
    out = bytearray()
    previous = MEASURED
    for index, status in enumerate(statuses):
        if status != previous:
            if not 0 <= status <= MAX_STATUS:
                raise DayStoreError(f"status {status} of interval {index} is not 0..{MAX_STATUS}")
            out += bytes((index, status & 0xFF, status >> 8))
            previous = status
    return bytes(out) or None


def unpack_statuses(blob: bytes | memoryview | None, count: int) -> list[int]:
    if not blob:
        return [MEASURED] * count
    data = bytes(blob)
    if len(data) % 3:
        raise DayStoreError(f"{len(data)} bytes of statuses")
    out: list[int] = []
    status = MEASURED
    previous = -1
    for n in range(0, len(data), 3):
        index = data[n]
        if index <= previous or index >= count:
            raise DayStoreError(f"status change at interval {index} of {count}, out of order")
        out.extend([status] * (index - len(out)))
        status = data[n + 1] | data[n + 2] << 8
        previous = index
    out.extend([status] * (count - len(out)))
    return out


# --- A day -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDay:
    """What one row holds besides its key: the packed values, the packed statuses, the day's total."""

    values: bytes
    statuses: bytes | None
    total: int | None


def normalize(values: Sequence[int | None], statuses: Sequence[int]) -> tuple[list[int | None], list[int]]:
    """A value-less interval is missing (status 4000 unless it already says worse)."""
    if len(values) != len(statuses):
        raise DayStoreError(f"{len(values)} values and {len(statuses)} statuses")
    values = list(values)
    if None not in values:
        return values, list(statuses)
    statuses = [s if v is not None or s >= MISSING else MISSING for v, s in zip(values, statuses, strict=True)]
    return values, statuses


def day_total(values: Sequence[int | None], statuses: Sequence[int]) -> int | None:
    """The sum of the values the series count (status below 4000), ``None`` when there is none."""
    if values and None not in values and max(statuses) < MISSING:
        return sum(values)  # the common day: every value there and counted
    counted = [v for v, s in zip(values, statuses, strict=True) if v is not None and s < MISSING]
    return sum(counted) if counted else None


def encode_day(values: Sequence[int | None], statuses: Sequence[int] | None = None) -> StoredDay:
    if statuses is None:
        statuses = [MEASURED] * len(values)
    values, statuses = normalize(values, statuses)
    return StoredDay(pack_values(values), pack_statuses(statuses), day_total(values, statuses))


def decode_day(stored: StoredDay | tuple, count: int) -> tuple[list[int | None], list[int]]:
    """(values, statuses) of a stored day; `stored` may be a StoredDay or a row's (values, statuses)."""
    blob, statuses = (stored.values, stored.statuses) if isinstance(stored, StoredDay) else stored[:2]
    return unpack_values(blob, count), unpack_statuses(statuses, count)


def empty_day(count: int) -> StoredDay:
    return encode_day([None] * count, [MISSING] * count)


Piece = Mapping[int, tuple[int | None, int]]


def merge_day(stored: StoredDay | None, count: int, piece: Piece) -> StoredDay:
    """The day with the piece's intervals (index → (Wh or None, status)) written over the stored ones.

    Only the named intervals change: merging the same piece twice gives the same bytes (idempotent),
    and pieces naming different intervals give the same day in any order. Where two pieces name the
    same interval, the later one wins (a correction).
    """
    if stored is None:
        values, statuses = [None] * count, [MISSING] * count
    else:
        values, statuses = decode_day(stored, count)
    for index, (value, status) in piece.items():
        if not 0 <= index < count:
            raise DayStoreError(f"interval {index} of a day of {count}")
        values[index], statuses[index] = value, status
    return encode_day(values, statuses)


def piece_of(layout: DayLayout, readings: Iterable[tuple[dt.datetime, int | None, int]]) -> dict[int, tuple]:
    """A piece of `layout`'s day from (UTC start, Wh, status) readings; refuses one off the day's grid."""
    return {layout.index_of(start): (value, status) for start, value, status in readings}


def split_by_day(
    readings: Iterable[tuple[dt.datetime, int | None, int]], minutes: int, tz: ZoneInfo = OSLO
) -> dict[dt.date, dict[int, tuple]]:
    """Readings of one meter, in any order, as pieces by local day."""
    pieces: dict[dt.date, dict[int, tuple]] = {}
    for start, value, status in readings:
        layout = day_layout(local_day(start, tz), minutes, tz)
        pieces.setdefault(layout.day, {})[layout.index_of(start)] = (value, status)
    return pieces


# --- Aggregation -----------------------------------------------------------------------------------


def bucket_status(has_value: bool, worst: int, complete: bool) -> int:
    """A bucket's status as the series engine states it: 4000 with no counted value, 1 when an
    interval counted is not measured or the bucket is not fully covered, else 0."""
    if not has_value:
        return MISSING
    return ESTIMATED if worst > MEASURED or not complete else MEASURED


def wire_status(status: int) -> int:
    """One interval's own status as a bucket of its own: 0, 1 (any code 1..3999) or 4000 (4000 and above)."""
    return MEASURED if status == MEASURED else ESTIMATED if status < MISSING else MISSING


def day_quality(statuses: bytes | memoryview | None, count: int) -> int:
    """The day bucket's status from its statuses alone (no values unpacked)."""
    if not statuses:
        return MEASURED
    codes = unpack_statuses(statuses, count)
    counted = [s for s in codes if s < MISSING]
    return bucket_status(bool(counted), max(counted, default=0), len(counted) == count)


def hours_from_quarters(values: Sequence[int | None], statuses: Sequence[int]) -> tuple[list, list[int]]:
    """A quarter-hour day as hours (a day starting on a whole UTC hour, as in every whole-hour zone)."""
    if len(values) % 4:
        raise DayStoreError(f"{len(values)} quarters are not whole hours")
    out_values: list[int | None] = []
    out_statuses: list[int] = []
    for h in range(0, len(values), 4):
        counted = [(v, s) for v, s in zip(values[h : h + 4], statuses[h : h + 4], strict=True) if s < MISSING]
        has = bool(counted)
        out_values.append(sum(v for v, _ in counted) if has else None)
        out_statuses.append(bucket_status(has, max((s for _, s in counted), default=0), len(counted) == 4))
    return out_values, out_statuses


def quarters_from_hours(values: Sequence[int | None], statuses: Sequence[int]) -> tuple[list, list[int]]:
    """An hourly day as quarters, each hour spread evenly and marked at least estimated.

    Statuses come back as the series states them (1, or 4000 where the hour is not counted); values
    come back in tenths of a Wh (a quarter of a Wh rounded half away from zero, as the
    series engine's round(value * 15 / 60, 4) kWh does)."""
    out_values: list[int | None] = []
    out_statuses: list[int] = []
    for v, s in zip(values, statuses, strict=True):
        if s >= MISSING or v is None:
            out_values += [None] * 4
            out_statuses += [MISSING] * 4
            continue
        tenths = (abs(v) * 10 * 2 + 4) // 8  # |v| × 10 / 4, half up
        out_values += [tenths if v >= 0 else -tenths] * 4
        out_statuses += [ESTIMATED] * 4
    return out_values, out_statuses


@dataclass(frozen=True)
class DaySummary:
    day: dt.date
    total: int | None
    quality: int


def summarize(day: dt.date, total: int | None, statuses: bytes | memoryview | None, count: int) -> DaySummary:
    """A stored day as a day bucket, from its total and statuses columns."""
    return DaySummary(day, total, MISSING if total is None else day_quality(statuses, count))


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _next(start: dt.date, floor) -> dt.date:
    if floor is week_start:
        return start + dt.timedelta(days=7)
    if floor is month_start:
        return dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if floor is year_start:
        return dt.date(start.year + 1, 1, 1)
    return start + dt.timedelta(days=1)


def calendar_buckets(days: Iterable[DaySummary], first: dt.date, last: dt.date, floor=month_start) -> list[tuple]:
    """(bucket's first local day, Wh or None, status) for every bucket from `first`'s to `last`'s,
    summing stored day totals: no hour is unpacked. A bucket is complete when each of its days is
    stored with a measured total."""
    by_day = {d.day: d for d in days}
    out = []
    start = floor(first)
    while start <= last:
        end = _next(start, floor)
        total, worst, complete, has = 0, 0, True, False
        day = start
        while day < end:
            summary = by_day.get(day)
            if summary is None or summary.total is None:
                complete = False
            else:
                has = True
                total += summary.total
                worst = max(worst, summary.quality)
            day += dt.timedelta(days=1)
        out.append((start, total if has else None, bucket_status(has, worst, complete)))
        start = end
    return out


def hourly_series(
    rows: Iterable[tuple[dt.date, int, bytes, bytes | None]], first: dt.date, last: dt.date, tz: ZoneInfo = OSLO
) -> tuple[list[dt.datetime], list[int | None], list[int]]:
    """Every hour of the local days first..last from stored (day, minutes, values, statuses) rows:
    UTC starts, Wh (``None``: none counted) and statuses; days not stored are missing hours.

    A plain day (hourly, every hour measured, 4-byte values), the common one, is not decoded on its
    own: consecutive plain days' bytes are joined and unpacked in one call (a year is one call)."""
    stored = {row[0]: row for row in rows}
    starts: list[dt.datetime] = []
    values: list[int | None] = []
    statuses: list[int] = []
    plain: list[bytes] = []  # the values of the plain days not yet unpacked

    def unpack_plain() -> None:
        raw = array(_I32)
        raw.frombytes(b"".join(plain))
        if not _LITTLE:
            raw.byteswap()
        if ABSENT32 in raw:  # not written by encode_day (normalize makes such an hour missing): read as unpack_values
            values.extend(None if v == ABSENT32 else v for v in raw)
        else:
            values.extend(raw)
        statuses.extend([MEASURED] * len(raw))
        plain.clear()

    day = first
    while day <= last:
        layout = day_layout(day, 60, tz)
        starts += layout.starts()
        row = stored.get(day)
        if row is not None and row[1] == 60 and not row[3] and len(row[2]) == 4 * layout.count:
            plain.append(row[2])
        else:
            if plain:
                unpack_plain()
            if row is None:
                values += [None] * layout.count
                statuses += [MISSING] * layout.count
            else:
                _, minutes, blob, packed_statuses = row
                count = layout.count if minutes == 60 else layout.count * 4
                day_values, day_statuses = unpack_values(blob, count), unpack_statuses(packed_statuses, count)
                if minutes == 15:
                    day_values, day_statuses = hours_from_quarters(day_values, day_statuses)
                elif packed_statuses:
                    day_values = [v if s < MISSING else None for v, s in zip(day_values, day_statuses, strict=True)]
                    day_statuses = [wire_status(s) for s in day_statuses]
                values += day_values
                statuses += day_statuses
        day += _ONE_DAY
    if plain:
        unpack_plain()
    return starts, values, statuses


_ONE_DAY = dt.timedelta(days=1)
