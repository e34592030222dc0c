"""Component events: flags raised on substations and meters (an outage, planned work...), published
to the web from the notification center, and cleared, each step kept in the flag's history.

Change flags only through `apps.assets.components` (raise_flag, publish_flag, clear_flag): it
applies the state machine, writes the history and fires the `component_flag_changed` hook.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from .graph import Asset

__all__ = [
    "ComponentEvent",
    "FlagState",
    "FlagAction",
    "ACTIVE_STATES",
    "ComponentFlag",
    "ComponentFlagChange",
]


class ComponentEvent(models.IntegerChoices):
    """The events that can be flagged on an asset (api/componentinfo/events)."""

    Outage = 1, "Outage"
    PlannedWork = 2, "PlannedWork"
    Overload = 3, "Overload"
    EarthFault = 4, "EarthFault"
    VoltageDisturbance = 5, "VoltageDisturbance"
    CommunicationFailure = 6, "CommunicationFailure"


class FlagState(models.IntegerChoices):
    Raised = 1, "Raised"
    Published = 2, "Published"  # published to the web from the notification center
    Cleared = 3, "Cleared"


class FlagAction(models.IntegerChoices):
    Raise = 1, "Raise"
    Publish = 2, "Publish"
    Clear = 3, "Clear"


ACTIVE_STATES = (FlagState.Raised, FlagState.Published)


class ComponentFlag(models.Model):
    """One flag of one event on one asset, from raised to cleared."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="component_flags")
    event = models.PositiveSmallIntegerField(choices=ComponentEvent.choices)
    state = models.PositiveSmallIntegerField(choices=FlagState.choices, default=FlagState.Raised)
    message = models.CharField(max_length=500, blank=True, help_text="Internal note for the operators.")
    web_message = models.CharField(max_length=500, blank=True, help_text="The text published to the web.")
    raised_at = models.DateTimeField()
    raised_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            # At most one active flag per asset and event: raising it again is a conflict.
            models.UniqueConstraint(
                fields=["asset", "event"],
                condition=~Q(state=FlagState.Cleared),
                name="assets_flag_one_active_per_event",
            )
        ]
        indexes = [models.Index(fields=["event", "state", "asset"], name="assets_flag_event_state")]

    def __str__(self):
        return f"{self.get_event_display()} on {self.asset_id} ({self.get_state_display()})"

    @property
    def is_active(self) -> bool:
        return self.state in ACTIVE_STATES


class ComponentFlagChange(models.Model):
    """Who did what to a flag, and when."""

    flag = models.ForeignKey(ComponentFlag, on_delete=models.CASCADE, related_name="history")
    action = models.PositiveSmallIntegerField(choices=FlagAction.choices)
    from_state = models.PositiveSmallIntegerField(choices=FlagState.choices, null=True, blank=True)
    to_state = models.PositiveSmallIntegerField(choices=FlagState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.get_action_display()} by {self.by_id} at {self.at:%Y-%m-%d %H:%M}"
