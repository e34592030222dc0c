"""The application side of tests/core/test_replica.py: a process configured as production is (the
local settings, DATABASE_URL and DATABASE_REPLICA_URL naming the test's private primary and
replica), which runs the steps the test sends and answers what it saw.

Protocol: one JSON object a line on stdin, {"step": name, ...arguments}; one JSON object a line on
stdout per step: its result, with `data_reads` (per database alias, the statements that read the
metering app's tables: which server served the heavy read) and `log` (the lines esmart.replica
logged during the step). Requests go through Django's real WSGI handler, so request_started runs
as in production (the test client would disconnect the connection checks).

Run as `python -m tests.core.replica_scenario` from the repository root.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import os
import re
import sys
import traceback
from contextlib import ExitStack
from decimal import Decimal
from zoneinfo import ZoneInfo

OSLO = ZoneInfo("Europe/Oslo")
# The series read: two local days, 3 and 4 March 2025 (the test writes whole days of hours).
SERIES_BODY = {"FromTime": "2025-03-02T23:00:00Z", "ToTime": "2025-03-04T23:00:00Z", "Resolution": 20}
APP_TABLE_READ = re.compile(r'\bFROM\s+"?metering_', re.IGNORECASE)


class LogLines(logging.Handler):
    def __init__(self):
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record):
        self.lines.append(f"{record.levelname} {record.getMessage()}")


def local_day(day: str) -> tuple[dt.datetime, dt.datetime]:
    start = dt.date.fromisoformat(day)
    following = start + dt.timedelta(days=1)
    return (
        dt.datetime(start.year, start.month, start.day, tzinfo=OSLO).astimezone(dt.UTC),
        dt.datetime(following.year, following.month, following.day, tzinfo=OSLO).astimezone(dt.UTC),
    )


class Scenario:
    def __init__(self):
        from django.db import connections

        self.connections = connections
        self.log = LogLines()
        replica_logger = logging.getLogger("esmart.replica")
        replica_logger.setLevel(logging.INFO)  # as in production (LOG_LEVEL's default); stderr says WARNING
        replica_logger.addHandler(self.log)
        self.meter = None
        self.username = None
        self.url = None

    # --- steps ---

    def schema(self):
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)
        return {}

    def seed(self):
        from apps.customers.models import Contract
        from esmart.api.area import Area
        from tests import factories

        user = factories.UserFactory()
        customer = factories.CustomerFactory(area=Area.POWER)
        factories.CustomerAccessFactory(user=user, customer=customer)
        contract = factories.ContractFactory(customer=customer, product=Contract.Product.POWER)
        point = factories.DeliveryPointFactory(contract=contract)
        self.meter = factories.MeterFactory(delivery_point=point)
        self.username = user.username
        self.url = (
            f"/api/customers/{customer.pk}/contracts/{contract.contract_no}/meters/{self.meter.meter_id}/consumption"
        )
        self.write(day="2025-03-03", kwh="1.000")
        return {"meter": self.meter.meter_id}

    def write(self, *, day: str, kwh: str):
        """A whole local day of hourly values, through the import's write path (on the primary)."""
        from apps.metering import services

        start, end = local_day(day)
        rows, moment = [], start
        while moment < end:
            rows.append((self.meter.pk, moment, 60, Decimal(kwh), 0))
            moment += dt.timedelta(hours=1)
        services.load_intervals(rows=rows)
        return {}

    def api_read(self):
        """POST .../consumption (days of 3 and 4 March) as a client would; the body's values."""
        from django.core.handlers.wsgi import WSGIHandler

        from tests.factories import PASSWORD

        body = json.dumps(SERIES_BODY).encode()
        environ = {
            "PATH_INFO": self.url,
            "REQUEST_METHOD": "POST",
            "CONTENT_TYPE": "application/json",
            "CONTENT_LENGTH": str(len(body)),
            "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{self.username}:{PASSWORD}".encode()).decode(),
            "wsgi.input": io.BytesIO(body),
        }
        from wsgiref.util import setup_testing_defaults

        setup_testing_defaults(environ)
        status = []
        answer = b"".join(WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s)))
        if not status[0].startswith("200"):
            raise AssertionError(f"{status[0]}: {answer[:500]!r}")
        return {"values": [v["Value"] for v in json.loads(answer)["Values"]]}

    def selector_read(self):
        from apps.metering.models import Resolution
        from apps.metering.selectors import consumption_series

        start, _ = local_day("2025-03-03")
        _, end = local_day("2025-03-04")
        series = consumption_series(meter=self.meter, from_time=start, to_time=end, resolution=Resolution.Day)
        return [None if value is None else float(value) for _, value, _ in series]

    def write_then_read(self, *, day: str, kwh: str):
        """One unit of work (as a request or a task is) that writes, then reads the series."""
        from esmart import replica

        replica.begin_unit_of_work()
        self.write(day=day, kwh=kwh)
        with replica.heavy_read():
            why = replica.route()
        return {"values": self.selector_read(), "route": why}

    def read_in_transaction(self):
        """A fresh unit of work that reads the series inside a transaction (as a write path does)."""
        from django.db import transaction

        from esmart import replica

        replica.begin_unit_of_work()
        with transaction.atomic():
            return {"values": self.selector_read()}

    def cim_export(self, *, day: str):
        """The CIM export of a local day (a fresh unit of work, as its Celery task is)."""
        from apps.metering import cim
        from esmart import replica

        replica.begin_unit_of_work()
        log = cim.export_day(day=dt.date.fromisoformat(day))  # days in Europe/Oslo (the default)
        return {"status": log.get_status_display(), "value_count": log.value_count}

    # --- the loop ---

    def run(self, request: dict) -> dict:
        step = getattr(self, request.pop("step"))
        reads: dict[str, list[str]] = {}
        sessions: dict[str, set] = {}

        def recorder(alias):
            def record(execute, sql, params, many, context):
                if APP_TABLE_READ.search(sql) and sql.lstrip()[:6].upper() in ("SELECT", "WITH"):
                    reads.setdefault(alias, []).append(sql[:120])
                    sessions.setdefault(alias, set()).add(context["connection"].connection.info.backend_pid)
                return execute(sql, params, many, context)

            return record

        del self.log.lines[:]
        with ExitStack() as stack:
            for alias in self.connections:
                stack.enter_context(self.connections[alias].execute_wrapper(recorder(alias)))
            result = step(**request)
        result = result if isinstance(result, dict) else {"result": result}
        # The session that served the reads: is it a server in recovery (a standby)?
        in_recovery = {}
        for alias, pids in sessions.items():
            with self.connections[alias].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid(), pg_is_in_recovery()")
                pid, recovering = cursor.fetchone()
            in_recovery[alias] = recovering if pids == {pid} else f"other session ({pids} vs {pid})"
        return {**result, "data_reads": reads, "in_recovery": in_recovery, "log": list(self.log.lines)}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "esmart.settings.local")
    import django

    django.setup()
    scenario = Scenario()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        try:
            answer = scenario.run(json.loads(line))
        except Exception:
            answer = {"error": traceback.format_exc()}
        print(json.dumps(answer, default=str), flush=True)


if __name__ == "__main__":
    main()
