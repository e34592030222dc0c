"""POST api/signalr/timeseries/objectkey/{objectKey}/type/{type}, GET .../wattmeter and .../wattmeter/v2."""

import datetime as dt
import os
import uuid
from decimal import Decimal

import orjson
import pytest
from django.contrib.auth.models import Permission

from apps.customers.models import Contract
from apps.metering import live
from apps.metering.models import LiveValue
from apps.metering.selectors import capacity_step, meter_time_zone, wattmeter

from .helpers import load_hours, utc

pytestmark = pytest.mark.django_db


def signalr(key: str, type_: int = 2) -> str:
    return f"/api/signalr/timeseries/objectkey/{key}/type/{type_}"


def meter_path(owner) -> str:
    return f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/meters/{owner.meter.meter_id}"


@pytest.fixture
def system(owner):
    """The head-end's integration account: a plain user holding the live_values privilege."""
    owner.user.user_permissions.add(Permission.objects.get(codename="live_values", content_type__app_label="customers"))
    return owner.client()


VALUES = [{"ValueTime": "2025-03-30T10:00:05Z", "Value": 3.2}, {"ValueTime": "2025-03-30T10:00:10Z", "Value": 3.4}]


class TestLiveValues:
    def test_stores_the_latest_and_publishes_all(self, system, owner, settings, django_capture_on_commit_callbacks):
        settings.REDIS_URL = ""
        live.LOCAL_MESSAGES.clear()
        with django_capture_on_commit_callbacks(execute=True):
            response = system.post(signalr(owner.meter.meter_id), list(reversed(VALUES)), format="json")
        assert response.status_code == 200 and response.content == b""
        stored = LiveValue.objects.get(object_key=owner.meter.meter_id, type=2)
        assert (stored.value_time, stored.value) == (utc(2025, 3, 30, 10, 0, 10), 3.4)
        [(channel, message)] = live.LOCAL_MESSAGES
        assert channel == f"esmart:timeseries:{owner.meter.meter_id}:2"
        assert orjson.loads(message) == {
            "ObjectKey": owner.meter.meter_id,
            "Type": 2,
            "Values": [
                {"ValueTime": "2025-03-30T10:00:05", "Value": 3.2},
                {"ValueTime": "2025-03-30T10:00:10", "Value": 3.4},
            ],
        }

    def test_an_older_value_does_not_replace_the_latest(self, system):
        system.post(signalr("obj"), VALUES, format="json")
        system.post(signalr("obj"), [{"ValueTime": "2025-03-30T09:00:00Z", "Value": 9.9}], format="json")
        assert LiveValue.objects.get(object_key="obj").value == 3.4

    @pytest.mark.parametrize(
        ("path", "body"),
        [
            (signalr("obj", 9), VALUES),
            (signalr("obj", "power"), VALUES),
            (signalr("obj"), []),
            (signalr("obj"), [{"ValueTime": "later", "Value": 1}]),
            (signalr("obj"), [{"ValueTime": "2025-03-30T10:00:00Z"}]),
            (signalr("obj"), {"Value": 1}),
            (signalr("x" * 65), VALUES),
        ],
    )
    def test_bad_input_is_400_and_stores_nothing(self, system, path, body):
        assert system.post(path, body, format="json").status_code == 400
        assert not LiveValue.objects.exists()

    def test_staff_without_the_privilege_may_not_post(self, owner):
        """Being staff opens the admin, not the API's integration routes."""
        owner.user.is_staff = True
        owner.user.save()
        assert owner.client().post(signalr("obj"), VALUES, format="json").status_code == 403
        assert not LiveValue.objects.exists()

    @pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs Redis (REDIS_URL)")
    def test_publishes_over_redis(self, system, owner, settings, django_capture_on_commit_callbacks):
        import redis

        settings.REDIS_URL = os.environ["REDIS_URL"]
        live._redis.cache_clear()
        key = f"test-{uuid.uuid4().hex[:12]}"
        subscriber = redis.Redis.from_url(os.environ["REDIS_URL"]).pubsub(ignore_subscribe_messages=True)
        subscriber.subscribe(live.channel_name(key, 2))
        try:
            with django_capture_on_commit_callbacks(execute=True):
                assert system.post(signalr(key), VALUES, format="json").status_code == 200
            message = None
            for _ in range(50):
                message = subscriber.get_message(timeout=0.1)
                if message:
                    break
            assert message is not None
            assert orjson.loads(message["data"])["Values"][1] == {"ValueTime": "2025-03-30T10:00:10", "Value": 3.4}
        finally:
            subscriber.close()
            live._redis.cache_clear()


class TestWattmeter:
    def test_last_and_maxima(self, owner, system):
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        load_hours(owner.meter, now - dt.timedelta(hours=3), now)
        load_hours(owner.meter, now - dt.timedelta(days=100), now - dt.timedelta(days=100, hours=-1), value="7.5")
        system.post(signalr(owner.meter.meter_id), VALUES, format="json")
        body = owner.client().get(meter_path(owner) + "/wattmeter").json()
        assert body["Last"] == {"ValueTime": "2025-03-30T10:00:10", "Value": 3.4, "TimeSeriesType": 2}
        assert body["Max"]["Value"] == 7.5 and body["Max"]["TimeSeriesType"] == 1

    def test_this_months_maximum_follows_the_local_month(self, owner):
        load_hours(owner.meter, utc(2025, 2, 28, 20), utc(2025, 2, 28, 23), value="6")  # February in Oslo
        load_hours(owner.meter, utc(2025, 2, 28, 23), utc(2025, 3, 1, 2), value="2")  # 1 March, 00:00 local
        summary = wattmeter(meter=owner.meter, now=utc(2025, 3, 10))
        assert summary["this_month_max"] == {"value_time": utc(2025, 2, 28, 23), "value": 2.0, "time_series_type": 1}
        assert summary["max"]["value"] == 6.0

    def test_nothing_known_is_null(self, owner):
        body = owner.client().get(meter_path(owner) + "/wattmeter").json()
        assert body == {"Last": None, "ThisMonthMax": None, "Max": None}

    def test_v2_is_camel_case_with_capacity_sections(self, owner):
        owner.meter.has_wattmeter = True
        owner.meter.save()
        now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
        load_hours(owner.meter, now, now + dt.timedelta(hours=1), value="4.2")  # the current hour: always this month
        response = owner.client().get(meter_path(owner) + "/wattmeter/v2")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"wattmeterDisplayType", "maxMonthWattmeter", "subscribedPowerWattmeter"}
        assert body["wattmeterDisplayType"] == 1  # a Power contract: against the month's maximum
        # maxMonthWattmeter is v1's PascalCase WattMeterAndMaxEffect (contract.md)
        assert set(body["maxMonthWattmeter"]) == {"Last", "ThisMonthMax", "Max"}
        assert body["maxMonthWattmeter"]["Max"]["ValueTime"]
        power = body["subscribedPowerWattmeter"]
        expected_step = (
            5
            if now.astimezone(meter_time_zone(owner.meter)).day
            == (now - dt.timedelta(hours=2)).astimezone(meter_time_zone(owner.meter)).day
            else 5
        )
        assert power["subscribedPower"] == {"value": float(expected_step), "unit": "kW"}
        assert power["sections"] == {
            "firstSection": {"from": 0.0, "to": 3.0},
            "secondSection": {"from": 3.0, "to": 4.5},
            "thirdSection": {"from": 4.5, "to": 5.0},
        }

    def test_v2_validates_the_contract_after_authorizing(self, owner, other):
        assert owner.client().get(meter_path(owner) + "/wattmeter/v2").status_code == 400  # no wattmeter
        owner.meter.has_wattmeter = True
        owner.meter.save()
        Contract.objects.filter(pk=owner.contract.pk).update(end_date=dt.date(2021, 1, 1))
        response = owner.client().get(meter_path(owner) + "/wattmeter/v2")
        assert response.status_code == 400 and "ContractNo" in response.json()["ModelState"]
        Contract.objects.filter(pk=other.contract.pk).update(end_date=dt.date(2021, 1, 1))
        assert owner.client().get(meter_path(other) + "/wattmeter/v2").status_code == 404

    def test_capacity_step_uses_three_days_highest_hours(self):
        tz = meter_time_zone(type("M", (), {"time_zone": "Europe/Oslo"})())
        hours = [(utc(2025, 1, d, 17), v) for d, v in [(1, 9), (1, 2), (2, 6), (3, 3), (4, 1)]]
        assert capacity_step(hours, tz) == 10  # (9 + 6 + 3) / 3 = 6 kW → the 5-10 kW step
        assert capacity_step([], tz) == 2
        # On a boundary the higher step, as pricing's capacity rule (5 kW exactly → 5–10 kW).
        on_boundary = [(utc(2025, 1, d, 17), Decimal(5)) for d in (1, 2, 3)]
        assert capacity_step(on_boundary, tz) == 10
