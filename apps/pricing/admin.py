from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html

from . import selectors, services
from .adapters import PriceNotPublishedError, SourceError
from .areas import BY_EIC, ZONES, UnknownAreaError
from .areas import zone as find_zone
from .models import ExchangeRate, Invoice, InvoiceLine, PricePlan, SpotPrice, SpotPriceDay


def _area_name(eic: str) -> str:
    zone = BY_EIC.get(eic)
    return f"{zone.code} ({eic})" if zone else eic


@admin.register(SpotPriceDay)
class SpotPriceDayAdmin(admin.ModelAdmin):
    list_display = [
        "area_name",
        "delivery_date",
        "resolution_minutes",
        "intervals",
        "source",
        "preliminary",
        "fetched_at",
    ]
    list_filter = ["area", "preliminary", "source", "resolution_minutes"]
    date_hierarchy = "delivery_date"
    search_fields = ["=area"]
    readonly_fields = [field.name for field in SpotPriceDay._meta.fields]
    actions = ["refetch"]

    @admin.display(description="area", ordering="area")
    def area_name(self, obj):
        return _area_name(obj.area)

    def has_add_permission(self, request):
        return False

    @admin.action(description="Refetch the selected days from the configured source")
    def refetch(self, request, queryset):
        done = 0
        for day in queryset:
            zone = BY_EIC.get(day.area)
            if zone is None:
                continue
            try:
                services.fetch_day(zone=zone, day=day.delivery_date, force=True)
                done += 1
            except (PriceNotPublishedError, SourceError) as exc:
                self.message_user(request, f"{zone.code} {day.delivery_date}: {exc}", messages.WARNING)
        self.message_user(request, f"Refetched {done} day(s).", messages.SUCCESS)


def _zone_or_none(value):
    try:
        return find_zone(value or "")
    except UnknownAreaError:
        return None


class ZoneFilter(admin.SimpleListFilter):
    """Zones by their short names (NO1–NO5...) from the zone table: no scan of the prices."""

    title = "area"
    parameter_name = "area"

    def lookups(self, request, model_admin):
        return [(zone.code, zone.code) for zone in ZONES if zone.is_norwegian]

    def queryset(self, request, queryset):
        zone = _zone_or_none(self.value())
        return queryset.filter(area=zone.eic) if zone else queryset


@admin.register(SpotPrice)
class SpotPriceAdmin(admin.ModelAdmin):
    """A year is 43,800 hourly rows (175,200 quarter-hours) in five zones; the list stays fast: the
    date drill-down is by delivery day (a date column, not a time zone conversion per row), the
    zone filter comes from the zone table, and the total is not counted twice."""

    list_display = ["area_name", "start_at", "end_at", "eur_per_mwh", "nok_per_kwh", "exchange_rate", "preliminary"]
    list_filter = [ZoneFilter, "preliminary"]
    date_hierarchy = "delivery_date"
    search_fields = ["=area"]
    show_full_result_count = False
    readonly_fields = [field.name for field in SpotPrice._meta.fields]

    @admin.display(description="area", ordering="area")
    def area_name(self, obj):
        zone = BY_EIC.get(obj.area)
        return zone.code if zone else obj.area

    def get_search_results(self, request, queryset, search_term):
        zone = _zone_or_none(search_term)  # "NO1" finds the zone's EIC code
        return super().get_search_results(request, queryset, zone.eic if zone else search_term)

    def has_add_permission(self, request):
        return False


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ["delivery_date", "nok_per_eur", "observed_on", "source", "fetched_at"]
    date_hierarchy = "delivery_date"
    readonly_fields = [field.name for field in ExchangeRate._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(PricePlan)
class PricePlanAdmin(admin.ModelAdmin):
    list_display = [
        "contract",
        "product_type",
        "markup_nok_per_kwh",
        "fixed_price_nok_per_kwh",
        "monthly_fee_nok",
        "grid_calendar",
        "norgespris_from",
    ]
    list_filter = ["product_type", "grid_calendar"]
    search_fields = ["=contract__contract_no", "=contract__customer__id"]
    autocomplete_fields = ["contract"]
    list_select_related = ["contract"]
    fieldsets = [
        (None, {"fields": ["contract", "product_type", "norgespris_from"]}),
        (
            "Supplier (Power contracts)",
            {"fields": ["markup_nok_per_kwh", "fixed_price_nok_per_kwh", "monthly_fee_nok"]},
        ),
        (
            "Grid tariff (Net contracts; empty fields take the dated default tariff, apps/pricing/tariffs.py)",
            {
                "fields": [
                    ("grid_day_nok_per_kwh", "grid_night_nok_per_kwh"),
                    "grid_calendar",
                    ("grid_day_starts_hour", "grid_day_ends_hour"),
                    "capacity_steps",
                ]
            },
        ),
    ]


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fields = ["line_no", "kind", "description", "quantity", "unit", "unit_price", "amount", "vat_rate", "details"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    """Invoices come from the billing run; support staff read them, their lines and the PDF."""

    list_display = [
        "invoice_no",
        "customer_id",
        "contract",
        "period_start",
        "invoice_date",
        "due_date",
        "invoice_sum",
        "unpaid_sum",
        "status",
        "pdf_link",
    ]
    list_filter = ["status", "invoice_date"]
    date_hierarchy = "invoice_date"
    search_fields = ["=invoice_no", "=kid", "=customer__id", "=contract__contract_no"]
    list_select_related = ["contract"]
    readonly_fields = [
        "invoice_no",
        "customer",
        "contract",
        "period_start",
        "period_end",
        "invoice_date",
        "due_date",
        "invoice_type",
        "kid",
        "ledger_no",
        "consumption_kwh",
        "invoice_sum",
        "created_at",
        "pdf_link",
    ]
    fields = [
        *readonly_fields[:-2],
        "unpaid_sum",
        "status",
        "credit_status",
        "dunning_is_sent",
        "has_payment_agreement",
        "postponeable",
        "sent_to_debt_collection",
        "sent_to_invoice_partner",
        "created_at",
        "pdf_link",
    ]
    inlines = [InvoiceLineInline]

    def has_add_permission(self, request):
        return False

    @admin.display(description="PDF")
    def pdf_link(self, obj):
        if obj.pk is None:
            return "-"
        return format_html(
            '<a href="{}">{}.pdf</a>', reverse("admin:pricing_invoice_pdf", args=[obj.pk]), obj.invoice_no
        )

    def get_urls(self):
        pdf = path("<int:pk>/pdf/", self.admin_site.admin_view(self.pdf_view), name="pricing_invoice_pdf")
        return [pdf, *super().get_urls()]

    def pdf_view(self, request, pk):
        """The same PDF as the API's, for staff with view permission on invoices."""
        invoice = get_object_or_404(Invoice.objects.select_related("customer", "contract"), pk=pk)
        if not self.has_view_permission(request, invoice):
            return HttpResponse(status=403)
        response = HttpResponse(selectors.invoice_pdf(invoice=invoice), content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="invoice-{invoice.invoice_no}.pdf"'
        return response
