"""The Norwegian pricing rules as pure functions: who pays which tax, VAT, subsidy and Norgespris.

Nothing here reads the database; rates come from `rates.py` (each row with its source), places from
`municipalities.py`. Amounts are NOK per kWh ex VAT unless named otherwise. The selectors apply these
per hour and metering point.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

import holidays

from . import conf, municipalities, rates

ZERO = Decimal(0)

# Consumer kinds (the values of customers.DeliveryPoint.ConsumerKind).
HOUSEHOLD = "HOUSEHOLD"
HOLIDAY_HOME = "HOLIDAY_HOME"
BUSINESS = "BUSINESS"
PUBLIC_ADMINISTRATION = "PUBLIC_ADMINISTRATION"
KINDS = (HOUSEHOLD, HOLIDAY_HOME, BUSINESS, PUBLIC_ADMINISTRATION)


@dataclass(frozen=True)
class Consumer:
    """Who uses a metering point and where it is: what every rule below asks."""

    kind: str = HOUSEHOLD
    municipality_no: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"Unknown consumer kind {self.kind!r}.")

    @property
    def is_residential(self) -> bool:
        """A home or a holiday home (household use)."""
        return self.kind in (HOUSEHOLD, HOLIDAY_HOME)


def consumer_kind(*, point_kind: str, customer_type: str) -> str:
    """The point's own kind, else the customer's type: private → household, anything else → business."""
    if point_kind:
        return point_kind
    return HOUSEHOLD if customer_type == "PRIVATE" else BUSINESS


# --- VAT ------------------------------------------------------------------------------------------
def vat_rate(consumer: Consumer, day: dt.date) -> Decimal:
    """25 % (table 5.1), except household use (homes and holiday homes) in Nordland, Troms and Finnmark: 0
    (mval. § 6-6 with FMVA § 6-6-1; it covers grid rent too: table 5.2, 5.3, 5.6). Decided by the
    municipality, never by the bidding zone: southern Nordland lies in NO3. Businesses and public
    administration there pay 25 % (table 5.4)."""
    general = rates.rate_on(rates.VAT, day)
    if consumer.is_residential and municipalities.in_north_norway(consumer.municipality_no):
        return ZERO
    return general


# --- Electricity tax and Enova fee --------------------------------------------------------------------
def electricity_tax(consumer: Consumer, day: dt.date) -> Decimal:
    """The electricity tax per kWh of the day.

    In the action zone (table 1.12–1.14): none for households and public administration, the
    **reduced** rate for businesses (table 1.13). Elsewhere the general rate (table §1). Holiday homes
    count as households (table 1.18 leaves it open; the Enova and VAT rules treat them so: 2.1, 5.3).
    The reduced rate of industry outside the zone is not modelled: a point has no industry flag."""
    if municipalities.in_tiltakssone(consumer.municipality_no):
        if consumer.kind == BUSINESS:
            return rates.rate_on(rates.ELECTRICITY_TAX_REDUCED, day)
        return ZERO
    return rates.rate_on(rates.ELECTRICITY_TAX, day)


def enova_fee_per_kwh(consumer: Consumer, day: dt.date) -> Decimal:
    """1 øre/kWh for household use; others pay per metering point and year instead."""
    return rates.rate_on(rates.ENOVA_FEE_HOUSEHOLD, day) if consumer.is_residential else ZERO


def enova_fee_per_year(consumer: Consumer, day: dt.date) -> Decimal:
    """NOK per metering point and year for non-households (none for household use)."""
    return ZERO if consumer.is_residential else rates.rate_on(rates.ENOVA_FEE_OTHERS_PER_YEAR, day)


# --- Electricity subsidy ------------------------------------------------------------------------------
def subsidy_eligible(consumer: Consumer) -> bool:
    """Households only; a holiday home only when lived in permanently (then it is a HOUSEHOLD point)."""
    return consumer.kind == HOUSEHOLD


def subsidy_per_kwh(consumer: Consumer, spot_hour: Decimal, day: dt.date) -> Decimal:
    """The subsidy ex VAT for one kWh of an hour (≥ 0): the share of the hourly spot price above the
    year's threshold (table 3.1–3.5; the hourly price is the mean of its quarters, table 3.6)."""
    if not subsidy_eligible(consumer):
        return ZERO
    threshold = rates.rate_on(rates.SUBSIDY_THRESHOLD, day)
    return rates.rate_on(rates.SUBSIDY_SHARE, day) * max(ZERO, spot_hour - threshold)


# --- Norgespris ------------------------------------------------------------------------------------------
def norgespris_offered(day: dt.date) -> bool:
    return rates.NORGESPRIS.first_day <= day <= rates.NORGESPRIS_AGREEMENT_ENDS


def norgespris_price(day: dt.date) -> Decimal | None:
    """Norgespris ex VAT on `day`, None where it is not offered (before delivery day 2025-10-01)."""
    return rates.rate_on(rates.NORGESPRIS, day) if norgespris_offered(day) else None


def norgespris_cap_kwh(consumer: Consumer) -> Decimal | None:
    """kWh per month at Norgespris: 5,000 for a home, 1,000 for a holiday home; None: not eligible."""
    if consumer.kind == HOUSEHOLD:
        return rates.NORGESPRIS_MONTHLY_CAP_KWH["home"]
    if consumer.kind == HOLIDAY_HOME:
        return rates.NORGESPRIS_MONTHLY_CAP_KWH["holiday_home"]
    return None


def norgespris_settlement_per_kwh(spot_hour: Decimal, day: dt.date) -> Decimal:
    """What the grid company settles per kWh ex VAT: Norgespris − spot (negative when spot is above it).

    The supplier's price, markup and fees stay as they are; spot + settlement = Norgespris."""
    price = norgespris_price(day)
    return ZERO if price is None else price - spot_hour


# --- Monthly caps --------------------------------------------------------------------------------------
def capped_kwh(*, kwh: Decimal, used: Decimal, cap: Decimal) -> Decimal:
    """The part of an hour's `kwh` that still fits under the month's `cap` after `used` kWh."""
    return max(ZERO, min(kwh, cap - used))


# --- Grid tariff ---------------------------------------------------------------------------------------
@functools.lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[dt.date]:
    return frozenset(holidays.Norway(years=year))


def is_working_day(day: dt.date) -> bool:
    """Monday to Friday and not a Norwegian public holiday (the `holidays` package; Easter included)."""
    return day.weekday() < 5 and day not in _holidays(day.year)


# The grid company's calendar of its day rate (table 6.1: each company sets its own periods).
WORKING_DAYS = "WORKING_DAYS"  # Elvia, BKK: day rate on working days only (table 6.2, 6.3)
EVERY_DAY = "EVERY_DAY"  # Tensio, Glitre: day rate every day (table 6.4, 6.5)
FLAT = "FLAT"  # Lede: one rate (table 6.6)
CALENDARS = (WORKING_DAYS, EVERY_DAY, FLAT)


def grid_day_rate_applies(local: dt.datetime, *, calendar: str, starts_hour: int, ends_hour: int) -> bool:
    """Whether the hour starting at `local` takes the grid tariff's day rate: from `starts_hour` to
    `ends_hour` local time on working days (weekends and public holidays low) or on every day, and
    never on a flat tariff."""
    if calendar == FLAT:
        return False
    if calendar == WORKING_DAYS and not is_working_day(local.date()):
        return False
    if calendar not in CALENDARS:
        raise ValueError(f"Unknown grid calendar {calendar!r}.")
    return starts_hour <= local.hour < ends_hour


def capacity_step(steps, average_kw: float | None) -> tuple[float, float | None, Decimal]:
    """The (from kW, to kW, NOK per month ex VAT) step holding `average_kw`, unrounded.

    A value on a boundary belongs to the higher step ([from, to) intervals; table 7.2); unknown → the lowest."""
    for low, high, price in steps:
        if average_kw is None or high is None or average_kw < high:
            return low, high, Decimal(str(price))
    low, high, price = steps[-1]
    return low, high, Decimal(str(price))


def average_of_top_daily_peaks(daily_peaks: list[float], count: int = 3) -> float | None:
    """The mean of the `count` highest daily peaks (kWh/h = kW), None without any: the month's three
    highest hours on three different days (table 7.1)."""
    top = sorted(daily_peaks, reverse=True)[:count]
    return sum(top) / len(top) if top else None


def default_capacity_step_kw(daily_peaks: list[float]) -> float:
    """The default tariff's capacity step for a month's daily peaks: its upper kW bound (the lower one
    for the open top step). Metering's wattmeter shows it (registered with apps.metering.capacity)."""
    low, high, _price = capacity_step(conf.DEFAULT_CAPACITY_STEPS, average_of_top_daily_peaks(daily_peaks))
    return high if high is not None else low
