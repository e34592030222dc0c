"""The charging planner: the cheapest intervals of a window that deliver a demand at a given power.

Pure: prices in, schedule out, no database. Prices are (start, end, NOK per kWh) intervals, 15
minutes or an hour long as the market publishes them. An interval cut by the window counts only
for its part inside. The cheapest intervals are taken first (ties: the earliest first); the last
one taken is charged only as long as the remaining demand needs, from its start. The cost of
charging at once (from the window's start, at full power) is given for comparison.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

KWH = Decimal("0.001")
ORE = Decimal("0.01")


@dataclass(frozen=True)
class Price:
    start: dt.datetime
    end: dt.datetime
    nok_per_kwh: Decimal


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    energy_kwh: Decimal
    nok_per_kwh: Decimal

    @property
    def cost(self) -> Decimal:
        return self.energy_kwh * self.nok_per_kwh


@dataclass(frozen=True)
class Plan:
    slots: list[Slot]
    cost: Decimal  # NOK, rounded to øre
    immediate_cost: Decimal  # NOK, charging from the window's start

    @property
    def energy_kwh(self) -> Decimal:
        return sum((slot.energy_kwh for slot in self.slots), Decimal(0))


class InfeasibleError(ValueError):
    """The demand cannot be delivered: `limit` names the limit, `excess_kwh` by how much it is broken."""

    def __init__(self, message: str, *, limit: str, excess_kwh: Decimal):
        super().__init__(message)
        self.limit = limit
        self.excess_kwh = excess_kwh


def _hours(start: dt.datetime, end: dt.datetime) -> Decimal:
    return Decimal((end - start).total_seconds()) / Decimal(3600)


def _clipped(prices: list[Price], start: dt.datetime, end: dt.datetime) -> list[Price]:
    out = []
    for price in prices:
        lo, hi = max(price.start, start), min(price.end, end)
        if lo < hi:
            out.append(Price(lo, hi, price.nok_per_kwh))
    return sorted(out, key=lambda p: p.start)


def capacity_kwh(*, prices: list[Price], start: dt.datetime, end: dt.datetime, power_kw: Decimal) -> Decimal:
    """What the charger can deliver in the priced part of the window."""
    return sum((_hours(p.start, p.end) * power_kw for p in _clipped(prices, start, end)), Decimal(0))


def _fill(intervals: list[Price], demand: Decimal, power_kw: Decimal) -> list[Slot]:
    slots, remaining = [], demand
    for price in intervals:
        if remaining <= 0:
            break
        full = _hours(price.start, price.end) * power_kw
        if full <= remaining:
            slots.append(Slot(price.start, price.end, full.quantize(KWH), price.nok_per_kwh))
            remaining -= full
        else:
            seconds = round(float(remaining / power_kw * 3600))
            slots.append(
                Slot(
                    price.start, price.start + dt.timedelta(seconds=seconds), remaining.quantize(KWH), price.nok_per_kwh
                )
            )
            remaining = Decimal(0)
    return sorted(slots, key=lambda s: s.start)


def _total(slots: list[Slot]) -> Decimal:
    return sum((slot.cost for slot in slots), Decimal(0)).quantize(ORE, rounding=ROUND_HALF_UP)


def plan(*, prices: list[Price], start: dt.datetime, end: dt.datetime, demand_kwh: Decimal, power_kw: Decimal) -> Plan:
    """The cheapest schedule for `demand_kwh` in [start, end) at `power_kw`, or InfeasibleError."""
    if demand_kwh <= 0:
        raise InfeasibleError("The charging demand must be positive.", limit="demand", excess_kwh=-demand_kwh)
    if power_kw <= 0:
        raise InfeasibleError("The charger has no charging power.", limit="power", excess_kwh=demand_kwh)
    intervals = _clipped(prices, start, end)
    capacity = sum((_hours(p.start, p.end) * power_kw for p in intervals), Decimal(0))
    if demand_kwh > capacity:
        excess = (demand_kwh - capacity).quantize(KWH)
        raise InfeasibleError(
            f"{demand_kwh} kWh cannot be charged in the window: at {power_kw} kW it holds at most "
            f"{capacity.quantize(KWH)} kWh ({excess} kWh too much).",
            limit="power",
            excess_kwh=excess,
        )
    cheapest = sorted(intervals, key=lambda p: (p.nok_per_kwh, p.start))
    slots = _fill(cheapest, demand_kwh, power_kw)
    immediate = _fill(intervals, demand_kwh, power_kw)
    return Plan(slots=slots, cost=_total(slots), immediate_cost=_total(immediate))
