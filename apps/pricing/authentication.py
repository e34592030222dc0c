"""Authentication of GET .../invoices/{invoiceNo}/pdf from its query string, so a browser can open it.

`esmart.api.middleware.QueryCredentialsMiddleware` has already taken `userName`/`password` out of
the query string (into `request.query_credentials`) before anything could log them. This class
checks them exactly as Basic auth does (verified-credentials cache, lockout), or accepts the
signed, short-lived token of the invoice's PdfUrl. Without either it steps aside, so Basic auth
(listed after it) still works.

It also applies the `area` query parameter (1 Net, 2 Power) as the X-Area header would be:
authentication runs first in `ApiView.initial`, before the anchor (and its area) is resolved.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core import signing
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from esmart.api.area import select_area
from esmart.api.authentication import WRONG_CREDENTIALS_MESSAGE, WWW_AUTHENTICATE, client_ident, verify_credentials

from . import links

AREA_PARAMETER = "area"
TOKEN_PARAMETER = "token"
EXPIRED_LINK_MESSAGE = "The link has expired or is not valid for this invoice."


def _query_value(request, name: str) -> str | None:
    for key, value in request.query_params.items():
        if key.lower() == name:
            return value
    return None


def apply_area_parameter(request) -> None:
    """Sets the request's area from `?area=` (what esmart.api.area.request_area then returns)."""
    raw = _query_value(request, AREA_PARAMETER)
    if raw is not None and raw.strip() != "":
        select_area(request, raw, source=AREA_PARAMETER)


class InvoicePdfAuthentication(authentication.BaseAuthentication):
    """userName/password (or the PdfUrl token) from the query string; `area` selects the area."""

    def authenticate(self, request):
        apply_area_parameter(request)
        credentials = getattr(request._request, "query_credentials", None) or {}
        if "username" in credentials or "password" in credentials:
            user = verify_credentials(
                username=credentials.get("username", ""),
                password=credentials.get("password", ""),
                ident=client_ident(request),
            )
            return user, None
        token = _query_value(request, TOKEN_PARAMETER)
        if token is not None:
            return self._authenticate_token(request, token), None
        return None

    def _authenticate_token(self, request, token: str):
        try:
            user_id, invoice_no = links.read_pdf_token(token)
        except signing.BadSignature:
            raise exceptions.AuthenticationFailed(EXPIRED_LINK_MESSAGE) from None
        path_invoice = (request.parser_context or {}).get("kwargs", {}).get("invoiceNo")
        if path_invoice != invoice_no:
            raise exceptions.AuthenticationFailed(EXPIRED_LINK_MESSAGE)
        user = get_user_model()._default_manager.filter(pk=user_id, is_active=True).first()
        if user is None:
            raise exceptions.AuthenticationFailed(WRONG_CREDENTIALS_MESSAGE)
        return user

    def authenticate_header(self, request):
        return WWW_AUTHENTICATE


class InvoicePdfQueryScheme(OpenApiAuthenticationExtension):
    target_class = "apps.pricing.authentication.InvoicePdfAuthentication"
    name = "invoicePdfToken"

    def get_security_definition(self, auto_schema):
        # userName/password in the query string are documented as parameters of the PDF route.
        return {"type": "apiKey", "in": "query", "name": TOKEN_PARAMETER}
