"""Admin of the metering app: a meter's last 30 days as a chart, CIM export logs, settings and weather."""

from __future__ import annotations

import datetime as dt

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from apps.customers.public import add_meter_admin_panel

from .models import (
    CimExportLog,
    CimSubExportLog,
    LiveValue,
    ManualReading,
    MeterConsumption,
    MeterSettings,
    Quality,
    Resolution,
    WeatherStation,
)
from .selectors import consumption_series, meter_time_zone, unit_of

CHART_DAYS = 30
CHART_WIDTH, CHART_HEIGHT, BAR_GAP = 600, 160, 2
BAR_COLOURS = {Quality.Measured: "#417690", Quality.Estimated: "#e0a800", Quality.Missing: "#ccc"}


def last_days(meter, *, days: int = CHART_DAYS, now: dt.datetime | None = None):
    """[(day start UTC, value or None, status)] of the meter's last `days` local days, today included."""
    now = now or dt.datetime.now(dt.UTC)
    tz = meter_time_zone(meter)
    today = now.astimezone(tz).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime(first.year, first.month, first.day, tzinfo=tz)
    return consumption_series(meter=meter, from_time=start, to_time=now, resolution=Resolution.Day)


def consumption_chart(rows, tz) -> str:
    """An inline SVG bar chart of daily values (no JavaScript, nothing to load)."""
    peak = max((float(v) for _, v, _ in rows if v is not None), default=0.0) or 1.0
    width = CHART_WIDTH / max(len(rows), 1)
    bars = []
    for index, (start, value, status) in enumerate(rows):
        height = 3 if value is None else max(1.0, float(value) / peak * (CHART_HEIGHT - 20))
        day = start.astimezone(tz).date()
        label = f"{day.isoformat()}: " + ("no data" if value is None else f"{float(value):.1f}")
        bars.append(
            (
                f"{index * width + BAR_GAP / 2:.1f}",
                f"{CHART_HEIGHT - height:.1f}",
                f"{width - BAR_GAP:.1f}",
                f"{height:.1f}",
                BAR_COLOURS[Quality(status)],
                label,
            )
        )
    rects = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>',
        bars,
    )
    ticks = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="10" fill="#666">{}</text>',
        (
            (f"{i * width:.1f}", CHART_HEIGHT + 12, start.astimezone(tz).strftime("%d.%m"))
            for i, (start, _, _) in enumerate(rows)
            if i % 5 == 0
        ),
    )
    return format_html(
        '<svg role="img" aria-label="Daily consumption" width="{}" height="{}" viewBox="0 0 {} {}">'
        '<text x="0" y="10" font-size="10" fill="#666">max {}</text>{}{}</svg>',
        CHART_WIDTH,
        CHART_HEIGHT + 16,
        CHART_WIDTH,
        CHART_HEIGHT + 16,
        f"{peak:.1f}",
        rects,
        ticks,
    )


@admin.register(MeterConsumption)
class MeterConsumptionAdmin(admin.ModelAdmin):
    list_display = ["meter_id", "meter_no", "kind", "delivery_point"]
    search_fields = ["=meter_id", "=meter_no", "=delivery_point__metering_point_id"]
    list_select_related = ["delivery_point"]
    fields = ["meter_id", "meter_no", "kind", "delivery_point", "time_zone", "has_wattmeter"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        meter = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if meter is not None:
            rows = last_days(meter)
            tz = meter_time_zone(meter)
            values = [float(v) for _, v, _ in rows if v is not None]
            extra_context.update(
                consumption_chart=consumption_chart(rows, tz),
                consumption_unit=unit_of(meter),
                consumption_time_zone=tz.key,
                consumption_total=f"{sum(values):.1f}",
                consumption_days_with_data=len(values),
            )
        return super().change_view(request, object_id, form_url, extra_context)


class CimSubExportInline(admin.TabularInline):
    model = CimSubExportLog
    extra = 0
    can_delete = False
    fields = ["sequence_no", "file_name", "status", "meter_count", "value_count", "error_count", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CimExportLog)
class CimExportLogAdmin(admin.ModelAdmin):
    list_display = ["export_date", "status", "sub_export_count", "meter_count", "value_count", "error_count"]
    search_fields = ["export_date__exact", "status"]
    list_filter = ["status"]
    date_hierarchy = "export_date"
    inlines = [CimSubExportInline]
    readonly_fields = [f.name for f in CimExportLog._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(MeterSettings)
class MeterSettingsAdmin(admin.ModelAdmin):
    list_display = ["meter", "name", "building_year", "heating_area", "residents", "weather_station"]
    search_fields = ["=meter__meter_id"]
    raw_id_fields = ["meter"]


@admin.register(ManualReading)
class ManualReadingAdmin(admin.ModelAdmin):
    list_display = ["delivery_point", "reading_date", "value", "consumption", "reader"]
    search_fields = ["=delivery_point__metering_point_id"]
    raw_id_fields = ["delivery_point", "meter"]


@admin.register(WeatherStation)
class WeatherStationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "price_area", "latitude", "longitude"]
    search_fields = ["=code", "name", "=price_area"]


@admin.register(LiveValue)
class LiveValueAdmin(admin.ModelAdmin):
    list_display = ["object_key", "type", "value", "value_time", "received_at"]
    search_fields = ["=object_key"]


@admin.display(description=f"Consumption, last {CHART_DAYS} days")
def last_30_days(meter):
    return consumption_chart(last_days(meter), meter_time_zone(meter))


# The meter's own admin page (the customers app's) shows the same chart, as a panel customers lets
# other apps add: metering depends on customers, not the other way round.
add_meter_admin_panel(last_30_days)
