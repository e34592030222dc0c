"""Writes of the pricing app: billing runs, payments and exchange rates. Storing and fetching spot prices is
in spotprices.py (re-exported here); services import selectors, never the other way round."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from . import conf, invoicing, rates, selectors, spotprices
from .areas import zone as find_zone
from .models import Invoice, InvoiceLine, InvoiceStatus
from .spotprices import (  # noqa: F401 - the day store's writes, named here as before
    day_cache_key,
    fetch_day,
    lock_cache_key,
    rows_for_days,
    rows_from_db,
    store_day,
    unpublished_cache_key,
)

logger = logging.getLogger(__name__)


# --- Billing -----------------------------------------------------------------------------------
def mod10_check_digit(digits: str) -> str:
    """The MOD10 (Luhn) check digit of a Norwegian KID: weights 2, 1, 2, ... from the right."""
    total = 0
    for index, char in enumerate(reversed(digits)):
        product = int(char) * (2 if index % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return str((10 - total % 10) % 10)


def kid_for(*, customer_id: int, invoice_no: int) -> str:
    """The payment reference of an invoice: customer id (7 digits), invoice number (9), MOD10 digit."""
    base = f"{customer_id % 10**7:07d}{invoice_no % 10**9:09d}"
    return base + mod10_check_digit(base)


_KWH = Decimal("0.001")


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(dt.UTC)


def fetch_missing_spot_days(*, price_areas, from_time: dt.datetime, to_time: dt.datetime, use_cache=True) -> None:
    """Fetches the spot-price days of [from_time, to_time) that are not stored yet, for each of
    `price_areas` (codes or EIC codes) the deployment serves: the explicit write the price and cost
    views make before they read (the selectors only read stored days)."""
    days = selectors.market_days(from_time, to_time)
    for area in sorted(set(price_areas)):
        spotprices.fetch_missing_days(zone=find_zone(area), days=days, use_cache=use_cache)


def spot_day_wires(*, zone, from_time: dt.datetime, to_time: dt.datetime, use_cache=True) -> dict:
    """Each market day of [from_time, to_time) of `zone` in wire form, with the days the read found not
    stored fetched first (`spotprices.fetch_missing_days`; only the ones that may be fetched) and read
    again. A warm read is one cache round trip: the check for missing days is the read itself."""
    wires = selectors.spot_day_wires(zone=zone, from_time=from_time, to_time=to_time, use_cache=use_cache)
    missing = [day for day, wire in wires.items() if not wire.epochs]
    if not missing:
        return wires
    spotprices.fetch_missing_days(zone=zone, days=missing, use_cache=use_cache)
    return selectors.spot_day_wires(zone=zone, from_time=from_time, to_time=to_time, use_cache=use_cache)


def run_billing(
    *, contract, period_start: dt.date, period_end: dt.date, invoice_date: dt.date | None = None
) -> Invoice | None:
    """The invoice of `contract` for the local dates [period_start, period_end).

    Idempotent: an invoice of the same contract and period is returned as it is. A grid contract's
    invoice bills the grid company's items, a supplier contract's the supplier's (invoicing.py);
    `invoice_sum` is the sum of the lines. Nothing to bill (no consumption and no charge): None.
    """
    if period_end <= period_start:
        raise ValueError("period_end must be after period_start.")
    existing = Invoice.objects.filter(contract=contract, period_start=period_start, period_end=period_end).first()
    if existing is not None:
        return existing
    # Never bill with guessed rates: a period outside the rate tables' years raises RateUnknownError.
    first, last = rates.known_days(*rates.PRICED_TABLES)
    if period_start < first or period_end - dt.timedelta(days=1) > last:
        raise rates.RateUnknownError(f"No published rates for {period_start}–{period_end}: see apps/pricing/rates.py.")
    meters = selectors.meters_of(contract)
    tz = ZoneInfo(selectors.contract_time_zone(meters))
    start, end = _local_midnight(period_start, tz), _local_midnight(period_end, tz)
    areas = contract.delivery_points.values_list("price_area", flat=True)
    fetch_missing_spot_days(price_areas=areas, from_time=start, to_time=end)
    points = selectors.billing_points(contract=contract, start=start, end=end, tz=tz)
    if not points:
        return None
    is_net = selectors.is_grid_contract(contract)
    lines = invoicing.with_vat(invoicing.grid_lines(points) if is_net else invoicing.supplier_lines(points))
    consumption = sum((hour.kwh for point in points for hour in point.hours if hour.priced), Decimal(0))
    invoice_sum = sum((line.amount for line in lines), Decimal(0))
    if consumption == 0 and invoice_sum == 0:
        return None
    last_day = period_end - dt.timedelta(days=1)
    period_text = f"{period_start:%d.%m.%Y}–{last_day:%d.%m.%Y}"
    invoice_date = invoice_date or period_end
    try:
        with transaction.atomic():
            invoice = Invoice.objects.create(
                customer_id=contract.customer_id,
                contract=contract,
                period_start=period_start,
                period_end=period_end,
                invoice_date=invoice_date,
                due_date=invoice_date + dt.timedelta(days=conf.INVOICE_DUE_DAYS),
                invoice_type=conf.INVOICE_TYPE,
                ledger_no=contract.ledger_no,
                consumption_kwh=consumption.quantize(_KWH),
                invoice_sum=invoice_sum,
                unpaid_sum=invoice_sum,
                status=InvoiceStatus.NotDue,
            )
            invoice.invoice_no = conf.INVOICE_NO_START + invoice.pk
            invoice.kid = kid_for(customer_id=contract.customer_id, invoice_no=invoice.invoice_no)
            invoice.save(update_fields=["invoice_no", "kid"])
            InvoiceLine.objects.bulk_create(
                InvoiceLine(
                    invoice=invoice,
                    line_no=number,
                    kind=line.kind,
                    description=f"{InvoiceLine.Kind(line.kind).label}, {period_text}",
                    quantity=line.quantity,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    amount=line.amount,
                    vat_rate=line.vat_rate,
                    details=line.details,
                )
                for number, line in enumerate(lines, 1)
            )
    except IntegrityError:  # a concurrent run billed the same period first
        return Invoice.objects.get(contract=contract, period_start=period_start, period_end=period_end)
    logger.debug("Billed contract %s for %s–%s: %s NOK", contract.contract_no, period_start, last_day, invoice_sum)
    return invoice


def register_payment(*, invoice: Invoice, amount: Decimal) -> Invoice:
    """Books a payment against an invoice; a fully paid invoice becomes Paid.

    The row is locked and re-read: two payments booked at once must both count (a read of
    `invoice` taken before the other one committed would overwrite it).
    """
    if amount <= 0:
        raise ValueError("A payment is a positive amount.")
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        locked.unpaid_sum = max(Decimal(0), locked.unpaid_sum - amount)
        if locked.unpaid_sum == 0:
            locked.status = InvoiceStatus.Paid
        locked.save(update_fields=["unpaid_sum", "status"])
    invoice.unpaid_sum, invoice.status = locked.unpaid_sum, locked.status
    return invoice
