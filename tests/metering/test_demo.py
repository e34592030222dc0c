"""The demo history: deterministic, idempotent, shaped by season and temperature."""

import datetime as dt

import pytest
from django.db.models import Sum

from apps.customers.models import Meter
from apps.metering import demo, series
from apps.metering.models import MeterDay, MeterSettings, WeatherObservation

pytestmark = pytest.mark.django_db


def stored_intervals() -> list[tuple]:
    """(start, minutes, Wh, status) of every stored interval with a value, in order."""
    rows = MeterDay.objects.order_by("meter_id", "day").values_list("day", "minutes", "values", "statuses")
    return [row for row in series.intervals(list(rows)) if row[2] is not None]


def test_seed_is_deterministic_and_idempotent(owner, other):
    demo.seed(users=[owner.user], days=3, progress=None)
    first = stored_intervals()
    assert 24 * 3 - 5 <= len(first) <= 24 * 4  # 3 days up to the current hour, few missing hours
    assert not MeterDay.objects.filter(meter=other.meter).exists()
    assert MeterSettings.objects.filter(meter=owner.meter).exists()
    assert WeatherObservation.objects.exists()

    demo.seed(users=[owner.user], days=3, progress=None)
    assert stored_intervals() == first

    MeterDay.objects.all().delete()
    demo.seed(users=[owner.user], days=3, progress=None)
    assert stored_intervals() == first


def test_winter_uses_more_than_summer(owner):
    meter = Meter.objects.select_related("delivery_point").get(pk=owner.meter.pk)
    january = list(
        demo.meter_hours(
            meter, "SN18700", dt.datetime(2025, 1, 1, tzinfo=dt.UTC), dt.datetime(2025, 1, 8, tzinfo=dt.UTC)
        )
    )
    july = list(
        demo.meter_hours(
            meter, "SN18700", dt.datetime(2025, 7, 1, tzinfo=dt.UTC), dt.datetime(2025, 7, 8, tzinfo=dt.UTC)
        )
    )
    assert sum(r[3] for r in january) > 1.5 * sum(r[3] for r in july)


def test_evenings_use_more_than_nights(owner, monkeypatch):
    monkeypatch.setattr(demo, "demo_temperature", lambda code, moment: 20.0)  # no heating
    meter = Meter.objects.select_related("delivery_point").get(pk=owner.meter.pk)
    rows = list(
        demo.meter_hours(
            meter, "SN18700", dt.datetime(2025, 6, 2, tzinfo=dt.UTC), dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
        )
    )
    evening = [r[3] for r in rows if r[1].hour == 17]  # 19:00 local
    night = [r[3] for r in rows if r[1].hour == 1]  # 03:00 local
    assert sum(evening) > 1.3 * sum(night)


def test_progress_is_reported(owner):
    calls = []
    demo.seed(users=[owner.user], days=1, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1] == (1, 1)
    assert MeterDay.objects.aggregate(total=Sum("total"))["total"] > 0
