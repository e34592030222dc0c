"""Admin of the EV app: the catalogue, charger imports, requests with their schedules, cars and
vendor accounts. Credentials and tokens are never shown (not even encrypted)."""

from django.contrib import admin

from .models import BatteryCar, Car, ChargerImport, EvChargingRequest, EvChargingSlot, VendorAccount


@admin.register(BatteryCar)
class BatteryCarAdmin(admin.ModelAdmin):
    list_display = [
        "manufacturer",
        "model",
        "generation",
        "gross_battery_kwh",
        "net_battery_kwh",
        "max_ac_kw",
        "max_dc_kw",
    ]
    list_filter = ["manufacturer"]
    search_fields = ["manufacturer", "model", "generation"]


@admin.register(ChargerImport)
class ChargerImportAdmin(admin.ModelAdmin):
    list_display = ["charger", "import_source", "imported_by", "imported_at"]
    search_fields = ["charger__asset__external_id", "import_source"]
    readonly_fields = ["charger", "imported_by", "imported_at"]


class EvChargingSlotInline(admin.TabularInline):
    model = EvChargingSlot
    extra = 0
    can_delete = False
    readonly_fields = ["start_at", "end_at", "energy_kwh", "price_nok_per_kwh", "cost"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(EvChargingRequest)
class EvChargingRequestAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "customer",
        "charger",
        "start_at",
        "end_at",
        "charging_demand_kwh",
        "estimated_cost",
        "immediate_cost",
    ]
    list_select_related = ["customer", "charger__asset"]
    date_hierarchy = "start_at"
    search_fields = ["=id", "=customer__id", "charger__asset__external_id"]
    raw_id_fields = ["customer", "charger", "car"]
    readonly_fields = ["estimated_cost", "immediate_cost", "planned_at", "created_at", "updated_at"]
    inlines = [EvChargingSlotInline]


@admin.register(Car)
class CarAdmin(admin.ModelAdmin):
    list_display = ["row_key", "customer", "manufacturer", "model", "generation", "vehicle_id", "use_external_api"]
    list_filter = ["manufacturer", "use_external_api"]
    search_fields = ["row_key", "vehicle_id", "display_name", "email"]
    raw_id_fields = ["customer", "battery_car", "connected_asset"]


@admin.register(VendorAccount)
class VendorAccountAdmin(admin.ModelAdmin):
    # Only who and when: the encrypted columns are left out of every admin form and list.
    list_display = ["user", "manufacturer", "authorized_at"]
    search_fields = ["user__username", "manufacturer"]
    fields = ["user", "manufacturer", "authorized_at"]
    readonly_fields = ["user", "manufacturer", "authorized_at"]

    def has_add_permission(self, request):
        return False
