"""comparedwithothers reveals no household (DESIGN.md §10): each test runs one attack and finds nothing.

The attacks: a small comparable group (the "efficient quarter" of 5-7 meters is one household), a
bucket where only one other meter has data, steering the group with one's own HeatingArea, and
differencing two groups with the exact ReferenceGroupSize. Every neighbour has its own distinctive
hourly value, so a leaked household shows as that value (times the bucket's hours).
"""

from decimal import Decimal

import pytest
from django.test import override_settings

from apps.customers.models import DeliveryPoint
from apps.metering.models import MeterSettings
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.metering.factories import MeterSettingsFactory

from .helpers import load_hours, oslo_midnight

pytestmark = pytest.mark.django_db

DAY_1, DAY_2, DAY_3 = oslo_midnight(2025, 2, 1), oslo_midnight(2025, 2, 2), oslo_midnight(2025, 2, 3)
BODY = {"FromTime": "2025-01-31T23:00:00", "ToTime": "2025-02-02T23:00:00", "Resolution": 20}
SERIES = ("ReferenceGroupAverage", "EfficientsAverage")


def url(owner) -> str:
    return (
        f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}"
        f"/meters/{owner.meter.meter_id}/comparedwithothers"
    )


def household(hourly: str, *, heating_area=None, days=(DAY_1, DAY_2), price_area=DeliveryPoint.PriceArea.NO1):
    """A neighbour using `hourly` kWh every hour of `days`; returns (meter, its daily total)."""
    meter = MeterFactory(delivery_point=DeliveryPointFactory(price_area=price_area))
    for day in days:
        load_hours(meter, day, day + (DAY_2 - DAY_1), value=hourly)
    if heating_area is not None:
        MeterSettingsFactory(meter=meter, heating_area=heating_area)
    return meter, Decimal(hourly) * 24


def distinct_values(n: int, start: int = 1) -> list[str]:
    """`n` hourly values no average of several of them can equal: 1.013, 1.029, 1.047..."""
    return [f"{1 + (start + i) * 0.013 + (start + i) ** 2 * 0.0003:.3f}" for i in range(n)]


def values(body, name) -> list:
    return [v["Value"] for v in body[name]]


def leaked(series_values, daily_totals) -> list:
    """The non-null values of a series that equal one household's daily total."""
    return [v for v in series_values if v is not None and any(abs(v - float(t)) < 0.05 for t in daily_totals)]


def my_meter(owner, heating_area=None):
    load_hours(owner.meter, DAY_1, DAY_3, value="2")
    if heating_area is not None:
        MeterSettingsFactory(meter=owner.meter, heating_area=heating_area)


class TestSmallGroups:
    def test_a_group_of_six_gives_no_average_and_no_efficient_household(self, owner):
        my_meter(owner)
        totals = [household(v)[1] for v in distinct_values(6)]
        body = owner.client().post(url(owner), BODY, format="json").json()
        for name in SERIES:
            assert leaked(values(body, name), totals) == []
            assert {v["Status"] for v in body[name]} == {4000}, name
        assert body["Score"] == 0 and body["Scores"] == []
        assert body["EfficientComparisonPercentage"] == 0 and body["ReferenceGroupComparisonPercentage"] == 0
        assert body["ReferenceGroupSize"] == 0

    def test_efficients_of_a_group_of_21_are_missing(self, owner):
        # 21 meters make a group, but their efficient quarter is 5 households: below the minimum.
        my_meter(owner)
        totals = [household(v)[1] for v in distinct_values(21)]
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert leaked(values(body, "EfficientsAverage"), totals) == []
        assert {v["Status"] for v in body["ReferenceGroupAverage"]} == {0}
        assert {v["Status"] for v in body["EfficientsAverage"]} == {4000}
        assert body["EfficientComparisonPercentage"] == 0
        assert body["ReferenceGroupSize"] == 20  # 21, rounded down to the step

    @override_settings(METERING_COMPARE_MIN_GROUP=3, METERING_COMPARE_SIZE_STEP=1)
    def test_the_minimum_is_a_setting(self, owner):
        my_meter(owner)
        for v in distinct_values(12):
            household(v)
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert {v["Status"] for v in body["ReferenceGroupAverage"] + body["EfficientsAverage"]} == {0}
        assert body["ReferenceGroupSize"] == 12


class TestSparseBuckets:
    def test_a_bucket_with_one_meters_data_is_missing(self, owner):
        my_meter(owner)
        for v in distinct_values(24):
            household(v, days=(DAY_1,))
        _, lonely = household("9.999", days=(DAY_1, DAY_2))  # the only neighbour with data on day 2
        body = owner.client().post(url(owner), BODY, format="json").json()
        day_1, day_2 = body["ReferenceGroupAverage"]
        assert day_1["Status"] == 0
        assert day_2 == {"ValueTime": "2025-02-01T23:00:00", "Value": None, "Status": 4000}
        assert leaked(values(body, "ReferenceGroupAverage") + values(body, "EfficientsAverage"), [lonely]) == []
        assert [s["ValueTime"] for s in body["Scores"]] == ["2025-01-31T23:00:00"]  # no rank against one household

    def test_a_bucket_where_few_efficients_have_data_is_missing(self, owner):
        # 100 neighbours: the 25 that use least make the efficients; only 3 of them have data on day 2.
        my_meter(owner)
        hourly = distinct_values(100)
        for i, v in enumerate(hourly):
            household(v, days=(DAY_1, DAY_2) if i < 3 or i >= 25 else (DAY_1,))
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert [v["Status"] for v in body["EfficientsAverage"]] == [0, 4000]
        assert [v["Status"] for v in body["ReferenceGroupAverage"]] == [0, 0]


class TestSteeringTheGroup:
    def test_editing_ones_heating_area_cannot_isolate_a_neighbour(self, owner):
        """The caller slides its own HeatingArea to put a victim in and out of the group, then differences."""
        my_meter(owner, heating_area=100)
        for v in distinct_values(21):
            household(v, heating_area=100)
        _, victim = household("7.777", heating_area=135)
        client = owner.client()
        settings_url = url(owner).replace("comparedwithothers", "settings/building")
        seen = []
        for area in (100, 104, 110, 125, 135, 150, 180, 300):
            assert client.post(settings_url, {"HeatingArea": area}, format="json").status_code == 200
            body = client.post(url(owner), BODY, format="json").json()
            seen.append((body["ReferenceGroupSize"], values(body, "ReferenceGroupAverage")))
            assert leaked(values(body, "ReferenceGroupAverage") + values(body, "EfficientsAverage"), [victim]) == []
        for size_a, avg_a in seen:
            for size_b, avg_b in seen:
                if size_b <= size_a or None in avg_a + avg_b:
                    continue
                difference = [size_b * b - size_a * a for a, b in zip(avg_a, avg_b, strict=True)]
                assert leaked(difference, [victim]) == [], (size_a, size_b)

    def test_the_group_does_not_depend_on_the_callers_exact_area(self, owner):
        my_meter(owner, heating_area=95)
        for v in distinct_values(22):
            household(v, heating_area=100)
        household("7.777", heating_area=120)
        first = owner.client().post(url(owner), BODY, format="json").json()
        MeterSettings.objects.filter(meter=owner.meter).update(heating_area=91)
        second = owner.client().post(url(owner), BODY, format="json").json()
        assert first == second


class TestDifferencingGroups:
    def test_a_neighbour_leaving_the_group_cannot_be_recovered_from_the_sizes(self, owner):
        """Between two requests one neighbour leaves; the exact sizes would give its values away."""
        my_meter(owner, heating_area=100)
        for v in distinct_values(24):
            household(v, heating_area=100)
        victim_meter, victim = household("7.777", heating_area=100)
        client = owner.client()
        before = client.post(url(owner), BODY, format="json").json()
        MeterSettings.objects.filter(meter=victim_meter).update(heating_area=400)  # the victim moves away
        after = client.post(url(owner), BODY, format="json").json()
        for body in (before, after):
            assert body["ReferenceGroupSize"] % 10 == 0
        pairs = zip(values(before, "ReferenceGroupAverage"), values(after, "ReferenceGroupAverage"), strict=True)
        difference = [before["ReferenceGroupSize"] * b - after["ReferenceGroupSize"] * a for b, a in pairs]
        assert leaked(difference, [victim]) == []


class TestOtherPriceAreas:
    def test_meters_of_another_price_area_are_never_in_the_group(self, owner):
        my_meter(owner)
        for v in distinct_values(20):
            household(v, price_area=DeliveryPoint.PriceArea.NO4)
        body = owner.client().post(url(owner), BODY, format="json").json()
        assert body["ReferenceGroupSize"] == 0
        assert {v["Status"] for v in body["ReferenceGroupAverage"]} == {4000}


def test_neighbours_values_are_distinct():
    assert len({Decimal(v) for v in distinct_values(100)}) == 100
