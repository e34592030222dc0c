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
    # NOK per EUR used to convert ENTSO-E's EUR/MWh (hvakosterstrommen sends its own rate).
    "PRICING_EUR_NOK_RATE": ("11.70", Decimal),
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

# The market (delivery) day of the day-ahead auction is a CET/CEST calendar day.
MARKET_TIME_ZONE = "Europe/Oslo"
# Delivery days from this date are traded in 15-minute intervals (SDAC go-live); hourly before.
QUARTER_HOUR_FROM = dt.date(2025, 10, 1)

# --- Customer prices (NOK/kWh, excluding VAT unless named otherwise) -----------------------------
VAT_RATE = Decimal("0.25")
VAT_EXEMPT_AREAS = frozenset({"NO4"})
NORGESPRIS_NOK_PER_KWH = Decimal("0.40")
DEFAULT_MARKUP_NOK_PER_KWH = Decimal("0.0490")
DEFAULT_GRID_DAY_NOK_PER_KWH = Decimal("0.3640")
DEFAULT_GRID_NIGHT_NOK_PER_KWH = Decimal("0.2640")
DEFAULT_GRID_DAY_STARTS_HOUR = 6
DEFAULT_GRID_DAY_ENDS_HOUR = 22
# Capacity steps of the grid tariff: [from kW, to kW (None = no upper bound), NOK per month].
DEFAULT_CAPACITY_STEPS = [
    [0, 2, 104],
    [2, 5, 152],
    [5, 10, 244],
    [10, 15, 384],
    [15, 20, 512],
    [20, 25, 616],
    [25, 50, 1040],
    [50, 75, 1576],
    [75, 100, 2096],
    [100, None, 3136],
]
# Electricity tax (forbruksavgift) by date it takes effect, and the Enova fee, per kWh ex VAT.
ELECTRICITY_TAX_NOK_PER_KWH = [
    (dt.date(2024, 1, 1), Decimal("0.0951")),
    (dt.date(2024, 4, 1), Decimal("0.1644")),
    (dt.date(2025, 1, 1), Decimal("0.1253")),
    (dt.date(2026, 1, 1), Decimal("0.0713")),
]
ENOVA_FEE_NOK_PER_KWH = Decimal("0.0100")
# Electricity subsidy (strømstøtte): this share of the spot price above the threshold (ex VAT).
SUBSIDY_SHARE = Decimal("0.90")
SUBSIDY_THRESHOLD_NOK_PER_KWH = [
    (dt.date(2024, 1, 1), Decimal("0.7300")),
    (dt.date(2025, 1, 1), Decimal("0.7500")),
]


def dated_value(table, day: dt.date) -> Decimal:
    """The value of a (from date, value) table in force on `day` (the first one before any date)."""
    value = table[0][1]
    for starts, candidate in table:
        if starts <= day:
            value = candidate
    return value


def __getattr__(name: str):
    if name in _ENV_DEFAULTS:
        default, kind = _ENV_DEFAULTS[name]
        raw = getattr(settings, name, None)
        if raw is None:
            raw = os.environ.get(name, default)
        return kind(raw)
    if name == "FETCH_AREAS":
        return tuple(getattr(settings, "PRICING_FETCH_AREAS", FETCH_AREAS_DEFAULT))
    raise AttributeError(name)


# --- Invoices --------------------------------------------------------------------------------------
# Invoice numbers are INVOICE_NO_START + the row's id; the KID is the number with a MOD10 check digit.
INVOICE_NO_START = 10_000_000
INVOICE_DUE_DAYS = 14
INVOICE_TYPE = "Invoice"
INVOICE_ISSUER = "eSmart Energi AS"
# How long the signed PdfUrl of an invoice stays valid.
INVOICE_PDF_TOKEN_SECONDS = 600
INVOICE_PDF_TOKEN_SALT = "apps.pricing.invoice-pdf"
# POST .../expenseoverview: the longest period (the year before is read as well).
EXPENSE_OVERVIEW_MAX_DAYS = 732
