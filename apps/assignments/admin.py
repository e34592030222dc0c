"""Care backoffice: teams and their staff, clients, assignments with their log, kits, next of kin.

The assignment log is append-only (read-only here); state changes and hand-overs go through the
API's state machine, not through the admin. Invitation codes are shown once, when they are created.
"""

from django.contrib import admin, messages

from . import services
from .models import (
    Assignment,
    AssignmentLogEntry,
    CareTeam,
    CareTeamMembership,
    CareTerms,
    Client,
    EquipmentKit,
    EquipmentKitDevice,
    KitConnection,
    NextOfKin,
    NextOfKinInvitation,
    NextOfKinTermsAcceptance,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = CareTeamMembership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["joined_at"]


@admin.register(CareTeam)
class CareTeamAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    inlines = [MembershipInline]


class NextOfKinInline(admin.TabularInline):
    model = NextOfKin
    extra = 0
    fields = ["first_name", "last_name", "relation", "phone_number", "email", "user"]
    autocomplete_fields = ["user"]


class KitConnectionInline(ReadOnlyInline):
    model = KitConnection
    fk_name = "client"
    fields = ["kit", "connected_at", "connected_by", "disconnected_at", "disconnected_by", "assignment"]
    readonly_fields = fields
    verbose_name_plural = "equipment history"


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["title", "state", "assignee", "created_at"]
    readonly_fields = fields
    show_change_link = True


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ["__str__", "team", "phone_number", "city"]
    list_filter = ["team"]
    search_fields = ["first_name", "last_name", "phone_number", "=id"]
    inlines = [NextOfKinInline, AssignmentInline, KitConnectionInline]


class LogInline(ReadOnlyInline):
    model = AssignmentLogEntry
    fields = ["at", "user", "kind", "action", "from_state", "to_state", "from_user", "to_user", "note"]
    readonly_fields = fields


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["pk", "title", "client", "state", "assignee", "created_at"]
    list_filter = ["state", "client__team"]
    search_fields = ["title", "client__first_name", "client__last_name", "=id"]
    list_select_related = ["client", "assignee"]
    autocomplete_fields = ["client", "assignee"]
    inlines = [LogInline]

    def get_readonly_fields(self, request, obj=None):
        # State and assignee change only through the API's state machine and hand-over, which check
        # the move (and the collaborator) and log it; the admin sets them only on creation.
        fixed = ["state", "created_by", "equipment", "created_at", "updated_at"]
        return [*fixed, "client", "assignee"] if obj else fixed

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.create_assignment(
            client=obj.client,
            title=obj.title,
            description=obj.description,
            assignee=obj.assignee,
            created_by=request.user,
            scheduled_at=obj.scheduled_at,
        )
        obj.pk = created.pk
        obj.refresh_from_db()


class KitDeviceInline(admin.TabularInline):
    model = EquipmentKitDevice
    extra = 0
    raw_id_fields = ["asset"]


class KitHistoryInline(KitConnectionInline):
    fk_name = "kit"
    fields = ["client", "connected_at", "connected_by", "disconnected_at", "disconnected_by", "assignment"]
    readonly_fields = fields


@admin.register(EquipmentKit)
class EquipmentKitAdmin(admin.ModelAdmin):
    list_display = ["name", "serial_number", "team"]
    list_filter = ["team"]
    search_fields = ["name", "serial_number"]
    inlines = [KitDeviceInline, KitHistoryInline]


class InvitationInline(ReadOnlyInline):
    model = NextOfKinInvitation
    fields = ["created_at", "created_by", "expires_at", "used_at", "used_by"]
    readonly_fields = fields


class AcceptanceInline(ReadOnlyInline):
    model = NextOfKinTermsAcceptance
    fields = ["terms", "accepted_at", "user"]
    readonly_fields = fields


@admin.register(NextOfKin)
class NextOfKinAdmin(admin.ModelAdmin):
    list_display = ["__str__", "phone_number", "user"]
    search_fields = ["first_name", "last_name", "phone_number", "client__last_name"]
    autocomplete_fields = ["client", "user"]
    inlines = [InvitationInline, AcceptanceInline]
    actions = ["invite"]

    @admin.action(description="Create a user code (shown once) for the selected next of kin")
    def invite(self, request, queryset):
        for kin in queryset:
            code = services.create_invitation(next_of_kin=kin, created_by=request.user)
            messages.success(request, f"User code for {kin}: {code} (GET api/nextofkin/{kin.pk}/usercode/{code})")


@admin.register(NextOfKinInvitation)
class NextOfKinInvitationAdmin(admin.ModelAdmin):
    list_display = ["next_of_kin", "created_at", "expires_at", "used_at", "used_by"]
    search_fields = [
        "next_of_kin__first_name",
        "next_of_kin__last_name",
        "next_of_kin__phone_number",
        "next_of_kin__client__last_name",
    ]
    readonly_fields = ["next_of_kin", "created_at", "created_by", "expires_at", "used_at", "used_by"]
    exclude = ["code_hash"]

    def has_add_permission(self, request):
        return False  # codes are made by the next-of-kin action, so the plain code can be shown once


@admin.register(CareTerms)
class CareTermsAdmin(admin.ModelAdmin):
    list_display = ["version", "published_at"]
    search_fields = ["version__exact", "text"]
    readonly_fields = ["published_at"]
