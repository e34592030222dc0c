"""POST .../meters/{meterId}/consumption and POST api/customers/{customerId}/asset/{assetId}/consumption."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.metering import services

from .helpers import load_hours, oslo_midnight, stored_values, utc

pytestmark = pytest.mark.django_db


def meter_url(owner, meter=None):
    meter = meter or owner.meter
    return (
        f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/{meter.meter_id}/consumption"
    )


def asset_url(owner, meter=None):
    return f"/api/customers/{owner.customer.pk}/asset/{(meter or owner.meter).asset.pk}/consumption"


BODY = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-30T22:00:00", "Resolution": 7}


class TestConsumption:
    def test_hourly_series_of_the_spring_day(self, owner):
        load_hours(owner.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22), skip={utc(2025, 3, 30, 5)})
        response = owner.client().post(meter_url(owner), BODY, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["Resolution"] == 7 and body["Unit"] == "kWh"
        assert len(body["Values"]) == 23
        assert body["Values"][0] == {"ValueTime": "2025-03-29T23:00:00", "Value": 1.0, "Status": 0}
        assert body["Values"][6] == {"ValueTime": "2025-03-30T05:00:00", "Value": None, "Status": 4000}
        assert "LastYear" not in body and "Temperatures" not in body

    def test_daily_series_in_local_calendar(self, owner):
        load_hours(owner.meter, utc(2025, 10, 24), utc(2025, 10, 28))
        body = {"FromTime": "2025-10-25T22:00:00Z", "ToTime": "2025-10-27T23:00:00Z", "Resolution": 20}
        response = owner.client().post(meter_url(owner), body, format="json")
        assert response.status_code == 200
        assert response.json()["Values"] == [
            {"ValueTime": "2025-10-25T22:00:00", "Value": 25.0, "Status": 0},
            {"ValueTime": "2025-10-26T23:00:00", "Value": 24.0, "Status": 0},
        ]

    def test_offsets_in_input_and_time_zone_override(self, owner):
        load_hours(owner.meter, utc(2025, 6, 1), utc(2025, 6, 3))
        body = {"FromTime": "2025-06-01T02:00:00+02:00", "ToTime": "2025-06-02T00:00:00Z", "Resolution": 20}
        response = owner.client().post(meter_url(owner), {**body, "TimeZone": "UTC"}, format="json")
        assert response.json()["Values"] == [
            {"ValueTime": "2025-06-01T00:00:00", "Value": 24.0, "Status": 0},
        ]

    def test_last_year_and_weather(self, owner):
        load_hours(owner.meter, oslo_midnight(2024, 3, 30), oslo_midnight(2024, 3, 31), value="2")
        load_hours(owner.meter, oslo_midnight(2025, 3, 30), oslo_midnight(2025, 3, 31))
        body = {"FromTime": "2025-03-29T23:00:00", "ToTime": "2025-03-30T22:00:00", "Resolution": 20}
        response = owner.client().post(
            meter_url(owner), {**body, "IncludeLastYear": True, "IncludeWeather": True}, format="json"
        )
        assert response.status_code == 200
        data = response.json()
        assert data["Values"] == [{"ValueTime": "2025-03-29T23:00:00", "Value": 23.0, "Status": 0}]
        assert data["LastYear"] == [{"ValueTime": "2024-03-29T23:00:00", "Value": 48.0, "Status": 0}]
        assert data["TemperatureUnit"] == "°C"
        assert data["Temperatures"] == [{"ValueTime": "2025-03-29T23:00:00", "Value": None, "Status": 4000}]

    def test_asset_route_serves_the_same_series(self, owner):
        load_hours(owner.meter, utc(2025, 3, 29, 23), utc(2025, 3, 30, 22))
        by_meter = owner.client().post(meter_url(owner), BODY, format="json").json()
        by_asset = owner.client().post(asset_url(owner), BODY, format="json")
        assert by_asset.status_code == 200
        assert by_asset.json() == by_meter

    def test_queries_do_not_grow_with_the_range(self, owner):
        load_hours(owner.meter, utc(2025, 1, 1), utc(2025, 3, 1))
        client = owner.client()
        client.post(meter_url(owner), BODY, format="json")  # warm the credential cache
        counts = []
        for to_time in ("2025-01-02T00:00:00", "2025-03-01T00:00:00"):
            with CaptureQueriesContext(connection) as queries:
                response = client.post(
                    meter_url(owner),
                    {"FromTime": "2025-01-01T00:00:00", "ToTime": to_time, "Resolution": 7},
                    format="json",
                )
            assert response.status_code == 200
            counts.append(len(queries))
        assert counts[0] == counts[1]
        assert len(response.json()["Values"]) == 59 * 24


class TestConsumptionErrors:
    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"Resolution": 8}, "Resolution"),
            ({"Resolution": "Fortnight"}, "Resolution"),
            ({"Resolution": None}, "Resolution"),
            ({"ToTime": "2025-03-29T23:00:00"}, "ToTime"),
            ({"ToTime": "2025-03-29T22:00:00"}, "ToTime"),
            ({"FromTime": "yesterday"}, "FromTime"),
            ({"FromTime": "2015-01-01T00:00:00"}, "ToTime"),  # ten years hourly is too many values
            ({"TimeZone": "Mars/Olympus"}, "TimeZone"),
            ({"IncludeLastYear": "perhaps"}, "IncludeLastYear"),
        ],
    )
    def test_bad_bodies_are_400(self, owner, change, field):
        response = owner.client().post(meter_url(owner), {**BODY, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()["ModelState"]

    def test_missing_fields_are_400(self, owner):
        response = owner.client().post(meter_url(owner), {}, format="json")
        assert response.status_code == 400
        assert set(response.json()["ModelState"]) == {"FromTime", "ToTime", "Resolution"}

    def test_wrong_contract_in_the_path_is_404(self, owner):
        url = f"/api/customers/{owner.customer.pk}/contracts/1/meters/{owner.meter.meter_id}/consumption"
        assert owner.client().post(url, BODY, format="json").status_code == 404


class TestImportAndServe:
    def test_values_loaded_by_csv_are_served(self, owner):
        lines = ["meter_id,start_at,value,status", f"{owner.meter.meter_id},2025-03-30T00:00:00Z,1.5,0"]
        services.load_readings(services.parse_interval_csv(lines))
        assert len(stored_values(owner.meter)) == 1
        body = {"FromTime": "2025-03-30T00:00:00", "ToTime": "2025-03-30T01:00:00", "Resolution": 7}
        values = owner.client().post(meter_url(owner), body, format="json").json()["Values"]
        assert values == [{"ValueTime": "2025-03-30T00:00:00", "Value": 1.5, "Status": 0}]
