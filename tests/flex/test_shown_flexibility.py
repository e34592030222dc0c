"""What is shown adds up: on every interval DeliveredFlexibility = Baseline − Measured, exactly, as
the three are shown (kWh to 4 places), also when baseline and measured have more places than that
(an average of similar days; an hourly reading spread over quarter hours)."""

import datetime as dt
import json
from decimal import ROUND_HALF_EVEN, Decimal

import pytest

from apps.flex import baseline
from apps.flex.models import BaselineConfig, BaselineMethod, ControlPlanInterval, IntervalSource
from apps.metering.services import load_intervals
from tests.flex.factories import ControlPlanFactory

from .world import build

Q = Decimal("0.0001")


def rounded(value: Decimal) -> Decimal:
    return value.quantize(Q, rounding=ROUND_HALF_EVEN)


# (baseline, measured, delivered as shown): each row disagrees by 0.0001 with the rounded unrounded
# difference, i.e. with what was shown before (the last column of the comment).
ROWS = [
    (Decimal("0.25025"), Decimal("0.24975"), Decimal("0.0004")),  # rounded(0.0005) = 0.0005
    (Decimal(1001 + 1001 + 1002) / 12000, Decimal("0.24875"), Decimal("0.0015")),  # 0.2503333… − 0.24875: 0.0016
    (Decimal(10) / 3, Decimal("1.23336"), Decimal("2.0999")),  # 3.3333… − 1.23336: 2.1000
    (Decimal("0.25025"), Decimal("0.2505"), Decimal("-0.0003")),  # −0.0002
]


@pytest.mark.parametrize(("base", "measured", "expected"), ROWS)
def test_delivered_is_the_difference_of_what_is_shown(base, measured, expected):
    assert rounded(base - measured) != expected  # the row is one that rounding separately gets wrong
    shown_base, shown_measured, delivered = baseline.flexibility(base, measured)
    assert (shown_base, shown_measured) == (rounded(base), rounded(measured))
    assert delivered == expected == shown_base - shown_measured


def test_the_three_add_up_for_every_average_of_similar_days():
    # Quarter-hour values to 4 places (hourly readings spread); baselines averaged over 2..10 days
    # (repeating decimals, and ties at the fifth place that round to even).
    quarters = [Decimal(n) / 10000 for n in range(2490, 2521)]
    disagreeing = 0
    for days in range(2, 11):
        for first in range(len(quarters) - days):
            base = sum(quarters[first : first + days], Decimal(0)) / days
            for measured in quarters:
                shown_base, shown_measured, delivered = baseline.flexibility(base, measured)
                assert (shown_base, shown_measured) == (rounded(base), rounded(measured))
                assert delivered == shown_base - shown_measured
                disagreeing += rounded(base - measured) != delivered
    assert disagreeing > 100  # the values include many that rounding separately gets wrong
    assert baseline.flexibility(None, Decimal("1.00005")) == (None, Decimal("1.0000"), None)
    assert baseline.flexibility(Decimal("1.00015"), None) == (Decimal("1.0002"), None, None)


START = dt.datetime(2025, 1, 8, 9, tzinfo=dt.UTC)  # a Wednesday, 10:00 in Oslo
# Hourly readings spread over the plan's quarter-hour intervals: a quarter of each, to 4 places.
HISTORY = {1: "1.001", 2: "1.004"}  # days back (Tue, Mon): quarters 0.2503 and 0.2510
MEASURED = "0.997"  # the plan's hour: quarters 0.2493
# The baseline, the average of 2 similar days, is 0.25065: shown 0.2506 (half to even). Delivered
# from the unrounded values was 0.00135, shown 0.0014; the shown values give 0.2506 − 0.2493.
EXPECTED = (Decimal("0.2506"), Decimal("0.2493"), Decimal("0.0013"))


@pytest.mark.django_db
def test_the_api_shows_delivered_as_the_difference_of_the_shown_baseline_and_measured(owner, time_machine):
    time_machine.move_to(START + dt.timedelta(days=1), tick=True)  # the plan is past, whatever the day
    w = build(owner)
    BaselineConfig.objects.filter(asset=w.device.asset).update(
        method=BaselineMethod.AverageOfSimilarDays, days=2, high_count=None
    )
    plan = ControlPlanFactory(device=w.flex, zone=w.flex.zone, start_at=START, end_at=START + dt.timedelta(hours=1))
    ControlPlanInterval.objects.bulk_create(
        ControlPlanInterval(
            plan=plan,
            start_at=START + dt.timedelta(minutes=15 * k),
            end_at=START + dt.timedelta(minutes=15 * (k + 1)),
            is_on=False,
            power_limit_kw=Decimal(0),
            source=IntervalSource.Price,
        )
        for k in range(4)
    )
    rows = [(owner.meter.pk, START - dt.timedelta(days=back), 60, value, 0) for back, value in HISTORY.items()]
    load_intervals(rows=[*rows, (owner.meter.pk, START, 60, MEASURED, 0)])

    url = f"/api/customers/{owner.customer.pk}/devices/{w.device.pk}/controlplans?pageSize=100"
    response = owner.client().get(url)
    assert response.status_code == 200
    body = json.loads(response.content, parse_float=Decimal)
    intervals = {p["ControlPlanId"]: p["Intervals"] for p in body}[str(plan.pk)]
    assert [(i["Baseline"], i["Measured"], i["DeliveredFlexibility"]) for i in intervals] == [EXPECTED] * 4
    assert rounded(Decimal("0.25065") - Decimal("0.2493")) == Decimal("0.0014")  # what separate rounding showed
