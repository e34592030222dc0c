"""Wire DTOs of the business objects: the `Asset` properties plus one object of the type's own
details, `Gateway` (contract.md's IoTGateway, with firmware and connection state), `Device`
(DeviceResponse's DeviceType, the controlling gateway, rated power) or `AggregationPoint`.

GET answers what a PUT takes back: read it, change it, send it with its Version.
"""

from __future__ import annotations

from rest_framework import serializers

from apps.pricing.public import UnknownAreaError, zone
from esmart.api.fields import EnumField, StrictBooleanField, StrictCharField, StrictIntegerField
from esmart.api.serializers import CompiledReadSerializer

from ...devices.api.serializers import IoTGatewaySerializer
from ...models import AssetType, Hierarchy, RelationType
from ...models.devices import (
    FIRMWARE_VERSION,
    METERING_POINT_ID,
    DeviceType,
    GatewayClass,
    GatewayConnectionState,
    IoTStatus,
)
from ..business_objects import Kind
from .serializers import AssetSerializer, AssetWriteSerializer

# --- details, as read -------------------------------------------------------------------------


class DeviceDetailsSerializer(CompiledReadSerializer):
    device_type = EnumField(DeviceType)
    gateway_asset_id = serializers.IntegerField(allow_null=True, help_text="The gateway that controls it.")
    rated_power_kw = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True)

    class Meta:
        ref_name = "SmartHomeDeviceDetails"


class AggregationPointDetailsSerializer(CompiledReadSerializer):
    metering_point_id = serializers.CharField(help_text="Its GSRN (18 digits), or empty.")
    bidding_zone = serializers.CharField(help_text="The day-ahead bidding zone (NO1...), or empty.")
    max_capacity_kw = serializers.DecimalField(max_digits=10, decimal_places=3, allow_null=True)
    flexibility_enabled = serializers.BooleanField()

    class Meta:
        ref_name = "AggregationPointDetails"


# --- details, as written ----------------------------------------------------------------------


class GatewayDetailsWriteSerializer(serializers.Serializer):
    gateway_class_id = EnumField(
        GatewayClass, source="gateway_class", required=False, default=int(GatewayClass.SmartHub)
    )
    status = EnumField(IoTStatus, required=False, default=int(IoTStatus.Registered))
    logging_is_on = StrictBooleanField(required=False, default=False)
    data_provider_id = StrictIntegerField(min_value=1, max_value=2**31 - 1, required=False, allow_null=True)
    firmware_version = StrictCharField(
        max_length=50, required=False, allow_blank=True, default="", validators=[FIRMWARE_VERSION]
    )
    connection_state = EnumField(GatewayConnectionState, required=False, default=int(GatewayConnectionState.Unknown))
    last_seen = serializers.DateTimeField(
        source="last_seen_at", required=False, allow_null=True, default=None, help_text="Not in the future."
    )

    class Meta:
        ref_name = "SmartHomeGatewayDetailsRequest"


class DeviceDetailsWriteSerializer(serializers.Serializer):
    device_type = EnumField(DeviceType)
    gateway_asset_id = StrictIntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True, help_text="A gateway in your reach."
    )
    rated_power_kw = serializers.DecimalField(
        max_digits=7, decimal_places=3, min_value=0, max_value=1000, required=False, allow_null=True
    )

    class Meta:
        ref_name = "SmartHomeDeviceDetailsRequest"


class AggregationPointDetailsWriteSerializer(serializers.Serializer):
    metering_point_id = StrictCharField(
        max_length=18, required=False, allow_blank=True, default="", validators=[METERING_POINT_ID]
    )
    bidding_zone = StrictCharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="NO1, or its EIC code."
    )
    max_capacity_kw = serializers.DecimalField(
        max_digits=10, decimal_places=3, min_value=0, max_value=10_000_000, required=False, allow_null=True
    )
    flexibility_enabled = StrictBooleanField(required=False, default=False)

    class Meta:
        ref_name = "AggregationPointDetailsRequest"

    def validate_bidding_zone(self, value):
        if not value:
            return value
        try:
            return zone(value).code  # stored by its short code
        except UnknownAreaError:
            raise serializers.ValidationError(f"Unknown bidding zone {value!r}: use a code such as NO1.") from None


# The details object of each type: (its property, read DTO, write DTO, whether a body must send it).
DETAILS = {
    AssetType.SmartHomeGateway: ("gateway", IoTGatewaySerializer, GatewayDetailsWriteSerializer, False),
    AssetType.SmartHomeDevice: ("device", DeviceDetailsSerializer, DeviceDetailsWriteSerializer, True),
    AssetType.AggregationPoint: (
        "aggregation_point",
        AggregationPointDetailsSerializer,
        AggregationPointDetailsWriteSerializer,
        False,
    ),
}


def _meta(ref_name: str):
    return type("Meta", (), {"ref_name": ref_name})


def business_object_serializers(kind: Kind):
    """The create, replace and response DTOs of one business-object type, named after it."""
    name = kind.asset_type.label
    prop, read, write, required = DETAILS[kind.asset_type]
    details_help = "The type's own details." + ("" if required else " Absent: every detail takes its default.")

    def own_fields() -> dict:  # fresh field instances for each class
        fields = {prop: write(required=required, **({} if required else {"default": dict}), help_text=details_help)}
        if kind.requires_serial_number:
            fields["serial_number"] = StrictCharField(max_length=100, help_text="Required; unique among gateways.")
        return fields

    create = type(
        f"{name}CreateSerializer",
        (AssetWriteSerializer,),
        {
            **own_fields(),
            "parent_id": serializers.IntegerField(
                min_value=1, max_value=2**63 - 1, help_text="The asset it hangs under (in your reach)."
            ),
            "relationship_type": EnumField(
                Hierarchy, source="relation_type", required=False, default=int(RelationType.Location)
            ),
            "Meta": _meta(f"{name}Create"),
        },
    )
    replace = type(
        f"{name}Serializer",
        (AssetWriteSerializer,),
        {
            **own_fields(),
            "version": serializers.IntegerField(min_value=1, help_text="The Version you read; a stale one is a 409."),
            "Meta": _meta(name),
        },
    )
    response = type(
        f"{name}ObjectSerializer",
        (AssetSerializer,),
        {
            prop: read(source="details", allow_null=True, help_text="Null until its details are first recorded."),
            "Meta": _meta(f"{name}Object"),
        },
    )
    return create, replace, response


def split(kind: Kind, validated: dict) -> tuple[dict, dict]:
    """(asset fields, details) of a validated create or replace body."""
    prop = DETAILS[kind.asset_type][0]
    data = dict(validated)
    return data, dict(data.pop(prop, {}) or {})
