"""Writes of the pricing app: storing fetched spot prices, fetching on demand under a lock, billing runs."""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import conf
from .adapters import DayPrices, PriceNotPublishedError, SourceError, get_source
from .areas import BiddingZone
from .models import Invoice, InvoiceLine, InvoiceStatus, SpotPrice, SpotPriceDay

logger = logging.getLogger(__name__)

CACHE_VERSION = 1


def day_cache_key(area: str, day: dt.date) -> str:
    return f"pricing:day:{CACHE_VERSION}:{area}:{day.isoformat()}"


def unpublished_cache_key(area: str, day: dt.date) -> str:
    return f"pricing:unpublished:{area}:{day.isoformat()}"


def lock_cache_key(area: str, day: dt.date) -> str:
    return f"pricing:lock:{area}:{day.isoformat()}"


def _forget(area: str, day: dt.date) -> None:
    cache.delete_many([day_cache_key(area, day), unpublished_cache_key(area, day)])


@transaction.atomic
def store_day(*, prices: DayPrices) -> SpotPriceDay:
    """Replaces the stored prices of (area, day) with `prices`; the cached copy is dropped."""
    SpotPrice.objects.filter(area=prices.area, delivery_date=prices.delivery_date).delete()
    SpotPrice.objects.bulk_create(
        [
            SpotPrice(
                area=prices.area,
                start_at=p.start_at,
                end_at=p.end_at,
                delivery_date=prices.delivery_date,
                eur_per_mwh=p.eur_per_mwh,
                nok_per_kwh=p.nok_per_kwh,
                exchange_rate=p.exchange_rate,
                preliminary=prices.preliminary,
            )
            for p in prices.intervals
        ]
    )
    day, _ = SpotPriceDay.objects.update_or_create(
        area=prices.area,
        delivery_date=prices.delivery_date,
        defaults={
            "resolution_minutes": prices.resolution_minutes,
            "intervals": len(prices.intervals),
            "source": prices.source,
            "preliminary": prices.preliminary,
            "fetched_at": timezone.now(),
        },
    )
    _forget(prices.area, prices.delivery_date)
    transaction.on_commit(lambda: _forget(prices.area, prices.delivery_date))
    return day


def fetch_day(*, zone: BiddingZone, day: dt.date, force: bool = False, source: str | None = None) -> SpotPriceDay:
    """Fetches and stores one market day of `zone` unless final prices are already stored (idempotent).

    Raises PriceNotPublishedError or SourceError from the source.
    """
    if not force:
        stored = SpotPriceDay.objects.filter(area=zone.eic, delivery_date=day, preliminary=False).first()
        if stored is not None:
            return stored
    prices = get_source(source).fetch_day(zone=zone, day=day)
    if prices.area != zone.eic or prices.delivery_date != day:
        raise SourceError(f"The source answered {prices.area} {prices.delivery_date} for {zone.eic} {day}.")
    stored = store_day(prices=prices)
    logger.info("Stored %s spot prices of %s %s from %s", stored.intervals, zone.code, day, prices.source)
    return stored


# --- Reading a day, through the cache, fetching it on demand -------------------------------------
# A day's rows: (start epoch, "ValueTime" text, NOK/kWh, EUR/MWh, exchange rate, preliminary, minutes).
Row = tuple


def rows_from_db(area: str, day: dt.date) -> list[Row] | None:
    """The stored rows of a day, or None when the day is not stored."""
    if not SpotPriceDay.objects.filter(area=area, delivery_date=day).exists():
        return None
    rows = SpotPrice.objects.filter(area=area, delivery_date=day).order_by("start_at")
    return [
        (
            int(p.start_at.timestamp()),
            p.start_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S"),
            float(p.nok_per_kwh),
            float(p.eur_per_mwh),
            float(p.exchange_rate),
            p.preliminary,
            int((p.end_at - p.start_at).total_seconds() // 60),
        )
        for p in rows.only("start_at", "end_at", "nok_per_kwh", "eur_per_mwh", "exchange_rate", "preliminary")
    ]


def _fetch_under_lock(zone: BiddingZone, day: dt.date) -> list[Row] | None:
    """Fetches a missing day once, however many requests want it at the same moment.

    The first caller takes a cache lock (cache.add is atomic in Redis and in the local-memory
    cache), fetches, stores and caches the day; the others wait for the cached day (or for the
    lock to go) instead of calling the source too. "Not published" is remembered for a while, so
    a future day does not send every request to the source.
    """
    unpublished_key = unpublished_cache_key(zone.eic, day)
    if cache.get(unpublished_key):
        return None
    lock_key = lock_cache_key(zone.eic, day)
    token = uuid.uuid4().hex
    if cache.add(lock_key, token, timeout=conf.PRICING_LOCK_SECONDS):
        try:
            rows = rows_from_db(zone.eic, day)
            if rows is None:
                try:
                    fetch_day(zone=zone, day=day)
                except PriceNotPublishedError:
                    cache.set(unpublished_key, True, timeout=conf.PRICING_NOT_PUBLISHED_SECONDS)
                    return None
                except SourceError:
                    logger.warning("Spot prices of %s %s could not be fetched", zone.code, day, exc_info=True)
                    cache.set(unpublished_key, True, timeout=conf.PRICING_NOT_PUBLISHED_SECONDS)
                    return None
                rows = rows_from_db(zone.eic, day)
            cache.set(day_cache_key(zone.eic, day), rows, timeout=conf.PRICING_CACHE_SECONDS)
            return rows
        finally:
            if cache.get(lock_key) == token:
                cache.delete(lock_key)
    deadline = time.monotonic() + conf.PRICING_LOCK_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(0.02)
        rows = cache.get(day_cache_key(zone.eic, day))
        if rows is not None:
            return rows
        if cache.get(unpublished_key):
            return None
        if cache.get(lock_key) is None:
            return rows_from_db(zone.eic, day)
    return None


def rows_for_days(*, zone: BiddingZone, days: list[dt.date], use_cache: bool = True) -> dict[dt.date, list[Row]]:
    """The rows of each day (an empty list for a day that cannot be had); one cache round trip when warm."""
    found: dict[dt.date, list[Row]] = {}
    if use_cache:
        keys = {day_cache_key(zone.eic, day): day for day in days}
        for key, rows in cache.get_many(list(keys)).items():
            found[keys[key]] = rows
    to_cache = {}
    for day in days:
        if day in found:
            continue
        rows = rows_from_db(zone.eic, day)
        if rows is None:
            rows = _fetch_under_lock(zone, day)
        elif use_cache:
            to_cache[day_cache_key(zone.eic, day)] = rows
        found[day] = rows or []
    if to_cache:
        cache.set_many(to_cache, timeout=conf.PRICING_CACHE_SECONDS)
    return found


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
    parts of `selectors.contract_costs` (energy, markup, grid, taxes, subsidy ex VAT, and VAT);
    `invoice_sum` is the sum of the lines. Nothing to bill (no consumption and no charge): None.
    """
    from apps.metering.models import Resolution

    from . import selectors

    if period_end <= period_start:
        raise ValueError("period_end must be after period_start.")
    existing = Invoice.objects.filter(contract=contract, period_start=period_start, period_end=period_end).first()
    if existing is not None:
        return existing
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
