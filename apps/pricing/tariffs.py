"""Grid tariffs as published: a named company's energy rates, calendar and capacity steps, dated.

A contract's price plan either names its own grid rates or leaves them empty; an empty field takes
the default tariff's row of the day (`DEFAULT_GRID_TARIFF`, Elvia's household tariff). Rows come
from docs/research/norwegian-pricing-rules.md (§6 energy part, §7 capacity); a day outside the rows
is a `RateUnknownError`, as in rates.py: the hour is not priced rather than priced with a guess.
Amounts are NOK ex VAT and ex electricity tax and Enova fee.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from . import rules
from .rates import RateUnknownError

Step = tuple[float, float | None, Decimal]  # (from kW, to kW or None, NOK per month ex VAT)


@dataclass(frozen=True)
class GridTariff:
    """The grid rates in force on a day: energy part day/night, its calendar and the capacity steps."""

    name: str
    day_nok_per_kwh: Decimal
    night_nok_per_kwh: Decimal
    calendar: str
    capacity_steps: tuple[Step, ...]
    day_starts_hour: int = 6
    day_ends_hour: int = 22
    source: str = ""

    def rate_at(self, local: dt.datetime) -> tuple[bool, Decimal]:
        """(day rate?, NOK/kWh) of the hour starting at `local`."""
        is_day = rules.grid_day_rate_applies(
            local, calendar=self.calendar, starts_hour=self.day_starts_hour, ends_hour=self.day_ends_hour
        )
        return is_day, self.day_nok_per_kwh if is_day else self.night_nok_per_kwh


@dataclass(frozen=True)
class DatedTariff:
    valid_from: dt.date
    valid_to: dt.date  # inclusive
    tariff: GridTariff


def _steps(prices: tuple[int, ...]) -> tuple[Step, ...]:
    """The ten steps every company of table §7 uses (0–2, 2–5, … ≥100 kW) with their monthly prices."""
    bounds = (0, 2, 5, 10, 15, 20, 25, 50, 75, 100, None)
    return tuple((bounds[i], bounds[i + 1], Decimal(price)) for i, price in enumerate(prices))


ELVIA = "Elvia, households"
# Elvia's working-day calendar: day 06–22 Monday–Friday, nights, weekends and holidays low (table 6.2).
DEFAULT_GRID_TARIFF: tuple[DatedTariff, ...] = (
    DatedTariff(
        dt.date(2025, 1, 1),
        dt.date(2025, 3, 31),
        GridTariff(
            ELVIA,
            Decimal("0.2321"),
            Decimal("0.1521"),
            rules.WORKING_DAYS,
            _steps((108, 172, 280, 388, 496, 604, 1140, 1680, 2220, 4484)),
            source="Table 6.8 and 7.5 (S37; one secondary source)",
        ),
    ),
    DatedTariff(
        dt.date(2025, 4, 1),
        dt.date(2026, 6, 30),
        GridTariff(
            ELVIA,
            Decimal("0.2099"),
            Decimal("0.1299"),
            rules.WORKING_DAYS,
            _steps((100, 152, 240, 328, 416, 504, 940, 1376, 1816, 3656)),
            source="Table 6.7 and 7.4 (S37, S10b: Elvia tariff sheet 2026-01-01; two secondary sources)",
        ),
    ),
    DatedTariff(
        dt.date(2026, 7, 1),
        dt.date(2026, 12, 31),
        GridTariff(
            ELVIA,
            Decimal("0.2899"),
            Decimal("0.1699"),
            rules.WORKING_DAYS,
            _steps((120, 200, 336, 468, 604, 740, 1408, 2080, 2752, 5440)),
            source="Table 6.9 and 7.6 (S37; one secondary source)",
        ),
    ),
)


def default_tariff_on(day: dt.date) -> GridTariff:
    for row in DEFAULT_GRID_TARIFF:
        if row.valid_from <= day <= row.valid_to:
            return row.tariff
    first, last = DEFAULT_GRID_TARIFF[0].valid_from, DEFAULT_GRID_TARIFF[-1].valid_to
    raise RateUnknownError(
        f"No published default grid tariff for {day.isoformat()} (known {first} to {last}); set the contract's "
        "grid rates in its price plan or add the tariff's row to apps/pricing/tariffs.py."
    )


def tariff_on(
    day: dt.date,
    *,
    day_rate: Decimal | None = None,
    night_rate: Decimal | None = None,
    calendar: str = "",
    capacity_steps=None,
    day_starts_hour: int = 6,
    day_ends_hour: int = 22,
) -> GridTariff:
    """The grid tariff of a plan on `day`: the plan's own values where it has them, the default tariff's
    row of the day for the rest. A plan naming all its rates does not need the default's row."""
    own = day_rate is not None and night_rate is not None and calendar and capacity_steps
    base = None if own else default_tariff_on(day)
    steps = (
        tuple((low, high, Decimal(str(price))) for low, high, price in capacity_steps)
        if capacity_steps
        else base.capacity_steps
    )
    return GridTariff(
        name="Contract's own" if own else base.name,
        day_nok_per_kwh=day_rate if day_rate is not None else base.day_nok_per_kwh,
        night_nok_per_kwh=night_rate if night_rate is not None else base.night_nok_per_kwh,
        calendar=calendar or base.calendar,
        capacity_steps=steps,
        day_starts_hour=day_starts_hour,
        day_ends_hour=day_ends_hour,
        source="" if own else base.source,
    )
