"""The bare baseline's table of readings: one row per reading, as the app stored them before issue 21.

`make bench` compares the consumption endpoint with PostgreSQL's own json_agg of a meter's rows
(bench/bare_urls.py `SERIES_JSON`), and the bulk load with raw COPY into such a table
(bench/bulkload.py). The app keeps its readings as meter days (migration 0006 dropped its table of
rows), so the bench keeps this table for the baselines: `refresh()` fills it with every stored
reading, decoded from the meter days, after seeding. Run by bench/run.py as

    python -m bench.baseline_rows        (the app's environment: DATABASE_URL, settings)
"""

from __future__ import annotations

import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TABLE = "bench_interval_rows"
# migration 0001's layout of metering_interval: the yardstick the issue's figures were taken on
CREATE = f"""CREATE TABLE IF NOT EXISTS {TABLE} (
    meter_id bigint NOT NULL, start_at timestamptz NOT NULL, minutes smallint NOT NULL DEFAULT 60,
    value numeric(14, 3), status smallint NOT NULL DEFAULT 0, PRIMARY KEY (meter_id, start_at))"""


def refresh(log=print) -> int:
    """Replaces the table's rows with every reading of the stored meter days; returns the count."""
    from django.db import connection, transaction

    from apps.metering import series
    from apps.metering.models import MeterDay

    started = time.monotonic()
    copied = 0
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor  # psycopg 3, for COPY
        cursor.execute(CREATE)
        cursor.execute(f"TRUNCATE {TABLE}")
        # all fetched before the COPY starts: nothing else can run on the connection during it
        days = list(
            MeterDay.objects.order_by("meter_id", "day").values_list("meter_id", "day", "minutes", "values", "statuses")
        )
        with cursor.copy(f"COPY {TABLE} (meter_id, start_at, minutes, value, status) FROM STDIN") as copy:
            for meter_id, *day in days:
                for start, minutes, wh, status in series.intervals([day]):
                    if wh is None and status >= 4000:
                        continue  # not arrived: the table of rows had no row for it
                    copy.write_row((meter_id, start, minutes, None if wh is None else Decimal(wh).scaleb(-3), status))
                    copied += 1
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {TABLE}")
    log(f"  {TABLE}: {copied} readings from the meter days in {time.monotonic() - started:.1f} s")
    return copied


if __name__ == "__main__":
    import django

    django.setup()
    refresh()
