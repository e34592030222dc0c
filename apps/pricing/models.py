"""Spot prices per bidding zone and interval, and the price plan of a contract.

`SpotPrice` holds one row per zone (EIC code) and interval: 15 minutes from delivery day
2025-10-01, one hour before. `SpotPriceDay` records that a delivery day of a zone is stored (from
which source, whether preliminary): it makes fetching idempotent and is what the admin lists.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from apps.customers.public import Contract

from . import conf


class SpotPriceDay(models.Model):
    area = models.CharField(max_length=16, help_text="EIC code of the bidding zone.")
    delivery_date = models.DateField(help_text="The market (CET) day.")
    resolution_minutes = models.PositiveSmallIntegerField()
    intervals = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=40)
    preliminary = models.BooleanField(default=False)
    fetched_at = models.DateTimeField()

    class Meta:
        ordering = ["-delivery_date", "area"]
        constraints = [models.UniqueConstraint(fields=["area", "delivery_date"], name="pricing_day_unique")]

    def __str__(self):
        return f"{self.area} {self.delivery_date}"


class SpotPriceFetchLock(models.Model):
    """One row per (zone, day) ever fetched on demand: the database lock of the fetch where the
    database has no advisory locks (spotprices._take_db_lock)."""

    area = models.CharField(max_length=16)
    delivery_date = models.DateField()
    locked_at = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "delivery_date"], name="pricing_fetch_lock_unique")]

    def __str__(self):
        return f"{self.area} {self.delivery_date}"


class SpotPrice(models.Model):
    area = models.CharField(max_length=16, help_text="EIC code of the bidding zone.")
    start_at = models.DateTimeField()
    end_at = models.DateTimeField()
    delivery_date = models.DateField()
    eur_per_mwh = models.DecimalField(max_digits=12, decimal_places=4)
    nok_per_kwh = models.DecimalField(max_digits=12, decimal_places=6)
    exchange_rate = models.DecimalField(max_digits=12, decimal_places=6, help_text="NOK per EUR.")
    preliminary = models.BooleanField(default=False)

    class Meta:
        ordering = ["area", "start_at"]
        constraints = [
            models.UniqueConstraint(fields=["area", "start_at"], name="pricing_spot_unique"),
            models.CheckConstraint(condition=Q(end_at__gt=models.F("start_at")), name="pricing_spot_ends_after_start"),
        ]
        indexes = [models.Index(fields=["area", "delivery_date"], name="pricing_spot_area_day")]

    def __str__(self):
        return f"{self.area} {self.start_at:%Y-%m-%d %H:%M} {self.nok_per_kwh}"


def default_capacity_steps():
    """Referenced by migration 0001 (the old default of PricePlan.capacity_steps); keep it."""
    return [list(step) for step in conf.DEFAULT_CAPACITY_STEPS]


class GridCalendar(models.TextChoices):
    """When a grid tariff's day rate applies (rules.py; docs/research table 6.2–6.6)."""

    WORKING_DAYS = "WORKING_DAYS", "Day rate on working days only (Elvia, BKK)"
    EVERY_DAY = "EVERY_DAY", "Day rate every day (Tensio, Glitre)"
    FLAT = "FLAT", "One flat rate (Lede)"


class PricePlan(models.Model):
    """What a contract pays per kWh: its product, markup or fixed price, and its grid tariff.

    A contract without a plan is priced with an unsaved `PricePlan(contract=...)`, i.e. the defaults.
    """

    class ProductType(models.IntegerChoices):
        Spot = 1, "Spot"
        Fixed = 2, "Fixed"
        Norgespris = 3, "Norgespris"

    contract = models.OneToOneField(Contract, on_delete=models.CASCADE, related_name="price_plan")
    product_type = models.PositiveSmallIntegerField(choices=ProductType.choices, default=ProductType.Spot)
    markup_nok_per_kwh = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        default=conf.DEFAULT_MARKUP_NOK_PER_KWH,
        help_text="Spot and Norgespris (the supplier's markup stays), ex VAT.",
    )
    fixed_price_nok_per_kwh = models.DecimalField(
        max_digits=8, decimal_places=5, null=True, blank=True, help_text="Fixed only, ex VAT."
    )
    monthly_fee_nok = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0))],
        help_text="Power contracts: the supplier's fixed monthly fee (fastbeløp), NOK ex VAT.",
    )
    grid_day_nok_per_kwh = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text="Net only, ex taxes and VAT. Empty: the default tariff's rate of the day (apps/pricing/tariffs.py).",
    )
    grid_night_nok_per_kwh = models.DecimalField(
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        help_text="Net only, ex taxes and VAT. Empty: the default tariff's rate of the day.",
    )
    grid_calendar = models.CharField(
        max_length=12,
        choices=GridCalendar.choices,
        blank=True,
        help_text="When the day rate applies (the grid company's rule). Empty: the default tariff's calendar.",
    )
    grid_day_starts_hour = models.PositiveSmallIntegerField(default=conf.DEFAULT_GRID_DAY_STARTS_HOUR)
    grid_day_ends_hour = models.PositiveSmallIntegerField(default=conf.DEFAULT_GRID_DAY_ENDS_HOUR)
    capacity_steps = models.JSONField(
        null=True,
        blank=True,
        help_text="[[from kW, to kW or null, NOK per month ex VAT], ...]. "
        "Empty: the default tariff's steps of the day.",
    )
    norgespris_from = models.DateField(
        null=True,
        blank=True,
        help_text="Norgespris only: the delivery day the agreement starts (not before 2025-10-01); "
        "empty = from 2025-10-01. Before it the electricity subsidy applies.",
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(product_type=2) | Q(fixed_price_nok_per_kwh__isnull=False),
                name="pricing_plan_fixed_has_price",
            ),
            models.CheckConstraint(
                condition=Q(grid_day_starts_hour__lte=models.F("grid_day_ends_hour")) & Q(grid_day_ends_hour__lte=24),
                name="pricing_plan_day_hours_valid",
            ),
            # Norgespris is not offered before delivery day 2025-10-01 (rates.NORGESPRIS).
            models.CheckConstraint(
                condition=Q(norgespris_from__isnull=True) | Q(norgespris_from__gte=dt.date(2025, 10, 1)),
                name="pricing_plan_norgespris_offered",
            ),
        ]

    def __str__(self):
        return f"{self.contract_id}: {self.get_product_type_display()}"

    def clean(self):
        from django.core.exceptions import ValidationError

        from . import rules

        if self.norgespris_from is not None and not rules.norgespris_offered(self.norgespris_from):
            raise ValidationError({"norgespris_from": "Norgespris is offered from 2025-10-01 to 2026-12-31."})

    @property
    def is_norgespris(self) -> bool:
        return self.product_type == self.ProductType.Norgespris

    def norgespris_applies(self, day: dt.date) -> bool:
        """A Norgespris plan on a day it is offered and its agreement has started."""
        from . import rules

        started = self.norgespris_from is None or self.norgespris_from <= day
        return self.is_norgespris and started and rules.norgespris_offered(day)

    def energy_price(self, spot_nok_per_kwh: Decimal | None) -> Decimal | None:
        """The supplier's energy price per kWh ex VAT (None when a spot price is needed and missing).

        Norgespris does not replace it: the customer keeps paying the spot price and markup, and the
        grid side settles Norgespris − spot (selectors)."""
        if self.product_type == self.ProductType.Fixed:
            return self.fixed_price_nok_per_kwh
        return spot_nok_per_kwh

    def grid_tariff_on(self, day: dt.date):
        """The grid tariff in force on `day`: the plan's own rates, the default tariff's for the rest."""
        from . import tariffs

        return tariffs.tariff_on(
            day,
            day_rate=self.grid_day_nok_per_kwh,
            night_rate=self.grid_night_nok_per_kwh,
            calendar=self.grid_calendar,
            capacity_steps=self.capacity_steps,
            day_starts_hour=self.grid_day_starts_hour,
            day_ends_hour=self.grid_day_ends_hour,
        )

    @property
    def markup(self) -> Decimal:
        return Decimal(0) if self.product_type == self.ProductType.Fixed else self.markup_nok_per_kwh


class ExchangeRate(models.Model):
    """The EUR/NOK rate used for a delivery day's ENTSO-E prices: Norges Bank's rate of that day, or
    of the last business day before it on weekends and holidays (`observed_on`)."""

    delivery_date = models.DateField(unique=True)
    nok_per_eur = models.DecimalField(max_digits=12, decimal_places=6)
    observed_on = models.DateField(help_text="The business day the rate was published for.")
    source = models.CharField(max_length=40)
    fetched_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-delivery_date"]
        constraints = [
            models.CheckConstraint(condition=Q(observed_on__lte=models.F("delivery_date")), name="pricing_exr_observed")
        ]

    def __str__(self):
        return f"{self.delivery_date}: {self.nok_per_eur} NOK/EUR ({self.observed_on})"


class InvoiceStatus(models.IntegerChoices):
    """The original's InvoiceStatusEnum (labels are the wire names)."""

    Unknown = 0, "Unknown"
    NotDue = 1, "NotDue"
    Postponed = 2, "Postponed"
    Credited = 3, "Credited"
    Unpaid = 4, "Unpaid"
    Paid = 5, "Paid"
    DunningSent = 6, "DunningSent"
    SentToInvoicingPartner = 7, "SentToInvoicingPartner"
    SentToCollection = 8, "SentToCollection"


class Invoice(models.Model):
    """One invoice of a contract for a billing period [period_start, period_end) in local dates.

    Made by `services.run_billing` from the costs of the contract's meters; `invoice_sum` is the
    sum of its lines. One invoice per contract and period (a repeated billing run finds it).
    """

    invoice_no = models.PositiveBigIntegerField(unique=True, null=True, blank=True, editable=False)
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="invoices")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="invoices")
    period_start = models.DateField()
    period_end = models.DateField(help_text="Exclusive.")
    invoice_date = models.DateField()
    due_date = models.DateField()
    invoice_type = models.CharField(max_length=40, default="Invoice")
    kid = models.CharField(max_length=25, blank=True, help_text="Norwegian payment reference (MOD10 check digit).")
    ledger_no = models.PositiveBigIntegerField(null=True, blank=True)
    consumption_kwh = models.DecimalField(max_digits=14, decimal_places=3, default=Decimal(0))
    invoice_sum = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    unpaid_sum = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal(0))
    status = models.PositiveSmallIntegerField(choices=InvoiceStatus.choices, default=InvoiceStatus.NotDue)
    credit_status = models.CharField(max_length=40, blank=True)
    dunning_is_sent = models.BooleanField(default=False)
    has_payment_agreement = models.BooleanField(default=False)
    postponeable = models.BooleanField(default=False)
    sent_to_debt_collection = models.BooleanField(default=False)
    sent_to_invoice_partner = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-invoice_date", "-invoice_no"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "period_start", "period_end"], name="pricing_invoice_period"),
            models.CheckConstraint(
                condition=Q(period_end__gt=models.F("period_start")), name="pricing_invoice_period_order"
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=models.F("invoice_date")), name="pricing_invoice_due_after"
            ),
            models.CheckConstraint(condition=Q(status__in=InvoiceStatus.values), name="pricing_invoice_status"),
        ]
        indexes = [models.Index(fields=["customer", "invoice_date"], name="pricing_invoice_customer_date")]

    def __str__(self):
        return f"{self.invoice_no} ({self.contract_id} {self.period_start:%Y-%m})"


class InvoiceLine(models.Model):
    class Kind(models.TextChoices):
        # A supplier's invoice (Power contracts).
        ENERGY = "ENERGY", "Energy"
        MARKUP = "MARKUP", "Markup"
        FEE = "FEE", "Fixed monthly fee"
        # A grid company's invoice (Net contracts).
        GRID_DAY = "GRID_DAY", "Grid energy part, day"
        GRID_NIGHT = "GRID_NIGHT", "Grid energy part, night and weekend"
        GRID_FLAT = "GRID_FLAT", "Grid energy part"
        CAPACITY = "CAPACITY", "Capacity charge"
        EL_TAX = "EL_TAX", "Electricity tax"
        ENOVA = "ENOVA", "Enova fee"
        SUBSIDY = "SUBSIDY", "Electricity subsidy incl. VAT compensation"
        NORGESPRIS = "NORGESPRIS", "Norgespris settlement incl. VAT"
        VAT = "VAT", "VAT"
        # Lines of invoices made before the two invoice kinds were split (not made any more).
        GRID = "GRID", "Grid tariff"
        TAXES = "TAXES", "Electricity tax and Enova fee"

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    description = models.CharField(max_length=200)
    quantity = models.DecimalField(max_digits=14, decimal_places=3, null=True, blank=True, help_text="kWh or months")
    unit = models.CharField(max_length=8, blank=True, help_text="kWh, month (blank: no quantity).")
    unit_price = models.DecimalField(
        max_digits=12, decimal_places=5, null=True, blank=True, help_text="NOK per unit (average): kWh or month."
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="NOK.")
    vat_rate = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="The VAT rate charged on this line's amount (VAT lines: the rate they are VAT at); empty: "
        "outside VAT (the subsidy and Norgespris carry their VAT compensation).",
    )
    details = models.JSONField(
        default=dict, blank=True, help_text="Figures behind the line (capacity step and peak hours), in no language."
    )

    class Meta:
        ordering = ["invoice", "line_no"]
        constraints = [models.UniqueConstraint(fields=["invoice", "line_no"], name="pricing_invoice_line_unique")]

    def __str__(self):
        return f"{self.invoice_id}/{self.line_no} {self.get_kind_display()} {self.amount}"
