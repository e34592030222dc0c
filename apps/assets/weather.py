"""Weather-station assets: which station observes an asset's weather.

The observations themselves are metering's (`apps.metering.weather` adapters fill
`metering.WeatherObservation` hourly); a weather-station asset links the asset graph to one
`metering.WeatherStation`, so the asset routes read the same rows the consumption graphs use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TypeVar

# Oslo - Blindern, MET Norway's reference station (the seed's api/assets/wheaterobservation/blindern).
BLINDERN_STATION_CODE = "SN18700"

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius

T = TypeVar("T")


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance along the earth's surface in km (haversine; well-conditioned for short distances)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def nearest(origin: tuple[float, float], candidates: Iterable[tuple[T, float, float]]) -> tuple[T, float] | None:
    """The candidate `(item, latitude, longitude)` closest to `origin`, with its distance in km.

    Ties go to the candidate listed first, so callers pass a stable order and get a stable answer.
    None when there are no candidates.
    """
    best: tuple[T, float] | None = None
    for item, latitude, longitude in candidates:
        distance = great_circle_km(origin[0], origin[1], latitude, longitude)
        if best is None or distance < best[1]:
            best = (item, distance)
    return best
