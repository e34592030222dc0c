"""Notifications: push registrations and their sends, customer messages, e-mail alerts by asset,
and the Twilio side (call-center shifts, client logs, inbound SMS).

- A `PushRegistration` is the original's registration id (a GUID) for one app (`customers.App`):
  created empty by POST, filled and refreshed by PUT (handle, platform, tags), gone when deleted,
  expired (`expires_at` passed without a refresh) or rejected by the provider as unregistered
  (then PUT answers 410). Customer registrations (`customer` set) are tagged with that customer's
  meter ids; app registrations carry tags of several `PushIdentifierTypes`.
- A `PushMessage` is one send; a `PushDelivery` is one (message, registration) pair, unique, and is
  *claimed* (a committed row) before the provider is called, so a redelivered task never sends a
  pair twice: CLAIMED (not handed to the provider yet), SENDING (handed over in the batch being
  sent), then its outcome. A sweep retries CLAIMED rows left past a timeout (at least attempted)
  and stores stale SENDING ones as UNKNOWN, never resending them (at most once).
- A `CustomerMessage` is what `api/customers/{id}/messages` lists: every send lands there per meter.
- `EmailAlertConfig` rows say which assets (and everything below them) a user gets e-mail alerts
  for; an `EmailAlert` records one sent e-mail per (flag change, user).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class PushIdentifierTypes(models.IntegerChoices):
    MeterId = 0, "MeterId"
    CustomerId = 1, "CustomerId"
    UserId = 2, "UserId"
    AssetId = 3, "AssetId"


class PushCategoryEnum(models.IntegerChoices):
    General = 1, "General"
    Outage = 2, "Outage"
    Price = 3, "Price"
    Invoice = 4, "Invoice"
    Assignment = 5, "Assignment"


class MessageState(models.IntegerChoices):
    Unknown = 0, "Unknown"
    Unread = 1, "Unread"
    Read = 2, "Read"
    Deleted = 3, "Deleted"


class MessageStateFilter(models.IntegerChoices):
    """The messages count's `state` filter (contract.md): not MessageState, it has All and no 0."""

    All = -1, "All"
    Unread = 1, "Unread"
    Read = 2, "Read"


class MessageCategory(models.IntegerChoices):
    General = 0, "General"
    Outage = 1, "Outage"
    Price = 2, "Price"
    Invoice = 3, "Invoice"


class MessagePriority(models.IntegerChoices):
    Low = 0, "Low"
    Normal = 1, "Normal"
    High = 2, "High"


class CommunicationType(models.IntegerChoices):
    Push = 0, "Push"
    Email = 1, "Email"
    Sms = 2, "Sms"


class PushAppCredentials(models.Model):
    """An app's push provider credentials (FCM HTTP v1): admin-managed, never returned by the API."""

    app = models.OneToOneField("customers.App", on_delete=models.CASCADE, related_name="push_credentials")
    fcm_project_id = models.CharField(max_length=100, blank=True)
    fcm_service_account_json = models.TextField(blank=True, help_text="The Firebase service account key (JSON).")

    class Meta:
        verbose_name_plural = "push app credentials"

    def __str__(self):
        return f"{self.app} push credentials"


class PushRegistration(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    app = models.ForeignKey("customers.App", on_delete=models.CASCADE, related_name="push_registrations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_registrations")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True, related_name="push_registrations"
    )
    platform = models.CharField(max_length=20, blank=True, help_text="apns, gcm, fcm...")
    handle = models.CharField(max_length=500, blank=True, help_text="The device token.")
    template_version = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    refreshed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    gone_at = models.DateTimeField(null=True, blank=True, help_text="The provider said the token is unregistered.")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["app", "customer"], name="notif_reg_app_customer")]

    def __str__(self):
        return f"{self.app} {self.id}"


class PushTag(models.Model):
    registration = models.ForeignKey(PushRegistration, on_delete=models.CASCADE, related_name="tags")
    identifier_type = models.PositiveSmallIntegerField(choices=PushIdentifierTypes.choices)
    identifier_value = models.CharField(max_length=100)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "identifier_type", "identifier_value"], name="notif_tag_unique"
            )
        ]
        indexes = [models.Index(fields=["identifier_type", "identifier_value"], name="notif_tag_lookup")]

    def __str__(self):
        return f"{self.get_identifier_type_display()} {self.identifier_value}"


class PushMessage(models.Model):
    app = models.ForeignKey("customers.App", on_delete=models.CASCADE, related_name="push_messages")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text = models.CharField(max_length=2000)
    category = models.PositiveSmallIntegerField(choices=PushCategoryEnum.choices, null=True, blank=True)
    external_id = models.CharField(max_length=100, blank=True, help_text="The envelope's Id (template 2).")
    sound = models.CharField(max_length=100, blank=True, help_text="Template 3.")
    meter_ids = models.JSONField(default=list, blank=True)
    tags = models.JSONField(default=list, blank=True, help_text="[[IdentifierType, IdentifierValue], ...]")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep's rows: messages not fanned out yet (their fan-out task queued, or never queued).
            models.Index(
                fields=["created_at"], condition=models.Q(fanned_out_at__isnull=True), name="notif_msg_unfanned"
            )
        ]

    def __str__(self):
        return f"{self.app}: {self.text[:40]}"


class PushChunk(models.Model):
    """One slice of a message's fan-out: the matching registrations with first_pk <= id < end_pk
    (open-ended where null), made once by `fan_out` (a rerun reuses them, so no registration is in
    two chunks) and sent by one `send_chunk` task.

    It is the send's claim, in one row whatever the chunk's size: a run reads the chunk's live
    registrations in id order (`read_at`); before a batch goes to the provider the batch's last id
    is stored as `in_flight_through` (committed), and after it `sent_through` moves there, in the
    transaction that writes the batch's deliveries. A run that dies leaves the chunk SENDING with
    its batch in flight: never resent (UNKNOWN), and the rest is sent by the sweep."""

    class State(models.TextChoices):
        PENDING = "PENDING", "Waiting for a run"
        SENDING = "SENDING", "A run holds it"
        DONE = "DONE", "Done"

    message = models.ForeignKey(PushMessage, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    first_pk = models.UUIDField(null=True, blank=True)
    end_pk = models.UUIDField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    claim = models.UUIDField(null=True, blank=True, help_text="The run holding it.")
    attempts = models.PositiveSmallIntegerField(default=1, help_text="1, plus one per take-over by the sweep.")
    touched_at = models.DateTimeField(help_text="Made, claimed, a batch handed over or stored, or released.")
    sent_through = models.UUIDField(null=True, blank=True, help_text="Outcomes stored up to this registration.")
    in_flight_through = models.UUIDField(null=True, blank=True, help_text="The batch at the provider ends here.")
    read_at = models.DateTimeField(null=True, blank=True, help_text="When the holding run read its registrations.")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["message", "seq"]
        constraints = [models.UniqueConstraint(fields=["message", "seq"], name="notif_chunk_once")]
        indexes = [
            # The sweep's rows: chunks not done (a handful at any time).
            models.Index(
                fields=["touched_at"], condition=models.Q(state__in=["PENDING", "SENDING"]), name="notif_chunk_open"
            )
        ]

    def __str__(self):
        return f"{self.message_id} #{self.seq}: {self.state}"


class PushDelivery(models.Model):
    """The outcome of the registrations of one batch that got the same answer, written once, after
    the provider calls (or as UNKNOWN by the sweep, for a batch whose run died at the provider).

    One row per (batch, outcome), not per registration: a fan-out of 10,000 through the console
    provider writes two rows, and through FCM (batches of one) a row per registration. Each
    registration's result is its row's (`selectors.delivery_results`)."""

    class State(models.TextChoices):
        SENT = "SENT", "Sent"
        GONE = "GONE", "Token unregistered"
        FAILED = "FAILED", "Failed"
        UNKNOWN = "UNKNOWN", "Worker stopped during the provider call (not resent)"

    message = models.ForeignKey(PushMessage, on_delete=models.CASCADE, related_name="deliveries")
    state = models.CharField(max_length=10, choices=State.choices)
    attempt = models.PositiveSmallIntegerField(default=1, help_text="The chunk's attempt that sent them.")
    finished_at = models.DateTimeField()
    result = models.CharField(max_length=500, blank=True)
    registration_ids = models.JSONField(default=list, help_text="The registrations (ids as text).")
    count = models.PositiveIntegerField(help_text="How many registrations.")

    class Meta:
        verbose_name_plural = "push deliveries"
        ordering = ["message", "finished_at", "id"]

    def __str__(self):
        return f"{self.message_id}: {self.count} {self.state}"


class CustomerMessage(models.Model):
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="messages")
    meter_id = models.CharField(max_length=40, blank=True)
    push_message = models.ForeignKey(
        PushMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="customer_messages"
    )
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    state = models.PositiveSmallIntegerField(choices=MessageState.choices, default=MessageState.Unread)
    category = models.PositiveSmallIntegerField(choices=MessageCategory.choices, default=MessageCategory.General)
    priority = models.PositiveSmallIntegerField(choices=MessagePriority.choices, default=MessagePriority.Normal)
    channel = models.PositiveSmallIntegerField(choices=CommunicationType.choices, default=CommunicationType.Push)
    sent_at = models.DateTimeField()
    state_changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["customer", "state"], name="notif_message_customer_state")]

    def __str__(self):
        return f"{self.customer_id}: {self.subject or self.text[:40]}"


class EmailAlertConfig(models.Model):
    """Alerts on for `asset` and everything below it, for `user`."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_alert_configs")
    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "asset"], name="notif_email_config_unique")]

    def __str__(self):
        return f"{self.user} → {self.asset_id}"


class EmailAlert(models.Model):
    """One e-mail about one flag change to one user: at most once (unique)."""

    change = models.ForeignKey("assets.ComponentFlagChange", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["change", "user"], name="notif_email_alert_once")]

    def __str__(self):
        return f"{self.change_id} → {self.user_id}"


class CallCenterShift(models.Model):
    """Admin-managed opening hours: the call center is open while some operator's shift runs."""

    operator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="call_center_shifts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="notif_shift_order")
        ]

    def __str__(self):
        return f"{self.operator} {self.starts_at:%Y-%m-%d %H:%M}"


class ClientLog(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    level = models.CharField(max_length=20, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.message[:60]


class InboundSms(models.Model):
    message_sid = models.CharField(max_length=64, unique=True)
    from_number = models.CharField(max_length=32)
    to_number = models.CharField(max_length=32, blank=True)
    body = models.TextField(blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_sms"
    )
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name_plural = "inbound SMS"

    def __str__(self):
        return f"{self.from_number}: {self.body[:40]}"
