"""Writes of the pricing app: billing runs, payments and exchange rates. Storing and fetching spot prices is
in spotprices.py (re-exported here); services import selectors, never the other way round."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction

from . import conf, rates, selectors
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


_LINE_PARTS = (
    (InvoiceLine.Kind.ENERGY, "energy", True),
    (InvoiceLine.Kind.MARKUP, "markup", True),
    (InvoiceLine.Kind.GRID, "grid", True),
    (InvoiceLine.Kind.TAXES, "taxes", True),
    (InvoiceLine.Kind.SUBSIDY, "subsidy", True),
    (InvoiceLine.Kind.NORGESPRIS, "norgespris", True),
    (InvoiceLine.Kind.VAT, "vat", False),
)
_KWH = Decimal("0.001")
_UNIT_PRICE = Decimal("0.00001")


def _local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(dt.UTC)


def _invoice_lines(totals: dict, period_text: str) -> list[InvoiceLine]:
    kwh = totals["consumption"].quantize(_KWH)
    lines = []
    for kind, part, per_kwh in _LINE_PARTS:
        amount = totals[part]
        if amount == 0 and kind not in (InvoiceLine.Kind.ENERGY, InvoiceLine.Kind.VAT):
            continue
        quantity = kwh if per_kwh else None
        unit_price = (amount / kwh).quantize(_UNIT_PRICE) if per_kwh and kwh else None
        lines.append(
            InvoiceLine(
                line_no=len(lines) + 1,
                kind=kind,
                description=f"{kind.label}, {period_text}",
                quantity=quantity,
                unit_price=unit_price,
                amount=amount,
            )
        )
    return lines


def run_billing(
    *, contract, period_start: dt.date, period_end: dt.date, invoice_date: dt.date | None = None
) -> Invoice | None:
    """The invoice of `contract` for the local dates [period_start, period_end), made from its costs.

    Idempotent: an invoice of the same contract and period is returned as it is. The lines are the
    parts of `selectors.contract_costs` (energy, markup, grid, taxes ex VAT, subsidy and Norgespris with
    their VAT, and VAT on the taxable parts);
    `invoice_sum` is the sum of the lines. Nothing to bill (no consumption and no charge): None.
    """
    from apps.metering.models import Resolution

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
    costs = selectors.contract_costs(
        contract=contract,
        from_time=_local_midnight(period_start, tz),
        to_time=_local_midnight(period_end, tz),
        # Whole months are priced per month, as the expense overview does (so they agree to the øre).
        resolution=Resolution.Month if period_start.day == 1 and period_end.day == 1 else Resolution.Day,
        time_zone=tz.key,
        meters=meters,
    )
    totals = costs["totals"]
    if totals["consumption"] == 0 and totals["value"] == 0:
        return None
    last_day = period_end - dt.timedelta(days=1)
    lines = _invoice_lines(totals, f"{period_start:%d.%m.%Y}–{last_day:%d.%m.%Y}")
    invoice_sum = sum((line.amount for line in lines), Decimal(0))
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
                consumption_kwh=totals["consumption"].quantize(_KWH),
                invoice_sum=invoice_sum,
                unpaid_sum=invoice_sum,
                status=InvoiceStatus.NotDue,
            )
            invoice.invoice_no = conf.INVOICE_NO_START + invoice.pk
            invoice.kid = kid_for(customer_id=contract.customer_id, invoice_no=invoice.invoice_no)
            invoice.save(update_fields=["invoice_no", "kid"])
            for line in lines:
                line.invoice = invoice
            InvoiceLine.objects.bulk_create(lines)
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
