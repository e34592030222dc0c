"""EV endpoints: thin views over selectors (reads) and services (writes); tenancy is the anchor's."""

from __future__ import annotations

import uuid
from zoneinfo import ZoneInfo

from django.utils.decorators import method_decorator
from django.views.decorators.debug import sensitive_post_parameters
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.permissions import BasePermission, IsAuthenticated

from apps.assets.public import ON_ASSET_IN_REACH, OWN_TOP_NODES, Charger, ParticipantTopNode
from apps.customers.public import CUSTOMER, DELIVERY_POINTS_IN_REACH, DeliveryPoint
from apps.pricing import public as pricing
from esmart.api.output import no_body, respond, respond_many, respond_value
from esmart.api.query import bind_query, query_parameters
from esmart.api.schema import ErrorSerializer
from esmart.api.views import ApiView, NotTenantScoped

from .. import selectors, services, vendors
from ..models import BatteryCar
from ..scopes import CAR, CHARGING_REQUEST, CUSTOMER_CHARGER, CUSTOMER_GATEWAY
from .serializers import (
    AuthType,
    BatteryCarSerializer,
    BatteryLevelResponseSerializer,
    CarVendorSerializer,
    ChargerResponseSerializer,
    ChargersQuerySerializer,
    ChargerStatisticsSerializer,
    ElectricalVehicleDtoSerializer,
    EvAuthorizationSerializer,
    EvChargingDevicesAndCarsSerializer,
    EvChargingRequestPatchSerializer,
    EvChargingRequestPostSerializer,
    EvChargingRequestSerializer,
    EvLoginCredentialsSerializer,
    IntegratedCarsDtoResponseSerializer,
    StatisticsQuerySerializer,
)

# Error responses every customer-scoped write documents.
WRITE_ERRORS = {400: ErrorSerializer, 401: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer}
VENDOR_ERRORS = {
    **WRITE_ERRORS,
    502: OpenApiResponse(ErrorSerializer, description="The car vendor's answer could not be used."),
    503: OpenApiResponse(ErrorSerializer, description="The car vendor is unavailable."),
}
SECRET_FIELDS = ("username", "password", "auth", "bearer")
sensitive = method_decorator(sensitive_post_parameters(*SECRET_FIELDS), name="dispatch")


# The seed's api/batterycars catalogue is shared by everyone.
BATTERY_CAR_CATALOGUE = NotTenantScoped("the battery-car catalogue is shared by everyone")


class EvView(ApiView):
    filter_backends = []  # lists come from the selectors, not from query-string filters


def _credentials(request) -> EvLoginCredentialsSerializer:
    body = EvLoginCredentialsSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    return body


# --- Catalogue -------------------------------------------------------------------------------------


class BatteryCarsView(EvView):
    tenancy = BATTERY_CAR_CATALOGUE

    @extend_schema(responses=BatteryCarSerializer(many=True), summary="Get relevant car models with batteries.")
    def get(self, request):
        return respond_many(BatteryCarSerializer, selectors.catalogue())


class BatteryCarView(EvView):
    tenancy = BATTERY_CAR_CATALOGUE

    # The catalogue is shared by everyone: its id is a free path value, not an owned one.
    schema_path_names = {"batteryCarId": "id"}  # the seed's api/batterycars/{id}

    @extend_schema(responses={200: BatteryCarSerializer, 404: ErrorSerializer}, summary="Get relevant car model.")
    def get(self, request, batteryCarId):
        car = BatteryCar.objects.filter(pk=batteryCarId).first()
        if car is None:
            raise NotFound(f"No car model {batteryCarId}.")
        return respond(BatteryCarSerializer, car)


class ManufacturersView(EvView):
    tenancy = BATTERY_CAR_CATALOGUE

    @extend_schema(responses=list[str], summary="The manufacturers of the catalogue.")
    def get(self, request):
        return respond_value(selectors.manufacturers())


class CarVendorsView(EvView):
    tenancy = NotTenantScoped("the list of car vendors is the same for everyone")

    @extend_schema(responses=CarVendorSerializer(many=True), summary="Gets all car vendors and models.")
    def get(self, request):
        by_vendor: dict[str, list] = {}
        for model in selectors.catalogue():
            by_vendor.setdefault(model.manufacturer, []).append(model)
        vendors_list = [
            {
                "manufacturer": name,
                "manufacturer_logo": models[0].manufacturer_logo,
                "use_external_api": vendors.adapter_name(name) != "demo",
                "models": models,
            }
            for name, models in by_vendor.items()
        ]
        return respond_many(CarVendorSerializer, vendors_list)


# --- Chargers --------------------------------------------------------------------------------------


class ChargersView(EvView):
    tenancy = ON_ASSET_IN_REACH  # the chargers an external id is looked up among
    also_restricts = (OWN_TOP_NODES, DELIVERY_POINTS_IN_REACH)  # where a new charger may go

    @extend_schema(
        parameters=query_parameters(ChargersQuerySerializer),
        responses={
            200: ChargerResponseSerializer,
            201: ChargerResponseSerializer,
            400: ErrorSerializer,
            403: ErrorSerializer,
            404: ErrorSerializer,
        },
        summary="Find a charger by external id; with createIfNotExists=true create it (201).",
    )
    def get(self, request):
        query = bind_query(request, ChargersQuerySerializer)
        chargers = self.restrict(Charger.objects.all())
        charger = services.find_charger(chargers=chargers, external_id=query["external_id"])
        if charger is not None:
            return respond(ChargerResponseSerializer, charger)
        if not query["create_if_not_exists"] or not services.may_import_chargers(request.user):
            raise NotFound(f"No charger with external id {query['external_id']}.")
        places = services.ChargerPlaces(
            chargers=chargers,
            top_nodes=self.restrict(ParticipantTopNode.objects.all(), through=OWN_TOP_NODES),
            delivery_points=self.restrict(DeliveryPoint.objects.all(), through=DELIVERY_POINTS_IN_REACH),
        )
        charger = services.import_charger(
            user=request.user,
            places=places,
            external_id=query["external_id"],
            import_source=query["import_source"],
            max_power_kw=query["max_power"],
        )
        return respond(ChargerResponseSerializer, charger, status=201)


# --- Charging requests -----------------------------------------------------------------------------


class GuidPath(BasePermission):
    """A malformed evChargingRequestId is a 400 (the issue's rule), checked before any query."""

    def has_permission(self, request, view):
        value = view.kwargs.get("evChargingRequestId")
        try:
            uuid.UUID(str(value))
        except ValueError:
            raise ValidationError({"evChargingRequestId": [f"'{value}' is not a GUID."]}) from None
        return True


class EvChargingRequestsView(EvView):
    tenancy = CUSTOMER

    @extend_schema(responses=EvChargingRequestSerializer(many=True), summary="Get all the EV charging requests.")
    def get(self, request, customerId):
        requests = selectors.charging_requests(customer=self.anchor)
        return respond_many(EvChargingRequestSerializer, requests)

    @extend_schema(
        request=EvChargingRequestPostSerializer,
        responses={201: EvChargingRequestSerializer, **WRITE_ERRORS},
        summary="Create a new EV charging request; it answers with the cheapest feasible schedule.",
        description="The window must end after it starts and within the next 48 hours of published or "
        "forecast prices; the demand (ChargingDemand or ChargeDemand, kWh) must fit the car's usable battery "
        "and the charger's power × window. A 400 says which limit is broken and by how much.",
    )
    def post(self, request, customerId):
        body = EvChargingRequestPostSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        created = services.create_charging_request(
            customer=self.anchor,
            asset_id=data["asset_id"],
            start_at=data["start_time"],
            end_at=data["end_time"],
            charging_demand_kwh=body.demand(),
            car_id=data.get("car_id"),
        )
        return respond(
            EvChargingRequestSerializer,
            selectors.charging_requests(customer=self.anchor).get(pk=created.pk),
            status=201,
        )


class EvChargingRequestView(EvView):
    tenancy = CHARGING_REQUEST
    permission_classes = [IsAuthenticated, GuidPath]

    def refine_anchor(self, queryset):
        return queryset.select_related("car", "charger__asset__delivery_point__contract__customer").prefetch_related(
            "slots"
        )

    @extend_schema(
        responses={200: EvChargingRequestSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Get one specific EV charging request.",
    )
    def get(self, request, customerId, evChargingRequestId):
        return respond(EvChargingRequestSerializer, self.anchor)

    @extend_schema(
        request=EvChargingRequestPatchSerializer,
        responses={200: None, **WRITE_ERRORS},
        summary="Partially update an EV charging request. Only StartTime, EndTime and ChargeDemand can be updated.",
        description="ChargingDemand and ChargeDemand are the same property; anything else in the body is "
        "ignored. The request is re-planned.",
    )
    def patch(self, request, customerId, evChargingRequestId):
        body = EvChargingRequestPatchSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.update_charging_request(
            request=self.anchor,
            start_at=body.validated_data.get("start_time"),
            end_at=body.validated_data.get("end_time"),
            charging_demand_kwh=body.demand(),
        )
        return no_body()

    @extend_schema(
        responses={200: None, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Delete one specific EV charging request.",
    )
    def delete(self, request, customerId, evChargingRequestId):
        services.delete_charging_request(request=self.anchor)
        return no_body()


# --- Cars ------------------------------------------------------------------------------------------

CAR_LOOKUPS = {"customerId": "customer_id", "carId": "row_key"}


class CarsView(EvView):
    tenancy = CUSTOMER

    @extend_schema(responses=ElectricalVehicleDtoSerializer(many=True), summary="Gets all the cars of the customer.")
    def get(self, request, customerId):
        return respond_many(ElectricalVehicleDtoSerializer, selectors.cars(customer=self.anchor))


class CarView(EvView):
    """One car by its RowKey (the seed's {vehicleid} for GET/DELETE and {carId} for POST/PATCH)."""

    seed_path_names = {"get": {"carId": "vehicleid"}, "delete": {"carId": "vehicleid"}}
    tenancy = CAR
    anchor_lookups = CAR_LOOKUPS

    def refine_anchor(self, queryset):
        return queryset.select_related("battery_car")

    @extend_schema(responses={200: ElectricalVehicleDtoSerializer, 404: ErrorSerializer}, summary="Gets a car.")
    def get(self, request, customerId, carId):
        return respond(ElectricalVehicleDtoSerializer, self.anchor)

    def _save(self, request, replace: bool):
        body = ElectricalVehicleDtoSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        car = services.save_car(car=self.anchor, changes=body.changes(), replace=replace)
        return respond(ElectricalVehicleDtoSerializer, car)

    @extend_schema(
        request=ElectricalVehicleDtoSerializer,
        responses={200: ElectricalVehicleDtoSerializer, **WRITE_ERRORS},
        summary="Saves the provided car (every property; left-out ones are cleared) and returns it.",
    )
    def post(self, request, customerId, carId):
        return self._save(request, replace=True)

    @extend_schema(
        request=ElectricalVehicleDtoSerializer,
        responses={200: ElectricalVehicleDtoSerializer, **WRITE_ERRORS},
        summary="Updates the given properties of the car.",
    )
    def patch(self, request, customerId, carId):
        return self._save(request, replace=False)

    @extend_schema(responses={200: None, 404: ErrorSerializer}, summary="Removes the car.")
    def delete(self, request, customerId, carId):
        services.delete_car(car=self.anchor)
        return no_body()


class GatewayDevicesAndCarsView(EvView):
    tenancy = CUSTOMER_GATEWAY

    def refine_anchor(self, queryset):
        return queryset.select_related("asset__delivery_point__contract")

    @extend_schema(
        responses={200: EvChargingDevicesAndCarsSerializer, 404: ErrorSerializer},
        summary="Gets all existing cars and chargers for the customer and gateway.",
    )
    def get(self, request, customerId, gatewayAssetId):
        return respond(EvChargingDevicesAndCarsSerializer, selectors.gateway_devices_and_cars(self.anchor))


class ChargerStatisticsView(EvView):
    tenancy = CUSTOMER_CHARGER

    @extend_schema(
        parameters=query_parameters(StatisticsQuerySerializer),
        responses={200: ChargerStatisticsSerializer, 400: ErrorSerializer, 404: ErrorSerializer},
        summary="Energy charged, sessions, peak power and cost of a charger in a month.",
        description="From the meter that measures the charger (metering) and the contract's prices (pricing). "
        "404 when no meter measures the charger.",
    )
    def get(self, request, customerId, contractNo, chargerAssetId):
        query = bind_query(request, StatisticsQuerySerializer)
        meter = selectors.charger_meter(self.anchor)
        if meter is None:
            raise NotFound("No meter measures this charger.")
        # Pricing's reads use stored spot prices only: fetch the month's missing days first.
        start, end = selectors.month_bounds(query["year"], query["month"], ZoneInfo(meter.time_zone))
        pricing.fetch_missing_spot_days(price_areas=[meter.delivery_point.price_area], from_time=start, to_time=end)
        statistics = selectors.charger_statistics(
            charger=self.anchor, meter=meter, year=query["year"], month=query["month"]
        )
        return respond(ChargerStatisticsSerializer, statistics)


# --- Vendor integration ----------------------------------------------------------------------------


@sensitive
class AuthorizeView(EvView):
    tenancy = NotTenantScoped("acts on the caller's own vendor login")

    @extend_schema(
        request=EvLoginCredentialsSerializer,
        responses={200: EvAuthorizationSerializer, **VENDOR_ERRORS},
        summary="Gets authorization for the vehicle vendor with the provided credentials.",
        description="Value is this API's handle of the stored vendor login (send it back as auth.bearer); "
        "the vendor's own token is never returned.",
    )
    def post(self, request):
        body = _credentials(request)
        result = services.authorize(user=request.user, manufacturer=body.manufacturer(), credentials=body.credentials())
        data = {"is_authorized": result is not None, "value": result[1] if result else None, "type": AuthType.Bearer}
        return respond(EvAuthorizationSerializer, data)


@sensitive
class AuthAndImportView(EvView):
    tenancy = CUSTOMER

    @extend_schema(
        request=EvLoginCredentialsSerializer,
        responses={200: IntegratedCarsDtoResponseSerializer, **VENDOR_ERRORS},
        summary="Authenticates with the vendor and imports the user's vehicles as cars.",
    )
    def post(self, request, customerId):
        body = _credentials(request)
        handle, cars = services.import_cars(
            user=request.user, customer=self.anchor, manufacturer=body.manufacturer(), credentials=body.credentials()
        )
        return respond(IntegratedCarsDtoResponseSerializer, {"bearer": handle or None, "cars": cars})


@sensitive
class VendorCarView(EvView):
    tenancy = CAR
    anchor_lookups = {"vehicleId": "vehicle_id"}

    @extend_schema(
        request=EvLoginCredentialsSerializer,
        responses={200: ElectricalVehicleDtoSerializer, **VENDOR_ERRORS},
        summary="Gets the car by its vendor id from the vendor API (one of the caller's imported cars).",
    )
    def post(self, request, vehicleId):
        body = _credentials(request)
        car = services.vendor_vehicle(user=request.user, car=self.anchor, credentials=body.credentials())
        return respond(ElectricalVehicleDtoSerializer, car)


@sensitive
class BatteryLevelView(EvView):
    tenancy = CAR
    anchor_lookups = {"customerId": "customer_id", "vehicleId": "vehicle_id"}

    @extend_schema(
        request=EvLoginCredentialsSerializer,
        responses={200: BatteryLevelResponseSerializer, **VENDOR_ERRORS},
        summary="Gets the battery level of the vehicle from the vendor API.",
    )
    def post(self, request, customerId, vehicleId):
        body = _credentials(request)
        level = services.battery_level(user=request.user, car=self.anchor, credentials=body.credentials())
        return respond(BatteryLevelResponseSerializer, {"battery_level": level})


@sensitive
class LogoutView(EvView):
    tenancy = NotTenantScoped("acts on the caller's own vendor login")

    @extend_schema(
        request=EvLoginCredentialsSerializer,
        responses={200: None, 400: ErrorSerializer, 401: ErrorSerializer},
        summary="Forgets the stored vendor logins (of Manufacturer, or all).",
    )
    def post(self, request):
        body = _credentials(request)
        services.logout(user=request.user, manufacturer=body.manufacturer())
        return no_body()
