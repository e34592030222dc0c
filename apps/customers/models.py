"""The ownership chain every other app hangs off (DESIGN.md §5).

User ─< CustomerAccess >─ Customer (one area) ─< Contract ─< DeliveryPoint ─< Meter
"""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from esmart.api.area import Area
from esmart.core.validators import validate_phone_number

gsrn = RegexValidator(r"^[0-9]{18}\Z", "A metering point id is 18 digits (GSRN).")


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
            ("live_values", "Can push live meter values (the metering head-end's integration account)"),
            # Being staff is for the admin alone: reading other users through the API needs this.
            ("support", "Can read other users' profiles, privileges and meters through the API"),
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
    phone_number = models.CharField(max_length=14, blank=True, validators=[validate_phone_number])
    mobile_number = models.CharField(max_length=14, blank=True, validators=[validate_phone_number])
    birth_date = models.DateField(null=True, blank=True)
    organization_no = models.CharField(max_length=20, blank=True)
    language = models.CharField(
        max_length=2,
        choices=[("nb", "Norsk bokmål"), ("en", "English")],
        default="nb",
        help_text="The language of the customer's invoices (PDF).",
    )
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
        # Adding or changing access rows in the admin needs this, not only change_user/change_customer.
        permissions = [("grant_customer_access", "Can grant a login access to a customer")]
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

    class ConsumerKind(models.TextChoices):
        """Who uses the point, as the tax, VAT, subsidy and Norgespris rules ask (apps/pricing/rules.py)."""

        HOUSEHOLD = "HOUSEHOLD", "Household (permanent residence)"
        HOLIDAY_HOME = "HOLIDAY_HOME", "Holiday home"
        BUSINESS = "BUSINESS", "Business"
        PUBLIC_ADMINISTRATION = "PUBLIC_ADMINISTRATION", "Public administration"

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="delivery_points")
    name = models.CharField(max_length=100, blank=True)
    metering_point_id = models.CharField(max_length=18, unique=True, validators=[gsrn])
    price_area = models.CharField(max_length=3, choices=PriceArea.choices)
    municipality_no = models.CharField(
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{4}\Z", "A municipality number has four digits.")],
        help_text="SSB municipality number of the point (any generation: 18xx, 19xx/20xx, 54xx, 55xx/56xx); "
        "decides VAT and electricity tax in the north. From the CIS, or set here.",
    )
    consumer_kind = models.CharField(
        max_length=24,
        choices=ConsumerKind.choices,
        blank=True,
        help_text="Blank: from the customer's type (private: household, business: business). A holiday home "
        "lived in permanently is a household.",
    )
    settlement_resolution = models.PositiveSmallIntegerField(
        choices=[(60, "Hourly"), (15, "Quarter-hourly")],
        default=60,
        help_text="How Elhub settles the point: hourly points pay each hour's mean of the quarter prices, "
        "quarter-hour points each quarter's price (docs/research/norwegian-pricing-rules.md 8.2).",
    )

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


class DeviceType(models.IntegerChoices):
    """What a smart-home device does (contract.md DeviceResponse.DeviceType; smallest member 1): the
    wire enum of the assets app's smart-home devices and of a delivery point's Device below."""

    LightsAndHeating = 1, "LightsAndHeating"
    EvCharger = 2, "EvCharger"
    Thermostat = 3, "Thermostat"
    SmartPlug = 4, "SmartPlug"
    WaterHeater = 5, "WaterHeater"
    HeatPump = 6, "HeatPump"
    Sensor = 7, "Sensor"
    HanReader = 8, "HanReader"


class Device(models.Model):
    """A controllable device at a delivery point, listed by contractdeliverypoints.

    Minimal on purpose: the EV and smart-home apps own the devices' behaviour; this row only says
    that a delivery point has a lights/heating controller or an EV charger.
    """

    class Kind(models.TextChoices):
        LIGHTS_AND_HEATING = "LIGHTS_AND_HEATING", "Lights and heating"
        EV_CHARGER = "EV_CHARGER", "EV charger"

    delivery_point = models.ForeignKey(DeliveryPoint, on_delete=models.CASCADE, related_name="devices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=100)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class CustomerAssociation(models.Model):
    """Another customer associated with this one; stored in both directions."""

    class Relation(models.IntegerChoices):
        SAME_PERSON = 1, "SamePerson"
        HOUSEHOLD_MEMBER = 2, "HouseholdMember"

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="associations")
    associate = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    relation = models.PositiveSmallIntegerField(choices=Relation.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["associate_id"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "associate"], name="customer_association_unique"),
            models.CheckConstraint(condition=~Q(customer=models.F("associate")), name="customer_association_not_self"),
        ]

    def __str__(self):
        return f"{self.customer_id} ↔ {self.associate_id} ({self.get_relation_display()})"


class App(models.Model):
    """A customer app (smartliv, rknett...): its terms, configuration and the product it adds."""

    short_name = models.SlugField(max_length=50, unique=True, help_text="Lower case; matched in any case.")
    name = models.CharField(max_length=100)
    product_code = models.CharField(
        max_length=40, blank=True, help_text="Product added to the user's contracts when the app is first used."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self):
        return self.short_name

    def save(self, *args, **kwargs):
        self.short_name = self.short_name.lower()
        super().save(*args, **kwargs)


class AppConfigParameter(models.Model):
    """One configuration value of an app; blank company/build mean "any" (the most specific wins)."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="config_parameters")
    company_short_name = models.CharField(max_length=50, blank=True, help_text="Blank: every company.")
    build = models.CharField(max_length=50, blank=True, help_text="Blank: every build.")
    key = models.CharField(max_length=100)
    value = models.TextField(blank=True)
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["app", "key", "company_short_name", "build"]
        constraints = [
            models.UniqueConstraint(
                fields=["app", "company_short_name", "build", "key"], name="app_config_parameter_unique"
            )
        ]

    def __str__(self):
        return f"{self.app} {self.company_short_name or '*'}/{self.build or '*'} {self.key}"

    def save(self, *args, **kwargs):
        self.company_short_name = self.company_short_name.lower()
        super().save(*args, **kwargs)


class TermsType(models.IntegerChoices):
    GENERAL = 1, "General"
    ADDITIONAL = 2, "Additional"
    EULA = 3, "Eula"


class TermsVersion(models.Model):
    """A published version of an app's terms; a newer version makes earlier acceptances stale."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="terms_versions")
    terms_type = models.PositiveSmallIntegerField(choices=TermsType.choices)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    url = models.URLField(blank=True)
    text = models.TextField(blank=True)
    published_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["app", "terms_type", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["app", "terms_type", "version"], name="terms_version_unique"),
            models.CheckConstraint(condition=Q(terms_type__in=TermsType.values), name="terms_version_type_valid"),
        ]

    def __str__(self):
        return f"{self.app} {self.get_terms_type_display()} v{self.version}"


class TermsAcceptance(models.Model):
    """Who accepted which version of an app's terms, and when.

    General and additional terms are accepted for the customer (meter is empty); the EULA is
    accepted by a user for each of the customer's meters. A reset keeps the row (reset_at set).
    """

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="terms_acceptances")
    terms_version = models.ForeignKey(TermsVersion, on_delete=models.PROTECT, related_name="acceptances")
    meter = models.ForeignKey(Meter, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    accepted_at = models.DateTimeField(default=timezone.now)
    reset_at = models.DateTimeField(null=True, blank=True)
    reset_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-accepted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "terms_version"],
                condition=Q(meter__isnull=True, reset_at__isnull=True),
                name="terms_acceptance_current_unique",
            ),
            models.UniqueConstraint(
                fields=["meter", "terms_version", "accepted_by"],
                condition=Q(meter__isnull=False, reset_at__isnull=True),
                name="eula_acceptance_current_unique",
            ),
        ]

    def __str__(self):
        return f"{self.customer_id}: {self.terms_version}"


class Feedback(models.Model):
    """Feedback sent from an app, about the customer relationship or about the system; staff answer it."""

    class Kind(models.TextChoices):
        CUSTOMER = "CUSTOMER", "Customer feedback"
        SYSTEM = "SYSTEM", "System feedback"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    customer = models.ForeignKey(Customer, on_delete=models.SET_NULL, null=True, blank=True, related_name="feedback")
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    app_name = models.CharField(max_length=50, blank=True)
    app_version = models.CharField(max_length=30, blank=True)
    platform = models.CharField(max_length=30, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    message = models.TextField(max_length=4000)
    created_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(blank=True, max_length=4000)
    answered_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "feedback"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="feedback_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(kind="SYSTEM") | Q(customer__isnull=False), name="feedback_customer_has_customer"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class AppUsage(models.Model):
    """That a user uses an app for a customer (POST tracking); one row per (user, customer, app)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="app_usages")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="app_usages")
    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="usages")
    first_event = models.CharField(max_length=50)
    first_used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-first_used_at"]
        constraints = [models.UniqueConstraint(fields=["user", "customer", "app"], name="app_usage_unique")]

    def __str__(self):
        return f"{self.user} uses {self.app}"


class ContractProduct(models.Model):
    """A product on a contract in the customer information system (added when an app is first used)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="products")
    product_code = models.CharField(max_length=40)
    app = models.ForeignKey(App, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["contract", "product_code"]
        constraints = [models.UniqueConstraint(fields=["contract", "product_code"], name="contract_product_unique")]

    def __str__(self):
        return f"{self.contract.contract_no}: {self.product_code}"
