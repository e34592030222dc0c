"""Two real processes importing the same meter-days at once lose nothing (PostgreSQL).

Each process runs `manage.py import_readings` on its own file: the same 80 meter-days, one file
with each day's first hours, the other with the rest. Both start together, so their inserts of new
days collide (the second waits on the first's uncommitted row, then merges into it under FOR
UPDATE); a second round corrects every hour of the same days from both sides (both on the merge
path). Every day must hold both halves: no piece overwritten by the other's stale copy.
"""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from apps.metering import daystore
from apps.metering.models import MeterDay

from .helpers import oslo_midnight

ROOT = Path(__file__).resolve().parents[2]
DAYS = 80

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's row locks; SQLite writes one at a time"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.real_clock,  # the two import processes read the real clock (their rows' timestamps)
]


def csv_of(meter_id: str, hours: range, value: str) -> str:
    lines = ["meter_id,start_at,value,status,minutes"]
    for n in range(DAYS):
        midnight = oslo_midnight(2024, 1, 1) + dt.timedelta(days=n)  # no DST change in the first 80 days
        lines += [f"{meter_id},{(midnight + dt.timedelta(hours=h)):%Y-%m-%dT%H:%M:%SZ},{value},0,60" for h in hours]
    return "\n".join(lines) + "\n"


def import_both(tmp_path, first: str, second: str) -> None:
    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "esmart.settings.test"}
    files = []
    for name, text in (("a.csv", first), ("b.csv", second)):
        (tmp_path / name).write_text(text)
        files.append(tmp_path / name)
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "import_readings", str(path)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for path in files
    ]
    for process in processes:
        output, _ = process.communicate(timeout=300)
        assert process.returncode == 0, output.decode()


def stored_days(meter) -> dict[dt.date, list]:
    rows = MeterDay.objects.filter(meter=meter).values_list("day", "minutes", "values", "statuses")
    return {day: daystore.unpack_values(blob, 24) for day, minutes, blob, _ in rows}


def test_two_importers_of_the_same_days_lose_nothing(owner, tmp_path):
    meter = owner.meter.meter_id
    import_both(tmp_path, csv_of(meter, range(0, 12), "1.000"), csv_of(meter, range(12, 24), "2.000"))
    days = stored_days(owner.meter)
    assert len(days) == DAYS
    assert all(values == [1000] * 12 + [2000] * 12 for values in days.values())

    # Both on the merge path now: each corrects its own half of every day.
    import_both(tmp_path, csv_of(meter, range(0, 12), "3.000"), csv_of(meter, range(12, 24), "4.000"))
    days = stored_days(owner.meter)
    assert all(values == [3000] * 12 + [4000] * 12 for values in days.values())
    assert MeterDay.objects.filter(meter=owner.meter).count() == DAYS
