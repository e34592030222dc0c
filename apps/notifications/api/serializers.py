"""Wire shapes of the notifications app. `MessageResponse`, `DeviceRegistrationRequest`,
`PushRegistrationRequest`, `PushTag`, `PushEnvelope` and `PushTagEnvelope` are contract.md's; the
rest follow the same style (PascalCase, integer enums with explicit values, UTC datetimes)."""

from __future__ import annotations

from rest_framework import serializers

from esmart.api.fields import EnumField, StrictBooleanField, StrictCharField, StrictIntegerField
from esmart.api.pagination import page_query

from ..models import (
    CommunicationType,
    MessageCategory,
    MessagePriority,
    MessageState,
    MessageStateFilter,
    PushCategoryEnum,
    PushIdentifierTypes,
)

MAX_TAGS = 100
MAX_IDS = 1000
MAX_LOG_CHARS = 4000


MessagesPageQuery = page_query(default_size=10)


class MessageCountQuery(serializers.Serializer):
    state = EnumField(
        MessageStateFilter, default=MessageStateFilter.All, help_text="All -1 (default), Unread 1, Read 2."
    )


class MessageResponseSerializer(serializers.Serializer):
    state = EnumField(MessageState)
    category = EnumField(MessageCategory)
    priority = EnumField(MessagePriority)
    channel = EnumField(CommunicationType)
    sent_date_time = serializers.DateTimeField()
    body = serializers.CharField()
    id = serializers.IntegerField()
    state_changed = serializers.DateTimeField(allow_null=True)
    meter_id = serializers.CharField()
    subject = serializers.CharField()
    severity = EnumField(MessagePriority)
    text = serializers.CharField()
    communication_channel = EnumField(CommunicationType)

    class Meta:
        ref_name = "MessageResponse"


class MessageStatesRequestSerializer(serializers.Serializer):
    message_ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=2**63 - 1), max_length=MAX_IDS)
    state = EnumField(MessageState)

    class Meta:
        ref_name = "MessageStatesRequest"


class MessagePatchSerializer(serializers.Serializer):
    state = EnumField(MessageState)

    class Meta:
        ref_name = "MessagePatchRequest"


class RegistrationIdSerializer(serializers.Serializer):
    registration_id = serializers.UUIDField()

    class Meta:
        ref_name = "PushRegistrationId"


class DeviceRegistrationRequestSerializer(serializers.Serializer):
    platform = StrictCharField(max_length=20, help_text="apns, gcm, fcm...")
    handle = StrictCharField(max_length=500, help_text="The device token.")
    meter_ids = serializers.ListField(child=StrictCharField(max_length=40), required=False, max_length=MAX_TAGS)

    class Meta:
        ref_name = "DeviceRegistrationRequest"


class PushTagSerializer(serializers.Serializer):
    identifier_type = EnumField(PushIdentifierTypes)
    identifier_value = StrictCharField(max_length=100)

    class Meta:
        ref_name = "PushTag"


class PushRegistrationRequestSerializer(serializers.Serializer):
    platform = StrictCharField(max_length=20)
    handle = StrictCharField(max_length=500)
    tags = PushTagSerializer(many=True, required=False, max_length=MAX_TAGS)
    notification_template_version = StrictIntegerField(required=False, min_value=1, max_value=3, default=1)

    class Meta:
        ref_name = "PushRegistrationRequest"


class PushEnvelopeSerializer(serializers.Serializer):
    meter_ids = serializers.ListField(child=StrictCharField(max_length=40), min_length=1, max_length=MAX_IDS)
    message = StrictCharField(max_length=2000)

    class Meta:
        ref_name = "PushEnvelope"


class PushTagEnvelopeSerializer(serializers.Serializer):
    tags = PushTagSerializer(many=True, min_length=1, max_length=MAX_IDS)
    message = StrictCharField(max_length=2000)
    category = EnumField(PushCategoryEnum, required=False, help_text="Template version 2.")
    id = StrictCharField(max_length=100, required=False, help_text="Template version 2.")
    sound = StrictCharField(max_length=100, required=False, help_text="Template version 3.")

    class Meta:
        ref_name = "PushTagEnvelope"


class EmailConfigurationSerializer(serializers.Serializer):
    user_id = serializers.IntegerField(read_only=True)
    email = serializers.CharField(read_only=True)
    asset_ids = serializers.ListField(child=StrictIntegerField(min_value=1, max_value=2**63 - 1), max_length=MAX_IDS)

    class Meta:
        ref_name = "EmailConfiguration"


class EmailConfigNodeSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField()
    parent_asset_id = serializers.IntegerField(allow_null=True, help_text="The parent node; null at a top node.")
    name = serializers.CharField()
    asset_type = serializers.IntegerField()
    alerts_on = serializers.BooleanField(help_text="Alerts configured on this asset (they cover what is below it).")

    class Meta:
        ref_name = "EmailConfigNode"


class EmailConfigNodeInputSerializer(serializers.Serializer):
    asset_id = StrictIntegerField(min_value=1, max_value=2**63 - 1)
    alerts_on = StrictBooleanField()

    class Meta:
        ref_name = "EmailConfigNodeInput"


class EmailConfigTreeRequestSerializer(serializers.Serializer):
    nodes = EmailConfigNodeInputSerializer(many=True, max_length=MAX_IDS)

    class Meta:
        ref_name = "EmailConfigTreeRequest"


class EmailConfigUserSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    user_name = serializers.CharField()
    email = serializers.CharField()
    asset_ids = serializers.ListField(child=serializers.IntegerField())

    class Meta:
        ref_name = "EmailConfigUser"


class TwilioTokenQuery(serializers.Serializer):
    user_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class VideoTokenQuery(serializers.Serializer):
    is_call_center_operator = serializers.BooleanField(default=False)


class RoomQuery(serializers.Serializer):
    room_sid = serializers.RegexField(r"^RM[0-9a-fA-F]{32}$", help_text="RM followed by 32 hex digits.")


class AccessTokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    identity = serializers.CharField()

    class Meta:
        ref_name = "TwilioAccessToken"


class OperatorSerializer(serializers.Serializer):
    user_id = serializers.IntegerField()
    name = serializers.CharField()
    identity = serializers.CharField()

    class Meta:
        ref_name = "CallCenterOperator"


class CallCenterSerializer(serializers.Serializer):
    is_open = serializers.BooleanField()
    operators = OperatorSerializer(many=True)

    class Meta:
        ref_name = "CallCenterStatus"


class ClientLogSerializer(serializers.Serializer):
    message = StrictCharField(max_length=MAX_LOG_CHARS)
    level = StrictCharField(max_length=20, required=False)

    class Meta:
        ref_name = "ClientLogRequest"
