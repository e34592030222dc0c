from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol
from zoneinfo import ZoneInfo

from .. import conf
from ..areas import BiddingZone

UTC = dt.UTC


class PriceNotPublishedError(Exception):
    """The source has no prices for that day yet (before the auction result, or a future day)."""


class SourceError(Exception):
    """The source failed or sent something that cannot be used."""


@dataclass(frozen=True)
class IntervalPrice:
    start_at: dt.datetime  # UTC
    end_at: dt.datetime
    eur_per_mwh: Decimal
    nok_per_kwh: Decimal
    exchange_rate: Decimal  # NOK per EUR


@dataclass
class DayPrices:
    area: str  # EIC
    delivery_date: dt.date
    intervals: list[IntervalPrice]
    source: str
    preliminary: bool = False
    resolution_minutes: int = field(init=False)

    def __post_init__(self):
        if not self.intervals:
            raise SourceError(f"No prices for {self.area} {self.delivery_date}.")
        spans = {int((p.end_at - p.start_at).total_seconds() // 60) for p in self.intervals}
        if len(spans) != 1:
            raise SourceError(f"Mixed resolutions {sorted(spans)} for {self.area} {self.delivery_date}.")
        self.resolution_minutes = spans.pop()
        start, end = market_day_bounds(self.delivery_date)
        expected = int((end - start).total_seconds() // 60) // self.resolution_minutes
        starts = [p.start_at for p in self.intervals]
        if len(starts) != expected or starts[0] != start or starts != sorted(set(starts)):
            raise SourceError(
                f"Incomplete day {self.area} {self.delivery_date}: {len(starts)} of {expected} intervals."
            )


class PriceSource(Protocol):
    name: str

    def fetch_day(self, *, zone: BiddingZone, day: dt.date) -> DayPrices: ...


def market_day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of a market day: 23, 24 or 25 hours."""
    tz = ZoneInfo(conf.MARKET_TIME_ZONE)
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
    nxt = day + dt.timedelta(days=1)
    end = dt.datetime(nxt.year, nxt.month, nxt.day, tzinfo=tz).astimezone(UTC)
    return start, end


def market_date(moment: dt.datetime) -> dt.date:
    return moment.astimezone(ZoneInfo(conf.MARKET_TIME_ZONE)).date()


def expected_resolution_minutes(day: dt.date) -> int:
    return 15 if day >= conf.QUARTER_HOUR_FROM else 60


def nok_per_kwh(eur_per_mwh: Decimal, rate: Decimal) -> Decimal:
    return (eur_per_mwh * rate / 1000).quantize(Decimal("0.000001"))
