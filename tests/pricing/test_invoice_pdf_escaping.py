"""The invoice PDF shows customer data as text: reportlab markup in a name or an address does nothing."""

import pytest
import reportlab.lib.utils

from apps.pricing import pdf
from apps.pricing.models import InvoiceLine

from .factories import make_invoice

pytestmark = pytest.mark.django_db

LINK = '<a href="https://evil.example/phish">Pay here</a>'
IMAGE = '<img src="/etc/hostname" width="20" height="20"/>'


@pytest.fixture
def opened(monkeypatch):
    """Every file or URL reportlab opens while rendering."""
    calls = []
    real = reportlab.lib.utils.open_for_read

    def spy(name, *args, **kwargs):
        calls.append(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(reportlab.lib.utils, "open_for_read", spy)
    return calls


def render(invoice) -> bytes:
    invoice.refresh_from_db()
    lines = list(InvoiceLine.objects.filter(invoice=invoice).order_by("line_no"))
    return pdf.render_invoice_pdf(invoice=invoice, lines=lines, daily=[], compress=False)


def test_markup_in_names_and_addresses_is_text(owner, opened):
    customer = owner.customer
    customer.first_name, customer.last_name = LINK, "O'Brien & <b>Sons"
    customer.address_text, customer.city = IMAGE, "<font size=40>Oslo</font>"
    customer.save()
    invoice = make_invoice(contract=owner.contract)

    document = render(invoice)

    assert document.startswith(b"%PDF-")
    assert b"/URI" not in document and b"/Link" not in document  # no link annotation
    assert b"/Subtype /Image" not in document  # no image drawn
    assert "/etc/hostname" not in [str(name) for name in opened]
    assert b"evil.example/phish" in document and b"/etc/hostname" in document  # shown as text
