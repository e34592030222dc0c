"""EV: the battery-car catalogue, customers' cars, charging requests with their planned schedule,
charger imports and vendor accounts with encrypted credentials.

Chargers themselves are assets (`apps.assets.models.Charger`, pk = AssetId); this app only records
how a charger was imported. A charging request's schedule is rows of `EvChargingSlot`, rewritten
whenever the request is re-planned (services.plan_request).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from .crypto import EncryptedTextField


class EvChargingModeEnum(models.IntegerChoices):
    """How a charger charges (contract.md: smallest member 0)."""

    Immediate = 0, "Immediate"  # charge at full power when plugged in
    Smart = 1, "Smart"  # follow the planned schedule of the cheapest intervals


def new_row_key() -> str:
    return uuid.uuid4().hex


class BatteryCar(models.Model):
    """One model (and generation) of battery car, managed in the admin."""

    manufacturer = models.CharField(max_length=60, db_index=True)
    model = models.CharField(max_length=80)
    generation = models.CharField(max_length=40, blank=True)
    gross_battery_kwh = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(1)])
    net_battery_kwh = models.DecimalField(max_digits=6, decimal_places=1, validators=[MinValueValidator(1)])
    max_ac_kw = models.DecimalField(max_digits=5, decimal_places=1, validators=[MinValueValidator(1)])
    max_dc_kw = models.DecimalField(max_digits=5, decimal_places=1, validators=[MinValueValidator(0)])
    image_url = models.URLField(blank=True)
    manufacturer_logo = models.URLField(blank=True)

    class Meta:
        ordering = ["manufacturer", "model", "generation"]
        constraints = [
            models.UniqueConstraint(fields=["manufacturer", "model", "generation"], name="ev_batterycar_unique"),
            models.CheckConstraint(
                condition=Q(net_battery_kwh__lte=F("gross_battery_kwh")), name="ev_batterycar_net_le_gross"
            ),
        ]

    def __str__(self):
        return f"{self.manufacturer} {self.model} {self.generation}".strip()


class Car(models.Model):
    """A customer's car (the original's ElectricalVehicleDto, kept in table storage by RowKey)."""

    row_key = models.CharField(max_length=64, unique=True, default=new_row_key)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="ev_cars")
    battery_car = models.ForeignKey(BatteryCar, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    manufacturer = models.CharField(max_length=60)
    model = models.CharField(max_length=80, blank=True)
    generation = models.CharField(max_length=40, blank=True)
    display_name = models.CharField(max_length=100, blank=True)
    email = models.CharField(max_length=254, blank=True)
    # The vendor's id of the vehicle; empty for a car entered by hand.
    vehicle_id = models.CharField(max_length=64, blank=True, db_index=True)
    use_external_api = models.BooleanField(default=False)
    connected_asset = models.ForeignKey(
        "assets.Asset", on_delete=models.SET_NULL, null=True, blank=True, related_name="ev_cars"
    )
    image_url = models.URLField(blank=True)
    gross_battery_kwh = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    net_battery_kwh = models.DecimalField(max_digits=6, decimal_places=1, null=True, blank=True)
    max_charge_kw = models.DecimalField(max_digits=5, decimal_places=1, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "manufacturer", "vehicle_id"],
                condition=~Q(vehicle_id=""),
                name="ev_car_one_import_per_vehicle",
            )
        ]

    def __str__(self):
        return self.display_name or f"{self.manufacturer} {self.model}".strip()


class ChargerImport(models.Model):
    """Where a charger asset found by external id came from (GET api/chargers?createIfNotExists=true)."""

    charger = models.OneToOneField(
        "assets.Charger", on_delete=models.CASCADE, primary_key=True, related_name="ev_import"
    )
    import_source = models.CharField(max_length=100, blank=True)
    # The asset's external id as imported: one charger per (source, external id). Rows that were
    # duplicates before the constraint keep the oldest as is; later ones carry "~<charger id>" (0004).
    external_id = models.CharField(max_length=120)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["import_source", "external_id"], name="ev_charger_import_unique_source_id")
        ]

    def __str__(self):
        return f"{self.charger_id} from {self.import_source or '?'}"


class EvChargingRequest(models.Model):
    """Charge `charging_demand_kwh` at a charger between start and end, as cheaply as possible."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="ev_charging_requests")
    charger = models.ForeignKey("assets.Charger", on_delete=models.CASCADE, related_name="ev_charging_requests")
    car = models.ForeignKey(Car, on_delete=models.SET_NULL, null=True, blank=True, related_name="charging_requests")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    charging_demand_kwh = models.DecimalField(max_digits=7, decimal_places=3)
    # The plan: what the schedule costs, what charging at once would cost, when it was planned.
    estimated_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    immediate_cost = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    planned_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["start_at", "created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(end_at__gt=F("start_at")), name="ev_request_end_after_start"),
            models.CheckConstraint(condition=Q(charging_demand_kwh__gt=0), name="ev_request_demand_positive"),
        ]
        indexes = [models.Index(fields=["customer", "start_at"], name="ev_request_customer")]

    def __str__(self):
        return f"{self.charging_demand_kwh} kWh at {self.charger_id} {self.start_at:%Y-%m-%d %H:%M}"


class EvChargingSlot(models.Model):
    """One interval of a request's planned schedule."""

    request = models.ForeignKey(EvChargingRequest, on_delete=models.CASCADE, related_name="slots")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    energy_kwh = models.DecimalField(max_digits=7, decimal_places=3)
    price_nok_per_kwh = models.DecimalField(max_digits=9, decimal_places=5)
    cost = models.DecimalField(max_digits=10, decimal_places=4)

    class Meta:
        ordering = ["start_at"]

    def __str__(self):
        return f"{self.start_at:%H:%M}-{self.end_at:%H:%M} {self.energy_kwh} kWh"


class VendorAccount(models.Model):
    """A user's login at a car vendor. Credentials and tokens are encrypted at rest and never returned;
    the client holds an opaque handle (its SHA-256 is stored) instead of the vendor's token."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ev_vendor_accounts")
    manufacturer = models.CharField(max_length=60)
    username = EncryptedTextField(blank=True)
    password = EncryptedTextField(blank=True)
    access_token = EncryptedTextField(blank=True)
    handle_digest = models.CharField(max_length=64, unique=True, editable=False)
    authorized_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["user", "manufacturer"], name="ev_vendoraccount_unique")]

    def __str__(self):
        return f"{self.user} @ {self.manufacturer}"
