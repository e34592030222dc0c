"""Wire DTOs of the EV app; names and spellings follow docs/contract/contract.md (PascalCase, except
the lowercase credential properties of `EvLoginCredentials` and the original's `NettBatterySize`)."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import validate_email
from django.db import models
from rest_framework import serializers

from apps.assets.public import ConnectorType, DeviceType, TimeSeriesTypeClass, ValueSubCategory, ValueUnit
from esmart.api.fields import EnumField, StrictBooleanField, StrictCharField, StrictIntegerField
from esmart.api.query import AspNetBooleanField
from esmart.api.schema import AS_DECLARED

from ..models import ChargerImport, EvChargingModeEnum


def _decimal(**kwargs):
    return serializers.DecimalField(max_digits=10, decimal_places=3, coerce_to_string=False, **kwargs)


def _kwh(**kwargs):
    return serializers.DecimalField(
        max_digits=7, decimal_places=3, coerce_to_string=False, min_value=Decimal("0.001"), **kwargs
    )


# --- Catalogue -------------------------------------------------------------------------------------


class BatteryCarSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    manufacturer = serializers.CharField()
    model = serializers.CharField()
    generation = serializers.CharField()
    gross_battery_size = _decimal(source="gross_battery_kwh", help_text="kWh")
    nett_battery_size = _decimal(source="net_battery_kwh", help_text="Usable capacity, kWh.")
    max_ac_charge_power = _decimal(source="max_ac_kw", help_text="kW")
    max_dc_charge_power = _decimal(source="max_dc_kw", help_text="kW")
    image_url = serializers.CharField()
    manufacturer_logo = serializers.CharField()

    class Meta:
        ref_name = "BatteryCar"


class CarVendorSerializer(serializers.Serializer):
    manufacturer = serializers.CharField()
    manufacturer_logo = serializers.CharField()
    use_external_api = serializers.BooleanField(help_text="Whether a vendor API adapter is configured.")
    models = BatteryCarSerializer(many=True)

    class Meta:
        ref_name = "CarVendor"


class ChargersQuerySerializer(serializers.Serializer):
    external_id = serializers.CharField(max_length=100)
    create_if_not_exists = AspNetBooleanField(required=False, default=False)
    import_source = serializers.CharField(max_length=100, required=False, default="")
    max_power = serializers.DecimalField(
        max_digits=6,
        decimal_places=1,
        min_value=Decimal("1"),
        max_value=Decimal("1000"),
        required=False,
        default=Decimal("11"),
        help_text="kW of a charger that is created (default 11).",
    )


class ChargerResponseSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField(source="pk")
    external_id = serializers.CharField(source="asset.external_id")
    name = serializers.CharField(source="asset.name")
    description = serializers.CharField(source="asset.description")
    max_power = _decimal(source="max_power_kw", help_text="kW")
    connectors = serializers.IntegerField()
    connector_type = EnumField(ConnectorType)
    import_source = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ChargerResponse"

    def get_import_source(self, charger) -> str | None:
        try:
            return charger.ev_import.import_source
        except ChargerImport.DoesNotExist:
            return None


# --- Charging requests ---------------------------------------------------------------------------


class EvChargePlanSerializer(serializers.Serializer):
    start_time = serializers.DateTimeField(source="start_at")
    end_time = serializers.DateTimeField(source="end_at")
    created = serializers.DateTimeField(source="request.planned_at")
    total_charge_time = serializers.SerializerMethodField(help_text="hh:mm:ss")
    energy = _decimal(source="energy_kwh", help_text="kWh")
    price = serializers.DecimalField(
        max_digits=9,
        decimal_places=5,
        coerce_to_string=False,
        source="price_nok_per_kwh",
        help_text="NOK/kWh, VAT incl.",
    )
    cost = _decimal(help_text="NOK")

    class Meta:
        ref_name = "EvChargePlan"

    def get_total_charge_time(self, slot) -> str:
        seconds = int((slot.end_at - slot.start_at).total_seconds())
        return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class EvChargingRequestSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    asset_id = serializers.IntegerField(source="charger_id")
    car_id = serializers.CharField(source="car.row_key", allow_null=True, default=None)
    start_time = serializers.DateTimeField(source="start_at")
    end_time = serializers.DateTimeField(source="end_at")
    charging_demand = _decimal(source="charging_demand_kwh", help_text="kWh")
    created = serializers.DateTimeField(source="created_at")
    updated = serializers.DateTimeField(source="updated_at")
    planned_at = serializers.DateTimeField(allow_null=True)
    estimated_cost = _decimal(allow_null=True, help_text="NOK for the planned schedule, VAT incl.")
    immediate_cost = _decimal(allow_null=True, help_text="NOK if charged at once from StartTime.")
    currency = serializers.SerializerMethodField()
    charge_plans = EvChargePlanSerializer(many=True, source="slots")

    class Meta:
        ref_name = "EvChargingRequest"

    def get_currency(self, request) -> str:
        return "NOK"


class _DemandMixin:
    def demand(self) -> Decimal | None:
        data = self.validated_data
        return data.get("charging_demand", data.get("charge_demand"))


class EvChargingRequestPatchSerializer(_DemandMixin, serializers.Serializer):
    """The seed's PATCH body: only StartTime, EndTime and the demand change; AssetId is ignored."""

    asset_id = StrictIntegerField(required=False, help_text="Ignored: the charger of a request does not change.")
    start_time = serializers.DateTimeField(required=False)
    end_time = serializers.DateTimeField(required=False)
    charging_demand = _kwh(required=False, help_text="kWh")
    charge_demand = _kwh(required=False, help_text="The seed's other name of ChargingDemand.")

    class Meta:
        ref_name = "EvChargingRequestPatch"


class EvChargingRequestPostSerializer(_DemandMixin, serializers.Serializer):
    asset_id = StrictIntegerField(help_text="The charger's AssetId.")
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    charging_demand = _kwh(required=False, help_text="kWh")
    charge_demand = _kwh(required=False, help_text="The seed's other name of ChargingDemand.")
    car_id = StrictCharField(
        required=False, max_length=64, help_text="RowKey of the car; else the car connected to the charger."
    )

    class Meta:
        ref_name = "EvChargingRequestPost"

    def validate(self, attrs):
        if attrs.get("charging_demand", attrs.get("charge_demand")) is None:
            raise serializers.ValidationError({"charging_demand": ["ChargingDemand is required."]})
        return attrs


# --- Cars ------------------------------------------------------------------------------------------


def _car_email(value: str) -> None:
    """Django's e-mail check, as a plain function: an EmailValidator would make the schema say
    `format: email`, but an import stores the vendor login's username here (services.py), which
    need not be one; contract.md types the property as a string."""
    validate_email(value)


class ElectricalVehicleDtoSerializer(serializers.Serializer):
    row_key = serializers.CharField(read_only=True)
    use_external_api = StrictBooleanField(required=False)
    connected_asset_id = StrictIntegerField(required=False, allow_null=True, min_value=1)
    manufacturer = StrictCharField(required=False, max_length=60)
    manufacturer_logo = serializers.SerializerMethodField()
    model = StrictCharField(required=False, max_length=80, allow_blank=True)
    email = serializers.CharField(required=False, max_length=254, allow_blank=True, validators=[_car_email])
    customer_id = serializers.SerializerMethodField()
    image_url = serializers.URLField(required=False, max_length=200, allow_blank=True)
    display_name = StrictCharField(required=False, max_length=100, allow_blank=True)
    vehicle_id = StrictCharField(required=False, max_length=64, allow_blank=True)
    generation = StrictCharField(required=False, max_length=40, allow_blank=True)
    gross_battery_size = _decimal(source="gross_battery_kwh", required=False, allow_null=True, min_value=Decimal(1))
    nett_battery_size = _decimal(source="net_battery_kwh", required=False, allow_null=True, min_value=Decimal(1))
    max_charge_power = _decimal(source="max_charge_kw", required=False, allow_null=True, min_value=Decimal(1))

    class Meta:
        ref_name = "ElectricalVehicleDto"

    def get_manufacturer_logo(self, car) -> str:
        return car.battery_car.manufacturer_logo if car.battery_car_id else ""

    def get_customer_id(self, car) -> str:
        return str(car.customer_id)

    def changes(self) -> dict:
        return dict(self.validated_data)


class IntegratedCarsDtoResponseSerializer(serializers.Serializer):
    bearer = serializers.CharField(
        allow_null=True, help_text="Our handle of the vendor login (never the vendor's token)."
    )
    cars = ElectricalVehicleDtoSerializer(many=True)

    class Meta:
        ref_name = "IntegratedCarsDtoResponse"


class BatteryLevelResponseSerializer(serializers.Serializer):
    battery_level = _decimal(help_text="Percent.")

    class Meta:
        ref_name = "BatteryLevelResponse"


class EvAuthSerializer(serializers.Serializer):
    wire_case = AS_DECLARED
    bearer = StrictCharField(required=False, max_length=4096, trim_whitespace=False)

    class Meta:
        ref_name = "EvAuth"


class EvLoginCredentialsSerializer(serializers.Serializer):
    """Either username + password or auth.bearer, beside Manufacturer (lowercase as the original)."""

    wire_case = AS_DECLARED
    username = StrictCharField(required=False, max_length=254, allow_blank=True)
    password = StrictCharField(
        required=False, max_length=1024, allow_blank=True, trim_whitespace=False, style={"input_type": "password"}
    )
    auth = EvAuthSerializer(required=False, allow_null=True)  # null is "not given" (Json.NET rule)
    Manufacturer = StrictCharField(required=False, max_length=60, allow_blank=True)

    class Meta:
        ref_name = "EvLoginCredentials"

    def credentials(self):
        from ..vendors import Credentials

        data = self.validated_data
        return Credentials(
            username=data.get("username", ""),
            password=data.get("password", ""),
            bearer=(data.get("auth") or {}).get("bearer", ""),
        )

    def manufacturer(self) -> str:
        return self.validated_data.get("Manufacturer", "").strip()


class AuthType(models.TextChoices):
    """How a vendor login is presented (contract.md: travels as a string, smallest member Bearer)."""

    Bearer = "Bearer", "Bearer"


class EvAuthorizationSerializer(serializers.Serializer):
    is_authorized = serializers.BooleanField()
    value = serializers.CharField(allow_null=True, help_text="Our handle of the vendor login, to send as auth.bearer.")
    type = EnumField(AuthType, help_text="AuthType, as a string.")

    class Meta:
        ref_name = "EvAuthorization"


# --- Devices behind a gateway ----------------------------------------------------------------------


class TimeSeriesValueExtendedSerializer(serializers.Serializer):
    value_category = EnumField(TimeSeriesTypeClass)
    value_time = serializers.DateTimeField()
    value_sub_category = EnumField(ValueSubCategory)
    value = _decimal()
    value_unit = EnumField(ValueUnit)

    class Meta:
        ref_name = "EvDeviceValue"


class EvChargingInfoSerializer(serializers.Serializer):
    charging_mode = EnumField(EvChargingModeEnum)
    smart_mode_is_active = serializers.BooleanField()
    car_info_id = serializers.CharField(allow_null=True)
    car_manufacturer = serializers.CharField(allow_null=True)
    car_model = serializers.CharField(allow_null=True)
    car_generation = serializers.CharField(allow_null=True)
    gross_battery_size = _decimal(allow_null=True)
    net_battery_size = _decimal(allow_null=True)
    battery_level = _decimal(allow_null=True)
    fully_charged_by = serializers.DateTimeField(allow_null=True)
    customer_id = serializers.CharField()
    contract_id = serializers.IntegerField(allow_null=True)
    gateway_asset_id = serializers.IntegerField()
    device_asset_id = serializers.IntegerField()

    class Meta:
        ref_name = "EvChargingInformationReq"


class DeviceResponseWithChargingInfoSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    device_type = EnumField(DeviceType)
    values = TimeSeriesValueExtendedSerializer(many=True)
    ev_charging_info = EvChargingInfoSerializer()

    class Meta:
        ref_name = "DeviceResponseWithChargingInfo"


class EvChargingDevicesAndCarsSerializer(serializers.Serializer):
    devices = DeviceResponseWithChargingInfoSerializer(many=True)
    cars = ElectricalVehicleDtoSerializer(many=True)

    class Meta:
        ref_name = "EvChargingDevicesAndCars"


# --- Statistics ------------------------------------------------------------------------------------


class StatisticsQuerySerializer(serializers.Serializer):
    year = StrictIntegerField(min_value=2001, max_value=2100)
    month = StrictIntegerField(min_value=1, max_value=12)


class ChargerStatisticsSerializer(serializers.Serializer):
    charger_asset_id = serializers.IntegerField()
    meter_id = serializers.CharField()
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    from_time = serializers.DateTimeField()
    to_time = serializers.DateTimeField()
    energy_charged = serializers.FloatField(help_text="kWh")
    number_of_sessions = serializers.IntegerField()
    peak_power = serializers.FloatField(help_text="kW")
    cost = serializers.FloatField(help_text="NOK, VAT incl., by pricing's cost rules")
    currency = serializers.CharField()

    class Meta:
        ref_name = "ChargerStatistics"
