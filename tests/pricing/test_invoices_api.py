"""The invoice lists and GET .../invoices/{invoiceNo}: InvoiceResponse exactly as contract.md has it."""

import datetime as dt
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest

from apps.customers.models import Contract
from apps.pricing import links, services
from apps.pricing.models import Invoice, InvoiceStatus
from tests.conftest import PASSWORD
from tests.factories import ContractFactory
from tests.pricing.factories import PricePlanFactory

from .factories import make_invoice

pytestmark = pytest.mark.django_db

INVOICE_RESPONSE = {
    "CreditStatus",
    "CustomerId",
    "DueDate",
    "DunningIsSent",
    "HasPaymentAgreement",
    "InvoiceDate",
    "InvoiceNo",
    "InvoiceSum",
    "InvoiceType",
    "Kid",
    "LedgerNo",
    "Postponeable",
    "SentToDebtCollection",
    "SentToInvoicePartner",
    "UnpaidSum",
    "PdfUrl",
    "InvoiceStatus",
}


def customer_url(customer_id, rest=""):
    return f"/api/customers/{customer_id}/invoices{rest}"


class TestInvoiceResponse:
    def test_one_invoice(self, owner):
        invoice = make_invoice(contract=owner.contract, status=InvoiceStatus.Unpaid)
        response = owner.client().get(customer_url(owner.customer.pk, f"/{invoice.invoice_no}"))
        assert response.status_code == 200
        body = response.json()
        assert set(body) == INVOICE_RESPONSE
        assert body["InvoiceNo"] == str(invoice.invoice_no)  # a string on the wire
        assert body["CustomerId"] == owner.customer.pk
        assert (body["InvoiceDate"][:10], body["DueDate"][:10]) == ("2025-03-01", "2025-03-15")
        assert (body["InvoiceSum"], body["UnpaidSum"]) == (125.0, 125.0)
        assert (body["InvoiceStatus"], body["InvoiceType"], body["LedgerNo"]) == (
            4,
            "Invoice",
            owner.contract.ledger_no,
        )
        assert body["Kid"] == invoice.kid and services.mod10_check_digit(body["Kid"][:-1]) == body["Kid"][-1]
        assert body["DunningIsSent"] is False and body["CreditStatus"] == ""

    def test_pdf_url_is_a_signed_link_without_password(self, owner):
        invoice = make_invoice(contract=owner.contract)
        url = owner.client().get(customer_url(owner.customer.pk, f"/{invoice.invoice_no}")).json()["PdfUrl"]
        parts = urlsplit(url)
        assert parts.path == f"/api/customers/{owner.customer.pk}/invoices/{invoice.invoice_no}/pdf"
        query = parse_qs(parts.query)
        assert set(query) == {"token", "area"} and query["area"] == ["2"]
        assert links.read_pdf_token(query["token"][0]) == (owner.user.pk, invoice.invoice_no)
        assert PASSWORD not in url and "password" not in url.lower() and owner.user.username not in url

    def test_net_invoice_is_seen_in_the_net_area(self, owner):
        net_contract = Contract.objects.get(customer=owner.net_customer)
        invoice = make_invoice(contract=net_contract)
        url = customer_url(owner.net_customer.pk, f"/{invoice.invoice_no}")
        assert owner.client().get(url).status_code == 404  # Power is the default area
        body = owner.client(area=1).get(url).json()
        assert parse_qs(urlsplit(body["PdfUrl"]).query)["area"] == ["1"]

    def test_another_users_invoice_is_404(self, owner, other):
        theirs = make_invoice(contract=other.contract)
        assert owner.client().get(customer_url(owner.customer.pk, f"/{theirs.invoice_no}")).status_code == 404
        assert owner.client().get(customer_url(other.customer.pk, f"/{theirs.invoice_no}")).status_code == 404

    def test_unknown_or_non_numeric_invoice_no_is_404(self, owner):
        assert owner.client().get(customer_url(owner.customer.pk, "/99999999")).status_code == 404
        assert owner.client().get(customer_url(owner.customer.pk, "/abc")).status_code == 404

    def test_no_credentials_401(self, anonymous, owner):
        invoice = make_invoice(contract=owner.contract)
        response = anonymous.get(customer_url(owner.customer.pk, f"/{invoice.invoice_no}"))
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Basic")


class TestInvoiceLists:
    def test_customer_invoices_newest_first(self, owner, other):
        first = make_invoice(contract=owner.contract, invoice_date=dt.date(2024, 12, 1))
        second = make_invoice(contract=owner.contract, invoice_date=dt.date(2025, 1, 1))
        make_invoice(contract=other.contract)
        response = owner.client().get(customer_url(owner.customer.pk))
        assert response.status_code == 200
        assert [i["InvoiceNo"] for i in response.json()] == [str(second.invoice_no), str(first.invoice_no)]
        assert all(set(i) == INVOICE_RESPONSE for i in response.json())

    def test_customer_invoices_of_a_year(self, owner):
        make_invoice(contract=owner.contract, invoice_date=dt.date(2024, 12, 1))
        later = make_invoice(contract=owner.contract, invoice_date=dt.date(2025, 1, 1))
        body = owner.client().get(customer_url(owner.customer.pk, "/2025/invoicepdfs")).json()
        assert [i["InvoiceNo"] for i in body] == [str(later.invoice_no)]
        assert body[0]["PdfUrl"].startswith(f"http://testserver/api/customers/{owner.customer.pk}/invoices/")
        assert owner.client().get(customer_url(owner.customer.pk, "/2023/InvoicePdfs")).json() == []

    def test_contract_invoices_of_a_year(self, owner):
        other_contract = ContractFactory(customer=owner.customer)
        mine = make_invoice(contract=owner.contract, invoice_date=dt.date(2025, 2, 1))
        make_invoice(contract=other_contract, invoice_date=dt.date(2025, 2, 1))
        make_invoice(contract=owner.contract, invoice_date=dt.date(2024, 2, 1))
        url = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/invoices/2025"
        body = owner.client().get(url).json()
        assert [i["InvoiceNo"] for i in body] == [str(mine.invoice_no)]

    @pytest.mark.parametrize("year", ["2000", "1999", "0", "10000", "020255"])
    def test_a_year_out_of_range_is_400(self, owner, year):
        for url in (
            customer_url(owner.customer.pk, f"/{year}/invoicepdfs"),
            f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/invoices/{year}",
        ):
            response = owner.client().get(url)
            assert response.status_code == 400, url
            assert "Year" in response.json()["ModelState"]

    def test_a_year_that_is_not_a_number_is_404(self, owner):
        # <int:year> matches digits only: no route takes "last", so it is Django's 404.
        assert owner.client().get(customer_url(owner.customer.pk, "/last/invoicepdfs")).status_code == 404
        url = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/invoices/-2025"
        assert owner.client().get(url).status_code == 404

    def test_another_users_ids_are_404(self, owner, other):
        make_invoice(contract=other.contract)
        client = owner.client()
        assert client.get(customer_url(other.customer.pk)).status_code == 404
        assert client.get(customer_url(other.customer.pk, "/2025/invoicepdfs")).status_code == 404
        for customer_id, contract_no in (
            (other.customer.pk, other.contract.contract_no),
            (owner.customer.pk, other.contract.contract_no),
        ):
            url = f"/api/customers/{customer_id}/contracts/{contract_no}/invoices/2025"
            assert client.get(url).status_code == 404

    def test_no_credentials_401(self, anonymous, owner):
        for url in (
            customer_url(owner.customer.pk),
            customer_url(owner.customer.pk, "/2025/invoicepdfs"),
            f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/invoices/2025",
        ):
            assert anonymous.get(url).status_code == 401

    @pytest.mark.parametrize(
        "path",
        ["", "/2025/invoicepdfs", "contract"],
    )
    def test_lists_run_a_constant_number_of_queries(self, owner, django_assert_num_queries, path):
        client = owner.client()
        if path == "contract":
            url = f"/api/customers/{owner.customer.pk}/contracts/{owner.contract.contract_no}/invoices/2025"
        else:
            url = customer_url(owner.customer.pk, path)
        make_invoice(contract=owner.contract, invoice_date=dt.date(2025, 1, 1))
        client.get(url)  # warm the credentials cache
        with django_assert_num_queries(3) as one:  # user, anchor, invoices
            assert len(client.get(url).json()) == 1
        for month in range(2, 9):
            make_invoice(contract=owner.contract, invoice_date=dt.date(2025, month, 1))
        with django_assert_num_queries(len(one.captured_queries)):
            assert len(client.get(url).json()) == 8


def test_invoice_sum_from_billing_is_on_the_wire(owner, source):
    """A billed invoice (not a factory one) reads back with the sums of its lines."""
    from apps.metering.services import load_intervals
    from apps.pricing.models import PricePlan

    PricePlanFactory(
        contract=owner.contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("1.00")
    )
    start = dt.datetime(2025, 9, 30, 22, tzinfo=dt.UTC)
    load_intervals(rows=[(owner.meter.pk, start + dt.timedelta(hours=h), 60, Decimal("2.000"), 0) for h in range(10)])
    invoice = services.run_billing(
        contract=owner.contract, period_start=dt.date(2025, 10, 1), period_end=dt.date(2025, 10, 2)
    )
    body = owner.client().get(customer_url(owner.customer.pk, f"/{invoice.invoice_no}")).json()
    assert (body["InvoiceSum"], body["UnpaidSum"], body["InvoiceStatus"]) == (25.0, 25.0, 1)
    assert body["InvoiceDate"][:10] == "2025-10-02" and Invoice.objects.count() == 1
