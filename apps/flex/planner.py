"""The control-plan planner: a pure function (no database, no clock), tested on known prices.

Given a day's price intervals, the device's rated power and energy need, which intervals the
device may be controlled in, and which intervals the grid asked to reduce, it returns one planned
interval per controllable price interval:
- an interval the grid asked to reduce is off (source Grid), whatever its price;
- of the other controllable intervals, the cheapest are on until the energy need is met
  (ties go to the earlier interval), the rest are off (source Price);
- intervals the device may not be controlled in are not planned (it runs as it would).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .models import IntervalSource

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class PriceInterval:
    start: dt.datetime
    end: dt.datetime
    price: Decimal  # NOK/kWh


@dataclass(frozen=True, slots=True)
class PlannedInterval:
    start: dt.datetime
    end: dt.datetime
    is_on: bool
    power_limit_kw: Decimal
    source: int
    price: Decimal


def plan_intervals(
    *,
    prices: list[PriceInterval],
    power_kw: Decimal,
    need_kwh: Decimal,
    controllable: frozenset[dt.datetime] | None = None,
    reduced: frozenset[dt.datetime] = frozenset(),
) -> list[PlannedInterval]:
    """The plan for `prices` (in time order). `controllable`: the interval starts the device may be
    controlled in (None: all); `reduced`: starts the grid asked to reduce."""
    candidates = [p for p in prices if controllable is None or p.start in controllable]
    free = [p for p in candidates if p.start not in reduced]
    on: set[dt.datetime] = set()
    remaining = need_kwh
    if power_kw > 0:
        # sorted() is stable, so equal prices keep time order: the earlier interval wins a tie.
        for p in sorted(free, key=lambda p: p.price):
            if remaining <= 0:
                break
            on.add(p.start)
            remaining -= power_kw * Decimal((p.end - p.start).total_seconds()) / 3600
    return [
        PlannedInterval(
            start=p.start,
            end=p.end,
            is_on=p.start in on,
            power_limit_kw=power_kw if p.start in on else ZERO,
            source=IntervalSource.Grid if p.start in reduced else IntervalSource.Price,
            price=p.price,
        )
        for p in candidates
    ]


def window_hours(start_hour: int, end_hour: int) -> frozenset[int]:
    """Local hours of a window [start, end); start > end wraps midnight, start == end is empty (0-24 all)."""
    if start_hour < end_hour:
        return frozenset(range(start_hour, end_hour))
    if start_hour > end_hour:
        return frozenset(range(start_hour, 24)) | frozenset(range(0, end_hour))
    return frozenset()
