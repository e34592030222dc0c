"""Wire shapes of the devices part: DeviceResponse, IoTGateway and TimeSeriesValueExtended as
contract.md gives them, and counters, chargers, charging stations, SIM cards, weather-station
assets and component info in the same style. All are compiled read serializers (lists are the
hot path); none of them carries a gateway token."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from esmart.api.fields import EnumField
from esmart.api.pagination import page_query
from esmart.api.serializers import CompiledReadSerializer

from ...models.components import ComponentEvent, FlagState
from ...models.devices import (
    ConnectorType,
    CounterCategory,
    DeviceType,
    GatewayClass,
    GatewayConnectionState,
    IoTStatus,
    SimStatus,
    TimeSeriesTypeClass,
    ValueSubCategory,
    ValueUnit,
)
from ...models.graph import AssetType

PageQuery = page_query(default_size=100)


@extend_schema_field(OpenApiTypes.UUID)
class GuidField(serializers.CharField):
    """A GUID, written as its canonical text."""


class TimeSeriesValueExtendedSerializer(CompiledReadSerializer):
    value_category = EnumField(TimeSeriesTypeClass)
    value_time = serializers.DateTimeField()
    value_sub_category = EnumField(ValueSubCategory)
    value = serializers.DecimalField(max_digits=14, decimal_places=4)
    value_unit = EnumField(ValueUnit)

    class Meta:
        ref_name = "TimeSeriesValueExtended"


class DeviceResponseSerializer(CompiledReadSerializer):
    asset_id = serializers.IntegerField()
    name = serializers.CharField(source="asset.name")
    description = serializers.CharField(source="asset.description")
    device_type = EnumField(DeviceType)
    values = TimeSeriesValueExtendedSerializer(many=True, help_text="The latest value per category.")

    class Meta:
        ref_name = "DeviceResponse"


class IoTGatewaySerializer(CompiledReadSerializer):
    id = GuidField(source="gateway_id")
    gateway_class_id = EnumField(GatewayClass, source="gateway_class")
    status = EnumField(IoTStatus)
    asset_id = serializers.IntegerField()
    valid_from = serializers.DateTimeField(source="asset.valid_from", allow_null=True)
    valid_to = serializers.DateTimeField(source="asset.valid_to", allow_null=True)
    logging_is_on = serializers.BooleanField()
    token_expiry = serializers.DateTimeField(allow_null=True)
    data_provider_id = serializers.IntegerField(allow_null=True)
    firmware_version = serializers.CharField()
    connection_state = EnumField(GatewayConnectionState)
    last_seen = serializers.DateTimeField(source="last_seen_at", allow_null=True, help_text="When it last reported in.")

    class Meta:
        ref_name = "IoTGateway"


class _AssetFields(CompiledReadSerializer):
    asset_id = serializers.IntegerField()
    name = serializers.CharField(source="asset.name")
    description = serializers.CharField(source="asset.description")
    serial_number = serializers.CharField(source="asset.serial_number")
    external_id = serializers.CharField(source="asset.external_id")


class CounterSerializer(_AssetFields):
    category = EnumField(CounterCategory)
    unit = EnumField(ValueUnit)
    reading = serializers.DecimalField(max_digits=16, decimal_places=3, allow_null=True)
    read_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "Counter"


class ChargerSerializer(_AssetFields):
    latitude = serializers.FloatField(source="asset.latitude", allow_null=True)
    longitude = serializers.FloatField(source="asset.longitude", allow_null=True)
    max_power_kw = serializers.DecimalField(max_digits=6, decimal_places=1)
    connectors = serializers.IntegerField()
    connector_type = EnumField(ConnectorType)
    charging_station_asset_id = serializers.IntegerField(
        source="station_asset_id", allow_null=True, help_text="The charging station that supplies it."
    )

    class Meta:
        ref_name = "Charger"


class ChargingStationSerializer(_AssetFields):
    latitude = serializers.FloatField(source="asset.latitude", allow_null=True)
    longitude = serializers.FloatField(source="asset.longitude", allow_null=True)
    operator = serializers.CharField()
    is_public = serializers.BooleanField()
    chargers = ChargerSerializer(many=True, source="charger_list", help_text="The chargers it supplies.")

    class Meta:
        ref_name = "ChargingStation"


class SimCardSerializer(CompiledReadSerializer):
    asset_id = serializers.IntegerField()
    name = serializers.CharField(source="asset.name")
    iccid = serializers.CharField()
    msisdn = serializers.CharField()
    imsi = serializers.CharField()
    operator = serializers.CharField()
    status = EnumField(SimStatus)
    gateway_asset_id = serializers.IntegerField(allow_null=True, help_text="The gateway it connects.")
    valid_from = serializers.DateTimeField(source="asset.valid_from", allow_null=True)
    valid_to = serializers.DateTimeField(source="asset.valid_to", allow_null=True)

    class Meta:
        ref_name = "SimCard"


class WeatherObservationSerializer(CompiledReadSerializer):
    value_time = serializers.DateTimeField(help_text="The start of the observed hour.")
    value = serializers.FloatField(help_text="Air temperature, °C.")

    class Meta:
        ref_name = "WeatherObservation"


class WeatherObservationAssetSerializer(CompiledReadSerializer):
    asset_id = serializers.IntegerField()
    name = serializers.CharField(source="asset.name")
    station_id = serializers.CharField(source="station.code", help_text="MET Norway's station id, e.g. SN18700.")
    latitude = serializers.FloatField(source="asset.latitude", allow_null=True)
    longitude = serializers.FloatField(source="asset.longitude", allow_null=True)
    distance_km = serializers.FloatField(
        allow_null=True, help_text="Great-circle distance from the asset asked about (null for Blindern)."
    )
    last_observation = WeatherObservationSerializer(allow_null=True, help_text="The latest hourly temperature.")

    class Meta:
        ref_name = "WeatherObservationAsset"


# --- Component info ---------------------------------------------------------------------------


class ComponentTypeSerializer(CompiledReadSerializer):
    id = EnumField(AssetType, source="value")
    name = serializers.CharField(source="label")

    class Meta:
        ref_name = "ComponentType"


class ComponentEventTypeSerializer(CompiledReadSerializer):
    id = EnumField(ComponentEvent, source="value")
    name = serializers.CharField(source="label", help_text="The {eventName} of the event routes.")

    class Meta:
        ref_name = "ComponentEventType"


class RestrictedComponentInfoSerializer(CompiledReadSerializer):
    """A flagged component as published to the web: no internal notes, no names of operators."""

    asset_id = serializers.IntegerField()
    asset_key = GuidField(source="asset.key")
    name = serializers.CharField(source="asset.name")
    external_id = serializers.CharField(source="asset.external_id")
    component_type = EnumField(AssetType, source="asset.asset_type")
    latitude = serializers.FloatField(source="asset.latitude", allow_null=True)
    longitude = serializers.FloatField(source="asset.longitude", allow_null=True)
    event = EnumField(ComponentEvent)
    state = EnumField(FlagState)
    web_message = serializers.CharField()
    raised_date_time = serializers.DateTimeField(source="raised_at")
    published_date_time = serializers.DateTimeField(source="published_at", allow_null=True)

    class Meta:
        ref_name = "RestrictedComponentInfo"


class ComponentInfoSerializer(RestrictedComponentInfoSerializer):
    message = serializers.CharField(help_text="The operators' internal note.")

    class Meta:
        ref_name = "ComponentInfo"
