"""Weather-station assets: api/assets/wheaterobservation/blindern and .../{assetId}/wheaterobservation/nearest,
reading the observations metering's file adapter loads from recorded Frost documents."""

import datetime as dt
from pathlib import Path

import pytest

from apps.assets.devices import weather
from apps.assets.graph import services
from apps.assets.models import Asset, AssetType, RelationType
from apps.metering import services as metering
from tests.assets.factories import AssetFactory

from ..conftest import make_owner
from .devices_world import build, home, weather_stations

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent.parent / "fixtures"
DAY = (dt.datetime(2025, 3, 29, 23, tzinfo=dt.UTC), dt.datetime(2025, 3, 30, 22, tzinfo=dt.UTC))


@pytest.fixture
def stations(settings):
    blindern, bergen = weather_stations()
    settings.METERING_WEATHER_ADAPTER = "file"
    settings.METERING_WEATHER_DIR = str(FIXTURES / "metering" / "weather")
    metering.fetch_observations(station=blindern.station, start=DAY[0], end=DAY[1])
    settings.METERING_WEATHER_DIR = str(FIXTURES / "assets" / "weather")
    metering.fetch_observations(station=bergen.station, start=DAY[0], end=DAY[1])
    return blindern, bergen


class TestBlindern:
    url = "/api/assets/wheaterobservation/blindern"

    def test_the_station_with_its_latest_observation(self, owner, stations):
        blindern, _ = stations
        response = owner.client().get(self.url)
        assert response.status_code == 200
        assert response.json() == {
            "AssetId": blindern.asset_id,
            "Name": "Oslo - Blindern",
            "StationId": "SN18700",
            "Latitude": 59.9423,
            "Longitude": 10.72,
            "DistanceKm": None,
            "LastObservation": {"ValueTime": "2025-03-30T21:00:00", "Value": 0.0},  # the document's last hour
        }

    def test_without_observations_the_last_one_is_null(self, owner):
        weather_stations()
        assert owner.client().get(self.url).json()["LastObservation"] is None

    def test_not_set_up_is_404_and_no_credentials_401(self, owner, anonymous):
        assert owner.client().get(self.url).status_code == 404
        weather_stations()
        assert anonymous.get(self.url).status_code == 401

    def test_setting_up_a_station_asset_is_idempotent(self, db):
        first, _ = weather_stations()
        again, _ = weather_stations()
        assert first.pk == again.pk
        assert Asset.objects.filter(asset_type=AssetType.WeatherStation).count() == 2


class TestNearest:
    def url(self, asset):
        return f"/api/assets/{asset.pk}/wheaterobservation/nearest"

    def test_an_asset_with_its_own_location(self, owner, stations):
        world = build(owner)
        _, bergen = stations
        world.building.latitude, world.building.longitude = 60.39, 5.32  # central Bergen
        world.building.save()
        response = owner.client().get(self.url(world.building))
        assert response.status_code == 200
        body = response.json()
        assert (body["AssetId"], body["StationId"]) == (bergen.asset_id, "SN50540")
        assert body["DistanceKm"] == pytest.approx(weather.great_circle_km(60.39, 5.32, 60.3837, 5.3327), abs=0.001)
        assert body["LastObservation"] == {"ValueTime": "2025-03-30T11:00:00", "Value": 5.4}

    def test_an_unlocated_asset_uses_its_nearest_located_ancestor(self, owner, stations):
        world = build(owner)
        blindern, bergen = stations
        # The meter has no location; its network path substation (59.9, 10.7, Oslo) → feeder → transformer.
        assert world.meter.latitude is None
        assert owner.client().get(self.url(world.meter)).json()["AssetId"] == blindern.asset_id
        # A nearer located ancestor wins: the transformer, two levels closer, is in Bergen.
        world.transformer.latitude, world.transformer.longitude = 60.38, 5.33
        world.transformer.save()
        assert owner.client().get(self.url(world.meter)).json()["AssetId"] == bergen.asset_id

    def test_location_before_network_at_the_same_depth(self, owner, stations):
        world = build(owner)
        blindern, bergen = stations
        world.apartment.latitude, world.apartment.longitude = 60.38, 5.33  # the meter's location parent
        world.apartment.save()
        world.transformer.latitude, world.transformer.longitude = 59.94, 10.72  # its network parent
        world.transformer.save()
        assert owner.client().get(self.url(world.meter)).json()["AssetId"] == bergen.asset_id

    def test_no_location_anywhere_is_404(self, owner, stations):
        loose = AssetFactory(asset_type=AssetType.Meter, name="Loose", delivery_point=owner.delivery_point)
        response = owner.client().get(self.url(loose))
        assert response.status_code == 404
        assert "location" in response.json()["Message"]

    def test_a_customer_asks_for_their_own_device(self, db, stations):
        customer = make_owner()
        mine = home(customer)
        located = AssetFactory(
            asset_type=AssetType.Building, name="House", latitude=60.4, longitude=5.3, delivery_point=None
        )
        services.relate(parent=located, child=mine.device.asset, relation_type=RelationType.Location)
        response = customer.client().get(self.url(mine.device.asset))
        assert response.status_code == 200
        assert response.json()["StationId"] == "SN50540"

    def test_another_organisations_asset_is_404_and_no_credentials_401(self, owner, other, stations, anonymous):
        build(owner)
        theirs = build(other)
        assert owner.client().get(self.url(theirs.substation)).status_code == 404
        assert owner.client().get("/api/assets/999999999/wheaterobservation/nearest").status_code == 404
        assert anonymous.get(self.url(theirs.substation)).status_code == 401

    def test_query_count_does_not_grow_with_depth_or_stations(self, owner, stations, django_assert_num_queries):
        world = build(owner)
        parent = world.substation
        for level in range(30):
            child = AssetFactory(asset_type=AssetType.Feeder, name=f"L{level}")
            services.relate(parent=parent, child=child, relation_type=RelationType.Network)
            parent = child
        client = owner.client()
        client.get(self.url(parent))
        # user, asset in scope, two ancestor walks, stations, last observation
        with django_assert_num_queries(6):
            assert client.get(self.url(parent)).json()["StationId"] == "SN18700"
