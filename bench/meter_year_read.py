"""A year of hourly consumption through the read engine against the bare json_agg (issue 21).

Run inside the project's Django, on a PostgreSQL database whose meters have 2025 stored, after
`python -m bench.baseline_rows` (`bench/bare_urls.py`'s SERIES_JSON reads its table of rows):

    DATABASE_URL=postgres://... .venv/bin/python manage.py shell -c "exec(open('bench/meter_year_read.py').read())"

engine: `selectors.consumption_response` (one query of 365 stored days, daystore decode, wire
dicts) + orjson, as the view renders it, without HTTP. json_agg: PostgreSQL's own JSON of the rows.
Medians of 15 after a warm-up.
"""

import datetime as dt
import importlib
import statistics
import sys
import time

import orjson
from django.db import connection
from django.db.models import Count

from apps.customers.models import Meter
from apps.metering import selectors
from apps.metering.models import MeterDay, Resolution

sys.path.insert(0, "bench")
bare = importlib.import_module("bare_urls")

start, end = dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC), dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC)
# a meter with the whole of 2025 stored (365 days)
full = (
    MeterDay.objects.filter(day__gte=dt.date(2025, 1, 1), day__lte=dt.date(2025, 12, 31))
    .values("meter_id")
    .annotate(days=Count("day"))
    .filter(days=365)
    .order_by("meter_id")
    .values_list("meter_id", flat=True)
)
meter = Meter.objects.select_related("delivery_point").get(pk=full[len(full) // 2])


def engine():
    body = selectors.consumption_response(meter=meter, from_time=start, to_time=end, resolution=Resolution.Hour)
    return orjson.dumps(body)


def json_agg():
    with connection.cursor() as cursor:
        cursor.execute(bare.SERIES_JSON[7], {"meter": meter.pk, "start": start, "end": end})
        return cursor.fetchone()[0]


def median_ms(fn, repeats=15):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


engine_ms, json_agg_ms = median_ms(engine), median_ms(json_agg)
print(
    orjson.dumps(
        {
            "values": len(orjson.loads(engine())["Values"]),
            "engine_ms": round(engine_ms, 1),
            "json_agg_ms": round(json_agg_ms, 1),
            "json_agg_over_engine": round(json_agg_ms / engine_ms, 2),
        }
    ).decode()
)
