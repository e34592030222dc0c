"""The asset graph: assets, their two hierarchies and typed relations, and the participants that
manage them (DESIGN.md §5).

How to use it:
- Every physical or logical thing is an `Asset` with an `asset_type` (`AssetType`, explicit integer
  values). A meter, charger, gateway, device or SIM card is an asset; type-specific details live in
  the owning app's own model with a `OneToOneField(Asset, primary_key=True)` (see devices.py).
- Edges are `AssetRelation` rows (parent, child, relation_type). `RelationType.Location` and
  `RelationType.Network` are the two hierarchies: at most one parent per hierarchy (a database
  constraint). The other relation types are free typed links. Never walk edges in Python: use
  `apps.assets.selectors` (descendants, ancestors, subtree ids) and create edges through
  `apps.assets.services.relate()` (it refuses cycles).
- A customer reaches an asset through `Asset.delivery_point`; a professional through a
  `Participant` they are a member of (`ParticipantMembership`) and its `ParticipantTopNode`s.
  Restrict querysets with `apps.assets.scopes.AssetScope`, never by hand.
- `Asset.version` is the optimistic-concurrency counter: bump it only through services.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AssetType(models.IntegerChoices):
    """What an asset is. Values are explicit and stable: they travel on the wire."""

    # location hierarchy
    Region = 1, "Region"
    Municipality = 2, "Municipality"
    Building = 3, "Building"
    Apartment = 4, "Apartment"
    # network hierarchy
    Substation = 10, "Substation"
    Feeder = 11, "Feeder"
    Transformer = 12, "Transformer"
    # metering points and what they measure
    Meter = 20, "Meter"
    Facility = 30, "Facility"
    Industry = 31, "Industry"
    AggregationPoint = 32, "AggregationPoint"
    Counter = 40, "Counter"
    # devices
    Charger = 50, "Charger"
    ChargingStation = 51, "ChargingStation"
    SmartHomeGateway = 60, "SmartHomeGateway"
    SmartHomeDevice = 61, "SmartHomeDevice"
    SimCard = 70, "SimCard"
    WeatherStation = 80, "WeatherStation"


class RelationType(models.IntegerChoices):
    """The kind of an edge. Location and Network are hierarchies (one parent per child)."""

    Location = 1, "Location"
    Network = 2, "Network"
    # typed links: a child may have several parents of these kinds
    Measures = 10, "Measures"  # a meter or counter measures a facility, an industry, a charger
    Controls = 11, "Controls"  # a gateway controls a device or a charger
    Supplies = 12, "Supplies"  # a charging station supplies its chargers
    Communicates = 13, "Communicates"  # a SIM card gives a gateway its connection


HIERARCHIES = (RelationType.Location, RelationType.Network)


class Hierarchy(models.IntegerChoices):
    """The two hierarchies alone (the values are RelationType's), for fields that take only those."""

    Location = 1, "Location"
    Network = 2, "Network"


class ParticipantKind(models.IntegerChoices):
    GridCompany = 1, "GridCompany"
    Supplier = 2, "Supplier"
    HousingCooperative = 3, "HousingCooperative"
    ServiceProvider = 4, "ServiceProvider"


class Participant(models.Model):
    """An organisation that manages assets (grid company, supplier, housing cooperative)."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    kind = models.PositiveSmallIntegerField(choices=ParticipantKind.choices)
    organization_no = models.CharField(max_length=20, blank=True)
    # The participant hierarchy: a grid company's regional offices, a cooperative's boards.
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="children")
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ParticipantMembership", related_name="participants"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=~Q(parent=F("pk")), name="assets_participant_not_own_parent")]

    def __str__(self):
        return self.name


class ParticipantMembership(models.Model):
    """A user works for a participant and so sees what it manages."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="participant_memberships")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "participant"], name="assets_membership_unique")]

    def __str__(self):
        return f"{self.user} @ {self.participant}"


class Asset(models.Model):
    """One node of the asset graph (the original's Asset; its id is the AssetId on every route)."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="The original's asset key.")
    asset_type = models.PositiveSmallIntegerField(choices=AssetType.choices, db_index=True)
    external_id = models.CharField(max_length=100, blank=True, db_index=True)
    serial_number = models.CharField(max_length=100, blank=True, db_index=True)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    label = models.CharField(max_length=200, blank=True, help_text="A user-chosen display label.")
    default_time_zone = models.CharField(max_length=50, default="Europe/Oslo")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    owner = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="assets")
    corporate_code = models.CharField(max_length=50, blank=True)
    purchase_price = models.CharField(max_length=50, blank=True)
    installation_date = models.DateField(null=True, blank=True)
    in_service_date = models.DateField(null=True, blank=True)
    valid_from = models.DateTimeField(null=True, blank=True)
    valid_to = models.DateTimeField(null=True, blank=True)
    # One id space: a customers.Meter is reached through its asset, and a customer reaches the
    # gateways and devices behind their delivery points through delivery_point.
    meter = models.OneToOneField(
        "customers.Meter", on_delete=models.CASCADE, null=True, blank=True, related_name="asset"
    )
    delivery_point = models.ForeignKey(
        "customers.DeliveryPoint", on_delete=models.SET_NULL, null=True, blank=True, related_name="assets"
    )
    version = models.PositiveIntegerField(default=1, help_text="Optimistic concurrency: bumped on every change.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="assets_asset_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="assets_asset_longitude_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="assets_asset_valid_range",
            ),
        ]

    def __str__(self):
        return f"{self.get_asset_type_display()} {self.name}"

    @property
    def etag(self) -> str:
        return f'"{self.pk}-{self.version}"'


class AssetRelation(models.Model):
    """A directed edge parent → child of one relation type."""

    parent = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="child_relations")
    child = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="parent_relations")
    relation_type = models.PositiveSmallIntegerField(choices=RelationType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "child", "relation_type"], name="assets_relation_unique"),
            # An asset has at most one parent per hierarchy.
            models.UniqueConstraint(
                fields=["child", "relation_type"],
                condition=Q(relation_type__in=[int(h) for h in HIERARCHIES]),
                name="assets_relation_one_parent_per_hierarchy",
            ),
            models.CheckConstraint(condition=~Q(parent=F("child")), name="assets_relation_not_self"),
        ]
        indexes = [
            # The recursive walks: down by (parent, type), up by (child, type).
            models.Index(fields=["parent", "relation_type", "child"], name="assets_rel_down"),
            models.Index(fields=["child", "relation_type", "parent"], name="assets_rel_up"),
        ]

    def __str__(self):
        return f"{self.parent_id} -{self.get_relation_type_display()}-> {self.child_id}"


class ParticipantTopNode(models.Model):
    """A root of what a participant manages, in one hierarchy."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="top_nodes")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="top_node_of")
    hierarchy = models.PositiveSmallIntegerField(choices=Hierarchy.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["participant", "asset", "hierarchy"], name="assets_topnode_unique")
        ]
        indexes = [models.Index(fields=["asset", "participant"], name="assets_topnode_asset")]

    def __str__(self):
        return f"{self.participant}: {self.asset}"


class ActivitySeverity(models.IntegerChoices):
    Information = 0, "Information"
    Warning = 1, "Warning"
    Error = 2, "Error"
    Critical = 3, "Critical"


class AssetActivityRecord(models.Model):
    """One entry of an asset's activity log (the original's AssetActivityRecord)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="activity_records")
    reason = models.CharField(max_length=500)
    category = models.CharField(max_length=100, blank=True)
    severity = models.PositiveSmallIntegerField(choices=ActivitySeverity.choices, default=ActivitySeverity.Information)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["asset", "-created_at"], name="assets_activity_asset")]

    def __str__(self):
        return f"{self.asset_id}: {self.reason}"


class AssetDocument(models.Model):
    """A file attached to an activity record (name and extension only; storage is elsewhere)."""

    record = models.ForeignKey(AssetActivityRecord, on_delete=models.CASCADE, related_name="documents")
    file_name = models.CharField(max_length=200)
    file_extension = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.file_name


class SearchFilter(models.Model):
    """A zone: a named set of assets (and everything below them) that flex's control plans target."""

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=200)
    description = models.CharField(max_length=500, blank=True)
    owner = models.ForeignKey(Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="zones")
    assets = models.ManyToManyField(Asset, related_name="zones", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name
