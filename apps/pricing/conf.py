"""Settings of the pricing app, read lazily so `override_settings` works in tests.

`conf.SPOT_PRICE_SOURCE` returns `settings.SPOT_PRICE_SOURCE` when the project sets it, otherwise
the environment variable of the same name, otherwise the default below.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from django.conf import settings

_ENV_DEFAULTS = {
    # demo | entsoe | hvakosterstrommen
    "SPOT_PRICE_SOURCE": ("demo", str),
    "ENTSOE_API_TOKEN": ("", str),
    "ENTSOE_API_URL": ("https://web-api.tp.entsoe.eu/api", str),
    "HVAKOSTERSTROMMEN_API_URL": ("https://www.hvakosterstrommen.no/api/v1/prices", str),
    # EUR/NOK for ENTSO-E's EUR/MWh: "norgesbank" (Norges Bank's daily rate, stored per delivery day) or
    # "fixed" (PRICING_EUR_NOK_RATE, no network); hvakosterstrommen and demo carry their own rates.
    "PRICING_EXCHANGE_RATE_SOURCE": ("norgesbank", str),
    "PRICING_EUR_NOK_RATE": ("11.70", Decimal),
    "NORGES_BANK_API_URL": ("https://data.norges-bank.no/api/data/EXR/B.EUR.NOK.SP", str),
    "PRICING_HTTP_TIMEOUT_SECONDS": ("20", float),
    # How long a day of prices stays in the cache, and how long "not published yet" is remembered.
    "PRICING_CACHE_SECONDS": (str(6 * 3600), int),
    "PRICING_NOT_PUBLISHED_SECONDS": ("300", int),
    # The on-demand fetch lock: held at most this long; waiters give up after PRICING_LOCK_WAIT_SECONDS.
    "PRICING_LOCK_SECONDS": ("60", int),
    "PRICING_LOCK_WAIT_SECONDS": ("15", float),
    "PRICING_MAX_RANGE_DAYS": ("31", int),
    # The beat task: bounded retries with exponential backoff until the day is published.
    "PRICING_FETCH_MAX_RETRIES": ("16", int),
    "PRICING_FETCH_RETRY_BASE_SECONDS": ("120", int),
    "PRICING_FETCH_RETRY_MAX_SECONDS": ("1800", int),
}

# The areas the beat task fetches and seed_demo fills (short codes or EIC codes).
FETCH_AREAS_DEFAULT = ("NO1", "NO2", "NO3", "NO4", "NO5")
FIRST_PRICE_DAY_DEFAULT = dt.date(2024, 1, 1)

# The market (delivery) day of the day-ahead auction is a CET/CEST calendar day.
MARKET_TIME_ZONE = "Europe/Oslo"
# Delivery days from this date are traded in 15-minute intervals (SDAC go-live); hourly before.
QUARTER_HOUR_FROM = dt.date(2025, 10, 1)

# --- Customer prices (NOK/kWh, excluding VAT unless named otherwise) -----------------------------
# Taxes, fees, VAT, subsidy and Norgespris are dated tables in rates.py (each row with its source);
# rules.py decides who pays them. What stays here are the defaults of a contract's own price plan.
DEFAULT_MARKUP_NOK_PER_KWH = Decimal("0.0490")
# The grid tariff (energy part, calendar, capacity steps) is a named, dated published tariff in
# tariffs.py (Elvia's by default); a plan may set its own rates. The day rate's hours:
DEFAULT_GRID_DAY_STARTS_HOUR = 6
DEFAULT_GRID_DAY_ENDS_HOUR = 22
# The default tariff's capacity steps of today (tariffs.py, table 7.4: Elvia 2025-04-01 – 2026-06-30),
# [from kW, to kW (None = no upper bound), NOK per month ex VAT]; a value on a boundary is in the higher step.
DEFAULT_CAPACITY_STEPS = [
    [0, 2, 100],
    [2, 5, 152],
    [5, 10, 240],
    [10, 15, 328],
    [15, 20, 416],
    [20, 25, 504],
    [25, 50, 940],
    [50, 75, 1376],
    [75, 100, 1816],
    [100, None, 3656],
]


def __getattr__(name: str):
    if name in _ENV_DEFAULTS:
        default, kind = _ENV_DEFAULTS[name]
        raw = getattr(settings, name, None)
        if raw is None:
            raw = os.environ.get(name, default)
        return kind(raw)
    if name == "FETCH_AREAS":
        return tuple(getattr(settings, "PRICING_FETCH_AREAS", FETCH_AREAS_DEFAULT))
    if name == "SERVED_AREAS":
        # The zones this deployment serves: only these are fetched on demand (default NO1–NO5).
        return tuple(getattr(settings, "PRICING_SERVED_AREAS", FETCH_AREAS_DEFAULT))
    if name == "FIRST_PRICE_DAY":
        # The first delivery day fetched on demand: the first day of the rate tables.
        raw = getattr(settings, "PRICING_FIRST_PRICE_DAY", None) or os.environ.get("PRICING_FIRST_PRICE_DAY")
        return dt.date.fromisoformat(raw) if raw else FIRST_PRICE_DAY_DEFAULT
    raise AttributeError(name)


# --- Invoices --------------------------------------------------------------------------------------
# Invoice numbers are INVOICE_NO_START + the row's id; the KID is the number with a MOD10 check digit.
INVOICE_NO_START = 10_000_000
INVOICE_DUE_DAYS = 14
INVOICE_TYPE = "Invoice"
CREDIT_NOTE_TYPE = "CreditNote"
# Who sends the invoice: the supplier (Power contracts) or the grid company (Net contracts). Override
# with settings.PRICING_INVOICE_SELLERS = {"POWER": {...}, "NET": {...}} (the same keys). Demo values:
# the organisation numbers and account numbers carry valid MOD11 check digits but belong to no one.
INVOICE_SELLERS_DEFAULT = {
    "POWER": {
        "name": "eSmart Energi AS",
        "address": "Kraftveien 1, 0150 Oslo",
        "organisation_no": "912345688",
        "account_no": "12345678903",
    },
    "NET": {
        "name": "eSmart Nett AS",
        "address": "Nettgata 2, 0150 Oslo",
        "organisation_no": "923456783",
        "account_no": "98765432103",
    },
}
INVOICE_ISSUER = INVOICE_SELLERS_DEFAULT["POWER"]["name"]


def invoice_seller(product: str) -> dict:
    """The seller of a contract's invoices: settings.PRICING_INVOICE_SELLERS[product] over the defaults."""
    kind = "NET" if product == "NET" else "POWER"
    configured = getattr(settings, "PRICING_INVOICE_SELLERS", None) or {}
    return {**INVOICE_SELLERS_DEFAULT[kind], **configured.get(kind, {})}


# How long the signed PdfUrl of an invoice stays valid.
INVOICE_PDF_TOKEN_SECONDS = 600
INVOICE_PDF_TOKEN_SALT = "apps.pricing.invoice-pdf"
# POST .../expenseoverview: the longest period (the year before is read as well).
EXPENSE_OVERVIEW_MAX_DAYS = 732
