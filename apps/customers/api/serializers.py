"""Wire DTOs of the customers app; names follow ../shared/api/contract.md (PascalCase on the wire)."""

from rest_framework import serializers

from esmart.api.area import Area

from ..models import Customer, User

PHONE_MESSAGE = "Only digits are allowed, at most 14."


class LoginRequestSimpleSerializer(serializers.Serializer):
    user_name = serializers.CharField(max_length=150, trim_whitespace=False)
    password = serializers.CharField(max_length=4096, trim_whitespace=False, style={"input_type": "password"})
    area = serializers.ChoiceField(choices=Area.choices)

    class Meta:
        ref_name = "LoginRequestSimple"


class LoginResponseExtendedSerializer(serializers.Serializer):
    customer_ids = serializers.ListField(child=serializers.IntegerField())
    auth_provider = serializers.CharField()
    registration_status = serializers.CharField()
    user_auth_id = serializers.CharField()

    class Meta:
        ref_name = "LoginResponseExtended"


class ElwAddressSerializer(serializers.Serializer):
    """The address part of a customer or delivery point (fields live on the owning row)."""

    address_text = serializers.CharField()
    city = serializers.CharField()
    co_address = serializers.CharField()
    country_code = serializers.CharField()
    entrance = serializers.CharField()
    floor = serializers.CharField()
    house_letter = serializers.CharField()
    house_no = serializers.CharField()
    is_editable = serializers.BooleanField(source="address_is_editable")
    po_box = serializers.IntegerField(allow_null=True)
    zip_code = serializers.CharField()

    class Meta:
        ref_name = "ElwAddress"


class CustomerResponseSerializer(serializers.ModelSerializer):
    address = ElwAddressSerializer(source="*", read_only=True)
    customer_id = serializers.IntegerField(source="id", read_only=True)
    customer_type = serializers.CharField(read_only=True)
    is_net_customer = serializers.BooleanField(read_only=True)
    is_power_customer = serializers.BooleanField(read_only=True)

    class Meta:
        model = Customer
        ref_name = "CustomerResponse"
        fields = [
            "address",
            "birth_date",
            "customer_id",
            "customer_type",
            "email",
            "first_name",
            "is_broadband_customer",
            "is_district_heating_customer",
            "is_net_customer",
            "is_power_customer",
            "last_name",
            "mobile_number",
            "organization_no",
            "phone_number",
            "pin",
            "requires_profile_confirmation",
        ]
        read_only_fields = fields


class CustomerPatchSerializer(serializers.Serializer):
    """PATCH takes a CustomerResponse; only these three properties change, the rest is ignored."""

    phone_number = serializers.RegexField(r"^\d{0,14}$", required=False, error_messages={"invalid": PHONE_MESSAGE})
    mobile_number = serializers.RegexField(r"^\d{0,14}$", required=False, error_messages={"invalid": PHONE_MESSAGE})
    email = serializers.EmailField(max_length=100, required=False, allow_blank=True)

    class Meta:
        ref_name = "CustomerPatchRequest"


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
