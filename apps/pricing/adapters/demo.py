"""Deterministic made-up prices for any day and zone: for seed_demo, development and tests.

Same (zone, day) → same prices. Days after tomorrow (market time) have no auction yet: they are
generated as a forecast and marked preliminary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
from decimal import Decimal

from ..areas import BiddingZone
from .base import DayPrices, IntervalPrice, expected_resolution_minutes, market_date, market_day_bounds, nok_per_kwh

NAME = "demo"
# Typical level (EUR/MWh) of each zone; zones not listed use the default.
LEVELS = {"NO1": 62, "NO2": 68, "NO3": 32, "NO4": 18, "NO5": 58, "SE3": 48, "SE4": 70, "DK1": 80, "DE-LU": 90}
DEFAULT_LEVEL = 70


def _noise(*parts) -> float:
    """A deterministic number in [-1, 1) from the parts."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**63 - 1


def demo_exchange_rate(day: dt.date) -> Decimal:
    return Decimal(str(round(11.6 + 0.25 * math.sin(day.toordinal() / 45) + 0.05 * _noise("exr", day), 4)))


def demo_price(zone: BiddingZone, moment: dt.datetime, day: dt.date) -> Decimal:
    local_hour = (moment.hour + 1) % 24 + moment.minute / 60  # CET-ish wall clock
    season = 1 + 0.45 * math.cos(2 * math.pi * (day.timetuple().tm_yday - 15) / 365)
    shape = 1 + 0.35 * math.exp(-((local_hour - 8) ** 2) / 4) + 0.45 * math.exp(-((local_hour - 18) ** 2) / 5)
    shape -= 0.25 * math.exp(-((local_hour - 3) ** 2) / 6)
    daily = 1 + 0.3 * _noise(zone.eic, day)
    jitter = 1 + 0.04 * _noise(zone.eic, moment.isoformat())
    price = LEVELS.get(zone.code, DEFAULT_LEVEL) * season * shape * daily * jitter
    return Decimal(str(round(price, 2)))


class DemoSource:
    name = NAME

    def fetch_day(self, *, zone: BiddingZone, day: dt.date, today: dt.date | None = None) -> DayPrices:
        today = today or market_date(dt.datetime.now(dt.UTC))
        start, end = market_day_bounds(day)
        step = dt.timedelta(minutes=expected_resolution_minutes(day))
        rate = demo_exchange_rate(day)
        intervals = []
        moment = start
        while moment < end:
            eur = demo_price(zone, moment, day)
            intervals.append(IntervalPrice(moment, moment + step, eur, nok_per_kwh(eur, rate), rate))
            moment += step
        return DayPrices(zone.eic, day, intervals, NAME, preliminary=day > today + dt.timedelta(days=1))
