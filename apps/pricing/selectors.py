"""Reads of the pricing app: spot price series and the price per hour of a contract."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.customers.models import Contract, Meter

from . import conf, consumption, services
from .adapters.base import market_date
from .areas import BiddingZone
from .areas import zone as find_zone
from .models import PricePlan

UTC = dt.UTC
DEFAULT_TIME_ZONE = "Europe/Oslo"
DEFAULT_PRICE_AREA = "NO1"


def market_days(from_time: dt.datetime, to_time: dt.datetime) -> list[dt.date]:
    first, last = market_date(from_time), market_date(to_time - dt.timedelta(microseconds=1))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def spot_rows(
    *, zone: BiddingZone, from_time: dt.datetime, to_time: dt.datetime, include_preliminary: bool, use_cache: bool
) -> list[tuple]:
    """The spot price rows of `zone` whose interval starts in [from_time, to_time), in time order.

    A row is (start epoch, ValueTime text, NOK/kWh, EUR/MWh, NOK per EUR, preliminary, minutes).
    Missing days are fetched on demand (services.rows_for_days).
    """
    lo, hi = from_time.timestamp(), to_time.timestamp()
    by_day = services.rows_for_days(zone=zone, days=market_days(from_time, to_time), use_cache=use_cache)
    out = []
    for day in sorted(by_day):
        for row in by_day[day]:
            if lo <= row[0] < hi and (include_preliminary or not row[5]):
                out.append(row)
    return out


# --- Contract prices ---------------------------------------------------------------------------


def price_plan_of(contract: Contract) -> PricePlan:
    """The contract's price plan, or the default plan (unsaved) when it has none."""
    try:
        return contract.price_plan
    except PricePlan.DoesNotExist:
        return PricePlan(contract=contract)


def price_area_of(*, contract: Contract, meter: Meter | None = None) -> str:
    if meter is not None:
        return meter.delivery_point.price_area
    point = contract.delivery_points.order_by("id").first()
    return point.price_area if point is not None else DEFAULT_PRICE_AREA


def vat_rate(price_area: str) -> Decimal:
    return Decimal(0) if price_area in conf.VAT_EXEMPT_AREAS else conf.VAT_RATE


def _d(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def hourly_spot(rows: list[tuple]) -> dict[int, Decimal]:
    """NOK/kWh per UTC hour (start epoch): the mean of the hour's intervals (quarter hours since 2025-10-01)."""
    sums: dict[int, list[float]] = {}
    for row in rows:
        hour = row[0] - row[0] % 3600
        sums.setdefault(hour, []).append(row[2])
    return {hour: Decimal(str(round(sum(v) / len(v), 6))) for hour, v in sums.items()}


def unit_prices(
    *, plan: PricePlan, is_net: bool, price_area: str, spot: Decimal | None, local: dt.datetime
) -> dict[str, Decimal] | None:
    """The parts of the price of one kWh (NOK, ex VAT; `vat` is the VAT on their sum), or None if unknown."""
    energy = plan.energy_price(spot)
    if energy is None:
        return None
    parts = {
        "energy": energy,
        "markup": plan.markup,
        "grid": Decimal(0),
        "taxes": Decimal(0),
        "subsidy": Decimal(0),
    }
    if is_net:
        day_rate = plan.grid_day_starts_hour <= local.hour < plan.grid_day_ends_hour
        parts["grid"] = plan.grid_day_nok_per_kwh if day_rate else plan.grid_night_nok_per_kwh
        parts["taxes"] = conf.dated_value(conf.ELECTRICITY_TAX_NOK_PER_KWH, local.date()) + conf.ENOVA_FEE_NOK_PER_KWH
        if spot is not None and plan.product_type != PricePlan.ProductType.Norgespris:
            threshold = conf.dated_value(conf.SUBSIDY_THRESHOLD_NOK_PER_KWH, local.date())
            parts["subsidy"] = -conf.SUBSIDY_SHARE * max(Decimal(0), spot - threshold)
    parts["vat"] = vat_rate(price_area) * sum(parts.values())
    return parts


def capacity_step(plan: PricePlan, average_kw: float | None) -> tuple[float, float | None, Decimal]:
    """The (from kW, to kW, NOK per month ex VAT) step that holds `average_kw` (the lowest when unknown)."""
    steps = plan.capacity_steps or conf.DEFAULT_CAPACITY_STEPS
    for low, high, price in steps:
        if average_kw is None or high is None or average_kw < high:
            return low, high, Decimal(str(price))
    low, high, price = steps[-1]
    return low, high, Decimal(str(price))


def month_starts(from_time: dt.datetime, to_time: dt.datetime, tz: ZoneInfo) -> list[dt.date]:
    first = from_time.astimezone(tz).date().replace(day=1)
    last = (to_time - dt.timedelta(microseconds=1)).astimezone(tz).date().replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return months


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def capacity_of_months(
    *, plan: PricePlan, meters: list[Meter], months: list[dt.date], tz: ZoneInfo, price_area: str
) -> list[dict]:
    """Per month: the average of the three highest daily peaks (kW) of the meters' summed hourly
    consumption, and the capacity step of the grid tariff it falls in."""
    out = []
    for month in months:
        nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
        hours = consumption.hourly_kwh(
            meters=meters, from_time=_local_midnight(month, tz), to_time=_local_midnight(nxt, tz), time_zone=tz
        )
        daily_peaks: dict[dt.date, float] = {}
        for moment, kwh in hours.items():
            day = moment.astimezone(tz).date()
            daily_peaks[day] = max(daily_peaks.get(day, 0.0), kwh)
        top = sorted(daily_peaks.values(), reverse=True)[:3]
        average = round(sum(top) / len(top), 3) if top else None
        low, high, price = capacity_step(plan, average)
        out.append(
            {
                "month": month,
                "average_peak_kw": average,
                "from_kw": low,
                "to_kw": high,
                "nok_per_month": float(price),
                "nok_per_month_incl_vat": float((price * (1 + vat_rate(price_area))).quantize(Decimal("0.01"))),
            }
        )
    return out


def contract_hour_prices(
    *,
    contract: Contract,
    from_time: dt.datetime,
    to_time: dt.datetime,
    use_cache: bool = True,
    meter: Meter | None = None,
) -> dict:
    """The price of one kWh in each hour of [from_time, to_time) for the contract's product, with VAT.

    Net contracts add the grid tariff's energy part (day/night), the electricity tax and Enova fee,
    and the electricity subsidy; their capacity step per month is in `capacity_steps`.
    """
    plan = price_plan_of(contract)
    is_net = contract.product == Contract.Product.NET
    price_area = price_area_of(contract=contract, meter=meter)
    tz = ZoneInfo(meter.time_zone if meter is not None else DEFAULT_TIME_ZONE)
    start = from_time.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    rows = spot_rows(
        zone=find_zone(price_area), from_time=start, to_time=to_time, include_preliminary=False, use_cache=use_cache
    )
    spot_by_hour = hourly_spot(rows)
    values = []
    moment = start
    while moment < to_time:
        spot = spot_by_hour.get(int(moment.timestamp()))
        parts = unit_prices(plan=plan, is_net=is_net, price_area=price_area, spot=spot, local=moment.astimezone(tz))
        value = {"value_time": moment, "spot_price": None if spot is None else float(spot)}
        if parts is None:
            value.update({"value": None, "status": 4000, **dict.fromkeys(UNIT_PARTS)})
        else:
            rounded = {name: round(float(parts[name]), 5) for name in UNIT_PARTS}
            # The total is the sum of the parts as sent, so a client adding them up gets Value.
            value.update({"value": round(sum(rounded.values()), 5), "status": 0, **rounded})
        values.append(value)
        moment += dt.timedelta(hours=1)
    capacity = []
    if is_net:
        meters = [meter] if meter is not None else list(Meter.objects.filter(delivery_point__contract=contract))
        capacity = capacity_of_months(
            plan=plan, meters=meters, months=month_starts(start, to_time, tz), tz=tz, price_area=price_area
        )
    return {
        "contract_no": contract.contract_no,
        "price_area": price_area,
        "product_type": plan.product_type,
        "vat_rate": float(vat_rate(price_area)),
        "unit": "NOK/kWh",
        "resolution": 7,
        "values": values,
        "capacity_steps": capacity,
    }


UNIT_PARTS = ("energy", "markup", "grid", "taxes", "subsidy", "vat")


# --- Costs -------------------------------------------------------------------------------------
COST_PARTS = ("energy", "markup", "grid", "taxes", "subsidy", "vat")
CENT = Decimal("0.01")


def _hours_in_month(month: dt.date, tz: ZoneInfo) -> int:
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return int((_local_midnight(nxt, tz) - _local_midnight(month, tz)).total_seconds() // 3600)


def meter_costs(
    *,
    meter: Meter,
    from_time: dt.datetime,
    to_time: dt.datetime,
    resolution,
    time_zone: str | None = None,
    use_cache: bool = True,
) -> dict:
    """Consumption × price per hour, summed into buckets of `resolution`, with the breakdown per bucket.

    Parts (NOK): energy, markup, grid (energy part and, for Net contracts, the month's capacity charge
    spread evenly over its hours), taxes, subsidy (negative) and VAT. Each part is rounded to øre per
    bucket and `value` is the sum of the rounded parts; `totals` add the buckets up, so every total
    equals the sum of its parts.
    """
    from apps.metering.models import Resolution
    from apps.metering.timeseries import bucket_floor, window

    contract = meter.delivery_point.contract
    plan = price_plan_of(contract)
    is_net = contract.product == Contract.Product.NET
    price_area = meter.delivery_point.price_area
    tz = ZoneInfo(time_zone or meter.time_zone or DEFAULT_TIME_ZONE)
    win = window(from_time, to_time, Resolution(resolution), tz)
    hours = consumption.series(
        meter=meter, from_time=win.start, to_time=win.end, resolution=Resolution.Hour, time_zone=tz.key
    )
    rows = spot_rows(
        zone=find_zone(price_area), from_time=win.start, to_time=win.end, include_preliminary=False, use_cache=use_cache
    )
    spot_by_hour = hourly_spot(rows)
    capacity_per_hour: dict[dt.date, Decimal] = {}
    if is_net:
        months = month_starts(win.start, win.end, tz)
        for step in capacity_of_months(plan=plan, meters=[meter], months=months, tz=tz, price_area=price_area):
            capacity_per_hour[step["month"]] = Decimal(str(step["nok_per_month"])) / _hours_in_month(step["month"], tz)
    rate = vat_rate(price_area)

    buckets: dict[dt.datetime, dict] = {
        start: {"kwh": Decimal(0), "hours": 0, "priced": 0, **dict.fromkeys(COST_PARTS, Decimal(0))}
        for start in win.starts()
    }
    for moment, kwh, _status in hours:
        bucket = buckets.get(bucket_floor(moment, Resolution(resolution), tz))
        if bucket is None:
            continue
        bucket["hours"] += 1
        local = moment.astimezone(tz)
        capacity = capacity_per_hour.get(local.date().replace(day=1), Decimal(0))
        parts = unit_prices(
            plan=plan, is_net=is_net, price_area=price_area, spot=spot_by_hour.get(int(moment.timestamp())), local=local
        )
        if kwh is None or parts is None:
            bucket["grid"] += capacity  # the capacity charge runs whatever the meter says
            bucket["vat"] += rate * capacity
            continue
        bucket["kwh"] += kwh
        bucket["priced"] += 1
        for name in ("energy", "markup", "grid", "taxes", "subsidy"):
            bucket[name] += parts[name] * kwh
        bucket["grid"] += capacity
        bucket["vat"] += parts["vat"] * kwh + rate * capacity

    values = []
    totals = {"consumption": Decimal(0), "value": Decimal(0), **dict.fromkeys(COST_PARTS, Decimal(0))}
    for start, bucket in buckets.items():
        rounded = {name: bucket[name].quantize(CENT) for name in COST_PARTS}
        value = sum(rounded.values())
        if bucket["priced"] == 0:
            status = 4000
        elif bucket["priced"] < bucket["hours"] or bucket["hours"] == 0:
            status = 1
        else:
            status = 0
        values.append(
            {
                "value_time": start,
                "value": None if status == 4000 else float(value),
                "status": status,
                "consumption": float(bucket["kwh"].quantize(Decimal("0.001"))),
                **{name: float(amount) for name, amount in rounded.items()},
            }
        )
        totals["consumption"] += bucket["kwh"].quantize(Decimal("0.001"))
        totals["value"] += value
        for name in COST_PARTS:
            totals[name] += rounded[name]
    return {
        "meter_id": meter.meter_id,
        "contract_no": contract.contract_no,
        "price_area": price_area,
        "currency": "NOK",
        "unit": "NOK",
        "resolution": int(resolution),
        "values": values,
        "totals": {name: float(amount) for name, amount in totals.items()},
    }


# --- Costs of a contract, expense overview -----------------------------------------------------
def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def meters_of(contract: Contract) -> list[Meter]:
    return list(
        Meter.objects.filter(delivery_point__contract=contract)
        .select_related("delivery_point__contract__price_plan")
        .order_by("pk")
    )


def contract_time_zone(meters: list[Meter]) -> str:
    return meters[0].time_zone if meters and meters[0].time_zone else DEFAULT_TIME_ZONE


def contract_costs(
    *,
    contract: Contract,
    from_time: dt.datetime,
    to_time: dt.datetime,
    resolution,
    time_zone: str | None = None,
    use_cache: bool = True,
    meters: list[Meter] | None = None,
) -> dict:
    """`meter_costs` of every meter of the contract, added up per bucket, as Decimals (NOK, kWh).

    Returns {"time_zone", "buckets": [{value_time, status, consumption, value, <COST_PARTS>}], "totals"}.
    A bucket's status is 4000 when no meter has a priced hour in it, 0 when every meter is complete,
    1 otherwise. Each part is the sum of the meters' rounded parts and `value` the sum of the parts,
    so totals equal the sum of their parts here too.
    """
    from apps.metering.models import Resolution
    from apps.metering.timeseries import window

    meters = meters_of(contract) if meters is None else meters
    tz_name = time_zone or contract_time_zone(meters)
    names = ("consumption", *COST_PARTS)
    buckets = {
        start: {"value_time": start, "statuses": [], **dict.fromkeys(names, Decimal(0))}
        for start in window(from_time, to_time, Resolution(resolution), ZoneInfo(tz_name)).starts()
    }
    for meter in meters:
        costs = meter_costs(
            meter=meter,
            from_time=from_time,
            to_time=to_time,
            resolution=resolution,
            time_zone=tz_name,
            use_cache=use_cache,
        )
        for value in costs["values"]:
            bucket = buckets[value["value_time"]]
            bucket["statuses"].append(value["status"])
            for name in names:
                bucket[name] += Decimal(str(value[name]))
    out = []
    totals = dict.fromkeys(("value", *names), Decimal(0))
    for bucket in buckets.values():
        statuses = bucket.pop("statuses")
        if not statuses or all(s == 4000 for s in statuses):
            bucket["status"] = 4000
        else:
            bucket["status"] = 0 if all(s == 0 for s in statuses) else 1
        bucket["value"] = sum((bucket[name] for name in COST_PARTS), Decimal(0))
        for name in totals:
            totals[name] += bucket[name]
        out.append(bucket)
    return {"time_zone": tz_name, "buckets": out, "totals": totals}


def _percent(change: Decimal, base: Decimal) -> float | None:
    return None if base == 0 else round(float(change / abs(base) * 100), 1)


def expense_overview(
    *, contract: Contract, from_time: dt.datetime, to_time: dt.datetime, time_zone: str | None = None
) -> dict:
    """Per local month touched by [from_time, to_time): the contract's costs with the breakdown of
    `meter_costs`, and the change from the same month a year before (None when that month has no
    priced consumption)."""
    from apps.metering.models import Resolution

    meters = meters_of(contract)
    tz = ZoneInfo(time_zone or contract_time_zone(meters))
    months = month_starts(from_time, to_time, tz)
    # The period and the same months a year before: one read when they meet, else two.
    first, end = months[0], _add_months(months[-1], 1)
    spans = (
        [(_add_months(first, -12), end)]
        if len(months) >= 12
        else [(_add_months(first, -12), _add_months(end, -12)), (first, end)]
    )
    by_month = {}
    for span_start, span_end in spans:
        costs = contract_costs(
            contract=contract,
            from_time=_local_midnight(span_start, tz),
            to_time=_local_midnight(span_end, tz),
            resolution=Resolution.Month,
            time_zone=tz.key,
            meters=meters,
        )
        by_month.update({bucket["value_time"].astimezone(tz).date(): bucket for bucket in costs["buckets"]})
    rows = []
    totals = dict.fromkeys(("consumption", "value", *COST_PARTS), Decimal(0))
    for month in months:
        bucket = by_month[month]
        before = by_month.get(_add_months(month, -12))
        known = bucket["status"] != 4000
        last_year = before["value"] if before is not None and before["status"] != 4000 else None
        change = bucket["value"] - last_year if known and last_year is not None else None
        rows.append(
            {
                "month": month,
                "value_time": bucket["value_time"],
                "status": bucket["status"],
                "consumption": float(bucket["consumption"]),
                "value": float(bucket["value"]) if known else None,
                **{name: float(bucket[name]) for name in COST_PARTS},
                "last_year_consumption": float(before["consumption"]) if last_year is not None else None,
                "last_year_value": None if last_year is None else float(last_year),
                "change": None if change is None else float(change),
                "change_percent": None if change is None else _percent(change, last_year),
            }
        )
        for name in totals:
            totals[name] += bucket[name]
    return {
        "contract_no": contract.contract_no,
        "currency": "NOK",
        "time_zone": tz.key,
        "months": rows,
        "totals": {name: float(amount) for name, amount in totals.items()},
    }


# --- Invoices ----------------------------------------------------------------------------------
def invoices_of_customer(*, customer, year: int | None = None):
    invoices = customer.invoices.all()
    if year is not None:
        invoices = invoices.filter(invoice_date__year=year)
    return invoices.order_by("-invoice_date", "-invoice_no")


def invoices_of_contract(*, contract: Contract, year: int):
    return contract.invoices.filter(invoice_date__year=year).order_by("-invoice_date", "-invoice_no")


def invoice_daily_consumption(*, invoice) -> list[tuple[dt.date, float | None]]:
    """kWh per local day of the invoice's period, summed over the contract's meters (None: no value)."""
    from apps.metering.models import Resolution

    meters = meters_of(invoice.contract)
    tz = ZoneInfo(contract_time_zone(meters))
    days = (invoice.period_end - invoice.period_start).days
    totals: dict[dt.date, float | None] = {invoice.period_start + dt.timedelta(days=n): None for n in range(days)}
    for meter in meters:
        for moment, value, _status in consumption.series(
            meter=meter,
            from_time=_local_midnight(invoice.period_start, tz),
            to_time=_local_midnight(invoice.period_end, tz),
            resolution=Resolution.Day,
            time_zone=tz.key,
        ):
            day = moment.astimezone(tz).date()
            if value is not None and day in totals:
                totals[day] = (totals[day] or 0.0) + float(value)
    return list(totals.items())


def invoice_pdf(*, invoice, compress: bool = True) -> bytes:
    from .pdf import render_invoice_pdf

    return render_invoice_pdf(
        invoice=invoice,
        lines=list(invoice.lines.order_by("line_no")),
        daily=invoice_daily_consumption(invoice=invoice),
        compress=compress,
    )
