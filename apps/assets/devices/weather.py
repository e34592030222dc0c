"""Weather-station assets: which station observes an asset's weather.

The observations themselves are metering's (`apps.metering.weather` adapters fill
`metering.WeatherObservation` hourly); a weather-station asset links the asset graph to one
`metering.WeatherStation`, so the asset routes read the same rows the consumption graphs use.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from types import SimpleNamespace
from typing import TypeVar

from django.db import transaction

from apps.metering.public import WeatherObservation, WeatherStation

from ..graph import selectors
from ..models.devices import WeatherStationAsset
from ..models.graph import Asset, AssetType, RelationType

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


# --- Reads ------------------------------------------------------------------------------------


def station_assets():
    return WeatherStationAsset.objects.select_related("asset", "station").order_by("asset_id")


def blindern() -> WeatherStationAsset | None:
    """The Oslo - Blindern station's asset, if it is set up."""
    return station_assets().filter(station__code=BLINDERN_STATION_CODE).first()


def _located(asset) -> tuple[float, float] | None:
    if asset.latitude is None or asset.longitude is None:
        return None
    return (asset.latitude, asset.longitude)


def location_of(asset: Asset) -> tuple[float, float] | None:
    """The asset's location, else that of its nearest located ancestor in either hierarchy (fewest
    levels up; location before network on a tie). Two ancestor queries at most."""
    own = _located(asset)
    if own is not None:
        return own
    best: tuple[int, tuple[float, float]] | None = None
    for relation_type in (RelationType.Location, RelationType.Network):
        path = selectors.ancestors(asset_id=asset.pk, relation_type=relation_type)  # root first
        for ancestor in reversed(path):
            point = _located(ancestor)
            if point is not None:
                if best is None or ancestor.tree_depth < best[0]:
                    best = (ancestor.tree_depth, point)
                break
    return None if best is None else best[1]


def nearest_station(*, asset: Asset) -> WeatherStationAsset | None:
    """The weather-station asset nearest to the asset (or its nearest located ancestor), with
    `distance_km` set; None when there is no location or no station."""
    origin = location_of(asset)
    if origin is None:
        return None
    candidates = []
    for link in station_assets():
        point = _located(link.asset) or (link.station.latitude, link.station.longitude)
        candidates.append((link, *point))
    found = nearest(origin, candidates)
    if found is None:
        return None
    link, distance = found
    link.distance_km = round(distance, 3)
    return link


def with_last_observation(link: WeatherStationAsset) -> WeatherStationAsset:
    """Sets `last_observation` (value_time, value) from metering's stored observations, or None."""
    row = (
        WeatherObservation.objects.filter(station_id=link.station_id)
        .order_by("-observed_at")
        .values_list("observed_at", "temperature")
        .first()
    )
    link.last_observation = None if row is None else SimpleNamespace(value_time=row[0], value=row[1])
    if not hasattr(link, "distance_km"):
        link.distance_km = None
    return link


# --- Writes -----------------------------------------------------------------------------------


@transaction.atomic
def ensure_station_asset(*, station: WeatherStation) -> WeatherStationAsset:
    """The asset of a metering weather station, created on first use (idempotent)."""
    link = WeatherStationAsset.objects.select_related("asset").filter(station=station).first()
    if link is not None:
        return link
    asset = Asset.objects.create(
        asset_type=AssetType.WeatherStation,
        name=station.name,
        external_id=station.code,
        latitude=station.latitude,
        longitude=station.longitude,
    )
    return WeatherStationAsset.objects.create(asset=asset, station=station)
