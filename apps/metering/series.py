"""The read engine of interval data: series of every resolution from stored meter days (MeterDay).

One engine on every database: the ORM fetches the rows of the days a window covers and
`daystore` (pure) decodes and aggregates them, so SQLite and PostgreSQL give the same series by the
same code (issue 21; docs/meter-storage.md). What each resolution reads:

* QuarterHour, Hour: the days' values and statuses, decoded; a quarter-hour day is summed to hours,
  an hourly day is spread over quarters (estimated); trimmed to the window by UTC start.
* Day, Week, Month, Year in the storage zone (Europe/Oslo): only each day's total and statuses, no
  value is unpacked and no hour walked.
* Day … Year in another zone: the days' intervals, bucketed by that zone's calendar (the one path
  that walks every interval).

Values leave the engine as integers with a `unit` (1000 per kWh: whole Wh; 10000: tenths of a Wh,
QuarterHour series, where an hour spread over four quarters is 1/4 Wh exact to a tenth); `kwh` and
`wire_value` turn them into the Decimal and float the callers and the wire use.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

import orjson
from django.db.models import Q

from . import conf, daystore
from .models import MeterDay, Resolution
from .timeseries import Window, is_calendar

STORAGE_TZ = daystore.OSLO
WH = 1000  # units per kWh of a series in whole Wh
TENTH_WH = 10_000  # units per kWh of a series in tenths of a Wh
_DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
QUARTER_HOUR = dt.timedelta(minutes=15)
_FLOORS = {
    Resolution.Day: lambda day: day,
    Resolution.Week: daystore.week_start,
    Resolution.Month: daystore.month_start,
    Resolution.Year: daystore.year_start,
}
_VALUE_FIELDS = ("meter_id", "day", "minutes", "values", "statuses")
_TOTAL_FIELDS = ("meter_id", "day", "minutes", "total", "statuses")


@dataclass(frozen=True)
class Series:
    """Bucket starts (aware UTC), values (integers of 1/unit kWh, None: missing) and statuses.

    `step`: the length of every bucket when they are all alike and contiguous (QuarterHour, Hour),
    else None (calendar buckets)."""

    starts: list[dt.datetime]
    values: list[int | None]
    statuses: list[int]
    unit: int
    step: dt.timedelta | None = None

    def kwh(self) -> list[tuple[dt.datetime, Decimal | None, int]]:
        """[(start, kWh as a Decimal or None, status)], the shape of selectors.consumption_series."""
        return [(t, kwh(v, self.unit), s) for t, v, s in zip(self.starts, self.values, self.statuses, strict=True)]

    def wire(self) -> list[dict]:
        """The wire objects of the series: ValueTime as UTC text, Value as a float, Status."""
        unit = self.unit
        return [
            {"ValueTime": wire_time(t), "Value": None if v is None else v / unit, "Status": s}
            for t, v, s in zip(self.starts, self.values, self.statuses, strict=True)
        ]

    def wire_json(self) -> bytes:
        """`orjson.dumps(self.wire())`, the same bytes, written faster where the buckets are alike.

        A year of hours is 8,760 wire objects; building them as dicts was most of a year's read. With
        contiguous buckets of one length (`step`), each object is two cached texts: the text up to its
        Value (its ValueTime, cached in runs of WIRE_RUN buckets that every meter's year shares) and
        the text from its Value on (orjson's own text of the value then `,"Status":0}`, cached per
        value), and one join writes them all. tests/metering/test_series_engine.py compares the two
        outputs. METERING_WIRE_TEMPLATES=False turns it off (docs/meter-storage.md)."""
        count = len(self.starts)
        if self.step is None or count == 0 or not conf.wire_templates():
            return orjson.dumps(self.wire())
        heads: list[bytes] = []
        for first in range(0, count, WIRE_RUN):
            heads += _wire_heads(self.starts[first], self.step, min(WIRE_RUN, count - first))
        heads[0] = heads[0][1:]  # no comma before the first object
        tails = measured_tails(self.values, self.unit)
        statuses = self.statuses
        if statuses.count(daystore.MEASURED) != count:  # rewrite the status of the others, found by C-speed scans
            for status in set(statuses) - {daystore.MEASURED}:
                end = b"%d}" % status
                for i in _positions(statuses, status):
                    tails[i] = tails[i][:-2] + end
        parts: list[bytes] = [b""] * (2 * count)
        parts[0::2] = heads
        parts[1::2] = tails
        return b"[" + b"".join(parts) + b"]"


def kwh(value: int | None, unit: int) -> Decimal | None:
    """An engine value as kWh: three decimals for whole Wh, four only where a tenth of a Wh is not 0."""
    if value is None:
        return None
    if unit == TENTH_WH:
        if value % 10:
            return Decimal(value).scaleb(-4)
        value //= 10
    return Decimal(value).scaleb(-3)


@lru_cache(maxsize=65_536)
def wire_time(moment: dt.datetime) -> str:
    return moment.isoformat()[:19]


WIRE_RUN = 24  # buckets per cached run of ValueTimes: a day of hours
_MEASURED_TAILS: dict[int, dict[int | None, bytes]] = {
    WH: {None: b'null,"Status":0}'},
    TENTH_WH: {None: b'null,"Status":0}'},
}
MEASURED_TAILS_MAX = 100_000  # texts kept per unit (a household's hours span a few thousand values)


def measured_tails(values: list[int | None], unit: int) -> list[bytes]:
    """The end of each value's wire object when measured: orjson's text of value / unit (None: null),
    then `,"Status":0}`. From a cache that is only ever added to, so the lookups of one call cannot
    miss (no lock needed between threads); past MEASURED_TAILS_MAX values a call's new texts are its own."""
    cache = _MEASURED_TAILS[unit]
    try:
        return [cache[v] for v in values]
    except KeyError:
        pass
    missing = [v for v in set(values) if v not in cache]
    texts = orjson.dumps([v / unit for v in missing])[1:-1].split(b",")
    fresh = {v: text + b',"Status":0}' for v, text in zip(missing, texts, strict=True)}
    if len(cache) < MEASURED_TAILS_MAX:
        cache.update(fresh)
    return [fresh[v] if v in fresh else cache[v] for v in values]


def _positions(items: list, value) -> Iterator[int]:
    """The indexes of `value` in `items`, found by list.index (a C scan), not a Python loop over all."""
    i = -1
    try:
        while True:
            i = items.index(value, i + 1)
            yield i
    except ValueError:
        return


@lru_cache(maxsize=4096)
def _wire_heads(first: dt.datetime, step: dt.timedelta, count: int) -> tuple[bytes, ...]:
    """The text before the Value of `count` wire objects from `first`, `step` apart, each with the
    comma that parts it from the object before."""
    return tuple(b',{"ValueTime":"' + wire_time(first + n * step).encode() + b'","Value":' for n in range(count))


# --- Which days a window reads --------------------------------------------------------------------


def storage_days(win: Window) -> tuple[dt.date, dt.date]:
    """The first and last stored (storage-zone) day holding an interval that starts in the window."""
    first = win.start.astimezone(STORAGE_TZ).date()
    last = (win.end - dt.timedelta(microseconds=1)).astimezone(STORAGE_TZ).date()
    return first, last


def _in_storage_calendar(win: Window) -> bool:
    return is_calendar(win.resolution) and getattr(win.tz, "key", None) == STORAGE_TZ.key


def fetch(meter_ids: Iterable[int] | Q, win: Window) -> dict[int, list[tuple]]:
    """The stored rows the window needs per meter, one query: (day, minutes, values, statuses), or
    (day, minutes, total, statuses) for a calendar series in the storage zone. `meter_ids` may be a
    Q on meter_id (a subquery of a cohort), run inside the same query."""
    first, last = storage_days(win)
    fields = _TOTAL_FIELDS if _in_storage_calendar(win) else _VALUE_FIELDS
    meters = meter_ids if isinstance(meter_ids, Q) else Q(meter_id__in=list(meter_ids))
    rows = MeterDay.objects.filter(meters, day__gte=first, day__lte=last).values_list(*fields)
    out: dict[int, list[tuple]] = {}
    for meter_id, *row in rows:
        out.setdefault(meter_id, []).append(tuple(row))
    return out


# --- Building series ------------------------------------------------------------------------------


def build(rows: list[tuple], win: Window) -> Series:
    """The series of one meter over the window from its fetched rows (see `fetch`)."""
    if win.resolution == Resolution.Hour:
        starts, values, statuses = daystore.hourly_series(rows, *storage_days(win), STORAGE_TZ)
        return _trim(Series(starts, values, statuses, WH, HOUR), win)
    if win.resolution == Resolution.QuarterHour:
        return _trim(_quarter_series(rows, *storage_days(win)), win)
    if _in_storage_calendar(win):
        return _calendar_from_totals(rows, win)
    return _calendar_from_intervals(rows, win)


def has_quarter_hours(*, meter_id: int, from_time: dt.datetime, to_time: dt.datetime) -> bool:
    """Whether a stored day of 15-minute intervals holds [from_time, to_time) or part of it."""
    first = from_time.astimezone(STORAGE_TZ).date()
    last = (to_time - dt.timedelta(microseconds=1)).astimezone(STORAGE_TZ).date()
    return MeterDay.objects.filter(meter_id=meter_id, day__gte=first, day__lte=last, minutes=15).exists()


def consumption(meter_id: int, win: Window) -> Series:
    return build(fetch([meter_id], win).get(meter_id, []), win)


def consumption_of_meters(meter_ids: Iterable[int], win: Window) -> dict[int, Series]:
    """The series of several meters over one window, from one query (meters without rows included)."""
    meter_ids = list(meter_ids)
    rows = fetch(meter_ids, win)
    return {meter_id: build(rows.get(meter_id, []), win) for meter_id in meter_ids}


def bucket_sums(meter_ids: Iterable[int] | Q, win: Window) -> dict[int, dict[dt.datetime, Decimal]]:
    """kWh per bucket start of every meter with a counted value in the window (buckets without one
    left out), from one query: what a comparison of meters aggregates."""
    out = {}
    for meter_id, rows in fetch(meter_ids, win).items():
        built = build(rows, win)
        sums = {t: kwh(v, built.unit) for t, v in zip(built.starts, built.values, strict=True) if v is not None}
        if sums:
            out[meter_id] = sums
    return out


def _trim(series: Series, win: Window) -> Series:
    lo = bisect_left(series.starts, win.start)
    hi = bisect_left(series.starts, win.end)
    if lo == 0 and hi == len(series.starts):
        return series
    return Series(series.starts[lo:hi], series.values[lo:hi], series.statuses[lo:hi], series.unit, series.step)


def _quarter_series(rows: list[tuple], first: dt.date, last: dt.date) -> Series:
    stored = {row[0]: row for row in rows}
    starts: list[dt.datetime] = []
    values: list[int | None] = []
    statuses: list[int] = []
    day = first
    while day <= last:
        layout = daystore.day_layout(day, 15, STORAGE_TZ)
        starts += layout.starts()
        row = stored.get(day)
        if row is None:
            values += [None] * layout.count
            statuses += [daystore.MISSING] * layout.count
        else:
            _, minutes, blob, packed = row
            count = layout.count if minutes == 15 else layout.count // 4
            day_values, day_statuses = daystore.unpack_values(blob, count), daystore.unpack_statuses(packed, count)
            if minutes == 60:
                day_values, day_statuses = daystore.quarters_from_hours(day_values, day_statuses)
            else:
                day_values = [
                    v * 10 if s < daystore.MISSING and v is not None else None
                    for v, s in zip(day_values, day_statuses, strict=True)
                ]
                day_statuses = [daystore.wire_status(s) for s in day_statuses]
            values += day_values
            statuses += day_statuses
        day += _DAY
    return Series(starts, values, statuses, TENTH_WH, QUARTER_HOUR)


def _calendar_days(win: Window) -> tuple[dt.date, dt.date]:
    """The local days (in the window's zone) of the window's buckets."""
    first = win.start.astimezone(win.tz).date()
    last = win.end.astimezone(win.tz).date() - _DAY
    return first, last


def _calendar_from_totals(rows: list[tuple], win: Window) -> Series:
    summaries = [
        daystore.summarize(day, total, statuses, daystore.day_layout(day, minutes, STORAGE_TZ).count)
        for day, minutes, total, statuses in rows
    ]
    first, last = _calendar_days(win)
    buckets = daystore.calendar_buckets(summaries, first, last, _FLOORS[win.resolution])
    return Series(
        [daystore.midnight(start, win.tz) for start, _, _ in buckets],
        [value for _, value, _ in buckets],
        [status for _, _, status in buckets],
        WH,
    )


def intervals(rows: list[tuple]) -> Iterable[tuple[dt.datetime, int, int | None, int]]:
    """(UTC start, minutes, Wh, status) of every stored interval of (day, minutes, values, statuses) rows."""
    for day, minutes, blob, packed in rows:
        layout = daystore.day_layout(day, minutes, STORAGE_TZ)
        values = daystore.unpack_values(blob, layout.count)
        statuses = daystore.unpack_statuses(packed, layout.count)
        for start, value, status in zip(layout.starts(), values, statuses, strict=True):
            yield start, minutes, value, status


def _calendar_from_intervals(rows: list[tuple], win: Window) -> Series:
    """Calendar buckets of a zone other than the storage zone: every counted interval is placed by its
    start (a bucket's status: 1 when an interval is not measured or the bucket is not fully covered)."""
    starts = win.starts()
    ends = [*starts[1:], win.end]
    totals: list[int | None] = [None] * len(starts)
    worst = [0] * len(starts)
    covered = [0] * len(starts)
    for start, minutes, value, status in intervals(rows):
        if status >= daystore.MISSING or value is None or not win.start <= start < win.end:
            continue
        i = bisect_right(starts, start) - 1
        totals[i] = value if totals[i] is None else totals[i] + value
        worst[i] = max(worst[i], status)
        covered[i] += minutes
    statuses = [
        daystore.bucket_status(totals[i] is not None, worst[i], covered[i] * 60 >= (ends[i] - t).total_seconds())
        for i, t in enumerate(starts)
    ]
    return Series(starts, totals, statuses, WH)
