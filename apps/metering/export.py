"""A customer's own interval data as files other tools read: CSV and Green Button (NAESB REQ.21 ESPI).

Everything here streams. `export_days` reads the stored meter days of a range a window at a time
(`WINDOW_DAYS` days, one query each, through the read engine `series.fetch`) and yields one
`ExportDay` per local (Europe/Oslo) day; `csv_chunks` and `espi_chunks` turn days into bytes, a
day at a time; `zip_chunks` packs several such files into one zip as it goes. So memory holds a
window of days and one day of text, whatever the range (docs/export.md).

What is exported is the meter's own intervals, as stored (15 or 60 minutes; a day has 23, 24 or
25 hours), every interval that starts in [from, to): an interval without a value is a row too,
with the status 4000 (missing), so a gap is never silent.

Values are integers of thousandths of the unit (Wh for kWh meters, litres for m³ meters), as the
day store keeps them; CSV writes them as kWh (m³) with three decimals, ESPI as integers with a
power-of-ten multiplier, so neither rounds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape, quoteattr

from apps.customers.public import Meter
from esmart.replica import heavy_read

from . import daystore, series
from .models import Resolution
from .timeseries import window

OSLO = daystore.OSLO
UTC = dt.UTC
WINDOW_DAYS = 31  # stored days read per query: a month of blobs at most in memory
_DAY = dt.timedelta(days=1)

# --- Reading the days of a range ------------------------------------------------------------------


@dataclass(frozen=True)
class ExportDay:
    """The intervals of one local day that start in the export range."""

    day: dt.date
    minutes: int
    starts: list[dt.datetime]  # UTC
    values: list[int | None]  # thousandths of the unit; None: no value (missing)
    statuses: list[int]  # 0 measured, 1 estimated, 4000 missing (daystore.wire_status)


def local_days(from_time: dt.datetime, to_time: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last local day holding an interval start in [from_time, to_time)."""
    return daystore.local_day(from_time), daystore.local_day(to_time - dt.timedelta(microseconds=1))


def export_days(
    meter_id: int,
    from_time: dt.datetime,
    to_time: dt.datetime,
    *,
    default_minutes: int,
    window_days: int = WINDOW_DAYS,
) -> Iterator[ExportDay]:
    """Every local day of [from_time, to_time) with its intervals, in order, read `window_days` days per
    query. A day with no stored row is all missing, in the interval length of the last stored day
    before it (else `default_minutes`, the meter's own length)."""
    first, last = local_days(from_time, to_time)
    minutes = default_minutes
    while first <= last:
        upto = min(first + dt.timedelta(days=window_days - 1), last)
        rows = _stored_days(meter_id, first, upto)
        day = first
        while day <= upto:
            row = rows.pop(day, None)
            if row is not None:
                minutes = row[1]
            exported = _export_day(day, row, minutes, from_time, to_time)
            if exported is not None:
                yield exported
            day += _DAY
        first = upto + _DAY


def _stored_days(meter_id: int, first: dt.date, last: dt.date) -> dict[dt.date, tuple]:
    """(day, minutes, values, statuses) of the meter's stored days in [first, last], by day."""
    win = window(daystore.midnight(first), daystore.midnight(last + _DAY), Resolution.Hour, OSLO)
    with heavy_read():
        rows = series.fetch([meter_id], win).get(meter_id, [])
    return {row[0]: row for row in rows}


def _export_day(
    day: dt.date, row: tuple | None, minutes: int, from_time: dt.datetime, to_time: dt.datetime
) -> ExportDay | None:
    layout = daystore.day_layout(day, minutes, OSLO)
    if row is None:
        values: list[int | None] = [None] * layout.count
        statuses = [daystore.MISSING] * layout.count
    else:
        values = daystore.unpack_values(row[2], layout.count)
        statuses = daystore.unpack_statuses(row[3], layout.count)
    # Not layout.starts(): it is cached per day, and the cache would grow with the range.
    step = layout.step
    lo = max(0, -(-(from_time - layout.start) // step))
    hi = min(layout.count, -(-(to_time - layout.start) // step))
    if lo >= hi:
        return None
    out_values, out_statuses = [], []
    for value, status in zip(values[lo:hi], statuses[lo:hi], strict=True):
        wire = daystore.wire_status(status)
        out_values.append(None if wire == daystore.MISSING else value)
        out_statuses.append(daystore.MISSING if value is None else wire)
    starts = [layout.start + i * step for i in range(lo, hi)]
    return ExportDay(day, minutes, starts, out_values, out_statuses)


# --- CSV --------------------------------------------------------------------------------------------

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}
DECIMALS = {"point": ".", "comma": ","}
QUALITY_WORDS = {daystore.MEASURED: "measured", daystore.ESTIMATED: "estimated", daystore.MISSING: "missing"}


def csv_header(unit: str) -> list[str]:
    return ["StartUtc", "EndUtc", "StartLocal", unit, "Status", "Quality"]


def csv_chunks(days: Iterable[ExportDay], *, unit: str, delimiter: str = ",", decimal: str = ".") -> Iterator[bytes]:
    """The CSV file of the days: a header row, then one row per interval, one chunk per day.

    StartUtc and EndUtc as the API writes times (UTC, no offset), StartLocal in Europe/Oslo with its
    offset (the two 02:00 of an autumn night differ by it), the value with three decimals (empty when
    missing), Status as the API's (0, 1, 4000) and its word."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(csv_header(unit))
    for day in days:
        # An interval ends where the next one starts: each UTC text is made once.
        bounds = [_wire_time(t) for t in (*day.starts, day.starts[-1] + dt.timedelta(minutes=day.minutes))]
        for i, (start, value, status) in enumerate(zip(day.starts, day.values, day.statuses, strict=True)):
            writer.writerow(
                (
                    bounds[i],
                    bounds[i + 1],
                    start.astimezone(OSLO).isoformat(),
                    "" if value is None else _decimal_text(value, decimal),
                    status,
                    QUALITY_WORDS[status],
                )
            )
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    rest = buffer.getvalue()
    if rest:  # the header of a range without a single interval
        yield rest.encode()


def _wire_time(moment: dt.datetime) -> str:
    """An aware UTC moment as the API writes it (isoformat's first 19 characters: strftime is slower)."""
    return moment.isoformat()[:19]


def _decimal_text(value: int, decimal: str) -> str:
    """Thousandths as a decimal number with three decimals: 1234 → 1.234, -5 → -0.005."""
    sign = "-" if value < 0 else ""
    whole, thousandths = divmod(abs(value), 1000)
    return f"{sign}{whole}{decimal}{thousandths:03d}"


# --- Green Button (ESPI) -------------------------------------------------------------------------------

ATOM_NS = "http://www.w3.org/2005/Atom"
ESPI_NS = "http://naesb.org/espi"
_FEED_IDS = uuid.UUID("5b0f8a52-3a55-4c53-9c1b-6f1f3c1e2d77")  # the namespace of the feeds' uuid5 ids

# ESPI code lists (espi.xsd, REQ.21 ESPI 4.0): ReadingType and UsagePoint of each kind of meter.
# ServiceKind 0 electricity, 2 water, 4 heat; CommodityKind 1 electricity (secondary metered),
# 9 potable water, 12 heating fluid; UnitSymbolKind 72 Wh, 42 m³; powerOfTenMultiplier: the stored
# thousandths (Wh are the thousandths of a kWh: 0 on Wh; litres: -3 on m³).
ESPI_KINDS = {
    Meter.Kind.ELECTRICITY: {"service": 0, "commodity": 1, "uom": 72, "multiplier": 0},
    Meter.Kind.DISTRICT_HEATING: {"service": 4, "commodity": 12, "uom": 72, "multiplier": 0},
    Meter.Kind.WATER: {"service": 2, "commodity": 9, "uom": 42, "multiplier": -3},
}
ACCUMULATION_DELTA = 4  # AccumulationKind deltaData: each value is the usage of its own interval
FLOW_FORWARD = 1  # FlowDirectionKind forward: delivered to the customer
KIND_ENERGY = 12  # MeasurementKind energy
# QualityOfReading (espi.xsd): 8 "estimated using reference day", the code Green Button tools read as
# an estimate (ESPI has no plain "estimated"); no code means a missing reading, so a missing interval
# is a reading without a value (value is optional in IntervalReading) marked 16 "other".
QUALITY_ESTIMATED = 8
QUALITY_MISSING = 16
ESPI_QUALITY = {daystore.ESTIMATED: QUALITY_ESTIMATED, daystore.MISSING: QUALITY_MISSING}


@dataclass(frozen=True)
class FeedInfo:
    """What the feed says about its meter and itself."""

    meter_id: str
    kind: str  # Meter.Kind
    title: str
    self_href: str  # the export's own URL
    updated: dt.datetime


def espi_chunks(days: Iterable[ExportDay], info: FeedInfo) -> Iterator[bytes]:
    """The Atom feed of the days: the UsagePoint first, then one IntervalBlock per local day, each after
    the MeterReading and ReadingType of its interval length the first time that length appears (a
    range across the move from hourly to quarter-hour values has two of each)."""
    updated = _atom_time(info.updated)
    usage_point = f"UsagePoint/{quote(info.meter_id, safe='')}"
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<feed xmlns="{ATOM_NS}" xmlns:espi="{ESPI_NS}">'
        f"<id>{_urn(info.self_href)}</id>"
        f"<title>{escape(info.title)}</title>"
        f"<updated>{updated}</updated>"
        f'<link rel="self" href={quoteattr(info.self_href)}/>'
    ).encode()
    kind = ESPI_KINDS[info.kind]
    yield _entry(
        self_href=usage_point,
        up="UsagePoint",
        related=[f"{usage_point}/MeterReading"],
        title=f"Meter {info.meter_id}",
        content=f"<espi:UsagePoint><espi:ServiceCategory><espi:kind>{kind['service']}</espi:kind>"
        "</espi:ServiceCategory></espi:UsagePoint>",
        updated=updated,
    )
    described: set[int] = set()
    for day in days:
        reading = f"{usage_point}/MeterReading/{day.minutes}"
        if day.minutes not in described:
            described.add(day.minutes)
            yield _meter_reading_entries(reading, day.minutes, kind, updated)
        yield _entry(
            self_href=f"{reading}/IntervalBlock/{day.day:%Y%m%d}",
            up=f"{reading}/IntervalBlock",
            related=[],
            title=f"{day.day:%Y-%m-%d}",
            content=_interval_block(day),
            updated=updated,
        )
    yield b"</feed>\n"


def _meter_reading_entries(reading: str, minutes: int, kind: dict, updated: str) -> bytes:
    reading_type = f"ReadingType/{minutes}"
    meter_reading = _entry(
        self_href=reading,
        up=reading.rsplit("/", 1)[0],
        related=[f"{reading}/IntervalBlock", reading_type],
        title=f"{minutes}-minute consumption",
        content="<espi:MeterReading/>",
        updated=updated,
    )
    # The elements in the order of the schema's sequence.
    fields = (
        ("accumulationBehaviour", ACCUMULATION_DELTA),
        ("commodity", kind["commodity"]),
        ("flowDirection", FLOW_FORWARD),
        ("intervalLength", minutes * 60),
        ("kind", KIND_ENERGY),
        ("powerOfTenMultiplier", kind["multiplier"]),
        ("uom", kind["uom"]),
    )
    body = "".join(f"<espi:{name}>{value}</espi:{name}>" for name, value in fields)
    reading_type_entry = _entry(
        self_href=reading_type,
        up="ReadingType",
        related=[],
        title=f"Energy per {minutes} minutes",
        content=f"<espi:ReadingType>{body}</espi:ReadingType>",
        updated=updated,
    )
    return meter_reading + reading_type_entry


def _interval_block(day: ExportDay) -> str:
    duration = day.minutes * 60
    first = int(day.starts[0].timestamp())
    parts = [
        "<espi:IntervalBlock><espi:interval>"
        f"<espi:duration>{duration * len(day.starts)}</espi:duration><espi:start>{first}</espi:start>"
        "</espi:interval>"
    ]
    for i, (value, status) in enumerate(zip(day.values, day.statuses, strict=True)):
        quality = ESPI_QUALITY.get(status)
        parts.append("<espi:IntervalReading>")
        if quality is not None:
            parts.append(f"<espi:ReadingQuality><espi:quality>{quality}</espi:quality></espi:ReadingQuality>")
        parts.append(
            f"<espi:timePeriod><espi:duration>{duration}</espi:duration>"
            f"<espi:start>{first + i * duration}</espi:start></espi:timePeriod>"
        )
        if value is not None:
            parts.append(f"<espi:value>{value}</espi:value>")
        parts.append("</espi:IntervalReading>")
    parts.append("</espi:IntervalBlock>")
    return "".join(parts)


def _entry(*, self_href: str, up: str, related: list[str], title: str, content: str, updated: str) -> bytes:
    links = [f'<link rel="self" href={quoteattr(self_href)}/>', f'<link rel="up" href={quoteattr(up)}/>']
    links += [f'<link rel="related" href={quoteattr(href)}/>' for href in related]
    return (
        f"<entry><id>{_urn(self_href)}</id>{''.join(links)}<title>{escape(title)}</title>"
        f"<content>{content}</content><published>{updated}</published><updated>{updated}</updated></entry>"
    ).encode()


def _urn(href: str) -> str:
    """A stable Atom id for a resource: the same meter and day have the same id in every export."""
    return f"urn:uuid:{uuid.uuid5(_FEED_IDS, href)}"


def _atom_time(moment: dt.datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- Zip of several files ---------------------------------------------------------------------------


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file whose bytes are taken as they come (zipfile then writes each
    member's sizes after its data, in a data descriptor)."""

    def __init__(self):
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def zip_chunks(members: Iterable[tuple[str, Callable[[], Iterable[bytes]]]], *, when: dt.datetime) -> Iterator[bytes]:
    """A deflated zip of (name, chunks of its content) members, written member by member and chunk by
    chunk: each member's content is produced only when its turn comes."""
    pipe = _Pipe()
    stamp = when.astimezone(OSLO).timetuple()[:6]  # zip times are local, without a zone
    with zipfile.ZipFile(pipe, mode="w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for name, produce in members:
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(info, mode="w") as member:
                for chunk in produce():
                    member.write(chunk)
                    if pipe.parts:
                        yield pipe.take()
            if pipe.parts:
                yield pipe.take()
    if pipe.parts:  # the central directory
        yield pipe.take()


# --- File names -------------------------------------------------------------------------------------

EXTENSIONS = {"csv": "csv", "espi": "xml"}


def safe_name(text: str) -> str:
    """A path value as a file name part: letters, digits, '-', '_' and '.' kept, anything else '_'."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in text).strip(".") or "_"


def file_name(stem: str, from_time: dt.datetime, to_time: dt.datetime, extension: str) -> str:
    """consumption-<stem>-<first local day>-<last local day>.<extension>"""
    first, last = local_days(from_time, to_time)
    return f"consumption-{safe_name(stem)}-{first:%Y%m%d}-{last:%Y%m%d}.{extension}"
