"""Contracts, contract delivery points, delivery points and associates."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.customers.models import Contract, CustomerAssociation, Device, Meter
from apps.customers.services import associate_customers
from esmart.api.area import Area
from tests.factories import (
    ContractFactory,
    CustomerAccessFactory,
    CustomerFactory,
    DeliveryPointFactory,
    MeterFactory,
)

from .factories import DeviceFactory

pytestmark = pytest.mark.django_db


def query_count(client, url) -> int:
    client.get(url)  # warm the credential cache
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def add_chains(customer, n=3):
    for _ in range(n):
        point = DeliveryPointFactory(contract=ContractFactory(customer=customer))
        MeterFactory(delivery_point=point, has_wattmeter=True)
        MeterFactory(delivery_point=point, kind=Meter.Kind.WATER)
        DeviceFactory(delivery_point=point, kind=Device.Kind.EV_CHARGER)
        DeviceFactory(delivery_point=point, kind=Device.Kind.LIGHTS_AND_HEATING)


# --- contracts ------------------------------------------------------------------------------


def test_contracts_lists_the_customers_contracts_as_contract_response(owner):
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/contracts").json()
    assert len(body) == 1
    contract = body[0]
    assert contract["ContractNo"] == owner.contract.contract_no
    assert contract["CustomerId"] == owner.customer.pk
    assert contract["DeliveryPointId"] == owner.delivery_point.pk
    assert contract["DeliveryPointName"] == owner.delivery_point.name
    assert contract["DeliveryAddress"]["AddressText"] == owner.delivery_point.address_text
    assert set(contract["DeliveryAddress"]) == {
        "AddressText",
        "City",
        "CoAddress",
        "CountryCode",
        "Entrance",
        "Floor",
        "HouseLetter",
        "HouseNo",
        "IsEditable",
        "POBox",
        "ZipCode",
    }
    assert contract["IsPowerContract"] is True and contract["IsEnergyContract"] is True
    assert contract["IsNetContract"] is False and contract["IsBroadbandContract"] is False
    assert contract["IsActive"] is True
    assert contract["StartDate"] == "2020-01-01T00:00:00" and contract["EndDate"] is None
    assert contract["LedgerNo"] == owner.contract.ledger_no


def test_contracts_follow_the_selected_area(owner):
    body = owner.client(Area.NET).get(f"/api/customers/{owner.net_customer.pk}/contracts").json()
    assert [c["IsNetContract"] for c in body] == [True]
    assert owner.client(Area.NET).get(f"/api/customers/{owner.customer.pk}/contracts").status_code == 404


def test_contract_without_delivery_point_has_null_delivery_fields(owner):
    ended = ContractFactory(
        customer=owner.customer,
        product=Contract.Product.BROADBAND,
        start_date=dt.date(2019, 1, 1),
        end_date=dt.date(2019, 12, 31),
    )
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/contracts/{ended.contract_no}").json()
    assert body["DeliveryAddress"] is None and body["DeliveryPointId"] is None
    assert body["IsActive"] is False and body["IsBroadbandContract"] is True and body["IsEnergyContract"] is False
    assert body["EndDate"] == "2019-12-31T00:00:00"


def test_contract_detail(owner):
    response = owner.client().get(f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}")
    assert response.status_code == 200
    assert response.json()["ContractNo"] == owner.contract.contract_no


def test_contract_of_another_customer_is_404(owner, other):
    client = owner.client()
    assert client.get(f"/api/customers/{owner.customer.pk}/contracts/{other.contract.contract_no}").status_code == 404
    assert client.get(f"/api/customers/{other.customer.pk}/contracts/{other.contract.contract_no}").status_code == 404
    assert client.get(f"/api/customers/{other.customer.pk}/contracts").status_code == 404
    # The owner's own contract under the owner's other (Net) customer is not this customer's either.
    net_contract = owner.net_customer.contracts.get()
    assert client.get(f"/api/customers/{owner.customer.pk}/contracts/{net_contract.contract_no}").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "contracts",
        "contracts/{contract}",
        "contractdeliverypoints",
        "deliverypoints",
        "associates",
    ],
)
def test_reads_need_credentials_and_a_valid_area(owner, anonymous, path):
    url = f"/api/customers/{owner.customer.pk}/" + path.format(contract=owner.contract.contract_no)
    assert anonymous.get(url).status_code == 401
    assert owner.client().get(url, HTTP_X_AREA="7").status_code == 400


def test_contracts_list_runs_a_constant_number_of_queries(owner, django_assert_num_queries):
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/contracts"
    few = query_count(client, url)
    add_chains(owner.customer, 5)
    with django_assert_num_queries(few):
        assert len(client.get(url).json()) == 6


# --- contract delivery points ---------------------------------------------------------------


def test_contractdeliverypoints_without_flags_lists_meters_only(owner):
    MeterFactory(delivery_point=owner.delivery_point, kind=Meter.Kind.WATER)
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/contractdeliverypoints").json()
    assert [c["ContractNo"] for c in body] == [owner.contract.contract_no]
    (point,) = body[0]["DeliveryPoints"]
    assert point["MeteringPointId"] == owner.delivery_point.metering_point_id
    assert [m["MeterId"] for m in point["Meters"]] == [owner.meter.meter_id]
    assert point["Meters"][0]["MeterType"] == 1
    assert point["WattMeters"] is None and point["WaterMeters"] is None
    assert point["LightsAndHeating"] is None and point["EvChargers"] is None


def test_contractdeliverypoints_flags_add_their_devices_and_meters(owner):
    Meter.objects.filter(pk=owner.meter.pk).update(has_wattmeter=True)
    water = MeterFactory(delivery_point=owner.delivery_point, kind=Meter.Kind.WATER)
    charger = DeviceFactory(delivery_point=owner.delivery_point, kind=Device.Kind.EV_CHARGER, name="Easee")
    heater = DeviceFactory(delivery_point=owner.delivery_point, kind=Device.Kind.LIGHTS_AND_HEATING, name="Panel")
    url = f"/api/customers/{owner.customer.pk}/contractdeliverypoints"
    query = "?includeWattMeter=TRUE&includeLightsAndHeating=true&includeEvCharging=True&includeWaterMeter=%20true%20"
    (point,) = owner.client().get(url + query).json()[0]["DeliveryPoints"]
    assert [m["MeterId"] for m in point["WattMeters"]] == [owner.meter.meter_id]
    assert [m["MeterId"] for m in point["WaterMeters"]] == [water.meter_id]
    assert point["WaterMeters"][0]["MeterType"] == 2
    assert point["EvChargers"] == [{"DeviceId": charger.pk, "Name": "Easee", "Description": "", "DeviceType": 2}]
    assert [d["DeviceId"] for d in point["LightsAndHeating"]] == [heater.pk]
    only_ev = owner.client().get(url + "?includeEvCharging=true&includeWattMeter=false").json()[0]["DeliveryPoints"][0]
    assert only_ev["WattMeters"] is None and only_ev["LightsAndHeating"] is None
    assert [d["DeviceId"] for d in only_ev["EvChargers"]] == [charger.pk]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("includeWattMeter", "1"),
        ("includeLightsAndHeating", "yes"),
        ("includeEvCharging", ""),
        ("includeWaterMeter", "tru"),
    ],
)
def test_contractdeliverypoints_bad_flag_is_400_naming_it(owner, name, value):
    response = owner.client().get(f"/api/customers/{owner.customer.pk}/contractdeliverypoints", {name: value})
    assert response.status_code == 400
    assert list(response.json()["ModelState"]) == [name[0].upper() + name[1:]]


def test_contractdeliverypoints_of_another_customer_is_404(owner, other):
    assert owner.client().get(f"/api/customers/{other.customer.pk}/contractdeliverypoints").status_code == 404


def test_contractdeliverypoints_runs_a_constant_number_of_queries(owner, django_assert_num_queries):
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/contractdeliverypoints?includeEvCharging=true&includeWaterMeter=true"
    few = query_count(client, url)
    add_chains(owner.customer, 4)
    with django_assert_num_queries(few):
        body = client.get(url).json()
    assert len(body) == 5 and all(len(c["DeliveryPoints"]) == 1 for c in body)
    assert sum(len(c["DeliveryPoints"][0]["EvChargers"]) for c in body) == 4


# --- delivery points ------------------------------------------------------------------------


def test_deliverypoints_give_address_gsrn_price_area_and_meter(owner):
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/deliverypoints").json()
    (point,) = body
    assert point["DeliveryPointId"] == owner.delivery_point.pk
    assert point["ContractNo"] == owner.contract.contract_no
    assert point["MeteringPointId"] == owner.delivery_point.metering_point_id
    assert len(point["MeteringPointId"]) == 18 and point["MeteringPointId"].isdigit()
    assert point["PriceArea"] == "NO1"
    assert point["Address"]["ZipCode"] == owner.delivery_point.zip_code
    assert point["Meter"]["MeterId"] == owner.meter.meter_id
    assert [m["MeterId"] for m in point["Meters"]] == [owner.meter.meter_id]


def test_deliverypoint_without_meter_has_null_meter(owner):
    DeliveryPointFactory(contract=owner.contract)
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/deliverypoints").json()
    assert [p["Meter"] is None for p in body] == [False, True]


def test_deliverypoints_of_another_customer_is_404(owner, other):
    assert owner.client().get(f"/api/customers/{other.customer.pk}/deliverypoints").status_code == 404


def test_deliverypoints_run_a_constant_number_of_queries(owner, django_assert_num_queries):
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/deliverypoints"
    few = query_count(client, url)
    add_chains(owner.customer, 4)
    with django_assert_num_queries(few):
        assert len(client.get(url).json()) == 5


# --- associates -----------------------------------------------------------------------------


def test_associates_list_only_customers_the_caller_may_see(owner, other):
    associate_customers(
        customer=owner.customer, associate=owner.net_customer, relation=CustomerAssociation.Relation.SAME_PERSON
    )
    household = CustomerFactory(area=Area.POWER, first_name="Per")
    CustomerAccessFactory(user=owner.user, customer=household)
    associate_customers(
        customer=owner.customer, associate=household, relation=CustomerAssociation.Relation.HOUSEHOLD_MEMBER
    )
    # A household member the caller has no access to stays hidden.
    associate_customers(
        customer=owner.customer, associate=other.customer, relation=CustomerAssociation.Relation.HOUSEHOLD_MEMBER
    )
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/associates").json()
    assert [(a["CustomerId"], a["Relation"], a["Area"]) for a in body] == [
        (owner.net_customer.pk, 1, 1),
        (household.pk, 2, 2),
    ]
    assert body[0]["IsNetCustomer"] is True and body[0]["FirstName"] == owner.net_customer.first_name
    # Associations are symmetric: the Net side sees the Power side.
    back = owner.client(Area.NET).get(f"/api/customers/{owner.net_customer.pk}/associates").json()
    assert [a["CustomerId"] for a in back] == [owner.customer.pk]


def test_associates_of_another_customer_is_404(owner, other):
    assert owner.client().get(f"/api/customers/{other.customer.pk}/associates").status_code == 404


def test_associates_run_a_constant_number_of_queries(owner, django_assert_num_queries):
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/associates"
    associate_customers(customer=owner.customer, associate=owner.net_customer, relation=1)
    few = query_count(client, url)
    for _ in range(4):
        member = CustomerFactory()
        CustomerAccessFactory(user=owner.user, customer=member)
        associate_customers(customer=owner.customer, associate=member, relation=2)
    with django_assert_num_queries(few):
        assert len(client.get(url).json()) == 5
