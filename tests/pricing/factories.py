"""factory-boy factories for the pricing app's rows, and invoices made directly (no billing run):
quick, with lines that add up."""

import datetime as dt
from decimal import Decimal

import factory

from apps.pricing import conf, services
from apps.pricing.models import ExchangeRate, Invoice, InvoiceLine, InvoiceStatus, PricePlan, SpotPriceDay


def make_invoice(
    *,
    contract,
    invoice_date=dt.date(2025, 3, 1),
    energy=Decimal("100.00"),
    status=InvoiceStatus.NotDue,
) -> Invoice:
    period_end = invoice_date
    period_start = (period_end - dt.timedelta(days=1)).replace(day=1)
    vat = (energy * Decimal("0.25")).quantize(Decimal("0.01"))
    invoice = InvoiceFactory(
        customer_id=contract.customer_id,
        contract=contract,
        period_start=period_start,
        period_end=period_end,
        invoice_date=invoice_date,
        due_date=invoice_date + dt.timedelta(days=14),
        ledger_no=contract.ledger_no,
        consumption_kwh=Decimal("100.000"),
        invoice_sum=energy + vat,
        unpaid_sum=energy + vat,
        status=status,
    )
    invoice.invoice_no = conf.INVOICE_NO_START + invoice.pk
    invoice.kid = services.kid_for(customer_id=contract.customer_id, invoice_no=invoice.invoice_no)
    invoice.save(update_fields=["invoice_no", "kid"])
    InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=invoice,
                line_no=1,
                kind=InvoiceLine.Kind.ENERGY,
                description="Energy",
                quantity=Decimal("100.000"),
                unit_price=energy / 100,
                amount=energy,
            ),
            InvoiceLine(invoice=invoice, line_no=2, kind=InvoiceLine.Kind.VAT, description="VAT", amount=vat),
        ]
    )
    return invoice


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ExchangeRate


class InvoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invoice


class PricePlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PricePlan


class SpotPriceDayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpotPriceDay
