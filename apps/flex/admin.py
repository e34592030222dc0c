"""Admin for support staff: enrolled devices, plans with their intervals and decline, declines,
grid requests with their values, site settings with their shedding order, and the command log."""

from django.contrib import admin

from .models import (
    BaselineConfig,
    ControllableDevice,
    ControlPlan,
    ControlPlanDecline,
    ControlPlanInterval,
    ControlPlanRequest,
    ControlPlanRequestValue,
    DeviceCommand,
    EtProfile,
    FlexContract,
    SheddingAction,
    SiteDevice,
    SiteSettings,
)


class IntervalInline(admin.TabularInline):
    model = ControlPlanInterval
    extra = 0
    readonly_fields = ["start_at", "end_at", "is_on", "power_limit_kw", "source", "price_nok_per_kwh", "declined"]
    can_delete = False

    def has_add_permission(self, request, obj=None):  # intervals are the planner's, shown as planned
        return False


@admin.register(ControlPlan)
class ControlPlanAdmin(admin.ModelAdmin):
    list_display = ["id", "device", "zone", "start_at", "version", "created_at"]
    list_filter = ["zone"]
    search_fields = ["id", "device__device__asset__name"]
    raw_id_fields = ["device", "zone"]
    inlines = [IntervalInline]


@admin.register(ControlPlanDecline)
class ControlPlanDeclineAdmin(admin.ModelAdmin):
    list_display = ["plan", "declined_by", "declined_at", "reason"]
    search_fields = ["plan__id", "plan__device__device__asset__name", "declined_by__username", "reason"]
    readonly_fields = ["plan", "declined_by", "declined_at", "reason", "removed_intervals"]


class RequestValueInline(admin.TabularInline):
    model = ControlPlanRequestValue
    extra = 0


@admin.register(ControlPlanRequest)
class ControlPlanRequestAdmin(admin.ModelAdmin):
    list_display = ["id", "zone", "ts_type", "start_at", "end_at", "requested_by", "created_at"]
    search_fields = ["id__exact", "zone__name", "requested_by__username"]
    list_filter = ["ts_type", "zone"]
    raw_id_fields = ["requested_by"]
    inlines = [RequestValueInline]


class SiteDeviceInline(admin.TabularInline):
    model = SiteDevice
    extra = 0
    raw_id_fields = ["device"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ["site", "threshold_kw", "hysteresis_kw", "updated_at"]
    search_fields = ["=site__metering_point_id", "site__name", "=site__contract__contract_no"]
    raw_id_fields = ["site"]
    inlines = [SiteDeviceInline]


@admin.register(SheddingAction)
class SheddingActionAdmin(admin.ModelAdmin):
    list_display = ["site", "device", "action", "power_kw", "threshold_kw", "measured_at"]
    search_fields = ["=site__metering_point_id", "site__name", "device__asset__name", "device__asset__serial_number"]
    list_filter = ["action"]


@admin.register(ControllableDevice)
class ControllableDeviceAdmin(admin.ModelAdmin):
    list_display = [
        "device",
        "zone",
        "enrolled",
        "power_kw",
        "daily_energy_kwh",
        "window_start_hour",
        "window_end_hour",
    ]
    search_fields = ["device__asset__name", "device__asset__serial_number", "device__asset__external_id", "zone__name"]
    list_filter = ["enrolled"]
    raw_id_fields = ["device", "zone"]


@admin.register(DeviceCommand)
class DeviceCommandAdmin(admin.ModelAdmin):
    list_display = ["id", "device", "kind", "plan", "plan_version", "status", "created_at", "sent_at"]
    search_fields = [
        "id__exact",
        "device__asset__name",
        "device__asset__serial_number",
        "plan__id",
        "requested_by__username",
    ]
    list_filter = ["kind", "status"]
    raw_id_fields = ["device", "plan", "requested_by"]


@admin.register(FlexContract)
class FlexContractAdmin(admin.ModelAdmin):
    list_display = ["name", "participant", "created_at"]
    search_fields = ["name", "participant__name", "=participant__organization_no"]
    list_select_related = ["participant"]


@admin.register(EtProfile)
class EtProfileAdmin(admin.ModelAdmin):
    list_display = ["asset", "weekday", "from_hour", "to_hour"]
    search_fields = ["asset__name", "=asset__external_id", "asset__serial_number"]
    list_select_related = ["asset"]


@admin.register(BaselineConfig)
class BaselineConfigAdmin(admin.ModelAdmin):
    list_display = ["asset", "method", "days", "high_count", "updated_at"]
    search_fields = ["asset__name", "=asset__external_id", "asset__serial_number"]
    list_select_related = ["asset"]
