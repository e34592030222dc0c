"""The billing run: invoices and lines from the costs service, KID, payments, seed_demo's invoices."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.customers.models import Contract
from apps.metering.services import load_intervals
from apps.pricing import demo, selectors, services
from apps.pricing.models import Invoice, InvoiceLine, InvoiceStatus, PricePlan
from tests.factories import DeliveryPointFactory, MeterFactory
from tests.pricing.factories import PricePlanFactory

from .test_invoices_by_hand import pdf_text

pytestmark = pytest.mark.django_db

OCTOBER = (dt.date(2025, 10, 1), dt.date(2025, 11, 1))
OCTOBER_UTC = (dt.datetime(2025, 9, 30, 22, tzinfo=dt.UTC), dt.datetime(2025, 10, 31, 23, tzinfo=dt.UTC))


def load(meter, start, hours, kwh="1.0"):
    load_intervals(rows=[(meter.pk, start + dt.timedelta(hours=h), 60, Decimal(kwh), 0) for h in range(hours)])


@pytest.mark.parametrize(
    ("base", "digit"),
    [("7992739871", "3"), ("1234567", "4"), ("0000000000", "0"), ("12345678903", "1"), ("0", "0")],
)
def test_mod10_check_digit(base, digit):
    assert services.mod10_check_digit(base) == digit


def test_kid_has_a_valid_mod10_digit():
    kid = services.kid_for(customer_id=100001, invoice_no=10_000_042)
    assert kid == "0100001010000042" + services.mod10_check_digit("0100001010000042")
    assert len(kid) == 17 and kid.isdigit()


def test_fixed_price_month(owner, source):
    PricePlanFactory(
        contract=owner.contract, product_type=PricePlan.ProductType.Fixed, fixed_price_nok_per_kwh=Decimal("1.00")
    )
    load(owner.meter, OCTOBER_UTC[0], 100, "1.5")
    invoice = services.run_billing(contract=owner.contract, period_start=OCTOBER[0], period_end=OCTOBER[1])
    lines = list(invoice.lines.values_list("kind", "quantity", "unit_price", "amount", "vat_rate"))
    assert lines == [  # a fixed price has no markup line; VAT 25 % of 150.00
        (InvoiceLine.Kind.ENERGY, Decimal("150.000"), Decimal("1.00000"), Decimal("150.00"), Decimal("0.25")),
        (InvoiceLine.Kind.VAT, None, None, Decimal("37.50"), Decimal("0.25")),
    ]
    assert (invoice.invoice_sum, invoice.unpaid_sum, invoice.consumption_kwh) == (
        Decimal("187.50"),
        Decimal("187.50"),
        Decimal("150.000"),
    )
    assert (invoice.customer_id, invoice.ledger_no, invoice.status) == (
        owner.customer.pk,
        owner.contract.ledger_no,
        InvoiceStatus.NotDue,
    )
    assert (invoice.invoice_date, invoice.due_date) == (dt.date(2025, 11, 1), dt.date(2025, 11, 15))
    assert invoice.kid[-1] == services.mod10_check_digit(invoice.kid[:-1])
    assert str(invoice.invoice_no) in invoice.kid


def test_grid_contract_bills_the_grid_items_only_and_agrees_with_the_costs(owner, source):
    """A grid company's invoice (issue #23 item 7): energy part day/night, capacity, tax, Enova, subsidy
    and VAT; no supplier energy, markup or fee. Two meters on one point: one capacity line for the point."""
    contract = Contract.objects.get(customer=owner.net_customer)
    point = DeliveryPointFactory(contract=contract, price_area="NO1")
    for meter in (MeterFactory(delivery_point=point), MeterFactory(delivery_point=point)):
        load(meter, OCTOBER_UTC[0] + dt.timedelta(days=3), 72, "2.2")
    invoice = services.run_billing(contract=contract, period_start=OCTOBER[0], period_end=OCTOBER[1])
    kinds = [line.kind for line in invoice.lines.all()]
    assert set(kinds) <= {"GRID_DAY", "GRID_NIGHT", "CAPACITY", "EL_TAX", "ENOVA", "SUBSIDY", "VAT"}
    assert {"GRID_DAY", "GRID_NIGHT", "CAPACITY", "EL_TAX", "ENOVA", "VAT"} <= set(kinds)
    assert kinds.count("CAPACITY") == 1
    lines = {line.kind: line.amount for line in invoice.lines.all()}
    assert invoice.invoice_sum == sum(lines.values())
    costs = selectors.contract_costs(
        contract=contract, from_time=OCTOBER_UTC[0], to_time=OCTOBER_UTC[1], resolution=40
    )["totals"]
    assert (costs["energy"], costs["markup"]) == (0, 0)
    # The invoice rounds each line, the costs each part: they agree to a few øre.
    assert abs(lines["GRID_DAY"] + lines["GRID_NIGHT"] + lines["CAPACITY"] - costs["grid"]) <= Decimal("0.02")
    assert abs(lines["EL_TAX"] + lines["ENOVA"] - costs["taxes"]) <= Decimal("0.02")
    assert abs(invoice.invoice_sum - costs["value"]) <= Decimal("0.05")
    assert invoice.consumption_kwh == Decimal("316.800")


def test_billing_is_idempotent_per_contract_and_period(owner, source):
    load(owner.meter, OCTOBER_UTC[0], 24)
    first = services.run_billing(contract=owner.contract, period_start=OCTOBER[0], period_end=OCTOBER[1])
    calls = len(source.calls)
    again = services.run_billing(contract=owner.contract, period_start=OCTOBER[0], period_end=OCTOBER[1])
    assert again.pk == first.pk and Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == first.lines.count()
    assert len(source.calls) == calls  # found, not recomputed
    other_period = services.run_billing(
        contract=owner.contract, period_start=OCTOBER[0], period_end=dt.date(2025, 10, 2)
    )
    assert other_period.pk != first.pk and other_period.invoice_no == first.invoice_no + 1


def test_nothing_to_bill_is_none(owner, source):
    assert services.run_billing(contract=owner.contract, period_start=OCTOBER[0], period_end=OCTOBER[1]) is None
    assert not Invoice.objects.exists()
    with pytest.raises(ValueError):
        services.run_billing(contract=owner.contract, period_start=OCTOBER[1], period_end=OCTOBER[0])


def test_payment_settles_the_invoice(owner, source):
    load(owner.meter, OCTOBER_UTC[0], 24)
    invoice = services.run_billing(contract=owner.contract, period_start=OCTOBER[0], period_end=OCTOBER[1])
    services.register_payment(invoice=invoice, amount=Decimal("1.00"))
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.NotDue and invoice.unpaid_sum == invoice.invoice_sum - 1
    services.register_payment(invoice=invoice, amount=invoice.unpaid_sum)
    invoice.refresh_from_db()
    assert (invoice.status, invoice.unpaid_sum) == (InvoiceStatus.Paid, 0)


def test_billed_invoice_pdf_has_its_lines_and_chart(owner, source):
    load(owner.meter, OCTOBER_UTC[0], 48, "3.0")
    invoice = services.run_billing(contract=owner.contract, period_start=OCTOBER[0], period_end=OCTOBER[1])
    daily = selectors.invoice_daily_consumption(invoice=invoice)
    assert len(daily) == 31 and daily[0] == (dt.date(2025, 10, 1), 72.0) and daily[2] == (dt.date(2025, 10, 3), None)
    text = pdf_text(invoice)
    total = f"{invoice.invoice_sum:.2f}".replace(".", ",")
    for expected in ("Strøm 144,000 kWh", "Påslag 144,000 kWh", f"Å betale {total}", "Forbruk per dag"):
        assert expected in text, expected


def test_seed_bills_whole_months_and_is_idempotent(owner, source):
    load(owner.meter, dt.datetime(2025, 9, 20, tzinfo=dt.UTC), 24 * 75, "0.5")
    today = dt.date(2025, 12, 10)
    reports = []
    made = demo.seed_invoices(users=[owner.user], days=75, today=today, progress=lambda *a: reports.append(a))
    invoices = list(Invoice.objects.order_by("period_start").values_list("period_start", "status", "invoice_no"))
    assert made == 2 and reports == [(1, 2), (2, 2)]  # two contracts (Power and Net); only Power has meters
    assert [(start, status) for start, status, _ in invoices] == [
        (dt.date(2025, 10, 1), InvoiceStatus.Paid),  # due 2025-11-15
        (dt.date(2025, 11, 1), InvoiceStatus.NotDue),  # due 2025-12-15
    ]
    # The demo supplier's plan bills its monthly fee; the grid contract keeps the default tariff.
    first = Invoice.objects.order_by("period_start").first()
    assert first.lines.get(kind="FEE").amount == demo.DEMO_MONTHLY_FEE_NOK
    assert not PricePlan.objects.filter(contract__product=Contract.Product.NET).exists()
    assert demo.seed_invoices(users=[owner.user], days=75, today=today) == 2
    assert (
        list(Invoice.objects.order_by("period_start").values_list("period_start", "status", "invoice_no")) == invoices
    )
