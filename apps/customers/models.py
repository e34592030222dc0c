"""The ownership chain every other app hangs off (DESIGN.md §5).

User ─< CustomerAccess >─ Customer (one area) ─< Contract ─< DeliveryPoint ─< Meter
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from esmart.api.area import Area

digits_only = RegexValidator(r"^\d*$", "Only digits are allowed.")
gsrn = RegexValidator(r"^\d{18}$", "A metering point id is 18 digits (GSRN).")


class User(AbstractUser):
    """A login of the customer information system (or a staff member)."""

    class Meta:
        db_table = "customers_user"


class Privilege(models.Model):
    """Holds the API's privileges as Django permissions; grant them to users or groups."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("cim_export", "Can read CIM export logs and download their files"),
            ("professional", "Can use the professional asset and component endpoints"),
            ("care", "Can work with care assignments, clients and equipment"),
            ("push_send", "Can send push notifications to app users"),
            ("demand_response", "Can manage demand-response control plans"),
        ]

    def __str__(self):
        return "API privileges"


class AddressFields(models.Model):
    """An address in the customer information system's form (the wire's ElwAddress)."""

    address_text = models.CharField(max_length=200, blank=True)
    co_address = models.CharField(max_length=200, blank=True)
    house_no = models.CharField(max_length=10, blank=True)
    house_letter = models.CharField(max_length=5, blank=True)
    entrance = models.CharField(max_length=10, blank=True)
    floor = models.CharField(max_length=10, blank=True)
    po_box = models.PositiveIntegerField(null=True, blank=True)
    zip_code = models.CharField(max_length=10, blank=True)
    city = models.CharField(max_length=100, blank=True)
    country_code = models.CharField(max_length=2, default="NO")
    address_is_editable = models.BooleanField(default=False)

    class Meta:
        abstract = True


class Customer(AddressFields):
    class CustomerType(models.TextChoices):
        PRIVATE = "PRIVATE", "Private"
        BUSINESS = "BUSINESS", "Business"

    area = models.PositiveSmallIntegerField(choices=Area.choices)
    customer_type = models.CharField(max_length=20, choices=CustomerType.choices, default=CustomerType.PRIVATE)
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(max_length=100, blank=True)
    phone_number = models.CharField(max_length=14, blank=True, validators=[digits_only])
    mobile_number = models.CharField(max_length=14, blank=True, validators=[digits_only])
    birth_date = models.DateField(null=True, blank=True)
    organization_no = models.CharField(max_length=20, blank=True)
    pin = models.CharField(max_length=20, blank=True, help_text="Personal identification number.")
    is_broadband_customer = models.BooleanField(default=False)
    is_district_heating_customer = models.BooleanField(default=False)
    requires_profile_confirmation = models.BooleanField(default=False)
    users = models.ManyToManyField(User, through="CustomerAccess", related_name="customers")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["phone_number"]), models.Index(fields=["mobile_number"])]
        constraints = [models.CheckConstraint(condition=Q(area__in=Area.values), name="customer_area_valid")]

    def __str__(self):
        return f"{self.id} {self.first_name} {self.last_name} ({self.get_area_display()})"

    @property
    def is_net_customer(self) -> bool:
        return self.area == Area.NET

    @property
    def is_power_customer(self) -> bool:
        return self.area == Area.POWER


class CustomerAccess(models.Model):
    """A login's right to see and act for a customer."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="customer_accesses")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="accesses")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "customer accesses"
        constraints = [models.UniqueConstraint(fields=["user", "customer"], name="customer_access_unique")]

    def __str__(self):
        return f"{self.user} → {self.customer_id}"


class Contract(models.Model):
    class Product(models.TextChoices):
        POWER = "POWER", "Power"
        NET = "NET", "Net"
        BROADBAND = "BROADBAND", "Broadband"
        DISTRICT_HEATING = "DISTRICT_HEATING", "District heating"
        GAS = "GAS", "Gas"
        HEAT_PUMP = "HEAT_PUMP", "Heat pump"
        TAP_WATER = "TAP_WATER", "Tap water"

    ENERGY_PRODUCTS = frozenset({Product.POWER, Product.NET, Product.DISTRICT_HEATING, Product.GAS})

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contracts")
    contract_no = models.PositiveBigIntegerField(unique=True)
    ledger_no = models.PositiveBigIntegerField(null=True, blank=True)
    product = models.CharField(max_length=20, choices=Product.choices)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["contract_no"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_start",
            )
        ]

    def __str__(self):
        return f"{self.contract_no} ({self.get_product_display()})"

    @property
    def is_active(self) -> bool:
        today = timezone.localdate()
        return self.start_date <= today and (self.end_date is None or self.end_date >= today)


class DeliveryPoint(AddressFields):
    class PriceArea(models.TextChoices):
        NO1 = "NO1", "NO1 Oslo"
        NO2 = "NO2", "NO2 Kristiansand"
        NO3 = "NO3", "NO3 Trondheim"
        NO4 = "NO4", "NO4 Tromsø"
        NO5 = "NO5", "NO5 Bergen"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="delivery_points")
    name = models.CharField(max_length=100, blank=True)
    metering_point_id = models.CharField(max_length=18, unique=True, validators=[gsrn])
    price_area = models.CharField(max_length=3, choices=PriceArea.choices)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.metering_point_id} {self.name}"


class Meter(models.Model):
    class Kind(models.TextChoices):
        ELECTRICITY = "ELECTRICITY", "Electricity"
        WATER = "WATER", "Water"
        DISTRICT_HEATING = "DISTRICT_HEATING", "District heating"

    delivery_point = models.ForeignKey(DeliveryPoint, on_delete=models.CASCADE, related_name="meters")
    meter_id = models.CharField(max_length=40, unique=True, help_text="The public id used in API paths.")
    meter_no = models.CharField(max_length=40, blank=True, help_text="The serial number on the device.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ELECTRICITY)
    time_zone = models.CharField(max_length=50, default="Europe/Oslo")
    has_wattmeter = models.BooleanField(default=False)
    installed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.meter_id
