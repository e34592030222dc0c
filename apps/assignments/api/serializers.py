"""Wire DTOs of the care side (PascalCase on the wire, integer enums with explicit values)."""

from __future__ import annotations

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.public import AssetType
from esmart.api.fields import EnumField, StrictCharField, StrictIntegerField
from esmart.api.pagination import page_query

from .. import states
from ..models import LogKind
from ..selectors import CARE_STAFF_CONTACT, NEXT_OF_KIN_CONTACT
from ..services import MAX_NOTE_LENGTH


def _display_name(user) -> str | None:
    return None if user is None else (user.get_full_name() or user.username)


class AssignmentLogEntrySerializer(serializers.Serializer):
    time = serializers.DateTimeField(source="at")
    user_id = serializers.IntegerField(allow_null=True)
    user_name = serializers.SerializerMethodField()
    kind = EnumField(LogKind)
    action = EnumField(states.Action, allow_null=True)
    from_state = EnumField(states.State, allow_null=True)
    to_state = EnumField(states.State, allow_null=True)
    from_user_id = serializers.IntegerField(allow_null=True)
    to_user_id = serializers.IntegerField(allow_null=True)
    note = serializers.CharField()

    class Meta:
        ref_name = "AssignmentLogEntry"

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_user_name(self, entry) -> str | None:
        return _display_name(entry.user)


class AssignmentResponseSerializer(serializers.Serializer):
    assignment_id = serializers.IntegerField(source="pk")
    client_id = serializers.IntegerField()
    client_name = serializers.SerializerMethodField()
    title = serializers.CharField()
    description = serializers.CharField()
    state = EnumField(states.State)
    allowed_actions = serializers.SerializerMethodField(help_text="What PATCH .../action/{type} accepts now.")
    assigned_user_id = serializers.IntegerField(source="assignee_id", allow_null=True)
    assigned_user_name = serializers.SerializerMethodField()
    scheduled_at = serializers.DateTimeField(allow_null=True)
    equipment_id = serializers.IntegerField(allow_null=True, help_text="The kit recorded on the assignment.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    log = AssignmentLogEntrySerializer(many=True, help_text="Every move, hand-over and comment, oldest first.")

    class Meta:
        ref_name = "AssignmentResponse"

    @extend_schema_field(OpenApiTypes.STR)
    def get_client_name(self, assignment) -> str:
        return str(assignment.client)

    @extend_schema_field(serializers.ListField(child=EnumField(states.Action)))
    def get_allowed_actions(self, assignment) -> list[int]:
        return [int(a) for a in states.allowed_actions(assignment.state) if a != states.Action.ASSIGN]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_assigned_user_name(self, assignment) -> str | None:
        return _display_name(assignment.assignee)


class AssignmentListQuery(page_query(default_size=20)):
    state = EnumField(states.State, required=False, help_text="Only assignments in this state (integer or name).")


class AssignmentActionRequestSerializer(serializers.Serializer):
    note = StrictCharField(required=False, allow_blank=True, max_length=MAX_NOTE_LENGTH)

    class Meta:
        ref_name = "AssignmentActionRequest"


class AssignmentCommentRequestSerializer(serializers.Serializer):
    text = StrictCharField(max_length=MAX_NOTE_LENGTH)

    class Meta:
        ref_name = "AssignmentCommentRequest"


class CollaboratorResponseSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(source="pk")
    user_name = serializers.CharField(source="username")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()

    class Meta:
        ref_name = "CollaboratorResponse"


class NextOfKinResponseSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    client_id = serializers.IntegerField()
    user_id = serializers.IntegerField(allow_null=True, help_text="The login linked by a user code; null before.")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    relation = serializers.CharField()
    phone_number = serializers.CharField()
    email = serializers.CharField()

    class Meta:
        ref_name = "NextOfKinResponse"


class CareTermsResponseSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    text = serializers.CharField()
    published_at = serializers.DateTimeField()
    accepted = serializers.BooleanField(help_text="Whether this next of kin accepted this (the current) version.")
    accepted_at = serializers.DateTimeField(allow_null=True)

    class Meta:
        ref_name = "NextOfKinTermsResponse"


class AcceptTermsRequestSerializer(serializers.Serializer):
    version = StrictIntegerField(
        required=False, allow_null=True, help_text="The version read; 409 when it is no longer the current one."
    )

    class Meta:
        ref_name = "NextOfKinAcceptTermsRequest"


class NextOfKinInvitationResponseSerializer(serializers.Serializer):
    next_of_kin_id = serializers.IntegerField(source="pk")
    client_id = serializers.IntegerField()
    client_first_name = serializers.CharField(source="client.first_name")
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    relation = serializers.CharField()

    class Meta:
        ref_name = "NextOfKinInvitationResponse"


# --- equipment kits ----------------------------------------------------------------------------


class EquipmentDeviceSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField(source="pk", help_text="The device's AssetId in the asset graph.")
    asset_type = EnumField(AssetType)
    name = serializers.CharField()
    serial_number = serializers.CharField()

    class Meta:
        ref_name = "EquipmentDevice"


class EquipmentKitResponseSerializer(serializers.Serializer):
    equipment_id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    serial_number = serializers.CharField()
    team_id = serializers.IntegerField()
    devices = EquipmentDeviceSerializer(many=True)

    class Meta:
        ref_name = "EquipmentKitResponse"


class EquipmentConnectionSerializer(serializers.Serializer):
    equipment_id = serializers.IntegerField(source="kit_id")
    equipment_name = serializers.CharField(source="kit.name")
    assignment_id = serializers.IntegerField(allow_null=True)
    connected_at = serializers.DateTimeField()
    connected_by_user_id = serializers.IntegerField(source="connected_by_id", allow_null=True)
    disconnected_at = serializers.DateTimeField(allow_null=True, help_text="Null while connected.")
    disconnected_by_user_id = serializers.IntegerField(source="disconnected_by_id", allow_null=True)

    class Meta:
        ref_name = "EquipmentConnection"


class EquipmentInfoResponseSerializer(serializers.Serializer):
    client_id = serializers.IntegerField()
    equipment = EquipmentKitResponseSerializer(allow_null=True, help_text="The connected kit; null when none.")
    history = EquipmentConnectionSerializer(many=True, help_text="Every connection, newest first.")

    class Meta:
        ref_name = "EquipmentInfoResponse"


class EquipmentContactType(models.IntegerChoices):
    CARE_STAFF = CARE_STAFF_CONTACT, "CareStaff"
    NEXT_OF_KIN = NEXT_OF_KIN_CONTACT, "NextOfKin"


class EquipmentContactResponseSerializer(serializers.Serializer):
    equipment_id = serializers.IntegerField()
    equipment_name = serializers.CharField()
    client_id = serializers.IntegerField()
    contact_type = EnumField(EquipmentContactType)
    user_id = serializers.IntegerField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    email = serializers.CharField()
    phone_number = serializers.CharField()

    class Meta:
        ref_name = "EquipmentContactResponse"
