"""The planner on known prices: cheapest chosen, partial last interval, ties broken earliest."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.ev.planner import InfeasibleError, Price, capacity_kwh, plan

T0 = dt.datetime(2026, 1, 5, 0, 0, tzinfo=dt.UTC)


def hourly(*prices, minutes=60):
    step = dt.timedelta(minutes=minutes)
    return [Price(T0 + n * step, T0 + (n + 1) * step, Decimal(str(p))) for n, p in enumerate(prices)]


def at(hours=0, minutes=0):
    return T0 + dt.timedelta(hours=hours, minutes=minutes)


def test_the_cheapest_hours_are_chosen_and_listed_in_time_order():
    result = plan(prices=hourly(3, 1, 2, 5), start=at(0), end=at(4), demand_kwh=Decimal(20), power_kw=Decimal(10))
    assert [(s.start, s.end, s.energy_kwh) for s in result.slots] == [
        (at(1), at(2), Decimal("10.000")),
        (at(2), at(3), Decimal("10.000")),
    ]
    assert result.cost == Decimal("30.00")  # 10 × 1 + 10 × 2
    assert result.immediate_cost == Decimal("40.00")  # hours 0 and 1: 10 × 3 + 10 × 1


def test_the_last_interval_is_partial_from_its_start():
    result = plan(prices=hourly(1, 2, 3), start=at(0), end=at(3), demand_kwh=Decimal(15), power_kw=Decimal(10))
    assert [(s.start, s.end, s.energy_kwh) for s in result.slots] == [
        (at(0), at(1), Decimal("10.000")),
        (at(1), at(1, 30), Decimal("5.000")),
    ]
    assert result.cost == Decimal("20.00")


def test_ties_are_broken_by_the_earliest_interval():
    result = plan(prices=hourly(2, 1, 1, 1), start=at(0), end=at(4), demand_kwh=Decimal(10), power_kw=Decimal(10))
    assert [s.start for s in result.slots] == [at(1)]


def test_quarter_hours_and_a_window_that_cuts_intervals():
    prices = hourly(4, 1, 1, 4, minutes=15)
    # the window starts in the middle of the second quarter: only 7.5 minutes of it count
    result = plan(
        prices=prices,
        start=at(0, 22) + dt.timedelta(seconds=30),
        end=at(1),
        demand_kwh=Decimal("2"),
        power_kw=Decimal(8),
    )
    assert result.slots[0].start == at(0, 22) + dt.timedelta(seconds=30)
    assert sum(s.energy_kwh for s in result.slots) == Decimal("2.000")
    assert [s.nok_per_kwh for s in result.slots] == [Decimal(1), Decimal(1)]


def test_infeasible_demand_says_by_how_much():
    with pytest.raises(InfeasibleError) as error:
        plan(prices=hourly(1, 1), start=at(0), end=at(2), demand_kwh=Decimal(25), power_kw=Decimal(11))
    assert error.value.limit == "power"
    assert error.value.excess_kwh == Decimal("3.000")
    assert "3.000 kWh too much" in str(error.value)


def test_missing_prices_reduce_the_capacity():
    prices = [p for n, p in enumerate(hourly(1, 1, 1)) if n != 1]
    assert capacity_kwh(prices=prices, start=at(0), end=at(3), power_kw=Decimal(10)) == Decimal(20)


def test_zero_or_negative_demand_is_refused():
    with pytest.raises(InfeasibleError):
        plan(prices=hourly(1), start=at(0), end=at(1), demand_kwh=Decimal(0), power_kw=Decimal(10))


@given(
    st.lists(st.integers(min_value=-50, max_value=500), min_size=1, max_size=48),
    st.integers(min_value=1, max_value=100),
)
def test_never_dearer_than_charging_at_once_and_delivers_the_demand(cents, demand_tenths):
    prices = hourly(*[Decimal(c) / 100 for c in cents])
    power = Decimal(11)
    demand = min(Decimal(demand_tenths) / 10, power * len(cents))
    result = plan(prices=prices, start=at(0), end=at(len(cents)), demand_kwh=demand, power_kw=power)
    assert result.cost <= result.immediate_cost
    assert abs(result.energy_kwh - demand) <= Decimal("0.001") * len(result.slots)
    assert all(s.start < s.end for s in result.slots)
