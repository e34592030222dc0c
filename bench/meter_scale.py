"""`make bench-scale`: meter data at a utility's scale through the app's own code (issue 21).

Loads `--readings` hourly readings (default 10⁸: 11,416 meters × the 8,760 hours of 2025) into a
scratch PostgreSQL database through `services.load_intervals` (the seeder's and import's write
path: meter days merged and COPYed into the monthly partitions), in steps, and reports:

- bytes per reading: the database's growth (after VACUUM ANALYZE and a CHECKPOINT) ÷ readings;
- the load rate (readings/s) of each step and of the whole load (rows built in memory per step of
  `--step-meters` meters, untimed);
- the year of one meter's hourly consumption (8,760 values) at about 10⁶ readings and at the
  end: through the engine (`selectors.consumption_response` + orjson) and through the API
  in-process (Django's test Client, Basic auth, the real view and renderer), median over
  `--sample` meters loaded in the first step, each read `--repeats` times warm. The database as
  it was after the first step is kept as a copy (`CREATE DATABASE … TEMPLATE`), and at the end
  the two are read in alternating rounds (`--rounds`, after a warm-up round), so both figures of a
  round see the same machine; the ratio reported is the median of the rounds' ratios. The issue
  asks the two figures to be within 10 % of each other.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/esmart_scale .venv/bin/python -m bench.meter_scale
    .venv/bin/python -m bench.meter_scale --readings 10000000      (a quicker run)

The database is created and migrated when missing and dropped at the end unless `--keep`. It needs
disk for about 8 bytes a reading plus WAL (about 1.5 GB at 10⁸). Not run by CI.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import environ  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/esmart_scale"
HOURS = 8760
FIRST_HOUR = dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC)  # 2025-01-01 00:00 in Oslo
PASSWORD = "scale-bench-password"
USERNAME = "scale-bench"


def log(text: str) -> None:
    print(text, flush=True)


def server(url: str):
    config = environ.Env.db_url_config(url)
    params = {k: config.get(v) or None for k, v in (("host", "HOST"), ("port", "PORT"), ("user", "USER"))}
    return psycopg.connect(dbname="postgres", autocommit=True, **params), config["NAME"]


def create_database(url: str) -> None:
    conn, name = server(url)
    with conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, check=True)


def drop_database(url: str) -> None:
    from django.db import connections

    connections.close_all()
    conn, name = server(url)
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def copy_database(url: str, suffix: str) -> str:
    """A copy of the database as it is now (no connection may be open on it); returns its name."""
    from django.db import connections

    connections.close_all()
    conn, name = server(url)
    copy = f"{name}_{suffix}"
    with conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(copy)))
        conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(copy), sql.Identifier(name)))
    return copy


def use_database(name: str) -> None:
    """Points Django's default connection at another database of the same server."""
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def settled_size() -> int:
    """The database's size once dead rows are gone and dirty pages are written."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) metering_meterday")
        cursor.execute("CHECKPOINT")
        cursor.execute("SELECT pg_database_size(current_database())")
        return cursor.fetchone()[0]


def make_meters(count: int) -> list:
    """`count` meters of one customer, each on its own delivery point, and a login with access."""
    from apps.customers.models import Contract, Customer, CustomerAccess, DeliveryPoint, Meter, User

    customer = Customer.objects.create(area=2, first_name="Scale", last_name="Bench")
    contract = Contract.objects.create(
        customer=customer, contract_no=8_800_001, product=Contract.Product.POWER, start_date=dt.date(2024, 1, 1)
    )
    points = DeliveryPoint.objects.bulk_create(
        DeliveryPoint(contract=contract, metering_point_id=f"70705750{n:010d}", name=f"p{n}", price_area="NO1")
        for n in range(count)
    )
    Meter.objects.bulk_create(Meter(delivery_point=point, meter_id=f"scale-{n:06d}") for n, point in enumerate(points))
    user = User.objects.create_user(username=USERNAME, password=PASSWORD)
    CustomerAccess.objects.create(user=user, customer=customer)
    return list(Meter.objects.filter(delivery_point__contract=contract).order_by("pk"))


def rows_of(meters, rng: random.Random) -> list[tuple]:
    """A year of hourly readings of each meter, as the seeder hands them over (value as text)."""
    hours = [FIRST_HOUR + dt.timedelta(hours=n) for n in range(HOURS)]
    rows = []
    for meter in meters:
        pk = meter.pk
        base = rng.uniform(0.3, 2.5)
        for hour in hours:
            rows.append((pk, hour, 60, f"{base * rng.uniform(0.5, 1.6):.3f}", 1 if rng.random() < 0.003 else 0))
    return rows


def year_reads(meters, repeats: int) -> dict:
    """Median ms of a year of hourly consumption per meter: engine + orjson, and the API in-process."""
    import orjson
    from django.test import Client

    from apps.metering import selectors
    from apps.metering.models import Resolution

    end = FIRST_HOUR + dt.timedelta(hours=HOURS)
    body = json.dumps({"FromTime": "2024-12-31T23:00:00", "ToTime": "2025-12-31T23:00:00", "Resolution": 7})
    auth = "Basic " + base64.b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()
    client = Client(SERVER_NAME="localhost", HTTP_AUTHORIZATION=auth, HTTP_X_AREA="2")
    engine, api = [], []
    for meter in meters:
        point = meter.delivery_point
        url = (
            f"/api/customers/{point.contract.customer_id}/contracts/{point.contract.contract_no}"
            f"/meters/{meter.meter_id}/consumption"
        )

        def read_engine(meter=meter):
            return orjson.dumps(
                selectors.consumption_response(
                    meter=meter, from_time=FIRST_HOUR, to_time=end, resolution=Resolution.Hour
                )
            )

        def read_api(url=url):
            response = client.post(url, body, content_type="application/json")
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.content[:200]!r}")
            return response.content

        values = len(orjson.loads(read_api())["Values"])
        if values != HOURS:
            raise RuntimeError(f"{meter.meter_id}: {values} values, not {HOURS}")
        read_engine()
        for fn, out in ((read_engine, engine), (read_api, api)):
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                fn()
                times.append(time.perf_counter() - started)
            out.append(statistics.median(times) * 1000)
    return {"engine_ms": round(statistics.median(engine), 2), "api_ms": round(statistics.median(api), 2)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--readings", type=int, default=100_000_000)
    parser.add_argument("--first-step", type=int, default=1_000_000, help="readings before the first read figure")
    parser.add_argument("--step-meters", type=int, default=200, help="meters built in memory and loaded at a time")
    parser.add_argument("--sample", type=int, default=20, help="meters whose year is read")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=3, help="alternating read rounds of the two databases")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    args = parser.parse_args()

    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    if "postgresql" not in environ.Env.db_url_config(url)["ENGINE"]:
        raise SystemExit("DATABASE_URL must point at PostgreSQL")
    log(f"database {environ.Env.db_url_config(url)['NAME']}: creating and migrating")
    create_database(url)
    import django

    django.setup()
    from apps.metering import services
    from apps.metering.models import MeterDay

    if MeterDay.objects.exists():
        raise SystemExit(
            "the scratch database already holds meter days: drop it first (or point DATABASE_URL elsewhere)"
        )
    meter_count = -(-args.readings // HOURS)
    meters = make_meters(meter_count)
    first_meters = -(-args.first_step // HOURS)
    rng = random.Random(20250101)
    size_before = settled_size()
    log(f"{meter_count} meters, {meter_count * HOURS:,} readings to load; database {size_before / 1e6:.1f} MB empty")

    figures: dict = {"meters": meter_count, "steps": []}
    loaded = 0
    load_seconds = 0.0
    done_meters = 0
    while done_meters < meter_count:
        # the first step stops at --first-step readings: the small-database read figure is taken there
        limit = first_meters if done_meters < first_meters else meter_count
        batch = meters[done_meters : min(done_meters + args.step_meters, limit)]
        rows = rows_of(batch, rng)
        started = time.perf_counter()
        services.load_intervals(rows=rows)
        seconds = time.perf_counter() - started
        loaded += len(rows)
        load_seconds += seconds
        done_meters += len(batch)
        log(f"  {loaded:>13,} readings  step {len(rows) / seconds:>9,.0f}/s  all {loaded / load_seconds:>9,.0f}/s")
        if done_meters in (first_meters, meter_count):
            size = settled_size()
            figures["steps"].append(
                {
                    "readings": loaded,
                    "bytes_per_reading": round((size - size_before) / loaded, 2),
                    "load_per_second": round(loaded / load_seconds),
                }
            )
            log(f"at {loaded:,} readings: {figures['steps'][-1]['bytes_per_reading']} bytes/reading")
            if done_meters == first_meters and done_meters < meter_count:
                small = copy_database(url, "first_step")
                log(f"  kept as {small} for the read figures")
    big = environ.Env.db_url_config(url)["NAME"]
    databases = [(0, small), (-1, big)] if len(figures["steps"]) > 1 else [(0, big)]
    sample = meters[: min(args.sample, first_meters)]
    reads: dict[int, list[dict]] = {index: [] for index, _ in databases}
    for round_no in range(args.rounds + 1):  # round 0 warms both databases' caches and is not counted
        for index, name in databases if round_no % 2 else databases[::-1]:
            use_database(name)
            result = year_reads(sample, args.repeats)
            if round_no:
                reads[index].append(result)
            log(f"  round {round_no or 'warm-up'}, {figures['steps'][index]['readings']:,} readings: {result}")
    for index, _ in databases:
        for key in ("engine_ms", "api_ms"):
            figures["steps"][index][key] = round(statistics.median(r[key] for r in reads[index]), 2)
    use_database(big)
    first, last = figures["steps"][0], figures["steps"][-1]
    # The machine's speed drifts between rounds; within a round both databases see the same machine,
    # so the figure is the median of the rounds' ratios.
    for key in ("api", "engine"):
        ratios = [b[f"{key}_ms"] / a[f"{key}_ms"] for a, b in zip(reads[0], reads[-1], strict=True)]
        figures[f"{key}_last_over_first"] = round(statistics.median(ratios), 3)
    for step in figures["steps"]:
        log(
            f"at {step['readings']:,} readings: {step['bytes_per_reading']} bytes/reading, a year of hourly "
            f"consumption {step['engine_ms']} ms (engine + JSON), {step['api_ms']} ms (API in-process)"
        )
    log(
        f"\nresult: {last['readings']:,} readings, {last['bytes_per_reading']} bytes/reading, load "
        f"{last['load_per_second']:,}/s; year read at {last['readings']:,} vs {first['readings']:,} readings: "
        f"API {figures['api_last_over_first']}x, engine {figures['engine_last_over_first']}x (goal: within 10 %)"
    )
    if args.json:
        print(json.dumps(figures))
    if not args.keep:
        drop_database(url)
    if len(databases) > 1:
        conn, _ = server(url)
        with conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(small)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
