"""In-process workload (bench/inprocess.py): bulk loading readings into meter days vs raw COPY of rows.

The rows are hourly readings of meters created for the bench only (one customer "bench-load"
without any login, so seed_demo and the API never see it): `size` rows, 8760 hours per meter,
built in memory before anything is timed, as the seeder hands them over (meter pk, UTC start,
minutes, value as text, status). Before each run the bench meters' stored days and the baseline
table's rows are deleted and both tables vacuumed (and a checkpoint is taken, when the role may),
so both sides start from the same state.

- real: apps.metering.services.load_intervals(rows=...), the app's write path (seed_demo's, and
  import_readings' after parsing): rows grouped into meter days, each merged and COPYed (binary)
  into the partitioned metering_meterday, one transaction (Django's connection).
- baseline: one psycopg 3 `cursor.copy("COPY bench_interval_rows (...) FROM STDIN")` writing the
  same rows with write_row, then commit, on a plain psycopg connection: the table of one row per
  reading the app had before issue 21 (primary key (meter_id, start_at)), kept by the bench only.
"""

from __future__ import annotations

import datetime as dt
import math
import random

import psycopg
from django.conf import settings
from django.db import connection, transaction

from apps.customers.models import Contract, Customer, DeliveryPoint, Meter
from apps.metering import services
from bench import baseline_rows

HOURS_PER_METER = 8760
FIRST_HOUR = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
CUSTOMER_ID = 990001
CONTRACT_NO = 9900011
METERING_POINT_ID = "707057500099000011"
METER_PREFIX = "bench-load-"
BASELINE_TABLE = baseline_rows.TABLE
COPY_SQL = f"COPY {BASELINE_TABLE} (meter_id, start_at, minutes, value, status) FROM STDIN"


class BulkLoad:
    def __init__(self, size: int, log):
        self.size, self.log = size, log
        self.meter_pks: list[int] = []
        self.rows: list[tuple] = []
        self.raw: psycopg.Connection | None = None
        self.can_checkpoint = True

    # --- untimed -------------------------------------------------------------------------------

    def _meters(self, count: int) -> list[int]:
        """`count` meters of the bench-load customer (created once, reused by later runs)."""
        with transaction.atomic():
            customer, _ = Customer.objects.get_or_create(
                pk=CUSTOMER_ID, defaults={"area": 2, "first_name": "Bench", "last_name": "Load"}
            )
            contract, _ = Contract.objects.get_or_create(
                contract_no=CONTRACT_NO,
                defaults={"customer": customer, "product": Contract.Product.POWER, "start_date": dt.date(2024, 1, 1)},
            )
            point, _ = DeliveryPoint.objects.get_or_create(
                metering_point_id=METERING_POINT_ID,
                defaults={"contract": contract, "name": "bench load", "price_area": "NO1"},
            )
            names = [f"{METER_PREFIX}{n:04d}" for n in range(1, count + 1)]
            existing = set(Meter.objects.filter(meter_id__in=names).values_list("meter_id", flat=True))
            Meter.objects.bulk_create(
                [Meter(delivery_point=point, meter_id=name) for name in names if name not in existing]
            )
            return list(Meter.objects.filter(meter_id__in=names).order_by("pk").values_list("pk", flat=True))

    def prepare(self) -> None:
        self.meter_pks = self._meters(math.ceil(self.size / HOURS_PER_METER))
        hours = [FIRST_HOUR + dt.timedelta(hours=n) for n in range(HOURS_PER_METER)]
        rng = random.Random(20240101)
        rows = []
        for pk in self.meter_pks:
            for hour in hours[: self.size - len(rows)]:
                status = 1 if rng.random() < 0.003 else 0
                rows.append((pk, hour, 60, f"{rng.uniform(0.2, 3.5):.3f}", status))
        self.rows = rows
        db = settings.DATABASES["default"]
        self.raw = psycopg.connect(
            dbname=db["NAME"],
            user=db.get("USER") or None,
            password=db.get("PASSWORD") or None,
            host=db.get("HOST") or None,
            port=db.get("PORT") or None,
        )
        with connection.cursor() as cursor:
            cursor.execute(baseline_rows.CREATE)
        self.log(f"  bulkload: {len(rows)} rows of {len(self.meter_pks)} meters in memory")

    def reset(self) -> None:
        """No rows of the bench meters, vacuumed tables, a checkpoint: the same state for either side."""
        with connection.cursor() as cursor:  # autocommit: VACUUM cannot run in a transaction
            self._delete(cursor)
            cursor.execute(f"VACUUM (ANALYZE) metering_meterday, {BASELINE_TABLE}")
            if self.can_checkpoint:
                try:
                    cursor.execute("CHECKPOINT")
                except Exception as exc:  # not superuser nor pg_checkpoint: the runs are just noisier
                    self.can_checkpoint = False
                    self.log(f"  bulkload: no CHECKPOINT between runs ({type(exc).__name__})")

    def _delete(self, cursor) -> None:
        cursor.execute("DELETE FROM metering_meterday WHERE meter_id = ANY(%s)", [self.meter_pks])
        cursor.execute(f"DELETE FROM {BASELINE_TABLE} WHERE meter_id = ANY(%s)", [self.meter_pks])

    def finish(self) -> None:
        try:
            with connection.cursor() as cursor:
                self._delete(cursor)
                cursor.execute(f"VACUUM metering_meterday, {BASELINE_TABLE}")
        finally:
            if self.raw is not None:
                self.raw.close()

    # --- timed ---------------------------------------------------------------------------------

    def real(self) -> int:
        done = services.load_intervals(rows=self.rows)
        if done != len(self.rows):
            raise RuntimeError(f"load_intervals loaded {done} rows of {len(self.rows)}")
        return done

    def baseline(self) -> int:
        with self.raw.cursor() as cursor, cursor.copy(COPY_SQL) as copy:
            for row in self.rows:
                copy.write_row(row)
        self.raw.commit()
        return len(self.rows)
