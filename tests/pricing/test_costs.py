"""POST .../meters/{meterId}/costs: consumption × price per hour with a breakdown."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.customers.models import Contract
from apps.metering.services import load_intervals
from apps.pricing.models import PricePlan, SpotPrice
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.pricing.factories import PricePlanFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC)  # 2025-10-02 00:00 Oslo
PARTS = ("Energy", "Markup", "Grid", "Taxes", "Subsidy", "Vat")


def load(meter, hours=48, kwh=Decimal("1.5")):
    load_intervals(rows=[(meter.pk, START + dt.timedelta(hours=h), 60, kwh, 0) for h in range(hours)])


def costs(client, meter, **body):
    contract = meter.delivery_point.contract
    url = f"/api/customers/{contract.customer_id}/contracts/{contract.contract_no}/meters/{meter.meter_id}/costs"
    payload = {"FromTime": "2025-10-01T22:00:00", "ToTime": "2025-10-03T22:00:00", "Resolution": 20, **body}
    return client.post(url, payload, format="json")


def test_fixed_price_day_costs(owner, source):
    PricePlanFactory(
        contract=owner.contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("1.00")
    )
    load(owner.meter)
    response = costs(owner.client(), owner.meter)
    assert response.status_code == 200
    body = response.json()
    assert (body["Resolution"], body["Currency"], body["PriceArea"]) == (20, "NOK", "NO1")
    assert [v["ValueTime"] for v in body["Values"]] == ["2025-10-01T22:00:00", "2025-10-02T22:00:00"]
    day = body["Values"][0]
    assert day["Consumption"] == 36.0
    assert (day["Energy"], day["Markup"], day["Vat"], day["Value"]) == (36.0, 0.0, 9.0, 45.0)
    assert body["Totals"]["Value"] == 90.0


def test_spot_costs_are_consumption_times_hourly_price(owner, source):
    load(owner.meter, hours=24)
    body = costs(owner.client(), owner.meter, ToTime="2025-10-02T22:00:00", Resolution=7).json()
    assert len(body["Values"]) == 24
    first = body["Values"][0]
    quarters = SpotPrice.objects.filter(start_at__lt=START + dt.timedelta(hours=1))
    spot_hour = sum(q.nok_per_kwh for q in quarters) / 4
    assert first["Energy"] == pytest.approx(float(spot_hour * Decimal("1.5")), abs=0.006)
    assert first["Markup"] == pytest.approx(0.049 * 1.5, abs=0.006)


def test_net_contract_breakdown_and_totals_equal_the_sum_of_parts(owner, source):
    contract = Contract.objects.get(customer=owner.net_customer)
    meter = MeterFactory(delivery_point=DeliveryPointFactory(contract=contract, price_area="NO1"))
    load(meter)
    body = costs(owner.client(area=1), meter, Resolution=7).json()
    for value in body["Values"]:
        assert value["Value"] == pytest.approx(sum(value[p] for p in PARTS), abs=1e-9)
        assert value["Grid"] > 0 and value["Taxes"] > 0
    totals = body["Totals"]
    assert totals["Value"] == pytest.approx(sum(totals[p] for p in PARTS), abs=1e-6)
    for part in PARTS:
        assert totals[part] == pytest.approx(sum(v[part] for v in body["Values"]), abs=1e-6)
    assert totals["Consumption"] == 72.0


def test_hours_without_consumption_are_missing(owner, source):
    body = costs(owner.client(), owner.meter).json()
    assert {(v["Status"], v["Value"]) for v in body["Values"]} == {(4000, None)}
    assert body["Totals"]["Value"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"ToTime": "2025-09-01T00:00:00"},
        {"Resolution": 0},
        {"Resolution": 3},
        {"FromTime": "not a time"},
        {"ToTime": "2027-01-01T00:00:00", "Resolution": 40},
    ],
)
def test_bad_input_is_400(owner, source, body):
    response = costs(owner.client(), owner.meter, **body)
    assert response.status_code == 400
    assert "ModelState" in response.json()
    assert source.calls == []


def test_another_users_meter_is_404(owner, other, source):
    contract = owner.contract
    url = f"/api/customers/{contract.customer_id}/contracts/{contract.contract_no}/meters/{other.meter.meter_id}/costs"
    assert owner.client().post(url, {}, format="json").status_code == 404


def test_no_credentials_401(anonymous, owner):
    assert costs(anonymous, owner.meter).status_code == 401
