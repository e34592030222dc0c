"""Invoices worked out by hand, line by line to the øre, from the figures of
docs/research/norwegian-pricing-rules.md (rows cited as "table 1.4" etc.).

Rounding (apps/pricing/invoicing.py): each line is its exact sum rounded half up to øre; VAT is 25 % of
the sum of the rounded lines charged VAT; the subsidy and the Norgespris settlement include their VAT
compensation and are outside the VAT base. The grid tariff is the default one (Elvia households,
tariffs.py): working-day calendar, day 06–22 (table 6.2). Spot prices are stored by hand (one flat
price per hour), consumption is loaded by hand: N kWh every hour and P kWh in the 18–19 hour of every
day (the daily peak that decides the capacity step, table 7.1).

Calendars: January 2025 has 22 working days (23 weekdays less New Year's Day) and 9 other days;
November 2025 20 working days and 10 other days; February 2026 20 working days and 8 other days.
On a working day the day rate covers 16 hours (06–22, the 18–19 peak among them), the night rate 8.
"""

import datetime as dt
from decimal import Decimal

import pytest
from pypdf import PdfReader

from apps.customers.models import Contract
from apps.pricing import selectors, services
from apps.pricing.models import InvoiceLine, InvoiceStatus, PricePlan
from tests.factories import ContractFactory, DeliveryPointFactory, MeterFactory
from tests.pricing.factories import PricePlanFactory

from .test_rules_costs import load, local, store_prices

pytestmark = pytest.mark.django_db

D = Decimal
JAN_2025 = (dt.date(2025, 1, 1), dt.date(2025, 2, 1))
NOV_2025 = (dt.date(2025, 11, 1), dt.date(2025, 12, 1))
FEB_2026 = (dt.date(2026, 2, 1), dt.date(2026, 3, 1))


def contract_with_point(customer, product, *, area, municipality, kind="", meters=1):
    contract = ContractFactory(customer=customer, product=product)
    point = DeliveryPointFactory(contract=contract, price_area=area, municipality_no=municipality, consumer_kind=kind)
    return contract, [MeterFactory(delivery_point=point) for _ in range(meters)]


def consume(meters, period, *, every_hour: str, peak: str | None = None):
    first, end = period
    for meter in meters:
        load(
            meter,
            start=local(first.year, first.month, first.day),
            end=local(end.year, end.month, end.day),
            kwh=lambda t: peak if peak is not None and t.hour == 18 else every_hour,
        )


def prices(area, period, nok: str):
    store_prices(area=area, first=period[0], last=period[1] - dt.timedelta(days=1), price=lambda t: nok)


def bill(contract, period):
    return services.run_billing(contract=contract, period_start=period[0], period_end=period[1])


def lines_of(invoice) -> list[tuple]:
    return [(line.kind, line.quantity, line.amount) for line in invoice.lines.order_by("line_no")]


def pdf_text(invoice) -> str:
    import io

    content = selectors.invoice_pdf(invoice=invoice)
    # Each table cell comes out on its own line: compare with single spaces.
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


class TestKristiansandHouseholdJanuary2025:
    """A household in Kristiansand (4204, NO2) with both contracts: the supplier's (spot, markup
    0.049, a fixed fee of 39.00 a month) and the grid company's. 2.0 kWh every hour, 5.0 kWh at 18–19:
    51 kWh a day, 31 days = 1,581 kWh. Spot 1.00 NOK/kWh every hour.

    Grid company (table 6.8: Elvia Jan–Mar 2025 day 0.2321, night 0.1521; table 7.5 steps):
    - energy part, day: 22 working days × (15 × 2.0 + 5.0 = 35 kWh) = 770 kWh × 0.2321 = 178.717 → 178.72
    - energy part, night: 22 × 16 + 9 × 51 = 811 kWh × 0.1521 = 123.3531 → 123.35
    - capacity: three highest daily peaks 5.0 kW → step 5–10 (a boundary is in the higher step,
      table 7.2) → 280.00 (table 7.5)
    - electricity tax: 1,581 × 0.0979 (table 1.4) = 154.7799 → 154.78
    - Enova fee: 1,581 × 0.01 (table 2.1) = 15.81
    - VAT 25 % (table 5.1): (178.72 + 123.35 + 280.00 + 154.78 + 15.81 = 752.66) × 0.25 = 188.165 → 188.17
    - subsidy (table 3.2, 3.4, 3.9): 0.9 × (1.00 − 0.75) × 1.25 = 0.28125 × 1,581 = 444.65625 → −444.66
    - total: 752.66 + 188.17 − 444.66 = 496.17
    Supplier:
    - energy: 1,581 × 1.00 = 1,581.00; markup: 1,581 × 0.049 = 77.469 → 77.47; fee 39.00
    - VAT: (1,581.00 + 77.47 + 39.00 = 1,697.47) × 0.25 = 424.3675 → 424.37; total 2,121.84
    """

    GRID = [
        ("GRID_DAY", D("770.000"), D("178.72")),
        ("GRID_NIGHT", D("811.000"), D("123.35")),
        ("CAPACITY", D("1.000"), D("280.00")),
        ("EL_TAX", D("1581.000"), D("154.78")),
        ("ENOVA", D("1581.000"), D("15.81")),
        ("SUBSIDY", D("1581.000"), D("-444.66")),
        ("VAT", None, D("188.17")),
    ]
    SUPPLY = [
        ("ENERGY", D("1581.000"), D("1581.00")),
        ("MARKUP", D("1581.000"), D("77.47")),
        ("FEE", D("1.000"), D("39.00")),
        ("VAT", None, D("424.37")),
    ]

    @pytest.fixture
    def invoices(self, owner):
        customer = owner.customer
        supply, supply_meters = contract_with_point(customer, Contract.Product.POWER, area="NO2", municipality="4204")
        PricePlanFactory(contract=supply, monthly_fee_nok=D("39.00"))
        grid, grid_meters = contract_with_point(customer, Contract.Product.NET, area="NO2", municipality="4204")
        consume(supply_meters + grid_meters, JAN_2025, every_hour="2.0", peak="5.0")
        prices("NO2", JAN_2025, "1.00")
        return bill(grid, JAN_2025), bill(supply, JAN_2025)

    def test_the_grid_invoice(self, invoices):
        grid, _ = invoices
        assert lines_of(grid) == self.GRID
        assert grid.invoice_sum == D("496.17")
        capacity = grid.lines.get(kind="CAPACITY")
        assert (capacity.details["from_kw"], capacity.details["to_kw"], capacity.details["average_kw"]) == (5, 10, 5.0)
        assert len(capacity.details["peaks"]) == 3 and {kw for _start, kw in capacity.details["peaks"]} == {"5.0"}

    def test_the_supplier_invoice(self, invoices):
        _, supply = invoices
        assert lines_of(supply) == self.SUPPLY
        assert supply.invoice_sum == D("2121.84")

    def test_each_item_is_billed_once(self, invoices):
        """A customer with both contracts: energy and markup only from the supplier, the grid tariff,
        taxes and subsidy only from the grid company (issue #23 item 7)."""
        grid, supply = invoices
        grid_kinds = {line.kind for line in grid.lines.all()}
        supply_kinds = {line.kind for line in supply.lines.all()}
        assert grid_kinds & supply_kinds == {"VAT"}
        assert {"ENERGY", "MARKUP", "FEE"}.isdisjoint(grid_kinds)
        assert {"GRID_DAY", "GRID_NIGHT", "CAPACITY", "EL_TAX", "ENOVA", "SUBSIDY"}.isdisjoint(supply_kinds)

    def test_the_grid_pdf_in_bokmal(self, invoices):
        grid, _ = invoices
        text = pdf_text(grid)
        for expected in (
            f"Faktura {grid.invoice_no}",
            "eSmart Nett AS",
            "Org.nr. 923 456 783 MVA",
            "Foretaksregisteret",
            "Kontonr. 9876.54.32103",
            f"KID {grid.kid}",
            "Fakturadato 01.02.2025",
            "Forfallsdato 15.02.2025",
            "Periode 01.01.2025–31.01.2025",
            "Energiledd dag 770,000 kWh 0,2321 kr/kWh 178,72",
            "Energiledd natt/helg 811,000 kWh 0,1521 kr/kWh 123,35",
            "Kapasitetsledd 5–10 kW",
            "Elavgift 1 581,000 kWh 0,0979 kr/kWh 154,78",
            "Enova-avgift 1 581,000 kWh 0,0100 kr/kWh 15,81",
            "Strømstøtte (inkl. mva-kompensasjon) 1 581,000 kWh -0,2813 kr/kWh -444,66",
            "Mva 25 % 188,17",
            "25 % 752,66 188,17",
            "Å betale 496,17",
            "Betal 496,17 kr til konto 9876.54.32103 innen 15.02.2025",
        ):
            assert expected in text, expected
        assert "Strøm " not in text and "Påslag" not in text

    def test_the_supplier_pdf_in_english_when_the_customer_reads_english(self, invoices, owner):
        _, supply = invoices
        owner.customer.language = "en"
        owner.customer.save()
        supply.refresh_from_db()
        text = pdf_text(supply)
        for expected in (
            f"Invoice {supply.invoice_no}",
            "eSmart Energi AS",
            "Org. no. 912 345 688 MVA",
            "Electricity 1,581.000 kWh 1.0000 kr/kWh 1,581.00",
            "Markup 1,581.000 kWh 0.0490 kr/kWh 77.47",
            "Fixed monthly fee 1 month 39.00 kr/month 39.00",
            "VAT 25 % 424.37",
            "Total to pay 2,121.84",
            "Pay NOK 2,121.84 to account 1234.56.78903",
        ):
            assert expected in text, expected

    def test_a_paid_invoice_says_so_and_a_credit_note_says_so(self, invoices):
        grid, supply = invoices
        services.register_payment(invoice=grid, amount=grid.invoice_sum)
        grid.refresh_from_db()
        text = pdf_text(grid)
        assert "Fakturaen er betalt" in text and "Betal " not in text
        supply.invoice_type = "CreditNote"
        supply.save()
        text = pdf_text(supply)
        assert f"Kreditnota {supply.invoice_no}" in text and "Til gode" in text and "Betal " not in text


class TestKristiansandHouseholdFebruary2026:
    """The same household, February 2026 (28 days): 51 kWh a day = 1,428 kWh; spot 0.97.

    Grid company (table 6.7: day 0.2099, night 0.1299; table 7.4 steps):
    - day: 20 × 35 = 700 kWh × 0.2099 = 146.93; night: 20 × 16 + 8 × 51 = 728 kWh × 0.1299 = 94.5672 → 94.57
    - capacity 5.0 kW → 5–10 → 240.00; electricity tax 1,428 × 0.0713 (table 1.8, one rate all 2026)
      = 101.8164 → 101.82; Enova 14.28
    - VAT: (146.93 + 94.57 + 240.00 + 101.82 + 14.28 = 597.60) × 0.25 = 149.40
    - subsidy: 0.9 × (0.97 − 0.77) × 1.25 (table 3.3) = 0.225 × 1,428 = −321.30
    - total: 597.60 + 149.40 − 321.30 = 425.70
    Supplier: energy 1,428 × 0.97 = 1,385.16; markup 1,428 × 0.049 = 69.972 → 69.97; fee 39.00;
    VAT (1,494.13) × 0.25 = 373.5325 → 373.53; total 1,867.66.
    """

    def test_both_invoices(self, owner):
        customer = owner.customer
        supply, supply_meters = contract_with_point(customer, Contract.Product.POWER, area="NO2", municipality="4204")
        PricePlanFactory(contract=supply, monthly_fee_nok=D("39.00"))
        grid, grid_meters = contract_with_point(customer, Contract.Product.NET, area="NO2", municipality="4204")
        consume(supply_meters + grid_meters, FEB_2026, every_hour="2.0", peak="5.0")
        prices("NO2", FEB_2026, "0.97")
        grid_invoice, supply_invoice = bill(grid, FEB_2026), bill(supply, FEB_2026)
        assert lines_of(grid_invoice) == [
            ("GRID_DAY", D("700.000"), D("146.93")),
            ("GRID_NIGHT", D("728.000"), D("94.57")),
            ("CAPACITY", D("1.000"), D("240.00")),
            ("EL_TAX", D("1428.000"), D("101.82")),
            ("ENOVA", D("1428.000"), D("14.28")),
            ("SUBSIDY", D("1428.000"), D("-321.30")),
            ("VAT", None, D("149.40")),
        ]
        assert grid_invoice.invoice_sum == D("425.70")
        assert lines_of(supply_invoice) == [
            ("ENERGY", D("1428.000"), D("1385.16")),
            ("MARKUP", D("1428.000"), D("69.97")),
            ("FEE", D("1.000"), D("39.00")),
            ("VAT", None, D("373.53")),
        ]
        assert supply_invoice.invoice_sum == D("1867.66")


class TestTromsoHouseholdNovember2025:
    """A household in Tromsø (5501, NO4): no VAT on electricity or grid rent (mval. § 6-6, FMVA § 6-6-1:
    table 5.2), but the electricity tax (Tromsø is outside the action zone, table 1.14). 3.0 kWh every
    hour, 7.0 at 18–19: 76 kWh a day, 30 days = 2,280 kWh; spot 1.00.
    - day: 20 × (15 × 3.0 + 7.0 = 52) = 1,040 kWh × 0.2099 = 218.296 → 218.30
    - night: 20 × 24 + 10 × 76 = 1,240 kWh × 0.1299 = 161.076 → 161.08
    - capacity 7.0 kW → 5–10 → 240.00; tax 2,280 × 0.1253 (table 1.6) = 285.684 → 285.68; Enova 22.80
    - no VAT line (0 %); subsidy without the VAT factor (table 3.9): 0.9 × 0.25 × 2,280 = −513.00
    - total: 218.30 + 161.08 + 240.00 + 285.68 + 22.80 − 513.00 = 414.86
    """

    def test_the_grid_invoice(self, owner):
        grid, meters = contract_with_point(owner.customer, Contract.Product.NET, area="NO4", municipality="5501")
        consume(meters, NOV_2025, every_hour="3.0", peak="7.0")
        prices("NO4", NOV_2025, "1.00")
        invoice = bill(grid, NOV_2025)
        assert lines_of(invoice) == [
            ("GRID_DAY", D("1040.000"), D("218.30")),
            ("GRID_NIGHT", D("1240.000"), D("161.08")),
            ("CAPACITY", D("1.000"), D("240.00")),
            ("EL_TAX", D("2280.000"), D("285.68")),
            ("ENOVA", D("2280.000"), D("22.80")),
            ("SUBSIDY", D("2280.000"), D("-513.00")),
        ]
        assert invoice.invoice_sum == D("414.86")
        assert {line.vat_rate for line in invoice.lines.exclude(kind="SUBSIDY")} == {D("0")}
        text = pdf_text(invoice)
        assert "0 % 927,86 0,00" in text  # the VAT summary: base 218.30 + 161.08 + 240 + 285.68 + 22.80


class TestAltaBusinessFebruary2026:
    """A business in Alta (5601, Finnmark: the action zone). It pays the reduced electricity tax
    (table 1.13; 0.60 øre in 2026, table 1.10), 25 % VAT (not household use, table 5.4), the Enova fee
    per metering point (800 NOK a year, a twelfth a month: table 2.2) and gets no subsidy (table 3.8).
    10 kWh every hour, 20 at 18–19: 250 kWh a day, 28 days = 7,000 kWh; spot 0.90.
    - day: 20 × (15 × 10 + 20 = 170) = 3,400 kWh × 0.2099 = 713.66
    - night: 20 × 80 + 8 × 250 = 3,600 kWh × 0.1299 = 467.64
    - capacity 20.0 kW → 20–25 → 504.00 (table 7.4)
    - electricity tax 7,000 × 0.0060 = 42.00; Enova 800 / 12 = 66.666… → 66.67 (1 month)
    - VAT: (713.66 + 467.64 + 504.00 + 42.00 + 66.67 = 1,793.97) × 0.25 = 448.4925 → 448.49
    - total 2,242.46
    """

    def test_the_grid_invoice(self, owner):
        grid, meters = contract_with_point(
            owner.customer, Contract.Product.NET, area="NO4", municipality="5601", kind="BUSINESS"
        )
        consume(meters, FEB_2026, every_hour="10", peak="20")
        prices("NO4", FEB_2026, "0.90")
        invoice = bill(grid, FEB_2026)
        assert lines_of(invoice) == [
            ("GRID_DAY", D("3400.000"), D("713.66")),
            ("GRID_NIGHT", D("3600.000"), D("467.64")),
            ("CAPACITY", D("1.000"), D("504.00")),
            ("EL_TAX", D("7000.000"), D("42.00")),
            ("ENOVA", D("1.000"), D("66.67")),
            ("VAT", None, D("448.49")),
        ]
        assert invoice.lines.get(kind="EL_TAX").unit_price == D("0.00600")
        assert invoice.invoice_sum == D("2242.46")


class TestNorgesprisHouseholdOsloNovember2025:
    """A household in Oslo (0301, NO1) on Norgespris from 2025-10-01 (table 4.1, 4.2: 40 øre ex VAT). The
    grid company settles (spot − 0.40) per hour and metering point with VAT (table 4.9), for the first
    5,000 kWh of the month (table 4.5); the subsidy does not apply (table 3.12)."""

    def _grid(self, owner, *, every_hour, spot, meters=1):
        grid, grid_meters = contract_with_point(
            owner.customer, Contract.Product.NET, area="NO1", municipality="0301", meters=meters
        )
        PricePlanFactory(contract=grid, product_type=PricePlan.ProductType.Norgespris)
        consume(grid_meters, NOV_2025, every_hour=every_hour)
        prices("NO1", NOV_2025, spot)
        return bill(grid, NOV_2025)

    def test_below_the_cap_spot_under_norgespris_is_a_charge(self, owner):
        """2.0 kWh every hour = 1,440 kWh; spot 0.30.
        - day: 20 × 32 = 640 kWh × 0.2099 = 134.336 → 134.34; night: 20 × 16 + 10 × 48 = 800 × 0.1299 = 103.92
        - capacity 2.0 kW → 2–5 → 152.00; tax 1,440 × 0.1253 = 180.432 → 180.43; Enova 14.40
        - VAT (585.09) × 0.25 = 146.2725 → 146.27
        - Norgespris: (0.40 − 0.30) × 1.25 = 0.125 × 1,440 = 180.00 (a charge)
        - total 585.09 + 146.27 + 180.00 = 911.36"""
        invoice = self._grid(owner, every_hour="2.0", spot="0.30")
        assert lines_of(invoice) == [
            ("GRID_DAY", D("640.000"), D("134.34")),
            ("GRID_NIGHT", D("800.000"), D("103.92")),
            ("CAPACITY", D("1.000"), D("152.00")),
            ("EL_TAX", D("1440.000"), D("180.43")),
            ("ENOVA", D("1440.000"), D("14.40")),
            ("NORGESPRIS", D("1440.000"), D("180.00")),
            ("VAT", None, D("146.27")),
        ]
        assert invoice.invoice_sum == D("911.36")

    def test_above_the_cap_only_5000_kwh_are_settled(self, owner):
        """10 kWh every hour = 7,200 kWh; spot 0.60.
        - day: 20 × 160 = 3,200 × 0.2099 = 671.68; night: 20 × 80 + 10 × 240 = 4,000 × 0.1299 = 519.60
        - capacity 10.0 kW → 10–15 → 328.00; tax 7,200 × 0.1253 = 902.16; Enova 72.00
        - VAT (2,493.44) × 0.25 = 623.36
        - Norgespris: 5,000 kWh × (0.40 − 0.60) × 1.25 = −1,250.00 (the other 2,200 kWh at spot, table 4.8)
        - total 2,493.44 + 623.36 − 1,250.00 = 1,866.80"""
        invoice = self._grid(owner, every_hour="10", spot="0.60")
        assert lines_of(invoice) == [
            ("GRID_DAY", D("3200.000"), D("671.68")),
            ("GRID_NIGHT", D("4000.000"), D("519.60")),
            ("CAPACITY", D("1.000"), D("328.00")),
            ("EL_TAX", D("7200.000"), D("902.16")),
            ("ENOVA", D("7200.000"), D("72.00")),
            ("NORGESPRIS", D("5000.000"), D("-1250.00")),
            ("VAT", None, D("623.36")),
        ]
        assert invoice.invoice_sum == D("1866.80")

    def test_the_cap_counts_per_metering_point_not_per_meter(self, owner):
        """Two meters of 5 kWh an hour on one point (issue #23 item 5, table 4.5): 3,600 kWh each, 7,200
        for the point, so the point's 5,000 kWh are settled, not 2 × 3,600."""
        invoice = self._grid(owner, every_hour="5", spot="0.60", meters=2)
        settlement = invoice.lines.get(kind="NORGESPRIS")
        assert (settlement.quantity, settlement.amount) == (D("5000.000"), D("-1250.00"))
        assert invoice.lines.filter(kind="CAPACITY").count() == 1


def test_the_subsidy_cap_counts_per_metering_point(owner):
    """Table 3.7: the first 5,000 kWh a month per metering point. Two meters of 5 kWh an hour on one
    point in January 2026 (7,440 kWh together), spot 1.77: 0.9 × (1.77 − 0.77) × 1.25 = 1.125 per kWh
    for 5,000 kWh = −5,625.00; per meter the two would have earned 2 × 3,720 × 1.125 = 8,370.00."""
    jan = (dt.date(2026, 1, 1), dt.date(2026, 2, 1))
    grid, meters = contract_with_point(owner.customer, Contract.Product.NET, area="NO1", municipality="0301", meters=2)
    consume(meters, jan, every_hour="5")
    prices("NO1", jan, "1.77")
    subsidy = bill(grid, jan).lines.get(kind="SUBSIDY")
    assert (subsidy.quantity, subsidy.amount) == (D("5000.000"), D("-5625.00"))
    # The cost reads split the point's capped kWh between its meters by their share of each hour.
    meter_totals = [
        selectors.meter_costs(meter=m, from_time=local(2026, 1, 1), to_time=local(2026, 2, 1), resolution=40)["totals"][
            "subsidy"
        ]
        for m in meters
    ]
    assert meter_totals == [-2812.5, -2812.5]


def test_seeded_invoices_are_not_paid_twice(owner):
    """A paid invoice has nothing left to pay: the PDF says so, not "Pay 0.00"."""
    grid, meters = contract_with_point(owner.customer, Contract.Product.NET, area="NO4", municipality="5501")
    consume(meters, NOV_2025, every_hour="1.0")
    prices("NO4", NOV_2025, "0.50")
    invoice = bill(grid, NOV_2025)
    services.register_payment(invoice=invoice, amount=invoice.invoice_sum)
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.Paid
    text = pdf_text(invoice)
    assert "Fakturaen er betalt" in text and "0,00 kr til konto" not in text


def test_line_kinds_are_all_known():
    assert {"GRID_DAY", "GRID_NIGHT", "CAPACITY", "EL_TAX", "ENOVA", "FEE"} <= set(InvoiceLine.Kind.values)
