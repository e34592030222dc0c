"""The support staff's backoffice: find a customer, see everything about it, answer feedback.

Rows the customer information system owns (names, birth date, PIN, contracts, metering points,
meters) are read-only on existing records; staff edit contact details and access, answer
feedback and reset terms. Every list is searchable by the keys callers quote on the phone.
"""

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import ngettext
from rest_framework.exceptions import AuthenticationFailed

from esmart.api import lockouts
from esmart.api.authentication import client_ident, verify_credentials
from esmart.api.exceptions import LockedOut
from esmart.api.limits import HasherLimited

from . import services
from .admin_panels import METER_PANELS
from .models import (
    App,
    AppConfigParameter,
    AppUsage,
    Contract,
    ContractProduct,
    Customer,
    CustomerAccess,
    CustomerAssociation,
    DeliveryPoint,
    Device,
    Feedback,
    Meter,
    TermsAcceptance,
    TermsVersion,
    User,
)

ADDRESS_FIELDS = (
    "address_text",
    "co_address",
    ("house_no", "house_letter", "entrance", "floor"),
    ("zip_code", "city", "po_box", "country_code"),
    "address_is_editable",
)


class ReadOnlyInline:
    """An inline that shows rows without letting staff add, change or delete them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LimitedAdminAuthenticationForm(AdminAuthenticationForm):
    """The admin login verifies credentials exactly as the API does (esmart.api.authentication.
    verify_credentials): the same lockout per (username, client network), refused without hashing;
    the same hasher allowance per network, from which a pair known to log in from there is exempt;
    the same equal work for unknown, deactivated and wrong-password logins."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return self.cleaned_data
        try:
            user = verify_credentials(username=username, password=password, ident=client_ident(self.request))
        except LockedOut as exc:
            raise ValidationError(
                "Too many failed login attempts for this username from this address. Try again in %(wait)s seconds.",
                code="locked",
                params={"wait": int(exc.wait)},
            ) from None
        except HasherLimited as exc:
            raise ValidationError(
                "Too many login attempts from this address. Try again in %(wait)s seconds.",
                code="throttled",
                params={"wait": int(exc.wait)},
            ) from None
        except AuthenticationFailed:
            raise self.get_invalid_login_error() from None
        self.user_cache = user
        self.confirm_login_allowed(user)
        return self.cleaned_data


admin.site.login_form = LimitedAdminAuthenticationForm

GRANT_ACCESS_PERMISSION = "customers.grant_customer_access"


class CustomerAccessInline(admin.TabularInline):
    """Who may act for a customer: granting it is its own permission, not change_user/change_customer."""

    model = CustomerAccess
    extra = 0
    autocomplete_fields = ["user", "customer"]
    readonly_fields = ["created_at"]
    verbose_name = "login with access"
    verbose_name_plural = "logins with access"

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(GRANT_ACCESS_PERMISSION)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(GRANT_ACCESS_PERMISSION)

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm(GRANT_ACCESS_PERMISSION)


# Only superusers make staff, superusers or grant permissions (else staff with change_user
# could make themselves superuser).
SUPERUSER_ONLY_USER_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    inlines = [CustomerAccessInline]
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "is_active"]
    actions = ["unlock_logins"]

    def has_change_permission(self, request, obj=None):
        # Nor may they change a superuser (their password, say, to sign in as one).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [f for f in SUPERUSER_ONLY_USER_FIELDS if f not in readonly]
        return [*readonly, "login_lockout"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        return [*fieldsets, ("Login lockout", {"fields": ["login_lockout"]})]

    @admin.display(description="lockout after failed logins")
    def login_lockout(self, obj):
        locks = lockouts.locks_of(obj.username)
        if not locks:
            return "Not locked out."
        return format_html_join(
            mark_safe("<br>"),
            "Locked out from {} until {}",
            ((lock.network, date_format(localtime(lock.locked_until), "DATETIME_FORMAT")) for lock in locks),
        )

    @admin.action(description="Unlock the selected logins (failed-login lockout)", permissions=["change"])
    def unlock_logins(self, request, queryset):
        ended = sum(lockouts.clear(username) for username in queryset.values_list("username", flat=True))
        self.message_user(request, f"{ended} lockout(s) ended.", messages.SUCCESS)


class ContractInline(ReadOnlyInline, admin.TabularInline):
    model = Contract
    fields = ["contract_no", "product", "ledger_no", "start_date", "end_date"]
    readonly_fields = fields
    show_change_link = True


class AssociationInline(admin.TabularInline):
    model = CustomerAssociation
    fk_name = "customer"
    extra = 0
    autocomplete_fields = ["associate"]
    readonly_fields = ["created_at"]


class FeedbackInline(ReadOnlyInline, admin.TabularInline):
    model = Feedback
    fields = ["created_at", "kind", "app_name", "rating", "message", "answered_at"]
    readonly_fields = fields
    show_change_link = True


class TermsAcceptanceInline(ReadOnlyInline, admin.TabularInline):
    model = TermsAcceptance
    fields = ["terms_version", "meter", "accepted_by", "accepted_at", "reset_at", "reset_by"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("terms_version__app", "meter", "accepted_by", "reset_by")


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
    search_help_text = "Customer number, name, e-mail, phone or mobile number, or metering point id (GSRN)."
    readonly_fields = ["id", "area", "created_at", "updated_at", "assets"]
    # What the customer information system owns: shown, never edited here.
    cis_fields = ["customer_type", "first_name", "last_name", "birth_date", "pin", "organization_no"]
    fieldsets = [
        (None, {"fields": ["id", "area", "customer_type", ("first_name", "last_name"), "birth_date", "pin"]}),
        ("Contact", {"fields": ["email", "phone_number", "mobile_number", "language"]}),
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
        ("Contracts, delivery points and meters", {"fields": ["assets"]}),
        ("History", {"fields": ["created_at", "updated_at"]}),
    ]
    inlines = [ContractInline, CustomerAccessInline, AssociationInline, FeedbackInline, TermsAcceptanceInline]
    actions = ["reset_terms"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, *self.cis_fields] if obj is not None else fields

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        if formset.model is CustomerAssociation:
            # Associations go both ways: keep the other customer's side in step.
            for association in formset.new_objects + [obj for obj, _ in formset.changed_objects]:
                services.associate_customers(
                    customer=association.customer, associate=association.associate, relation=association.relation
                )
            for association in formset.deleted_objects:
                CustomerAssociation.objects.filter(
                    customer_id=association.associate_id, associate_id=association.customer_id
                ).delete()

    @admin.display(description="Contracts → delivery points → meters")
    def assets(self, customer):
        if customer.pk is None:
            return "—"
        contracts = customer.contracts.prefetch_related(
            Prefetch("delivery_points", DeliveryPoint.objects.prefetch_related("meters"))
        )
        rows = [
            (
                contract.contract_no,
                contract.get_product_display(),
                point.metering_point_id if point else "—",
                point.get_price_area_display() if point else "",
                f"{point.address_text}, {point.zip_code} {point.city}" if point else "",
                ", ".join(
                    f"{m.meter_id} ({m.get_kind_display()}{', watt meter' if m.has_wattmeter else ''})"
                    for m in point.meters.all()
                )
                if point
                else "",
            )
            for contract in contracts
            for point in (list(contract.delivery_points.all()) or [None])
        ]
        if not rows:
            return "No contracts."
        body = format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows)
        return format_html(
            '<table class="customer-assets"><thead><tr><th>Contract</th><th>Product</th>'
            "<th>Metering point</th><th>Price area</th><th>Address</th><th>Meters</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            body,
        )

    @admin.action(description="Reset terms and EULA acceptances (all apps)")
    def reset_terms(self, request, queryset):
        count = sum(services.reset_terms(customer=customer, by=request.user) for customer in queryset)
        self.message_user(
            request,
            ngettext("%d acceptance was reset.", "%d acceptances were reset.", count) % count,
            messages.SUCCESS,
        )


class DeliveryPointInline(ReadOnlyInline, admin.StackedInline):
    model = DeliveryPoint
    show_change_link = True
    fields = ["name", "metering_point_id", "price_area", "address_text", ("zip_code", "city")]
    readonly_fields = ["name", "metering_point_id", "price_area", "address_text", "zip_code", "city"]


class ContractProductInline(ReadOnlyInline, admin.TabularInline):
    model = ContractProduct
    fields = ["product_code", "app", "added_by", "added_at"]
    readonly_fields = fields


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["contract_no", "customer", "product", "start_date", "end_date"]
    list_filter = ["product"]
    search_fields = ["=contract_no", "=customer__id"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
    inlines = [DeliveryPointInline, ContractProductInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        return ["customer", "contract_no", "ledger_no", "product", "start_date", "end_date"]


class MeterInline(ReadOnlyInline, admin.TabularInline):
    model = Meter
    fields = ["meter_id", "meter_no", "kind", "time_zone", "has_wattmeter"]
    readonly_fields = fields
    show_change_link = True


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ["kind", "name", "description"]


@admin.register(DeliveryPoint)
class DeliveryPointAdmin(admin.ModelAdmin):
    list_display = [
        "metering_point_id",
        "name",
        "price_area",
        "municipality_no",
        "consumer_kind",
        "settlement_resolution",
        "contract",
    ]
    list_filter = ["price_area", "consumer_kind", "settlement_resolution"]
    search_fields = ["=metering_point_id", "name", "=contract__contract_no"]
    list_select_related = ["contract"]
    autocomplete_fields = ["contract"]
    fieldsets = [
        (None, {"fields": ["contract", "name", "metering_point_id", "price_area"]}),
        ("Pricing rules", {"fields": ["municipality_no", "consumer_kind", "settlement_resolution"]}),
        ("Address", {"fields": ADDRESS_FIELDS}),
    ]
    inlines = [MeterInline, DeviceInline]

    def get_readonly_fields(self, request, obj=None):
        return ["contract", "metering_point_id", "price_area"] if obj is not None else []


@admin.register(Meter)
class MeterAdmin(admin.ModelAdmin):
    list_display = ["meter_id", "meter_no", "kind", "delivery_point", "has_wattmeter"]
    list_filter = ["kind", "has_wattmeter"]
    search_fields = ["=meter_id", "=meter_no", "=delivery_point__metering_point_id"]
    list_select_related = ["delivery_point"]
    autocomplete_fields = ["delivery_point"]

    def get_readonly_fields(self, request, obj=None):
        # Other apps' panels (metering's consumption chart) follow the meter's own fields (admin_panels.py).
        return ["delivery_point", "meter_id", "meter_no", "kind", *METER_PANELS] if obj is not None else []


# --- apps, configuration and terms ----------------------------------------------------------


class AppConfigParameterInline(admin.TabularInline):
    model = AppConfigParameter
    extra = 0
    fields = ["key", "value", "company_short_name", "build", "description"]


class TermsVersionInline(admin.TabularInline):
    model = TermsVersion
    extra = 0
    fields = ["terms_type", "version", "title", "url", "published_at"]
    show_change_link = True


@admin.register(App)
class AppAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "product_code"]
    search_fields = ["short_name", "name"]
    inlines = [AppConfigParameterInline, TermsVersionInline]


@admin.register(AppConfigParameter)
class AppConfigParameterAdmin(admin.ModelAdmin):
    list_display = ["app", "key", "value", "company_short_name", "build"]
    list_filter = ["app"]
    search_fields = ["key", "value", "company_short_name", "build"]
    list_select_related = ["app"]


@admin.register(TermsVersion)
class TermsVersionAdmin(admin.ModelAdmin):
    list_display = ["app", "terms_type", "version", "title", "published_at"]
    search_fields = ["title", "app__short_name", "version__exact"]
    list_filter = ["app", "terms_type"]
    list_select_related = ["app"]

    def get_readonly_fields(self, request, obj=None):
        # A published version is what customers accepted: publish a new version instead.
        return ["app", "terms_type", "version", "text"] if obj is not None else []


@admin.register(TermsAcceptance)
class TermsAcceptanceAdmin(admin.ModelAdmin):
    list_display = ["customer", "terms_version", "meter", "accepted_by", "accepted_at", "reset_at"]
    list_filter = ["terms_version__app", "terms_version__terms_type", ("reset_at", admin.EmptyFieldListFilter)]
    search_fields = ["=customer__id", "accepted_by__username"]
    list_select_related = ["customer", "terms_version__app", "meter", "accepted_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# --- feedback and usage ---------------------------------------------------------------------


class AnsweredFilter(admin.SimpleListFilter):
    title = "answered"
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", "Answered"), ("no", "Not answered")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.exclude(answered_at=None)
        if self.value() == "no":
            return queryset.filter(answered_at=None)
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(admin.ModelAdmin):
    list_display = ["id", "created_at", "kind", "customer", "user", "app_name", "rating", "answered_at"]
    list_filter = ["kind", "rating", AnsweredFilter, "app_name"]
    search_fields = ["message", "subject", "=customer__id", "user__username"]
    list_select_related = ["customer", "user"]
    fields = [
        "kind",
        "customer",
        "user",
        ("app_name", "app_version", "platform"),
        "rating",
        "subject",
        "message",
        "created_at",
        "answer",
        "answered_by",
        "answered_at",
    ]
    readonly_fields = [f for f in fields if f != "answer" and isinstance(f, str)] + [
        "app_name",
        "app_version",
        "platform",
    ]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "answer" in form.changed_data:
            services.answer_feedback(feedback=obj, answer=obj.answer, by=request.user)


@admin.register(AppUsage)
class AppUsageAdmin(admin.ModelAdmin):
    list_display = ["user", "customer", "app", "first_event", "first_used_at"]
    list_filter = ["app"]
    search_fields = ["=customer__id", "user__username"]
    list_select_related = ["user", "customer", "app"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
