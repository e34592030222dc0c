from __future__ import annotations

import datetime as dt

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers as drf_serializers
from rest_framework.authentication import SessionAuthentication

from apps.customers.public import (
    CONTRACT,
    CUSTOMER,
    METER,
)
from apps.metering.public import ConsumptionRequestSerializer
from esmart.api.area import request_area
from esmart.api.authentication import CachedBasicAuthentication
from esmart.api.output import respond, respond_many
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped

from .. import selectors, services
from ..authentication import InvoicePdfAuthentication
from ..scopes import INVOICE
from .serializers import (
    ContractHourPricesSerializer,
    ExpenseOverviewRequestSerializer,
    ExpenseOverviewSerializer,
    HourPricesQuerySerializer,
    InvoiceResponseSerializer,
    MeterCostsSerializer,
    SpotPriceSeriesSerializer,
    SpotPricesQuerySerializer,
    SpotSeriesRead,
)


def _parameter(name, kind, description, required=False):
    return OpenApiParameter(name, kind, OpenApiParameter.QUERY, required=required, description=description)


class SpotPricesView(ApiView):
    """Spot prices of a bidding zone. Authenticated, not customer-scoped."""

    tenancy = NotTenantScoped("day-ahead market prices are the same for everyone")

    @extend_schema(
        summary="Get spot prices from given priceArea, from time and to time",
        description="Day-ahead prices of a bidding zone the deployment serves (by name or EIC "
        "code) in EUR/MWh and NOK/kWh ex VAT, quarter-hourly from delivery day 2025-10-01 and hourly before. "
        "A day that is not stored yet is fetched from the configured source. Unknown area or one this "
        "deployment does not serve (default NO1–NO5), days before the first supported day or after tomorrow, "
        "reversed range or a range longer than 31 days: 400, before anything is fetched.",
        parameters=query_parameters(SpotPricesQuerySerializer),
        responses={200: SpotPriceSeriesSerializer, 400: ErrorSerializer},
    )
    def get(self, request):
        params = bind_query(request, SpotPricesQuerySerializer)
        window = {
            "zone": params["price_area"],
            "from_time": params["from_time_utc"],
            "to_time": params["to_time_utc"],
            "use_cache": params["use_cache"],
        }
        wires = services.spot_day_wires(**window)  # fetches the days it finds missing, then reads them
        read = SpotSeriesRead(**window, include_preliminary=params["include_preliminary"], wires=wires)
        return respond(SpotPriceSeriesSerializer, read)


HOUR_PRICES_DESCRIPTION = (
    "The price of one kWh in each hour (UTC) for the contract's product: spot with markup, or a fixed price, "
    "with VAT by the delivery point's municipality and consumer kind (25 %; none for households in Nordland, "
    "Troms and Finnmark). Net contracts add the grid tariff's energy part (day rate 06–22 on working days), "
    "electricity tax (none for households and public administration in the tiltakssone) and the Enova fee, and "
    "either the electricity subsidy (households; with its VAT compensation) or, on Norgespris from 2025-10-01, "
    "the settlement Norgespris − spot with VAT; they list the capacity step of each month per metering point "
    "(from the average of the month's three highest daily peaks). Quarter-hour spot prices are averaged per "
    "hour. Hours without published rates are Status 4000. At most 31 days."
)


def _hour_prices_query(request):
    return bind_query(request, HourPricesQuerySerializer)


def _fetch_prices_for(params, *, price_area: str) -> None:
    """The spot-price days the read needs and the store lacks, fetched before reading (the read never
    fetches: a GET's one write is this explicit call)."""
    services.fetch_missing_spot_days(
        price_areas=[price_area],
        from_time=params["from_time_utc"],
        to_time=params["to_time_utc"],
        use_cache=params["use_cache"],
    )


class ContractHourPricesView(ApiView):
    tenancy = CONTRACT

    def refine_anchor(self, queryset):
        return queryset.select_related("price_plan")

    @extend_schema(
        summary="Get prices by hour for one contract for a customer in the specified time range.",
        description=HOUR_PRICES_DESCRIPTION,
        parameters=query_parameters(HourPricesQuerySerializer),
        responses=ContractHourPricesSerializer,
    )
    def get(self, request, customerId, contractNo):
        params = _hour_prices_query(request)
        _fetch_prices_for(params, price_area=selectors.price_area_of(contract=self.anchor))
        prices = selectors.contract_hour_prices(
            contract=self.anchor,
            from_time=params["from_time_utc"],
            to_time=params["to_time_utc"],
            use_cache=params["use_cache"],
        )
        return respond(ContractHourPricesSerializer, prices)


class MeterHourPricesView(ApiView):
    tenancy = METER

    def refine_anchor(self, queryset):
        return queryset.select_related("delivery_point__contract__price_plan")

    @extend_schema(
        summary="Get prices by hour for one contract for a customer in the specified time range.",
        description=HOUR_PRICES_DESCRIPTION + " The price area and time zone are the meter's; the capacity step "
        "is computed from this meter's consumption.",
        parameters=query_parameters(HourPricesQuerySerializer),
        responses=ContractHourPricesSerializer,
    )
    def get(self, request, customerId, contractNo, meterId):
        params = _hour_prices_query(request)
        _fetch_prices_for(params, price_area=self.anchor.delivery_point.price_area)
        prices = selectors.contract_hour_prices(
            contract=self.anchor.delivery_point.contract,
            meter=self.anchor,
            from_time=params["from_time_utc"],
            to_time=params["to_time_utc"],
            use_cache=params["use_cache"],
        )
        return respond(ContractHourPricesSerializer, prices)


COSTS_MAX_DAYS = 400


class MeterCostsView(ApiView):
    # A read sent as POST (parameters in the body): no request transaction, so the spot-price days
    # fetched by services.fetch_missing_spot_days commit on their own and its lock is not held to the end.
    read_only = True
    tenancy = METER

    def refine_anchor(self, queryset):
        return queryset.select_related("delivery_point__contract__price_plan")

    @extend_schema(
        summary="GET the costs for a given meter as a time series.",
        description="Consumption × price per hour (the contract's product, markup, VAT by area; Net contracts "
        "add grid tariff, taxes and electricity subsidy), summed into buckets of Resolution, with the breakdown "
        "per bucket and Totals. Every Value and total equals the sum of its parts. At most 400 days.",
        request=ConsumptionRequestSerializer,
        responses=MeterCostsSerializer,
    )
    def post(self, request, customerId, contractNo, meterId):
        body = ConsumptionRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["to_time"] - data["from_time"] > dt.timedelta(days=COSTS_MAX_DAYS):
            raise drf_serializers.ValidationError({"to_time": [f"The range may be at most {COSTS_MAX_DAYS} days."]})
        services.fetch_missing_spot_days(
            price_areas=[self.anchor.delivery_point.price_area], from_time=data["from_time"], to_time=data["to_time"]
        )
        costs = selectors.meter_costs(
            meter=self.anchor,
            **ConsumptionRequestSerializer.window(data),
        )
        return respond(MeterCostsSerializer, costs)


class ExpenseOverviewView(ApiView):
    # A read sent as POST (parameters in the body): no request transaction, so the spot-price days
    # fetched by services.fetch_missing_spot_days commit on their own and its lock is not held to the end.
    read_only = True
    tenancy = CONTRACT

    def refine_anchor(self, queryset):
        return queryset.select_related("price_plan")

    @extend_schema(
        summary="Get an expense overview for a customer's contract.",
        description="Per local month of [FromTime, ToTime): the costs of the contract's meters with the breakdown "
        "of .../costs (energy, markup, grid, taxes, VAT, subsidy; Value is the sum of the parts) and the change "
        "from the same month a year before (LastYearValue, Change in NOK, ChangePercent), null when that month "
        "has no priced consumption. At most 732 days.",
        request=ExpenseOverviewRequestSerializer,
        responses={200: ExpenseOverviewSerializer, 400: ErrorSerializer},
    )
    def post(self, request, customerId, contractNo):
        body = ExpenseOverviewRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        window = {"from_time": data["from_time"], "to_time": data["to_time"], "time_zone": data.get("time_zone")}
        areas = self.anchor.delivery_points.values_list("price_area", flat=True)
        for start, end in selectors.expense_overview_spans(contract=self.anchor, **window):
            services.fetch_missing_spot_days(price_areas=areas, from_time=start, to_time=end)
        overview = selectors.expense_overview(
            contract=self.anchor,
            from_time=data["from_time"],
            to_time=data["to_time"],
            time_zone=data.get("time_zone"),
        )
        return respond(ExpenseOverviewSerializer, overview)


# --- Invoices ----------------------------------------------------------------------------------
YEAR_PARAMETER = OpenApiParameter(
    "year", OpenApiTypes.INT, OpenApiParameter.PATH, description="Four digits, after 2000 (of the invoice date)."
)
INVOICE_ERRORS = {400: ErrorSerializer, 404: ErrorSerializer}


def _checked_year(year: int) -> int:
    """The route's <int:year> takes digits only (anything else matches no route: 404); out of range is 400."""
    if not 2000 < year <= 9999:
        raise drf_serializers.ValidationError({"year": ["The year must have four digits and be after 2000."]})
    return year


def _invoices_response(request, invoices):
    context = {"request": request, "area": request_area(request)}
    return respond_many(InvoiceResponseSerializer, invoices, context=context)


class CustomerInvoicesView(ApiView):
    tenancy = CUSTOMER

    @extend_schema(
        summary="Get all the invoices for a customer.",
        description="Newest first. PdfUrl is a signed link to the PDF for the caller, valid 10 minutes.",
        responses={200: InvoiceResponseSerializer(many=True), 404: ErrorSerializer},
    )
    def get(self, request, customerId):
        return _invoices_response(request, selectors.invoices_of_customer(customer=self.anchor))


class CustomerYearInvoicesView(CustomerInvoicesView):
    @extend_schema(
        summary="Get the invoices for a customer for the given year.",
        description="The invoices dated in `year`, newest first, each with its PdfUrl. A year that is not four "
        "digits after 2000 is 400.",
        parameters=[YEAR_PARAMETER],
        responses={200: InvoiceResponseSerializer(many=True), **INVOICE_ERRORS},
    )
    def get(self, request, customerId, year):
        invoices = selectors.invoices_of_customer(customer=self.anchor, year=_checked_year(year))
        return _invoices_response(request, invoices)


class ContractYearInvoicesView(ApiView):
    tenancy = CONTRACT

    @extend_schema(
        summary="Get the invoices for a customer's contract for the given year.",
        description="The contract's invoices dated in `year`, newest first. A year that is not four digits after "
        "2000 is 400.",
        parameters=[YEAR_PARAMETER],
        responses={200: InvoiceResponseSerializer(many=True), **INVOICE_ERRORS},
    )
    def get(self, request, customerId, contractNo, year):
        invoices = selectors.invoices_of_contract(contract=self.anchor, year=_checked_year(year))
        return _invoices_response(request, invoices)


class InvoiceView(ApiView):
    tenancy = INVOICE

    @extend_schema(
        summary="Get one invoice for a customer.",
        responses={200: InvoiceResponseSerializer, 404: ErrorSerializer},
    )
    def get(self, request, customerId, invoiceNo):
        context = {"request": request, "area": request_area(request)}
        return respond(InvoiceResponseSerializer, self.anchor, context=context)


class InvoicePdfView(ApiView):
    """The PDF opens in a browser: credentials (or PdfUrl's token) and the area come in the query string."""

    tenancy = INVOICE
    authentication_classes = [InvoicePdfAuthentication, CachedBasicAuthentication, SessionAuthentication]

    def refine_anchor(self, queryset):
        return queryset.select_related("customer", "contract")

    @extend_schema(
        summary="Get a customer's invoice as a PDF with username and password in the query string.",
        description="For browsers: userName and password (or the token of the invoice's PdfUrl) in the query "
        "string, or HTTP Basic. They never reach a log. `area` selects the area as X-Area does (1 Net, 2 Power).",
        parameters=[
            _parameter("userName", OpenApiTypes.STR, "The login."),
            _parameter("password", OpenApiTypes.PASSWORD, "The password."),
            _parameter("area", OpenApiTypes.INT, "1 = Net, 2 = Power (default Power), as X-Area."),
            _parameter("token", OpenApiTypes.STR, "The signed token of PdfUrl instead of userName/password."),
        ],
        responses={
            (200, "application/pdf"): OpenApiTypes.BINARY,
            400: ErrorSerializer,
            401: ErrorSerializer,
            404: ErrorSerializer,
            429: ErrorSerializer,
        },
    )
    def get(self, request, customerId, invoiceNo):
        invoice = self.anchor
        response = HttpResponse(selectors.invoice_pdf(invoice=invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{invoice.invoice_no}.pdf"'
        response["Cache-Control"] = "private, no-store"
        return response
