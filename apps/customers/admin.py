from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import Contract, Customer, CustomerAccess, DeliveryPoint, Meter, User

ADDRESS_FIELDS = (
    "address_text",
    "co_address",
    ("house_no", "house_letter", "entrance", "floor"),
    ("zip_code", "city", "po_box", "country_code"),
    "address_is_editable",
)


class CustomerAccessInline(admin.TabularInline):
    model = CustomerAccess
    extra = 0
    autocomplete_fields = ["user", "customer"]
    readonly_fields = ["created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [CustomerAccessInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]


class ContractInline(admin.TabularInline):
    model = Contract
    extra = 0
    fields = ["contract_no", "product", "ledger_no", "start_date", "end_date"]
    show_change_link = True


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["id", "first_name", "last_name", "area", "email", "phone_number", "mobile_number"]
    list_filter = ["area", "customer_type"]
    search_fields = [
        "=id",
        "first_name",
        "last_name",
        "email",
        "phone_number",
        "mobile_number",
        "=contracts__delivery_points__metering_point_id",
    ]
    readonly_fields = ["id", "area", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["id", "area", "customer_type", ("first_name", "last_name"), "birth_date", "pin"]}),
        ("Contact", {"fields": ["email", "phone_number", "mobile_number"]}),
        ("Address", {"fields": ADDRESS_FIELDS}),
        (
            "Flags",
            {
                "fields": [
                    "organization_no",
                    "is_broadband_customer",
                    "is_district_heating_customer",
                    "requires_profile_confirmation",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [ContractInline, CustomerAccessInline]


class DeliveryPointInline(admin.StackedInline):
    model = DeliveryPoint
    extra = 0
    show_change_link = True
    fields = ["name", "metering_point_id", "price_area", "address_text", ("zip_code", "city")]


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["contract_no", "customer", "product", "start_date", "end_date"]
    list_filter = ["product"]
    search_fields = ["=contract_no", "=customer__id"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    inlines = [DeliveryPointInline]


class MeterInline(admin.TabularInline):
    model = Meter
    extra = 0
    fields = ["meter_id", "meter_no", "kind", "time_zone", "has_wattmeter"]
    show_change_link = True


@admin.register(DeliveryPoint)
class DeliveryPointAdmin(admin.ModelAdmin):
    list_display = ["metering_point_id", "name", "price_area", "contract"]
    list_filter = ["price_area"]
    search_fields = ["=metering_point_id", "name", "=contract__contract_no"]
    list_select_related = ["contract"]
    autocomplete_fields = ["contract"]
    fieldsets = [
        (None, {"fields": ["contract", "name", "metering_point_id", "price_area"]}),
        ("Address", {"fields": ADDRESS_FIELDS}),
    ]
    inlines = [MeterInline]


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ["meter_id", "meter_no", "kind", "delivery_point", "has_wattmeter"]
    list_filter = ["kind", "has_wattmeter"]
    search_fields = ["=meter_id", "=meter_no", "=delivery_point__metering_point_id"]
    list_select_related = ["delivery_point"]
    autocomplete_fields = ["delivery_point"]
