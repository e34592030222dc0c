"""The EUR/NOK rate of a delivery day for ENTSO-E's EUR prices, stored per day (ExchangeRate).

`PRICING_EXCHANGE_RATE_SOURCE`: "norgesbank" (default: Norges Bank's daily rate; on weekends and
holidays the last business day's) or "fixed" (`PRICING_EUR_NOK_RATE`, no network). A stored day is reused,
so a day's prices and its rate stay together.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from . import conf
from .adapters.base import SourceError
from .models import ExchangeRate


def eur_nok_for(day: dt.date) -> Decimal:
    source = conf.PRICING_EXCHANGE_RATE_SOURCE.strip().lower()
    if source == "fixed":
        return conf.PRICING_EUR_NOK_RATE
    if source != "norgesbank":
        raise SourceError(f"Unknown PRICING_EXCHANGE_RATE_SOURCE {source!r}; choose fixed or norgesbank.")
    stored = ExchangeRate.objects.filter(delivery_date=day).first()
    if stored is not None:
        return stored.nok_per_eur
    from .adapters.norgesbank import NAME, NorgesBankRates

    observed, rate = NorgesBankRates(url=conf.NORGES_BANK_API_URL, timeout=conf.PRICING_HTTP_TIMEOUT_SECONDS).rate_for(
        day
    )
    row, _ = ExchangeRate.objects.update_or_create(
        delivery_date=day, defaults={"nok_per_eur": rate, "observed_on": observed, "source": NAME}
    )
    return row.nok_per_eur
