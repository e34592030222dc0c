"""POST .../meters/{meterId}/comparedwithothers: the meter beside comparable meters, from the data."""

import datetime as dt
import random
from bisect import bisect_right
from decimal import Decimal

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from apps.customers.models import DeliveryPoint
from apps.metering import compare, selectors, services
from apps.metering.models import Resolution
from apps.metering.timeseries import window
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.metering.factories import MeterSettingsFactory

from .helpers import load_hours, oslo_midnight, utc

pytestmark = pytest.mark.django_db


@pytest.fixture
def few_meters_suffice(settings):
    """The figures of these tests come from a few meters: the privacy minimum is tested in test_compare_privacy.py."""
    settings.METERING_COMPARE_MIN_GROUP = 1
    settings.METERING_COMPARE_SIZE_STEP = 1


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
        MeterSettingsFactory(meter=meter, heating_area=heating_area)
    return meter


@pytest.mark.usefixtures("few_meters_suffice")
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

    def test_the_group_is_the_heated_area_band(self, owner):
        MeterSettingsFactory(meter=owner.meter, heating_area=100)
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), value="2")
        for _ in range(5):
            neighbour("3", heating_area=119)  # the band 90-120 m²
        neighbour("9", heating_area=120)  # the next band
        neighbour("9")  # no heated area: the band of its own
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert body["ReferenceGroupSize"] == 5
        assert body["ReferenceGroupAverage"][0]["Value"] == 72.0

    def test_meters_without_a_heated_area_are_a_cohort(self, owner):
        load_hours(owner.meter, oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 3), value="2")
        neighbour("3")
        neighbour("9", heating_area=100)
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert body["ReferenceGroupSize"] == 1
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

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"Resolution": 5}, "Resolution"),
            ({"Resolution": "Fortnight"}, "Resolution"),
            ({"ToTime": "2025-01-01T00:00:00"}, "ToTime"),
            ({"FromTime": "2024-01-31T23:00:00"}, "ToTime"),  # 368 days: longer than a comparison may be
            ({"FromTime": "2024-12-31T23:00:00", "Resolution": 7}, "ToTime"),  # 33 days by Hour
        ],
    )
    def test_bad_bodies_are_400(self, owner, change, field):
        response = owner.client().post(url(owner), {**BODY, **change}, format="json")
        assert response.status_code == 400
        assert field in response.json()["ModelState"]

    def test_a_year_is_allowed(self, owner):
        body = {"FromTime": "2024-01-31T23:00:00", "ToTime": "2025-01-31T23:00:00", "Resolution": 40}  # 366 days
        response = owner.client().post(url(owner), body, format="json")
        assert response.status_code == 200
        assert len(response.json()["MeterAverage"]) == 12


def random_cohort(owner, *, meters: int, seed: int) -> list[tuple]:
    """`meters` neighbours with random hourly values (some estimated, some hours missing) over 3 days;
    returns the rows loaded."""
    rng = random.Random(seed)
    start = oslo_midnight(2025, 3, 29)  # includes the 23-hour day
    loaded = []
    for n in range(meters + 1):
        meter = owner.meter if n == 0 else MeterFactory(delivery_point=DeliveryPointFactory())
        rows = []
        for hour in range(71):
            if rng.random() < 0.1:
                continue
            value = Decimal(rng.randint(0, 4000)) / 1000
            rows.append((meter.pk, start + dt.timedelta(hours=hour), 60, value, int(rng.random() < 0.05)))
        services.load_intervals(rows=rows)
        loaded += rows
    return loaded


def by_definition(rows: list[tuple], *, meter, win, min_group: int) -> dict:
    """The comparison from the loaded rows: each meter's sum per bucket of the intervals starting in it."""
    starts = win.starts()
    sums: dict[int, dict[dt.datetime, Decimal]] = {}
    for meter_id, start_at, _, value, _ in rows:
        if win.start <= start_at < win.end:
            bucket = starts[bisect_right(starts, start_at) - 1]
            sums.setdefault(meter_id, {})[bucket] = sums.get(meter_id, {}).get(bucket, Decimal(0)) + value
    buckets, total = compare.aggregate(starts=starts, sums=sums, me=meter.pk)
    return compare.compare_body(buckets=buckets, total=total, min_group=min_group, size_step=1)


class TestTheDefinition:
    """The comparison read from stored days is the one computed from the loaded rows, on every database."""

    @pytest.mark.parametrize(
        ("resolution", "min_group", "time_zone"),
        [
            (Resolution.Hour, 3, None),
            (Resolution.Day, 5, None),
            (Resolution.Day, 1, "UTC"),
            (Resolution.Month, 2, None),
        ],
    )
    def test_stored_days_give_the_definition(self, owner, resolution, min_group, time_zone):
        rows = random_cohort(owner, meters=12, seed=int(resolution) + min_group)
        arguments = {
            "meter": owner.meter,
            "from_time": utc(2025, 3, 28, 23),
            "to_time": utc(2025, 3, 31, 22),
            "resolution": resolution,
            "time_zone": time_zone,
        }
        win = window(
            arguments["from_time"], arguments["to_time"], resolution, selectors.meter_time_zone(owner.meter, time_zone)
        )
        with override_settings(METERING_COMPARE_MIN_GROUP=min_group, METERING_COMPARE_SIZE_STEP=1):
            got = selectors.compared_with_others(**arguments)
        assert got == by_definition(rows, meter=owner.meter, win=win, min_group=min_group)
        assert {v["Status"] for v in got["ReferenceGroupAverage"]} >= {0}

    def test_the_cohort_is_read_in_one_query_of_days(self, owner):
        random_cohort(owner, meters=5, seed=1)
        with CaptureQueriesContext(connection) as queries:
            selectors.compared_with_others(
                meter=owner.meter, from_time=utc(2025, 3, 28, 23), to_time=utc(2025, 3, 31, 22), resolution=20
            )
        assert len(queries) == 2  # the meter's heated area, then the days of the meter and its cohort
        assert "metering_meterday" in queries[1]["sql"] and '"values"' not in queries[1]["sql"]
