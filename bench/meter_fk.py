"""The foreign key of metering_meterday to customers_meter, measured (issue 21, step 2).

Two copies of the migration's partitioned table (monthly partitions, PK (meter_id, day), BRIN on
day), one with the foreign key (ON DELETE CASCADE) and one without, in a scratch database
`esmart_meter_fk_bench` (dropped at the end). Each is loaded with the same encoded days by binary COPY
(a bulk load), then a daily import of one more day for every meter goes through the write path's
staging table and INSERT ... ON CONFLICT DO NOTHING. Prints readings/s of both, best of `--repeat`.

    .venv/bin/python bench/meter_fk.py --meters 300 --days 365 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time

import psycopg

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from apps.metering import daystore
from apps.metering.partitions import months, next_month

ADMIN_DSN = os.environ.get("BENCH_ADMIN_DSN", "host=127.0.0.1 user=postgres dbname=postgres")
DB_NAME = "esmart_meter_fk_bench"
FIRST = dt.date(2024, 1, 1)
COLUMNS = '(meter_id, day, minutes, total, "values", statuses)'
TYPES = ["int8", "date", "int2", "int8", "bytea", "bytea"]


def ddl(table: str, fk: bool, last: dt.date) -> list[str]:
    reference = " REFERENCES meter (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED" if fk else ""
    out = [
        f"CREATE TABLE {table} (meter_id bigint NOT NULL{reference}, total bigint, day date NOT NULL, "
        f'minutes smallint NOT NULL, "values" bytea NOT NULL, statuses bytea, PRIMARY KEY (meter_id, day)) '
        "PARTITION BY RANGE (day)",
        f"CREATE INDEX ON {table} USING brin (day)",
    ]
    for month in months(FIRST, last):
        bounds = f"FROM ('{month}') TO ('{next_month(month)}')"
        out.append(f"CREATE TABLE {table}_{month:%Y%m} PARTITION OF {table} FOR VALUES {bounds}")
    return out


def encoded_days(meters: int, days: int, rng: random.Random) -> list[tuple]:
    rows = []
    for meter in range(1, meters + 1):
        for n in range(days):
            day = FIRST + dt.timedelta(days=n)
            count = daystore.day_layout(day, 60).count
            stored = daystore.encode_day([rng.randint(100, 3000) for _ in range(count)])
            rows.append((meter, day, 60, stored.total, stored.values, stored.statuses))
    return rows


def bulk(conn, table: str, rows: list[tuple]) -> float:
    t0 = time.perf_counter()
    with conn.cursor() as cur, cur.copy(f"COPY {table} {COLUMNS} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(TYPES)
        for row in rows:
            copy.write_row(row)
    conn.commit()
    return time.perf_counter() - t0


def daily(conn, table: str, rows: list[tuple]) -> float:
    t0 = time.perf_counter()
    with conn.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE staging (LIKE {table}) ON COMMIT DROP")
        with cur.copy(f"COPY staging {COLUMNS} FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types(TYPES)
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO {table} SELECT * FROM staging ORDER BY meter_id, day ON CONFLICT (meter_id, day) DO NOTHING"
        )
    conn.commit()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--meters", type=int, default=300)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(21)
    rows = encoded_days(args.meters, args.days, rng)
    last_day = FIRST + dt.timedelta(days=args.days)
    extra = [
        (m, last_day, 60, *(lambda s: (s.total, s.values, s.statuses))(daystore.encode_day([500] * 24)))
        for m in range(1, args.meters + 1)
    ]
    readings = sum(len(r[4]) // 4 for r in rows)
    results: dict[str, dict] = {}
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
        admin.execute(f"CREATE DATABASE {DB_NAME}")
    try:
        with psycopg.connect(f"{ADMIN_DSN.replace('dbname=postgres', '')} dbname={DB_NAME}") as conn:
            conn.execute("CREATE TABLE meter (id bigint PRIMARY KEY)")
            conn.execute("INSERT INTO meter SELECT generate_series(1, %s)", [args.meters])
            conn.commit()
            for name, fk in (("with_fk", True), ("without_fk", False)):
                bulk_s, daily_s = [], []
                for _ in range(args.repeat):
                    conn.execute(f"DROP TABLE IF EXISTS {name}")
                    for statement in ddl(name, fk, last_day):
                        conn.execute(statement)
                    conn.commit()
                    bulk_s.append(bulk(conn, name, rows))
                    conn.execute("CHECKPOINT")
                    daily_s.append(daily(conn, name, extra))
                results[name] = {
                    "bulk_readings_per_s": round(readings / min(bulk_s)),
                    "daily_import_ms": round(1000 * min(daily_s), 1),
                }
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")
    print(json.dumps({"meters": args.meters, "days": args.days, "readings": readings, **results}))


if __name__ == "__main__":
    main()
