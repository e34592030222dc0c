"""The pure rules: planner on known prices and grid requests, shedding with hysteresis, baselines."""

import datetime as dt
from decimal import Decimal

from apps.flex import baseline, shedding
from apps.flex.models import BaselineMethod, IntervalSource
from apps.flex.planner import PriceInterval, plan_intervals, window_hours

T0 = dt.datetime(2025, 1, 6, 0, tzinfo=dt.UTC)
PRICES = [Decimal(p) for p in ("0.9", "0.3", "0.5", "0.1", "0.8", "0.3")]


def _prices():
    return [PriceInterval(T0 + dt.timedelta(hours=h), T0 + dt.timedelta(hours=h + 1), p) for h, p in enumerate(PRICES)]


def test_the_cheapest_intervals_are_chosen_ties_to_the_earlier():
    plan = plan_intervals(prices=_prices(), power_kw=Decimal(2), need_kwh=Decimal(6))
    assert [p.is_on for p in plan] == [False, True, False, True, False, True]  # 0.1, then 0.3 at 1 and 5
    assert [p.power_limit_kw for p in plan if p.is_on] == [2, 2, 2]
    assert all(p.source == IntervalSource.Price for p in plan)


def test_a_grid_request_wins_over_price():
    reduced = frozenset({T0 + dt.timedelta(hours=3)})
    plan = plan_intervals(prices=_prices(), power_kw=Decimal(2), need_kwh=Decimal(4), reduced=reduced)
    assert plan[3].is_on is False and plan[3].source == IntervalSource.Grid
    assert [h for h, p in enumerate(plan) if p.is_on] == [1, 5]


def test_only_controllable_intervals_are_planned():
    controllable = frozenset({T0 + dt.timedelta(hours=h) for h in (0, 1, 2)})
    plan = plan_intervals(prices=_prices(), power_kw=Decimal(2), need_kwh=Decimal(2), controllable=controllable)
    assert [p.start.hour for p in plan] == [0, 1, 2] and [p.is_on for p in plan] == [False, True, False]


def test_window_hours_wrap_midnight():
    assert window_hours(22, 2) == {22, 23, 0, 1}
    assert window_hours(0, 24) == set(range(24))


def _order(*shed):
    return [shedding.OrderedDevice(n, n in shed, 2.0) for n in (1, 2, 3)]


def test_shedding_in_order_until_under_threshold():
    assert shedding.decide(power_kw=9.0, threshold_kw=6.0, hysteresis_kw=0.5, order=_order()) == ([1, 2], [])
    assert shedding.decide(power_kw=7.0, threshold_kw=6.0, hysteresis_kw=0.5, order=_order(1)) == ([2], [])


def test_restoring_in_reverse_order_with_hysteresis():
    assert shedding.decide(power_kw=5.8, threshold_kw=6.0, hysteresis_kw=0.5, order=_order(1, 2)) == ([], [])
    assert shedding.decide(power_kw=1.0, threshold_kw=6.0, hysteresis_kw=0.5, order=_order(1, 2)) == ([], [2, 1])
    assert shedding.decide(power_kw=3.0, threshold_kw=6.0, hysteresis_kw=0.5, order=_order(1, 2)) == ([], [2])


def test_baselines():
    day = dt.date(2025, 1, 10)  # a Friday
    history = {day - dt.timedelta(days=n): Decimal(n) for n in range(1, 15)}
    weekdays = [n for n in range(1, 15) if (day - dt.timedelta(days=n)).weekday() < 5]
    avg = baseline.baseline_value(
        method=BaselineMethod.AverageOfSimilarDays, days=3, high_count=None, day=day, history=history
    )
    assert avg == Decimal(sum(weekdays[:3])) / 3
    high = baseline.baseline_value(method=BaselineMethod.HighXOfY, days=5, high_count=2, day=day, history=history)
    assert high == Decimal(sum(sorted(weekdays[:5])[-2:])) / 2
    assert baseline.baseline_value(method=1, days=3, high_count=None, day=day, history={}) is None
    assert baseline.delivered(Decimal(3), Decimal(1)) == 2
