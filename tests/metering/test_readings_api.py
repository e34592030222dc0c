"""GET and POST api/customers/{customerId}/deliverypoints/{deliveryPointId}/readings."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.metering.models import ManualReading
from apps.metering.services import record_reading
from tests.clock import TEST_NOW

pytestmark = pytest.mark.django_db

TODAY = TEST_NOW.astimezone(ZoneInfo("Europe/Oslo")).date()


def url(owner) -> str:
    return f"/api/customers/{owner.customer.pk}/deliverypoints/{owner.delivery_point.pk}/readings"


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


class TestPost:
    def test_saves_a_reading_and_its_consumption(self, owner):
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(30), value=12000)
        body = {"CustomerId": owner.customer.pk, "ReadingDate": days_ago(1).isoformat(), "Value": 12450}
        response = owner.client().post(url(owner), body, format="json")
        assert response.status_code == 200
        assert response.json() == {
            "DeliveryPointId": str(owner.delivery_point.pk),
            "MeterNo": owner.meter.meter_no,
            "MeterUnit": "kWh",
            "ReadingDate": f"{days_ago(1).isoformat()}T00:00:00",
            "Value": 12450,
            "Consumption": 450,
            "Reader": "Customer",
            "Constant": "1",
            "NumberOfDigits": 6,
            "NumberOfDecimals": 0,
            "ResponseStatus": {"ErrorCode": None, "Message": None, "StackTrace": None},
        }

    def test_accepts_a_date_and_time(self, owner):
        body = {"ReadingDate": f"{days_ago(2).isoformat()}T23:30:00Z", "Value": 5}
        response = owner.client().post(url(owner), body, format="json")
        assert response.status_code == 200
        # 00:30 or 01:30 in Oslo: the next day
        assert response.json()["ReadingDate"] == f"{days_ago(1).isoformat()}T00:00:00"

    def test_a_back_dated_reading_splits_the_next_ones_consumption(self, owner):
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(20), value=100)
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(2), value=300)
        response = owner.client().post(
            url(owner), {"ReadingDate": days_ago(10).isoformat(), "Value": 250}, format="json"
        )
        assert response.json()["Consumption"] == 150
        assert ManualReading.objects.get(reading_date=days_ago(2)).consumption == 50

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"ReadingDate": (TODAY + dt.timedelta(days=1)).isoformat(), "Value": 2000}, "ReadingDate"),
            ({"ReadingDate": days_ago(1).isoformat(), "Value": 999}, "Value"),  # below the previous 1000
            ({"ReadingDate": days_ago(40).isoformat(), "Value": 1500}, "Value"),  # above the later 1000
            ({"ReadingDate": days_ago(1).isoformat(), "Value": -1}, "Value"),
            ({"ReadingDate": "soon", "Value": 2000}, "ReadingDate"),
            ({"Value": 2000}, "ReadingDate"),
            ({"ReadingDate": days_ago(1).isoformat()}, "Value"),
            ({"ReadingDate": days_ago(1).isoformat(), "Value": 2000, "CustomerId": 999999}, "CustomerId"),
            ({"ReadingDate": days_ago(1).isoformat(), "Value": 2000, "DeliveryPointId": 999999}, "DeliveryPointId"),
        ],
    )
    def test_bad_readings_are_400_and_write_nothing(self, owner, body, field):
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(20), value=1000)
        response = owner.client().post(url(owner), body, format="json")
        assert response.status_code == 400
        assert field in response.json()["ModelState"]
        assert ManualReading.objects.count() == 1


class TestGet:
    def test_pages_newest_first(self, owner):
        for n in range(25):
            record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(100 - n), value=n * 10)
        client = owner.client()
        first = client.get(url(owner)).json()
        assert len(first) == 10
        assert first[0]["ReadingDate"] == f"{days_ago(76).isoformat()}T00:00:00" and first[0]["Value"] == 240
        third = client.get(url(owner), {"pageSize": 10, "page": 3}).json()
        assert [r["Value"] for r in third] == [40, 30, 20, 10, 0]
        assert third[-1]["Consumption"] is None
        assert client.get(url(owner), {"pageSize": 10, "page": 4}).json() == []

    @pytest.mark.parametrize(
        "query", [{"pageSize": 0}, {"pageSize": settings.API_MAX_PAGE_SIZE + 1}, {"page": 0}, {"page": "x"}]
    )
    def test_bad_paging_is_400(self, owner, query):
        assert owner.client().get(url(owner), query).status_code == 400

    def test_constant_queries(self, owner):
        client = owner.client()
        record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(50), value=1)
        client.get(url(owner))
        with CaptureQueriesContext(connection) as few:
            client.get(url(owner))
        for n in range(8):
            record_reading(delivery_point=owner.delivery_point, reading_date=days_ago(40 - n), value=10 + n)
        with CaptureQueriesContext(connection) as many:
            response = client.get(url(owner))
        assert len(response.json()) == 9
        assert len(few) == len(many)
