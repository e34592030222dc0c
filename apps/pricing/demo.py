"""Demo data for `manage.py seed_demo`: the demo source's deterministic spot prices for NO1–NO5
(and every price area of the demo delivery points) over the history days up to tomorrow (of
`now`, seed_demo's clock), and
monthly invoices of the demo logins' contracts for every whole month of the history, made by the
billing run (`services.run_billing`) from the metering app's demo consumption. Invoices due
before today are paid.

Idempotent: days already stored are left alone, and the billing run finds an invoice it made.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.customers.public import DEMO_LOGINS, Contract, DeliveryPoint

from . import conf, rates, services
from .adapters.base import market_date
from .adapters.demo import DemoSource
from .areas import zone
from .models import InvoiceStatus, PricePlan, SpotPrice, SpotPriceDay

# The demo supplier's fixed monthly fee (NOK ex VAT): a commercial term, not a published figure.
DEMO_MONTHLY_FEE_NOK = Decimal("39.00")


def seed(*, users, days, progress, now: dt.datetime | None = None):
    codes = set(conf.FETCH_AREAS_DEFAULT)
    codes |= set(
        DeliveryPoint.objects.filter(contract__customer__accesses__user__in=users)
        .values_list("price_area", flat=True)
        .distinct()
    )
    zones = [zone(code) for code in sorted(codes)]
    now = now or timezone.now()
    today = market_date(now)
    first = today - dt.timedelta(days=days)
    dates = [first + dt.timedelta(days=n) for n in range(days + 2)]  # up to tomorrow
    source = DemoSource()
    for index, bidding_zone in enumerate(zones, 1):
        stored = set(
            SpotPriceDay.objects.filter(area=bidding_zone.eic, delivery_date__in=dates).values_list(
                "delivery_date", flat=True
            )
        )
        day_rows, price_rows = [], []
        for day in dates:
            if day in stored:
                continue
            prices = source.fetch_day(zone=bidding_zone, day=day, today=today)
            day_rows.append(
                SpotPriceDay(
                    area=bidding_zone.eic,
                    delivery_date=day,
                    resolution_minutes=prices.resolution_minutes,
                    intervals=len(prices.intervals),
                    source=prices.source,
                    preliminary=prices.preliminary,
                    fetched_at=now,
                )
            )
            price_rows.extend(
                SpotPrice(
                    area=bidding_zone.eic,
                    start_at=p.start_at,
                    end_at=p.end_at,
                    delivery_date=day,
                    eur_per_mwh=p.eur_per_mwh,
                    nok_per_kwh=p.nok_per_kwh,
                    exchange_rate=p.exchange_rate,
                    preliminary=prices.preliminary,
                )
                for p in prices.intervals
            )
        SpotPrice.objects.bulk_create(price_rows, batch_size=5000, ignore_conflicts=True)
        SpotPriceDay.objects.bulk_create(day_rows, batch_size=1000, ignore_conflicts=True)
        progress(index, len(zones))
    demo_logins = {login.username for login in DEMO_LOGINS}
    seed_invoices(
        users=[user for user in users if user.username in demo_logins], days=days, progress=progress, today=today
    )


def seed_price_plans(contracts) -> None:
    """Supply (Power) contracts: a spot plan with the demo's monthly fee. Grid (Net) contracts keep no
    plan of their own: they are priced with the dated default tariff (Elvia, tariffs.py)."""
    for contract in contracts:
        if contract.product == Contract.Product.POWER:
            plan, _ = PricePlan.objects.get_or_create(
                contract=contract, defaults={"monthly_fee_nok": DEMO_MONTHLY_FEE_NOK}
            )
            contract.price_plan = plan  # the billing run below reads the contract's cached plan


def _next_month(day: dt.date) -> dt.date:
    return dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def seed_invoices(*, users, days: int, progress=None, today: dt.date | None = None) -> int:
    """Bills every whole local month of the last `days` days for the contracts of `users`; returns the count."""
    today = today or dt.datetime.now(ZoneInfo(conf.MARKET_TIME_ZONE)).date()
    start = today - dt.timedelta(days=days)
    month = start if start.day == 1 else _next_month(start)
    months = []
    first_rated, last_rated = rates.known_days(*rates.PRICED_TABLES)
    while _next_month(month) <= today.replace(day=1):
        if first_rated <= month and _next_month(month) - dt.timedelta(days=1) <= last_rated:
            months.append(month)  # months without published rates are not billed
        month = _next_month(month)
    contracts = list(
        Contract.objects.filter(customer__accesses__user__in=users)
        .select_related("price_plan")
        .distinct()
        .order_by("contract_no")
    )
    seed_price_plans(contracts)
    made = 0
    for index, contract in enumerate(contracts, 1):
        for month in months:
            invoice = services.run_billing(contract=contract, period_start=month, period_end=_next_month(month))
            if invoice is None:
                continue
            made += 1
            if invoice.status == InvoiceStatus.NotDue and invoice.due_date < today and invoice.unpaid_sum > 0:
                services.register_payment(invoice=invoice, amount=invoice.unpaid_sum)
        if progress:
            progress(index, len(contracts))
    return made
