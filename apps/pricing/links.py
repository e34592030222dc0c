"""The PdfUrl of an invoice: a signed, short-lived link that carries no password.

The token is a `TimestampSigner` signature of (user id, invoice number): it opens that invoice's
PDF for that user for `INVOICE_PDF_TOKEN_SECONDS` (10 minutes), and nothing else.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core import signing
from django.urls import reverse

from . import conf


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=conf.INVOICE_PDF_TOKEN_SALT)


def pdf_token(*, user_id: int, invoice_no: int) -> str:
    return _signer().sign_object([user_id, invoice_no])


def read_pdf_token(token: str) -> tuple[int, int]:
    """(user id, invoice number) of a valid token; raises signing.BadSignature (or SignatureExpired)."""
    value = _signer().unsign_object(token, max_age=conf.INVOICE_PDF_TOKEN_SECONDS)
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        raise signing.BadSignature("Malformed invoice token.")
    return value[0], value[1]


def pdf_url(*, request, customer_id: int, invoice_no: int, area: int) -> str:
    """The absolute PdfUrl of an invoice for the request's user, with the area of its customer."""
    path = reverse("invoice-pdf", kwargs={"customerId": customer_id, "invoiceNo": invoice_no})
    query = urlencode({"token": pdf_token(user_id=request.user.pk, invoice_no=invoice_no), "area": int(area)})
    return f"{request.build_absolute_uri(path)}?{query}"
