"""register_payment locks and re-reads the invoice row: two payments booked at once both count."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.pricing import services
from apps.pricing.models import Invoice, InvoiceStatus

from .factories import make_invoice

pytestmark = pytest.mark.django_db


def test_a_payment_booked_from_a_stale_copy_loses_no_other_payment(owner):
    invoice = make_invoice(contract=owner.contract)
    stale = Invoice.objects.get(pk=invoice.pk)  # read before the other payment committed
    services.register_payment(invoice=invoice, amount=Decimal("10.00"))
    services.register_payment(invoice=stale, amount=Decimal("5.00"))
    invoice.refresh_from_db()
    assert invoice.unpaid_sum == invoice.invoice_sum - Decimal("15.00")
    assert stale.unpaid_sum == invoice.unpaid_sum  # the caller's object shows the booked state


def test_the_last_payment_settles_it_and_the_row_is_locked(owner):
    invoice = make_invoice(contract=owner.contract)
    with CaptureQueriesContext(connection) as queries:
        services.register_payment(invoice=invoice, amount=invoice.invoice_sum)
    assert invoice.status == InvoiceStatus.Paid and invoice.unpaid_sum == 0
    if connection.features.has_select_for_update:
        assert any("FOR UPDATE" in q["sql"] for q in queries.captured_queries)
    with pytest.raises(ValueError):
        services.register_payment(invoice=invoice, amount=Decimal(0))
