"""Type-specific details of device-like assets: gateways, smart-home devices and their latest
values, counters, chargers, charging stations, SIM cards and weather stations.

Each detail row hangs off its `Asset` with a one-to-one primary key, so its pk *is* the AssetId.
Links between them (a gateway controls a device, a station supplies its chargers, a SIM card
connects a gateway) are the graph's typed `AssetRelation`s, read through `apps.assets.devices`.
Enum values are explicit and travel on the wire; the smallest members follow contract.md
(DeviceType 1, IoTStatus 0, TimeSeriesTypeClass 1, ValueUnit 0).
"""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from apps.customers.public import DeviceType  # the wire enum of every device, customers' too
from apps.pricing.public import UnknownAreaError, zone
from esmart.core.validators import is_ascii_digits

from .graph import Asset

__all__ = [
    "DeviceType",
    "IoTStatus",
    "GatewayClass",
    "TimeSeriesTypeClass",
    "ValueSubCategory",
    "ValueUnit",
    "CounterCategory",
    "ConnectorType",
    "SimStatus",
    "GatewayConnectionState",
    "SmartHomeGateway",
    "SmartHomeDevice",
    "DeviceValue",
    "Counter",
    "ChargingStation",
    "Charger",
    "SimCard",
    "WeatherStationAsset",
    "AggregationPoint",
    "FIRMWARE_VERSION",
    "METERING_POINT_ID",
]

# A firmware version as gateways report it: 1 to 4 dot-separated numbers and an optional build tag.
FIRMWARE_VERSION = RegexValidator(
    r"^[0-9]{1,5}(\.[0-9]{1,5}){0,3}([-+][0-9A-Za-z.]{1,30})?\Z", "A firmware version looks like 2.14.1 or 2.14.1-rc2."
)


def _gsrn_check_digit_is_valid(value: str) -> bool:
    """GS1 mod-10: from the right, the digits before the check digit weigh 3, 1, 3, ..."""
    digits = [int(c) for c in value]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits[:-1])))
    return (10 - total % 10) % 10 == digits[-1]


def validate_metering_point_id(value: str) -> None:
    """A Norwegian metering point id (GSRN): 18 digits, 7070575 first, a valid GS1 check digit."""
    if not (len(value) == 18 and is_ascii_digits(value) and value.startswith("7070575")):
        raise ValidationError("A metering point id is 18 digits starting with 7070575.")
    if not _gsrn_check_digit_is_valid(value):
        raise ValidationError("The metering point id's check digit is wrong.")


METERING_POINT_ID = validate_metering_point_id


def validate_bidding_zone(value: str) -> None:
    """A day-ahead bidding zone's short code (NO1, SE3, DE-LU...), as pricing knows them."""
    try:
        found = zone(value)
    except UnknownAreaError:
        raise ValidationError(f"Unknown bidding zone {value!r}: use a code such as NO1.") from None
    if found.code != value:
        raise ValidationError(f"Use the bidding zone's short code {found.code!r}.")


class IoTStatus(models.IntegerChoices):
    """A gateway's life cycle (contract.md IoTGateway.Status; has 0)."""

    Registered = 0, "Registered"  # provisioned, not yet seen online
    Active = 1, "Active"
    Inactive = 2, "Inactive"
    Decommissioned = 3, "Decommissioned"


class GatewayClass(models.IntegerChoices):
    """The kind of gateway hardware (IoTGateway.GatewayClassId)."""

    SmartHub = 1, "SmartHub"
    HanGateway = 2, "HanGateway"
    ChargerController = 3, "ChargerController"
    IndustrialRtu = 4, "IndustrialRtu"


class TimeSeriesTypeClass(models.IntegerChoices):
    """What a value measures (TimeSeriesValueExtended.ValueCategory; smallest member 1).

    1 is interval consumption and 100 an accumulated register, as the original's clients read them.
    """

    Consumption = 1, "Consumption"
    Power = 2, "Power"
    Temperature = 3, "Temperature"
    OnOff = 4, "OnOff"
    StateOfCharge = 5, "StateOfCharge"
    Humidity = 6, "Humidity"
    AccumulatedRegister = 100, "AccumulatedRegister"


class ValueSubCategory(models.IntegerChoices):
    """Which reading of a category (smallest member 1)."""

    Actual = 1, "Actual"
    Setpoint = 2, "Setpoint"
    Minimum = 3, "Minimum"
    Maximum = 4, "Maximum"


class ValueUnit(models.IntegerChoices):
    """The unit of a value (has 0)."""

    NoUnit = 0, "None"
    KWh = 1, "kWh"
    KW = 2, "kW"
    Celsius = 3, "Celsius"
    Percent = 4, "Percent"
    CubicMetre = 5, "CubicMetre"
    Watt = 6, "W"


class CounterCategory(models.IntegerChoices):
    """What a counter counts (api/assets/counters/categories/{category})."""

    Electricity = 1, "Electricity"
    Water = 2, "Water"
    DistrictHeating = 3, "DistrictHeating"
    DistrictCooling = 4, "DistrictCooling"
    Gas = 5, "Gas"
    Temperature = 6, "Temperature"


class ConnectorType(models.IntegerChoices):
    Type2 = 1, "Type2"
    Ccs = 2, "CCS"
    Chademo = 3, "CHAdeMO"
    Schuko = 4, "Schuko"
    Type1 = 5, "Type1"


class GatewayConnectionState(models.IntegerChoices):
    """Whether the gateway is talking to the backend, as last reported (has 0)."""

    Unknown = 0, "Unknown"
    Online = 1, "Online"
    Offline = 2, "Offline"


class SimStatus(models.IntegerChoices):
    Inactive = 0, "Inactive"
    Active = 1, "Active"
    Suspended = 2, "Suspended"
    Terminated = 3, "Terminated"


def _details(related_name: str):
    return models.OneToOneField(Asset, on_delete=models.CASCADE, primary_key=True, related_name=related_name)


class SmartHomeGateway(models.Model):
    """A smart-home or HAN gateway (the original's IoTGateway). Its token is stored as a digest only."""

    asset = _details("gateway")
    gateway_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False, help_text="IoTGateway.Id")
    gateway_class = models.PositiveSmallIntegerField(choices=GatewayClass.choices, default=GatewayClass.SmartHub)
    status = models.PositiveSmallIntegerField(choices=IoTStatus.choices, default=IoTStatus.Registered)
    logging_is_on = models.BooleanField(default=False)
    data_provider_id = models.PositiveIntegerField(null=True, blank=True)
    # SHA-256 of the access token (256 random bits, so a fast digest is enough); never returned.
    token_digest = models.CharField(max_length=64, blank=True, editable=False)
    token_expiry = models.DateTimeField(null=True, blank=True)
    firmware_version = models.CharField(max_length=50, blank=True, validators=[FIRMWARE_VERSION])
    connection_state = models.PositiveSmallIntegerField(
        choices=GatewayConnectionState.choices, default=GatewayConnectionState.Unknown
    )
    last_seen_at = models.DateTimeField(null=True, blank=True, help_text="When the gateway last reported in.")

    class Meta:
        indexes = [models.Index(fields=["status"], name="assets_gateway_status")]

    def __str__(self):
        return f"Gateway {self.asset_id} ({self.get_status_display()})"


class SmartHomeDevice(models.Model):
    """A controllable or measuring device behind a gateway (the original's DeviceResponse)."""

    asset = _details("device")
    device_type = models.PositiveSmallIntegerField(choices=DeviceType.choices, db_index=True)
    rated_power_kw = models.DecimalField(
        max_digits=7,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(1000)],
        help_text="The device's rated (nameplate) power, kW.",
    )

    def __str__(self):
        return f"Device {self.asset_id} ({self.get_device_type_display()})"


class DeviceValue(models.Model):
    """The latest value a device reported per category and sub-category (TimeSeriesValueExtended)."""

    device = models.ForeignKey(SmartHomeDevice, on_delete=models.CASCADE, related_name="values")
    value_category = models.PositiveSmallIntegerField(choices=TimeSeriesTypeClass.choices)
    value_sub_category = models.PositiveSmallIntegerField(choices=ValueSubCategory.choices, default=1)
    value_unit = models.PositiveSmallIntegerField(choices=ValueUnit.choices, default=ValueUnit.NoUnit)
    value_time = models.DateTimeField()
    value = models.DecimalField(max_digits=14, decimal_places=4)

    class Meta:
        ordering = ["value_category", "value_sub_category"]
        constraints = [
            models.UniqueConstraint(
                fields=["device", "value_category", "value_sub_category"], name="assets_devicevalue_latest"
            )
        ]

    def __str__(self):
        return f"{self.device_id} {self.get_value_category_display()} {self.value}"


class Counter(models.Model):
    """A sub-meter or pulse counter with its category and latest reading."""

    asset = _details("counter")
    category = models.PositiveSmallIntegerField(choices=CounterCategory.choices, db_index=True)
    unit = models.PositiveSmallIntegerField(choices=ValueUnit.choices, default=ValueUnit.KWh)
    reading = models.DecimalField(max_digits=16, decimal_places=3, null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Counter {self.asset_id} ({self.get_category_display()})"


class ChargingStation(models.Model):
    """A site with chargers; its chargers are the children of `Supplies` relations."""

    asset = _details("charging_station")
    operator = models.CharField(max_length=100, blank=True)
    is_public = models.BooleanField(default=False)

    def __str__(self):
        return f"Charging station {self.asset_id}"


class Charger(models.Model):
    """An EV charge point."""

    asset = _details("charger")
    max_power_kw = models.DecimalField(
        max_digits=6, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    connectors = models.PositiveSmallIntegerField(default=1, validators=[MinValueValidator(1), MaxValueValidator(16)])
    connector_type = models.PositiveSmallIntegerField(choices=ConnectorType.choices, default=ConnectorType.Type2)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(connectors__gte=1), name="assets_charger_connectors")]

    def __str__(self):
        return f"Charger {self.asset_id} ({self.max_power_kw} kW)"


class SimCard(models.Model):
    """A SIM card; the gateway it connects is the child of its `Communicates` relation."""

    asset = _details("sim_card")
    iccid = models.CharField(
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^89[0-9]{17,18}\Z", "An ICCID is 19 or 20 digits starting with 89.")],
    )
    msisdn = models.CharField(
        max_length=15, blank=True, validators=[RegexValidator(r"^[0-9]{8,15}\Z", "An MSISDN is 8 to 15 digits.")]
    )
    imsi = models.CharField(
        max_length=15, blank=True, validators=[RegexValidator(r"^[0-9]{15}\Z", "An IMSI is 15 digits.")]
    )
    operator = models.CharField(max_length=100, blank=True)
    status = models.PositiveSmallIntegerField(choices=SimStatus.choices, default=SimStatus.Active)

    def __str__(self):
        return f"SIM {self.iccid}"


class WeatherStationAsset(models.Model):
    """Links a weather-station asset to metering's station, whose observations it reads."""

    asset = _details("weather_station")
    station = models.OneToOneField("metering.WeatherStation", on_delete=models.PROTECT, related_name="asset_link")

    def __str__(self):
        return f"Weather station {self.asset_id} ({self.station_id})"


class AggregationPoint(models.Model):
    """A point where the consumption of the meters below it is summed: a settlement or flexibility
    portfolio of one bidding zone, with its own metering point id and capacity limit."""

    asset = _details("aggregation_point")
    metering_point_id = models.CharField(
        max_length=18, blank=True, validators=[METERING_POINT_ID], help_text="Its GSRN, when it has one."
    )
    bidding_zone = models.CharField(
        max_length=10, blank=True, validators=[validate_bidding_zone], help_text="The day-ahead bidding zone, e.g. NO1."
    )
    max_capacity_kw = models.DecimalField(
        max_digits=10,
        decimal_places=3,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(10_000_000)],
        help_text="The capacity the aggregated load must stay under, kW.",
    )
    flexibility_enabled = models.BooleanField(default=False, help_text="Whether flex may control what is below it.")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["metering_point_id"],
                condition=~Q(metering_point_id=""),
                name="assets_aggregationpoint_gsrn_unique",
            )
        ]

    def __str__(self):
        return f"Aggregation point {self.asset_id}"
