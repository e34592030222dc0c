"""GET .../invoices/{invoiceNo}/pdf: a reportlab PDF that a browser opens with credentials in the query."""

import logging
from urllib.parse import urlsplit

import pytest
from rest_framework.test import APIClient

from apps.customers.models import Contract
from apps.pricing import conf, selectors
from tests.conftest import PASSWORD, basic

from .factories import make_invoice

pytestmark = pytest.mark.django_db


def pdf_path(invoice, customer_id=None):
    return f"/api/customers/{customer_id or invoice.customer_id}/invoices/{invoice.invoice_no}/pdf"


def query_login(owner, password=PASSWORD, **extra):
    return {"userName": owner.user.username, "password": password, **extra}


def assert_pdf(response, invoice):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response.content.rstrip().endswith(b"%%EOF")
    assert f"Faktura {invoice.invoice_no}".encode() in response.content  # the document title (bokmål)


def test_pdf_with_credentials_in_the_query_string(owner):
    invoice = make_invoice(contract=owner.contract)
    response = APIClient().get(pdf_path(invoice), query_login(owner))
    assert_pdf(response, invoice)
    assert response["Content-Disposition"] == f'inline; filename="invoice-{invoice.invoice_no}.pdf"'


def test_query_parameter_names_in_any_case_and_basic_auth(owner):
    invoice = make_invoice(contract=owner.contract)
    assert_pdf(APIClient().get(pdf_path(invoice), {"USERNAME": owner.user.username, "Password": PASSWORD}), invoice)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    assert_pdf(client.get(pdf_path(invoice)), invoice)


def test_pdf_url_of_the_api_opens_the_pdf_without_credentials(owner):
    invoice = make_invoice(contract=owner.contract)
    url = owner.client().get(f"/api/customers/{owner.customer.pk}/invoices/{invoice.invoice_no}").json()["PdfUrl"]
    parts = urlsplit(url)
    assert_pdf(APIClient().get(f"{parts.path}?{parts.query}"), invoice)


def test_pdf_token_is_bound_to_its_invoice_and_expires(owner, monkeypatch):
    first = make_invoice(contract=owner.contract)
    second = make_invoice(contract=owner.contract, invoice_date=first.invoice_date.replace(month=4))
    listing = owner.client().get(f"/api/customers/{owner.customer.pk}/invoices").json()
    token_of = {i["InvoiceNo"]: urlsplit(i["PdfUrl"]).query for i in listing}
    response = APIClient().get(f"{pdf_path(second)}?{token_of[str(first.invoice_no)]}")
    assert response.status_code == 401
    assert APIClient().get(pdf_path(first), {"token": "forged:token"}).status_code == 401
    monkeypatch.setattr(conf, "INVOICE_PDF_TOKEN_SECONDS", -1)
    assert APIClient().get(f"{pdf_path(first)}?{token_of[str(first.invoice_no)]}").status_code == 401


def test_area_parameter_selects_the_area(owner):
    invoice = make_invoice(contract=Contract.objects.get(customer=owner.net_customer))
    assert APIClient().get(pdf_path(invoice), query_login(owner)).status_code == 404  # Power by default
    assert_pdf(APIClient().get(pdf_path(invoice), query_login(owner, area="1")), invoice)
    response = APIClient().get(pdf_path(invoice), query_login(owner, area="3"))
    assert response.status_code == 400
    assert "Area" in response.json()["ModelState"]


def test_another_users_invoice_is_404(owner, other):
    theirs = make_invoice(contract=other.contract)
    assert APIClient().get(pdf_path(theirs), query_login(owner)).status_code == 404
    assert APIClient().get(pdf_path(theirs, owner.customer.pk), query_login(owner)).status_code == 404


def test_no_credentials_and_wrong_password_are_401(owner):
    invoice = make_invoice(contract=owner.contract)
    for params in ({}, {"userName": owner.user.username}, query_login(owner, password="wrong password")):
        response = APIClient().get(pdf_path(invoice), params)
        assert response.status_code == 401, params
        assert response["WWW-Authenticate"].startswith("Basic")


def test_the_password_never_reaches_a_log(owner, other, caplog):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.request")
    mine, theirs = make_invoice(contract=owner.contract), make_invoice(contract=other.contract)
    wrong = "Wr0ng-Secret-Value"
    assert APIClient().get(pdf_path(mine), query_login(owner)).status_code == 200
    assert APIClient().get(pdf_path(theirs), query_login(owner)).status_code == 404
    assert APIClient().get(pdf_path(mine), query_login(owner, password=wrong)).status_code == 401
    request_logs = [r.getMessage() for r in caplog.records if r.name == "django.request"]
    assert any(m.startswith("Not Found") for m in request_logs)
    assert any(m.startswith("Unauthorized") for m in request_logs)
    for secret in (PASSWORD, wrong, PASSWORD.replace(" ", "+"), PASSWORD.replace(" ", "%20")):
        assert secret not in caplog.text


def test_uncompressed_pdf_holds_the_invoice(owner):
    invoice = make_invoice(contract=owner.contract)
    content = selectors.invoice_pdf(invoice=invoice, compress=False)
    assert content.startswith(b"%PDF-")
    for text in (
        f"Faktura {invoice.invoice_no}",
        f"KID {invoice.kid}",
        " betale",  # «Å betale» (the Å is an escaped byte in the PDF string)
        "125,00",
        "Forbruk per dag",  # the chart title (parentheses are escaped in PDF strings)
        conf.invoice_seller("POWER")["name"],
    ):
        assert text.encode() in content, text
    assert selectors.invoice_pdf(invoice=invoice, compress=False) == content  # deterministic
