"""Wire DTOs of the metering app; names follow docs/contract/contract.md (PascalCase on the wire)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.customers.public import CustomerPatchSerializer, MeterResponseSerializer
from esmart.api.casing import CAMEL, WireDict
from esmart.api.fields import EnumField
from esmart.api.output import Read
from esmart.api.pagination import page_query, skip_take_query

from .. import conf, selectors
from ..models import CimExportStatus, Quality, Resolution, TimeSeriesType, WattmeterType
from ..timeseries import estimated_points

SERIES_RESOLUTIONS = ", ".join(f"{r.label} {r.value}" for r in Resolution if r != Resolution.None_)
EARLIEST = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2200, 1, 1, tzinfo=dt.UTC)


class TimeZoneField(serializers.CharField):
    def to_internal_value(self, data):
        name = super().to_internal_value(data)
        try:
            ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise serializers.ValidationError(f"{name!r} is not an IANA time zone, e.g. Europe/Oslo.") from None
        return name


class SeriesRequestSerializer(serializers.Serializer):
    """FromTime (inclusive) and ToTime (exclusive), in UTC, widened to whole buckets of Resolution."""

    from_time = serializers.DateTimeField(help_text="UTC, inclusive.")
    to_time = serializers.DateTimeField(help_text="UTC, exclusive.")
    resolution = EnumField(
        Resolution, help_text=f"The bucket size: {SERIES_RESOLUTIONS}; None (0) is the meter's own interval."
    )
    time_zone = TimeZoneField(
        required=False,
        max_length=64,
        help_text="IANA time zone whose calendar cuts days and longer buckets; default the meter's (Europe/Oslo).",
    )

    def validate_resolution(self, value):
        if value == Resolution.None_:
            # As the original: None is the meter's own interval length (views pass the meter).
            meter = self.context.get("meter")
            if meter is None:
                raise serializers.ValidationError(f"Choose a resolution: {SERIES_RESOLUTIONS}.")
            return selectors.own_resolution(meter=meter)
        return Resolution(value)

    def validate(self, attrs):
        from_time, to_time = attrs["from_time"], attrs["to_time"]
        if to_time <= from_time:
            raise serializers.ValidationError({"to_time": ["ToTime must be after FromTime."]})
        if from_time < EARLIEST or to_time > LATEST:
            raise serializers.ValidationError({"from_time": ["The range must lie between 1970 and 2200."]})
        limit = conf.max_series_points()
        if estimated_points(from_time, to_time, attrs["resolution"]) > limit:
            raise serializers.ValidationError(
                {"to_time": [f"The range holds more than {limit} values at this resolution; ask for less."]}
            )
        return attrs

    @staticmethod
    def window(data) -> dict:
        """The series selectors' keyword arguments for the range, from validated data."""
        return {
            "from_time": data["from_time"],
            "to_time": data["to_time"],
            "resolution": data["resolution"],
            "time_zone": data.get("time_zone"),
        }


class ConsumptionRequestSerializer(SeriesRequestSerializer):
    contract_no = serializers.IntegerField(required=False, help_text="Ignored: the path names the meter.")
    customer_id = serializers.IntegerField(required=False, help_text="Ignored: the path names the customer.")
    include_last_year = serializers.BooleanField(
        default=False, help_text="Adds LastYear: the same buckets a year earlier."
    )
    include_weather = serializers.BooleanField(
        default=False, help_text="Adds Temperatures: the mean temperature per bucket at the meter's weather station."
    )
    has_watt_meter = serializers.BooleanField(required=False, help_text="Accepted for compatibility; ignored.")

    class Meta:
        ref_name = "ConsumptionRequest"


class TemperatureRequestSerializer(SeriesRequestSerializer):
    class Meta:
        ref_name = "TemperatureRequest"


class TimeSeriesValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField(help_text="The start of the interval, UTC.")
    value = serializers.FloatField(allow_null=True, help_text="Null when Status is 4000 (missing).")
    status = EnumField(Quality, help_text="0 measured, 1 estimated (or partly covered), 4000 missing.")

    class Meta:
        ref_name = "ConsumptionTimeSerieValue"


@dataclass(frozen=True)
class SeriesRead(Read):
    """A meter's series over a window (SeriesRequestSerializer.window()), for a series serializer."""

    meter: object  # Meter
    from_time: dt.datetime
    to_time: dt.datetime
    resolution: Resolution
    time_zone: str | None = None


@dataclass(frozen=True)
class ConsumptionRead(SeriesRead):
    include_last_year: bool = False
    include_weather: bool = False

    def result(self) -> dict:
        return selectors.consumption_body(**vars(self))


def _consumption_wire(read: ConsumptionRead) -> WireDict:
    """Values spliced as the series engine's wire JSON (apps/metering/series.py): no object per bucket."""
    return WireDict(selectors.consumption_response(**vars(read)))


@dataclass(frozen=True)
class TemperatureRead(SeriesRead):
    def result(self) -> dict:
        return selectors.temperature_series(**vars(self))


def _temperature_wire(read: TemperatureRead) -> bytes | WireDict:
    """On PostgreSQL the database writes the body (selectors.temperature_json); elsewhere the values
    are built in wire form."""
    if selectors.use_sql():
        return selectors.temperature_json(**vars(read))
    return WireDict(selectors.temperature_response(**vars(read)))


class ConsumptionSeriesSerializer(serializers.Serializer):
    """A ConsumptionRead."""

    fast_output = staticmethod(_consumption_wire)

    resolution = EnumField(Resolution)
    unit = serializers.CharField(help_text="kWh (m3 for water meters).")
    values = TimeSeriesValueSerializer(many=True)
    last_year = TimeSeriesValueSerializer(many=True, required=False, help_text="Only with IncludeLastYear.")
    temperature_unit = serializers.CharField(required=False, help_text="°C; only with IncludeWeather.")
    temperatures = TimeSeriesValueSerializer(many=True, required=False, help_text="Only with IncludeWeather.")

    class Meta:
        ref_name = "ConsumptionTimeSeries"


class TemperatureSeriesSerializer(serializers.Serializer):
    """A TemperatureRead."""

    fast_output = staticmethod(_temperature_wire)

    resolution = EnumField(Resolution)
    unit = serializers.CharField(help_text="°C")
    values = TimeSeriesValueSerializer(many=True)

    class Meta:
        ref_name = "TemperatureTimeSeries"


# --- Settings ------------------------------------------------------------------------------------


def _max_building_year() -> int:
    return dt.date.today().year + 5


class BuildingSerializer(serializers.Serializer):
    """Any subset of the building's properties; a property left out keeps its value."""

    name = serializers.CharField(required=False, max_length=100, allow_blank=True)
    building_year = serializers.IntegerField(required=False, allow_null=True, min_value=1600)
    heating_area = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=100_000, help_text="Heated area in m²."
    )
    residents = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=50)

    class Meta:
        ref_name = "Building"

    def validate_building_year(self, value):
        if value is not None and value > _max_building_year():
            raise serializers.ValidationError(f"Ensure this value is less than or equal to {_max_building_year()}.")
        return value


class ObsoleteSettingsSerializer(BuildingSerializer, CustomerPatchSerializer):
    """The legacy body: the building's properties and the customer's phone, mobile and e-mail."""

    class Meta:
        ref_name = "MeterSettingsRequest"


class MeterSettingsSerializer(serializers.Serializer):
    meter_id = serializers.CharField()
    name = serializers.CharField()
    building_year = serializers.IntegerField(allow_null=True)
    heating_area = serializers.IntegerField(allow_null=True)
    residents = serializers.IntegerField(allow_null=True)
    has_watt_meter = serializers.BooleanField()
    time_zone = serializers.CharField()
    price_area = serializers.CharField()

    class Meta:
        ref_name = "MeterSettings"


# --- Meters --------------------------------------------------------------------------------------


class UserMeterResponseSerializer(MeterResponseSerializer):
    """The customers app's MeterResponse, with where the meter hangs in the ownership chain."""

    asset_id = serializers.IntegerField(
        source="asset.pk", help_text="The meter's asset id (api/customers/{customerId}/asset/{assetId})."
    )
    customer_id = serializers.IntegerField(source="delivery_point.contract.customer_id")
    contract_no = serializers.IntegerField(source="delivery_point.contract.contract_no")
    delivery_point_id = serializers.IntegerField()
    metering_point_id = serializers.CharField(
        source="delivery_point.metering_point_id", help_text="The delivery point's GSRN."
    )
    area = serializers.IntegerField(
        source="delivery_point.contract.customer.area", help_text="The customer's area: 1 Net, 2 Power."
    )

    class Meta:
        ref_name = "UserMeterResponse"


# --- Manual readings -----------------------------------------------------------------------------

MAX_REGISTER_VALUE = 10**12


class ReadingDateField(serializers.DateField):
    """A date; a date and time is accepted too and taken as its date in Norway (Europe/Oslo)."""

    def to_internal_value(self, value):
        if isinstance(value, str) and "T" in value:
            moment = serializers.DateTimeField().to_internal_value(value)
            return moment.astimezone(ZoneInfo("Europe/Oslo")).date()
        return super().to_internal_value(value)


class ReadingsRequestSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField(required=False, help_text="When given, must be the path's customerId.")
    delivery_point_id = serializers.IntegerField(
        required=False, help_text="When given, must be the path's deliveryPointId."
    )
    reading_date = ReadingDateField(help_text="The day the register was read; not in the future.")
    value = serializers.IntegerField(
        min_value=0, max_value=MAX_REGISTER_VALUE, help_text="The register value; not below an earlier reading."
    )

    class Meta:
        ref_name = "ReadingsRequest"

    def validate(self, attrs):
        path = self.context["path"]
        errors = {
            name: [f"{name.title().replace('_', '')} does not match the path."]
            for name in ("customer_id", "delivery_point_id")
            if attrs.get(name) is not None and attrs[name] != path[name]
        }
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


class ResponseStatusSerializer(serializers.Serializer):
    error_code = serializers.CharField(allow_null=True)
    message = serializers.CharField(allow_null=True)
    stack_trace = serializers.CharField(allow_null=True, help_text="Always null: stack traces are never sent.")

    class Meta:
        ref_name = "ResponseStatus"


OK_STATUS = {"error_code": None, "message": None, "stack_trace": None}


class ReadingSerializer(serializers.Serializer):
    delivery_point_id = serializers.SerializerMethodField()
    meter_no = serializers.SerializerMethodField()
    meter_unit = serializers.SerializerMethodField()
    reading_date = serializers.DateField()
    value = serializers.DecimalField(max_digits=16, decimal_places=0, coerce_to_string=False)
    consumption = serializers.DecimalField(max_digits=16, decimal_places=0, coerce_to_string=False, allow_null=True)
    reader = serializers.CharField()
    constant = serializers.SerializerMethodField()
    number_of_digits = serializers.SerializerMethodField()
    number_of_decimals = serializers.SerializerMethodField()
    response_status = serializers.SerializerMethodField()

    class Meta:
        ref_name = "Reading"

    def get_delivery_point_id(self, reading) -> str:
        return str(reading.delivery_point_id)

    def get_meter_no(self, reading) -> str:
        return reading.meter.meter_no if reading.meter else ""

    def get_meter_unit(self, reading) -> str:
        return "m3" if reading.meter and reading.meter.kind == "WATER" else "kWh"

    def get_constant(self, reading) -> str:
        return "1"

    def get_number_of_digits(self, reading) -> int:
        return max(6, len(str(reading.value)))

    def get_number_of_decimals(self, reading) -> int:
        return 0

    @extend_schema_field(ResponseStatusSerializer)
    def get_response_status(self, reading):
        return OK_STATUS


PageQuerySerializer = page_query(default_size=10)


# --- Wattmeter and live values -------------------------------------------------------------------


class TimeSerieValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField()
    value = serializers.FloatField()
    time_series_type = EnumField(TimeSeriesType)

    class Meta:
        ref_name = "TimeSerieValue"


class WattMeterAndMaxEffectSerializer(serializers.Serializer):
    last = TimeSerieValueSerializer(allow_null=True, help_text="The latest live power (kW); null when none.")
    this_month_max = TimeSerieValueSerializer(allow_null=True, help_text="The highest hour this month (kWh/h).")
    max = TimeSerieValueSerializer(allow_null=True, help_text="The highest hour of the last 12 months (kWh/h).")

    class Meta:
        ref_name = "WattMeterAndMaxEffect"


class SubscribedPowerSerializer(serializers.Serializer):
    wire_case = CAMEL
    value = serializers.FloatField()
    unit = serializers.CharField()

    class Meta:
        ref_name = "SubscribedPower"


class SectionSerializer(serializers.Serializer):
    wire_case = CAMEL
    from_ = serializers.FloatField(source="from", label="from")
    to = serializers.FloatField()

    class Meta:
        ref_name = "WattmeterSection"


class SectionsSerializer(serializers.Serializer):
    wire_case = CAMEL
    first_section = SectionSerializer()
    second_section = SectionSerializer()
    third_section = SectionSerializer()

    class Meta:
        ref_name = "WattmeterSections"


class SubscribedPowerWattmeterSerializer(serializers.Serializer):
    wire_case = CAMEL
    subscribed_power = SubscribedPowerSerializer()
    sections = SectionsSerializer()

    class Meta:
        ref_name = "SubscribedPowerWatmetter"  # the original's spelling


class WattMeterResponseSerializer(serializers.Serializer):
    """camelCase, as the original's v2 sent it, but maxMonthWattmeter is v1's PascalCase type."""

    wire_case = CAMEL
    wattmeter_display_type = EnumField(WattmeterType)
    max_month_wattmeter = WattMeterAndMaxEffectSerializer()
    subscribed_power_wattmeter = SubscribedPowerWattmeterSerializer()

    class Meta:
        ref_name = "WattMeterResponse"


class LiveValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField()
    value = serializers.FloatField()

    class Meta:
        ref_name = "LiveTimeSerieValue"


# --- CIM export logs -----------------------------------------------------------------------------


class CimExportLogSerializer(serializers.Serializer):
    correlation_id = serializers.UUIDField()
    export_date = serializers.DateField()
    period_start = serializers.DateTimeField()
    period_end = serializers.DateTimeField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    export_status = EnumField(CimExportStatus, source="status")
    sub_export_count = serializers.IntegerField()
    meter_count = serializers.IntegerField()
    value_count = serializers.IntegerField()
    error_count = serializers.IntegerField()
    errors = serializers.CharField()

    class Meta:
        ref_name = "CimExportLog"


class CimSubExportLogSerializer(serializers.Serializer):
    correlation_id = serializers.UUIDField(source="export.correlation_id")
    sequence_no = serializers.IntegerField()
    file_name = serializers.CharField()
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    export_status = EnumField(CimExportStatus, source="status")
    meter_count = serializers.IntegerField()
    value_count = serializers.IntegerField()
    error_count = serializers.IntegerField()
    error = serializers.CharField()

    class Meta:
        ref_name = "CimSubExportLog"


class CimStatisticsSerializer(serializers.Serializer):
    from_time = serializers.DateTimeField()
    to_time = serializers.DateTimeField()
    sub_export_count = serializers.IntegerField()
    succeeded = serializers.IntegerField()
    failed = serializers.IntegerField()
    started = serializers.IntegerField()
    meter_count = serializers.IntegerField()
    value_count = serializers.IntegerField()
    error_count = serializers.IntegerField()

    class Meta:
        ref_name = "CimSubExportStatistics"


class CimRangeQuerySerializer(serializers.Serializer):
    """`from` and `to` of the query string; the range defaults to the last 30 days."""

    from_ = serializers.DateTimeField(
        required=False, source="from_time", help_text="UTC (a date alone is its midnight); default 30 days before to."
    )
    to = serializers.DateTimeField(
        required=False, source="to_time", help_text="UTC (or a date), exclusive; default now."
    )

    def validate(self, attrs):
        attrs.setdefault("to_time", dt.datetime.now(dt.UTC))
        attrs.setdefault("from_time", attrs["to_time"] - dt.timedelta(days=30))
        if attrs["to_time"] <= attrs["from_time"]:
            raise serializers.ValidationError({"to": ["to must be after from."]})
        return attrs


class CimLogsQuerySerializer(CimRangeQuerySerializer, skip_take_query(default_take=50)):
    """The range, and `skip` and `take` of the logs in it."""


class CimFileLogType(models.IntegerChoices):
    Ack = 1, "Ack"
    Merno = 2, "Merno"
    MernoErr = 3, "MernoErr"


CIM_LOG_KINDS = {CimFileLogType.Ack: "ack", CimFileLogType.Merno: "merno", CimFileLogType.MernoErr: "mernoErr"}


class CimDataFileRequestSerializer(serializers.Serializer):
    correlation_id = serializers.UUIDField()
    file_name = serializers.CharField(max_length=200, help_text="The FileName of the sub export log.")

    class Meta:
        ref_name = "CimDataFileRequest"


class CimLogFileRequestSerializer(CimDataFileRequestSerializer):
    log_type = EnumField(CimFileLogType, help_text="1 ack, 2 merno, 3 mernoErr.")

    class Meta:
        ref_name = "CimLogFileRequest"


class CimFileQuerySerializer(serializers.Serializer):
    # A signed token is a few hundred characters; its text is the credential, so it is not trimmed.
    token = serializers.CharField(max_length=4096, trim_whitespace=False, help_text="From datafileurl or logfileurl.")


class FileUrlSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()

    class Meta:
        ref_name = "FileUrl"


# --- Compared with others ------------------------------------------------------------------------


class CompareRequestSerializer(ConsumptionRequestSerializer):
    def validate_resolution(self, value):
        value = super().validate_resolution(value)
        if value == Resolution.QuarterHour:
            raise serializers.ValidationError("Comparisons are by Hour or longer.")
        return value

    def validate(self, attrs):
        attrs = super().validate(attrs)
        hourly = attrs["resolution"] == Resolution.Hour
        days = conf.compare_max_days(hourly=hourly)
        if attrs["to_time"] - attrs["from_time"] > dt.timedelta(days=days):
            by = " by Hour" if hourly else ""
            raise serializers.ValidationError({"to_time": [f"A comparison{by} covers at most {days} days."]})
        return attrs

    class Meta:
        ref_name = "ConsumptionCompareRequest"


class DailyScoreValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField()
    score = serializers.IntegerField(help_text="0-100: the share of the reference group that used more.")

    class Meta:
        ref_name = "DailyScoreValue"


@dataclass(frozen=True)
class CompareRead(SeriesRead):
    def result(self) -> dict:
        return selectors.compared_fields(**vars(self))


def _compare_wire(read: CompareRead) -> WireDict:
    return WireDict(selectors.compared_with_others(**vars(read)))


class AssetCompareModelSerializer(serializers.Serializer):
    """A CompareRead."""

    fast_output = staticmethod(_compare_wire)

    meter_average = TimeSeriesValueSerializer(many=True, help_text="The meter's own consumption per bucket.")
    reference_group_average = TimeSeriesValueSerializer(
        many=True, help_text="The mean of the cohort (same price area and heated-area band); 4000 below 20 meters."
    )
    efficients_average = TimeSeriesValueSerializer(
        many=True, help_text="The mean of the quarter of the reference group that used least; 4000 below 20 meters."
    )
    score = serializers.IntegerField(help_text="0-100: the share of the reference group that used more in total.")
    efficient_comparison_percentage = serializers.IntegerField(help_text="The meter's total as % of the efficients'.")
    reference_group_comparison_percentage = serializers.IntegerField(
        help_text="The meter's total as % of the reference group's."
    )
    scores = DailyScoreValueSerializer(many=True, help_text="Score per bucket with data.")
    reference_group_size = serializers.IntegerField(
        help_text="Comparable meters with data in the period, rounded down to a multiple of 10; 0 below 20."
    )

    class Meta:
        ref_name = "AssetCompareModel"
