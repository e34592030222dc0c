"""Admin: registrations with their tags, messages with delivery counts, deliveries, customer
messages, e-mail configurations and alerts, call-center shifts, client logs and inbound SMS.
Provider credentials are edited here and never returned by the API."""

from django.contrib import admin
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from . import models


class PushTagInline(admin.TabularInline):
    model = models.PushTag
    extra = 0


@admin.register(models.PushRegistration)
class PushRegistrationAdmin(admin.ModelAdmin):
    list_display = ("id", "app", "customer", "user", "platform", "expires_at", "deleted_at", "gone_at")
    list_filter = ("app", "platform")
    search_fields = ("id", "handle", "user__username", "customer__id")
    raw_id_fields = ("user", "customer")
    inlines = [PushTagInline]


class PushChunkInline(admin.TabularInline):
    model = models.PushChunk
    extra = 0
    can_delete = False
    fields = ("seq", "state", "attempts", "touched_at", "finished_at", "first_pk", "end_pk", "sent_through")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class PushDeliveryInline(admin.TabularInline):
    model = models.PushDelivery
    extra = 0
    can_delete = False
    fields = ("state", "count", "attempt", "finished_at", "result")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.PushMessage)
class PushMessageAdmin(admin.ModelAdmin):
    """Messages with their outcome counts per delivery state and their chunks' progress."""

    list_display = (
        "id",
        "app",
        "text",
        "created_at",
        "fanned_out_at",
        "sent",
        "gone",
        "failed",
        "unknown",
        "chunks_open",
    )
    search_fields = ("id__exact", "text", "=external_id", "app__short_name", "=customer__id", "sent_by__username")
    list_filter = ("app",)
    raw_id_fields = ("customer", "sent_by")
    inlines = [PushChunkInline, PushDeliveryInline]

    def get_queryset(self, request):
        state = models.PushDelivery.State
        # Subqueries, not joins: a message's registrations per outcome, and its chunks not done.
        counts = {
            f"n_{value.lower()}": _per_message(models.PushDelivery.objects.filter(state=value), Sum("count"))
            for value in state.values
        }
        open_chunks = models.PushChunk.objects.exclude(state=models.PushChunk.State.DONE)
        return super().get_queryset(request).annotate(**counts, n_open=_per_message(open_chunks, Count("pk")))

    @admin.display(ordering="n_sent")
    def sent(self, obj):
        return obj.n_sent

    @admin.display(ordering="n_gone")
    def gone(self, obj):
        return obj.n_gone

    @admin.display(ordering="n_failed")
    def failed(self, obj):
        return obj.n_failed

    @admin.display(ordering="n_unknown")
    def unknown(self, obj):
        return obj.n_unknown

    @admin.display(ordering="n_open", description="chunks not done")
    def chunks_open(self, obj):
        return obj.n_open


def _per_message(rows, aggregate):
    """A per-message subquery of `aggregate` over `rows` (deliveries or chunks), 0 when none."""
    per_message = rows.filter(message=OuterRef("pk")).order_by().values("message").annotate(n=aggregate)
    return Coalesce(Subquery(per_message.values("n")), 0)


@admin.register(models.PushDelivery)
class PushDeliveryAdmin(admin.ModelAdmin):
    """Outcomes: a row per batch and answer, with its registrations; search by a registration id."""

    list_display = ("message", "state", "count", "attempt", "finished_at", "result")
    list_filter = ("state",)
    search_fields = ("registration_ids",)
    raw_id_fields = ("message",)
    readonly_fields = ("message", "state", "count", "attempt", "finished_at", "result", "registration_ids")

    def has_add_permission(self, request):
        return False


@admin.register(models.CustomerMessage)
class CustomerMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "customer", "meter_id", "subject", "state", "category", "sent_at")
    list_filter = ("state", "category", "channel")
    search_fields = ("customer__id", "meter_id", "text")
    raw_id_fields = ("customer", "push_message")


@admin.register(models.EmailAlertConfig)
class EmailAlertConfigAdmin(admin.ModelAdmin):
    list_display = ("user", "asset", "created_at")
    search_fields = ("user__username", "user__email", "asset__name", "=asset__external_id")
    raw_id_fields = ("user", "asset")


@admin.register(models.EmailAlert)
class EmailAlertAdmin(admin.ModelAdmin):
    list_display = ("change", "user", "email", "sent_at")
    search_fields = ("email", "user__username", "change__id__exact")
    raw_id_fields = ("change", "user")


@admin.register(models.PushAppCredentials)
class PushAppCredentialsAdmin(admin.ModelAdmin):
    list_display = ("app", "fcm_project_id")
    search_fields = ("app__short_name", "app__name", "=fcm_project_id")


@admin.register(models.CallCenterShift)
class CallCenterShiftAdmin(admin.ModelAdmin):
    list_display = ("operator", "starts_at", "ends_at")
    search_fields = ("operator__username", "operator__first_name", "operator__last_name")
    raw_id_fields = ("operator",)


@admin.register(models.ClientLog)
class ClientLogAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "level", "message")
    search_fields = ("user__username", "message")
    list_filter = ("level",)


@admin.register(models.InboundSms)
class InboundSmsAdmin(admin.ModelAdmin):
    list_display = ("received_at", "from_number", "customer", "body")
    search_fields = ("=message_sid", "from_number", "to_number", "=customer__id", "body")
    raw_id_fields = ("customer",)
