"""api/customers/{customerId}/evchargingrequests: planned on the cheapest intervals, validated, scoped."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest

from apps.ev import services
from apps.ev.models import EvChargingRequest, EvChargingSlot
from apps.pricing import selectors as pricing
from esmart.api.casing import utc_text

from . import world as ev_world
from .world import next_hour, store_prices

pytestmark = pytest.mark.django_db

BASE = "/api/customers/{}/evchargingrequests"


@pytest.fixture
def ev(owner):
    world = ev_world.build(owner, with_request=False)
    start = next_hour(1)
    cheap = {
        (start + dt.timedelta(hours=3)).hour: Decimal("0.10"),
        (start + dt.timedelta(hours=4)).hour: Decimal("0.20"),
    }
    store_prices(area=owner.delivery_point.price_area, price_of=lambda moment: cheap.get(moment.hour, Decimal("2.00")))
    world.start = start
    return world


def body(world, **changes):
    data = {
        "AssetId": world.charger.pk,
        "StartTime": utc_text(world.start),
        "EndTime": utc_text(world.start + dt.timedelta(hours=8)),
        "ChargingDemand": 15,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def create(owner, world, **changes):
    return owner.client().post(BASE.format(owner.customer.pk), body(world, **changes), format="json")


def customer_hour_price(owner, moment):
    """The price of one kWh in that hour as pricing's hour prices give it (the cost rules)."""
    prices = pricing.contract_hour_prices(
        contract=owner.contract, from_time=moment, to_time=moment + dt.timedelta(hours=1)
    )
    return Decimal(str(prices["values"][0]["value"]))


def test_create_answers_with_the_cheapest_schedule_and_its_cost(owner, ev):
    response = create(owner, ev)
    assert response.status_code == 201, response.content
    data = response.json()
    uuid.UUID(data["Id"])
    assert data["AssetId"] == ev.charger.pk
    assert data["ChargingDemand"] == 15
    assert data["CarId"] == ev.car.row_key  # the car connected to the charger
    cheapest, second = ev.start + dt.timedelta(hours=3), ev.start + dt.timedelta(hours=4)
    plans = data["ChargePlans"]
    assert [(p["StartTime"], p["EndTime"], p["Energy"]) for p in plans] == [
        (utc_text(cheapest), utc_text(second), 11),
        (utc_text(second), utc_text(second + dt.timedelta(minutes=21, seconds=49)), 4),
    ]
    assert plans[0]["TotalChargeTime"] == "01:00:00"
    first_price, second_price = customer_hour_price(owner, cheapest), customer_hour_price(owner, second)
    assert Decimal(str(plans[0]["Price"])) == first_price
    expected = (11 * first_price + 4 * second_price).quantize(Decimal("0.01"))
    assert Decimal(str(data["EstimatedCost"])) == expected
    assert data["ImmediateCost"] > data["EstimatedCost"]
    assert data["Currency"] == "NOK"
    assert EvChargingSlot.objects.filter(request_id=data["Id"]).count() == 2


def test_charge_demand_is_accepted_as_the_other_name(owner, ev):
    response = create(owner, ev, ChargingDemand=None, ChargeDemand="7.5")
    assert response.status_code == 201, response.content
    assert response.json()["ChargingDemand"] == 7.5


@pytest.mark.parametrize(
    ("changes", "field", "text"),
    [
        ({"EndTime": "2020-01-01T00:00:00"}, "EndTime", "after StartTime"),
        ({"ChargingDemand": 0}, "ChargingDemand", ""),
        ({"ChargingDemand": -3}, "ChargingDemand", ""),
        ({"ChargingDemand": None}, "ChargingDemand", "required"),
        ({"AssetId": "x"}, "AssetId", ""),
        ({"StartTime": "tomorrow"}, "StartTime", ""),
        ({"ChargingDemand": 80}, "ChargingDemand", "usable battery of 75.0 kWh (5.0"),
    ],
)
def test_bad_input_is_400_and_writes_nothing(owner, ev, changes, field, text):
    response = create(owner, ev, **changes)
    assert response.status_code == 400, response.content
    data = response.json()
    assert set(data) == {"Message", "ModelState"}
    assert field in data["ModelState"], data
    assert text in " ".join(data["ModelState"][field])
    assert not EvChargingRequest.objects.exists()


def test_demand_beyond_power_times_window_says_by_how_much(owner, ev):
    end = utc_text(ev.start + dt.timedelta(hours=2))
    response = create(owner, ev, EndTime=end, ChargingDemand=30, CarId=None)
    assert response.status_code == 400
    assert "8.000 kWh too much" in response.json()["ModelState"]["ChargingDemand"][0]  # 30 − 2 h × 11 kW


def test_window_beyond_48_hours_is_400(owner, ev):
    response = create(owner, ev, EndTime=utc_text(ev.start + dt.timedelta(hours=60)))
    assert response.status_code == 400
    assert "48 hours" in response.json()["ModelState"]["EndTime"][0]


def test_window_without_prices_is_400(owner, ev):
    from apps.pricing.models import SpotPrice

    SpotPrice.objects.filter(start_at__gte=ev.start + dt.timedelta(hours=2)).delete()
    response = create(owner, ev)
    assert response.status_code == 400
    assert "not yet published" in response.json()["ModelState"]["EndTime"][0]
    assert not EvChargingRequest.objects.exists()


def test_another_customers_charger_is_400_and_writes_nothing(owner, other, ev):
    theirs = ev_world.build(other, with_request=False)
    response = create(owner, ev, AssetId=theirs.charger.pk)
    assert response.status_code == 400
    assert "AssetId" in response.json()["ModelState"]
    assert not EvChargingRequest.objects.exists()


def test_list_and_get(owner, ev):
    created = create(owner, ev).json()
    listed = owner.client().get(BASE.format(owner.customer.pk))
    assert listed.status_code == 200
    assert [r["Id"] for r in listed.json()] == [created["Id"]]
    one = owner.client().get(f"{BASE.format(owner.customer.pk)}/{created['Id']}")
    assert one.status_code == 200
    assert one.json() == created


def test_malformed_guid_is_400_unknown_is_404_other_customers_is_404(owner, other, ev):
    url = BASE.format(owner.customer.pk)
    assert owner.client().get(f"{url}/not-a-guid").status_code == 400
    assert owner.client().get(f"{url}/{uuid.uuid4()}").status_code == 404
    theirs = ev_world.build(other)
    assert owner.client().get(f"{BASE.format(other.customer.pk)}/{theirs.request.pk}").status_code == 404
    assert owner.client().get(f"{url}/{theirs.request.pk}").status_code == 404
    assert owner.client().delete(f"{url}/{theirs.request.pk}").status_code == 404
    assert EvChargingRequest.objects.filter(pk=theirs.request.pk).exists()


def test_no_credentials_is_401(anonymous, owner):
    assert anonymous.get(BASE.format(owner.customer.pk)).status_code == 401


def test_patch_changes_only_window_and_demand_and_replans(owner, ev):
    created = create(owner, ev).json()
    url = f"{BASE.format(owner.customer.pk)}/{created['Id']}"
    response = owner.client().patch(
        url,
        {"ChargeDemand": 5, "AssetId": 999999, "Id": str(uuid.uuid4()), "EndTime": created["EndTime"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.content == b""
    after = owner.client().get(url).json()
    assert after["ChargingDemand"] == 5
    assert after["AssetId"] == ev.charger.pk
    assert [p["Energy"] for p in after["ChargePlans"]] == [5]
    assert after["EstimatedCost"] < created["EstimatedCost"]


def test_patch_with_bad_values_is_400_and_changes_nothing(owner, ev):
    created = create(owner, ev).json()
    url = f"{BASE.format(owner.customer.pk)}/{created['Id']}"
    response = owner.client().patch(url, {"ChargingDemand": 500}, format="json")
    assert response.status_code == 400
    assert owner.client().get(url).json() == created


def test_delete(owner, ev):
    created = create(owner, ev).json()
    url = f"{BASE.format(owner.customer.pk)}/{created['Id']}"
    assert owner.client().delete(url).status_code == 200
    assert owner.client().get(url).status_code == 404
    assert not EvChargingSlot.objects.exists()


def test_published_prices_replan_open_requests(owner, ev, django_capture_on_commit_callbacks):
    created = create(owner, ev).json()
    start = ev.start
    now_cheap = {(start + dt.timedelta(hours=1)).hour: Decimal("0.01")}
    with django_capture_on_commit_callbacks(execute=True):
        store_prices(area=owner.delivery_point.price_area, price_of=lambda m: now_cheap.get(m.hour, Decimal("3.00")))
    after = owner.client().get(f"{BASE.format(owner.customer.pk)}/{created['Id']}").json()
    # the new cheapest hour is full; the rest (4 kWh) goes to the earliest of the equally priced hours
    assert [(p["StartTime"], p["Energy"]) for p in after["ChargePlans"]] == [
        (utc_text(start), 4),
        (utc_text(start + dt.timedelta(hours=1)), 11),
    ]
    assert after["PlannedAt"] >= created["PlannedAt"]


def test_replan_keeps_the_old_plan_of_a_request_that_became_infeasible(owner, ev):
    created = create(owner, ev).json()
    from apps.pricing.models import SpotPrice

    SpotPrice.objects.all().delete()
    from django.core.cache import cache

    cache.clear()
    assert services.replan_open_requests() == 0
    assert EvChargingSlot.objects.filter(request_id=created["Id"]).count() == 2
