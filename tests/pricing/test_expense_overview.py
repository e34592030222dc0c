"""POST .../contracts/{contractNo}/expenseoverview: per-month costs and the change from a year before."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.customers.models import Contract
from apps.metering.services import load_intervals
from apps.pricing.models import PricePlan, SpotPrice
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.pricing.factories import PricePlanFactory

pytestmark = pytest.mark.django_db

OCTOBER = {"FromTime": "2025-09-30T22:00:00", "ToTime": "2025-10-31T23:00:00"}  # October 2025, Oslo
PARTS = ("Energy", "Markup", "Grid", "Taxes", "Subsidy", "Vat")


def load(meter, start, hours, kwh):
    load_intervals(rows=[(meter.pk, start + dt.timedelta(hours=h), 60, Decimal(kwh), 0) for h in range(hours)])


def fixed_price(contract, price="1.00"):
    PricePlanFactory(
        contract=contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal(price)
    )


def overview(client, contract, **body):
    url = f"/api/customers/{contract.customer_id}/contracts/{contract.contract_no}/expenseoverview"
    return client.post(url, {**OCTOBER, **body}, format="json")


def test_month_with_change_from_a_year_before(owner, source):
    fixed_price(owner.contract)
    load(owner.meter, dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC), 48, "1.5")  # 72 kWh in October 2025
    load(owner.meter, dt.datetime(2024, 10, 1, 22, tzinfo=dt.UTC), 24, "1.0")  # 24 kWh in October 2024
    response = overview(owner.client(), owner.contract)
    assert response.status_code == 200
    body = response.json()
    assert (body["ContractNo"], body["Currency"], body["TimeZone"]) == (
        owner.contract.contract_no,
        "NOK",
        "Europe/Oslo",
    )
    [month] = body["Months"]
    assert (month["Month"][:10], month["ValueTime"], month["Status"]) == (
        "2025-10-01",
        "2025-09-30T22:00:00",
        1,
    )  # partly covered
    assert (month["Consumption"], month["Energy"], month["Vat"], month["Value"]) == (72.0, 72.0, 18.0, 90.0)
    assert (month["LastYearConsumption"], month["LastYearValue"]) == (24.0, 30.0)
    assert (month["Change"], month["ChangePercent"]) == (60.0, 200.0)
    assert body["Totals"]["Value"] == 90.0 and body["Totals"]["Consumption"] == 72.0


def test_months_without_data_are_null(owner, source):
    fixed_price(owner.contract)
    load(owner.meter, dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC), 24, "2.0")
    body = overview(owner.client(), owner.contract, FromTime="2025-08-31T22:00:00").json()
    september, october = body["Months"]
    assert (september["Month"][:10], september["Status"], september["Value"], september["Change"]) == (
        "2025-09-01",
        4000,
        None,
        None,
    )
    assert october["Value"] == 60.0
    assert (october["LastYearValue"], october["Change"], october["ChangePercent"]) == (None, None, None)


def test_month_equals_the_costs_service_at_month_resolution(owner, source):
    load(owner.meter, dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC), 72, "0.8")
    client = owner.client()
    [month] = overview(client, owner.contract).json()["Months"]
    contract = owner.contract
    costs = client.post(
        f"/api/customers/{contract.customer_id}/contracts/{contract.contract_no}/meters/{owner.meter.meter_id}/costs",
        {**OCTOBER, "Resolution": 40},
        format="json",
    ).json()
    [cost] = costs["Values"]
    for part in (*PARTS, "Value", "Consumption"):
        assert month[part] == pytest.approx(cost[part], abs=1e-9)
    assert month["Energy"] > 0 and month["Markup"] > 0


def test_net_contract_sums_its_meters_and_totals_equal_the_sum_of_parts(owner, source):
    contract = Contract.objects.get(customer=owner.net_customer)
    point = DeliveryPointFactory(contract=contract, price_area="NO1")
    meters = [MeterFactory(delivery_point=point), MeterFactory(delivery_point=point)]
    for meter in meters:
        load(meter, dt.datetime(2025, 10, 1, 22, tzinfo=dt.UTC), 24, "1.0")
    body = overview(owner.client(area=1), contract).json()
    [month] = body["Months"]
    assert month["Consumption"] == 48.0
    assert month["Grid"] > 0 and month["Taxes"] > 0
    assert month["Value"] == pytest.approx(sum(month[p] for p in PARTS), abs=1e-9)
    totals = body["Totals"]
    assert totals["Value"] == pytest.approx(sum(totals[p] for p in PARTS), abs=1e-9)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"ToTime": "2025-09-01T00:00:00"}, "ToTime"),
        ({"FromTime": None}, "FromTime"),
        ({"FromTime": "not a time"}, "FromTime"),
        ({"FromTime": "2023-01-01T00:00:00"}, "ToTime"),
        ({"TimeZone": "Mars/Olympus"}, "TimeZone"),
    ],
)
def test_bad_input_is_400_and_nothing_is_written(owner, source, body, field):
    response = overview(owner.client(), owner.contract, **body)
    assert response.status_code == 400
    assert field in response.json()["ModelState"]
    assert source.calls == []
    assert not SpotPrice.objects.exists()


def test_another_users_contract_is_404(owner, other, source):
    url = f"/api/customers/{owner.customer.pk}/contracts/{other.contract.contract_no}/expenseoverview"
    assert owner.client().post(url, OCTOBER, format="json").status_code == 404
    assert overview(owner.client(), other.contract).status_code == 404
    assert source.calls == []


def test_no_credentials_401(anonymous, owner, source):
    assert overview(anonymous, owner.contract).status_code == 401
