"""Admin of the devices part: gateways (token issued once, never shown again), devices with their
latest values, counters, chargers, charging stations, SIM cards, weather-station links, and
component flags, raised, published and cleared through the services so the history and the
notification hook are kept."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.db import transaction

from ..models.components import ComponentFlag, ComponentFlagChange, FlagState
from ..models.devices import (
    AggregationPoint,
    Charger,
    ChargingStation,
    Counter,
    DeviceValue,
    SimCard,
    SmartHomeDevice,
    SmartHomeGateway,
    WeatherStationAsset,
)
from . import components
from . import services as devices

ASSET_SEARCH = ("asset__name", "asset__serial_number", "asset__external_id")


class DetailsAdmin(admin.ModelAdmin):
    raw_id_fields = ("asset",)
    search_fields = ASSET_SEARCH
    list_select_related = ("asset",)

    @admin.display(description="asset", ordering="asset__name")
    def asset_name(self, obj):
        return obj.asset.name

    @admin.display(description="serial number", ordering="asset__serial_number")
    def serial_number(self, obj):
        return obj.asset.serial_number


@admin.register(SmartHomeGateway)
class SmartHomeGatewayAdmin(DetailsAdmin):
    list_display = (
        "asset_id", "asset_name", "serial_number", "gateway_class", "status", "connection_state", "last_seen_at",
        "firmware_version",
    )  # fmt: skip
    list_filter = ("status", "gateway_class", "connection_state")
    readonly_fields = ("gateway_id", "token_expiry")
    exclude = ("token_digest",)
    actions = ["issue_token"]

    @admin.action(description="Issue a new access token (shown once)")
    def issue_token(self, request, queryset):
        for gateway in queryset:
            token = devices.issue_gateway_token(gateway=gateway)
            # The only time the token is visible: only its digest is stored.
            self.message_user(request, f"Gateway {gateway.asset_id}: new token {token}", messages.WARNING)


class DeviceValueInline(admin.TabularInline):
    model = DeviceValue
    extra = 0
    readonly_fields = ("value_category", "value_sub_category", "value_unit", "value_time", "value")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SmartHomeDevice)
class SmartHomeDeviceAdmin(DetailsAdmin):
    list_display = ("asset_id", "asset_name", "serial_number", "device_type", "rated_power_kw")
    list_filter = ("device_type",)
    inlines = [DeviceValueInline]


@admin.register(AggregationPoint)
class AggregationPointAdmin(DetailsAdmin):
    list_display = ("asset_id", "asset_name", "metering_point_id", "bidding_zone", "max_capacity_kw")
    list_filter = ("bidding_zone", "flexibility_enabled")
    search_fields = (*ASSET_SEARCH, "metering_point_id")


@admin.register(Counter)
class CounterAdmin(DetailsAdmin):
    list_display = ("asset_id", "asset_name", "serial_number", "category", "reading", "read_at")
    list_filter = ("category",)


@admin.register(ChargingStation)
class ChargingStationAdmin(DetailsAdmin):
    list_display = ("asset_id", "asset_name", "operator", "is_public")
    list_filter = ("is_public",)


@admin.register(Charger)
class ChargerAdmin(DetailsAdmin):
    list_display = ("asset_id", "asset_name", "serial_number", "max_power_kw", "connectors", "connector_type")
    list_filter = ("connector_type",)


@admin.register(SimCard)
class SimCardAdmin(DetailsAdmin):
    list_display = ("asset_id", "iccid", "msisdn", "operator", "status")
    list_filter = ("status", "operator")
    search_fields = (*ASSET_SEARCH, "iccid", "msisdn", "imsi")


@admin.register(WeatherStationAsset)
class WeatherStationAssetAdmin(DetailsAdmin):
    list_display = ("asset_id", "asset_name", "station")
    list_select_related = ("asset", "station")
    raw_id_fields = ("asset", "station")


# --- Component flags --------------------------------------------------------------------------


class RaiseFlagForm(forms.ModelForm):
    """Raising a flag: the asset, the event and an internal note. Checked as the service checks."""

    class Meta:
        model = ComponentFlag
        fields = ("asset", "event", "message")

    def clean(self):
        data = super().clean()
        asset, event = data.get("asset"), data.get("event")
        if asset is not None and asset.asset_type not in components.COMPONENT_TYPES:
            raise forms.ValidationError("Events are flagged on substations and meters only.")
        if (
            asset is not None
            and event is not None
            and asset.component_flags.filter(event=event, state__in=[FlagState.Raised, FlagState.Published]).exists()
        ):
            raise forms.ValidationError("The asset already has an active flag for this event.")
        return data


class FlagHistoryInline(admin.TabularInline):
    model = ComponentFlagChange
    extra = 0
    can_delete = False
    fields = readonly_fields = ("at", "action", "from_state", "to_state", "by", "note")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ComponentFlag)
class ComponentFlagAdmin(admin.ModelAdmin):
    list_display = ("id", "asset", "event", "state", "raised_at", "raised_by", "published_at", "cleared_at")
    list_filter = ("state", "event", "asset__asset_type")
    list_select_related = ("asset", "raised_by")
    search_fields = ("asset__name", "asset__external_id", "message", "web_message")
    raw_id_fields = ("asset",)
    inlines = [FlagHistoryInline]
    actions = ["publish", "clear"]
    date_hierarchy = "raised_at"

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # a flag being raised has no history yet

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = RaiseFlagForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("asset", "event", "message")
        return ("asset", "event", "state", "message", "web_message", "raised_at", "raised_by", "published_at",
                "published_by", "cleared_at", "cleared_by")  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Only the text to publish is edited here; states change through the actions.
        editable = ("web_message",) if obj.state == FlagState.Raised else ()
        return tuple(f for f in self.get_fields(request, obj) if f not in editable)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        flag = components.raise_flag(
            asset=form.cleaned_data["asset"], event=form.cleaned_data["event"], by=request.user,
            message=form.cleaned_data.get("message", ""),
        )  # fmt: skip
        obj.pk = flag.pk
        obj.refresh_from_db()

    def _apply(self, request, queryset, service, done: str, extra):
        applied, refused = 0, []
        for flag in queryset:
            try:
                with transaction.atomic():
                    service(flag=flag, by=request.user, **extra(flag))
                applied += 1
            except components.InvalidTransitionError as error:
                refused.append(f"{flag.pk}: {error}")
        if applied:
            self.message_user(request, f"{applied} flag(s) {done}.", messages.SUCCESS)
        for message in refused:
            self.message_user(request, message, messages.ERROR)

    @admin.action(description="Publish to the web")
    def publish(self, request, queryset):
        self._apply(
            request,
            queryset,
            components.publish_flag,
            "published",
            extra=lambda flag: {"web_message": flag.web_message or flag.message},
        )

    @admin.action(description="Clear")
    def clear(self, request, queryset):
        self._apply(request, queryset, components.clear_flag, "cleared", extra=lambda flag: {})
