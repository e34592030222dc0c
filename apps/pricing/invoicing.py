"""The lines of an invoice from priced hours, as pure functions (costing.py prices the hours).

A grid company's invoice (Net): the grid tariff's energy part (day and night kWh, or one flat line),
the capacity step of each month and metering point (with its three peak hours), electricity tax,
Enova fee, VAT, and the subsidy credit or the Norgespris settlement. A supplier's invoice (Power): spot
energy, markup, the fixed monthly fee and VAT. Never the other seller's items.

Each line's amount is its exact sum rounded to øre; VAT is the rate times the sum of the rounded lines
charged at that rate, rounded to øre (one VAT line per rate above 0); the total is the sum of the lines.
The subsidy and Norgespris carry their VAT compensation and are outside VAT.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from . import rules
from .costing import MonthCharges, PricedHour

ZERO = Decimal(0)
CENT = Decimal("0.01")
KWH = Decimal("0.001")
UNIT_PRICE = Decimal("0.00001")


def round_nok(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Line:
    kind: str  # InvoiceLine.Kind value
    amount: Decimal
    quantity: Decimal | None = None
    unit: str = ""  # "kWh" or "month"
    unit_price: Decimal | None = None
    vat_rate: Decimal | None = None
    details: dict = field(default_factory=dict)


@dataclass
class PointPeriod:
    """One metering point's priced hours over the invoice period and its months' fixed charges."""

    metering_point_id: str
    hours: list[PricedHour]  # all its meters' hours
    charges: dict[dt.date, MonthCharges]
    calendar: str  # the grid tariff's calendar (rules.WORKING_DAYS, EVERY_DAY, FLAT)
    tz: object = None


def _kwh_line(kind: str, kwh: Decimal, amount: Decimal, vat_rate: Decimal | None, **details) -> Line | None:
    if round_nok(amount) == 0:
        return None  # nothing to bill (no markup on a fixed price, no tax in the action zone, ...)
    kwh = kwh.quantize(KWH)
    unit_price = (amount / kwh).quantize(UNIT_PRICE) if kwh else None
    return Line(kind, round_nok(amount), kwh, "kWh", unit_price, vat_rate, details)


def _rate_of(hours: list[PricedHour]) -> Decimal | None:
    rates_seen = {hour.vat_rate for hour in hours if hour.vat_rate is not None}
    return max(rates_seen) if rates_seen else None


def grid_lines(points: list[PointPeriod]) -> list[Line]:
    """The grid company's lines, before VAT."""
    hours = [hour for point in points for hour in point.hours]
    rate = _rate_of(hours)
    priced = [hour for hour in hours if hour.priced]
    flat = all(point.calendar == rules.FLAT for point in points)
    lines: list[Line | None] = []
    if flat:
        lines.append(
            _kwh_line(
                "GRID_FLAT", sum((h.kwh for h in priced), ZERO), sum((h.amounts["grid"] for h in priced), ZERO), rate
            )
        )
    else:
        day = [h for h in priced if h.grid_is_day]
        night = [h for h in priced if not h.grid_is_day]
        lines.append(
            _kwh_line("GRID_DAY", sum((h.kwh for h in day), ZERO), sum((h.amounts["grid"] for h in day), ZERO), rate)
        )
        lines.append(
            _kwh_line(
                "GRID_NIGHT", sum((h.kwh for h in night), ZERO), sum((h.amounts["grid"] for h in night), ZERO), rate
            )
        )
    for point in points:
        for month, charges in sorted(point.charges.items()):
            in_month = [h for h in point.hours if h.start.astimezone(point.tz).date().replace(day=1) == month]
            amount = sum((h.capacity for h in in_month), ZERO)
            if amount == 0:
                continue
            share = (Decimal(len({h.start for h in in_month})) / charges.hours).quantize(KWH)
            lines.append(
                Line(
                    "CAPACITY",
                    round_nok(amount),
                    share,
                    "month",
                    charges.capacity,
                    charges.vat_rate,
                    {
                        "metering_point_id": point.metering_point_id,
                        "month": month.isoformat(),
                        "from_kw": charges.step[0],
                        "to_kw": charges.step[1],
                        "average_kw": charges.average_peak_kw,
                        "peaks": [[peak.start.isoformat(), str(peak.kw)] for peak in charges.peaks],
                    },
                )
            )
    lines.append(_kwh_line("EL_TAX", sum((h.kwh for h in priced), ZERO), sum((h.el_tax for h in priced), ZERO), rate))
    enova_kwh = sum((h.kwh for h in priced if h.enova), ZERO)
    lines.append(_kwh_line("ENOVA", enova_kwh, sum((h.enova for h in priced), ZERO), rate))
    enova_fixed = sum((h.enova_fixed for h in hours), ZERO)
    if enova_fixed:
        months = _months_share(points)
        lines.append(Line("ENOVA", round_nok(enova_fixed), months, "month", round_nok(enova_fixed / months), rate))
    lines.append(
        _kwh_line(
            "SUBSIDY",
            sum((h.subsidy_kwh for h in priced), ZERO),
            sum((h.amounts["subsidy"] for h in priced), ZERO),
            None,
        )
    )
    lines.append(
        _kwh_line(
            "NORGESPRIS",
            sum((h.norgespris_kwh for h in priced), ZERO),
            sum((h.amounts["norgespris"] for h in priced), ZERO),
            None,
        )
    )
    return [line for line in lines if line is not None]


def _months_share(points: list[PointPeriod]) -> Decimal:
    """The months of the period (a whole month = 1), from the first point's hours."""
    point = points[0]
    total = ZERO
    for month, charges in point.charges.items():
        in_month = {h.start for h in point.hours if h.start.astimezone(point.tz).date().replace(day=1) == month}
        total += Decimal(len(in_month)) / charges.hours
    return total.quantize(KWH)


def supplier_lines(points: list[PointPeriod]) -> list[Line]:
    """The supplier's lines, before VAT."""
    hours = [hour for point in points for hour in point.hours]
    rate = _rate_of(hours)
    priced = [hour for hour in hours if hour.priced]
    kwh = sum((h.kwh for h in priced), ZERO)
    lines: list[Line | None] = [
        _kwh_line("ENERGY", kwh, sum((h.amounts["energy"] for h in priced), ZERO), rate)
        or Line("ENERGY", ZERO, ZERO, "kWh", None, rate),
        _kwh_line("MARKUP", kwh, sum((h.amounts["markup"] for h in priced), ZERO), rate),
    ]
    fee = sum((h.fee for h in hours), ZERO)
    if fee:
        months = _months_share(points)
        lines.append(Line("FEE", round_nok(fee), months, "month", round_nok(fee / months), rate))
    return [line for line in lines if line is not None]


def with_vat(lines: list[Line]) -> list[Line]:
    """`lines` and one VAT line per rate above 0: the rate × the sum of that rate's rounded lines."""
    bases: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.vat_rate is not None:
            bases[line.vat_rate] = bases.get(line.vat_rate, ZERO) + line.amount
    vat_lines = [
        Line("VAT", round_nok(rate * base), vat_rate=rate, details={"base": str(base)})
        for rate, base in sorted(bases.items())
        if rate
    ]
    return [*lines, *vat_lines]


def vat_summary(lines) -> list[tuple[Decimal, Decimal, Decimal]]:
    """[(rate, base, VAT)] per rate of the lines charged VAT (InvoiceLine rows or Line)."""
    bases: dict[Decimal, Decimal] = {}
    vat: dict[Decimal, Decimal] = {}
    for line in lines:
        if line.vat_rate is None:
            continue
        if line.kind == "VAT":
            vat[line.vat_rate] = vat.get(line.vat_rate, ZERO) + line.amount
        else:
            bases[line.vat_rate] = bases.get(line.vat_rate, ZERO) + line.amount
    return [(rate, bases[rate], vat.get(rate, ZERO)) for rate in sorted(bases)]
