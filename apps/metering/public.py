"""What other apps may import from the metering app (docs/architecture.md): the one door in.

Re-exports only; the names live in the app's own modules."""

from .api.serializers import EARLIEST, LATEST, ConsumptionRequestSerializer, TimeZoneField
from .capacity import register_capacity_rule
from .models import LiveValue, Quality, Resolution, TimeSeriesType, WeatherObservation, WeatherStation
from .selectors import consumption_series
from .series import consumption, consumption_of_meters, has_quarter_hours
from .services import ensure_default_stations
from .timeseries import bucket_floor, window

__all__ = [
    "EARLIEST",
    "LATEST",
    "ConsumptionRequestSerializer",
    "LiveValue",
    "Quality",
    "Resolution",
    "TimeSeriesType",
    "TimeZoneField",
    "WeatherObservation",
    "WeatherStation",
    "bucket_floor",
    "consumption",
    "consumption_of_meters",
    "consumption_series",
    "ensure_default_stations",
    "has_quarter_hours",
    "register_capacity_rule",
    "window",
]
