"""POST .../meters/{meterId}/comparedwithothers: the meter beside comparable meters, from the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.models import DeliveryPoint
from apps.metering.models import MeterSettings
from tests.factories import DeliveryPointFactory, MeterFactory

from .helpers import load_hours, oslo_midnight

pytestmark = pytest.mark.django_db

BODY = {"FromTime": "2025-01-31T23:00:00", "ToTime": "2025-02-02T23:00:00", "Resolution": 20}


def url(owner, meter=None) -> str:
    meter = meter or owner.meter
    return (
        f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
        f"/meters/{meter.meter_id}/comparedwithothers"
    )


def neighbour(value: str, price_area=DeliveryPoint.PriceArea.NO1, heating_area=None):
    meter = MeterFactory(delivery_point=DeliveryPointFactory(price_area=price_area))
    load_hours(meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), value=value)
    if heating_area:
        MeterSettings.objects.create(meter=meter, heating_area=heating_area)
    return meter


class TestCompared:
    def test_meter_beside_its_price_area(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), value="2")
        for value in ("1", "3", "4", "5"):
            neighbour(value)
        neighbour("0.1", price_area=DeliveryPoint.PriceArea.NO4)  # another price area: not comparable
        response = owner.client().post(url(owner), BODY, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["MeterAverage"] == [
            {"ValueTime": "2025-01-31T23:00:00", "Value": 48.0, "Status": 0},
            {"ValueTime": "2025-02-01T23:00:00", "Value": 48.0, "Status": 0},
        ]
        assert [v["Value"] for v in body["ReferenceGroupAverage"]] == [78.0, 78.0]  # mean of 1, 3, 4, 5 × 24
        assert [v["Value"] for v in body["EfficientsAverage"]] == [24.0, 24.0]  # the lowest quarter: 1 × 24
        assert body["Score"] == 75  # three of four used more
        assert body["ReferenceGroupComparisonPercentage"] == round(100 * 2 / 3.25)
        assert body["EfficientComparisonPercentage"] == 200
        assert body["Scores"] == [
            {"ValueTime": "2025-01-31T23:00:00", "Score": 75},
            {"ValueTime": "2025-02-01T23:00:00", "Score": 75},
        ]
        assert body["ReferenceGroupSize"] == 4

    def test_similar_buildings_are_preferred(self, owner):
        MeterSettings.objects.create(meter=owner.meter, heating_area=100)
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), value="2")
        for _ in range(5):
            neighbour("3", heating_area=110)
        neighbour("9", heating_area=400)
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert body["ReferenceGroupSize"] == 5
        assert body["ReferenceGroupAverage"][0]["Value"] == 72.0

    def test_no_data_and_no_group(self, owner):
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert body["Score"] == 0 and body["Scores"] == [] and body["ReferenceGroupSize"] == 0
        assert {v["Status"] for v in body["MeterAverage"] + body["ReferenceGroupAverage"]} == {4000}

    def test_queries_do_not_grow_with_the_group(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), value="2")
        neighbour("1")
        client = owner.client()
        client.post(url(owner), BODY, format="json")
        with CaptureQueriesContext(connection) as few:
            client.post(url(owner), BODY, format="json")
        for value in ("3", "4", "5"):
            neighbour(value)
        with CaptureQueriesContext(connection) as many:
            assert client.post(url(owner), BODY, format="json").json()["ReferenceGroupSize"] == 4
        assert len(few) == len(many)

    @pytest.mark.parametrize("change", [{"Resolution": 5}, {"Resolution": 0}, {"ToTime": "2025-01-01T00:00:00"}])
    def test_bad_bodies_are_400(self, owner, change):
        assert owner.client().post(url(owner), {**BODY, **change}, format="json").status_code == 400

    def test_another_users_meter_is_404_and_anonymous_401(self, owner, other, anonymous):
        assert owner.client().post(url(owner, other.meter), BODY, format="json").status_code == 404
        assert anonymous.post(url(owner), BODY, format="json").status_code == 401
