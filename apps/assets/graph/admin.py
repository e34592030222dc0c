"""Admin of the asset graph: browse the hierarchies (a node's ancestors and children, as links),
participants with their members and top nodes, zones. Relations are made through the services,
so a cycle is refused here as on the API."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import F
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from ..models import (
    Asset,
    AssetActivityRecord,
    AssetRelation,
    Participant,
    ParticipantMembership,
    ParticipantTopNode,
    RelationType,
    SearchFilter,
)
from . import selectors, services

CHILDREN_SHOWN = 50


def _asset_links(assets) -> str:
    links = format_html_join(
        " › ",
        '<a href="{}">{}</a>',
        ((reverse("admin:assets_asset_change", args=[a.pk]), str(a)) for a in assets),
    )
    return links or "—"


class ActivityInline(admin.TabularInline):
    model = AssetActivityRecord
    fields = ("created_at", "severity", "category", "reason", "created_by")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "asset_type", "owner", "external_id", "serial_number", "version")
    list_filter = ("asset_type", "owner")
    search_fields = ("name", "external_id", "serial_number", "key", "=id")
    raw_id_fields = ("meter", "delivery_point", "owner")
    readonly_fields = (
        "key",
        "version",
        "location_ancestors",
        "location_children",
        "network_ancestors",
        "network_children",
        "created_at",
        "updated_at",
    )
    inlines = [ActivityInline]
    fieldsets = (
        (None, {"fields": ("asset_type", "name", "description", "label", "key", "version", "owner")}),
        ("Identity", {"fields": ("external_id", "serial_number", "corporate_code", "purchase_price")}),
        ("Place and time", {"fields": ("default_time_zone", ("latitude", "longitude"))}),
        ("Validity", {"fields": (("valid_from", "valid_to"), ("installation_date", "in_service_date"))}),
        ("Customer side", {"fields": ("meter", "delivery_point")}),
        ("Location hierarchy", {"fields": ("location_ancestors", "location_children")}),
        ("Network hierarchy", {"fields": ("network_ancestors", "network_children")}),
        ("Record", {"fields": ("created_at", "updated_at")}),
    )

    def _ancestors(self, obj, relation_type):
        if obj is None or obj.pk is None:
            return "—"
        return _asset_links(selectors.ancestors(asset_id=obj.pk, relation_type=relation_type))

    def _children(self, obj, relation_type):
        if obj is None or obj.pk is None:
            return "—"
        rows = selectors.children(asset_id=obj.pk, relation_types=[relation_type], limit=CHILDREN_SHOWN + 1)
        more = " …" if len(rows) > CHILDREN_SHOWN else ""
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:assets_asset_change", args=[a.id]), a.name) for a in rows[:CHILDREN_SHOWN]),
        )
        return format_html("{}{}", links, more) if rows else "—"

    @admin.display(description="Ancestors (root first)")
    def location_ancestors(self, obj):
        return self._ancestors(obj, RelationType.Location)

    @admin.display(description="Children")
    def location_children(self, obj):
        return self._children(obj, RelationType.Location)

    @admin.display(description="Ancestors (root first)")
    def network_ancestors(self, obj):
        return self._ancestors(obj, RelationType.Network)

    @admin.display(description="Children")
    def network_children(self, obj):
        return self._children(obj, RelationType.Network)

    def save_model(self, request, obj, form, change):
        # Keep the optimistic-concurrency counter and the log true for admin edits too.
        if change:
            obj.version = F("version") + 1
        super().save_model(request, obj, form, change)
        obj.refresh_from_db(fields=["version"])
        AssetActivityRecord.objects.create(
            asset=obj, reason="Changed in the admin." if change else "Created in the admin.", created_by=request.user
        )


class RelationForm(forms.ModelForm):
    class Meta:
        model = AssetRelation
        fields = ("parent", "child", "relation_type")

    def clean(self):
        data = super().clean()
        parent, child, relation_type = data.get("parent"), data.get("child"), data.get("relation_type")
        complete = parent and child and relation_type is not None
        if complete and selectors.would_cycle(parent_id=parent.pk, child_id=child.pk, relation_type=relation_type):
            raise forms.ValidationError("The link would make a cycle: the child is the parent or above it.")
        return data


@admin.register(AssetRelation)
class AssetRelationAdmin(admin.ModelAdmin):
    form = RelationForm
    list_display = ("id", "parent", "relation_type", "child", "created_at")
    list_filter = ("relation_type",)
    search_fields = ("parent__name", "child__name", "=parent__id", "=child__id")
    raw_id_fields = ("parent", "child")

    def has_change_permission(self, request, obj=None):
        return False  # a link is made or removed, not edited: moving goes through relate()

    def save_model(self, request, obj, form, change):
        relation = services.relate(
            parent=obj.parent, child=obj.child, relation_type=obj.relation_type, user=request.user
        )
        obj.pk = relation.pk


class MembershipInline(admin.TabularInline):
    model = ParticipantMembership
    raw_id_fields = ("user",)
    extra = 0


class TopNodeInline(admin.TabularInline):
    model = ParticipantTopNode
    raw_id_fields = ("asset",)
    extra = 0


@admin.register(Participant)
class ParticipantAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "kind", "organization_no", "parent", "created_at")
    list_filter = ("kind",)
    search_fields = ("name", "organization_no", "=id")
    raw_id_fields = ("parent",)
    readonly_fields = ("key", "below")
    inlines = [MembershipInline, TopNodeInline]

    @admin.display(description="Participants below")
    def below(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        return (
            format_html_join(
                ", ",
                '<a href="{}">{}</a>',
                ((reverse("admin:assets_participant_change", args=[p.pk]), p.name) for p in obj.children.all()),
            )
            or "—"
        )


@admin.register(ParticipantMembership)
class ParticipantMembershipAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "participant", "created_at")
    search_fields = ("user__username", "participant__name")
    raw_id_fields = ("user", "participant")


@admin.register(SearchFilter)
class SearchFilterAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "owner", "created_at")
    search_fields = ("name",)
    raw_id_fields = ("owner",)
    autocomplete_fields = ("assets",)
