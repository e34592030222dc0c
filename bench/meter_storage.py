"""Storage layouts of interval data, measured: bytes per reading, COPY load rate, a year's read (issue 21).

Standalone (no Django): creates its own scratch PostgreSQL database, loads the same synthetic
readings into each candidate layout, measures, and drops the database at the end.

    .venv/bin/python bench/meter_storage.py --readings 1000000
    .venv/bin/python bench/meter_storage.py --readings 1000000 --minutes 15
    .venv/bin/python bench/meter_storage.py --readings 10000000 --layouts rows,day_bytea,day_bytea_month,day_bytea_year

Readings: hourly (or quarter-hour) Wh values of `meters` meters over 2024-01-01..2025-12-31 local
(Europe/Oslo, so DST days have 23/25 hours), a household-like shape with noise; about 3 % of days
have a few estimated intervals and 0.3 % a missing tail (status 4000, no value). Load order is
meter-major (a backfill / migration) unless the layout's name ends in `_daymajor` (a daily import:
every meter's day, then the next day), which also shows what scattered inserts do to the index.

Layouts:
  rows              today's metering_interval: a row per reading, PK (meter_id, start_at), BRIN on start_at
  day_bytea         a row per meter-day, values bytea of int32 LE Wh, statuses bytea (NULL: all measured),
                    total int8; PK (meter_id, day)
  day_bytea_daymajor the same, loaded day by day
  day_bytea_dm      the same with PK (day, meter_id) instead, loaded day by day
  day_int4array     values int4[] (NULL elements), statuses int2[] (NULL: all measured)
  day_varint        values as zigzag-delta varints in bytea (smaller, decoded in Python)
  day_bytea_month   day_bytea partitioned by month (RANGE on day)
  day_bytea_year    day_bytea partitioned by year
  import_path       day_bytea loaded through a staging table and INSERT ... ON CONFLICT DO NOTHING, loaded
                    again (every day a conflict), then 10,000 single-interval corrections (locked, merged
                    in Python, UPDATE ... FROM), run twice to show they are idempotent
  migrate           (with rows) rows → day_bytea through Python, the data migration's cost per 10^7 rows

Per layout: bytes per reading as pg_total_relation_size (heap + indexes + TOAST, every partition)
÷ readings and as the database's growth ÷ readings (after VACUUM ANALYZE and CHECKPOINT); the load
rate (readings/s: wire format built from in-memory days, COPY, index maintenance, commit); the
median time of a year of one meter's hourly series (fetch + decode + the wire JSON), with the
rows layout's bare json_agg of the same year as the yardstick; the year's 12 month totals; and
for day_bytea and its partitioned forms, a daily import after a checkpoint (the last day of every
meter, held back from the load): its time and the WAL it writes per reading.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import sys
import time

import orjson
import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from apps.metering import daystore

ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "host=127.0.0.1 user=postgres dbname=postgres")
DB_NAME = "esmart_storage_bench"
FIRST_DAY = dt.date(2024, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
READ_YEAR = 2025
READ_REPEATS = 15
CORRECTIONS = 10_000
ALL_LAYOUTS = (
    "rows,day_bytea,day_bytea_daymajor,day_bytea_dm,day_int4array,day_varint,day_bytea_month,day_bytea_year,"
    "import_path,migrate"
)


# --- Data ------------------------------------------------------------------------------------------


def days_of_period() -> list[dt.date]:
    out, day = [], FIRST_DAY
    while day <= LAST_DAY:
        out.append(day)
        day += dt.timedelta(days=1)
    return out


class Dataset:
    """Every meter-day as (meter, day, minutes, packed values, packed statuses, total), in meter-major order."""

    def __init__(self, readings: int, minutes: int, seed: int = 21):
        self.minutes = minutes
        self.days = days_of_period()
        per_meter = sum(daystore.day_layout(d, minutes).count for d in self.days)
        self.meters = max(1, round(readings / per_meter))
        rng = random.Random(seed)
        noise = [rng.randint(-150, 150) for _ in range(100_003)]
        shape = [300, 250, 230, 220, 230, 300, 600, 900, 800, 600, 500, 500, 550, 500, 480, 500, 700, 1100, 1300]
        shape += [1200, 1000, 800, 600, 400]
        scale = 4 if minutes == 60 else 1
        self.rows: list[tuple] = []
        self.readings = 0
        n = 0
        for meter in range(1, self.meters + 1):
            size = 0.6 + (meter % 17) / 10
            for day in self.days:
                layout = daystore.day_layout(day, minutes)
                count = layout.count
                winter = 1.6 if day.month in (11, 12, 1, 2, 3) else 1.0
                per_hour = 60 // minutes
                values = []
                for i in range(count):
                    hour = (i // per_hour) % 24
                    n += 1
                    values.append(max(0, int(shape[hour] * size * winter / 4 * scale) + noise[n % 100_003]))
                statuses = [0] * count
                roll = rng.random()
                if roll < 0.03:
                    for _ in range(rng.randint(1, 3)):
                        statuses[rng.randrange(count)] = 1
                elif roll < 0.033:
                    cut = rng.randrange(count)
                    for i in range(cut, count):
                        statuses[i], values[i] = 4000, None
                stored = daystore.encode_day(values, statuses)
                self.rows.append((meter, day, minutes, stored.values, stored.statuses, stored.total))
                self.readings += count

    def day_major(self) -> list[tuple]:
        return sorted(self.rows, key=lambda r: (r[1], r[0]))


# --- Layouts ---------------------------------------------------------------------------------------


def _partitions(table: str, unit: str) -> list[str]:
    out = []
    if unit == "year":
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
            out.append(
                f"CREATE TABLE {table}_{year} PARTITION OF {table} "
                f"FOR VALUES FROM ('{year}-01-01') TO ('{year + 1}-01-01')"
            )
    else:
        month = FIRST_DAY.replace(day=1)
        while month <= LAST_DAY:
            following = daystore._next(month, daystore.month_start)
            out.append(
                f"CREATE TABLE {table}_{month:%Y%m} PARTITION OF {table} FOR VALUES FROM ('{month}') TO ('{following}')"
            )
            month = following
    return out


DAY_COLUMNS = "meter_id int8 NOT NULL, total int8, day date NOT NULL, minutes int2 NOT NULL"


def ddl(layout: str, brin: bool = False) -> list[str]:
    """The layout's tables; `brin` adds a BRIN index on day to the day layouts (every partition's)."""
    statements = _ddl(layout)
    if brin and layout != "rows":
        statements.append(f"CREATE INDEX {layout}_day_brin ON {layout} USING brin (day)")
    return statements


def _ddl(layout: str) -> list[str]:
    t = layout
    if layout == "rows":
        return [
            f"CREATE TABLE {t} (meter_id int8 NOT NULL, start_at timestamptz NOT NULL, minutes int2 NOT NULL, "
            f"value numeric(14,3), status int2 NOT NULL, PRIMARY KEY (meter_id, start_at))",
            f"CREATE INDEX {t}_brin ON {t} USING brin (start_at)",
        ]
    if layout in ("day_bytea", "day_bytea_daymajor", "migrate", "import_path"):
        return [f"CREATE TABLE {t} ({DAY_COLUMNS}, values bytea NOT NULL, statuses bytea, PRIMARY KEY (meter_id, day))"]
    if layout == "day_bytea_dm":
        return [f"CREATE TABLE {t} ({DAY_COLUMNS}, values bytea NOT NULL, statuses bytea, PRIMARY KEY (day, meter_id))"]
    if layout == "day_int4array":
        return [
            f"CREATE TABLE {t} ({DAY_COLUMNS}, values int4[] NOT NULL, statuses int2[], PRIMARY KEY (meter_id, day))"
        ]
    if layout == "day_varint":
        return [f"CREATE TABLE {t} ({DAY_COLUMNS}, values bytea NOT NULL, statuses bytea, PRIMARY KEY (meter_id, day))"]
    if layout in ("day_bytea_month", "day_bytea_year"):
        head = (
            f"CREATE TABLE {t} ({DAY_COLUMNS}, values bytea NOT NULL, statuses bytea, PRIMARY KEY (meter_id, day)) "
            f"PARTITION BY RANGE (day)"
        )
        return [head, *_partitions(t, layout.rsplit("_", 1)[1])]
    raise SystemExit(f"unknown layout {layout}")


def varint_pack(blob: bytes, count: int) -> bytes:
    """Zigzag deltas as LEB128 varints (the absent sentinel is just a big delta)."""
    raw, _ = daystore.unpack_raw(blob, count)
    out = bytearray()
    previous = 0
    for v in raw:
        d = v - previous
        previous = v
        z = (d << 1) ^ (d >> 63)
        while z >= 0x80:
            out.append((z & 0x7F) | 0x80)
            z >>= 7
        out.append(z)
    return bytes(out)


def varint_unpack(blob: bytes) -> list[int]:
    out, previous, z, shift = [], 0, 0, 0
    for byte in blob:
        z |= (byte & 0x7F) << shift
        if byte & 0x80:
            shift += 7
            continue
        previous += (z >> 1) ^ -(z & 1)
        out.append(previous)
        z, shift = 0, 0
    return out


NULL = "\\N"
_TEXT_STARTS: dict[tuple, list[str]] = {}


def _text_starts(day: dt.date, minutes: int) -> list[str]:
    key = (day, minutes)
    if key not in _TEXT_STARTS:
        _TEXT_STARTS[key] = [s.strftime("%Y-%m-%d %H:%M:%S+00") for s in daystore.day_layout(day, minutes).starts()]
    return _TEXT_STARTS[key]


def _kwh(v: int) -> str:
    return f"{v // 1000}.{v % 1000:03d}" if v >= 0 else f"-{-v // 1000}.{-v % 1000:03d}"


def load(conn, layout: str, data: Dataset) -> float:
    """Loads every reading into `layout`; returns the seconds from in-memory days to committed."""
    rows = data.day_major() if layout.endswith(("_daymajor", "_dm")) else data.rows
    if layout in DAILY:  # the last day comes later, as a daily import (see daily_import)
        rows = [r for r in rows if r[1] != LAST_DAY]
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        if layout == "rows":
            # As import_readings: text COPY of (meter, start, minutes, value, status), but written in chunks.
            with cur.copy(f"COPY {layout} (meter_id, start_at, minutes, value, status) FROM STDIN") as copy:
                lines: list[str] = []
                for meter, day, minutes, blob, packed, _ in rows:
                    starts = _text_starts(day, minutes)
                    count = len(starts)
                    values = daystore.unpack_values(blob, count)
                    statuses = daystore.unpack_statuses(packed, count)
                    m = str(meter)
                    for s, v, q in zip(starts, values, statuses, strict=True):
                        text = NULL if v is None else _kwh(v)
                        lines.append(f"{m}\t{s}\t{minutes}\t{text}\t{q}\n")
                    if len(lines) > 50_000:
                        copy.write("".join(lines))
                        lines = []
                copy.write("".join(lines))
        elif layout == "day_int4array":
            with cur.copy(
                f"COPY {layout} (meter_id, day, minutes, total, values, statuses) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "date", "int2", "int8", "int4[]", "int2[]"])
                for meter, day, minutes, blob, packed, total in rows:
                    count = daystore.day_layout(day, minutes).count
                    statuses = daystore.unpack_statuses(packed, count) if packed else None
                    copy.write_row((meter, day, minutes, total, daystore.unpack_values(blob, count), statuses))
        else:
            varint = layout == "day_varint"
            with cur.copy(
                f"COPY {layout} (meter_id, day, minutes, total, values, statuses) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(["int8", "date", "int2", "int8", "bytea", "bytea"])
                for meter, day, minutes, blob, packed, total in rows:
                    if varint:
                        blob = varint_pack(blob, daystore.day_layout(day, minutes).count)
                    copy.write_row((meter, day, minutes, total, blob, packed))
    conn.commit()
    return time.perf_counter() - t0


MIGRATE_SQL = """
SELECT meter_id, day, min(minutes), max(minutes),
       array_agg(((extract(epoch FROM start_at - (day::timestamp AT TIME ZONE 'Europe/Oslo')))::int
                  / 60 / minutes)::int2 ORDER BY start_at),
       array_agg((value * 1000)::int8 ORDER BY start_at), array_agg(status ORDER BY start_at)
FROM (SELECT *, (start_at AT TIME ZONE 'Europe/Oslo')::date AS day FROM rows) AS r
GROUP BY meter_id, day ORDER BY meter_id, day
"""


def migrate(conn, data: Dataset) -> tuple[float, int]:
    """rows → migrate (a day_bytea table) as the data migration would: PostgreSQL groups the old rows
    by meter and local day (interval index, Wh, status arrays), Python packs each day, binary COPY
    writes it. Returns (seconds, readings moved)."""
    t0 = time.perf_counter()
    moved = 0
    read = psycopg.connect(f"{ADMIN_DSN.replace('dbname=postgres', '')} dbname={DB_NAME}")
    copy_sql = "COPY migrate (meter_id, day, minutes, total, values, statuses) FROM STDIN (FORMAT BINARY)"
    with read.cursor(name="old_days") as old, conn.cursor() as cur, cur.copy(copy_sql) as copy:
        old.itersize = 5_000
        old.execute(MIGRATE_SQL)
        copy.set_types(["int8", "date", "int2", "int8", "bytea", "bytea"])
        for meter, day, minutes, longest, indexes, values, statuses in old:
            if minutes != longest:
                raise SystemExit(f"meter {meter} has {minutes}- and {longest}-minute intervals on {day}")
            count = daystore.day_layout(day, minutes).count
            moved += len(indexes)
            if len(indexes) != count or indexes[-1] != count - 1:  # a partial day: place each interval
                piece = {i: (v, st) for i, v, st in zip(indexes, values, statuses, strict=True)}
                stored = daystore.merge_day(None, count, piece)
            else:
                stored = daystore.encode_day(values, statuses)
            copy.write_row((meter, day, minutes, stored.total, stored.values, stored.statuses))
    read.close()
    conn.commit()
    return time.perf_counter() - t0, moved


def load_through_staging(conn, data: Dataset) -> float:
    """The import path for new and existing days alike: binary COPY of whole encoded days into a
    temporary staging table, then INSERT ... ON CONFLICT DO NOTHING (a day stored already is left to
    the merge path, see `correct`). Returns seconds."""
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE staging (LIKE import_path) ON COMMIT DROP")
        copy_sql = "COPY staging (meter_id, day, minutes, total, values, statuses) FROM STDIN (FORMAT BINARY)"
        with cur.copy(copy_sql) as copy:
            copy.set_types(["int8", "date", "int2", "int8", "bytea", "bytea"])
            for row in data.rows:
                copy.write_row((row[0], row[1], row[2], row[5], row[3], row[4]))
        cur.execute(
            "INSERT INTO import_path SELECT * FROM staging ORDER BY meter_id, day "
            "ON CONFLICT (meter_id, day) DO NOTHING"
        )
    conn.commit()
    return time.perf_counter() - t0


def correct(conn, data: Dataset, corrections: int) -> tuple[float, int, bool]:
    """`corrections` single-interval corrections (estimated → measured, +7 Wh) on distinct meter-days:
    the stored days are locked (SELECT ... FOR UPDATE), merged in Python, written back with one
    UPDATE ... FROM a staged copy. Returns (seconds, meter-days corrected, whether running it again
    changed nothing)."""
    rng = random.Random(7)
    picks = rng.sample(range(len(data.rows)), min(corrections, len(data.rows)))
    targets = {}
    for n in picks:
        meter, day, minutes, *_ = data.rows[n]
        index = rng.randrange(daystore.day_layout(day, minutes).count)
        targets[(meter, day)] = {index: (1000 + index, daystore.MEASURED)}

    def run() -> list[tuple]:
        with conn.cursor() as cur:
            cur.execute(
                "SELECT meter_id, day, minutes, values, statuses, total FROM import_path "
                "WHERE (meter_id, day) IN (SELECT * FROM unnest(%s::int8[], %s::date[])) "
                "ORDER BY meter_id, day FOR UPDATE",
                [[k[0] for k in targets], [k[1] for k in targets]],
            )
            merged = []
            for meter, day, minutes, blob, packed, total in cur.fetchall():
                count = daystore.day_layout(day, minutes).count
                stored = daystore.merge_day(daystore.StoredDay(blob, packed, total), count, targets[(meter, day)])
                merged.append((meter, day, stored.total, stored.values, stored.statuses))
            cur.execute("CREATE TEMP TABLE merged (meter_id int8, day date, total int8, values bytea, statuses bytea)")
            with cur.copy("COPY merged FROM STDIN (FORMAT BINARY)") as copy:
                copy.set_types(["int8", "date", "int8", "bytea", "bytea"])
                for row in merged:
                    copy.write_row(row)
            cur.execute(
                "UPDATE import_path d SET total = m.total, values = m.values, statuses = m.statuses FROM merged m "
                "WHERE d.meter_id = m.meter_id AND d.day = m.day"
            )
            cur.execute("DROP TABLE merged")
        conn.commit()
        return merged

    t0 = time.perf_counter()
    first = run()
    seconds = time.perf_counter() - t0
    return seconds, len(targets), run() == first


# --- Measurements ----------------------------------------------------------------------------------


DAILY = ("day_bytea", "day_bytea_month", "day_bytea_year")


def daily_import(conn, layout: str, data: Dataset) -> tuple[float, int]:
    """The last day of every meter, held back from the load, imported after a checkpoint as a daily
    file arrives (one day, all meters): (seconds, WAL bytes written). After a checkpoint every page a
    change touches first is written whole to the WAL, so this shows how many heap and index pages a
    day's import dirties: the index pages of each meter's entries are spread over the whole index of
    the partition that holds the day."""
    rows = [r for r in data.rows if r[1] == LAST_DAY]
    settle(conn, layout)
    with conn.cursor() as cur:
        cur.execute("SELECT pg_current_wal_insert_lsn()")
        before = cur.fetchone()[0]
        conn.commit()
        t0 = time.perf_counter()
        copy_sql = f"COPY {layout} (meter_id, day, minutes, total, values, statuses) FROM STDIN (FORMAT BINARY)"
        with cur.copy(copy_sql) as copy:
            copy.set_types(["int8", "date", "int2", "int8", "bytea", "bytea"])
            for meter, day, minutes, blob, packed, total in rows:
                copy.write_row((meter, day, minutes, total, blob, packed))
        conn.commit()
        seconds = time.perf_counter() - t0
        cur.execute("SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), %s)", [before])
        wal = int(cur.fetchone()[0])
    conn.commit()
    return seconds, wal


def relation_bytes(conn, table: str) -> int:
    with conn.cursor() as cur:
        cur.execute(
            "SELECT coalesce(sum(pg_total_relation_size(relid)), 0) FROM pg_partition_tree(%s::regclass) WHERE isleaf",
            [table],
        )
        partitioned = int(cur.fetchone()[0])
        cur.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
        return max(partitioned, int(cur.fetchone()[0]))


def database_bytes(conn) -> int:
    with conn.cursor() as cur:
        cur.execute("SELECT pg_database_size(current_database())")
        return int(cur.fetchone()[0])


def settle(conn, table: str) -> None:
    conn.autocommit = True
    conn.execute(f"VACUUM ANALYZE {table}")
    with contextlib.suppress(psycopg.Error):
        conn.execute("CHECKPOINT")
    conn.autocommit = False


_WIRE_TIMES: dict[dt.date, list[str]] = {}


def _wire_times(day: dt.date) -> list[str]:
    if day not in _WIRE_TIMES:
        _WIRE_TIMES[day] = [s.strftime("%Y-%m-%dT%H:%M:%S") for s in daystore.day_layout(day, 60).starts()]
    return _WIRE_TIMES[day]


def year_bounds():
    first, last = dt.date(READ_YEAR, 1, 1), dt.date(READ_YEAR, 12, 31)
    return first, last, daystore.midnight(first), daystore.midnight(last + dt.timedelta(days=1))


def read_year(conn, layout: str, meter: int) -> tuple[float, int]:
    """A year of one meter's hourly series, as wire JSON bytes: (seconds, points)."""
    first, last, start, end = year_bounds()
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        if layout == "rows":
            cur.execute(
                "SELECT start_at, value, status FROM rows WHERE meter_id = %s AND start_at >= %s AND start_at < %s "
                "ORDER BY start_at",
                [meter, start, end],
            )
            got = cur.fetchall()
            body = orjson.dumps(
                [
                    {
                        "ValueTime": t.strftime("%Y-%m-%dT%H:%M:%S"),
                        "Value": None if v is None else float(v),
                        "Status": s,
                    }
                    for t, v, s in got
                ]
            )
            return time.perf_counter() - t0, len(got)
        cur.execute(
            f"SELECT day, minutes, values, statuses FROM {layout} WHERE meter_id = %s AND day BETWEEN %s AND %s "
            "ORDER BY day",
            [meter, first, last],
        )
        got = cur.fetchall()
    if layout == "day_int4array":
        got = [(d, m, daystore.pack_values(v), daystore.pack_statuses(s) if s else None) for d, m, v, s in got]
    elif layout == "day_varint":
        got = [(d, m, daystore.pack_values(varint_unpack(v)), s) for d, m, v, s in got]
    starts, values, statuses = daystore.hourly_series(got, first, last)
    times = [t for d in _days(first, last) for t in _wire_times(d)]
    body = orjson.dumps(
        [
            {"ValueTime": t, "Value": None if v is None else v / 1000, "Status": s}
            for t, v, s in zip(times, values, statuses, strict=True)
        ]
    )
    assert body
    return time.perf_counter() - t0, len(values)


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


def json_agg_year(conn, meter: int) -> float:
    """The bare baseline (bench/bare_urls.py, Resolution 7): PostgreSQL's json_agg of the rows."""
    _, _, start, end = year_bounds()
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(
            """SELECT json_build_object('Resolution', 7, 'Unit', 'kWh', 'Values', json_agg(json_build_object(
                'ValueTime', to_char(start_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS'),
                'Value', value::float8, 'Status', status) ORDER BY start_at))::text
               FROM rows WHERE meter_id = %s AND start_at >= %s AND start_at < %s""",
            [meter, start, end],
        )
        assert cur.fetchone()[0]
    return time.perf_counter() - t0


def month_totals(conn, layout: str, meter: int) -> float:
    """The year's 12 month buckets from stored day totals (no values unpacked)."""
    first, last, start, end = year_bounds()
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        if layout == "rows":
            cur.execute(
                "SELECT date_trunc('month', start_at, 'Europe/Oslo'), sum(value), max(status) FROM rows "
                "WHERE meter_id = %s AND start_at >= %s AND start_at < %s AND status < 4000 GROUP BY 1 ORDER BY 1",
                [meter, start, end],
            )
            cur.fetchall()
            return time.perf_counter() - t0
        cur.execute(
            f"SELECT day, minutes, total, statuses FROM {layout} WHERE meter_id = %s AND day BETWEEN %s AND %s",
            [meter, first, last],
        )
        got = cur.fetchall()
    if layout == "day_int4array":
        got = [(d, m, t, daystore.pack_statuses(s) if s else None) for d, m, t, s in got]
    summaries = [daystore.summarize(d, t, s, daystore.day_layout(d, m).count) for d, m, t, s in got]
    buckets = daystore.calendar_buckets(summaries, first, last)
    assert len(buckets) == 12
    return time.perf_counter() - t0


def timed_ms(fn, *args) -> float:
    fn(*args)
    runs = []
    for _ in range(READ_REPEATS):
        out = fn(*args)
        runs.append(out[0] if isinstance(out, tuple) else out)
    return 1000 * statistics.median(runs)


def decode_year_ms() -> float:
    """Pure decode of 365 stored hourly days (unpack values + statuses), no database."""
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    days = list(_days(first, last))
    stored = [daystore.encode_day([1000 + i for i in range(daystore.day_layout(d, 60).count)]) for d in days]
    layouts = [daystore.day_layout(d, 60) for d in days]

    def run():
        t0 = time.perf_counter()
        for s, lay in zip(stored, layouts, strict=True):
            daystore.unpack_values(s.values, lay.count)
            daystore.unpack_statuses(s.statuses, lay.count)
        return time.perf_counter() - t0

    return 1000 * statistics.median(run() for _ in range(50))


def read_split_ms() -> tuple[float, float, float]:
    """A year of hours from 365 stored days without a database, in three parts (medians of 30, ms):
    hourly_series (decode and lists), the wire time strings, and the wire JSON through orjson."""
    first, last = dt.date(2025, 1, 1), dt.date(2025, 12, 31)
    rows = [
        (d, 60, daystore.encode_day([1000 + i for i in range(daystore.day_layout(d, 60).count)]).values, None)
        for d in _days(first, last)
    ]
    parts: list[list[float]] = [[], [], []]
    for _ in range(30):
        t0 = time.perf_counter()
        _, values, statuses = daystore.hourly_series(rows, first, last)
        t1 = time.perf_counter()
        times = [t for d in _days(first, last) for t in _wire_times(d)]
        t2 = time.perf_counter()
        orjson.dumps(
            [
                {"ValueTime": t, "Value": None if v is None else v / 1000, "Status": s}
                for t, v, s in zip(times, values, statuses, strict=True)
            ]
        )
        t3 = time.perf_counter()
        for part, seconds in zip(parts, (t1 - t0, t2 - t1, t3 - t2), strict=True):
            part.append(seconds)
    return tuple(1000 * statistics.median(p) for p in parts)


# --- Main ------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--readings", type=int, default=1_000_000)
    parser.add_argument("--minutes", type=int, choices=(15, 60), default=60)
    parser.add_argument("--layouts", default=ALL_LAYOUTS)
    parser.add_argument("--json", action="store_true", help="also print the results as JSON")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--brin", action="store_true", help="add a BRIN index on day to the day layouts")
    args = parser.parse_args()
    layouts = args.layouts.split(",")

    t0 = time.perf_counter()
    data = Dataset(args.readings, args.minutes)
    print(
        f"# {data.readings:,} readings ({args.minutes}-minute): {data.meters} meters x {len(data.days)} days "
        f"{FIRST_DAY}..{LAST_DAY} Europe/Oslo, {len(data.rows):,} meter-days; "
        f"built in {time.perf_counter() - t0:.1f} s",
        flush=True,
    )
    print(f"# pure decode of 365 hourly days (values + statuses): {decode_year_ms():.2f} ms", flush=True)
    series_ms, times_ms, json_ms = read_split_ms()
    print(
        f"# a year of hours without the database: hourly_series {series_ms:.2f} ms, wire times {times_ms:.2f} ms, "
        f"orjson of 8,760 dicts {json_ms:.2f} ms",
        flush=True,
    )

    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        admin.execute(f"CREATE DATABASE {DB_NAME}")
    results = []
    try:
        with psycopg.connect(f"{ADMIN_DSN.replace('dbname=postgres', '')} dbname={DB_NAME}") as conn:
            meter = max(1, data.meters // 2)
            settle(conn, "pg_class")
            for layout in layouts:
                if layout == "migrate" and "rows" not in layouts:
                    continue
                before = database_bytes(conn)
                for statement in ddl(layout, args.brin):
                    conn.execute(statement)
                conn.commit()
                extra = {}
                if layout == "migrate":
                    seconds, moved = migrate(conn, data)
                elif layout == "import_path":
                    seconds, moved = load_through_staging(conn, data), data.readings
                else:
                    seconds, moved = load(conn, layout, data), data.readings
                if layout in DAILY:
                    last_day = daystore.day_layout(LAST_DAY, args.minutes).count * data.meters
                    moved -= last_day
                    daily_seconds, wal = daily_import(conn, layout, data)
                    extra = {
                        "daily_import_ms": round(1000 * daily_seconds, 1),
                        "daily_import_wal_bytes_per_reading": round(wal / last_day, 1),
                    }
                settle(conn, layout)
                table = relation_bytes(conn, layout)
                growth = database_bytes(conn) - before
                row = {
                    "layout": layout,
                    "readings": data.readings,
                    "table_bytes": table,
                    "bytes_per_reading": round(table / data.readings, 2),
                    "db_growth_per_reading": round(growth / data.readings, 2),
                    "load_s": round(seconds, 2),
                    "readings_per_s": round(moved / seconds),
                    **extra,
                }
                if layout == "import_path":  # after the sizes: corrections leave dead row versions behind
                    again = load_through_staging(conn, data)  # every day exists: all conflicts, nothing written
                    fixes, corrected, idempotent = correct(conn, data, CORRECTIONS)
                    row["reimport_all_conflicts_s"] = round(again, 2)
                    row["corrections"] = corrected
                    row["corrections_per_s"] = round(corrected / fixes)
                    row["corrections_idempotent"] = idempotent
                if args.minutes == 60 and layout not in ("migrate", "import_path"):
                    row["year_hourly_ms"] = round(timed_ms(read_year, conn, layout, meter), 2)
                    row["year_months_ms"] = round(timed_ms(month_totals, conn, layout, meter), 2)
                    if layout == "rows":
                        row["json_agg_year_ms"] = round(timed_ms(json_agg_year, conn, meter), 2)
                    conn.rollback()
                results.append(row)
                print(json.dumps(row), flush=True)
    finally:
        if not args.keep:
            with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
                admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")

    columns = [
        ("layout", 20),
        ("bytes_per_reading", 10),
        ("db_growth_per_reading", 10),
        ("readings_per_s", 12),
        ("year_hourly_ms", 10),
        ("year_months_ms", 10),
        ("json_agg_year_ms", 10),
    ]
    heads = ["layout", "B/read", "dbB/read", "readings/s", "year h ms", "12 mon ms", "json_agg"]
    print()
    print(" ".join(h.rjust(w) if i else h.ljust(w) for i, (h, (_, w)) in enumerate(zip(heads, columns, strict=True))))
    for row in results:
        cells = []
        for i, (key, width) in enumerate(columns):
            value = row.get(key, "")
            text = f"{value:,}" if isinstance(value, int) and key == "readings_per_s" else str(value)
            cells.append(text.rjust(width) if i else text.ljust(width))
        print(" ".join(cells))
    if args.json:
        print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
