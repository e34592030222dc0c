"""Weather: the file adapter on a recorded Frost document, the fetch task, POST api/meters/{meterId}/temperatures."""

from pathlib import Path

import pytest

from apps.metering import services, tasks
from apps.metering.models import WeatherObservation
from apps.metering.weather import FileWeatherAdapter, demo_temperature
from tests.metering.factories import MeterSettingsFactory, WeatherStationFactory

from .helpers import oslo_midnight, utc

pytestmark = pytest.mark.django_db

WEATHER_DIR = Path(__file__).parent.parent / "fixtures" / "metering" / "weather"
BODY = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-30T22:00:00", "Resolution": 20}


@pytest.fixture
def file_weather(settings):
    settings.METERING_WEATHER_ADAPTER = "file"
    settings.METERING_WEATHER_DIR = str(WEATHER_DIR)


@pytest.fixture
def oslo_station(db):
    return next(s for s in services.ensure_default_stations() if s.code == "SN18700")


def test_file_adapter_reads_frost_observations():
    rows = FileWeatherAdapter(WEATHER_DIR).hourly_temperatures(
        code="SN18700", start=utc(2025, 3, 30, 0), end=utc(2025, 3, 30, 3)
    )
    assert rows == [(utc(2025, 3, 30, 0), -1.5), (utc(2025, 3, 30, 1), -2.0), (utc(2025, 3, 30, 2), -1.9)]
    assert (
        FileWeatherAdapter(WEATHER_DIR).hourly_temperatures(code="SN0", start=utc(2025, 1, 1), end=utc(2026, 1, 1))
        == []
    )


def test_demo_climate_is_colder_in_winter():
    assert demo_temperature("SN18700", utc(2025, 1, 25, 12)) < demo_temperature("SN18700", utc(2025, 7, 20, 12))


def test_fetch_task_stores_observations_idempotently(oslo_station, file_weather, monkeypatch):
    monkeypatch.setattr(tasks.timezone, "now", lambda: utc(2025, 3, 30, 21, 30))
    assert tasks.fetch_weather.delay(hours=48).get() == 23
    assert tasks.fetch_weather.delay(hours=48).get() == 23
    assert WeatherObservation.objects.count() == 23


class TestTemperaturesApi:
    def url(self, meter):
        return f"/api/meters/{meter.meter_id}/temperatures"

    def test_daily_mean_of_the_price_area_station(self, owner, oslo_station, file_weather):
        services.fetch_observations(
            station=oslo_station, start=oslo_midnight(2025, 3, 30), end=oslo_midnight(2025, 3, 31)
        )
        response = owner.client().post(self.url(owner.meter), BODY, format="json")
        assert response.status_code == 200
        assert response.json() == {
            "Resolution": 20,
            "Unit": "°C",
            "Values": [{"ValueTime": "2025-03-29T23:00:00", "Value": 2.2, "Status": 0}],
        }

    def test_hourly_with_the_pinned_station_and_gaps(self, owner, file_weather):
        station = WeatherStationFactory(code="SN18700", name="Blindern", latitude=59.9, longitude=10.7)
        MeterSettingsFactory(meter=owner.meter, weather_station=station)
        services.fetch_observations(station=station, start=utc(2025, 3, 30, 0), end=utc(2025, 3, 30, 2))
        body = {"FromTime": "2025-03-30T00:00:00", "ToTime": "2025-03-30T03:00:00", "Resolution": 7}
        assert owner.client().post(self.url(owner.meter), body, format="json").json()["Values"] == [
            {"ValueTime": "2025-03-30T00:00:00", "Value": -1.5, "Status": 0},
            {"ValueTime": "2025-03-30T01:00:00", "Value": -2.0, "Status": 0},
            {"ValueTime": "2025-03-30T02:00:00", "Value": None, "Status": 4000},
        ]

    def test_no_station_is_all_missing(self, owner):
        values = owner.client().post(self.url(owner.meter), BODY, format="json").json()["Values"]
        assert values == [{"ValueTime": "2025-03-29T23:00:00", "Value": None, "Status": 4000}]

    def test_consumption_includes_the_weather(self, owner, oslo_station, file_weather):
        services.fetch_observations(
            station=oslo_station, start=oslo_midnight(2025, 3, 30), end=oslo_midnight(2025, 3, 31)
        )
        url = (
            f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
            f"/meters/{owner.meter.meter_id}/consumption"
        )
        body = owner.client().post(url, {**BODY, "IncludeWeather": True}, format="json").json()
        assert body["Temperatures"] == [{"ValueTime": "2025-03-29T23:00:00", "Value": 2.2, "Status": 0}]

    @pytest.mark.parametrize("change", [{"Resolution": 8}, {"ToTime": "2025-03-01T00:00:00"}, {"FromTime": None}])
    def test_bad_bodies_are_400(self, owner, change):
        assert owner.client().post(self.url(owner.meter), {**BODY, **change}, format="json").status_code == 400
