"""Flex routes: control plans (real and api/mock), declines, control-plan requests, demand and
control, ET configuration, baselines and sequential control. Views are thin: services write,
selectors read, serializers render (stored plans included) and api/mock's sample plans come
from samples.py."""

from __future__ import annotations

import datetime as dt
import uuid

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions
from rest_framework.permissions import BasePermission, IsAuthenticated

from apps.assets.public import (
    ASSET,
    DEVICE,
    DeviceResponseSerializer,
    SearchFilter,
    SearchFilterSerializer,
)
from apps.customers.public import CUSTOMER
from esmart.api.fields import EnumField
from esmart.api.output import no_body, respond, respond_many
from esmart.api.pagination import paginate
from esmart.api.permissions import privilege_required
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped
from esmart.core.validators import is_ascii_digits

from .. import samples, selectors, services
from ..models import (
    TS_TYPE_MINUTES,
    ControlPlanRequestTsType,
    DayOfWeek,
    FlexContract,
    SiteSettings,
)
from ..scopes import CUSTOMER_DEVICE, FLEX_CONTRACTS_IN_REACH, PLAN, SITE, ZONE, ZONES_IN_REACH
from .serializers import (
    BaselineConfigurationSerializer,
    ControlPlanRequestTsSerializer,
    ControlPlanSerializer,
    ControlsSerializer,
    DeclineRequestSerializer,
    EtConfigurationSerializer,
    PlanPageQuery,
    RequestRangeQuery,
    SiteSerializer,
    SiteSettingsSerializer,
    TsTypeSerializer,
)

DEMAND_RESPONSE = privilege_required("demand_response")
NO_BODY = {200: OpenApiResponse(description="No body.")}
CONFLICT = {409: OpenApiResponse(ErrorSerializer, description="Overlaps a request for the same zone and type.")}
NO_PRIVILEGE = {403: OpenApiResponse(ErrorSerializer, description="Needs the demand_response privilege.")}


def _guid_parameters(*names: str) -> type[BasePermission]:
    """A malformed GUID in the path is a 400 (not the kernel's 404), checked after authentication."""

    class GuidPath(BasePermission):
        def has_permission(self, request, view):
            for name in names:
                try:
                    uuid.UUID(str(view.kwargs.get(name, "")))
                except ValueError:
                    raise exceptions.ValidationError({name: ["Not a GUID."]}) from None
            return True

    return GuidPath


def _parse_end_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text[:10]) if len(text) in (10, 19, 20) else dt.date.fromisoformat(text)
    except ValueError:
        raise exceptions.ValidationError({"endDate": ["Not a date (yyyy-MM-dd)."]}) from None


def _plans_context(plans, *, asset) -> dict:
    """What ControlPlanSerializer needs beside the plans: their delivered flexibility."""
    return {"flexibility": selectors.plans_flexibility(plans=plans, asset=asset, now=timezone.now())}


# --- control plans ---------------------------------------------------------------------------


class DeviceAnchored(ApiView):
    filter_backends = []
    permission_classes = [IsAuthenticated]
    tenancy = CUSTOMER_DEVICE

    def refine_anchor(self, queryset):
        return queryset.select_related("asset", "flex")


class ControlPlansView(DeviceAnchored):
    query_serializer_class = PlanPageQuery

    @extend_schema(
        parameters=query_parameters(PlanPageQuery),
        responses=ControlPlanSerializer(many=True),
        summary="Gets the control plans for asset.",
        description="The device's control plans, newest first, paged. Once a plan's "
        "period has passed, each interval carries the baseline, the measured consumption of the site and the "
        "delivered flexibility (baseline − measured).",
    )
    def get(self, request, customerId, assetId):
        query = bind_query(request, PlanPageQuery)
        page = list(paginate(selectors.device_plans(device=getattr(self.anchor, "flex", None)), query))
        return respond_many(ControlPlanSerializer, page, context=_plans_context(page, asset=self.anchor.asset))


class DeclineView(ApiView):
    permission_classes = [IsAuthenticated, _guid_parameters("controlPlanId")]
    tenancy = PLAN

    def refine_anchor(self, queryset):
        return queryset.select_related("device__device__asset")

    def _decline(self, request):
        body = DeclineRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.decline_plan(plan=self.anchor, user=request.user, reason=body.validated_data.get("reason", ""))
        plan = selectors.device_plans(device=self.anchor.device).get(pk=self.anchor.pk)
        context = _plans_context([plan], asset=self.anchor.device.device.asset)
        return respond(ControlPlanSerializer, plan, context=context)

    @extend_schema(
        request=DeclineRequestSerializer,
        responses=ControlPlanSerializer,
        summary="Declines the control plan for asset.",
        description="Takes the device out of the plan's remaining intervals (past ones stay as executed) and "
        "records who, when, the optional Reason and the intervals removed. A second decline is 200 and changes "
        "nothing. A malformed GUID is a 400; another customer's or an unknown plan a 404.",
    )
    def post(self, request, customerId, assetId, controlPlanId):
        return self._decline(request)


class SeedDeclineView(DeclineView):
    permission_classes = [IsAuthenticated, _guid_parameters("controlPlanGuidAsString")]
    anchor_lookups = {
        "customerId": "device__device__asset__delivery_point__contract__customer_id",
        "deviceAssetId": "device_id",
        "controlPlanGuidAsString": "pk",
    }

    @extend_schema(
        request=DeclineRequestSerializer,
        responses=ControlPlanSerializer,
        operation_id="customers_devices_controlplans_decline_by_zone_and_end_date",
        summary="Declines the control plan for asset (by zone and end date).",
        description="As the decline above; `searchFilterId` must be the plan's zone and `endDate` (yyyy-MM-dd) "
        "the UTC date of its EndTime, else 404; a malformed GUID, zone id or date is a 400.",
    )
    def post(self, request, customerId, deviceAssetId, controlPlanGuidAsString, searchFilterId, endDate):
        if not is_ascii_digits(searchFilterId):
            raise exceptions.ValidationError({"searchFilterId": ["Not an integer."]})
        end = _parse_end_date(endDate)
        if self.anchor.zone_id != int(searchFilterId) or self.anchor.end_at.astimezone(dt.UTC).date() != end:
            raise exceptions.NotFound()
        return self._decline(request)


# --- api/mock: deterministic sample plans, never the real ones --------------------------------


class MockControlPlansView(DeviceAnchored):
    query_serializer_class = PlanPageQuery

    @extend_schema(
        parameters=query_parameters(PlanPageQuery),
        responses=ControlPlanSerializer(many=True),
        summary="Gets the control plans for asset (sample data).",
        description="Deterministic sample plans for any of the caller's own devices; never reads real plans.",
    )
    def get(self, request, customerId, assetId):
        query = bind_query(request, PlanPageQuery)
        plans = samples.sample_plans(asset_id=self.anchor.pk, count=samples.MOCK_PLANS, first=samples.MOCK_FIRST_DAY)
        return respond_many(ControlPlanSerializer, paginate(plans, query))


class MockDeclineView(DeviceAnchored):
    permission_classes = [IsAuthenticated, _guid_parameters("sampleControlPlanId")]
    # a sample plan's id names no stored plan (a free path value); the seed calls it controlPlanId
    schema_path_names = {"sampleControlPlanId": "controlPlanId"}

    @extend_schema(
        request=DeclineRequestSerializer,
        responses=ControlPlanSerializer,
        summary="Declines the control plan for asset (sample data).",
        description="Answers the sample plan as declined; changes nothing stored. A malformed GUID is a 400.",
    )
    def post(self, request, customerId, assetId, sampleControlPlanId):
        return self._answer(request, sampleControlPlanId)

    def _answer(self, request, plan_id):
        body = DeclineRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = samples.sample_plans(asset_id=self.anchor.pk, count=1, first=samples.MOCK_FIRST_DAY)[0]
        plan.update(
            control_plan_id=uuid.UUID(plan_id),
            is_declined=True,
            declined_at=timezone.now().replace(microsecond=0),
            decline_reason=body.validated_data.get("reason", ""),
            version=2,
        )
        return respond(ControlPlanSerializer, plan)


class MockSeedDeclineView(MockDeclineView):
    permission_classes = [IsAuthenticated, _guid_parameters("sampleControlPlanGuid")]
    schema_path_names = {"sampleControlPlanGuid": "controlPlanGuidAsString"}
    anchor_lookups = {"customerId": CUSTOMER_DEVICE.lookups["customerId"], "deviceAssetId": "asset_id"}

    @extend_schema(
        request=DeclineRequestSerializer,
        responses=ControlPlanSerializer,
        operation_id="mock_customers_devices_controlplans_decline_by_zone_and_end_date",
        summary="Declines the control plan for asset (sample data, by zone and end date).",
        description="As the mock decline; a malformed GUID, zone id or date is a 400.",
    )
    def post(self, request, customerId, deviceAssetId, sampleControlPlanGuid, searchFilterId, endDate):
        if not is_ascii_digits(searchFilterId):
            raise exceptions.ValidationError({"searchFilterId": ["Not an integer."]})
        _parse_end_date(endDate)
        return self._answer(request, sampleControlPlanGuid)


# --- control-plan requests -------------------------------------------------------------------


class TsTypesView(ApiView):
    tenancy = NotTenantScoped("a fixed catalogue of time-series types")
    filter_backends = []
    permission_classes = DEMAND_RESPONSE

    @extend_schema(
        responses={200: TsTypeSerializer(many=True), **NO_PRIVILEGE},
        summary="Gets timeseries types.",
        description="The time-series types of control-plan requests (kW reductions, hourly or quarter-hourly).",
    )
    def get(self, request):
        return respond_many(TsTypeSerializer, list(ControlPlanRequestTsType))


CONTRACT_HEADER = OpenApiParameter(
    "X-ContractId", int, OpenApiParameter.HEADER, required=True, description="The flexibility contract."
)


class ContractZonesView(ApiView):
    tenancy = FLEX_CONTRACTS_IN_REACH
    filter_backends = []
    permission_classes = DEMAND_RESPONSE

    @extend_schema(
        parameters=[CONTRACT_HEADER],
        responses={200: SearchFilterSerializer(many=True), **NO_PRIVILEGE},
        summary="Gets zones for current contract; specified with header X-ContractId.",
        description="A missing or non-integer X-ContractId is a 400; a contract of another organisation a 404.",
    )
    def get(self, request):
        text = request.headers.get("X-ContractId", "").strip()
        if not is_ascii_digits(text) or len(text) > 18:
            raise exceptions.ValidationError({"X-ContractId": ["The X-ContractId header must name a contract."]})
        contract = self.restrict(FlexContract.objects.filter(pk=int(text))).first()
        if contract is None:
            raise exceptions.NotFound("No such contract.")
        return respond_many(SearchFilterSerializer, contract.zones.order_by("id"))


class ZoneRequestsView(ApiView):
    permission_classes = DEMAND_RESPONSE
    query_serializer_class = RequestRangeQuery
    tenancy = ZONE

    @extend_schema(
        parameters=query_parameters(RequestRangeQuery),
        responses={200: ControlPlanRequestTsSerializer, **NO_PRIVILEGE},
        summary="Gets control plan requests for the given zone and timeseries type.",
        description="The requested values with Time in [fromDate, toDate) (defaults: now and now + 1 day; "
        "at most 31 days). An unknown tsTypeId is a 404.",
    )
    def get(self, request, zoneId, tsTypeId):
        if tsTypeId not in ControlPlanRequestTsType.values:
            raise exceptions.NotFound("Unknown tsTypeId.")
        query = bind_query(request, RequestRangeQuery)
        now = timezone.now().replace(microsecond=0)
        from_time = query.get("from_date") or now
        to_time = query.get("to_date") or now + dt.timedelta(days=1)
        if to_time <= from_time or to_time - from_time > dt.timedelta(days=31):
            raise exceptions.ValidationError({"toDate": ["toDate must be after fromDate, at most 31 days."]})
        found = selectors.requests_in(zone=self.anchor, ts_type=tsTypeId, from_time=from_time, to_time=to_time)
        return respond(ControlPlanRequestTsSerializer, found)


class ControlPlanRequestsView(ApiView):
    tenancy = ZONES_IN_REACH  # ZoneId of the body
    filter_backends = []
    permission_classes = DEMAND_RESPONSE

    @extend_schema(
        request=ControlPlanRequestTsSerializer,
        responses={**NO_BODY, **NO_PRIVILEGE, **CONFLICT},
        summary="Save a control plan request.",
        description="Values are kW reductions at Times aligned to the type's resolution (UTC). A zone the caller "
        "does not reach is a 404; a request overlapping one for the same zone and type a 409.",
    )
    def post(self, request):
        body = ControlPlanRequestTsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        minutes = TS_TYPE_MINUTES[data["ts_type_id"]]
        values = [(v["time"], v["value"]) for v in data["values"]]
        bad = [n for n, (t, _) in enumerate(values) if t.second or t.microsecond or t.minute % minutes]
        if bad:
            raise exceptions.ValidationError({f"Values[{bad[0]}].Time": [f"Not on a {minutes}-minute boundary."]})
        if len({t for t, _ in values}) != len(values):
            raise exceptions.ValidationError({"Values": ["A Time is given twice."]})
        zone = self.restrict(SearchFilter.objects.filter(pk=data["zone_id"])).first()
        if zone is None:
            raise exceptions.NotFound("No such zone.")
        try:
            services.create_control_plan_request(
                user=request.user, zone=zone, ts_type=data["ts_type_id"], values=values
            )
        except services.ConflictError as error:
            raise Conflict(str(error)) from None
        return no_body()


class Conflict(exceptions.APIException):
    status_code = 409
    default_detail = "Conflict."


# --- demand and control ------------------------------------------------------------------------


class SitesView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = CUSTOMER
    anchor_lookups = {"custId": "pk"}

    @extend_schema(responses=SiteSerializer(many=True), summary="GET all sites associated with a customer")
    def get(self, request, custId):
        sites = [
            {
                "site_id": s.pk,
                "name": s.name,
                "metering_point_id": s.metering_point_id,
                "meter_ids": [m.meter_id for m in s.meters.all()],
                "has_settings": hasattr(s, "flex_settings"),
            }
            for s in selectors.customer_sites(customer=self.anchor)
        ]
        return respond_many(SiteSerializer, sites)


class SiteAnchored(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = SITE


class SiteDevicesView(SiteAnchored):
    @extend_schema(
        responses=DeviceResponseSerializer(many=True), summary="GET all devices associated with customer and site"
    )
    def get(self, request, custId, siteId):
        return respond_many(DeviceResponseSerializer, selectors.site_devices(site=self.anchor))


class SiteSettingsView(SiteAnchored):
    def _settings(self):
        found = SiteSettings.objects.filter(site=self.anchor).first()
        if found is None:
            raise exceptions.NotFound("The site has no settings.")
        return found

    def _save(self, request, *, replace: bool):
        body = SiteSettingsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if replace:
            self._settings()
        data = body.validated_data
        saved = services.save_site_settings(
            site=self.anchor,
            threshold_kw=data["threshold_kw"],
            hysteresis_kw=data.get("hysteresis_kw"),
            device_ids=data["device_order"],
            replace=replace,
        )
        return respond(SiteSettingsSerializer, saved)

    @extend_schema(responses=SiteSettingsSerializer, summary="GET settings associated with a site")
    def get(self, request, custId, siteId):
        return respond(SiteSettingsSerializer, self._settings())

    @extend_schema(
        request=SiteSettingsSerializer,
        responses=SiteSettingsSerializer,
        summary="PUT update threshold and device order settings",
        description="Replaces the settings (absent HysteresisKw takes its default); 404 when there are none.",
    )
    def put(self, request, custId, siteId):
        return self._save(request, replace=True)

    @extend_schema(
        request=SiteSettingsSerializer,
        responses=SiteSettingsSerializer,
        summary="POST update threshold and device order settings",
        description="Creates or updates the settings. DeviceOrder lists devices of this site only.",
    )
    def post(self, request, custId, siteId):
        return self._save(request, replace=False)

    @extend_schema(responses=NO_BODY, summary="DELETE settings for site")
    def delete(self, request, custId, siteId):
        services.delete_site_settings(site_settings=self._settings())
        return no_body()


# --- ET configuration and baselines -------------------------------------------------------------


class AssetAnchored(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = ASSET


class EtConfigView(AssetAnchored):
    anchor_lookups = {"id": "pk"}
    seed_path_names = {"post": {"id": "assetId"}}  # the seed's POST api/etconfig/{assetId}

    @extend_schema(responses=EtConfigurationSerializer, summary="Gets the et configuration.")
    def get(self, request, id):
        return respond(EtConfigurationSerializer, self.anchor)

    @extend_schema(
        request=EtConfigurationSerializer,
        responses=EtConfigurationSerializer,
        summary="Sets the et configuration.",
        description="Sets the profile (local hours the device may be controlled in) of each weekday given. "
        "(The seed names this route's id {assetId}; it shares the GET's route, so the schema calls it {id}.)",
    )
    def post(self, request, id):
        body = EtConfigurationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.set_et_profiles(asset=self.anchor, profiles=body.validated_data["profiles"])
        return respond(EtConfigurationSerializer, self.anchor)


class EtConfigDeleteView(AssetAnchored):
    anchor_lookups = {"id": "pk"}

    @extend_schema(responses=NO_BODY, summary="Deletes the et configuration.")
    def delete(self, request, id):
        services.delete_et_profiles(asset=self.anchor)
        return no_body()


def parse_weekdays(text: str) -> list[int]:
    """`{weekdays}`: one or more DayOfWeek values or names, comma-separated ("1,2", "Monday,Friday")."""
    field = EnumField(DayOfWeek)
    found = []
    for part in text.split(","):
        try:
            found.append(field.to_internal_value(part.strip()))
        except exceptions.ValidationError:
            raise exceptions.ValidationError({"weekdays": [f"Not a weekday: {part.strip()!r}."]}) from None
    return found


class EtProfileDeleteView(AssetAnchored):
    anchor_lookups = {"id": "pk"}
    path_input = True  # {weekdays} is parsed here: a name that is no weekday is a 400 (in the schema too)

    @extend_schema(
        responses=NO_BODY,
        operation_id="etconfig_delete_weekdays",
        summary="Deletes the et profile.",
        description="Deletes the profiles of the weekdays named (DayOfWeek values or names, comma-separated).",
    )
    def delete(self, request, id, weekdays):
        services.delete_et_profiles(asset=self.anchor, weekdays=parse_weekdays(weekdays))
        return no_body()


class BaselineView(AssetAnchored):
    anchor_lookups = {"id": "pk"}

    def get_permissions(self):
        if self.request.method == "GET":
            return [IsAuthenticated()]
        return [p() for p in DEMAND_RESPONSE]

    @extend_schema(responses=BaselineConfigurationSerializer, summary="Gets the baseline configuration.")
    def get(self, request, id):
        config = getattr(self.anchor, "baseline_config", None)
        if config is None:
            raise exceptions.NotFound("The asset has no baseline configuration.")
        return respond(BaselineConfigurationSerializer, config)

    @extend_schema(
        request=BaselineConfigurationSerializer,
        responses={200: BaselineConfigurationSerializer, **NO_PRIVILEGE},
        summary="Sets the baseline configuration.",
        description="Needs the demand_response privilege.",
    )
    def post(self, request, id):
        body = BaselineConfigurationSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        config = services.set_baseline(asset=self.anchor, **body.validated_data)
        return respond(BaselineConfigurationSerializer, config)

    @extend_schema(responses={**NO_BODY, **NO_PRIVILEGE}, summary="Deletes the baseline configuration.")
    def delete(self, request, id):
        services.delete_baseline(asset=self.anchor)
        return no_body()


# --- sequential control --------------------------------------------------------------------------


class SeqControlView(ApiView):
    permission_classes = [IsAuthenticated]
    tenancy = DEVICE
    anchor_lookups = {"deviceAssetId": "asset_id"}

    @extend_schema(
        request=ControlsSerializer,
        responses=NO_BODY,
        summary="Queues a sequence of commands for the device.",
        description="`Controls`: an empty ValueTime means now (at most one entry), times are UTC; sent through "
        "the device adapter after commit and logged.",
    )
    def post(self, request, deviceAssetId):
        body = ControlsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        controls = {
            "ValueCategory": int(data["value_category"]),
            "Plan": [
                {
                    "ValueTime": v["value_time"].astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")
                    if v.get("value_time")
                    else None,
                    "Value": float(v["value"]),
                }
                for v in data["plan"]
            ],
        }
        services.queue_commands(device=self.anchor, kind="SEQUENCE", controls=controls, user=request.user)
        return no_body()
