"""Wire DTOs of the asset graph (PascalCase; `Asset` and `AssetActivityRecord` as contract.md names them)."""

from __future__ import annotations

import functools
import zoneinfo
from dataclasses import dataclass

import orjson
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from esmart.api.casing import PRESERVE
from esmart.api.fields import EnumField, StrictCharField
from esmart.api.output import Read
from esmart.api.pagination import page_query
from esmart.api.serializers import CompiledReadSerializer

from ...models import ActivitySeverity, AssetType, Hierarchy, Participant, ParticipantKind, RelationType
from .. import selectors

MAX_CHILDREN_PER_POST = 1000


@extend_schema_field(OpenApiTypes.UUID)
class GuidField(serializers.CharField):
    """A GUID on the wire (the value is a uuid.UUID, which the renderer writes as its text)."""


class AssetDocumentSerializer(CompiledReadSerializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_extension = serializers.CharField()

    class Meta:
        ref_name = "AssetDocument"


class AssetActivityRecordSerializer(CompiledReadSerializer):
    id = serializers.IntegerField()
    asset_id = serializers.IntegerField()
    reason = serializers.CharField()
    created_date_time = serializers.DateTimeField(source="created_at")
    severity = EnumField(ActivitySeverity)
    category = serializers.CharField()
    documents = AssetDocumentSerializer(many=True)

    class Meta:
        ref_name = "AssetActivityRecord"


class AssetSerializer(CompiledReadSerializer):
    """The original's Asset, plus the graph's own properties (type, key, ids, location, label)."""

    id = serializers.IntegerField()
    key = GuidField(help_text="The asset key (GUID).")
    asset_type = EnumField(AssetType)
    name = serializers.CharField()
    description = serializers.CharField()
    label = serializers.CharField()
    external_id = serializers.CharField()
    serial_number = serializers.CharField()
    installation_date = serializers.DateField(allow_null=True)
    corporate_code = serializers.CharField()
    purchase_price = serializers.CharField()
    in_service_date = serializers.DateField(allow_null=True)
    valid_from = serializers.DateTimeField(allow_null=True)
    valid_to = serializers.DateTimeField(allow_null=True)
    default_time_zone_id = serializers.CharField(source="default_time_zone")
    participant_id = serializers.IntegerField(source="owner_id", allow_null=True)
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    version = serializers.IntegerField(help_text="Send it back in a PUT; it changes with every change.")
    asset_activity_records = AssetActivityRecordSerializer(source="activity_records", many=True)

    class Meta:
        ref_name = "Asset"


class AssetNodeSerializer(CompiledReadSerializer):
    """An asset in a list or a walk of a hierarchy (a ChildrenWalk, which has a fast producer)."""

    @staticmethod
    def fast_output(instance):
        return children_page(instance)

    id = serializers.IntegerField()
    key = GuidField()
    asset_type = EnumField(AssetType)
    name = serializers.CharField()
    description = serializers.CharField()
    external_id = serializers.CharField()
    serial_number = serializers.CharField()
    participant_id = serializers.IntegerField(source="owner_id", allow_null=True)
    default_time_zone_id = serializers.CharField(source="default_time_zone")
    latitude = serializers.FloatField(allow_null=True)
    longitude = serializers.FloatField(allow_null=True)
    parent_id = serializers.IntegerField(
        source="tree_parent_id", allow_null=True, help_text="The parent on the walk (null in plain lists)."
    )
    depth = serializers.IntegerField(
        source="tree_depth", allow_null=True, help_text="1 for a child, 2 for a grandchild... (null in plain lists)."
    )

    class Meta:
        ref_name = "AssetNode"

    @classmethod
    def represent(cls, instance) -> dict:
        if not hasattr(instance, "tree_depth"):
            instance.tree_parent_id = instance.tree_depth = None
        return super().represent(instance)


class WireList(list):
    """A list already in wire form: the renderer dumps it as it is."""

    wire_case = PRESERVE


@functools.cache
def _node_keys() -> tuple[str, ...]:
    """AssetNode's wire names, checked once against the columns of selectors.AssetNode rows."""
    sources = [field.source or name for name, field in AssetNodeSerializer._declared_fields.items()]
    columns = list(selectors.AssetNode._fields)
    if sources != columns:
        raise TypeError(f"AssetNodeSerializer fields {sources} do not match the walk's columns {columns}")
    return tuple(key for key, _getter, _convert in AssetNodeSerializer._plan())


def node_rows(rows) -> WireList:
    """Walk rows (selectors.children) as AssetNode JSON, one dict per row and nothing else to do:
    a row's columns are the serializer's fields in order (checked), so 10,000 nodes cost a zip each."""
    keys = _node_keys()
    return WireList(dict(zip(keys, row, strict=True)) for row in rows)


@dataclass(frozen=True)
class ChildrenWalk(Read):
    """One page of a hierarchy walk below an asset, for AssetNodeSerializer (many)."""

    asset_id: int
    relation_types: tuple
    depth: int
    offset: int
    limit: int

    def result(self) -> list:
        return selectors.children(**vars(self))


def children_page(walk) -> WireList | None:
    """AssetNodeSerializer's fast producer: one page of a hierarchy walk as AssetNode JSON. On
    PostgreSQL the database writes the JSON (the rows never become Python objects: 10,000 nodes
    are one text value); elsewhere the rows are zipped with the wire names. Anything but a walk
    (a list of assets) is rendered by the serializer."""
    if not isinstance(walk, ChildrenWalk):
        return None
    if selectors.builds_json():
        text = selectors.children_json(names=_node_keys(), **vars(walk))
        return WireList([orjson.Fragment(text)] if text else [])  # orjson writes the brackets around it
    return node_rows(selectors.children(**vars(walk)))


class ParticipantSerializer(CompiledReadSerializer):
    id = serializers.IntegerField()
    key = GuidField()
    name = serializers.CharField()
    participant_type = EnumField(ParticipantKind, source="kind")
    organization_no = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True, help_text="The participant above it, if any.")

    class Meta:
        ref_name = "Participant"


class ParticipantNodeSerializer(ParticipantSerializer):
    depth = serializers.IntegerField(source="tree_depth", help_text="0 for the user's own participants.")

    class Meta:
        ref_name = "ParticipantNode"


class TopNodeSerializer(CompiledReadSerializer):
    participant_id = serializers.IntegerField()
    relationship_type = EnumField(Hierarchy, source="hierarchy")
    asset_id = serializers.IntegerField()
    asset_key = GuidField(source="asset.key")
    asset_type = EnumField(AssetType, source="asset.asset_type")
    name = serializers.CharField(source="asset.name")

    class Meta:
        ref_name = "TopNode"


class SearchFilterSerializer(CompiledReadSerializer):
    id = serializers.IntegerField()
    key = GuidField()
    name = serializers.CharField()
    description = serializers.CharField()

    class Meta:
        ref_name = "SearchFilter"


class AssetLabelSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField(read_only=True, source="pk")
    label = StrictCharField(max_length=200, allow_blank=True)

    class Meta:
        ref_name = "AssetLabel"


# --- writes ------------------------------------------------------------------------------------


class ParticipantIdField(serializers.PrimaryKeyRelatedField):
    """A participant id of a body (whether the caller reaches it is the service's check)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Participant.objects.all(), **kwargs)


class AssetWriteSerializer(serializers.Serializer):
    """The properties a client sets on an asset; absent properties take their defaults."""

    name = StrictCharField(max_length=200)
    description = StrictCharField(max_length=500, required=False, allow_blank=True, default="")
    external_id = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    serial_number = StrictCharField(max_length=100, required=False, allow_blank=True, default="")
    default_time_zone_id = StrictCharField(
        source="default_time_zone", max_length=50, required=False, default="Europe/Oslo", help_text="An IANA zone."
    )
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    corporate_code = StrictCharField(max_length=50, required=False, allow_blank=True, default="")
    purchase_price = StrictCharField(max_length=50, required=False, allow_blank=True, default="")
    installation_date = serializers.DateField(required=False, allow_null=True, default=None)
    in_service_date = serializers.DateField(required=False, allow_null=True, default=None)
    valid_from = serializers.DateTimeField(required=False, allow_null=True, default=None)
    valid_to = serializers.DateTimeField(required=False, allow_null=True, default=None)
    participant_id = ParticipantIdField(source="owner", required=False, allow_null=True, default=None)

    def validate_default_time_zone_id(self, value):
        if value not in _time_zones():
            raise serializers.ValidationError(f"Unknown time zone {value!r}: use an IANA name such as Europe/Oslo.")
        return value

    def validate(self, attrs):
        if attrs.get("valid_from") and attrs.get("valid_to") and attrs["valid_to"] < attrs["valid_from"]:
            raise serializers.ValidationError({"valid_to": ["ValidTo is before ValidFrom."]})
        return attrs


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class ChildAssetSerializer(AssetWriteSerializer):
    """One item of a create-children list (POST api/meters/{assetId} and its siblings)."""

    relationship_type = EnumField(
        Hierarchy,
        source="relation_type",
        required=False,
        default=int(RelationType.Location),
        help_text="The hierarchy the new asset hangs in under the path's asset (default Location).",
    )

    class Meta:
        ref_name = "ChildAssetRequest"


class FacilityRequestSerializer(AssetWriteSerializer):
    parent_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The asset it hangs under.")
    relationship_type = EnumField(Hierarchy, source="relation_type", required=False, default=int(RelationType.Location))

    class Meta:
        ref_name = "FacilityRequest"


class RelationRequestSerializer(serializers.Serializer):
    parent_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    child_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    relationship_type = EnumField(RelationType, source="relation_type")

    class Meta:
        ref_name = "AssetRelationRequest"


class RelationResponseSerializer(CompiledReadSerializer):
    id = serializers.IntegerField()
    parent_id = serializers.IntegerField()
    child_id = serializers.IntegerField()
    relationship_type = EnumField(RelationType, source="relation_type")

    class Meta:
        ref_name = "AssetRelation"


PageQuerySerializer = page_query(default_size=100)


class ChildrenQuerySerializer(PageQuerySerializer):
    depth = serializers.IntegerField(
        default=1, min_value=1, max_value=1000, help_text="Levels below the asset: 1 (default) = its children."
    )


class ParentQuerySerializer(serializers.Serializer):
    asset_key = serializers.UUIDField(required=False, help_text="If given, must be the asset's own key.")


class ObsoleteParticipantsQuerySerializer(serializers.Serializer):
    id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The user id.")
