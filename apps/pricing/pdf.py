"""The invoice PDF (reportlab), in Norwegian bokmål, or English for a customer whose language is English.

What a Norwegian customer expects on an electricity invoice: the seller's name, address and organisation
number with «MVA» (registered in Foretaksregisteret), the account number to pay to and the KID, invoice
and due dates, the period, lines with quantity, unit price and amount, a VAT summary per rate, the total,
and whether it is paid or a credit note. Seller details are settings (`conf.invoice_seller`).
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import conf, invoicing
from .models import Invoice, InvoiceLine, InvoiceStatus

OSLO = ZoneInfo("Europe/Oslo")

TEXTS = {
    "nb": {
        "invoice": "Faktura",
        "credit_note": "Kreditnota",
        "invoice_no": "Fakturanr.",
        "customer_no": "Kundenr.",
        "contract_no": "Avtalenr.",
        "invoice_date": "Fakturadato",
        "due_date": "Forfallsdato",
        "period": "Periode",
        "kid": "KID",
        "account": "Kontonr.",
        "org_no": "Org.nr.",
        "register": "Foretaksregisteret",
        "description": "Beskrivelse",
        "quantity": "Antall",
        "unit_price": "Pris",
        "amount": "Beløp (kr)",
        "vat_summary": "Merverdiavgift",
        "vat_rate": "Sats",
        "vat_base": "Grunnlag (kr)",
        "vat_amount": "Mva (kr)",
        "outside_vat": "Utenfor mva-grunnlaget (strømstøtte og Norgespris er oppgitt inkl. mva)",
        "total_ex_vat": "Sum eks. mva",
        "vat": "Mva",
        "total": "Å betale",
        "total_credit": "Til gode",
        "pay": "Betal {amount} kr til konto {account} innen {due} med KID {kid}.",
        "partly_paid": "Betalt hittil: {paid} kr. Gjenstår: {amount} kr til konto {account} innen {due}, KID {kid}.",
        "paid": "Fakturaen er betalt. Takk!",
        "credited": "Kreditnota: beløpet godskrives deg og trekkes fra neste faktura eller betales tilbake.",
        "chart": "Forbruk per dag (kWh)",
        "month": "mnd",
        "org_no_customer": "Org.nr.",
        "metering_point": "målepunkt",
        "peaks": "snitt av tre høyeste timer {average} kW",
        "at": "kl.",
        "ENERGY": "Strøm",
        "MARKUP": "Påslag",
        "FEE": "Fastbeløp",
        "GRID_DAY": "Energiledd dag",
        "GRID_NIGHT": "Energiledd natt/helg",
        "GRID_FLAT": "Energiledd",
        "CAPACITY": "Kapasitetsledd",
        "EL_TAX": "Elavgift",
        "ENOVA": "Enova-avgift",
        "SUBSIDY": "Strømstøtte (inkl. mva-kompensasjon)",
        "NORGESPRIS": "Norgespris-oppgjør (inkl. mva)",
        "VAT": "Mva",
        "GRID": "Nettleie",
        "TAXES": "Elavgift og Enova-avgift",
    },
    "en": {
        "invoice": "Invoice",
        "credit_note": "Credit note",
        "invoice_no": "Invoice no.",
        "customer_no": "Customer no.",
        "contract_no": "Contract no.",
        "invoice_date": "Invoice date",
        "due_date": "Due date",
        "period": "Period",
        "kid": "KID",
        "account": "Account no.",
        "org_no": "Org. no.",
        "register": "Register of Business Enterprises",
        "description": "Description",
        "quantity": "Quantity",
        "unit_price": "Unit price",
        "amount": "Amount (NOK)",
        "vat_summary": "VAT",
        "vat_rate": "Rate",
        "vat_base": "Base (NOK)",
        "vat_amount": "VAT (NOK)",
        "outside_vat": "Outside the VAT base (the subsidy and Norgespris are shown incl. VAT)",
        "total_ex_vat": "Total excluding VAT",
        "vat": "VAT",
        "total": "Total to pay",
        "total_credit": "To your credit",
        "pay": "Pay NOK {amount} to account {account} by {due} with KID {kid}.",
        "partly_paid": "Paid so far: NOK {paid}. Remaining: NOK {amount} to account {account} by {due}, KID {kid}.",
        "paid": "This invoice is paid. Thank you!",
        "credited": "Credit note: the amount is credited to you, deducted from your next invoice or paid back.",
        "chart": "Consumption per day (kWh)",
        "month": "month",
        "org_no_customer": "Org. no.",
        "metering_point": "metering point",
        "peaks": "mean of the three highest hours {average} kW",
        "at": "at",
        "ENERGY": "Electricity",
        "MARKUP": "Markup",
        "FEE": "Fixed monthly fee",
        "GRID_DAY": "Grid energy part, day",
        "GRID_NIGHT": "Grid energy part, night and weekend",
        "GRID_FLAT": "Grid energy part",
        "CAPACITY": "Capacity charge",
        "EL_TAX": "Electricity tax",
        "ENOVA": "Enova fee",
        "SUBSIDY": "Electricity subsidy (incl. VAT compensation)",
        "NORGESPRIS": "Norgespris settlement (incl. VAT)",
        "VAT": "VAT",
        "GRID": "Grid tariff",
        "TAXES": "Electricity tax and Enova fee",
    },
}


def _text(value) -> str:
    """Data as Paragraph text: reportlab reads Paragraphs as markup, so a name or an address holding
    `<a href>` or `<img src>` would become a link or make the server open a file or a URL."""
    return escape("" if value is None else str(value))


def number(amount: Decimal | float | None, language: str, places: int = 2) -> str:
    """1 234,56 in Norwegian (a space between thousands, a decimal comma), 1,234.56 in English."""
    if amount is None:
        return ""
    text = f"{Decimal(str(amount)):,.{places}f}"
    return text.replace(",", " ").replace(".", ",") if language == "nb" else text


def account_number(digits: str) -> str:
    """A Norwegian account number as it is printed: 1234.56.78903."""
    return f"{digits[:4]}.{digits[4:6]}.{digits[6:]}" if len(digits) == 11 and digits.isdigit() else digits


def organisation_number(digits: str) -> str:
    return f"{digits[:3]} {digits[3:6]} {digits[6:]}" if len(digits) == 9 and digits.isdigit() else digits


def language_of(customer) -> str:
    return "en" if getattr(customer, "language", "nb") == "en" else "nb"


def line_label(line: InvoiceLine, language: str) -> str:
    texts = TEXTS[language]
    label = texts.get(line.kind, line.description)
    details = line.details or {}
    if line.kind == InvoiceLine.Kind.VAT and line.vat_rate is not None:
        return f"{label} {number(line.vat_rate * 100, language, 0)} %"
    if line.kind == InvoiceLine.Kind.CAPACITY and details:
        high = details.get("to_kw")
        step = (
            f"{number(details['from_kw'], language, 0)}–{number(high, language, 0)} kW"
            if high is not None
            else (f"≥ {number(details['from_kw'], language, 0)} kW")
        )
        peaks = ", ".join(_peak_text(start, kw, language) for start, kw in details.get("peaks", []))
        average = details.get("average_kw")
        summary = texts["peaks"].format(average=number(average, language, 2)) if average is not None else ""
        return f"{label} {step} ({texts['metering_point']} {details.get('metering_point_id', '')}; {summary}: {peaks})"
    return label


def _peak_text(start: str, kw: str, language: str) -> str:
    """A peak hour as "14.01 kl. 18–19: 6,2 kW" (local time)."""
    local = dt.datetime.fromisoformat(start).astimezone(OSLO)
    end = (local + dt.timedelta(hours=1)).hour
    return f"{local:%d.%m} {TEXTS[language]['at']} {local:%H}–{end:02d}: {number(Decimal(kw), language, 1)} kW"


def _quantity(line: InvoiceLine, language: str) -> str:
    if line.quantity is None:
        return ""
    if line.unit == "month":
        return f"{number(line.quantity, language, 3 if line.quantity % 1 else 0)} {TEXTS[language]['month']}"
    return f"{number(line.quantity, language, 3)} kWh"


def _unit_price(line: InvoiceLine, language: str) -> str:
    if line.unit_price is None or line.kind == InvoiceLine.Kind.VAT:
        return ""
    if line.unit == "month":
        return f"{number(line.unit_price, language, 2)} kr/{TEXTS[language]['month']}"
    return f"{number(line.unit_price.quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP), language, 4)} kr/kWh"


def _consumption_chart(daily: list[tuple[dt.date, float | None]], width: float, title: str) -> Drawing:
    drawing = Drawing(width, 52 * mm)
    drawing.add(String(0, 48 * mm, title, fontName="Helvetica-Bold", fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 8 * mm
    chart.width, chart.height = width - 14 * mm, 36 * mm
    chart.data = [[value or 0 for _, value in daily] or [0]]
    chart.categoryAxis.categoryNames = [f"{day.day}" for day, _ in daily] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2f6f9f")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def _payment_text(invoice: Invoice, seller: dict, language: str, credit: bool) -> str:
    texts = TEXTS[language]
    if credit:
        return texts["credited"]
    if invoice.status == InvoiceStatus.Paid or (invoice.unpaid_sum == 0 and invoice.invoice_sum > 0):
        return texts["paid"]
    values = {
        "amount": number(invoice.unpaid_sum, language),
        "paid": number(invoice.invoice_sum - invoice.unpaid_sum, language),
        "account": account_number(seller["account_no"]),
        "due": f"{invoice.due_date:%d.%m.%Y}",
        "kid": invoice.kid,
    }
    return (texts["partly_paid"] if invoice.unpaid_sum < invoice.invoice_sum else texts["pay"]).format(**values)


def render_invoice_pdf(
    *, invoice: Invoice, lines: list[InvoiceLine], daily: list[tuple[dt.date, float | None]], compress: bool = True
) -> bytes:
    """The PDF of `invoice` (`invoice.customer` and `invoice.contract` should be loaded). Deterministic."""
    customer = invoice.customer
    language = language_of(customer)
    texts = TEXTS[language]
    seller = conf.invoice_seller(invoice.contract.product)
    credit = invoice.invoice_type == conf.CREDIT_NOTE_TYPE or invoice.status == InvoiceStatus.Credited
    title = f"{texts['credit_note' if credit else 'invoice']} {invoice.invoice_no}"
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=seller["name"],
        subject=f"KID {invoice.kid}",
        lang="nb-NO" if language == "nb" else "en-GB",
        invariant=1,
        pageCompression=1 if compress else 0,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    styles = getSampleStyleSheet()
    small = styles["Normal"].clone("small", fontSize=8, leading=10)
    last_day = invoice.period_end - dt.timedelta(days=1)
    address = "<br/>".join(
        _text(part) for part in (customer.address_text, f"{customer.zip_code} {customer.city}".strip()) if part
    )
    name = _text(f"{customer.first_name} {customer.last_name}".strip())
    if customer.organization_no:
        name += f"<br/>{texts['org_no_customer']} {_text(organisation_number(customer.organization_no))}"
    seller_block = Paragraph(
        f"<b>{_text(seller['name'])}</b><br/>{_text(seller['address'])}<br/>"
        f"{texts['org_no']} {_text(organisation_number(seller['organisation_no']))} MVA<br/>"
        f"{texts['register']}<br/>{texts['account']} {_text(account_number(seller['account_no']))}",
        small,
    )
    facts = Table(
        [
            [texts["invoice_no"], str(invoice.invoice_no)],
            [texts["customer_no"], str(invoice.customer_id)],
            [texts["contract_no"], str(invoice.contract.contract_no)],
            [texts["invoice_date"], f"{invoice.invoice_date:%d.%m.%Y}"],
            [texts["due_date"], f"{invoice.due_date:%d.%m.%Y}"],
            [texts["period"], f"{invoice.period_start:%d.%m.%Y}–{last_day:%d.%m.%Y}"],
            [texts["kid"], invoice.kid],
            [texts["account"], account_number(seller["account_no"])],
        ],
        style=[("FONTSIZE", (0, 0), (-1, -1), 9), ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")],
    )
    header = Table(
        [
            [Paragraph(f"<b>{_text(title)}</b>", styles["Title"].clone("left", alignment=0)), seller_block],
            [Paragraph(f"{name}<br/>{address}", styles["Normal"]), facts],
        ],
        colWidths=[95 * mm, 79 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (0, 0), "LEFT")],
    )
    cell = styles["Normal"].clone("cell", fontSize=8.5, leading=10.5)
    rows = [[texts["description"], texts["quantity"], texts["unit_price"], texts["amount"]]]
    for line in lines:
        rows.append(
            [
                Paragraph(_text(line_label(line, language)), cell),
                _quantity(line, language),
                _unit_price(line, language),
                number(line.amount, language),
            ]
        )
    vat = sum((line.amount for line in lines if line.kind == InvoiceLine.Kind.VAT), Decimal(0))
    rows.append([texts["total_ex_vat"], "", "", number(invoice.invoice_sum - vat, language)])
    rows.append([texts["vat"], "", "", number(vat, language)])
    rows.append([texts["total_credit" if credit else "total"], "", "", number(invoice.invoice_sum, language)])
    table = Table(
        rows,
        colWidths=[86 * mm, 30 * mm, 30 * mm, 28 * mm],
        repeatRows=1,
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8.5),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -3), (-1, -3), 0.6, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        ),
    )
    summary_rows = [[texts["vat_rate"], texts["vat_base"], texts["vat_amount"]]]
    for rate, base, amount in invoicing.vat_summary(lines):
        summary_rows.append([f"{number(rate * 100, language, 0)} %", number(base, language), number(amount, language)])
    summary = Table(
        summary_rows,
        colWidths=[30 * mm, 34 * mm, 30 * mm],
        hAlign="LEFT",
        style=[
            ("FONTSIZE", (0, 0), (-1, -1), 8.5),
            ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
            ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.4, colors.black),
        ],
    )
    story = [
        header,
        Spacer(1, 6 * mm),
        table,
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{texts['vat_summary']}</b>", styles["Normal"]),
        summary,
    ]
    if any(line.vat_rate is None and line.kind in ("SUBSIDY", "NORGESPRIS") for line in lines):
        story.append(Paragraph(texts["outside_vat"], small))
    story += [
        Spacer(1, 4 * mm),
        Paragraph(f"<b>{_text(_payment_text(invoice, seller, language, credit))}</b>", styles["Normal"]),
        Spacer(1, 4 * mm),
        _consumption_chart(daily, doc.width, texts["chart"]),
    ]
    doc.build(story)
    return buffer.getvalue()
