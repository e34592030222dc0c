"""Interval data and what hangs off a meter: settings, manual readings, weather, live values, CIM exports.

`MeterDay` is the big table: one row per meter and local day, its intervals packed (15 minutes or
one hour each; apps/metering/daystore.py), partitioned by month on PostgreSQL. It replaced a table
of one row per interval (93 bytes a reading; issue 21, docs/meter-storage.md).
"""

from __future__ import annotations

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.customers.public import DeliveryPoint, Meter


class Quality(models.IntegerChoices):
    """The quality status of a value (the original's clients treat any status above 3999 as bad data)."""

    Measured = 0, "Measured"
    Estimated = 1, "Estimated"
    Missing = 4000, "Missing"


class Resolution(models.IntegerChoices):
    """The original's ConsumptionSeriesResolution, plus QuarterHour and Week."""

    # Labels are the wire names, so the schema names each value (x-enum-varnames).
    None_ = 0, "None"
    QuarterHour = 5, "QuarterHour"
    Hour = 7, "Hour"
    Day = 20, "Day"
    Week = 30, "Week"
    Month = 40, "Month"
    Year = 50, "Year"


INTERVAL_MINUTES = (15, 60)


class MeterDay(models.Model):
    """One meter's intervals of one local day (Europe/Oslo), packed (apps/metering/daystore.py).

    `values`: the day's Wh as little-endian int32 (int64 when one does not fit), an absent interval
    holding the sentinel; `statuses`: None when every interval is measured, else the status change
    points; `total`: the Wh of the intervals with a status below 4000, None when there is none.
    Every interval of a row is `minutes` long. On PostgreSQL the table is partitioned by month of
    `day` (migration 0004, apps/metering/partitions.py); docs/meter-storage.md has the measurements.
    Written only through services.load_intervals, which merges pieces of days.
    """

    pk = models.CompositePrimaryKey("meter_id", "day")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, related_name="+", db_index=False)
    total = models.BigIntegerField(null=True)
    day = models.DateField()
    minutes = models.PositiveSmallIntegerField()
    values = models.BinaryField()
    statuses = models.BinaryField(null=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(minutes__in=INTERVAL_MINUTES), name="metering_meterday_minutes"),
        ]

    def __str__(self):
        return f"{self.meter_id} {self.day} ({self.minutes} min)"


class MeterSettings(models.Model):
    """The building behind a meter (GET/POST .../settings) and the weather station it uses."""

    meter = models.OneToOneField(Meter, on_delete=models.CASCADE, primary_key=True, related_name="metering_settings")
    name = models.CharField(max_length=100, blank=True)
    building_year = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1600), MaxValueValidator(2100)]
    )
    heating_area = models.PositiveIntegerField(
        null=True, blank=True, help_text="Heated area in m².", validators=[MinValueValidator(1)]
    )
    residents = models.PositiveSmallIntegerField(null=True, blank=True, validators=[MaxValueValidator(50)])
    weather_station = models.ForeignKey(
        "WeatherStation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "meter settings"

    def __str__(self):
        return f"settings of {self.meter_id}"


class ManualReading(models.Model):
    """A register reading the customer typed in for a delivery point (POST .../readings)."""

    delivery_point = models.ForeignKey(DeliveryPoint, on_delete=models.CASCADE, related_name="manual_readings")
    meter = models.ForeignKey(Meter, null=True, on_delete=models.SET_NULL, related_name="+")
    reading_date = models.DateField()
    value = models.PositiveBigIntegerField()
    consumption = models.PositiveBigIntegerField(null=True, blank=True, help_text="Since the previous reading.")
    reader = models.CharField(max_length=50, default="Customer")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reading_date", "-id"]
        indexes = [models.Index(fields=["delivery_point", "-reading_date", "-id"], name="metering_reading_dp_date")]

    def __str__(self):
        return f"{self.delivery_point_id} {self.reading_date} {self.value}"


class WeatherStation(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="The weather service's station id, e.g. SN18700.")
    name = models.CharField(max_length=100)
    latitude = models.FloatField()
    longitude = models.FloatField()
    price_area = models.CharField(max_length=3, choices=DeliveryPoint.PriceArea.choices, blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class WeatherObservation(models.Model):
    """Hourly air temperature at a station (°C)."""

    pk = models.CompositePrimaryKey("station_id", "observed_at")
    station = models.ForeignKey(WeatherStation, on_delete=models.CASCADE, related_name="+", db_index=False)
    observed_at = models.DateTimeField()
    temperature = models.FloatField()

    def __str__(self):
        return f"{self.station_id} {self.observed_at:%Y-%m-%d %H:%M} {self.temperature}"


class TimeSeriesType(models.IntegerChoices):
    """What a live or summary value measures."""

    None_ = 0, "None"  # the original's enum has a 0 member (contract.md); no value is stored as it
    HourlyConsumption = 1, "HourlyConsumption"  # kWh in one hour (= mean kW over the hour)
    ActivePower = 2, "ActivePower"  # kW, momentary (HAN port / near-real-time)
    ActiveEnergy = 3, "ActiveEnergy"  # kWh, the register


class LiveValue(models.Model):
    """The latest near-real-time value of an object (a meter id, usually) and type, as posted to api/signalr."""

    object_key = models.CharField(max_length=64)
    type = models.PositiveSmallIntegerField(choices=TimeSeriesType.choices)
    value_time = models.DateTimeField()
    value = models.FloatField()
    received_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["object_key", "type"], name="metering_live_value_unique")]

    def __str__(self):
        return f"{self.object_key}/{self.type} {self.value} at {self.value_time:%Y-%m-%d %H:%M:%S}"


class WattmeterType(models.IntegerChoices):
    """How the app shows the wattmeter: against the month's maximum, or against the subscribed capacity step."""

    MaxMonth = 1, "MaxMonth"  # no 0 member: the original's smallest is 1 (contract.md)
    SubscribedPower = 2, "SubscribedPower"


class CimExportStatus(models.IntegerChoices):
    Started = 1, "Started"
    Succeeded = 2, "Succeeded"
    PartlySucceeded = 3, "PartlySucceeded"
    Failed = 4, "Failed"


class CimExportLog(models.Model):
    """One day's export of metering values to the billing system (the main export log)."""

    correlation_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    export_date = models.DateField(unique=True, help_text="The local (Europe/Oslo) day whose values are exported.")
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(choices=CimExportStatus.choices, default=CimExportStatus.Started)
    sub_export_count = models.PositiveIntegerField(default=0)
    meter_count = models.PositiveIntegerField(default=0)
    value_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-period_start"]
        indexes = [models.Index(fields=["period_start"], name="metering_cim_period_start")]

    def __str__(self):
        return f"CIM export {self.export_date} ({self.get_status_display()})"


class CimSubExportLog(models.Model):
    """One file of a day's export: a batch of meters."""

    export = models.ForeignKey(CimExportLog, on_delete=models.CASCADE, related_name="sub_exports")
    sequence_no = models.PositiveIntegerField()
    file_name = models.CharField(max_length=200)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(choices=CimExportStatus.choices, default=CimExportStatus.Started)
    meter_count = models.PositiveIntegerField(default=0)
    value_count = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0, help_text="Meters with missing values (the mernoErr file).")
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["export", "sequence_no"]
        constraints = [
            models.UniqueConstraint(fields=["export", "sequence_no"], name="metering_cim_sub_export_unique"),
        ]
        indexes = [models.Index(fields=["started_at"], name="metering_cim_sub_started")]

    def __str__(self):
        return self.file_name


class MeterConsumption(Meter):
    """The admin's view of a meter's consumption (a proxy: no table of its own)."""

    class Meta:
        proxy = True
        verbose_name = "meter consumption"
        verbose_name_plural = "meter consumption"
