"""Moves the interval rows into meter days (issue 21): batches of meters, each its own transaction.

Every write since 0004 went to both tables, so the interval table holds every reading: each batch's
stored days are replaced by the days built from its intervals (a day whose pieces arrived before
0004 becomes whole). A day holding both 15- and 60-minute intervals stops the migration with the
meter and the day (a stored day has one length; split or correct that day first). Resumable: a
batch already moved is moved again to the same bytes. Python on both databases (one code path);
docs/meter-storage.md has the time per 10⁷ rows.
"""

from django.db import migrations, transaction

from apps.metering import daystore
from apps.metering.partitions import ensure_partitions

METERS_PER_BATCH = 1000


def move_batch(Interval, MeterDay, meter_ids: list[int], using: str) -> int:
    rows = (
        Interval.objects.using(using)
        .filter(meter_id__in=meter_ids)
        .order_by("meter_id", "start_at")
        .values_list("meter_id", "start_at", "minutes", "value", "status")
    )
    pieces: dict[tuple, tuple[int, dict]] = {}
    moved = 0
    for meter_id, start_at, minutes, value, status in rows.iterator(chunk_size=20_000):
        layout = daystore.day_layout(daystore.local_day(start_at), minutes)
        minutes_and_piece = pieces.setdefault((meter_id, layout.day), (minutes, {}))
        if minutes_and_piece[0] != minutes:
            raise RuntimeError(
                f"meter {meter_id} has {minutes_and_piece[0]}- and {minutes}-minute intervals on {layout.day}: "
                "a stored day has one interval length; correct that day, then migrate again"
            )
        minutes_and_piece[1][layout.index_of(start_at)] = (None if value is None else int(value.scaleb(3)), status)
        moved += 1
    if not pieces:
        return 0
    days = [day for _, day in pieces]
    ensure_partitions(min(days), max(days), using=using)
    objects = []
    for (meter_id, day), (minutes, piece) in pieces.items():
        stored = daystore.merge_day(None, daystore.day_layout(day, minutes).count, piece)
        objects.append(
            MeterDay(
                meter_id=meter_id,
                day=day,
                minutes=minutes,
                total=stored.total,
                values=stored.values,
                statuses=stored.statuses,
            )
        )
    MeterDay.objects.using(using).filter(meter_id__in=meter_ids).delete()
    MeterDay.objects.using(using).bulk_create(objects, batch_size=2000)
    return moved


def forwards(apps, schema_editor):
    using = schema_editor.connection.alias
    Interval = apps.get_model("metering", "Interval")
    MeterDay = apps.get_model("metering", "MeterDay")
    meter_ids = list(Interval.objects.using(using).values_list("meter_id", flat=True).distinct().order_by("meter_id"))
    for n in range(0, len(meter_ids), METERS_PER_BATCH):
        with transaction.atomic(using=using):
            move_batch(Interval, MeterDay, meter_ids[n : n + METERS_PER_BATCH], using)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [("metering", "0004_meterday")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
