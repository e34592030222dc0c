"""Delivered flexibility on a past plan's response: per interval the baseline (the asset's method
over earlier similar days of the site meter's readings), the measured consumption and
delivered = baseline − measured, on known numbers."""

import datetime as dt

import pytest

from apps.flex.models import BaselineConfig, BaselineMethod
from apps.metering.services import load_intervals

from .world import build, make_plan

pytestmark = pytest.mark.django_db

DAY = dt.date(2025, 1, 8)  # a Wednesday; Oslo is UTC+1
START = dt.datetime(2025, 1, 8, 9, tzinfo=dt.UTC)  # 10:00 local, four hourly intervals
# Per earlier day, the reading of interval k (kWh): three working days, a weekend (not similar to
# a Wednesday) and an older Thursday (beyond N = 3, within Y = 4).
HISTORY = {
    1: lambda k: 2 + k,
    2: lambda k: 3 + k,
    3: lambda k: 50,
    4: lambda k: 50,
    5: lambda k: 4 + k,
    6: lambda k: 100,
}
MEASURED = [1.0, 1.25, 1.5, None]  # the plan's day; the last interval has no reading


def readings(meter):
    rows = []
    for days_back, value in HISTORY.items():
        for k in range(4):
            start = START - dt.timedelta(days=days_back) + dt.timedelta(hours=k)
            rows.append((meter.pk, start, 60, f"{value(k):.3f}", 0))
    rows += [
        (meter.pk, START + dt.timedelta(hours=k), 60, f"{v:.3f}", 0) for k, v in enumerate(MEASURED) if v is not None
    ]
    load_intervals(rows=rows)


def intervals_of(owner, w, plan):
    url = f"/api/customers/{owner.customer.pk}/devices/{w.device.pk}/controlplans?pageSize=100"
    body = owner.client().get(url).json()
    return {p["ControlPlanId"]: p["Intervals"] for p in body}[str(plan.pk)]


@pytest.mark.parametrize(
    "method, days, high_count, expected_baseline",
    [
        (BaselineMethod.AverageOfSimilarDays, 3, None, [3.0, 4.0, 5.0, 6.0]),  # mean of Tue, Mon, Fri
        (BaselineMethod.HighXOfY, 4, 2, [52.0, 52.5, 53.0, 53.5]),  # mean of the 2 highest of Tue, Mon, Fri, Thu
    ],
)
def test_a_past_plan_carries_baseline_measured_and_delivered(owner, method, days, high_count, expected_baseline):
    w = build(owner)
    BaselineConfig.objects.filter(asset=w.device.asset).update(method=method, days=days, high_count=high_count)
    plan = make_plan(w.flex, start=START)
    readings(owner.meter)
    intervals = intervals_of(owner, w, plan)
    assert [i["Baseline"] for i in intervals] == expected_baseline
    assert [i["Measured"] for i in intervals] == MEASURED
    delivered = [b - m for b, m in zip(expected_baseline[:3], MEASURED[:3], strict=True)]
    assert [i["DeliveredFlexibility"] for i in intervals] == [*delivered, None]


def test_a_plan_not_yet_passed_has_no_flexibility(owner):
    w = build(owner)
    readings(owner.meter)
    intervals = intervals_of(owner, w, w.future_plan)
    assert {(i["Baseline"], i["Measured"], i["DeliveredFlexibility"]) for i in intervals} == {(None, None, None)}


def test_without_a_config_the_default_is_the_average_of_ten_similar_days(owner):
    w = build(owner)
    BaselineConfig.objects.filter(asset=w.device.asset).delete()
    plan = make_plan(w.flex, start=START)
    readings(owner.meter)
    # the four working days of the history (fewer than ten): Tue, Mon, Fri and the older Thursday
    assert [i["Baseline"] for i in intervals_of(owner, w, plan)] == [(109 + 3 * k) / 4 for k in range(4)]
