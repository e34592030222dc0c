"""Wire shapes of the flex app. `ControlPlanRequestTs` is contract.md's; `Controls`,
`SimpleTimeSeriesValue` and `DeviceResponse` are the original's building blocks; the rest follow
the same style (PascalCase, integer enums with explicit values, UTC datetimes)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.assets.public import TimeSeriesTypeClass
from esmart.api.fields import EnumField, StrictCharField, StrictIntegerField
from esmart.api.pagination import page_number_query

from ..baseline import KWH_PLACES
from ..models import (
    TS_TYPE_MINUTES,
    BaselineMethod,
    ControlPlan,
    ControlPlanRequestTsType,
    DayOfWeek,
    IntervalSource,
    SiteSettings,
)

MAX_REQUEST_VALUES = 31 * 96
MAX_CONTROLS = 1000


PlanPageQuery = page_number_query(default_size=20)


class RequestRangeQuery(serializers.Serializer):
    from_date = serializers.DateTimeField(required=False, help_text="UTC, inclusive; default now.")
    to_date = serializers.DateTimeField(required=False, help_text="UTC, exclusive; default now + 1 day.")


class ControlPlanIntervalSerializer(serializers.Serializer):
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    is_on = serializers.BooleanField()
    power_limit_kw = serializers.DecimalField(max_digits=7, decimal_places=2, coerce_to_string=False)
    source = EnumField(IntervalSource)
    price = serializers.DecimalField(max_digits=10, decimal_places=5, coerce_to_string=False, allow_null=True)
    is_declined = serializers.BooleanField(help_text="Taken out of the plan by a decline.")
    baseline = serializers.DecimalField(
        max_digits=14,
        decimal_places=KWH_PLACES,
        coerce_to_string=False,
        allow_null=True,
        help_text="kWh; after the period.",
    )
    measured = serializers.DecimalField(
        max_digits=14,
        decimal_places=KWH_PLACES,
        coerce_to_string=False,
        allow_null=True,
        help_text="kWh; after the period.",
    )
    delivered_flexibility = serializers.DecimalField(
        max_digits=14,
        decimal_places=KWH_PLACES,
        coerce_to_string=False,
        allow_null=True,
        help_text="Baseline − measured.",
    )

    class Meta:
        ref_name = "ControlPlanInterval"


FLEX_KEYS = ("baseline", "measured", "delivered_flexibility")


def _plan_fields(plan: ControlPlan, flexibility: dict) -> dict:
    """A stored plan as the wire fields; `flexibility`: (baseline, measured, delivered) per interval
    start ({} before the plan's end)."""
    decline = getattr(plan, "decline", None)
    return {
        "control_plan_id": plan.pk,
        "asset_id": plan.device_id,
        "search_filter_id": plan.zone_id,
        "start_time": plan.start_at,
        "end_time": plan.end_at,
        "created": plan.created_at,
        "version": plan.version,
        "is_declined": decline is not None,
        "declined_at": decline.declined_at if decline else None,
        "decline_reason": decline.reason if decline else None,
        "intervals": [
            {
                "start_time": i.start_at,
                "end_time": i.end_at,
                "is_on": i.is_on,
                "power_limit_kw": i.power_limit_kw,
                "source": i.source,
                "price": i.price_nok_per_kwh,
                "is_declined": i.declined,
                **dict(zip(FLEX_KEYS, flexibility.get(i.start_at, (None,) * 3), strict=True)),
            }
            for i in plan.intervals.all()
        ],
    }


class ControlPlanSerializer(serializers.Serializer):
    """A stored ControlPlan (its delivered flexibility in the context's `flexibility`, by plan id:
    selectors.plans_flexibility), or a sample plan already as these fields (apps/flex/samples.py)."""

    control_plan_id = serializers.UUIDField()
    asset_id = serializers.IntegerField()
    search_filter_id = serializers.IntegerField(allow_null=True, help_text="The zone whose grid requests apply.")
    start_time = serializers.DateTimeField()
    end_time = serializers.DateTimeField()
    created = serializers.DateTimeField()
    version = serializers.IntegerField()
    is_declined = serializers.BooleanField()
    declined_at = serializers.DateTimeField(allow_null=True)
    decline_reason = serializers.CharField(allow_null=True)
    intervals = ControlPlanIntervalSerializer(many=True)

    class Meta:
        ref_name = "ControlPlan"

    def to_representation(self, instance):
        if isinstance(instance, ControlPlan):
            instance = _plan_fields(instance, self.context["flexibility"].get(instance.pk, {}))
        return super().to_representation(instance)


class DeclineRequestSerializer(serializers.Serializer):
    reason = StrictCharField(max_length=500, required=False, allow_blank=True)

    class Meta:
        ref_name = "ControlPlanDeclineRequest"


class TsTypeSerializer(serializers.Serializer):
    """A ControlPlanRequestTsType."""

    id = EnumField(ControlPlanRequestTsType)
    name = serializers.CharField()
    unit = serializers.CharField()
    resolution_minutes = serializers.IntegerField()

    class Meta:
        ref_name = "TsType"

    def to_representation(self, instance: ControlPlanRequestTsType):
        fields = {"id": instance, "name": instance.label, "unit": "kW", "resolution_minutes": TS_TYPE_MINUTES[instance]}
        return super().to_representation(fields)


class RequestValueSerializer(serializers.Serializer):
    time = serializers.DateTimeField()
    value = serializers.DecimalField(max_digits=12, decimal_places=3, min_value=0, coerce_to_string=False)

    class Meta:
        ref_name = "ControlPlanRequestTsValue"


class ControlPlanRequestTsSerializer(serializers.Serializer):
    zone_id = StrictIntegerField(min_value=1, max_value=2**31 - 1)
    ts_type_id = EnumField(ControlPlanRequestTsType)
    user_id = serializers.CharField(read_only=True, help_text="Who posted the values.")
    values = RequestValueSerializer(many=True, allow_empty=False, max_length=MAX_REQUEST_VALUES)

    class Meta:
        ref_name = "ControlPlanRequestTs"


class SiteSerializer(serializers.Serializer):
    site_id = serializers.IntegerField()
    name = serializers.CharField()
    metering_point_id = serializers.CharField()
    meter_ids = serializers.ListField(child=serializers.CharField())
    has_settings = serializers.BooleanField()

    class Meta:
        ref_name = "DemandControlSite"


class SiteSettingsSerializer(serializers.Serializer):
    site_id = serializers.IntegerField(read_only=True)
    threshold_kw = serializers.DecimalField(
        max_digits=9, decimal_places=2, min_value=0, max_value=100000, coerce_to_string=False
    )
    hysteresis_kw = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=0,
        max_value=100000,
        coerce_to_string=False,
        required=False,
        help_text="Restore only below threshold − hysteresis; default 0.5.",
    )
    device_order = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=2**63 - 1),
        max_length=100,
        default=list,
        help_text="Device AssetIds in the order they are shed (first is shed first).",
    )

    class Meta:
        ref_name = "DemandControlSettings"

    def to_representation(self, instance: SiteSettings):
        fields = {
            "site_id": instance.site_id,
            "threshold_kw": instance.threshold_kw,
            "hysteresis_kw": instance.hysteresis_kw,
            "device_order": [d.device_id for d in instance.devices.order_by("position")],
        }
        return super().to_representation(fields)


@extend_schema_field({**{"type": "string"}, "nullable": True, "description": "UTC; empty or null means now."})
class NowOrDateTimeField(serializers.DateTimeField):
    """A DateTime, or empty/null for "now" (the original's Controls rule)."""

    def to_internal_value(self, value):
        if value in ("", None):
            return None
        return super().to_internal_value(value)


class SimpleTimeSeriesValueSerializer(serializers.Serializer):
    value_time = NowOrDateTimeField(required=False, allow_null=True)
    value = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=False)

    class Meta:
        ref_name = "SimpleTimeSeriesValue"


class ControlsSerializer(serializers.Serializer):
    value_category = EnumField(TimeSeriesTypeClass)
    plan = SimpleTimeSeriesValueSerializer(many=True, allow_empty=False, max_length=MAX_CONTROLS)

    class Meta:
        ref_name = "Controls"

    def validate_plan(self, plan):
        if sum(1 for item in plan if item.get("value_time") is None) > 1:
            raise serializers.ValidationError("At most one entry may have an empty ValueTime (now).")
        times = [item["value_time"] for item in plan if item.get("value_time") is not None]
        if len(set(times)) != len(times):
            raise serializers.ValidationError("Two entries have the same ValueTime.")
        return plan


class EtProfileSerializer(serializers.Serializer):
    weekday = EnumField(DayOfWeek)
    from_hour = StrictIntegerField(min_value=0, max_value=23)
    to_hour = StrictIntegerField(min_value=1, max_value=24)

    class Meta:
        ref_name = "EtProfile"

    def validate(self, attrs):
        if attrs["to_hour"] <= attrs["from_hour"]:
            raise serializers.ValidationError({"to_hour": ["ToHour must be after FromHour."]})
        return attrs


class EtConfigurationSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField(read_only=True)
    profiles = EtProfileSerializer(many=True, allow_empty=False, max_length=7)

    class Meta:
        ref_name = "EtConfiguration"

    def to_representation(self, instance):
        """`instance`: the asset whose profiles these are."""
        profiles = [
            {"weekday": p.weekday, "from_hour": p.from_hour, "to_hour": p.to_hour}
            for p in instance.et_profiles.order_by("weekday")
        ]
        return super().to_representation({"asset_id": instance.pk, "profiles": profiles})

    def validate_profiles(self, profiles):
        days = [p["weekday"] for p in profiles]
        if len(set(days)) != len(days):
            raise serializers.ValidationError("A weekday is given twice.")
        return profiles


class BaselineConfigurationSerializer(serializers.Serializer):
    asset_id = serializers.IntegerField(read_only=True)
    method = EnumField(BaselineMethod)
    days = StrictIntegerField(min_value=1, max_value=60, help_text="N (average) or Y (high X of Y) similar days.")
    high_count = StrictIntegerField(
        min_value=1, max_value=60, required=False, allow_null=True, help_text="X of HighXOfY."
    )

    class Meta:
        ref_name = "BaselineConfiguration"

    def validate(self, attrs):
        if attrs["method"] == BaselineMethod.HighXOfY:
            high = attrs.get("high_count")
            if high is None:
                raise serializers.ValidationError({"high_count": ["HighXOfY needs HighCount."]})
            if high > attrs["days"]:
                raise serializers.ValidationError({"high_count": ["HighCount cannot exceed Days."]})
        else:
            attrs["high_count"] = None
        return attrs
