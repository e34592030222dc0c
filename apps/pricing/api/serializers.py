"""Wire DTOs of the pricing app (snake_case here, PascalCase on the wire)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rest_framework import serializers

from apps.metering.public import EARLIEST, LATEST, Quality, Resolution, TimeZoneField
from esmart.api.fields import EnumField
from esmart.api.output import Read
from esmart.api.query import AspNetBooleanField

from .. import conf, links, selectors, spotprices
from ..adapters.base import market_date, market_day_bounds
from ..areas import UnknownAreaError, zone
from ..models import InvoiceStatus, PricePlan

RANGE_REVERSED = "ToTimeUtc must be after FromTimeUtc."


def _range_checked(attrs: dict, *, default_from: dt.datetime) -> dict:
    """Fills in the default range (the current market day) and checks bounds, order and length.

    The bounds come first: a range in year 1 or 9999 is a 400, not an OverflowError."""
    from_time = attrs.get("from_time_utc")
    if from_time is None:
        from_time = default_from
    for name, moment in (("from_time_utc", from_time), ("to_time_utc", attrs.get("to_time_utc"))):
        if moment is not None and not EARLIEST <= moment <= LATEST:
            raise serializers.ValidationError({name: ["The time must lie between 1970 and 2200."]})
    to_time = attrs.get("to_time_utc") or from_time + dt.timedelta(days=1)
    if to_time <= from_time:
        raise serializers.ValidationError({"to_time_utc": [RANGE_REVERSED]})
    limit = conf.PRICING_MAX_RANGE_DAYS
    if to_time - from_time > dt.timedelta(days=limit):
        raise serializers.ValidationError({"to_time_utc": [f"The range may be at most {limit} days."]})
    attrs["from_time_utc"], attrs["to_time_utc"] = from_time, to_time
    return attrs


def _today_start() -> dt.datetime:
    return market_day_bounds(market_date(dt.datetime.now(dt.UTC)))[0]


FROM_HELP = "Start (UTC, inclusive). Default: the start of the current market day."
TO_HELP = "End (UTC, exclusive). Default: one day after fromTimeUtc; at most 31 days."
USE_CACHE_HELP = "false reads past the cache. Default true."


class SpotPricesQuerySerializer(serializers.Serializer):
    price_area = serializers.CharField(max_length=20, help_text="Bidding zone: NO1 … NO5, SE3, ... or an EIC code.")
    from_time_utc = serializers.DateTimeField(required=False, help_text=FROM_HELP)
    to_time_utc = serializers.DateTimeField(required=False, help_text=TO_HELP)
    include_preliminary = AspNetBooleanField(
        default=False, help_text="Include prices marked preliminary. Default false."
    )
    use_cache = AspNetBooleanField(default=True, help_text=USE_CACHE_HELP)

    def validate_price_area(self, value):
        try:
            return zone(value)
        except UnknownAreaError:
            raise serializers.ValidationError(
                f"Unknown price area {value!r}: use a bidding zone (NO1–NO5, SE1–SE4, ...) or its EIC code."
            ) from None

    def validate(self, attrs):
        attrs = _range_checked(attrs, default_from=_today_start())
        # Only served zones and days from the first supported day to tomorrow, before any fetch.
        zone_ = attrs["price_area"]
        if not spotprices.is_served(zone_):
            served = ", ".join(conf.SERVED_AREAS)
            raise serializers.ValidationError({"price_area": [f"{zone_.code} is not served here ({served})."]})
        first, last = spotprices.fetchable_days()
        days_from = market_date(attrs["from_time_utc"])
        days_to = market_date(attrs["to_time_utc"] - dt.timedelta(microseconds=1))
        if days_from < first or days_to > last:
            raise serializers.ValidationError(
                {"from_time_utc": [f"Spot prices are available for delivery days {first} to {last} (tomorrow)."]}
            )
        return attrs


class HourPricesQuerySerializer(serializers.Serializer):
    from_time_utc = serializers.DateTimeField(required=False, help_text=FROM_HELP)
    to_time_utc = serializers.DateTimeField(required=False, help_text=TO_HELP)
    use_cache = AspNetBooleanField(default=True, help_text=USE_CACHE_HELP)

    def validate(self, attrs):
        return _range_checked(attrs, default_from=_today_start())


class SpotPriceValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField(help_text="Start of the interval, UTC.")
    value = serializers.FloatField(allow_null=True, help_text="NOK/kWh, excluding VAT.")
    status = EnumField(Quality)
    eur_per_mwh = serializers.FloatField(help_text="The market price in EUR/MWh.")
    exchange_rate = serializers.FloatField(help_text="NOK per EUR used for Value.")
    preliminary = serializers.BooleanField()

    class Meta:
        ref_name = "SpotPriceValue"


@dataclass(frozen=True)
class SpotSeriesRead(Read):
    zone: object  # areas.BiddingZone
    from_time: dt.datetime
    to_time: dt.datetime
    include_preliminary: bool
    use_cache: bool
    wires: dict | None = None  # each day's wire form as services.spot_day_wires read it (the fast path's input)

    def arguments(self) -> dict:
        return {
            "zone": self.zone,
            "from_time": self.from_time,
            "to_time": self.to_time,
            "include_preliminary": self.include_preliminary,
            "use_cache": self.use_cache,
        }

    def result(self) -> dict:
        return selectors.spot_series(**self.arguments())


def _spot_series_bytes(read: SpotSeriesRead) -> bytes:
    """The series spliced from each day's cached wire bytes (spotwire.py), as the view read them."""
    return selectors.spot_series_json(**read.arguments(), wires=read.wires)


class SpotPriceSeriesSerializer(serializers.Serializer):
    fast_output = staticmethod(_spot_series_bytes)

    price_area = serializers.CharField(help_text="The bidding zone, e.g. NO1.")
    eic = serializers.CharField(help_text="The bidding zone's ENTSO-E EIC code.")
    currency = serializers.CharField()
    unit = serializers.CharField()
    resolution = EnumField(
        Resolution,
        help_text="QuarterHour from delivery day 2025-10-01, Hour before; a range across that day holds both "
        "(Resolution is then the finer one).",
    )
    values = SpotPriceValueSerializer(many=True)

    class Meta:
        ref_name = "SpotPriceSeries"


class HourPriceValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField(help_text="Start of the hour, UTC.")
    value = serializers.FloatField(allow_null=True, help_text="NOK per kWh including VAT (the sum of the parts).")
    status = EnumField(Quality, help_text="Missing when the spot price is not known.")
    spot_price = serializers.FloatField(allow_null=True, help_text="The area's spot price, NOK/kWh ex VAT.")
    energy = serializers.FloatField(allow_null=True, help_text="Spot, fixed or Norgespris, NOK/kWh ex VAT.")
    markup = serializers.FloatField(allow_null=True)
    grid = serializers.FloatField(allow_null=True, help_text="Net contracts: the grid tariff's energy part.")
    taxes = serializers.FloatField(allow_null=True, help_text="Net contracts: electricity tax and Enova fee.")
    subsidy = serializers.FloatField(
        allow_null=True, help_text="Net contracts, households: electricity subsidy incl. its VAT compensation (≤ 0)."
    )
    norgespris = serializers.FloatField(
        allow_null=True, help_text="Net contracts on Norgespris: the settlement Norgespris − spot, incl. VAT."
    )
    vat = serializers.FloatField(allow_null=True, help_text="VAT on energy, markup, grid and taxes.")

    class Meta:
        ref_name = "HourPriceValue"


class CapacityStepSerializer(serializers.Serializer):
    metering_point_id = serializers.CharField(help_text="Capacity is computed per metering point.")
    month = serializers.DateField(help_text="First day of the month (local).")
    average_peak_kw = serializers.FloatField(
        allow_null=True, help_text="Average of the month's three highest daily peaks; null without consumption."
    )
    from_kw = serializers.FloatField()
    to_kw = serializers.FloatField(allow_null=True)
    nok_per_month = serializers.FloatField(help_text="Excluding VAT.")
    nok_per_month_incl_vat = serializers.FloatField()

    class Meta:
        ref_name = "CapacityStep"


class ContractHourPricesSerializer(serializers.Serializer):
    contract_no = serializers.IntegerField()
    price_area = serializers.CharField()
    product_type = EnumField(PricePlan.ProductType)
    vat_rate = serializers.FloatField(
        allow_null=True,
        help_text="By the delivery point's municipality and consumer kind (0 for households in "
        "Nordland, Troms and Finnmark); null without published rates.",
    )
    unit = serializers.CharField()
    resolution = EnumField(Resolution)
    values = HourPriceValueSerializer(many=True)
    capacity_steps = CapacityStepSerializer(many=True, help_text="Net contracts: the grid tariff's capacity step.")

    class Meta:
        ref_name = "ContractHourPrices"


class CostValueSerializer(serializers.Serializer):
    value_time = serializers.DateTimeField(help_text="Start of the bucket, UTC.")
    value = serializers.FloatField(allow_null=True, help_text="NOK: the sum of the parts.")
    status = EnumField(Quality)
    consumption = serializers.FloatField(help_text="kWh priced in the bucket.")
    energy = serializers.FloatField()
    markup = serializers.FloatField()
    grid = serializers.FloatField(help_text="Net contracts: energy part and the capacity charge.")
    taxes = serializers.FloatField(help_text="Net contracts: electricity tax and Enova fee.")
    subsidy = serializers.FloatField(help_text="Net contracts: electricity subsidy incl. VAT compensation (≤ 0).")
    norgespris = serializers.FloatField(help_text="Net contracts on Norgespris: the settlement incl. VAT.")
    vat = serializers.FloatField(help_text="VAT on energy, markup, grid and taxes.")

    class Meta:
        ref_name = "CostValue"


class CostTotalsSerializer(serializers.Serializer):
    consumption = serializers.FloatField()
    value = serializers.FloatField()
    energy = serializers.FloatField()
    markup = serializers.FloatField()
    grid = serializers.FloatField()
    taxes = serializers.FloatField()
    subsidy = serializers.FloatField()
    norgespris = serializers.FloatField()
    vat = serializers.FloatField()

    class Meta:
        ref_name = "CostTotals"


class MeterCostsSerializer(serializers.Serializer):
    meter_id = serializers.CharField()
    contract_no = serializers.IntegerField()
    price_area = serializers.CharField()
    currency = serializers.CharField()
    unit = serializers.CharField()
    resolution = EnumField(Resolution)
    values = CostValueSerializer(many=True)
    totals = CostTotalsSerializer()

    class Meta:
        ref_name = "MeterCosts"


# --- Expense overview ------------------------------------------------------------------------------
class ExpenseOverviewRequestSerializer(serializers.Serializer):
    """The period of POST .../expenseoverview, in ConsumptionRequest's style (FromTime/ToTime, UTC)."""

    from_time = serializers.DateTimeField(help_text="UTC, inclusive; the month holding it is the first month.")
    to_time = serializers.DateTimeField(help_text="UTC, exclusive; the month holding its last moment is the last.")
    contract_no = serializers.IntegerField(required=False, help_text="Ignored: the path names the contract.")
    customer_id = serializers.IntegerField(required=False, help_text="Ignored: the path names the customer.")
    time_zone = TimeZoneField(
        required=False,
        max_length=64,
        help_text="IANA time zone that cuts the months; default the meter's (Europe/Oslo).",
    )

    class Meta:
        ref_name = "ExpenseOverviewRequest"

    def validate(self, attrs):
        from_time, to_time = attrs["from_time"], attrs["to_time"]
        if to_time <= from_time:
            raise serializers.ValidationError({"to_time": ["ToTime must be after FromTime."]})
        if from_time < EARLIEST or to_time > LATEST:
            raise serializers.ValidationError({"from_time": ["The range must lie between 1970 and 2200."]})
        limit = conf.EXPENSE_OVERVIEW_MAX_DAYS
        if to_time - from_time > dt.timedelta(days=limit):
            raise serializers.ValidationError({"to_time": [f"The range may be at most {limit} days."]})
        return attrs


class ExpenseMonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="First day of the month (local).")
    value_time = serializers.DateTimeField(help_text="Start of the month, UTC.")
    status = EnumField(Quality, help_text="4000 when nothing was priced.")
    consumption = serializers.FloatField(help_text="kWh priced in the month.")
    value = serializers.FloatField(allow_null=True, help_text="NOK: the sum of the parts; null when Status is 4000.")
    energy = serializers.FloatField()
    markup = serializers.FloatField()
    grid = serializers.FloatField(help_text="Net contracts: energy part and the capacity charge.")
    taxes = serializers.FloatField(help_text="Net contracts: electricity tax and Enova fee.")
    subsidy = serializers.FloatField(help_text="Net contracts: electricity subsidy incl. VAT compensation (≤ 0).")
    norgespris = serializers.FloatField(help_text="Net contracts on Norgespris: the settlement incl. VAT.")
    vat = serializers.FloatField(help_text="VAT on energy, markup, grid and taxes.")
    last_year_consumption = serializers.FloatField(allow_null=True, help_text="kWh of the same month a year before.")
    last_year_value = serializers.FloatField(
        allow_null=True, help_text="NOK of the same month a year before; null without data then."
    )
    change = serializers.FloatField(allow_null=True, help_text="Value − LastYearValue (NOK); null without both.")
    change_percent = serializers.FloatField(
        allow_null=True, help_text="Change in % of LastYearValue, one decimal; null without both (or when it is 0)."
    )

    class Meta:
        ref_name = "ExpenseMonth"


class ExpenseOverviewSerializer(serializers.Serializer):
    contract_no = serializers.IntegerField()
    currency = serializers.CharField()
    time_zone = serializers.CharField()
    months = ExpenseMonthSerializer(many=True)
    totals = CostTotalsSerializer(help_text="The months of the period added up.")

    class Meta:
        ref_name = "ExpenseOverview"


# --- Invoices (InvoiceResponse and InvoiceStatusEnum of contract.md) -----------------------------
class InvoiceResponseSerializer(serializers.Serializer):
    """Needs `request` and `area` in its context (for PdfUrl)."""

    credit_status = serializers.CharField()
    customer_id = serializers.IntegerField()
    due_date = serializers.DateField()
    dunning_is_sent = serializers.BooleanField()
    has_payment_agreement = serializers.BooleanField()
    invoice_date = serializers.DateField()
    invoice_no = serializers.CharField(help_text="The invoice number (digits), a string on the wire.")
    invoice_sum = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    invoice_type = serializers.CharField()
    kid = serializers.CharField(help_text="Norwegian payment reference (KID) with a MOD10 check digit.")
    ledger_no = serializers.IntegerField(allow_null=True)
    postponeable = serializers.BooleanField()
    sent_to_debt_collection = serializers.BooleanField()
    sent_to_invoice_partner = serializers.BooleanField()
    unpaid_sum = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=False)
    pdf_url = serializers.SerializerMethodField(
        help_text="A signed link to the PDF for the caller, valid 10 minutes; it carries no password."
    )
    invoice_status = EnumField(InvoiceStatus, source="status")

    class Meta:
        ref_name = "InvoiceResponse"

    def get_pdf_url(self, invoice) -> str:
        return links.pdf_url(
            request=self.context["request"],
            customer_id=invoice.customer_id,
            invoice_no=invoice.invoice_no,
            area=self.context["area"],
        )
