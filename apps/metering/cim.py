"""The nightly CIM export: each day's interval values as IEC 61968-9 MeterReadings XML for the billing system.

A day's export (`CimExportLog`, one per local day, with a correlation id) is cut into sub-exports
of at most `conf.cim_meters_per_file()` meters (`CimSubExportLog`). Each sub-export writes four
files to the CIM storage, under `<day>/<correlation id>/`:

- `<name>.xml`: the MeterReadings document (data file);
- `<name>.ack`: the acknowledgement: counts and status of the sub-export;
- `<name>.merno`: the meter numbers exported, one a line;
- `<name>.mernoErr`: meters with missing values, one a line with the reason.

Running a day again is safe: a succeeded day is left alone, anything else is redone from scratch,
except while another run of the same day holds its lock (a redelivered or twice-queued task must
not export one day twice at once; the lock goes with the run's database session, so a crashed
worker's redelivery can redo the day). Celery's visibility timeout is above the longest task too.
"""

from __future__ import annotations

import datetime as dt
import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection, transaction
from django.utils import timezone

from apps.customers.public import Meter
from esmart.replica import heavy_read

from . import conf, series
from .daystore import wire_status
from .models import CimExportLog, CimExportStatus, CimSubExportLog, MeterDay, Quality

logger = logging.getLogger(__name__)

NS = "http://iec.ch/TC57/2011/MeterReadings#"
ET.register_namespace("m", NS)
# ReadingType (IEC 61968-9 annex C): delta data, forward, electricity, energy, kWh; 60 or 15 minutes.
READING_TYPES = {60: "0.0.7.4.1.1.12.0.0.0.0.0.0.0.0.3.72.0", 15: "0.0.2.4.1.1.12.0.0.0.0.0.0.0.0.3.72.0"}
QUALITY_TYPES = {Quality.Measured: "1.0.0", Quality.Estimated: "1.8.0"}  # valid; estimated
LOG_SUFFIXES = {"ack": ".ack", "merno": ".merno", "mernoErr": ".mernoErr"}
URL_SALT = "metering.cim.file"


def storage() -> FileSystemStorage:
    return FileSystemStorage(location=conf.cim_dir())


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(conf.cim_time_zone())
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    following = day + dt.timedelta(days=1)
    end = dt.datetime(following.year, following.month, following.day, tzinfo=tz)
    return start.astimezone(dt.UTC), end.astimezone(dt.UTC)


def _tag(name: str) -> str:
    return f"{{{NS}}}{name}"


def meter_readings_xml(meters: list[Meter], intervals: dict[int, list[tuple]]) -> bytes:
    """The MeterReadings document of `meters`; `intervals[meter.pk]` = [(start_at, minutes, value, status)]."""
    root = ET.Element(_tag("MeterReadings"))
    for meter in meters:
        rows = intervals.get(meter.pk, [])
        if not rows:
            continue
        reading = ET.SubElement(root, _tag("MeterReading"))
        by_length: dict[int, list[tuple]] = {}
        for row in rows:
            by_length.setdefault(row[1], []).append(row)
        for minutes, block_rows in sorted(by_length.items()):
            block = ET.SubElement(reading, _tag("IntervalBlocks"))
            for start_at, _, value, status in block_rows:
                item = ET.SubElement(block, _tag("IntervalReadings"))
                end_at = start_at + dt.timedelta(minutes=minutes)
                ET.SubElement(item, _tag("timeStamp")).text = end_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                ET.SubElement(item, _tag("value")).text = f"{value:.3f}"
                qualities = ET.SubElement(item, _tag("ReadingQualities"))
                ET.SubElement(qualities, _tag("ReadingQualityType"), ref=QUALITY_TYPES[Quality(wire_status(status))])
            ET.SubElement(block, _tag("ReadingType"), ref=READING_TYPES[minutes])
        meter_element = ET.SubElement(reading, _tag("Meter"))
        ET.SubElement(meter_element, _tag("mRID")).text = meter.meter_id
        names = ET.SubElement(meter_element, _tag("Names"))
        ET.SubElement(names, _tag("name")).text = meter.meter_no or meter.meter_id
        usage_point = ET.SubElement(reading, _tag("UsagePoint"))
        ET.SubElement(usage_point, _tag("mRID")).text = meter.delivery_point.metering_point_id
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


def _expected_minutes(start: dt.datetime, end: dt.datetime) -> int:
    return int((end - start).total_seconds() // 60)


def _stored_intervals(meter_ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, list[tuple]]:
    """The counted intervals (status below 4000) of each meter starting in [start, end), in time order:
    [(start_at, minutes, kWh, status)], from the stored days holding the period (one query)."""
    first = start.astimezone(series.STORAGE_TZ).date()
    last = (end - dt.timedelta(microseconds=1)).astimezone(series.STORAGE_TZ).date()
    rows = (
        MeterDay.objects.filter(meter_id__in=meter_ids, day__gte=first, day__lte=last)
        .order_by("meter_id", "day")
        .values_list("meter_id", "day", "minutes", "values", "statuses")
    )
    intervals: dict[int, list[tuple]] = {}
    for meter_id, *day in rows:
        for start_at, minutes, wh, status in series.intervals([day]):
            if status < Quality.Missing and wh is not None and start <= start_at < end:
                intervals.setdefault(meter_id, []).append((start_at, minutes, series.kwh(wh, series.WH), status))
    return intervals


@heavy_read(caught_up=True)
def _export_batch(*, log: CimExportLog, sub: CimSubExportLog, meters: list[Meter]) -> None:
    start, end = log.period_start, log.period_end
    intervals = _stored_intervals([meter.pk for meter in meters], start, end)
    expected = _expected_minutes(start, end)
    exported, problems = [], []
    for meter in meters:
        covered = sum(row[1] for row in intervals.get(meter.pk, []))
        if covered:
            exported.append(meter.meter_id)
        if covered < expected:
            problems.append(f"{meter.meter_id};missing {expected - covered} of {expected} minutes")
    folder = f"{log.export_date.isoformat()}/{log.correlation_id}"
    files = storage()
    base = f"{folder}/{sub.file_name}"
    for name in (base, *(base.removesuffix(".xml") + suffix for suffix in LOG_SUFFIXES.values())):
        if files.exists(name):
            files.delete(name)
    files.save(base, ContentFile(meter_readings_xml(meters, intervals)))
    stem = base.removesuffix(".xml")
    files.save(stem + ".merno", ContentFile(("\n".join(exported) + "\n").encode() if exported else b""))
    files.save(stem + ".mernoErr", ContentFile(("\n".join(problems) + "\n").encode() if problems else b""))
    sub.meter_count = len(exported)
    sub.value_count = sum(len(v) for v in intervals.values())
    sub.error_count = len(problems)
    sub.status = CimExportStatus.Succeeded
    sub.finished_at = timezone.now()
    ack = (
        f"correlationId={log.correlation_id}\nfile={sub.file_name}\nstatus={sub.get_status_display()}\n"
        f"meters={sub.meter_count}\nvalues={sub.value_count}\nerrors={sub.error_count}\n"
    )
    files.save(stem + ".ack", ContentFile(ack.encode()))


# pg_try_advisory_lock(namespace, day): one export per day at a time, across workers.
_LOCK_NAMESPACE = 61968


@contextmanager
def _day_lock(day: dt.date) -> Iterator[bool]:
    """True when this run holds the day's lock; another session's run in progress makes it False."""
    if connection.vendor != "postgresql":  # SQLite: one process, nothing to share
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [_LOCK_NAMESPACE, day.toordinal()])
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [_LOCK_NAMESPACE, day.toordinal()])


def export_day(*, day: dt.date) -> CimExportLog:
    """Exports the local day `day` (idempotent: a succeeded day, or one being exported, is returned as it is)."""
    with _day_lock(day) as mine:
        return _export_day(day=day, mine=mine)


def _export_day(*, day: dt.date, mine: bool) -> CimExportLog:
    start, end = day_bounds(day)
    with transaction.atomic():
        log, created = CimExportLog.objects.select_for_update().get_or_create(
            export_date=day, defaults={"period_start": start, "period_end": end, "started_at": timezone.now()}
        )
        if not mine:
            logger.info("CIM export of %s is already running elsewhere; leaving it to that run", day)
            return log
        if not created and log.status == CimExportStatus.Succeeded:
            return log
        log.sub_exports.all().delete()
        log.status = CimExportStatus.Started
        log.started_at, log.finished_at, log.errors = timezone.now(), None, ""
        log.save()

    meters = list(Meter.objects.filter(kind=Meter.Kind.ELECTRICITY).select_related("delivery_point").order_by("pk"))
    size = conf.cim_meters_per_file()
    batches = [meters[i : i + size] for i in range(0, len(meters), size)] or [[]]
    errors = []
    for number, batch in enumerate(batches, start=1):
        sub = CimSubExportLog.objects.create(
            export=log,
            sequence_no=number,
            file_name=f"MeterReadings_{day:%Y%m%d}_{number:04d}.xml",
            started_at=timezone.now(),
        )
        try:
            _export_batch(log=log, sub=sub, meters=batch)
        except Exception as exc:  # one bad file must not stop the others; it is logged and recorded
            logger.exception("CIM sub-export %s of %s failed", number, day)
            sub.status, sub.error, sub.finished_at = (
                CimExportStatus.Failed,
                f"{type(exc).__name__}: {exc}",
                timezone.now(),
            )
            errors.append(f"{sub.file_name}: {sub.error}")
        sub.save()

    subs = list(log.sub_exports.all())
    failed = sum(1 for sub in subs if sub.status == CimExportStatus.Failed)
    log.sub_export_count = len(subs)
    log.meter_count = sum(sub.meter_count for sub in subs)
    log.value_count = sum(sub.value_count for sub in subs)
    log.error_count = sum(sub.error_count for sub in subs) + failed
    log.errors = "\n".join(errors)
    if failed == 0:
        log.status = CimExportStatus.Succeeded
    elif failed == len(subs):
        log.status = CimExportStatus.Failed
    else:
        log.status = CimExportStatus.PartlySucceeded
    log.finished_at = timezone.now()
    log.save()
    return log


# --- Signed download links -----------------------------------------------------------------------


def file_path(sub: CimSubExportLog, kind: str | None = None) -> str:
    """The storage path of a sub-export's data file (kind None) or log file ("ack", "merno", "mernoErr")."""
    base = f"{sub.export.export_date.isoformat()}/{sub.export.correlation_id}/{sub.file_name}"
    return base if kind is None else base.removesuffix(".xml") + LOG_SUFFIXES[kind]


def sign_path(path: str) -> str:
    return signing.dumps({"path": path}, salt=URL_SALT, compress=True)


def unsign_path(token: str) -> str | None:
    """The path a download token names, or None when it is forged or older than the link lifetime."""
    try:
        return signing.loads(token, salt=URL_SALT, max_age=conf.cim_url_seconds())["path"]
    except (signing.BadSignature, KeyError, TypeError):
        return None
