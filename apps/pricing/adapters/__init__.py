"""Sources of day-ahead spot prices, chosen by `conf.SPOT_PRICE_SOURCE` (demo by default).

Every source answers `fetch_day(zone=, day=)` with a `DayPrices` for one market (CET) day, or
raises `PriceNotPublishedError` (the auction result is not out yet) or `SourceError`.
"""

from __future__ import annotations

from .. import conf
from .base import DayPrices, IntervalPrice, PriceNotPublishedError, PriceSource, SourceError, market_day_bounds

__all__ = [
    "SOURCES",
    "DayPrices",
    "IntervalPrice",
    "PriceNotPublishedError",
    "PriceSource",
    "SourceError",
    "get_source",
    "market_day_bounds",
]


def _demo():
    from .demo import DemoSource

    return DemoSource()


def _entsoe():
    from ..exchange import eur_nok_for
    from .entsoe import EntsoeSource

    return EntsoeSource(
        token=conf.ENTSOE_API_TOKEN,
        url=conf.ENTSOE_API_URL,
        timeout=conf.PRICING_HTTP_TIMEOUT_SECONDS,
        rate_for_day=eur_nok_for,
    )


def _hvakosterstrommen():
    from .hvakosterstrommen import HvaKosterStrommenSource

    return HvaKosterStrommenSource(url=conf.HVAKOSTERSTROMMEN_API_URL, timeout=conf.PRICING_HTTP_TIMEOUT_SECONDS)


SOURCES = {"demo": _demo, "entsoe": _entsoe, "hvakosterstrommen": _hvakosterstrommen}


def get_source(name: str | None = None) -> PriceSource:
    name = (name or conf.SPOT_PRICE_SOURCE).strip().lower()
    try:
        factory = SOURCES[name]
    except KeyError:
        raise SourceError(f"Unknown SPOT_PRICE_SOURCE {name!r}; choose one of {sorted(SOURCES)}.") from None
    return factory()
