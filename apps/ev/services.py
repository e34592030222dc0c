"""Writes of the EV app (keyword-only arguments): charging requests and their plans, cars, charger
imports and vendor logins. Every id that arrives in a body is checked against the customer here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import traceback
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError

from apps.assets import public as assets
from apps.assets.public import Asset, AssetType, Charger, ParticipantTopNode, RelationType
from apps.customers.public import Customer, DeliveryPoint
from apps.pricing import public as pricing
from esmart.api.exceptions import Conflict, ServiceUnavailable

from . import planner, selectors, vendors
from .models import Car, ChargerImport, EvChargingRequest, EvChargingSlot, VendorAccount

logger = logging.getLogger(__name__)
# How far ahead a request may reach: the published day ahead and the forecast after it.
HORIZON = dt.timedelta(hours=48)
CAR_FIELDS = (
    "manufacturer",
    "model",
    "generation",
    "display_name",
    "email",
    "vehicle_id",
    "use_external_api",
    "image_url",
    "gross_battery_kwh",
    "net_battery_kwh",
    "max_charge_kw",
)


class BadGateway(ServiceUnavailable):
    status_code = 502
    default_detail = "The car vendor sent an answer that could not be used."


def _invalid(field: str, message: str):
    return ValidationError({field: [message]})


# --- Charging requests ---------------------------------------------------------------------------


def _charger_of(*, customer: Customer, asset_id: int) -> Charger:
    # With what pricing needs of the charger's delivery point and contract (no further queries to plan).
    chargers = selectors.customer_chargers(customer=customer).select_related(
        "asset__delivery_point__contract__customer", "asset__delivery_point__contract__price_plan"
    )
    charger = chargers.filter(pk=asset_id).first()
    if charger is None:
        raise _invalid("AssetId", f"{asset_id} is not a charger of customer {customer.pk}.")
    return charger


def _car_of(*, customer: Customer, charger: Charger, row_key: str | None) -> Car | None:
    if row_key:
        car = Car.objects.filter(customer=customer, row_key=row_key).first()
        if car is None:
            raise _invalid("CarId", f"{row_key} is not a car of customer {customer.pk}.")
        return car
    # Without a car named, the car connected to the charger (if any) limits the demand.
    return Car.objects.filter(customer=customer, connected_asset_id=charger.pk).order_by("id").first()


def validate_window(*, start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime) -> None:
    if end_at <= start_at:
        raise _invalid("EndTime", "EndTime must be after StartTime.")
    if end_at <= now:
        raise _invalid("EndTime", "EndTime must be in the future.")
    if end_at > now + HORIZON:
        late = end_at - (now + HORIZON)
        raise _invalid("EndTime", f"EndTime is {late} beyond the 48 hours that prices are known for.")


def _plan(*, request: EvChargingRequest, now: dt.datetime) -> planner.Plan:
    """The cheapest schedule of the request from now on, or a 400 naming the limit it breaks."""
    demand = request.charging_demand_kwh
    car = request.car
    if car is not None and car.net_battery_kwh is not None and demand > car.net_battery_kwh:
        raise _invalid(
            "ChargingDemand",
            f"{demand} kWh is more than the car's usable battery of {car.net_battery_kwh} kWh "
            f"({demand - car.net_battery_kwh} kWh too much).",
        )
    point = request.charger.asset.delivery_point
    start = max(request.start_at, now)
    # Pricing's reads use stored spot prices only: fetch the window's missing days first.
    pricing.fetch_missing_spot_days(price_areas=[point.price_area], from_time=start, to_time=request.end_at)
    prices = selectors.interval_prices(contract=point.contract, point=point, from_time=start, to_time=request.end_at)
    covered = sum(((min(p.end, request.end_at) - max(p.start, start)) for p in prices), dt.timedelta())
    if covered < request.end_at - start:
        raise _invalid("EndTime", "Prices are not yet published or forecast for the whole window.")
    try:
        return planner.plan(
            prices=prices, start=start, end=request.end_at, demand_kwh=demand, power_kw=request.charger.max_power_kw
        )
    except planner.InfeasibleError as exc:
        raise _invalid("ChargingDemand", str(exc)) from None


PLAN_FIELDS = ("estimated_cost", "immediate_cost", "planned_at", "updated_at")


def _store_plan(
    *,
    request: EvChargingRequest,
    plan: planner.Plan,
    now: dt.datetime,
    update_fields: tuple[str, ...] | list[str] | None = PLAN_FIELDS,
) -> None:
    """Saves the request with the plan's costs (a new one whole: `update_fields=None`) and its slots."""
    request.estimated_cost, request.immediate_cost, request.planned_at = plan.cost, plan.immediate_cost, now
    request.save(update_fields=update_fields)
    if update_fields is not None:
        request.slots.all().delete()
    EvChargingSlot.objects.bulk_create(
        [
            EvChargingSlot(
                request=request,
                start_at=slot.start,
                end_at=slot.end,
                energy_kwh=slot.energy_kwh,
                price_nok_per_kwh=slot.nok_per_kwh,
                cost=slot.cost.quantize(Decimal("0.0001")),
            )
            for slot in plan.slots
        ]
    )


@transaction.atomic
def create_charging_request(
    *,
    customer: Customer,
    asset_id: int,
    start_at: dt.datetime,
    end_at: dt.datetime,
    charging_demand_kwh: Decimal,
    car_id: str | None = None,
    now: dt.datetime | None = None,
) -> EvChargingRequest:
    now = now or timezone.now()
    validate_window(start_at=start_at, end_at=end_at, now=now)
    charger = _charger_of(customer=customer, asset_id=asset_id)
    request = EvChargingRequest(
        customer=customer,
        charger=charger,
        car=_car_of(customer=customer, charger=charger, row_key=car_id),
        start_at=start_at,
        end_at=end_at,
        charging_demand_kwh=charging_demand_kwh,
    )
    plan = _plan(request=request, now=now)  # before saving: an infeasible request writes nothing
    _store_plan(request=request, plan=plan, now=now, update_fields=None)
    return request


@transaction.atomic
def update_charging_request(
    *,
    request: EvChargingRequest,
    start_at: dt.datetime | None = None,
    end_at: dt.datetime | None = None,
    charging_demand_kwh: Decimal | None = None,
    now: dt.datetime | None = None,
) -> EvChargingRequest:
    """Only the window and the demand change (the seed's PATCH); the request is re-planned."""
    now = now or timezone.now()
    if start_at is not None:
        request.start_at = start_at
    if end_at is not None:
        request.end_at = end_at
    if charging_demand_kwh is not None:
        request.charging_demand_kwh = charging_demand_kwh
    validate_window(start_at=request.start_at, end_at=request.end_at, now=now)
    plan = _plan(request=request, now=now)
    _store_plan(
        request=request, plan=plan, now=now, update_fields=["start_at", "end_at", "charging_demand_kwh", *PLAN_FIELDS]
    )
    return request


def delete_charging_request(*, request: EvChargingRequest) -> None:
    request.delete()


def replan_open_requests(*, area_eic: str | None = None, now: dt.datetime | None = None) -> int:
    """Re-plans every request still running (after prices were published); one that became
    infeasible keeps its old plan. Idempotent: the same prices give the same plan."""
    now = now or timezone.now()
    count = 0
    for request in EvChargingRequest.objects.filter(end_at__gt=now).select_related(
        "car", "charger__asset__delivery_point__contract__customer"
    ):
        point = request.charger.asset.delivery_point
        if area_eic and point is not None:
            from apps.pricing.public import zone

            if zone(point.price_area).eic != area_eic:
                continue
        try:
            with transaction.atomic():
                _store_plan(request=request, plan=_plan(request=request, now=now), now=now)
        except ValidationError:
            continue
        count += 1
    return count


# --- Chargers --------------------------------------------------------------------------------------


def find_charger(*, chargers: QuerySet[Charger], external_id: str) -> Charger | None:
    """The charger with this external id among `chargers` (the caller's reach, restricted by the view)."""
    return chargers.filter(asset__external_id=external_id).select_related("asset").order_by("asset_id").first()


@dataclass(frozen=True)
class ChargerPlaces:
    """Where the caller may find and put chargers, restricted by the view (ApiView.restrict)."""

    chargers: QuerySet[Charger]  # in reach: where a charger created at the same moment is found
    top_nodes: QuerySet[ParticipantTopNode]  # of the caller's own participants
    delivery_points: QuerySet[DeliveryPoint]  # of the caller's customers in the selected area


IMPORT_PRIVILEGE = "customers.professional"
DEFAULT_CHARGER_IMPORTS_PER_USER = 100


def may_import_chargers(user) -> bool:
    """Creating chargers (createIfNotExists) is for callers with the professional privilege."""
    return user.has_perm(IMPORT_PRIVILEGE)


def import_charger(
    *, user, places: ChargerPlaces, external_id: str, import_source: str, max_power_kw: Decimal
) -> Charger:
    """A new charger asset in the caller's reach: below a top node of the caller's participants, or
    at a delivery point of the caller's customer in the selected area (403 when the caller has neither).

    At most EV_CHARGER_IMPORTS_PER_USER per user (403 beyond), one per (import source, external id):
    a second creation of the same pair, even at the same moment, finds the first (409 when it is not
    in the caller's reach)."""
    cap = getattr(settings, "EV_CHARGER_IMPORTS_PER_USER", DEFAULT_CHARGER_IMPORTS_PER_USER)
    if ChargerImport.objects.filter(imported_by=user).count() >= cap:
        raise PermissionDenied(f"A user can create at most {cap} chargers; this user has reached that limit.")
    try:
        with transaction.atomic():
            return _create_charger(
                user=user,
                places=places,
                external_id=external_id,
                import_source=import_source,
                max_power_kw=max_power_kw,
            )
    except IntegrityError:
        existing = find_charger(chargers=places.chargers, external_id=external_id)
        if (
            existing is None
            or not ChargerImport.objects.filter(
                charger=existing, import_source=import_source, external_id=external_id
            ).exists()
        ):
            raise Conflict(f"A charger {external_id} from '{import_source}' already exists.") from None
        return existing


def _create_charger(
    *, user, places: ChargerPlaces, external_id: str, import_source: str, max_power_kw: Decimal
) -> Charger:
    top = places.top_nodes.filter(hierarchy=RelationType.Location).select_related("asset").order_by("id").first()
    fields = {"name": f"Charger {external_id}", "external_id": external_id}
    if top is not None:
        charger = assets.create_charger(max_power_kw=max_power_kw, parent=top.asset, **fields)
    else:
        point = places.delivery_points.order_by("id").first()
        if point is None:
            raise PermissionDenied("The user has no asset or delivery point to put a charger under.")
        charger = assets.create_charger(max_power_kw=max_power_kw, delivery_point_id=point.pk, **fields)
    ChargerImport.objects.create(
        charger=charger, import_source=import_source, external_id=external_id, imported_by=user
    )
    return Charger.objects.select_related("asset", "ev_import").get(pk=charger.pk)


# --- Cars ------------------------------------------------------------------------------------------


def _connected_asset(*, customer: Customer, asset_id: int | None) -> Asset | None:
    if not asset_id:
        return None
    asset = Asset.objects.filter(pk=asset_id, delivery_point__contract__customer=customer).first()
    if asset is None or asset.asset_type not in (AssetType.Charger, AssetType.SmartHomeDevice):
        raise _invalid("ConnectedAssetId", f"{asset_id} is not a charger of customer {customer.pk}.")
    return asset


def _fill_from_catalogue(car: Car) -> None:
    """Battery sizes and power the client left out come from the catalogue model."""
    model = selectors.find_catalogue_model(manufacturer=car.manufacturer, model=car.model, generation=car.generation)
    if model is None:
        return
    car.battery_car = model
    car.gross_battery_kwh = car.gross_battery_kwh or model.gross_battery_kwh
    car.net_battery_kwh = car.net_battery_kwh or model.net_battery_kwh
    car.max_charge_kw = car.max_charge_kw or model.max_ac_kw
    car.image_url = car.image_url or model.image_url


def _check_car(car: Car) -> None:
    if not car.manufacturer:
        raise _invalid("Manufacturer", "Manufacturer is required.")
    if (
        car.gross_battery_kwh is not None
        and car.net_battery_kwh is not None
        and car.net_battery_kwh > car.gross_battery_kwh
    ):
        raise _invalid("NettBatterySize", "NettBatterySize cannot be larger than GrossBatterySize.")


@transaction.atomic
def save_car(*, car: Car, changes: dict, replace: bool) -> Car:
    """POST replaces every editable field (unset ones are cleared); PATCH changes the given ones."""
    connected = changes.pop("connected_asset_id", None)
    if replace:
        for name in CAR_FIELDS:
            if name != "manufacturer" or name in changes:
                setattr(car, name, changes.get(name, Car._meta.get_field(name).get_default()))
        car.connected_asset = _connected_asset(customer=car.customer, asset_id=connected)
    else:
        for name, value in changes.items():
            setattr(car, name, value)
        if connected is not None:
            car.connected_asset = _connected_asset(customer=car.customer, asset_id=connected)
    _check_car(car)
    _fill_from_catalogue(car)
    car.save()
    return car


def delete_car(*, car: Car) -> None:
    car.delete()


# --- Vendors ---------------------------------------------------------------------------------------


def _digest(handle: str) -> str:
    return hashlib.sha256(handle.encode()).hexdigest()


def _call(operation, *args):
    """The adapter's answer; its failures as 502/503 with the adapter's own message (never the vendor's
    text), a vehicle it does not know as 404, and a failure of the adapter itself as a 502, not a 500."""
    try:
        return operation(*args)
    except vendors.VendorUnavailableError as exc:
        raise ServiceUnavailable(str(exc)) from None
    except vendors.VendorError as exc:
        raise BadGateway(str(exc)) from None
    except vendors.UnknownVehicleError as exc:
        raise NotFound(str(exc)) from None
    except vendors.NotAuthorizedError:
        raise
    except Exception as exc:
        # Where and what, never the message: an exception's text may hold a token or the vendor's body.
        where = traceback.extract_tb(exc.__traceback__)[-1]
        logger.error("The car-vendor adapter failed: %s at %s:%s", type(exc).__name__, where.filename, where.lineno)
        raise BadGateway() from None


def _stored_account(*, user, manufacturer: str, bearer: str = "") -> VendorAccount | None:
    accounts = VendorAccount.objects.filter(user=user)
    if bearer:
        return accounts.filter(handle_digest=_digest(bearer)).first()
    return accounts.filter(manufacturer__iexact=manufacturer).first() if manufacturer else None


@transaction.atomic
def authorize(*, user, manufacturer: str, credentials: vendors.Credentials) -> tuple[VendorAccount, str] | None:
    """Logs in at the vendor and stores the credentials and token encrypted. Returns the account and a
    new opaque handle for the client, or None when the vendor refused."""
    if not manufacturer:
        raise _invalid("Manufacturer", "Manufacturer is required.")
    adapter = vendors.adapter_for(manufacturer)
    try:
        token = _call(adapter.authorize, credentials)
    except vendors.NotAuthorizedError:
        return None
    handle = "evs_" + secrets.token_urlsafe(24)
    account, _ = VendorAccount.objects.update_or_create(
        user=user,
        manufacturer=manufacturer,
        defaults={
            "username": credentials.username,
            "password": credentials.password,
            "access_token": token,
            "handle_digest": _digest(handle),
        },
    )
    return account, handle


def session(*, user, manufacturer: str, credentials: vendors.Credentials) -> tuple[VendorAccount, str]:
    """The vendor account to use: the one our handle names, else a fresh login with the credentials,
    else the stored login of that manufacturer. (account, handle or "" when the stored one is used)."""
    if credentials.bearer:
        account = _stored_account(user=user, manufacturer=manufacturer, bearer=credentials.bearer)
        if account is not None:
            return account, credentials.bearer
    if credentials.bearer or (credentials.username and credentials.password):
        result = authorize(user=user, manufacturer=manufacturer, credentials=credentials)
        if result is None:
            raise _invalid("Credentials", "The car vendor refused the credentials.")
        return result
    account = _stored_account(user=user, manufacturer=manufacturer)
    if account is None:
        raise _invalid("Credentials", "Log in with the car vendor first (username and password, or auth.bearer).")
    return account, ""


def _adapter_call(account: VendorAccount, operation: str, *args):
    adapter = vendors.adapter_for(account.manufacturer)
    try:
        return _call(getattr(adapter, operation), account.access_token, *args)
    except vendors.NotAuthorizedError:
        raise _invalid("Credentials", "The car vendor no longer accepts the stored login: log in again.") from None


@transaction.atomic
def import_cars(
    *, user, customer: Customer, manufacturer: str, credentials: vendors.Credentials
) -> tuple[str, list[Car]]:
    """Imports the vendor's vehicles of the login as the customer's cars (a repeat adds nothing)."""
    if not manufacturer:
        raise _invalid("Manufacturer", "Manufacturer is required.")
    account, handle = session(user=user, manufacturer=manufacturer, credentials=credentials)
    for vehicle in _adapter_call(account, "vehicles"):
        car, created = Car.objects.get_or_create(
            customer=customer,
            manufacturer=account.manufacturer,
            vehicle_id=vehicle.vehicle_id,
            defaults={
                "model": vehicle.model,
                "generation": vehicle.generation,
                "display_name": vehicle.display_name,
                "email": credentials.username,
                "use_external_api": True,
                "image_url": vehicle.image_url,
            },
        )
        if created:
            _fill_from_catalogue(car)
            car.save()
    cars = list(
        Car.objects.filter(customer=customer, manufacturer=account.manufacturer).exclude(vehicle_id="").order_by("id")
    )
    return handle, cars


def vendor_vehicle(*, user, car: Car, credentials: vendors.Credentials) -> Car:
    """The car as the vendor describes it now (not stored)."""
    account, _ = session(user=user, manufacturer=car.manufacturer, credentials=credentials)
    vehicle = _adapter_call(account, "vehicle", car.vehicle_id)
    car.model = vehicle.model or car.model
    car.display_name = vehicle.display_name or car.display_name
    return car


def battery_level(*, user, car: Car, credentials: vendors.Credentials) -> Decimal:
    if not car.vehicle_id:
        raise NotFound("The car is not connected to a vendor.")
    account, _ = session(user=user, manufacturer=car.manufacturer, credentials=credentials)
    return _adapter_call(account, "battery_level", car.vehicle_id)


def logout(*, user, manufacturer: str = "") -> int:
    """Forgets the stored logins (of one manufacturer, or all)."""
    accounts = VendorAccount.objects.filter(user=user)
    if manufacturer:
        accounts = accounts.filter(manufacturer__iexact=manufacturer)
    deleted, _ = accounts.delete()
    return deleted
