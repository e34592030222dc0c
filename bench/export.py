"""The consumption export against the consumption endpoint, on a year of hourly data (issue 26).

    .venv/bin/python bench/export.py [--requests 20] [--minutes 15]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<name> .venv/bin/python bench/export.py

Creates Django's test database of the configured one (test_<name>; SQLite: in memory), makes one
customer with one meter, loads the 8,760 hourly values of 2025 (Europe/Oslo) through
`services.load_intervals`, with a few estimated and missing hours, and drops the database at the end.

Each kind of request runs `--requests` times after two untimed warm-ups, in this process through
Django's test Client (the whole middleware stack, Basic credentials warm in the cache), the body
read to its end as a WSGI server would send it:

- export csv:  GET .../meters/{meterId}/consumption/export?format=csv   (8,760 rows)
- export espi: GET .../consumption/export?format=espi                    (365 IntervalBlocks)
- customer zip: GET api/customers/{customerId}/consumption/export?format=csv (the same CSV, deflated)
- consumption: POST .../meters/{meterId}/consumption, Resolution 7 (Hour), the same year (JSON)

`--minutes 15` loads a year of quarter hours (35,040 values) instead, and asks the consumption
endpoint for Resolution 5 (QuarterHour).

Prints requests/s, bytes/s and the body size of each, and the same figures as one JSON line.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import json
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

YEAR_START = dt.datetime(2024, 12, 31, 23, tzinfo=dt.UTC)  # 1 January 2025, Oslo
YEAR_END = dt.datetime(2025, 12, 31, 23, tzinfo=dt.UTC)
RANGE = {"fromTimeUtc": "2024-12-31T23:00:00", "toTimeUtc": "2025-12-31T23:00:00"}


def _year_of_values(meter_pk: int, minutes: int):
    """Household-shaped Wh values; every 97th interval estimated, every 499th missing."""
    moment, i, step = YEAR_START, 0, dt.timedelta(minutes=minutes)
    while moment < YEAR_END:
        if i % 499 == 7:
            yield (meter_pk, moment, minutes, None, 4000)
        else:
            wh = (400 + (i * 37) % 1800) * minutes // 60
            yield (meter_pk, moment, minutes, Decimal(wh).scaleb(-3), 1 if i % 97 == 3 else 0)
        moment += step
        i += 1


def _world():
    from esmart.api.area import Area
    from tests.factories import (
        PASSWORD,
        ContractFactory,
        CustomerAccessFactory,
        CustomerFactory,
        DeliveryPointFactory,
        MeterFactory,
        UserFactory,
    )

    user = UserFactory()
    customer = CustomerFactory(area=Area.POWER)
    CustomerAccessFactory(user=user, customer=customer)
    contract = ContractFactory(customer=customer)
    meter = MeterFactory(delivery_point=DeliveryPointFactory(contract=contract))
    return user.username, PASSWORD, customer, contract, meter


def _timed(send, requests: int) -> dict:
    for _ in range(2):
        send()
    sizes = []
    started = time.perf_counter()
    for _ in range(requests):
        sizes.append(send())
    seconds = time.perf_counter() - started
    return {
        "requests": requests,
        "seconds": round(seconds, 3),
        "requests_per_s": round(requests / seconds, 2),
        "bytes_per_s": round(sum(sizes) / seconds),
        "body_bytes": sizes[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--minutes", type=int, choices=(60, 15), default=60, help="the interval length (default hours)")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    from apps.metering import services

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        username, password, customer, contract, meter = _world()
        loaded = services.load_intervals(rows=_year_of_values(meter.pk, args.minutes))
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        client = Client(HTTP_AUTHORIZATION=f"Basic {token}")
        meter_path = f"/api/customers/{customer.pk}/contracts/{contract.contract_no}/meters/{meter.meter_id}"

        def export(fmt, path=f"{meter_path}/consumption/export"):
            def send():
                response = client.get(path, {**RANGE, "format": fmt})
                if response.status_code != 200:
                    raise RuntimeError(f"{path} answered {response.status_code}: {response.content[:300]!r}")
                return sum(len(chunk) for chunk in response.streaming_content)

            return send

        def consumption():
            resolution = 7 if args.minutes == 60 else 5  # Hour, QuarterHour
            body = {"FromTime": RANGE["fromTimeUtc"], "ToTime": RANGE["toTimeUtc"], "Resolution": resolution}
            response = client.post(f"{meter_path}/consumption", body, content_type="application/json")
            if response.status_code != 200:
                raise RuntimeError(f"consumption answered {response.status_code}: {response.content[:300]!r}")
            return len(response.content)

        kinds = {
            "export csv": export("csv"),
            "export espi": export("espi"),
            "customer zip (csv)": export("csv", f"/api/customers/{customer.pk}/consumption/export"),
            "consumption (JSON)": consumption,
        }
        results = {name: _timed(send, args.requests) for name, send in kinds.items()}
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    what = f"{loaded} {'hourly' if args.minutes == 60 else 'quarter-hour'} values of 2025"
    print(f"{connection.vendor}, {what}, {args.requests} requests each (after 2 warm-ups)")
    print(f"{'':22} {'req/s':>8} {'MB/s':>8} {'body bytes':>12} {'ms/request':>11}")
    for name, row in results.items():
        print(
            f"{name:22} {row['requests_per_s']:>8.2f} {row['bytes_per_s'] / 1e6:>8.2f} {row['body_bytes']:>12,} "
            f"{1000 * row['seconds'] / row['requests']:>11.1f}"
        )
    print(json.dumps({"vendor": connection.vendor, "minutes": args.minutes, "values": loaded, **results}))


if __name__ == "__main__":
    main()
