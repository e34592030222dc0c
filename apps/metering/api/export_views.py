"""GET .../meters/{meterId}/consumption/export and GET api/customers/{customerId}/consumption/export.

A customer's interval data as a file: CSV (a spreadsheet's) or Green Button ESPI (an Atom feed),
one meter's, or every meter of a customer in one zip (docs/export.md). The same anchors, X-Area,
errors and query binding as every route; the body streams (apps/metering/export.py).
"""

from __future__ import annotations

import datetime as dt
import itertools

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.settings import api_settings

from apps.customers.public import CUSTOMER, Meter
from esmart.api.query import bind_query, query_parameters
from esmart.api.renderers import WireContentNegotiation
from esmart.api.views import ApiView

from .. import conf, export, selectors
from ..models import Resolution
from .serializers import EARLIEST, LATEST
from .views import MeterAnchored

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "espi": "application/atom+xml", "zip": "application/zip"}


class ExportQuerySerializer(serializers.Serializer):
    from_time_utc = serializers.DateTimeField(help_text="UTC, inclusive: the first interval starting at or after it.")
    to_time_utc = serializers.DateTimeField(help_text="UTC, exclusive.")
    format = serializers.ChoiceField(
        choices=["csv", "espi"],
        default="csv",
        help_text="csv: one row per interval; espi: a Green Button (NAESB REQ.21 ESPI) Atom feed. Default csv.",
    )
    delimiter = serializers.ChoiceField(
        choices=list(export.DELIMITERS), default="comma", help_text="CSV only: the field separator. Default comma."
    )
    decimal = serializers.ChoiceField(
        choices=list(export.DECIMALS),
        default="point",
        help_text="CSV only: the decimal mark; comma (for Norwegian spreadsheets) needs delimiter semicolon or tab.",
    )

    def validate(self, attrs):
        from_time, to_time = attrs["from_time_utc"], attrs["to_time_utc"]
        if to_time <= from_time:
            raise serializers.ValidationError({"to_time_utc": ["ToTimeUtc must be after FromTimeUtc."]})
        if from_time < EARLIEST or to_time > LATEST:
            raise serializers.ValidationError({"from_time_utc": ["The range must lie between 1970 and 2200."]})
        max_days = conf.export_max_days()
        if to_time - from_time > dt.timedelta(days=max_days):
            raise serializers.ValidationError(
                {"to_time_utc": [f"The range covers more than {max_days} days; export it a year at a time."]}
            )
        if attrs["decimal"] == "comma" and attrs["delimiter"] == "comma":
            raise serializers.ValidationError(
                {"decimal": ["A decimal comma needs delimiter=semicolon (or tab): the comma separates the fields."]}
            )
        return attrs


class _NoFormatOverride:
    """REST framework's settings without the `format` query parameter that picks a renderer."""

    URL_FORMAT_OVERRIDE = None

    def __getattr__(self, name):
        return getattr(api_settings, name)


class ExportNegotiation(WireContentNegotiation):
    """Here `format` names the file format, not a renderer: errors are JSON as on every route."""

    settings = _NoFormatOverride()


CONTENT_DISPOSITION = OpenApiParameter(
    "Content-Disposition",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    description='attachment; filename="consumption-<meter or customer>-<first day>-<last day>.csv|xml|zip" '
    "(days local, Europe/Oslo).",
)
RANGE_DESCRIPTION = (
    "Every interval of the meter's own length (15 or 60 minutes, as stored) that starts in "
    "[fromTimeUtc, toTimeUtc), at most {days} days (METERING_EXPORT_MAX_DAYS); an interval without a value "
    "is included, marked missing. CSV columns: StartUtc, EndUtc (UTC, the API's format), StartLocal (Europe/Oslo "
    "with its offset), kWh (m3 for water meters; three decimals, empty when missing), Status (0 measured, "
    "1 estimated, 4000 missing) and Quality (the status in words). ESPI: an Atom feed of a UsagePoint, a "
    "MeterReading and ReadingType per interval length (Wh, powerOfTenMultiplier 0, deltaData) and one "
    "IntervalBlock per local day; ReadingQuality 8 marks an estimated value, 16 a missing one (without a value). "
    "The body streams; see docs/export.md."
)


FILE_DESCRIPTION = "The file, streamed: text/csv with format=csv, application/atom+xml with format=espi."


def _attachment(chunks, *, media_type: str, filename: str) -> StreamingHttpResponse:
    # The first chunk is made before the response starts, so its query's failure (a database outage)
    # is still an error status, not a truncated file.
    chunks = iter(chunks)
    first = next(chunks, b"")
    response = StreamingHttpResponse(itertools.chain([first], chunks), content_type=media_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _meter_file(meter: Meter, query: dict, *, self_href: str):
    """The chunks of one meter's file in the query's format."""
    from_time, to_time = query["from_time_utc"], query["to_time_utc"]
    default_minutes = 15 if selectors.own_resolution(meter=meter) == Resolution.QuarterHour else 60
    days = export.export_days(meter.pk, from_time, to_time, default_minutes=default_minutes)
    if query["format"] == "csv":
        return export.csv_chunks(
            days,
            unit=selectors.unit_of(meter),
            delimiter=export.DELIMITERS[query["delimiter"]],
            decimal=export.DECIMALS[query["decimal"]],
        )
    info = export.FeedInfo(
        meter_id=meter.meter_id,
        kind=meter.kind,
        title=f"Consumption of meter {meter.meter_id}",
        self_href=self_href,
        updated=dt.datetime.now(dt.UTC),
    )
    return export.espi_chunks(days, info)


class MeterExportView(MeterAnchored):
    content_negotiation_class = ExportNegotiation

    @extend_schema(
        operation_id="meter_consumption_export",
        parameters=[*query_parameters(ExportQuerySerializer), CONTENT_DISPOSITION],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=FILE_DESCRIPTION),
            (200, "application/atom+xml"): OpenApiResponse(OpenApiTypes.STR, description=FILE_DESCRIPTION),
        },
        summary="Export a meter's consumption as a file: CSV or Green Button (ESPI).",
        description=RANGE_DESCRIPTION.format(days=conf.export_max_days()),
    )
    def get(self, request, customerId, contractNo, meterId):
        query = bind_query(request, ExportQuerySerializer)
        meter = self.anchor
        chunks = _meter_file(meter, query, self_href=request.build_absolute_uri())
        name = export.file_name(meter.meter_id, query["from_time_utc"], query["to_time_utc"], _extension(query))
        return _attachment(chunks, media_type=MEDIA_TYPES[query["format"]], filename=name)


class CustomerExportView(ApiView):
    content_negotiation_class = ExportNegotiation
    tenancy = CUSTOMER

    @extend_schema(
        operation_id="customer_consumption_export",
        parameters=[*query_parameters(ExportQuerySerializer), CONTENT_DISPOSITION],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="A zip archive.")},
        summary="Export the consumption of every meter of a customer: one file per meter in a zip.",
        description="One file per meter of the customer's contracts, named <meterId>.csv or <meterId>.xml, each "
        "as GET .../meters/{meterId}/consumption/export gives it. The meters times the days of the range may not "
        f"exceed METERING_EXPORT_MAX_METER_DAYS ({conf.export_max_meter_days()}): a customer with many meters "
        "exports a shorter range at a time. " + RANGE_DESCRIPTION.format(days=conf.export_max_days()),
    )
    def get(self, request, customerId):
        query = bind_query(request, ExportQuerySerializer)
        customer = self.anchor
        meters = list(
            Meter.objects.filter(delivery_point__contract__customer=customer)
            .select_related("delivery_point__contract")
            .order_by("pk")
        )
        first, last = export.local_days(query["from_time_utc"], query["to_time_utc"])
        meter_days = len(meters) * ((last - first).days + 1)
        limit = conf.export_max_meter_days()
        if meter_days > limit:
            raise serializers.ValidationError(
                {
                    "to_time_utc": [
                        f"{len(meters)} meters over {(last - first).days + 1} days are {meter_days} meter-days, "
                        f"more than {limit}; export a shorter range at a time."
                    ]
                }
            )
        extension, query_string = _extension(query), request.META.get("QUERY_STRING", "")
        members = [
            (
                f"{export.safe_name(meter.meter_id)}.{extension}",
                _member(meter, query, request.build_absolute_uri(f"{_meter_export_path(meter)}?{query_string}")),
            )
            for meter in meters
        ]
        chunks = export.zip_chunks(members, when=dt.datetime.now(dt.UTC))
        name = export.file_name(str(customer.pk), query["from_time_utc"], query["to_time_utc"], "zip")
        return _attachment(chunks, media_type=MEDIA_TYPES["zip"], filename=name)


def _member(meter: Meter, query: dict, self_href: str):
    return lambda: _meter_file(meter, query, self_href=self_href)


def _meter_export_path(meter: Meter) -> str:
    contract = meter.delivery_point.contract
    return reverse(
        "meter-consumption-export",
        kwargs={"customerId": contract.customer_id, "contractNo": contract.contract_no, "meterId": meter.meter_id},
    )


def _extension(query: dict) -> str:
    return export.EXTENSIONS[query["format"]]
