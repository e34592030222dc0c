"""Demand response (DESIGN.md §3 `flex`): enrolled devices and their control plans, declines,
the grid operator's control-plan requests per zone, demand-and-control site settings with their
load-shedding log, ET (controllability) profiles, baseline configurations and device commands.

How to use it:
- A `ControllableDevice` enrols a smart-home device (its pk is the device's AssetId) with what the
  planner needs: rated power, daily energy need, the local hours that need may be placed in, and
  the zone (`assets.SearchFilter`) whose grid requests apply to it.
- A `ControlPlan` (GUID id) covers one local day of one device; its `ControlPlanInterval`s are
  on/off with a power limit. Plans are written by `services.plan_device_day` (from
  `planner.plan_intervals`), declined by `services.decline_plan`; `version` grows on every change
  and a plan version is sent to the device at most once (`DeviceCommand`'s unique constraint).
- `ControlPlanRequest` rows are the grid operator's requested reductions (`Values`) for a zone
  and time-series type; overlapping requests for the same zone and type are refused (409).
- `SiteSettings` (one per delivery point = site) hold the power threshold and shedding order;
  `SheddingAction` logs every shed and restore with the power that caused it.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q


class DayOfWeek(models.IntegerChoices):
    """.NET's System.DayOfWeek (Sunday 0 ... Saturday 6), as the original's ET profiles carried it."""

    Sunday = 0, "Sunday"
    Monday = 1, "Monday"
    Tuesday = 2, "Tuesday"
    Wednesday = 3, "Wednesday"
    Thursday = 4, "Thursday"
    Friday = 5, "Friday"
    Saturday = 6, "Saturday"


class ControlPlanRequestTsType(models.IntegerChoices):
    """What a grid request's values mean. Both are kW to take off the zone's controllable load."""

    LoadReduction = 1, "LoadReduction"  # hourly values
    LoadReductionQuarterHour = 2, "LoadReductionQuarterHour"  # quarter-hour values


TS_TYPE_MINUTES = {ControlPlanRequestTsType.LoadReduction: 60, ControlPlanRequestTsType.LoadReductionQuarterHour: 15}


class IntervalSource(models.IntegerChoices):
    """Why a plan interval is as it is."""

    Price = 1, "Price"  # the planner placed (or kept out) the energy need by price
    Grid = 2, "Grid"  # a grid control-plan request reduced it


class BaselineMethod(models.IntegerChoices):
    """How an asset's baseline (what it would have used without control) is computed."""

    AverageOfSimilarDays = 1, "AverageOfSimilarDays"  # mean of the same hour over the last N similar days
    HighXOfY = 2, "HighXOfY"  # mean of the X highest of the same hour over the last Y similar days


class FlexContract(models.Model):
    """A flexibility contract of a participant (the grid operator's side), covering zones.

    `api/controlplanrequests/zones` lists the zones of the contract named by `X-ContractId`."""

    participant = models.ForeignKey("assets.Participant", on_delete=models.CASCADE, related_name="flex_contracts")
    name = models.CharField(max_length=200)
    zones = models.ManyToManyField("assets.SearchFilter", related_name="flex_contracts", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class ControllableDevice(models.Model):
    """A smart-home device enrolled in demand response; its pk is the device's AssetId."""

    device = models.OneToOneField(
        "assets.SmartHomeDevice", on_delete=models.CASCADE, primary_key=True, related_name="flex"
    )
    zone = models.ForeignKey(
        "assets.SearchFilter", on_delete=models.SET_NULL, null=True, blank=True, related_name="flex_devices"
    )
    enrolled = models.BooleanField(default=True, db_index=True)
    power_kw = models.DecimalField(
        max_digits=7, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    daily_energy_kwh = models.DecimalField(
        max_digits=8, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(24000)]
    )
    # The local hours [window_start, window_end) the energy need may be placed in; start > end wraps midnight.
    window_start_hour = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(23)])
    window_end_hour = models.PositiveSmallIntegerField(default=24, validators=[MaxValueValidator(24)])
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["device_id"]
        constraints = [
            models.CheckConstraint(condition=Q(power_kw__gte=0), name="flex_device_power"),
            models.CheckConstraint(condition=Q(window_start_hour__lte=23), name="flex_device_window_start"),
            models.CheckConstraint(condition=Q(window_end_hour__lte=24), name="flex_device_window_end"),
        ]

    def __str__(self):
        return f"Flex device {self.device_id}"


class ControlPlan(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    device = models.ForeignKey(ControllableDevice, on_delete=models.CASCADE, related_name="plans")
    zone = models.ForeignKey(
        "assets.SearchFilter", on_delete=models.SET_NULL, null=True, blank=True, related_name="flex_plans"
    )
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-start_at", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["device", "start_at"], name="flex_plan_one_per_device_day"),
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="flex_plan_period"),
        ]
        indexes = [models.Index(fields=["device", "-start_at"], name="flex_plan_device_newest")]

    def __str__(self):
        return f"Plan {self.id} ({self.device_id}, {self.start_at:%Y-%m-%d})"


class ControlPlanInterval(models.Model):
    # No index of its own: the (plan, start_at) unique constraint serves lookups by plan, and a day
    # of quarter hours for every enrolled device is a million rows to index.
    plan = models.ForeignKey(ControlPlan, on_delete=models.CASCADE, related_name="intervals", db_index=False)
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    is_on = models.BooleanField()
    power_limit_kw = models.DecimalField(max_digits=7, decimal_places=2)
    source = models.PositiveSmallIntegerField(choices=IntervalSource.choices)
    price_nok_per_kwh = models.DecimalField(max_digits=10, decimal_places=5, null=True, blank=True)
    # Set by a decline: the device is out of the plan for this interval (runs as it would uncontrolled).
    declined = models.BooleanField(default=False)

    class Meta:
        ordering = ["start_at"]
        constraints = [models.UniqueConstraint(fields=["plan", "start_at"], name="flex_interval_unique")]

    def __str__(self):
        return f"{self.plan_id} {self.start_at:%H:%M} {'on' if self.is_on else 'off'}"


class ControlPlanDecline(models.Model):
    """Who declined a plan, when, why, and which intervals the decline took the device out of."""

    plan = models.OneToOneField(ControlPlan, on_delete=models.CASCADE, related_name="decline")
    declined_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    declined_at = models.DateTimeField()
    reason = models.CharField(max_length=500, blank=True)
    removed_intervals = models.ManyToManyField(ControlPlanInterval, related_name="+", blank=True)

    class Meta:
        ordering = ["-declined_at"]

    def __str__(self):
        return f"Decline of {self.plan_id}"


class ControlPlanRequest(models.Model):
    """A grid operator's requested reduction for a zone: values per interval of its ts type."""

    zone = models.ForeignKey("assets.SearchFilter", on_delete=models.CASCADE, related_name="control_plan_requests")
    ts_type = models.PositiveSmallIntegerField(choices=ControlPlanRequestTsType.choices)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["zone", "ts_type", "start_at"]
        constraints = [models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="flex_request_period")]
        indexes = [models.Index(fields=["zone", "ts_type", "start_at"], name="flex_request_zone_type")]

    def __str__(self):
        return f"Request {self.pk} zone {self.zone_id} {self.start_at:%Y-%m-%d %H:%M}"


class ControlPlanRequestValue(models.Model):
    request = models.ForeignKey(ControlPlanRequest, on_delete=models.CASCADE, related_name="values")
    time = models.DateTimeField()
    value = models.DecimalField(max_digits=12, decimal_places=3)

    class Meta:
        ordering = ["time"]
        constraints = [models.UniqueConstraint(fields=["request", "time"], name="flex_request_value_unique")]

    def __str__(self):
        return f"{self.time:%Y-%m-%d %H:%M} {self.value}"


class SiteSettings(models.Model):
    """Demand-and-control settings of a site (a delivery point): threshold and shedding order."""

    site = models.OneToOneField("customers.DeliveryPoint", on_delete=models.CASCADE, related_name="flex_settings")
    threshold_kw = models.DecimalField(
        max_digits=9, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(100000)]
    )
    hysteresis_kw = models.DecimalField(
        max_digits=9, decimal_places=2, default=0.5, validators=[MinValueValidator(0), MaxValueValidator(100000)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "site settings"
        constraints = [models.CheckConstraint(condition=Q(threshold_kw__gte=0), name="flex_site_threshold")]

    def __str__(self):
        return f"Site {self.site_id}: {self.threshold_kw} kW"


class SiteDevice(models.Model):
    """A device in a site's shedding order (position 0 is shed first) and whether it is shed now."""

    settings = models.ForeignKey(SiteSettings, on_delete=models.CASCADE, related_name="devices")
    device = models.ForeignKey("assets.SmartHomeDevice", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    is_shed = models.BooleanField(default=False)

    class Meta:
        ordering = ["settings", "position"]
        constraints = [
            models.UniqueConstraint(fields=["settings", "position"], name="flex_site_device_position"),
            models.UniqueConstraint(fields=["settings", "device"], name="flex_site_device_once"),
        ]

    def __str__(self):
        return f"{self.position}: {self.device_id}{' (shed)' if self.is_shed else ''}"


class SheddingAction(models.Model):
    class Action(models.TextChoices):
        SHED = "SHED", "Shed"
        RESTORE = "RESTORE", "Restore"

    site = models.ForeignKey("customers.DeliveryPoint", on_delete=models.CASCADE, related_name="shedding_actions")
    device = models.ForeignKey("assets.SmartHomeDevice", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    power_kw = models.FloatField(help_text="The site's power that caused the action.")
    threshold_kw = models.DecimalField(max_digits=9, decimal_places=2)
    measured_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.action} {self.device_id} at {self.power_kw} kW"


class EtProfile(models.Model):
    """On `weekday` the asset may be controlled in the local hours [from_hour, to_hour)."""

    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="et_profiles")
    weekday = models.PositiveSmallIntegerField(choices=DayOfWeek.choices)
    from_hour = models.PositiveSmallIntegerField(validators=[MaxValueValidator(23)])
    to_hour = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(24)])

    class Meta:
        ordering = ["asset", "weekday"]
        constraints = [
            models.UniqueConstraint(fields=["asset", "weekday"], name="flex_et_one_per_weekday"),
            models.CheckConstraint(condition=Q(to_hour__gt=F("from_hour")), name="flex_et_hours"),
        ]

    def __str__(self):
        return f"{self.asset_id} {self.get_weekday_display()} {self.from_hour}-{self.to_hour}"


class BaselineConfig(models.Model):
    asset = models.OneToOneField("assets.Asset", on_delete=models.CASCADE, related_name="baseline_config")
    method = models.PositiveSmallIntegerField(choices=BaselineMethod.choices)
    days = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(60)])
    high_count = models.PositiveSmallIntegerField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Baseline of {self.asset_id}: {self.get_method_display()}"


class DeviceCommand(models.Model):
    """What was (or will be) sent to a device, in the original's `Controls` shape; the log of sends."""

    class Kind(models.TextChoices):
        PLAN = "PLAN", "Control plan"
        SEQUENCE = "SEQUENCE", "Sequential control"
        SHED = "SHED", "Load shedding"
        RESTORE = "RESTORE", "Load restore"

    class Status(models.TextChoices):
        QUEUED = "QUEUED", "Queued"
        SENT = "SENT", "Sent"
        FAILED = "FAILED", "Failed"
        SUPERSEDED = "SUPERSEDED", "Superseded"  # a plan version replaced before it was sent

    device = models.ForeignKey("assets.SmartHomeDevice", on_delete=models.CASCADE, related_name="flex_commands")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(ControlPlan, on_delete=models.SET_NULL, null=True, blank=True, related_name="commands")
    plan_version = models.PositiveIntegerField(null=True, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    result = models.CharField(max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # A plan version goes to the device at most once.
            models.UniqueConstraint(
                fields=["plan", "plan_version"], condition=Q(plan__isnull=False), name="flex_command_plan_version_once"
            )
        ]

    def __str__(self):
        return f"{self.kind} to {self.device_id} ({self.status})"
