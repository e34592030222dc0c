"""Costing as pure functions: what each kWh of a metering point costs, hour by hour, and what a month adds.

Nothing here reads the database or the cache: the selectors fetch the plan, the point, its meters'
consumption and the stored spot prices, and hand them over as values (`PointInput`). The rules are
rules.py (who pays what) with rates.py and tariffs.py (the dated figures); the cited rows are those of
docs/research/norwegian-pricing-rules.md.

Two contracts, two sellers (table 3.10, 4.9, 4.10):
- a supplier's contract (Power) pays the energy (spot, or a fixed price) and the supplier's markup and
  monthly fee;
- a grid company's contract (Net) pays the grid tariff's energy part (day/night by the tariff's
  calendar) and capacity step, the electricity tax and Enova fee, and receives the subsidy or settles
  Norgespris (the grid company settles both, table 3.10 and 4.9).
A customer with both contracts is billed once for each item.

The 5,000 kWh monthly caps count the metering point's kWh, all its meters together (table 3.7, 4.5);
a meter's share of an hour's capped kWh is its share of the hour's kWh. Fixed charges of a point
(capacity, monthly fee, a business's yearly Enova fee) go to its first meter.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from . import rates, rules
from .rates import RateUnknownError

ZERO = Decimal(0)
UTC = dt.UTC
UNIT_PARTS = ("energy", "markup", "grid", "taxes", "subsidy", "norgespris", "vat")
# The parts VAT is charged on; the subsidy and the Norgespris settlement carry their VAT in themselves.
TAXABLE_PARTS = ("energy", "markup", "grid", "taxes")
FIXED = 2  # PricePlan.ProductType.Fixed


# --- Spot prices ------------------------------------------------------------------------------------
def hourly_spot(rows: list[tuple]) -> dict[int, Decimal]:
    """NOK/kWh per UTC hour (start epoch): the mean of the hour's intervals (quarter hours since
    2025-10-01): the price of an hourly-settled point and of the subsidy and Norgespris (table 3.6, 8.2)."""
    sums: dict[int, list[float]] = {}
    for row in rows:
        hour = row[0] - row[0] % 3600
        sums.setdefault(hour, []).append(row[2])
    return {hour: Decimal(str(round(sum(v) / len(v), 6))) for hour, v in sums.items()}


def quarter_spot(rows: list[tuple]) -> dict[int, Decimal]:
    """NOK/kWh per UTC quarter hour (start epoch); an hourly price covers its four quarters."""
    out = {}
    for row in rows:
        price = Decimal(str(row[2]))
        for k in range(max(1, row[6] // 15)):
            out[row[0] + 900 * k] = price
    return out


# --- The price of one kWh ------------------------------------------------------------------------
@dataclass(frozen=True)
class UnitPrice:
    """The parts of one kWh's price in an hour (NOK); `grid_is_day` says which grid rate applied."""

    parts: dict[str, Decimal]
    vat_rate: Decimal
    grid_is_day: bool = False
    el_tax: Decimal = ZERO
    enova: Decimal = ZERO


def unit_price(*, plan, is_net: bool, consumer: rules.Consumer, spot: Decimal | None, local: dt.datetime):
    """The price of one kWh in the hour starting at `local`, or None when unknown (a spot price the
    product or a rule needs is missing, or the day has no published rates or tariff)."""
    day = local.date()
    norgespris = is_net and plan.norgespris_applies(day) and rules.norgespris_cap_kwh(consumer) is not None
    needs_spot = (not is_net and plan.product_type != FIXED) or (
        is_net and (norgespris or rules.subsidy_eligible(consumer))
    )
    if needs_spot and spot is None:
        return None
    try:
        rate = rules.vat_rate(consumer, day)
        parts = dict.fromkeys(UNIT_PARTS, ZERO)
        is_day, el_tax, enova = False, ZERO, ZERO
        if is_net:
            is_day, parts["grid"] = plan.grid_tariff_on(day).rate_at(local)
            el_tax, enova = rules.electricity_tax(consumer, day), rules.enova_fee_per_kwh(consumer, day)
            parts["taxes"] = el_tax + enova
            if norgespris:  # Norgespris replaces the subsidy (table 3.12)
                parts["norgespris"] = rules.norgespris_settlement_per_kwh(spot, day) * (1 + rate)
            elif spot is not None:
                parts["subsidy"] = -rules.subsidy_per_kwh(consumer, spot, day) * (1 + rate)
        else:
            parts["energy"] = plan.energy_price(spot)
            parts["markup"] = plan.markup
    except RateUnknownError:
        return None
    parts["vat"] = rate * sum(parts[name] for name in TAXABLE_PARTS)
    return UnitPrice(parts, rate, is_day, el_tax, enova)


def unit_prices(*, plan, is_net: bool, consumer: rules.Consumer, spot: Decimal | None, local: dt.datetime):
    """`unit_price(...)`'s parts as a dict (the sum of the parts is what one kWh costs), or None."""
    price = unit_price(plan=plan, is_net=is_net, consumer=consumer, spot=spot, local=local)
    return None if price is None else price.parts


# --- Calendar helpers ------------------------------------------------------------------------------
def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def hours_between(first: dt.date, end: dt.date, tz: ZoneInfo) -> int:
    return int((local_midnight(end, tz) - local_midnight(first, tz)).total_seconds() // 3600)


def month_starts(from_time: dt.datetime, to_time: dt.datetime, tz: ZoneInfo) -> list[dt.date]:
    first = from_time.astimezone(tz).date().replace(day=1)
    last = (to_time - dt.timedelta(microseconds=1)).astimezone(tz).date().replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = add_months(first, 1)
    return months


# --- A month's fixed charges ------------------------------------------------------------------------
@dataclass(frozen=True)
class Peak:
    start: dt.datetime  # UTC start of the day's highest hour
    kw: Decimal


@dataclass(frozen=True)
class MonthCharges:
    """A point's charges per month whatever it uses (NOK ex VAT), and what decided the capacity step."""

    month: dt.date
    hours: int  # hours of the local month: the charges are spread evenly over them
    vat_rate: Decimal | None
    capacity: Decimal = ZERO
    step: tuple = (0, None)  # (from kW, to kW or None)
    average_peak_kw: float | None = None
    peaks: tuple[Peak, ...] = ()
    enova_fixed: Decimal = ZERO
    fee: Decimal = ZERO


def top_daily_peaks(hourly_kwh: dict[dt.datetime, float], tz: ZoneInfo, count: int = 3) -> list[Peak]:
    """Each local day's highest hour, the `count` highest of them (table 7.1: three different days)."""
    best: dict[dt.date, tuple[float, dt.datetime]] = {}
    for moment, kwh in sorted(hourly_kwh.items()):
        day = moment.astimezone(tz).date()
        if day not in best or kwh > best[day][0]:
            best[day] = (kwh, moment)
    top = sorted(best.values(), key=lambda item: (-item[0], item[1]))[:count]
    return [Peak(moment, Decimal(str(round(kwh, 3)))) for kwh, moment in top]


def month_charges(
    *, plan, is_net: bool, consumer: rules.Consumer, month: dt.date, tz: ZoneInfo, hourly_kwh: dict
) -> MonthCharges:
    """The month's capacity step from the point's hourly kWh of the whole month (Net), the
    non-household Enova fee (Net: 800 NOK a year, a twelfth a month; table 2.2) and the supplier's
    monthly fee (Power). Unknown rates: no charge and `vat_rate` None."""
    hours = hours_between(month, add_months(month, 1), tz)
    try:
        rate = rules.vat_rate(consumer, month)
    except RateUnknownError:
        return MonthCharges(month, hours, None)
    if not is_net:
        return MonthCharges(month, hours, rate, fee=plan.monthly_fee_nok)
    peaks = top_daily_peaks(hourly_kwh, tz)
    # The mean is compared unrounded: a value on a boundary is in the higher step (table 7.2).
    average = rules.average_of_top_daily_peaks(_daily_maxima(hourly_kwh, tz))
    try:
        tariff = plan.grid_tariff_on(month)
        low, high, price = rules.capacity_step(tariff.capacity_steps, average)
        enova_fixed = rules.enova_fee_per_year(consumer, month) / 12
    except RateUnknownError:
        return MonthCharges(month, hours, None)
    return MonthCharges(
        month,
        hours,
        rate,
        capacity=price,
        step=(low, high),
        average_peak_kw=None if average is None else round(average, 3),
        peaks=tuple(peaks),
        enova_fixed=enova_fixed,
    )


def _daily_maxima(hourly_kwh: dict, tz: ZoneInfo) -> list[float]:
    best: dict[dt.date, float] = {}
    for moment, kwh in hourly_kwh.items():
        day = moment.astimezone(tz).date()
        best[day] = max(best.get(day, 0.0), kwh)
    return list(best.values())


# --- Pricing a point's hours ------------------------------------------------------------------------
@dataclass
class HourUse:
    """One meter's hour: kWh (None: no value) and, for quarter-settled points, its quarters."""

    start: dt.datetime  # UTC
    kwh: Decimal | None
    quarters: list[tuple[int, Decimal]] | None = None


@dataclass
class PointInput:
    """Everything the costing of one metering point over a window needs, fetched by the selectors."""

    plan: object  # PricePlan (its methods read no database)
    is_net: bool
    consumer: rules.Consumer
    tz: ZoneInfo
    quarter_settled: bool
    meters: dict[int, list[HourUse]]  # meter pk → its hours in the window, in time order
    month_charges: dict[dt.date, MonthCharges]
    spot_by_hour: dict[int, Decimal]
    spot_by_quarter: dict[int, Decimal]
    opening_kwh: Decimal = ZERO  # the point's kWh of the window's first local month before the window


@dataclass
class PricedHour:
    """The amounts of one meter's hour (NOK), ex VAT except subsidy and norgespris (VAT included)."""

    start: dt.datetime
    priced: bool
    vat_rate: Decimal | None
    kwh: Decimal = ZERO
    amounts: dict[str, Decimal] = field(default_factory=lambda: dict.fromkeys(UNIT_PARTS, ZERO))
    grid_is_day: bool = False
    el_tax: Decimal = ZERO
    enova: Decimal = ZERO
    subsidy_kwh: Decimal = ZERO
    norgespris_kwh: Decimal = ZERO
    # The point's fixed charges spread on this hour (first meter only): capacity, Enova, monthly fee.
    capacity: Decimal = ZERO
    enova_fixed: Decimal = ZERO
    fee: Decimal = ZERO


def price_point(data: PointInput) -> dict[int, list[PricedHour]]:
    """Every meter's hours priced; the monthly caps run over the point's kWh of the month."""
    plan, consumer, tz = data.plan, data.consumer, data.tz
    first_meter = min(data.meters) if data.meters else None
    by_hour: dict[dt.datetime, list[tuple[int, HourUse]]] = {}
    for meter_pk, hours in data.meters.items():
        for use in hours:
            by_hour.setdefault(use.start, []).append((meter_pk, use))
    norgespris_cap = rules.norgespris_cap_kwh(consumer)
    used, month_of_used = data.opening_kwh, None
    out: dict[int, list[PricedHour]] = {meter_pk: [] for meter_pk in data.meters}
    for start in sorted(by_hour):
        local = start.astimezone(tz)
        month = local.date().replace(day=1)
        if month_of_used is None:
            month_of_used = month
        elif month != month_of_used:
            month_of_used, used = month, ZERO
        spot = data.spot_by_hour.get(int(start.timestamp()))
        price = unit_price(plan=plan, is_net=data.is_net, consumer=consumer, spot=spot, local=local)
        uses = by_hour[start]
        point_kwh = sum((use.kwh for _pk, use in uses if use.kwh is not None), ZERO)
        capped_subsidy = capped_norgespris = ZERO
        if price is not None and point_kwh:
            if price.parts["subsidy"]:
                capped_subsidy = rules.capped_kwh(kwh=point_kwh, used=used, cap=rates.SUBSIDY_MONTHLY_CAP_KWH)
            if price.parts["norgespris"] and norgespris_cap is not None:
                capped_norgespris = rules.capped_kwh(kwh=point_kwh, used=used, cap=norgespris_cap)
        if price is not None:
            used += point_kwh
        charges = data.month_charges.get(month)
        for meter_pk, use in uses:
            hour = PricedHour(start, priced=False, vat_rate=None if charges is None else charges.vat_rate)
            if meter_pk == first_meter and charges is not None and charges.vat_rate is not None:
                hour.capacity = charges.capacity / charges.hours
                hour.enova_fixed = charges.enova_fixed / charges.hours
                hour.fee = charges.fee / charges.hours
            if use.kwh is not None and price is not None:
                share = use.kwh / point_kwh if point_kwh else ZERO
                _price_use(hour, use, price, data, spot, capped_subsidy * share, capped_norgespris * share)
            out[meter_pk].append(hour)
    return out


def _price_use(hour: PricedHour, use: HourUse, price: UnitPrice, data: PointInput, spot, subsidy_kwh, np_kwh):
    kwh, parts = use.kwh, price.parts
    hour.priced, hour.kwh, hour.vat_rate = True, kwh, price.vat_rate
    hour.grid_is_day, hour.el_tax, hour.enova = price.grid_is_day, price.el_tax * kwh, price.enova * kwh
    if data.quarter_settled and use.quarters and parts["energy"] and data.plan.product_type != FIXED:
        # A quarter-settled point pays each quarter's price (table 8.2).
        energy = sum((q_kwh * data.spot_by_quarter.get(epoch, spot) for epoch, q_kwh in use.quarters), ZERO)
    else:
        energy = parts["energy"] * kwh
    amounts = hour.amounts
    amounts["energy"] = energy
    for name in ("markup", "grid", "taxes"):
        amounts[name] = parts[name] * kwh
    amounts["subsidy"] = parts["subsidy"] * subsidy_kwh
    amounts["norgespris"] = parts["norgespris"] * np_kwh
    hour.subsidy_kwh, hour.norgespris_kwh = subsidy_kwh if parts["subsidy"] else ZERO, np_kwh
    amounts["vat"] = price.vat_rate * sum(amounts[name] for name in TAXABLE_PARTS)


def wire_amounts(hour: PricedHour) -> dict[str, Decimal]:
    """The hour's parts as the cost reads show them: the fixed charges folded into grid (capacity),
    taxes (Enova per metering point) and markup (the supplier's monthly fee), with their VAT."""
    amounts = dict(hour.amounts)
    if hour.vat_rate is not None:
        amounts["grid"] += hour.capacity
        amounts["taxes"] += hour.enova_fixed
        amounts["markup"] += hour.fee
        amounts["vat"] += hour.vat_rate * (hour.capacity + hour.enova_fixed + hour.fee)
    return amounts
