"""The great-circle distance and the nearest-station choice (pure functions, no database)."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from apps.assets.devices.weather import EARTH_RADIUS_KM, great_circle_km, nearest

BLINDERN = (59.9423, 10.72)
BERGEN_FLORIDA = (60.3837, 5.3327)
TROMSO = (69.6537, 18.9368)

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)


def test_known_distances():
    # Oslo-Blindern to Bergen-Florida, checked against the spherical law of cosines.
    (lat1, lon1), (lat2, lon2) = (map(math.radians, p) for p in (BLINDERN, BERGEN_FLORIDA))
    cosines = EARTH_RADIUS_KM * math.acos(
        math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(lon2 - lon1)
    )
    assert great_circle_km(*BLINDERN, *BERGEN_FLORIDA) == pytest.approx(cosines, rel=1e-9)
    assert round(cosines) == 302
    # A quarter of a meridian, and half the equator.
    assert great_circle_km(0, 0, 90, 0) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)
    assert great_circle_km(0, 0, 0, 180) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_the_date_line_is_not_the_far_side():
    assert great_circle_km(0, 179.5, 0, -179.5) == pytest.approx(111.2, abs=0.1)


@given(latitudes, longitudes, latitudes, longitudes)
def test_symmetric_bounded_and_zero_on_itself(lat1, lon1, lat2, lon2):
    d = great_circle_km(lat1, lon1, lat2, lon2)
    assert d == pytest.approx(great_circle_km(lat2, lon2, lat1, lon1), abs=1e-6)
    assert 0 <= d <= math.pi * EARTH_RADIUS_KM + 1e-6
    assert great_circle_km(lat1, lon1, lat1, lon1) == pytest.approx(0, abs=1e-6)


def test_nearest_picks_the_closest_and_reports_the_distance():
    stations = [("tromso", *TROMSO), ("bergen", *BERGEN_FLORIDA), ("blindern", *BLINDERN)]
    lillehammer = (61.115, 10.466)
    item, distance = nearest(lillehammer, stations)
    assert item == "blindern"
    assert distance == pytest.approx(great_circle_km(*lillehammer, *BLINDERN))
    assert nearest((60.39, 5.33), stations)[0] == "bergen"


def test_nearest_ties_go_to_the_first_and_none_without_candidates():
    assert nearest((0, 0), [("east", 0, 1), ("west", 0, -1)])[0] == "east"
    assert nearest((0, 0), []) is None
