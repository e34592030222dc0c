"""Wire DTOs of the customers app; names follow docs/contract/contract.md (PascalCase on the wire)."""

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from esmart.api.area import Area
from esmart.api.fields import EnumField, PhoneNumberField, StrictBooleanField, StrictCharField, StrictIntegerField
from esmart.api.serializers import CompiledReadSerializer

from ..models import Contract, CustomerAssociation, DeliveryPoint, Device, DeviceType, Meter, TermsType, User
from ..services import ImportAction


class LoginRequestSimpleSerializer(serializers.Serializer):
    user_name = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    area = EnumField(Area)

    class Meta:
        ref_name = "LoginRequestSimple"


class LoginResponseExtendedSerializer(serializers.Serializer):
    customer_ids = serializers.ListField(child=serializers.IntegerField())
    auth_provider = serializers.CharField()
    registration_status = serializers.CharField()
    user_auth_id = serializers.CharField()

    class Meta:
        ref_name = "LoginResponseExtended"


class ElwAddressSerializer(CompiledReadSerializer):
    """The address part of a customer or delivery point (fields live on the owning row)."""

    address_text = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    co_address = serializers.CharField(required=False)
    country_code = serializers.CharField(required=False)
    entrance = serializers.CharField(required=False)
    floor = serializers.CharField(required=False)
    house_letter = serializers.CharField(required=False)
    house_no = serializers.CharField(required=False)
    is_editable = serializers.BooleanField(source="address_is_editable", required=False)
    po_box = serializers.IntegerField(allow_null=True, required=False)
    zip_code = serializers.CharField(required=False)

    class Meta:
        ref_name = "ElwAddress"


class CustomerResponseSerializer(CompiledReadSerializer):
    address = ElwAddressSerializer(source="*", required=False)
    birth_date = serializers.DateField(allow_null=True, required=False)
    customer_id = serializers.IntegerField(source="id", required=False)
    customer_type = serializers.CharField(required=False)
    email = serializers.CharField(help_text="Empty when the customer has none.", required=False)
    first_name = serializers.CharField(required=False)
    is_broadband_customer = serializers.BooleanField(required=False)
    is_district_heating_customer = serializers.BooleanField(required=False)
    is_net_customer = serializers.BooleanField(required=False)
    is_power_customer = serializers.BooleanField(required=False)
    last_name = serializers.CharField(required=False)
    mobile_number = serializers.CharField(required=False)
    organization_no = serializers.CharField(required=False)
    phone_number = serializers.CharField(required=False)
    pin = serializers.CharField(required=False)
    requires_profile_confirmation = serializers.BooleanField(required=False)

    class Meta:
        ref_name = "CustomerResponse"


class CustomerPatchSerializer(serializers.Serializer):
    """The three contact properties a customer may change (PATCH customer, the legacy settings POST)."""

    phone_number = PhoneNumberField(required=False)
    mobile_number = PhoneNumberField(required=False)
    email = serializers.EmailField(max_length=100, required=False, allow_blank=True)

    class Meta:
        ref_name = "CustomerPatchRequest"


class AddressBodySerializer(serializers.Serializer):
    """An ElwAddress in a request body: type-checked as Json.NET bound it, never stored."""

    address_text = StrictCharField(required=False, allow_blank=True)
    city = StrictCharField(required=False, allow_blank=True)
    co_address = StrictCharField(required=False, allow_blank=True)
    country_code = StrictCharField(required=False, allow_blank=True)
    entrance = StrictCharField(required=False, allow_blank=True)
    floor = StrictCharField(required=False, allow_blank=True)
    house_letter = StrictCharField(required=False, allow_blank=True)
    house_no = StrictCharField(required=False, allow_blank=True)
    is_editable = StrictBooleanField(required=False)
    po_box = StrictIntegerField(required=False)
    zip_code = StrictCharField(required=False, allow_blank=True)


class CustomerResponseBodySerializer(CustomerPatchSerializer):
    """PATCH customer's body, a whole CustomerResponse: every property is type-checked (a body Json.NET
    could not bind is a 400), but only PhoneNumber, MobileNumber and Email change."""

    address = AddressBodySerializer(required=False)
    birth_date = serializers.DateField(required=False)
    customer_id = StrictIntegerField(required=False)
    customer_type = StrictCharField(required=False, allow_blank=True)
    first_name = StrictCharField(required=False, allow_blank=True)
    is_broadband_customer = StrictBooleanField(required=False)
    is_district_heating_customer = StrictBooleanField(required=False)
    is_net_customer = StrictBooleanField(required=False)
    is_power_customer = StrictBooleanField(required=False)
    last_name = StrictCharField(required=False, allow_blank=True)
    organization_no = StrictCharField(required=False, allow_blank=True)
    pin = StrictCharField(required=False, allow_blank=True)
    requires_profile_confirmation = StrictBooleanField(required=False)

    def contact_changes(self) -> dict:
        contact = CustomerPatchSerializer._declared_fields
        return {name: value for name, value in self.validated_data.items() if name in contact}


class UserResponseSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="id")
    user_name = serializers.CharField(source="username")
    customer_ids = serializers.SerializerMethodField()

    class Meta:
        model = User
        ref_name = "UserResponse"
        fields = ["user_id", "user_name", "first_name", "last_name", "email", "is_staff", "customer_ids"]

    def get_customer_ids(self, user) -> list[int]:
        return [access.customer_id for access in user.customer_accesses.all()]


class PrivilegeSerializer(serializers.Serializer):
    name = serializers.CharField(source="codename")
    description = serializers.CharField(source="name")

    class Meta:
        ref_name = "Privilege"


# --- contracts and delivery points ----------------------------------------------------------


def _first_delivery_point(contract):
    points = contract.delivery_points.all()  # prefetched
    return points[0] if points else None


class ProductFlagField(serializers.BooleanField):
    """ContractResponse's Is…Contract flags: whether the contract's product is one of `products`."""

    def __init__(self, *products, **kwargs):
        self.products = frozenset(products)
        super().__init__(read_only=True, **kwargs)

    def get_attribute(self, contract):
        return contract.product in self.products


class ContractResponseSerializer(serializers.Serializer):
    contract_no = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    delivery_address = serializers.SerializerMethodField()
    delivery_point_id = serializers.SerializerMethodField()
    delivery_point_name = serializers.SerializerMethodField()
    end_date = serializers.DateField(allow_null=True)
    is_active = serializers.BooleanField()
    is_broadband_contract = ProductFlagField(Contract.Product.BROADBAND)
    is_district_heating_contract = ProductFlagField(Contract.Product.DISTRICT_HEATING)
    is_energy_contract = ProductFlagField(*Contract.ENERGY_PRODUCTS)
    is_gas_contract = ProductFlagField(Contract.Product.GAS)
    is_heat_pump_contract = ProductFlagField(Contract.Product.HEAT_PUMP)
    is_net_contract = ProductFlagField(Contract.Product.NET)
    is_power_contract = ProductFlagField(Contract.Product.POWER)
    is_tap_water_contract = ProductFlagField(Contract.Product.TAP_WATER)
    ledger_no = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField()

    class Meta:
        ref_name = "ContractResponse"

    @extend_schema_field(ElwAddressSerializer(allow_null=True))
    def get_delivery_address(self, contract):
        point = _first_delivery_point(contract)
        return ElwAddressSerializer(point).data if point else None

    def get_delivery_point_id(self, contract) -> int | None:
        point = _first_delivery_point(contract)
        return point.pk if point else None

    def get_delivery_point_name(self, contract) -> str | None:
        point = _first_delivery_point(contract)
        return point.name if point else None


class MeterType(models.IntegerChoices):
    ELECTRICITY = 1, "Electricity"
    WATER = 2, "Water"
    DISTRICT_HEATING = 3, "DistrictHeating"


METER_TYPES = {
    Meter.Kind.ELECTRICITY: MeterType.ELECTRICITY,
    Meter.Kind.WATER: MeterType.WATER,
    Meter.Kind.DISTRICT_HEATING: MeterType.DISTRICT_HEATING,
}


class MeterResponseSerializer(serializers.Serializer):
    meter_id = serializers.CharField()
    meter_no = serializers.CharField()
    meter_type = serializers.SerializerMethodField()
    has_watt_meter = serializers.BooleanField(source="has_wattmeter")
    time_zone = serializers.CharField()

    class Meta:
        ref_name = "DeliveryPointMeter"

    @extend_schema_field(EnumField(MeterType))
    def get_meter_type(self, meter) -> int:
        return METER_TYPES[meter.kind]


# One DeviceType for every device on the wire (contract.md DeviceResponse), the assets app's too.
DEVICE_TYPES = {
    Device.Kind.LIGHTS_AND_HEATING: DeviceType.LightsAndHeating,
    Device.Kind.EV_CHARGER: DeviceType.EvCharger,
}


class DeviceResponseSerializer(serializers.Serializer):
    device_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    description = serializers.CharField()
    device_type = serializers.SerializerMethodField()

    class Meta:
        ref_name = "DeliveryPointDevice"

    @extend_schema_field(EnumField(DeviceType))
    def get_device_type(self, device) -> int:
        return DEVICE_TYPES[device.kind]


class DeliveryPointResponseSerializer(serializers.Serializer):
    """GET .../deliverypoints: the delivery point, its address, GSRN, price area and meter(s)."""

    delivery_point_id = serializers.IntegerField(source="pk")
    contract_no = serializers.IntegerField(source="contract.contract_no")
    name = serializers.CharField()
    metering_point_id = serializers.CharField(help_text="18-digit GSRN.")
    price_area = EnumField(DeliveryPoint.PriceArea)
    address = ElwAddressSerializer(source="*")
    meter = serializers.SerializerMethodField()
    meters = MeterResponseSerializer(many=True, source="meters.all")

    class Meta:
        ref_name = "DeliveryPointResponse"

    @extend_schema_field(MeterResponseSerializer(allow_null=True))
    def get_meter(self, point):
        """The main meter: the first electricity meter, else the first meter."""
        meters = list(point.meters.all())
        main = next((m for m in meters if m.kind == Meter.Kind.ELECTRICITY), meters[0] if meters else None)
        return MeterResponseSerializer(main).data if main else None


class ContractDeliveryPointSerializer(serializers.Serializer):
    """A delivery point in contractdeliverypoints; each include flag fills its list (null when not asked)."""

    delivery_point_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    metering_point_id = serializers.CharField()
    price_area = EnumField(DeliveryPoint.PriceArea)
    address = ElwAddressSerializer(source="*")
    meters = serializers.SerializerMethodField()
    watt_meters = serializers.SerializerMethodField()
    water_meters = serializers.SerializerMethodField()
    lights_and_heating = serializers.SerializerMethodField()
    ev_chargers = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ContractDeliveryPoint"

    def _flag(self, name):
        return self.context["flags"][name]

    @extend_schema_field(MeterResponseSerializer(many=True))
    def get_meters(self, point):
        """Every meter but the water meters."""
        return MeterResponseSerializer([m for m in point.meters.all() if m.kind != Meter.Kind.WATER], many=True).data

    @extend_schema_field(MeterResponseSerializer(many=True, allow_null=True))
    def get_watt_meters(self, point):
        if not self._flag("watt_meters"):
            return None
        return MeterResponseSerializer([m for m in point.meters.all() if m.has_wattmeter], many=True).data

    @extend_schema_field(MeterResponseSerializer(many=True, allow_null=True))
    def get_water_meters(self, point):
        if not self._flag("water_meters"):
            return None
        return MeterResponseSerializer([m for m in point.meters.all() if m.kind == Meter.Kind.WATER], many=True).data

    def _devices(self, point, kind):
        return DeviceResponseSerializer([d for d in point.devices.all() if d.kind == kind], many=True).data

    @extend_schema_field(DeviceResponseSerializer(many=True, allow_null=True))
    def get_lights_and_heating(self, point):
        if not self._flag("lights_and_heating"):
            return None
        return self._devices(point, Device.Kind.LIGHTS_AND_HEATING)

    @extend_schema_field(DeviceResponseSerializer(many=True, allow_null=True))
    def get_ev_chargers(self, point):
        if not self._flag("ev_charging"):
            return None
        return self._devices(point, Device.Kind.EV_CHARGER)


class ContractDeliveryPointsResponseSerializer(serializers.Serializer):
    contract_no = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    product = serializers.CharField()
    is_active = serializers.BooleanField()
    start_date = serializers.DateField()
    end_date = serializers.DateField(allow_null=True)
    delivery_points = serializers.SerializerMethodField()

    class Meta:
        ref_name = "ContractDeliveryPointsResponse"

    @extend_schema_field(ContractDeliveryPointSerializer(many=True))
    def get_delivery_points(self, contract):
        return ContractDeliveryPointSerializer(contract.delivery_points.all(), many=True, context=self.context).data


class AssociateResponseSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField(source="associate.pk")
    first_name = serializers.CharField(source="associate.first_name")
    last_name = serializers.CharField(source="associate.last_name")
    area = EnumField(Area, source="associate.area")
    relation = EnumField(CustomerAssociation.Relation)
    is_net_customer = serializers.BooleanField(source="associate.is_net_customer")
    is_power_customer = serializers.BooleanField(source="associate.is_power_customer")

    class Meta:
        ref_name = "AssociateResponse"


class ImportChangeSerializer(serializers.Serializer):
    entity = serializers.CharField(help_text="Contract, DeliveryPoint or Meter.")
    key = serializers.CharField(help_text="Contract number, metering point id or meter id.")
    action = EnumField(ImportAction)
    fields = serializers.ListField(child=serializers.CharField(), help_text="Changed fields (updates only).")

    class Meta:
        ref_name = "ImportChange"


class CustomerImportResponseSerializer(serializers.Serializer):
    customer_id = serializers.IntegerField()
    found = serializers.BooleanField(help_text="False when the customer information system has no such customer.")
    changes = ImportChangeSerializer(many=True)

    class Meta:
        ref_name = "CustomerImportResponse"


# --- terms, feedback, tracking, app configuration -------------------------------------------


class TermsStatusSerializer(serializers.Serializer):
    terms_type = EnumField(TermsType)
    version = serializers.IntegerField(help_text="The current version.")
    title = serializers.CharField()
    url = serializers.CharField()
    accepted = serializers.BooleanField(help_text="The current version is accepted for the customer.")
    accepted_at = serializers.DateTimeField(allow_null=True)
    accepted_by = serializers.CharField(allow_null=True, help_text="The login that accepted.")

    class Meta:
        ref_name = "TermsStatus"


class TermsResponseSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(help_text="Every current terms type is accepted.")
    terms = TermsStatusSerializer(many=True)

    class Meta:
        ref_name = "TermsResponse"


class TermsRequestSerializer(serializers.Serializer):
    accept_general_terms = StrictBooleanField(required=False, default=False)
    accept_additional_terms = StrictBooleanField(required=False, default=False)

    class Meta:
        ref_name = "TermsRequest"


class FeedbackRequestSerializer(serializers.Serializer):
    app_name = StrictCharField(max_length=50, required=False, allow_blank=True, default="")
    app_version = StrictCharField(max_length=30, required=False, allow_blank=True, default="")
    platform = StrictCharField(max_length=30, required=False, allow_blank=True, default="")
    rating = StrictIntegerField(min_value=1, max_value=5, required=False, allow_null=True, default=None)
    subject = StrictCharField(max_length=200, required=False, allow_blank=True, default="")
    message = StrictCharField(max_length=4000)

    class Meta:
        ref_name = "CustomerFeedbackRequest"


class SystemFeedbackRequestSerializer(FeedbackRequestSerializer):
    customer_id = StrictIntegerField(
        required=False, allow_null=True, default=None, help_text="Optional: the caller's customer it concerns."
    )

    class Meta:
        ref_name = "CustomerSystemFeedbackRequest"


class TrackingRequestSerializer(serializers.Serializer):
    app_name = StrictCharField(max_length=50, help_text="The app's short name, e.g. smartliv, rknett.")
    event = StrictCharField(max_length=50, help_text="e.g. LoggedIn.")

    class Meta:
        ref_name = "TrackingRequest"


class AppConfigParameterSerializer(serializers.Serializer):
    key = serializers.CharField()
    value = serializers.CharField()

    class Meta:
        ref_name = "AppConfigParameter"


class AppConfigResponseSerializer(serializers.Serializer):
    app_short_name = serializers.CharField()
    company_short_name = serializers.CharField()
    build = serializers.CharField()
    parameters = AppConfigParameterSerializer(many=True)

    class Meta:
        ref_name = "AppConfigResponse"
