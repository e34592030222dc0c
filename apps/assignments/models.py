"""Care (the Florence app): care teams, their clients, assignments with an audit log, next of kin.

CareTeam ─< CareTeamMembership >─ User (care staff)
CareTeam ─< Client ─< Assignment ─< AssignmentLogEntry
                   ├─< NextOfKin ─< NextOfKinInvitation, NextOfKinTermsAcceptance >─ CareTerms
                   └─< KitConnection >─ EquipmentKit ─< EquipmentKitDevice >─ assets.Asset
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from apps.assets.public import Asset
from esmart.core.validators import validate_phone_number

from .states import Action, State


class CareTeam(models.Model):
    """A group of care staff serving a set of clients (a home-care district, a night team)."""

    name = models.CharField(max_length=100, unique=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="CareTeamMembership", related_name="care_teams")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class CareTeamMembership(models.Model):
    team = models.ForeignKey(CareTeam, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_memberships")
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="care_membership_unique")]

    def __str__(self):
        return f"{self.user} in {self.team}"


class Client(models.Model):
    """A person living at home who receives care (and may have a safety equipment kit)."""

    team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="clients")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    birth_date = models.DateField(null=True, blank=True)
    phone_number = models.CharField(max_length=20, blank=True, validators=[validate_phone_number])
    address_text = models.CharField(max_length=200, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Assignment(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=4000)
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.NEW)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="care_assignments"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    equipment = models.ForeignKey(
        "EquipmentKit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
        help_text="The kit connected while working on this assignment.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["assignee", "-created_at"]),
            models.Index(fields=["client", "-created_at"]),
        ]
        constraints = [models.CheckConstraint(condition=Q(state__in=State.values), name="assignment_state_valid")]

    def __str__(self):
        return f"#{self.pk} {self.title} ({self.get_state_display()})"


class AssignmentLogKind(models.IntegerChoices):
    CREATED = 1, "Created"
    ACTION = 2, "Action"
    ASSIGNED = 3, "Assigned"
    COMMENT = 4, "Comment"
    EQUIPMENT = 5, "Equipment"


LogKind = AssignmentLogKind


class AssignmentLogEntry(models.Model):
    """One move, hand-over or comment: who, when, from, to and an optional note. Never edited."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    kind = models.PositiveSmallIntegerField(choices=LogKind.choices)
    action = models.PositiveSmallIntegerField(choices=Action.choices, null=True, blank=True)
    from_state = models.PositiveSmallIntegerField(choices=State.choices, null=True, blank=True)
    to_state = models.PositiveSmallIntegerField(choices=State.choices, null=True, blank=True)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "assignment log entries"

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


class NextOfKin(models.Model):
    """A relative linked to one client; `user` is set when they redeem an invitation code."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="next_of_kin")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="next_of_kin_links"
    )
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    relation = models.CharField(max_length=50, blank=True, help_text="Daughter, son, neighbour, ...")
    phone_number = models.CharField(max_length=20, blank=True, validators=[validate_phone_number])
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "next of kin"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "user"], condition=Q(user__isnull=False), name="next_of_kin_one_link_per_client"
            )
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name} ({self.relation or 'next of kin'} of {self.client})"


class NextOfKinInvitation(models.Model):
    """A one-time user code for a next of kin; only its HMAC is stored."""

    next_of_kin = models.ForeignKey(NextOfKin, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"Invitation for {self.next_of_kin} (expires {self.expires_at:%Y-%m-%d %H:%M})"


class CareTerms(models.Model):
    """A version of the terms next of kin accept; the highest version is the current one."""

    version = models.PositiveIntegerField(unique=True)
    text = models.TextField()
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-version"]
        verbose_name_plural = "care terms"

    def __str__(self):
        return f"Terms version {self.version}"


class NextOfKinTermsAcceptance(models.Model):
    next_of_kin = models.ForeignKey(NextOfKin, on_delete=models.CASCADE, related_name="acceptances")
    terms = models.ForeignKey(CareTerms, on_delete=models.PROTECT, related_name="acceptances")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["next_of_kin", "terms"], name="next_of_kin_terms_once")]

    def __str__(self):
        return f"{self.next_of_kin} accepted version {self.terms.version}"


class EquipmentKit(models.Model):
    """A set of safety devices (alarm, sensors, a gateway: assets of the asset graph) that a care
    team keeps in store and connects to one client at a time."""

    team = models.ForeignKey(CareTeam, on_delete=models.PROTECT, related_name="kits")
    name = models.CharField(max_length=100)
    serial_number = models.CharField(max_length=100, unique=True)
    devices = models.ManyToManyField(Asset, through="EquipmentKitDevice", related_name="equipment_kits")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self):
        return f"{self.name} ({self.serial_number})"


class EquipmentKitDevice(models.Model):
    kit = models.ForeignKey(EquipmentKit, on_delete=models.CASCADE, related_name="kit_devices")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="+")

    class Meta:
        ordering = ["asset_id"]
        # A device is in one kit at a time.
        constraints = [models.UniqueConstraint(fields=["asset"], name="equipment_device_in_one_kit")]

    def __str__(self):
        return f"{self.asset} in {self.kit}"


class KitConnection(models.Model):
    """A kit connected to a client; disconnecting sets `disconnected_at`, so the history stays."""

    kit = models.ForeignKey(EquipmentKit, on_delete=models.PROTECT, related_name="connections")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="kit_connections")
    assignment = models.ForeignKey(Assignment, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    connected_at = models.DateTimeField()
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    disconnected_at = models.DateTimeField(null=True, blank=True)
    disconnected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-connected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kit"], condition=Q(disconnected_at__isnull=True), name="kit_connected_once"
            ),
            models.UniqueConstraint(
                fields=["client"], condition=Q(disconnected_at__isnull=True), name="client_has_one_kit"
            ),
            models.CheckConstraint(
                condition=Q(disconnected_at__isnull=True) | Q(disconnected_at__gte=models.F("connected_at")),
                name="kit_disconnected_after_connected",
            ),
        ]

    def __str__(self):
        return f"{self.kit} at {self.client}"
