"""Reads of the pricing app: spot price series, the price per hour of a contract and the costs of meters.

The rules (who pays which tax, VAT, subsidy, Norgespris) are pure functions in rules.py with their
rates in rates.py; this module applies them per hour and metering point. Dependencies go one way:
rules → spotprices (the day store) → selectors → services.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from apps.customers.models import Contract, DeliveryPoint, Meter

from . import conf, consumption, rules, spotprices, spotwire
from .adapters.base import expected_resolution_minutes, market_date
from .areas import BiddingZone
from .areas import zone as find_zone
from .models import PricePlan
from .rates import SUBSIDY_MONTHLY_CAP_KWH, RateUnknownError

UTC = dt.UTC
DEFAULT_TIME_ZONE = "Europe/Oslo"
DEFAULT_PRICE_AREA = "NO1"
ZERO = Decimal(0)


def market_days(from_time: dt.datetime, to_time: dt.datetime) -> list[dt.date]:
    first, last = market_date(from_time), market_date(to_time - dt.timedelta(microseconds=1))
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]


def spot_rows(
    *, zone: BiddingZone, from_time: dt.datetime, to_time: dt.datetime, include_preliminary: bool, use_cache: bool
) -> list[tuple]:
    """The spot price rows of `zone` whose interval starts in [from_time, to_time), in time order.

    A row is (start epoch, ValueTime text, NOK/kWh, EUR/MWh, NOK per EUR, preliminary, minutes).
    Missing days are fetched on demand where allowed (spotprices.rows_for_days).
    """
    lo, hi = from_time.timestamp(), to_time.timestamp()
    by_day = spotprices.rows_for_days(zone=zone, days=market_days(from_time, to_time), use_cache=use_cache)
    out = []
    for day in sorted(by_day):
        for row in by_day[day]:
            if lo <= row[0] < hi and (include_preliminary or not row[5]):
                out.append(row)
    return out


def spot_series_json(
    *, zone: BiddingZone, from_time: dt.datetime, to_time: dt.datetime, include_preliminary: bool, use_cache: bool
) -> bytes:
    """SpotPriceSeries of `zone` over [from_time, to_time) as wire bytes: the same intervals as
    `spot_rows`, spliced from each day's cached wire form (spotwire.py) instead of rendered again."""
    by_day = spotprices.wire_for_days(zone=zone, days=market_days(from_time, to_time), use_cache=use_cache)
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


def hourly_spot(rows: list[tuple]) -> dict[int, Decimal]:
    """NOK/kWh per UTC hour (start epoch): the mean of the hour's intervals (quarter hours since 2025-10-01)."""
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


UNIT_PARTS = ("energy", "markup", "grid", "taxes", "subsidy", "norgespris", "vat")
# The parts VAT is charged on; subsidy and the Norgespris settlement carry their VAT in themselves.
TAXABLE_PARTS = ("energy", "markup", "grid", "taxes")


def unit_prices(
    *, plan: PricePlan, is_net: bool, consumer: rules.Consumer, spot: Decimal | None, local: dt.datetime
) -> dict[str, Decimal] | None:
    """The parts of the price of one kWh in the hour starting at `local` (NOK), or None when unknown
    (a spot price the product or a rule needs is missing, or the day has no published rates).

    energy, markup, grid, taxes are ex VAT; `vat` is the VAT on them; `subsidy` (≤ 0) includes its VAT
    compensation and `norgespris` (the grid side's settlement Norgespris − spot) includes VAT, so the sum
    of the parts is what one kWh costs. The monthly kWh caps are applied by meter_costs.
    """
    day = local.date()
    norgespris = is_net and plan.norgespris_applies(day) and rules.norgespris_cap_kwh(consumer) is not None
    needs_spot = plan.product_type != PricePlan.ProductType.Fixed or (
        is_net and (norgespris or rules.subsidy_eligible(consumer))
    )
    if needs_spot and spot is None:
        return None
    try:
        rate = rules.vat_rate(consumer, day)
        parts = dict.fromkeys(UNIT_PARTS, ZERO)
        parts["energy"] = plan.energy_price(spot)
        parts["markup"] = plan.markup
        if is_net:
            day_rate = rules.grid_day_rate_applies(
                local, starts_hour=plan.grid_day_starts_hour, ends_hour=plan.grid_day_ends_hour
            )
            parts["grid"] = plan.grid_day_nok_per_kwh if day_rate else plan.grid_night_nok_per_kwh
            parts["taxes"] = rules.electricity_tax(consumer, day) + rules.enova_fee_per_kwh(consumer, day)
            if norgespris:  # Norgespris replaces the subsidy
                parts["norgespris"] = rules.norgespris_settlement_per_kwh(spot, day) * (1 + rate)
            elif spot is not None:
                parts["subsidy"] = -rules.subsidy_per_kwh(consumer, spot, day) * (1 + rate)
    except RateUnknownError:
        return None
    parts["vat"] = rate * sum(parts[name] for name in TAXABLE_PARTS)
    return parts


def month_starts(from_time: dt.datetime, to_time: dt.datetime, tz: ZoneInfo) -> list[dt.date]:
    first = from_time.astimezone(tz).date().replace(day=1)
    last = (to_time - dt.timedelta(microseconds=1)).astimezone(tz).date().replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = _add_months(first, 1)
    return months


def _add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def _hours_between(first: dt.date, end: dt.date, tz: ZoneInfo) -> int:
    return int((_local_midnight(end, tz) - _local_midnight(first, tz)).total_seconds() // 3600)


def _vat_or_none(consumer: rules.Consumer, day: dt.date) -> Decimal | None:
    try:
        return rules.vat_rate(consumer, day)
    except RateUnknownError:
        return None


def capacity_of_months(
    *, plan: PricePlan, meters: list[Meter], months: list[dt.date], tz: ZoneInfo, consumer: rules.Consumer
) -> list[dict]:
    """Per month: the average of the three highest daily peaks (kW) of one metering point's hourly
    consumption (`meters` are that point's meters), and the capacity step it falls in, compared
    unrounded (a value on a boundary is in the higher step)."""
    steps = plan.capacity_steps or conf.DEFAULT_CAPACITY_STEPS
    out = []
    for month in months:
        hours = consumption.hourly_kwh(
            meters=meters,
            from_time=_local_midnight(month, tz),
            to_time=_local_midnight(_add_months(month, 1), tz),
            time_zone=tz,
        )
        daily_peaks: dict[dt.date, float] = {}
        for moment, kwh in hours.items():
            day = moment.astimezone(tz).date()
            daily_peaks[day] = max(daily_peaks.get(day, 0.0), kwh)
        average = rules.average_of_top_daily_peaks(list(daily_peaks.values()))
        low, high, price = rules.capacity_step(steps, average)
        rate = _vat_or_none(consumer, month)
        out.append(
            {
                "month": month,
                "average_peak_kw": None if average is None else round(average, 3),
                "from_kw": low,
                "to_kw": high,
                "nok_per_month": float(price),
                "nok_per_month_incl_vat": float((price * (1 + (rate or ZERO))).quantize(CENT)),
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

    Net contracts add the grid tariff's energy part (day rate on working days), the electricity tax
    and Enova fee, and the electricity subsidy or the Norgespris settlement; their capacity step per
    month and metering point is in `capacity_steps`. The rules are those of the meter's delivery point
    (else the contract's first).
    """
    plan = price_plan_of(contract)
    is_net = contract.product == Contract.Product.NET
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
            for step in capacity_of_months(
                plan=plan, meters=meters, months=months, tz=tz, consumer=consumer_of(contract=contract, point=each)
            ):
                capacity.append({"metering_point_id": each.metering_point_id, **step})
    vat = _vat_or_none(consumer, start.astimezone(tz).date())
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
CENT = Decimal("0.01")


def _hour_kwh(*, meter: Meter, start: dt.datetime, end: dt.datetime, tz: ZoneInfo):
    """{UTC hour start: (kWh or None, [(quarter start epoch, kWh)] or None)} of one meter: quarter-hour
    meters are read per quarter (their energy is priced per quarter), others per hour."""
    from apps.metering.models import Resolution

    if not consumption.has_quarter_hours(meter=meter, from_time=start, to_time=end):
        series = consumption.series(
            meter=meter, from_time=start, to_time=end, resolution=Resolution.Hour, time_zone=tz.key
        )
        return {moment: (kwh, None) for moment, kwh, _status in series}
    hours: dict[dt.datetime, tuple] = {}
    for moment, kwh, _status in consumption.series(
        meter=meter, from_time=start, to_time=end, resolution=Resolution.QuarterHour, time_zone=tz.key
    ):
        hour = moment.replace(minute=0)
        total, quarters = hours.get(hour, (None, []))
        if kwh is not None:
            total = kwh if total is None else total + kwh
            quarters.append((int(moment.timestamp()), kwh))
        hours[hour] = (total, quarters)
    return hours


def _month_opening_kwh(*, meter: Meter, start: dt.datetime, tz: ZoneInfo) -> Decimal:
    """kWh of the meter from the start of `start`'s local month up to `start`: the monthly caps count
    the whole month, whatever range is asked for."""
    month_start = _local_midnight(start.astimezone(tz).date().replace(day=1), tz)
    if month_start >= start:
        return ZERO
    hours = consumption.hourly_kwh(meters=[meter], from_time=month_start, to_time=start, time_zone=tz)
    return sum((Decimal(str(kwh)) for kwh in hours.values()), ZERO)


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

    Parts (NOK): energy (quarter-hour kWh × quarter-hour price for quarter-hour meters), markup, grid
    (energy part and, for Net contracts, the month's capacity charge of this metering point spread
    evenly over its hours), taxes (electricity tax and Enova fee; a non-household's yearly Enova fee
    spread over the year's hours), subsidy (≤ 0, with its VAT compensation; at most 5,000 kWh per
    month), norgespris (the settlement with VAT, up to the month's cap) and VAT on the taxable parts.
    Each part is rounded to øre per bucket and `value` is the sum of the rounded parts; `totals` add
    the buckets up, so every total equals the sum of its parts. Hours without published rates or a
    needed spot price are not priced (Status 4000 or 1).
    """
    from apps.metering.models import Resolution
    from apps.metering.timeseries import bucket_floor, window

    point = meter.delivery_point
    contract = point.contract
    plan = price_plan_of(contract)
    is_net = contract.product == Contract.Product.NET
    consumer = consumer_of(contract=contract, point=point)
    price_area = point.price_area
    tz = ZoneInfo(time_zone or meter.time_zone or DEFAULT_TIME_ZONE)
    win = window(from_time, to_time, Resolution(resolution), tz)
    hours = _hour_kwh(meter=meter, start=win.start, end=win.end, tz=tz)
    rows = spot_rows(
        zone=find_zone(price_area), from_time=win.start, to_time=win.end, include_preliminary=False, use_cache=use_cache
    )
    spot_by_hour, spot_by_quarter = hourly_spot(rows), quarter_spot(rows)

    # Charges per hour whatever the meter says: the capacity step (grid) and a non-household's Enova fee.
    fixed_grid: dict[dt.date, Decimal] = {}
    fixed_taxes: dict[dt.date, Decimal] = {}
    if is_net:
        months = month_starts(win.start, win.end, tz)
        for step in capacity_of_months(plan=plan, meters=[meter], months=months, tz=tz, consumer=consumer):
            month = step["month"]
            fixed_grid[month] = Decimal(str(step["nok_per_month"])) / _hours_between(month, _add_months(month, 1), tz)
            try:
                yearly = rules.enova_fee_per_year(consumer, month)
            except RateUnknownError:
                yearly = ZERO
            year_start = month.replace(month=1)
            fixed_taxes[month] = yearly / _hours_between(year_start, year_start.replace(year=month.year + 1), tz)

    # Running kWh of the local month, for the subsidy's and Norgespris' monthly caps.
    track_caps = is_net and (rules.subsidy_eligible(consumer) or rules.norgespris_cap_kwh(consumer) is not None)
    used = _month_opening_kwh(meter=meter, start=win.start, tz=tz) if track_caps else ZERO
    month_of_used = win.start.astimezone(tz).date().replace(day=1)
    norgespris_cap = rules.norgespris_cap_kwh(consumer)

    names = ("kwh", *COST_PARTS)
    buckets: dict[dt.datetime, dict] = {
        start: {"hours": 0, "priced": 0, **dict.fromkeys(names, ZERO)} for start in win.starts()
    }
    for moment in sorted(hours):
        kwh, quarters = hours[moment]
        bucket = buckets.get(bucket_floor(moment, Resolution(resolution), tz))
        if bucket is None:
            continue
        bucket["hours"] += 1
        local = moment.astimezone(tz)
        month = local.date().replace(day=1)
        if month != month_of_used:
            month_of_used, used = month, ZERO
        rate = _vat_or_none(consumer, local.date())
        grid_fixed, taxes_fixed = fixed_grid.get(month, ZERO), fixed_taxes.get(month, ZERO)
        spot = spot_by_hour.get(int(moment.timestamp()))
        parts = unit_prices(plan=plan, is_net=is_net, consumer=consumer, spot=spot, local=local)
        if rate is not None:  # the fixed charges run whatever the meter says
            bucket["grid"] += grid_fixed
            bucket["taxes"] += taxes_fixed
            bucket["vat"] += rate * (grid_fixed + taxes_fixed)
        if kwh is None or parts is None:
            continue
        bucket["kwh"] += kwh
        bucket["priced"] += 1
        if quarters and plan.product_type != PricePlan.ProductType.Fixed:
            energy = sum((q_kwh * spot_by_quarter.get(epoch, spot) for epoch, q_kwh in quarters), ZERO)
        else:
            energy = parts["energy"] * kwh
        amounts = {"energy": energy, **{name: parts[name] * kwh for name in ("markup", "grid", "taxes")}}
        if parts["norgespris"]:
            amounts["norgespris"] = parts["norgespris"] * rules.capped_kwh(kwh=kwh, used=used, cap=norgespris_cap)
        if parts["subsidy"]:
            cap = SUBSIDY_MONTHLY_CAP_KWH
            amounts["subsidy"] = parts["subsidy"] * rules.capped_kwh(kwh=kwh, used=used, cap=cap)
        used += kwh
        for name, amount in amounts.items():
            bucket[name] += amount
        bucket["vat"] += rate * sum(amounts[name] for name in TAXABLE_PARTS)

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
