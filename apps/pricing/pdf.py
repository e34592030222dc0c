"""The invoice PDF (reportlab): header, lines, totals and a chart of the period's daily consumption."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from . import conf
from .models import Invoice, InvoiceLine


def _text(value) -> str:
    """Data as Paragraph text: reportlab reads Paragraphs as markup, so a name or an address holding
    `<a href>` or `<img src>` would become a link or make the server open a file or a URL."""
    return escape("" if value is None else str(value))


def _nok(amount: Decimal | None) -> str:
    return "" if amount is None else f"{amount:,.2f}".replace(",", " ")


def _consumption_chart(daily: list[tuple[dt.date, float | None]], width: float) -> Drawing:
    drawing = Drawing(width, 60 * mm)
    drawing.add(String(0, 56 * mm, "Consumption per day (kWh)", fontName="Helvetica-Bold", fontSize=9))
    chart = VerticalBarChart()
    chart.x, chart.y = 10 * mm, 8 * mm
    chart.width, chart.height = width - 14 * mm, 44 * mm
    chart.data = [[value or 0 for _, value in daily] or [0]]
    chart.categoryAxis.categoryNames = [f"{day.day}" for day, _ in daily] or [""]
    chart.categoryAxis.labels.fontSize = 6
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labels.fontSize = 7
    chart.bars[0].fillColor = colors.HexColor("#2f6f9f")
    chart.bars[0].strokeColor = None
    drawing.add(chart)
    return drawing


def render_invoice_pdf(
    *, invoice: Invoice, lines: list[InvoiceLine], daily: list[tuple[dt.date, float | None]], compress: bool = True
) -> bytes:
    """The PDF of `invoice` (`invoice.customer` should be loaded). Deterministic for the same input."""
    buffer = io.BytesIO()
    title = f"Invoice {invoice.invoice_no}"
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author=conf.INVOICE_ISSUER,
        subject=f"KID {invoice.kid}",
        invariant=1,
        pageCompression=1 if compress else 0,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
    )
    styles = getSampleStyleSheet()
    customer = invoice.customer
    last_day = invoice.period_end - dt.timedelta(days=1)
    address = ", ".join(
        part for part in (customer.address_text, f"{customer.zip_code} {customer.city}".strip()) if part
    )
    header = Table(
        [
            [
                Paragraph(f"<b>{_text(conf.INVOICE_ISSUER)}</b>", styles["Title"]),
                Paragraph(f"<b>{_text(title)}</b>", styles["Heading2"]),
            ],
            [
                Paragraph(
                    f"{_text(customer.first_name)} {_text(customer.last_name)}<br/>{_text(address)}", styles["Normal"]
                ),
                Table(
                    [
                        ["Invoice no.", str(invoice.invoice_no)],
                        ["Customer no.", str(invoice.customer_id)],
                        ["Contract no.", str(invoice.contract_id and invoice.contract.contract_no)],
                        ["Invoice date", f"{invoice.invoice_date:%d.%m.%Y}"],
                        ["Due date", f"{invoice.due_date:%d.%m.%Y}"],
                        ["Period", f"{invoice.period_start:%d.%m.%Y}–{last_day:%d.%m.%Y}"],
                        ["KID", invoice.kid],
                    ],
                    style=[("FONTSIZE", (0, 0), (-1, -1), 9), ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold")],
                ),
            ],
        ],
        colWidths=[95 * mm, 79 * mm],
        style=[("VALIGN", (0, 0), (-1, -1), "TOP")],
    )
    rows = [["Description", "kWh", "NOK/kWh", "Amount (NOK)"]]
    for line in lines:
        rows.append(
            [
                line.description,
                "" if line.quantity is None else f"{line.quantity:.3f}",
                "" if line.unit_price is None else f"{line.unit_price:.4f}",
                _nok(line.amount),
            ]
        )
    vat = sum((line.amount for line in lines if line.kind == InvoiceLine.Kind.VAT), Decimal(0))
    rows.append(["Total excluding VAT", "", "", _nok(invoice.invoice_sum - vat)])
    rows.append(["VAT", "", "", _nok(vat)])
    rows.append(["Total to pay", "", "", _nok(invoice.invoice_sum)])
    table = Table(
        rows,
        colWidths=[88 * mm, 26 * mm, 26 * mm, 34 * mm],
        style=TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.black),
                ("LINEABOVE", (0, -3), (-1, -3), 0.6, colors.black),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        ),
    )
    story = [
        header,
        Spacer(1, 8 * mm),
        table,
        Spacer(1, 8 * mm),
        _consumption_chart(daily, doc.width),
        Spacer(1, 6 * mm),
        Paragraph(
            f"Pay {_nok(invoice.unpaid_sum)} NOK by {invoice.due_date:%d.%m.%Y} with KID {_text(invoice.kid)}.",
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
