"""Views of the devices part: devices and gateways, counters, chargers, charging stations, SIM
cards, weather-station assets and component info.

Every list is restricted with `self.restrict()` through the view's anchor (`ON_ASSET_IN_REACH`,
the caller's reach; docs/tenancy.md) before it is paged, and
runs a constant number of queries. Routes for professionals need the `professional` privilege;
the others say in their description that a customer may call them for their own assets.
"""

from __future__ import annotations

from drf_spectacular.plumbing import build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import IsAuthenticated

from esmart.api.fields import EnumField
from esmart.api.output import respond, respond_many, respond_value
from esmart.api.pagination import paginate
from esmart.api.permissions import privilege_required
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped

from ...models.components import ComponentEvent
from ...models.devices import CounterCategory, DeviceType
from ...models.graph import AssetType, Participant
from ...scopes import (
    ASSET,
    DEVICE,
    GATEWAY,
    ON_ASSET_IN_REACH,
    PARTICIPANT,
    PARTICIPANTS_IN_REACH,
)
from .. import components, weather
from .. import services as devices
from .serializers import (
    ChargerSerializer,
    ChargingStationSerializer,
    ComponentEventTypeSerializer,
    ComponentInfoSerializer,
    ComponentTypeSerializer,
    CounterSerializer,
    DeviceResponseSerializer,
    IoTGatewaySerializer,
    PageQuery,
    RestrictedComponentInfoSerializer,
    SimCardSerializer,
    WeatherObservationAssetSerializer,
)

PROFESSIONAL = privilege_required("professional")
PAGED = query_parameters(PageQuery)
CUSTOMERS_TOO = " A customer may call it for the assets of their own delivery points."
PROFESSIONALS_ONLY = " Needs the professional privilege; lists what the caller's participants manage."
NOT_SET_UP = {404: OpenApiResponse(ErrorSerializer, description="The Blindern station is not set up.")}
UNKNOWN_EVENT = {404: OpenApiResponse(ErrorSerializer, description="Unknown eventName.")}
NO_PRIVILEGE = {403: OpenApiResponse(ErrorSerializer, description="The caller lacks the professional privilege.")}


class DevicesView(ApiView):
    filter_backends = []  # lists page by PageQuery, not by django-filter


def _page(request, queryset, query: dict | None = None):
    return paginate(queryset, query or bind_query(request, PageQuery))


def _path_enum(enum, value: str, parameter: str):
    """A path value read as a body's enum is (its integer or member name); a 400 naming `parameter`."""
    try:
        return EnumField(enum).to_internal_value(value)
    except ValidationError as error:
        raise ValidationError({parameter: error.detail}) from None


def _many(serializer, items):
    return respond_many(serializer, items)


# --- Devices and gateways ---------------------------------------------------------------------


class ParticipantDevicesView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    permission_classes = PROFESSIONAL
    tenancy = PARTICIPANT
    also_restricts = (ON_ASSET_IN_REACH,)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "type", OpenApiTypes.STR, OpenApiParameter.PATH, description="DeviceType, its value or name."
            ),
            *PAGED,
        ],
        responses={200: DeviceResponseSerializer(many=True), **NO_PRIVILEGE},
        summary="Gets the participant devices.",
        description="The smart-home devices of one DeviceType at or below the participant's top nodes, in "
        "either hierarchy, by AssetId, paged." + PROFESSIONALS_ONLY,
    )
    def get(self, request, participantId, type):
        device_type = _path_enum(DeviceType, type, "type")
        found = devices.participant_devices(participant=self.anchor, device_type=device_type)
        found = self.restrict(found, through=ON_ASSET_IN_REACH)
        return _many(DeviceResponseSerializer, _page(request, found))


class DeviceBySerialNumberView(DevicesView):
    tenancy = DEVICE

    def refine_anchor(self, queryset):
        return queryset.select_related("asset").prefetch_related("values").order_by("asset_id")

    @extend_schema(
        responses=DeviceResponseSerializer,
        summary="Gets device using the devices' serial number.",
        description="The device with this serial number, with its latest values." + CUSTOMERS_TOO,
    )
    def get(self, request, serialNumber):
        return respond(DeviceResponseSerializer, self.anchor)


class DeviceGatewayView(DeviceBySerialNumberView):
    @extend_schema(
        responses=IoTGatewaySerializer,
        summary="Gets info about the gateway that the specified device serial number belongs to.",
        description="The gateway that controls the device (its access token is never returned); 404 when the "
        "device has none the caller may see." + CUSTOMERS_TOO,
    )
    def get(self, request, serialNumber):
        gateway = self.restrict(devices.device_gateways(device=self.anchor)).first()
        if gateway is None:
            raise NotFound("The device has no gateway.")
        return respond(IoTGatewaySerializer, gateway)


class GatewayBySerialNumberView(DevicesView):
    tenancy = GATEWAY

    def refine_anchor(self, queryset):
        return queryset.select_related("asset").order_by("asset_id")

    @extend_schema(
        responses=IoTGatewaySerializer,
        summary="Gets the gateway with this serial number.",
        description="Its access token is never returned." + CUSTOMERS_TOO,
    )
    def get(self, request, serialNumber):
        return respond(IoTGatewaySerializer, self.anchor)


class GatewayDevicesView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    tenancy = GATEWAY
    anchor_lookups = {"externalId": "asset__external_id"}

    def refine_anchor(self, queryset):
        return queryset.order_by("asset_id")

    @extend_schema(
        parameters=PAGED,
        responses=DeviceResponseSerializer(many=True),
        summary="Gets the devices of the gateway with this external id.",
        description="The devices the gateway controls, by AssetId, paged." + CUSTOMERS_TOO,
    )
    def get(self, request, externalId):
        found = self.restrict(devices.gateway_devices(gateway=self.anchor))
        return _many(DeviceResponseSerializer, _page(request, found))


class ActiveGatewayQuery(PageQuery):
    participant_id = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="One of the caller's.")


SERIAL_NUMBERS = build_array_type(build_basic_type(OpenApiTypes.STR))


class ActiveGatewaysView(DevicesView):
    query_serializer_class = ActiveGatewayQuery
    permission_classes = PROFESSIONAL
    tenancy = ON_ASSET_IN_REACH
    also_restricts = (PARTICIPANTS_IN_REACH,)

    @extend_schema(
        parameters=query_parameters(ActiveGatewayQuery),
        responses={
            200: OpenApiResponse(SERIAL_NUMBERS, description="Serial numbers."),
            **NO_PRIVILEGE,
            404: OpenApiResponse(ErrorSerializer, description="Not one of the caller's participants."),
        },
        summary="Gets the serial numbers of a participant's active gateways.",
        description="Serial numbers of the gateways at or below the participant's top nodes that are Active "
        "and valid now, sorted, paged. participantId must be one of the caller's participants (or below "
        "them): another one is a 404." + PROFESSIONALS_ONLY,
    )
    def get(self, request):
        query = bind_query(request, ActiveGatewayQuery)
        participants = Participant.objects.filter(pk=query["participant_id"])
        participant = self.restrict(participants, through=PARTICIPANTS_IN_REACH).first()
        if participant is None:
            raise NotFound()
        found = self.restrict(devices.active_gateways(participant=participant))
        return respond_value(list(_page(request, found.values_list("asset__serial_number", flat=True), query)))


# --- Counters, chargers, charging stations, SIM cards -----------------------------------------


class CountersView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    tenancy = ON_ASSET_IN_REACH
    permission_classes = PROFESSIONAL

    @extend_schema(
        parameters=PAGED,
        responses={200: CounterSerializer(many=True), **NO_PRIVILEGE},
        summary="Get a list of counters.",
        description="Counters with their category and latest reading, by AssetId, paged." + PROFESSIONALS_ONLY,
    )
    def get(self, request):
        return _many(CounterSerializer, _page(request, self.restrict(devices.counters())))


class CountersByCategoryView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    tenancy = ON_ASSET_IN_REACH
    permission_classes = PROFESSIONAL

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "category", OpenApiTypes.STR, OpenApiParameter.PATH, description="CounterCategory, its value or name."
            ),
            *PAGED,
        ],
        responses={200: CounterSerializer(many=True), **NO_PRIVILEGE},
        summary="Get a list of counters by category.",
        description="As api/assets/counters, of one CounterCategory; an unknown category is a 400."
        + PROFESSIONALS_ONLY,
    )
    def get(self, request, category):
        member = _path_enum(CounterCategory, category, "category")
        return _many(CounterSerializer, _page(request, self.restrict(devices.counters(category=member))))


class ChargersView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    tenancy = ON_ASSET_IN_REACH

    @extend_schema(
        parameters=PAGED,
        responses=ChargerSerializer(many=True),
        summary="Get a list of chargers.",
        description="EV chargers with their power, connectors and the charging station that supplies them, by "
        "AssetId, paged. Professionals see those of their participants." + CUSTOMERS_TOO,
    )
    def get(self, request):
        return _many(ChargerSerializer, _page(request, self.restrict(devices.chargers())))


class ChargingStationsView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    tenancy = ON_ASSET_IN_REACH
    permission_classes = PROFESSIONAL

    @extend_schema(
        parameters=PAGED,
        responses={200: ChargingStationSerializer(many=True), **NO_PRIVILEGE},
        summary="Get a list of charging stations.",
        description="Charging stations with the chargers they supply (those the caller may see), by AssetId, "
        "paged." + PROFESSIONALS_ONLY,
    )
    def get(self, request):
        stations = list(_page(request, self.restrict(devices.charging_stations())))
        supplied = self.restrict(devices.station_chargers(station_ids=[s.asset_id for s in stations]))
        by_station: dict[int, list] = {}
        for charger in supplied:
            by_station.setdefault(charger.station_asset_id, []).append(charger)
        for station in stations:
            station.charger_list = by_station.get(station.asset_id, [])
        return _many(ChargingStationSerializer, stations)


class SimCardsView(DevicesView):
    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    tenancy = ON_ASSET_IN_REACH
    permission_classes = PROFESSIONAL

    @extend_schema(
        parameters=PAGED,
        responses={200: SimCardSerializer(many=True), **NO_PRIVILEGE},
        summary="Gets the SIM cards.",
        description="SIM cards with their ICCID, MSISDN and the gateway they connect, by AssetId, paged."
        + PROFESSIONALS_ONLY,
    )
    def get(self, request):
        return _many(SimCardSerializer, _page(request, self.restrict(devices.sim_cards())))


# --- Weather ----------------------------------------------------------------------------------


class BlindernWeatherView(DevicesView):
    tenancy = NotTenantScoped("one public weather station, the same for every caller")

    @extend_schema(
        responses={200: WeatherObservationAssetSerializer, **NOT_SET_UP},
        summary="Get Blindern weather observation asset.",
        description="The Oslo - Blindern weather station (MET Norway SN18700) with its latest hourly "
        "temperature; 404 when no such asset is set up. Any authenticated caller.",
    )
    def get(self, request):
        station = weather.blindern()
        if station is None:
            raise NotFound("The Blindern weather station is not set up.")
        return respond(WeatherObservationAssetSerializer, weather.with_last_observation(station))


class NearestWeatherView(DevicesView):
    tenancy = ASSET

    @extend_schema(
        responses=WeatherObservationAssetSerializer,
        summary="Get the weather observation asset nearest to an asset.",
        description="The weather station nearest by great-circle distance to the asset's location, or, when it "
        "has none, to its nearest located ancestor's (location hierarchy first, then network), with the "
        "distance and its latest hourly temperature. 404 when neither the asset nor an ancestor has a "
        "location, or no station is set up." + CUSTOMERS_TOO,
    )
    def get(self, request, assetId):
        found = weather.nearest_station(asset=self.anchor)
        if found is None:
            raise NotFound("No weather station near the asset: neither it nor an ancestor has a location.")
        return respond(WeatherObservationAssetSerializer, weather.with_last_observation(found))


# --- Component info ---------------------------------------------------------------------------


class ComponentTypesView(DevicesView):
    permission_classes = PROFESSIONAL
    tenancy = NotTenantScoped("a fixed catalogue, the same for every caller")

    @extend_schema(
        responses={200: ComponentTypeSerializer(many=True), **NO_PRIVILEGE},
        summary="GET list of component types that this api supports",
        description="The asset types events are flagged on." + PROFESSIONALS_ONLY,
    )
    def get(self, request):
        return _many(ComponentTypeSerializer, components.COMPONENT_TYPES)


class ComponentEventsView(DevicesView):
    permission_classes = PROFESSIONAL
    tenancy = NotTenantScoped("a fixed catalogue, the same for every caller")

    @extend_schema(
        responses={200: ComponentEventTypeSerializer(many=True), **NO_PRIVILEGE},
        summary="GET list of events that can be flagged on the assets and that this api supports",
        description="Each event's Name is the {eventName} of the substations and meters routes." + PROFESSIONALS_ONLY,
    )
    def get(self, request):
        return _many(ComponentEventTypeSerializer, list(ComponentEvent))


class RestrictedComponentTypesView(ComponentTypesView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ComponentTypeSerializer(many=True),
        summary="GET list of component types that this api supports",
        description="The asset types events are flagged on. Any authenticated caller.",
    )
    def get(self, request):
        return super().get(request)


class RestrictedComponentEventsView(ComponentEventsView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        responses=ComponentEventTypeSerializer(many=True),
        summary="GET list of events that can be flagged on the assets and that this api supports",
        description="Each event's Name is the {eventName} of the substations and meters routes. Any "
        "authenticated caller.",
    )
    def get(self, request):
        return super().get(request)


EVENT_PARAMETERS = [
    OpenApiParameter(
        "eventName", OpenApiTypes.STR, OpenApiParameter.PATH, description="An event's Name (any case) or value."
    ),
    *PAGED,
]
FLAGS_DESCRIPTION = "Active flags of the event (newest first, paged); an unknown eventName is a 404."


class ComponentFlagsView(DevicesView):
    """GET api/componentinfo[restricted]/{substations|meters}/event/{eventName}: the active flags of
    one event on one component type. The four routes are this view, made by `component_flags_view`."""

    query_serializer_class = PageQuery  # documents the 400 of bad paging values
    asset_type: AssetType
    published_only: bool  # the restricted routes: only what was published to the web
    scoped: bool  # False: every flag is listed, whoever reaches the asset
    serializer: type

    def get(self, request, eventName):
        event = components.event_by_name(eventName)
        if event is None:
            raise NotFound(f"Unknown event '{eventName}'.")
        flags = components.active_flags(event=event, asset_type=self.asset_type, published_only=self.published_only)
        return _many(self.serializer, _page(request, self.restrict(flags) if self.scoped else flags))


def component_flags_view(*, asset_type: AssetType, restricted: bool) -> type[ComponentFlagsView]:
    plural = "substations" if asset_type == AssetType.Substation else "meters"
    if not restricted:
        summary = f"GET list of {plural} that has an active flag for the given event"
        serializer, extra, description = ComponentInfoSerializer, NO_PRIVILEGE, PROFESSIONALS_ONLY
    else:
        summary = (
            f"GET list of {plural} that has an active flag for the given event and has been published to web "
            "from notification center"
        )
        serializer, extra = RestrictedComponentInfoSerializer, {}
        description = " Only flags published to the web, without internal notes" + (
            ". What is published is public: any authenticated caller (a customer too) sees every published "
            "substation flag."
            if asset_type == AssetType.Substation
            else ", on meters the caller reaches." + CUSTOMERS_TOO
        )

    def get(self, request, eventName):  # a function of its own: extend_schema annotates it in place
        return ComponentFlagsView.get(self, request, eventName)

    attributes = {
        "asset_type": asset_type,
        "published_only": restricted,
        # A published substation flag was published to the web: public to any authenticated caller.
        "scoped": not (restricted and asset_type == AssetType.Substation),
        "tenancy": NotTenantScoped("published substation flags are public to any authenticated caller")
        if restricted and asset_type == AssetType.Substation
        else ON_ASSET_IN_REACH,
        "serializer": serializer,
        "permission_classes": ComponentFlagsView.permission_classes if restricted else PROFESSIONAL,
        "get": extend_schema(
            parameters=EVENT_PARAMETERS,
            responses={200: serializer(many=True), **extra, **UNKNOWN_EVENT},
            summary=summary,
            description=FLAGS_DESCRIPTION + description,
        )(get),
    }
    name = f"{'Published' if restricted else 'Flagged'}{plural.capitalize()}View"
    return type(name, (ComponentFlagsView,), attributes)
