"""Reads of the pricing app: spot price series, the price per hour of a contract and the costs of meters.

The selectors fetch (plan, delivery point, consumption through apps/metering/series.py, stored spot
prices) and hand values to costing.py, which applies the rules (rules.py with rates.py and tariffs.py)
without touching the database. Nothing here writes: a missing spot-price day is fetched by the
explicit service `spotprices.fetch_missing_days`, which the views call before they read (the spot-price
GET through `services.spot_day_wires`, which fetches only the days its own read found missing).
Dependencies go one way: rules → costing → spotprices (the day store) → selectors → services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.customers.public import Contract, DeliveryPoint, Meter

from . import consumption, costing, rules, spotprices, spotwire
from .adapters.base import expected_resolution_minutes, market_date
from .areas import BiddingZone
from .areas import zone as find_zone
from .costing import TAXABLE_PARTS, UNIT_PARTS, hourly_spot, quarter_spot, unit_prices  # noqa: F401 - used by ev
from .models import PricePlan
from .rates import RateUnknownError

UTC = dt.UTC
DEFAULT_TIME_ZONE = "Europe/Oslo"
DEFAULT_PRICE_AREA = "NO1"
ZERO = Decimal(0)
CENT = Decimal("0.01")
QUARTER_SETTLED = 15  # DeliveryPoint.settlement_resolution of a quarter-hour settled point


def market_days(from_time: dt.datetime, to_time: dt.datetime) -> list[dt.date]:
    first, last = market_date(from_time), market_date(to_time - dt.timedelta(microseconds=1))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def spot_rows(
    *, zone: BiddingZone, from_time: dt.datetime, to_time: dt.datetime, include_preliminary: bool, use_cache: bool
) -> list[tuple]:
    """The stored spot price rows of `zone` whose interval starts in [from_time, to_time), in time order.

    A row is (start epoch, ValueTime text, NOK/kWh, EUR/MWh, NOK per EUR, preliminary, minutes).
    Days that are not stored have no rows (see `spotprices.fetch_missing_days`).
    """
    lo, hi = from_time.timestamp(), to_time.timestamp()
    by_day = spotprices.rows_for_days(zone=zone, days=market_days(from_time, to_time), use_cache=use_cache)
    out = []
    for day in sorted(by_day):
        for row in by_day[day]:
            if lo <= row[0] < hi and (include_preliminary or not row[5]):
                out.append(row)
    return out


def spot_series(
    *, zone: BiddingZone, from_time: dt.datetime, to_time: dt.datetime, include_preliminary: bool, use_cache: bool
) -> dict:
    """SpotPriceSeries of `zone` over [from_time, to_time) as Python values (what `spot_series_json`
    writes from the cached wire form): Resolution is the finest of the intervals' resolutions."""
    rows = spot_rows(
        zone=zone, from_time=from_time, to_time=to_time, include_preliminary=include_preliminary, use_cache=use_cache
    )
    minutes = min((row[6] for row in rows), default=expected_resolution_minutes(market_date(from_time)))
    return {
        "price_area": zone.code,
        "eic": zone.eic,
        "currency": "NOK",
        "unit": "NOK/kWh",
        "resolution": spotwire.QUARTER_HOUR if minutes < 60 else spotwire.HOUR,
        "values": [
            {
                "value_time": row[1],
                "value": row[2],
                "status": 0,
                "eur_per_mwh": row[3],
                "exchange_rate": row[4],
                "preliminary": row[5],
            }
            for row in rows
        ],
    }


def spot_day_wires(
    *, zone: BiddingZone, from_time: dt.datetime, to_time: dt.datetime, use_cache: bool
) -> dict[dt.date, spotwire.DayWire]:
    """Each market day of [from_time, to_time) in wire form (one cache round trip when warm); a day
    that is not stored has no intervals."""
    return spotprices.wire_for_days(zone=zone, days=market_days(from_time, to_time), use_cache=use_cache)


def spot_series_json(
    *,
    zone: BiddingZone,
    from_time: dt.datetime,
    to_time: dt.datetime,
    include_preliminary: bool,
    use_cache: bool,
    wires: dict[dt.date, spotwire.DayWire] | None = None,
) -> bytes:
    """SpotPriceSeries of `zone` over [from_time, to_time) as wire bytes: the same intervals as
    `spot_rows`, spliced from each day's cached wire form (spotwire.py) instead of rendered again.
    `wires`: the days as `spot_day_wires` read them already (else they are read here)."""
    by_day = (
        wires
        if wires is not None
        else spot_day_wires(zone=zone, from_time=from_time, to_time=to_time, use_cache=use_cache)
    )
    return spotwire.series_bytes(
        code=zone.code,
        eic=zone.eic,
        days=[by_day[day] for day in sorted(by_day)],
        lo=from_time.timestamp(),
        hi=to_time.timestamp(),
        include_preliminary=include_preliminary,
        default_minutes=expected_resolution_minutes(market_date(from_time)),
    )


# --- Contract prices ---------------------------------------------------------------------------


def price_plan_of(contract: Contract) -> PricePlan:
    """The contract's price plan, or the default plan (unsaved) when it has none."""
    try:
        return contract.price_plan
    except PricePlan.DoesNotExist:
        return PricePlan(contract=contract)


def first_point_of(contract: Contract) -> DeliveryPoint | None:
    return contract.delivery_points.order_by("id").first()


def price_area_of(*, contract: Contract, meter: Meter | None = None) -> str:
    if meter is not None:
        return meter.delivery_point.price_area
    point = first_point_of(contract)
    return point.price_area if point is not None else DEFAULT_PRICE_AREA


def consumer_of(*, contract: Contract, point: DeliveryPoint | None) -> rules.Consumer:
    """Who uses the metering point and where: its own kind (else the customer's type) and municipality."""
    kind = rules.consumer_kind(
        point_kind=point.consumer_kind if point is not None else "", customer_type=contract.customer.customer_type
    )
    return rules.Consumer(kind=kind, municipality_no=point.municipality_no if point is not None else "")


def is_grid_contract(contract: Contract) -> bool:
    """A grid company's contract (Net); anything else is priced as a supplier's (Power)."""
    return contract.product == Contract.Product.NET


month_starts = costing.month_starts


def _whole_months_kwh(*, meters: list[Meter], months: list[dt.date], tz: ZoneInfo) -> dict[dt.date, dict]:
    """{month: {UTC hour: kWh of the meters together}} of whole local months, from one read."""
    if not months:
        return {}
    hours = consumption.hourly_kwh(
        meters=meters,
        from_time=costing.local_midnight(months[0], tz),
        to_time=costing.local_midnight(costing.add_months(months[-1], 1), tz),
        time_zone=tz,
    )
    out: dict[dt.date, dict] = {month: {} for month in months}
    for moment, kwh in hours.items():
        out.setdefault(moment.astimezone(tz).date().replace(day=1), {})[moment] = kwh
    return out


def month_charges_of(
    *, plan: PricePlan, is_net: bool, consumer: rules.Consumer, meters: list[Meter], months: list[dt.date], tz
) -> dict[dt.date, costing.MonthCharges]:
    """Each month's fixed charges of one metering point (`meters` are that point's meters)."""
    by_month = _whole_months_kwh(meters=meters, months=months, tz=tz) if is_net else {}
    return {
        month: costing.month_charges(
            plan=plan, is_net=is_net, consumer=consumer, month=month, tz=tz, hourly_kwh=by_month.get(month, {})
        )
        for month in months
    }


def _capacity_wire(charges: costing.MonthCharges) -> dict:
    rate = charges.vat_rate or ZERO
    return {
        "month": charges.month,
        "average_peak_kw": charges.average_peak_kw,
        "from_kw": charges.step[0],
        "to_kw": charges.step[1],
        "nok_per_month": float(charges.capacity),
        "nok_per_month_incl_vat": float((charges.capacity * (1 + rate)).quantize(CENT)),
    }


def contract_hour_prices(
    *,
    contract: Contract,
    from_time: dt.datetime,
    to_time: dt.datetime,
    use_cache: bool = True,
    meter: Meter | None = None,
) -> dict:
    """The price of one kWh in each hour of [from_time, to_time) for the contract, with VAT.

    A supplier's contract: energy (spot or fixed) and markup. A grid contract: the grid tariff's energy
    part (by its calendar), the electricity tax and Enova fee, and the subsidy or the Norgespris
    settlement; its capacity step per month and metering point is in `capacity_steps`. The rules are
    those of the meter's delivery point (else the contract's first).
    """
    plan = price_plan_of(contract)
    is_net = is_grid_contract(contract)
    point = meter.delivery_point if meter is not None else first_point_of(contract)
    consumer = consumer_of(contract=contract, point=point)
    price_area = point.price_area if point is not None else DEFAULT_PRICE_AREA
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
        parts = unit_prices(plan=plan, is_net=is_net, consumer=consumer, spot=spot, local=moment.astimezone(tz))
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
        points = [point] if meter is not None else list(contract.delivery_points.order_by("id"))
        months = month_starts(start, to_time, tz)
        for each in points:
            meters = [meter] if meter is not None else list(each.meters.order_by("pk"))
            charges = month_charges_of(
                plan=plan,
                is_net=True,
                consumer=consumer_of(contract=contract, point=each),
                meters=meters,
                months=months,
                tz=tz,
            )
            for month in months:
                capacity.append({"metering_point_id": each.metering_point_id, **_capacity_wire(charges[month])})
    try:
        vat = rules.vat_rate(consumer, start.astimezone(tz).date())
    except RateUnknownError:
        vat = None
    return {
        "contract_no": contract.contract_no,
        "price_area": price_area,
        "product_type": plan.product_type,
        "vat_rate": None if vat is None else float(vat),
        "unit": "NOK/kWh",
        "resolution": 7,
        "values": values,
        "capacity_steps": capacity,
    }


# --- Costs -------------------------------------------------------------------------------------
COST_PARTS = UNIT_PARTS


def _hour_uses(*, meters: list[Meter], start: dt.datetime, end: dt.datetime, tz: ZoneInfo, quarters: bool) -> dict:
    """{meter pk: [HourUse]} over [start, end): per hour, and with each hour's quarters where the point
    is quarter-settled and the meter has quarter-hour values."""
    from apps.metering.public import Resolution

    quarter_meters = (
        [m for m in meters if consumption.has_quarter_hours(meter=m, from_time=start, to_time=end)] if quarters else []
    )
    hourly = [m for m in meters if m not in quarter_meters]
    out: dict[int, list[costing.HourUse]] = {}
    if hourly:
        series = consumption.series_of_meters(
            meters=hourly, from_time=start, to_time=end, resolution=Resolution.Hour, time_zone=tz
        )
        for meter_pk, rows in series.items():
            out[meter_pk] = [costing.HourUse(moment, kwh) for moment, kwh, _status in rows]
    if quarter_meters:
        series = consumption.series_of_meters(
            meters=quarter_meters, from_time=start, to_time=end, resolution=Resolution.QuarterHour, time_zone=tz
        )
        for meter_pk, rows in series.items():
            hours: dict[dt.datetime, costing.HourUse] = {}
            for moment, kwh, _status in rows:
                use = hours.setdefault(moment.replace(minute=0), costing.HourUse(moment.replace(minute=0), None, []))
                if kwh is not None:
                    use.kwh = kwh if use.kwh is None else use.kwh + kwh
                    use.quarters.append((int(moment.timestamp()), kwh))
            out[meter_pk] = list(hours.values())
    return out


def point_input(
    *, point: DeliveryPoint, contract: Contract, start: dt.datetime, end: dt.datetime, tz: ZoneInfo, use_cache: bool
) -> costing.PointInput:
    """What costing needs to price one metering point (all its meters) over [start, end)."""
    plan = price_plan_of(contract)
    is_net = is_grid_contract(contract)
    consumer = consumer_of(contract=contract, point=point)
    meters = list(point.meters.order_by("pk"))
    quarter_settled = point.settlement_resolution == QUARTER_SETTLED
    rows = spot_rows(
        zone=find_zone(point.price_area), from_time=start, to_time=end, include_preliminary=False, use_cache=use_cache
    )
    months = month_starts(start, end, tz)
    opening = ZERO
    track_caps = is_net and (rules.subsidy_eligible(consumer) or rules.norgespris_cap_kwh(consumer) is not None)
    month_start = costing.local_midnight(start.astimezone(tz).date().replace(day=1), tz)
    if track_caps and month_start < start:
        hours = consumption.hourly_kwh(meters=meters, from_time=month_start, to_time=start, time_zone=tz)
        opening = sum((Decimal(str(kwh)) for kwh in hours.values()), ZERO)
    return costing.PointInput(
        plan=plan,
        is_net=is_net,
        consumer=consumer,
        tz=tz,
        quarter_settled=quarter_settled,
        meters=_hour_uses(meters=meters, start=start, end=end, tz=tz, quarters=quarter_settled and not is_net),
        month_charges=month_charges_of(
            plan=plan, is_net=is_net, consumer=consumer, meters=meters, months=months, tz=tz
        ),
        spot_by_hour=hourly_spot(rows),
        spot_by_quarter=quarter_spot(rows),
        opening_kwh=opening,
    )


def _bucketed(hours: list[costing.PricedHour], win, resolution, tz: ZoneInfo) -> tuple[list[dict], dict]:
    """A meter's priced hours summed into buckets of `resolution`; each part rounded to øre per bucket,
    `value` the sum of the rounded parts, totals the sums of the buckets."""
    from apps.metering.public import Resolution, bucket_floor

    names = ("kwh", *COST_PARTS)
    buckets = {start: {"hours": 0, "priced": 0, **dict.fromkeys(names, ZERO)} for start in win.starts()}
    for hour in hours:
        bucket = buckets.get(bucket_floor(hour.start, Resolution(resolution), tz))
        if bucket is None:
            continue
        bucket["hours"] += 1
        bucket["priced"] += hour.priced
        bucket["kwh"] += hour.kwh
        for name, amount in costing.wire_amounts(hour).items():
            bucket[name] += amount
    values = []
    totals = {"consumption": ZERO, "value": ZERO, **dict.fromkeys(COST_PARTS, ZERO)}
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
    return values, totals


def _window(from_time, to_time, resolution, tz):
    from apps.metering.public import Resolution, window

    return window(from_time, to_time, Resolution(resolution), tz)


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

    Parts (NOK): energy and markup (a supplier's contract; energy per quarter for a quarter-settled point,
    else the hour's mean price; the monthly fee in markup), grid (a grid contract: energy part and the
    month's capacity charge of the metering point spread evenly over its hours), taxes (electricity tax
    and Enova fee), subsidy (≤ 0, with its VAT compensation), norgespris (the settlement with VAT), VAT
    on the taxable parts. The caps count the metering point's kWh (all its meters); the point's fixed
    charges go to its first meter. Each part is rounded to øre per bucket and `value` is the sum of the
    rounded parts; totals add the buckets up. Hours without published rates or a needed spot price are
    not priced (Status 4000 or 1).
    """
    point = meter.delivery_point
    contract = point.contract
    tz = ZoneInfo(time_zone or meter.time_zone or DEFAULT_TIME_ZONE)
    win = _window(from_time, to_time, resolution, tz)
    priced = costing.price_point(
        point_input(point=point, contract=contract, start=win.start, end=win.end, tz=tz, use_cache=use_cache)
    )
    values, totals = _bucketed(priced.get(meter.pk, []), win, resolution, tz)
    return {
        "meter_id": meter.meter_id,
        "contract_no": contract.contract_no,
        "price_area": point.price_area,
        "currency": "NOK",
        "unit": "NOK",
        "resolution": int(resolution),
        "values": values,
        "totals": {name: float(amount) for name, amount in totals.items()},
    }


def billing_points(*, contract: Contract, start: dt.datetime, end: dt.datetime, tz: ZoneInfo) -> list:
    """Each delivery point of the contract priced over [start, end), as invoicing.py bills it."""
    from .invoicing import PointPeriod

    out = []
    for point in contract.delivery_points.order_by("id"):
        data = point_input(point=point, contract=contract, start=start, end=end, tz=tz, use_cache=True)
        priced = costing.price_point(data)
        out.append(
            PointPeriod(
                metering_point_id=point.metering_point_id,
                hours=[hour for hours in priced.values() for hour in hours],
                charges=data.month_charges,
                calendar=_calendar_of(data.plan, start.astimezone(tz).date()),
                tz=tz,
            )
        )
    return out


def _calendar_of(plan: PricePlan, day: dt.date) -> str:
    try:
        return plan.grid_tariff_on(day).calendar
    except RateUnknownError:
        return plan.grid_calendar or rules.WORKING_DAYS


# --- Costs of a contract, expense overview -----------------------------------------------------
def meters_of(contract: Contract) -> list[Meter]:
    return list(
        Meter.objects.filter(delivery_point__contract=contract)
        .select_related("delivery_point__contract__price_plan", "delivery_point__contract__customer")
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
    meters = meters_of(contract) if meters is None else meters
    tz_name = time_zone or contract_time_zone(meters)
    tz = ZoneInfo(tz_name)
    win = _window(from_time, to_time, resolution, tz)
    names = ("consumption", *COST_PARTS)
    buckets = {
        start: {"value_time": start, "statuses": [], **dict.fromkeys(names, Decimal(0))} for start in win.starts()
    }
    points: dict[int, tuple[DeliveryPoint, list[Meter]]] = {}
    for meter in meters:
        points.setdefault(meter.delivery_point_id, (meter.delivery_point, []))[1].append(meter)
    for point, point_meters in points.values():
        priced = costing.price_point(
            point_input(point=point, contract=contract, start=win.start, end=win.end, tz=tz, use_cache=use_cache)
        )
        for meter in point_meters:
            values, _totals = _bucketed(priced.get(meter.pk, []), win, resolution, tz)
            for value in values:
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


def expense_overview_spans(
    *, contract: Contract, from_time: dt.datetime, to_time: dt.datetime, time_zone: str | None = None
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The UTC spans the expense overview reads: its months and the same months a year before."""
    tz = ZoneInfo(time_zone or contract_time_zone(meters_of(contract)))
    months = month_starts(from_time, to_time, tz)
    first, end = months[0], costing.add_months(months[-1], 1)
    spans = (
        [(costing.add_months(first, -12), end)]
        if len(months) >= 12
        else [(costing.add_months(first, -12), costing.add_months(end, -12)), (first, end)]
    )
    return [(costing.local_midnight(a, tz), costing.local_midnight(b, tz)) for a, b in spans]


def expense_overview(
    *, contract: Contract, from_time: dt.datetime, to_time: dt.datetime, time_zone: str | None = None
) -> dict:
    """Per local month touched by [from_time, to_time): the contract's costs with the breakdown of
    `meter_costs`, and the change from the same month a year before (None when that month has no
    priced consumption)."""
    from apps.metering.public import Resolution

    meters = meters_of(contract)
    tz = ZoneInfo(time_zone or contract_time_zone(meters))
    months = month_starts(from_time, to_time, tz)
    # The period and the same months a year before: one read when they meet, else two.
    first, end = months[0], costing.add_months(months[-1], 1)
    spans = (
        [(costing.add_months(first, -12), end)]
        if len(months) >= 12
        else [(costing.add_months(first, -12), costing.add_months(end, -12)), (first, end)]
    )
    by_month = {}
    for span_start, span_end in spans:
        costs = contract_costs(
            contract=contract,
            from_time=costing.local_midnight(span_start, tz),
            to_time=costing.local_midnight(span_end, tz),
            resolution=Resolution.Month,
            time_zone=tz.key,
            meters=meters,
        )
        by_month.update({bucket["value_time"].astimezone(tz).date(): bucket for bucket in costs["buckets"]})
    rows = []
    totals = dict.fromkeys(("consumption", "value", *COST_PARTS), Decimal(0))
    for month in months:
        bucket = by_month[month]
        before = by_month.get(costing.add_months(month, -12))
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
    from apps.metering.public import Resolution

    meters = meters_of(invoice.contract)
    tz = ZoneInfo(contract_time_zone(meters))
    days = (invoice.period_end - invoice.period_start).days
    totals: dict[dt.date, float | None] = {invoice.period_start + dt.timedelta(days=n): None for n in range(days)}
    for meter in meters:
        for moment, value, _status in consumption.series(
            meter=meter,
            from_time=costing.local_midnight(invoice.period_start, tz),
            to_time=costing.local_midnight(invoice.period_end, tz),
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
