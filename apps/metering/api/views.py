import datetime as dt
import uuid

from django.http import FileResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from apps.customers.public import (
    DELIVERY_POINT,
    METER,
    USER,
)
from esmart.api.fields import enum_schema
from esmart.api.output import no_body, respond, respond_many, respond_value
from esmart.api.pagination import paginate
from esmart.api.permissions import privilege_required
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped, PublicApiView
from esmart.core.validators import is_ascii_digits

from .. import cim, conf, selectors, services
from ..models import TimeSeriesType
from .serializers import (
    CIM_LOG_KINDS,
    AssetCompareModelSerializer,
    BuildingSerializer,
    CimDataFileRequestSerializer,
    CimExportLogSerializer,
    CimFileQuerySerializer,
    CimLogFileRequestSerializer,
    CimLogsQuerySerializer,
    CimRangeQuerySerializer,
    CimStatisticsSerializer,
    CimSubExportLogSerializer,
    CompareRead,
    CompareRequestSerializer,
    ConsumptionRead,
    ConsumptionRequestSerializer,
    ConsumptionSeriesSerializer,
    FileUrlSerializer,
    LiveValueSerializer,
    MeterSettingsSerializer,
    ObsoleteSettingsSerializer,
    PageQuerySerializer,
    ReadingSerializer,
    ReadingsRequestSerializer,
    SeriesRequestSerializer,
    TemperatureRead,
    TemperatureRequestSerializer,
    TemperatureSeriesSerializer,
    UserMeterResponseSerializer,
    WattMeterAndMaxEffectSerializer,
    WattMeterResponseSerializer,
)

SERIES_DESCRIPTION = (
    "FromTime (inclusive) and ToTime (exclusive) are UTC and widened to whole buckets. QuarterHour and Hour "
    "buckets are UTC-aligned; Day, Week (from Monday), Month and Year follow the local calendar of TimeZone "
    "(default the meter's, Europe/Oslo), so a DST day has 23 or 25 hours and a month is the sum of its days. "
    "Every bucket is returned: one without data has Status 4000 and Value null; Status 1 marks estimated or "
    "partly covered buckets. ValueTime is the bucket's start in UTC. At most 36000 values per request."
)


class MeterAnchored(ApiView):
    """Views on .../contracts/{contractNo}/meters/{meterId}."""

    tenancy = METER

    def refine_anchor(self, queryset):
        return queryset.select_related("delivery_point")


def _consumption(meter, request):
    body = ConsumptionRequestSerializer(data=request.data, context={"meter": meter})
    body.is_valid(raise_exception=True)
    data = body.validated_data
    read = ConsumptionRead(
        meter=meter,
        **SeriesRequestSerializer.window(data),
        include_last_year=data["include_last_year"],
        include_weather=data["include_weather"],
    )
    return respond(ConsumptionSeriesSerializer, read)


class ConsumptionView(MeterAnchored):
    read_only = True

    @extend_schema(
        request=ConsumptionRequestSerializer,
        responses=ConsumptionSeriesSerializer,
        summary="GET the consumption for a given meter as a time series.",
        description=SERIES_DESCRIPTION,
    )
    def post(self, request, customerId, contractNo, meterId):
        return _consumption(self.anchor, request)


class ComparedWithOthersView(MeterAnchored):
    read_only = True

    @extend_schema(
        request=ConsumptionRequestSerializer,  # the original's DTO; CompareRequestSerializer only checks more
        responses=AssetCompareModelSerializer,
        summary="GET consumption data for the given meter compared with other meters.",
        description="The reference group: the meter's cohort, i.e. the electricity meters of its price area "
        "whose heated area falls in the same fixed band (m²: under 60, 60-90, 90-120, 120-160, 160-220, 220-300, "
        "300 and more, or none given), at most 100, excluding the meter itself; the efficients: the quarter of "
        "the group with the lowest total. No value describes fewer than 20 meters (METERING_COMPARE_MIN_GROUP): "
        "an average of the period or of a bucket with fewer meters with data is missing (Status 4000), the "
        "scores and percentages are then 0, and ReferenceGroupSize (meters with data) is rounded down to a "
        "multiple of 10 (0 below the minimum). Buckets as for consumption (Hour or longer); a range covers at "
        "most 366 days (METERING_COMPARE_MAX_DAYS), 31 by Hour (METERING_COMPARE_MAX_HOURLY_DAYS). "
        "IncludeLastYear and IncludeWeather are ignored.",
    )
    def post(self, request, customerId, contractNo, meterId):
        body = CompareRequestSerializer(data=request.data, context={"meter": self.anchor})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return respond(
            AssetCompareModelSerializer, CompareRead(meter=self.anchor, **SeriesRequestSerializer.window(data))
        )


class AssetConsumptionView(ApiView):
    """The same series, for a meter named by the id of its asset (one id space, DESIGN.md §5)."""

    read_only = True

    tenancy = METER
    anchor_lookups = {"customerId": "delivery_point__contract__customer_id", "assetId": "asset__pk"}

    def refine_anchor(self, queryset):
        return queryset.select_related("delivery_point")

    @extend_schema(
        request=ConsumptionRequestSerializer,
        responses=ConsumptionSeriesSerializer,
        summary="GET the consumption of a customer's asset (meter) as a time series.",
        description="assetId is the meter's AssetId (MeterResponse of GET api/Users/{userId}/meters "
        "lists it beside the MeterId). " + SERIES_DESCRIPTION,
    )
    def post(self, request, customerId, assetId):
        return _consumption(self.anchor, request)


class MeterSettingsView(MeterAnchored):
    @extend_schema(
        responses=MeterSettingsSerializer,
        summary="Get settings for a customer's building/meter, e.g. building year, heated area, number of residents.",
    )
    def get(self, request, customerId, contractNo, meterId):
        return respond(MeterSettingsSerializer, selectors.meter_settings(meter=self.anchor))

    @extend_schema(
        request=ObsoleteSettingsSerializer,
        responses={200: None},
        deprecated=True,
        summary="OBSOLETE, only for legacy use. Save changes to a customer's information and building/meter.",
        description="Use POST api/.../settings/building and PATCH api/customers/{customerId} instead. Sets any "
        "of the building's Name, BuildingYear, HeatingArea, Residents and the customer's PhoneNumber, "
        "MobileNumber, Email. 200 with no body.",
    )
    def post(self, request, customerId, contractNo, meterId):
        body = ObsoleteSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.save_legacy_settings(meter=self.anchor, **body.validated_data)
        return no_body()


class BuildingView(MeterAnchored):
    @extend_schema(
        request=BuildingSerializer,
        responses={200: None},
        summary="Save settings for a customer's building.",
        description="Can set or update Name, HeatingArea (m², 1-100000), BuildingYear (1600 to five years "
        "ahead) and/or Residents (0-50); properties left out keep their value. 200 with no body.",
    )
    def post(self, request, customerId, contractNo, meterId):
        body = BuildingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.update_building(meter=self.anchor, **body.validated_data)
        return no_body()


class MeterExistsView(MeterAnchored):
    @extend_schema(
        responses={200: bool},
        summary="Whether the meter exists under this customer and contract.",
        description="true when it does; an unknown meter, or one that is not the caller's, is a 404.",
    )
    def get(self, request, customerId, contractNo, meterId):
        return respond_value(True)


class UserMetersView(ApiView):
    tenancy = USER

    @extend_schema(
        responses=UserMeterResponseSerializer(many=True),
        summary="Gets all meters.",
        description="Every meter of every customer the user has access to, in both areas.",
    )
    def get(self, request, userId):
        return respond_many(UserMeterResponseSerializer, selectors.meters_of_user(user=self.anchor))


class ReadingsView(ApiView):
    tenancy = DELIVERY_POINT

    @extend_schema(
        parameters=query_parameters(PageQuerySerializer),
        responses=ReadingSerializer(many=True),
        summary="Get the readings for a delivery point.",
        description="Newest first, paged with pageSize and page.",
    )
    def get(self, request, customerId, deliveryPointId):
        query = bind_query(request, PageQuerySerializer)
        readings = paginate(selectors.readings_of(delivery_point=self.anchor), query)
        return respond_many(ReadingSerializer, readings)

    @extend_schema(
        request=ReadingsRequestSerializer,
        responses=ReadingSerializer,
        summary="Save a reading for a delivery point.",
        description="A reading dated in the future, below an earlier reading or above a later one is a 400.",
    )
    def post(self, request, customerId, deliveryPointId):
        path = {"customer_id": customerId, "delivery_point_id": deliveryPointId}
        body = ReadingsRequestSerializer(data=request.data, context={"path": path})
        body.is_valid(raise_exception=True)
        reading = services.record_reading(
            delivery_point=self.anchor,
            reading_date=body.validated_data["reading_date"],
            value=body.validated_data["value"],
        )
        return respond(ReadingSerializer, reading)


class MeterTemperaturesView(ApiView):
    read_only = True
    tenancy = METER
    anchor_lookups = {"meterId": "meter_id"}

    def refine_anchor(self, queryset):
        return queryset.select_related("delivery_point")

    @extend_schema(
        request=TemperatureRequestSerializer,
        responses=TemperatureSeriesSerializer,
        summary="GET temperatures for the given meter.",
        description="Mean air temperature (°C) per bucket at the meter's weather station: the one pinned in "
        "its settings, else the station of its delivery point's price area. Buckets as for consumption. "
        + SERIES_DESCRIPTION,
    )
    def post(self, request, meterId):
        body = TemperatureRequestSerializer(data=request.data, context={"meter": self.anchor})
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return respond(
            TemperatureSeriesSerializer, TemperatureRead(meter=self.anchor, **SeriesRequestSerializer.window(data))
        )


class WattmeterView(MeterAnchored):
    def refine_anchor(self, queryset):
        return queryset.select_related("delivery_point__contract")

    @extend_schema(
        responses=WattMeterAndMaxEffectSerializer,
        summary="The latest live power and the highest hours of the month and the year.",
        description="Last: the latest ActivePower (kW) posted for the meter id to api/signalr; ThisMonthMax and "
        "Max: the highest hourly consumption this local month and in the last 12 months. Null when unknown.",
    )
    def get(self, request, customerId, contractNo, meterId):
        return respond(WattMeterAndMaxEffectSerializer, selectors.wattmeter(meter=self.anchor))


class WattmeterV2View(WattmeterView):
    @extend_schema(
        responses=WattMeterResponseSerializer,
        summary="Gets the current configuration, data and display type for wattmeter.",
        description="Authorizes first (404 for a meter that is not the caller's), then validates the contract "
        "(400 when it is not active or the meter has no wattmeter), before getting config and data. camelCase. "
        "The subscribed power is the grid tariff's capacity step: the mean of the month's three highest daily "
        "peak hours, rounded up to a step; the sections split it at 60 % and 90 %.",
    )
    def get(self, request, customerId, contractNo, meterId):
        meter = self.anchor
        if not meter.delivery_point.contract.is_active:
            raise ValidationError({"contract_no": ["The contract is not active."]})
        if not meter.has_wattmeter:
            raise ValidationError({"meter_id": ["The meter has no wattmeter."]})
        return respond(WattMeterResponseSerializer, selectors.wattmeter_v2(meter=meter))


LIVE_TYPES = [value for value in TimeSeriesType.values if value != TimeSeriesType.None_]


class LiveValuesView(ApiView):
    """Live values pushed by the metering head-end: its integration account holds `live_values`.

    A privilege, not is_staff: being staff is for the admin alone (DESIGN.md §5)."""

    tenancy = NotTenantScoped(
        "metering systems push live values behind the live_values privilege; objectKey names a feed"
    )

    permission_classes = privilege_required("live_values")

    @extend_schema(
        parameters=[
            OpenApiParameter("objectKey", str, OpenApiParameter.PATH, description="Usually a meter id."),
            OpenApiParameter(
                "type", enum_schema(TimeSeriesType, LIVE_TYPES), OpenApiParameter.PATH, description="TimeSeriesType."
            ),
        ],
        request=LiveValueSerializer(many=True),
        responses={200: None, 403: ErrorSerializer},
        summary="Accept live values of an object and publish them to live subscribers.",
        description="objectKey is usually a meter id; type is a TimeSeriesType (1 HourlyConsumption, "
        "2 ActivePower, 3 ActiveEnergy). The latest value is stored (the wattmeter reads it) and all values "
        "are published on the Redis channel esmart:timeseries:{objectKey}:{type}. Needs the live_values "
        "privilege. "
        "200 with no body.",
    )
    def post(self, request, objectKey, type):
        if not is_ascii_digits(type) or int(type) not in LIVE_TYPES:
            raise ValidationError({"type": [f"type must be one of {LIVE_TYPES}."]})
        type_ = int(type)
        if len(objectKey) > 64:
            raise ValidationError({"object_key": ["objectKey is at most 64 characters."]})
        body = LiveValueSerializer(data=request.data, many=True, min_length=1, max_length=10_000)
        body.is_valid(raise_exception=True)
        services.receive_live_values(
            object_key=objectKey, type_=type_, values=[(v["value_time"], v["value"]) for v in body.validated_data]
        )
        return no_body()


# --- CIM export logs -----------------------------------------------------------------------------


CIM_PERMISSIONS = privilege_required("cim_export")
CIM_EXPORTS = NotTenantScoped("CIM export logs are the operator's, behind the cim_export privilege")
CIM_403 = {403: OpenApiResponse(ErrorSerializer, description="The caller lacks the cim_export privilege.")}


class CimExportLogsView(ApiView):
    tenancy = CIM_EXPORTS
    permission_classes = CIM_PERMISSIONS
    filter_backends = []

    @extend_schema(
        parameters=query_parameters(CimLogsQuerySerializer),
        responses={200: CimExportLogSerializer(many=True), **CIM_403},
        summary="Gets the main export logs of the cim files exported from Connected Grid to Elwin.",
        description="Exports whose period starts in [from, to), newest first.",
    )
    def get(self, request):
        query = bind_query(request, CimLogsQuerySerializer)
        logs = paginate(selectors.cim_export_logs(from_time=query["from_time"], to_time=query["to_time"]), query)
        return respond_many(CimExportLogSerializer, logs)


class CimSubExportLogsView(ApiView):
    tenancy = CIM_EXPORTS
    permission_classes = CIM_PERMISSIONS
    filter_backends = []

    @extend_schema(
        operation_id="cimexportlogs_sub_export_logs",
        parameters=[OpenApiParameter("correlationId", str, OpenApiParameter.PATH, description="A GUID.")],
        responses={200: CimSubExportLogSerializer(many=True), **CIM_403, 404: ErrorSerializer},
        summary="Gets the sub export logs of the cim files exported from Connected Grid to Elwin.",
    )
    def get(self, request, correlationId):
        try:
            correlation_id = uuid.UUID(correlationId)
        except ValueError:
            raise NotFound("No export has this correlation id.") from None
        subs = selectors.cim_sub_export_logs(correlation_id=correlation_id)
        if subs is None:
            raise NotFound("No export has this correlation id.")
        return respond_many(CimSubExportLogSerializer, subs)


class CimStatisticsView(ApiView):
    tenancy = CIM_EXPORTS
    permission_classes = CIM_PERMISSIONS

    @extend_schema(
        parameters=query_parameters(CimRangeQuerySerializer),
        responses={200: CimStatisticsSerializer, **CIM_403},
        summary="Gets the statistics of the sub exports within a time interval.",
        description="Counts of the sub exports started in [from, to) by status, and their meter, value and "
        "error counts.",
    )
    def get(self, request):
        query = bind_query(request, CimRangeQuerySerializer)
        stats = selectors.cim_sub_export_statistics(from_time=query["from_time"], to_time=query["to_time"])
        return respond(CimStatisticsSerializer, stats)


def _file_url(request, path: str) -> dict:
    token = cim.sign_path(path)
    url = request.build_absolute_uri(reverse("cim-file") + f"?token={token}")
    return {"url": url, "expires_at": dt.datetime.now(dt.UTC) + dt.timedelta(seconds=conf.cim_url_seconds())}


def _sub_export_or_404(data):
    sub = selectors.cim_sub_export(correlation_id=data["correlation_id"], file_name=data["file_name"])
    if sub is None:
        raise NotFound("No such file in that export.")
    return sub


class CimDataFileUrlView(ApiView):
    tenancy = CIM_EXPORTS
    permission_classes = CIM_PERMISSIONS

    @extend_schema(
        request=CimDataFileRequestSerializer,
        responses={200: FileUrlSerializer, **CIM_403, 404: ErrorSerializer},
        summary="Gets a download url to a data file.",
        description="A signed link to the MeterReadings XML of a sub export, valid for a few minutes "
        "(METERING_CIM_URL_SECONDS, default 300); it needs no credentials.",
    )
    def post(self, request):
        body = CimDataFileRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sub = _sub_export_or_404(body.validated_data)
        return respond(FileUrlSerializer, _file_url(request, cim.file_path(sub)))


class CimLogFileUrlView(ApiView):
    tenancy = CIM_EXPORTS
    permission_classes = CIM_PERMISSIONS

    @extend_schema(
        request=CimLogFileRequestSerializer,
        responses={200: FileUrlSerializer, **CIM_403, 404: ErrorSerializer},
        summary="Gets a download url to a log file. This could be an ack, merno or mernoErr file.",
        description="A signed link, valid for a few minutes; it needs no credentials.",
    )
    def post(self, request):
        body = CimLogFileRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        sub = _sub_export_or_404(body.validated_data)
        kind = CIM_LOG_KINDS[body.validated_data["log_type"]]
        return respond(FileUrlSerializer, _file_url(request, cim.file_path(sub, kind)))


class CimFileView(PublicApiView):
    """The target of the signed links: the token is the credential."""

    @extend_schema(
        parameters=query_parameters(CimFileQuerySerializer),
        responses={
            (200, "application/octet-stream"): OpenApiTypes.BINARY,
            403: OpenApiResponse(ErrorSerializer, description="The link is forged or has expired."),
            404: ErrorSerializer,
        },
        summary="Downloads a CIM export file through a signed, short-lived link.",
        auth=[],
    )
    def get(self, request):
        path = cim.unsign_path(bind_query(request, CimFileQuerySerializer)["token"])
        if path is None:
            raise PermissionDenied("The link is invalid or has expired.")
        files = cim.storage()
        if not files.exists(path):
            raise NotFound("The file is gone.")
        name = path.rsplit("/", 1)[-1]
        content_type = "application/xml" if name.endswith(".xml") else "text/plain"
        return FileResponse(files.open(path, "rb"), as_attachment=True, filename=name, content_type=content_type)
