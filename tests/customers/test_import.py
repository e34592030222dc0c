"""GET api/customers/{customerId}/import: refresh from the customer information system (file adapter)."""

from pathlib import Path

import pytest

from apps.customers.adapters import CisError, FileCisAdapter, parse_document
from apps.customers.models import Contract, DeliveryPoint, Meter
from esmart.api.area import Area
from tests.factories import ContractFactory, CustomerAccessFactory, CustomerFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "customers"


@pytest.fixture
def cis(settings):
    settings.CUSTOMERS_CIS_DIRECTORY = str(FIXTURES / "cis")
    return settings


@pytest.fixture
def imported(owner):
    """A Power customer of the owner whose id has a CIS document."""
    customer = CustomerFactory(id=555001, area=Area.POWER)
    CustomerAccessFactory(user=owner.user, customer=customer)
    return customer


def rows():
    return (
        sorted(Contract.objects.filter(customer_id=555001).values_list("contract_no", "end_date")),
        sorted(DeliveryPoint.objects.filter(contract__customer_id=555001).values_list("metering_point_id", "name")),
        sorted(Meter.objects.filter(delivery_point__contract__customer_id=555001).values_list("meter_id", "kind")),
    )


def test_import_creates_the_documented_rows_and_lists_them(owner, imported, cis):
    response = owner.client().get("/api/customers/555001/import")
    assert response.status_code == 200
    body = response.json()
    assert body["CustomerId"] == 555001 and body["Found"] is True
    assert [(c["Entity"], c["Key"], c["Action"]) for c in body["Changes"]] == [
        ("Contract", "55500101", 1),
        ("DeliveryPoint", "707057500055500101", 1),
        ("Meter", "555001000001", 1),
        ("Meter", "555001000002", 1),
        ("Contract", "55500102", 1),
    ]
    point = DeliveryPoint.objects.get(metering_point_id="707057500055500101")
    assert (point.city, point.zip_code, point.price_area, point.contract.contract_no) == (
        "Vinstra",
        "2640",
        "NO1",
        55500101,
    )
    assert Meter.objects.get(meter_id="555001000001").has_wattmeter is True
    assert Meter.objects.get(meter_id="555001000002").kind == Meter.Kind.WATER


def test_import_is_idempotent(owner, imported, cis):
    client = owner.client()
    client.get("/api/customers/555001/import")
    before = rows()
    again = client.get("/api/customers/555001/import").json()
    assert again["Found"] is True and again["Changes"] == []
    assert rows() == before


def test_import_updates_what_changed_in_the_cis(owner, imported, cis):
    client = owner.client()
    client.get("/api/customers/555001/import")
    cis.CUSTOMERS_CIS_DIRECTORY = str(FIXTURES / "cis-updated")
    body = client.get("/api/customers/555001/import").json()
    assert [(c["Entity"], c["Key"], c["Action"], c["Fields"]) for c in body["Changes"]] == [
        ("DeliveryPoint", "707057500055500101", 2, ["name", "price_area"]),
        ("Meter", "555001000001", 2, ["has_wattmeter"]),
        ("Meter", "555001000003", 1, []),
        ("Contract", "55500102", 2, ["end_date"]),
    ]
    assert DeliveryPoint.objects.get(metering_point_id="707057500055500101").price_area == "NO5"


def test_import_of_a_customer_the_cis_does_not_know_changes_nothing(owner, cis):
    body = owner.client().get(f"/api/customers/{owner.customer.pk}/import").json()
    assert body == {"CustomerId": owner.customer.pk, "Found": False, "Changes": []}


def test_invalid_cis_data_is_503_and_writes_nothing(owner, imported, settings):
    settings.CUSTOMERS_CIS_DIRECTORY = str(FIXTURES / "cis-invalid")
    response = owner.client().get("/api/customers/555001/import")
    assert response.status_code == 503
    assert "metering point id" in response.json()["Message"].lower()
    assert rows() == ([], [], [])


def test_a_document_about_another_customer_is_refused(owner, settings):
    customer = CustomerFactory(id=555002)
    CustomerAccessFactory(user=owner.user, customer=customer)
    settings.CUSTOMERS_CIS_DIRECTORY = str(FIXTURES / "cis-invalid")
    assert owner.client().get("/api/customers/555002/import").status_code == 503


def test_rows_of_another_customer_are_a_409_and_nothing_is_written(owner, other, imported, cis):
    ContractFactory(customer=other.customer, contract_no=55500102)
    response = owner.client().get("/api/customers/555001/import")
    assert response.status_code == 409
    assert "55500102" in response.json()["Message"]
    assert rows() == ([], [], [])
    assert Contract.objects.get(contract_no=55500102).customer_id == other.customer.pk


def test_import_of_another_users_customer_is_404(owner, other, cis):
    customer = CustomerFactory(id=555001)
    CustomerAccessFactory(user=other.user, customer=customer)
    assert owner.client().get("/api/customers/555001/import").status_code == 404
    assert rows() == ([], [], [])


def test_import_needs_credentials_and_a_valid_area(owner, imported, anonymous, cis):
    assert anonymous.get("/api/customers/555001/import").status_code == 401
    assert owner.client().get("/api/customers/555001/import", HTTP_X_AREA="x").status_code == 400
    assert rows() == ([], [], [])


def test_file_adapter_parses_the_document():
    document = FileCisAdapter(FIXTURES / "cis").fetch_customer(customer_id=555001)
    assert document.customer_id == 555001
    assert [c.contract_no for c in document.contracts] == [55500101, 55500102]
    point = document.contracts[0].delivery_points[0]
    assert point.address["po_box"] is None and point.address["city"] == "Vinstra"
    assert FileCisAdapter(FIXTURES / "cis").fetch_customer(customer_id=1) is None


@pytest.mark.parametrize("raw", [b"not json", b"{}", b'{"CustomerId": 1, "Contracts": [{"ContractNo": "x"}]}'])
def test_malformed_documents_raise_cis_error(raw):
    with pytest.raises(CisError):
        parse_document(raw)
