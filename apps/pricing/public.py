"""What other apps may import from the pricing app (docs/architecture.md): the one door in.

Re-exports only; the names live in the app's own modules."""

from .adapters.base import market_date
from .areas import UnknownAreaError, zone
from .consumption import has_quarter_hours
from .consumption import series as consumption_series
from .models import SpotPriceDay
from .selectors import (
    DEFAULT_PRICE_AREA,
    DEFAULT_TIME_ZONE,
    consumer_of,
    first_point_of,
    meter_costs,
    price_plan_of,
    spot_rows,
    unit_prices,
)
from .services import fetch_missing_spot_days

__all__ = [
    "DEFAULT_PRICE_AREA",
    "DEFAULT_TIME_ZONE",
    "SpotPriceDay",
    "UnknownAreaError",
    "consumer_of",
    "consumption_series",
    "fetch_missing_spot_days",
    "first_point_of",
    "has_quarter_hours",
    "market_date",
    "meter_costs",
    "price_plan_of",
    "spot_rows",
    "unit_prices",
    "zone",
]
