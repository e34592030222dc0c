"""Reads and writes of device-like assets: smart-home gateways and devices, counters, chargers,
charging stations and SIM cards.

Reads return *unrestricted* querysets shaped for their response (select_related, prefetches and
the one-hop links annotated); the views restrict them with `AssetScope("asset")` before paging,
so every list is a constant number of queries. The links are the graph's typed relations:
gateway --Controls--> device, charging station --Supplies--> charger, SIM card --Communicates-->
gateway (one hop each, so a correlated subquery rather than a walk).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.utils import timezone

from ..graph.selectors import subtree_ids_sql
from ..graph.services import relate
from ..models.devices import (
    Charger,
    ChargingStation,
    Counter,
    CounterCategory,
    DeviceType,
    DeviceValue,
    IoTStatus,
    SimCard,
    SmartHomeDevice,
    SmartHomeGateway,
)
from ..models.graph import Asset, AssetRelation, AssetType, Participant, RelationType

GATEWAY_TOKEN_LIFETIME = dt.timedelta(days=365)


def first_parent_id(relation_type: RelationType, parent_type: AssetType, child_ref: str = "asset_id"):
    """The id of the child's first parent of `parent_type` over a typed relation (one hop)."""
    return Subquery(
        AssetRelation.objects.filter(
            child_id=OuterRef(child_ref), relation_type=relation_type, parent__asset_type=parent_type
        )
        .order_by("parent_id")
        .values("parent_id")[:1]
    )


def _child_of(relation_type: RelationType, child_type: AssetType, parent_ref: str = "asset_id"):
    return Subquery(
        AssetRelation.objects.filter(
            parent_id=OuterRef(parent_ref), relation_type=relation_type, child__asset_type=child_type
        )
        .order_by("child_id")
        .values("child_id")[:1]
    )


def _in_participant_subtree(participant: Participant) -> Q:
    """Assets at or below the participant's top nodes, in either hierarchy (one subquery)."""
    root_ids = list(participant.top_nodes.values_list("asset_id", flat=True))
    if not root_ids:
        return Q(pk__in=[])
    sql, params = subtree_ids_sql(root_ids=root_ids)
    return Q(asset_id__in=RawSQL(sql, params))


# --- Smart-home devices and gateways ----------------------------------------------------------


def devices() -> QuerySet[SmartHomeDevice]:
    """Devices with their asset and latest values (DeviceResponse), in asset order."""
    return (
        SmartHomeDevice.objects.select_related("asset")
        .prefetch_related(Prefetch("values", DeviceValue.objects.order_by("value_category", "value_sub_category")))
        .order_by("asset_id")
    )


def participant_devices(*, participant: Participant, device_type: DeviceType) -> QuerySet[SmartHomeDevice]:
    """The participant's devices of one type: at or below its top nodes."""
    return devices().filter(_in_participant_subtree(participant), device_type=device_type)


def gateway_devices(*, gateway: SmartHomeGateway) -> QuerySet[SmartHomeDevice]:
    """The devices the gateway controls."""
    return devices().filter(
        asset__parent_relations__parent_id=gateway.asset_id,
        asset__parent_relations__relation_type=RelationType.Controls,
    )


def gateways() -> QuerySet[SmartHomeGateway]:
    return SmartHomeGateway.objects.select_related("asset").order_by("asset_id")


def device_gateways(*, device: SmartHomeDevice) -> QuerySet[SmartHomeGateway]:
    """The gateway(s) that control the device, first one first."""
    return gateways().filter(
        asset__child_relations__child_id=device.asset_id,
        asset__child_relations__relation_type=RelationType.Controls,
    )


def active_gateways(*, participant: Participant, at: dt.datetime | None = None) -> QuerySet[SmartHomeGateway]:
    """The participant's gateways with a serial number that are Active and valid at `at` (default now),
    by serial number."""
    at = at or timezone.now()
    return (
        SmartHomeGateway.objects.filter(_in_participant_subtree(participant), status=IoTStatus.Active)
        .filter(Q(asset__valid_from__isnull=True) | Q(asset__valid_from__lte=at))
        .filter(Q(asset__valid_to__isnull=True) | Q(asset__valid_to__gt=at))
        .exclude(asset__serial_number="")
        .order_by("asset__serial_number", "asset_id")
    )


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_gateway_token(
    *, gateway: SmartHomeGateway, lifetime: dt.timedelta = GATEWAY_TOKEN_LIFETIME, now: dt.datetime | None = None
) -> str:
    """Gives the gateway a new access token and returns it: the only time it is ever seen.

    Only its SHA-256 digest is stored (the token is 256 random bits, so no slow hash is needed);
    the previous token stops working at once.
    """
    token = secrets.token_urlsafe(32)
    gateway.token_digest = token_digest(token)
    gateway.token_expiry = (now or timezone.now()) + lifetime
    gateway.save(update_fields=["token_digest", "token_expiry"])
    return token


def gateway_token_is_valid(*, gateway: SmartHomeGateway, token: str, now: dt.datetime | None = None) -> bool:
    if not gateway.token_digest or gateway.token_expiry is None or gateway.token_expiry <= (now or timezone.now()):
        return False
    return hmac.compare_digest(gateway.token_digest, token_digest(token))


@transaction.atomic
def record_device_values(
    *, device: SmartHomeDevice, values: Iterable[tuple[int, int, int, dt.datetime, Decimal]]
) -> int:
    """Stores the latest (category, sub-category, unit, time, value) of a device; an older time
    than the one stored for that category and sub-category is ignored. Returns rows written."""
    written = 0
    for category, sub_category, unit, value_time, value in values:
        current = (
            DeviceValue.objects.select_for_update()
            .filter(device=device, value_category=category, value_sub_category=sub_category)
            .first()
        )
        if current is not None and current.value_time >= value_time:
            continue
        DeviceValue.objects.update_or_create(
            device=device,
            value_category=category,
            value_sub_category=sub_category,
            defaults={"value_unit": unit, "value_time": value_time, "value": value},
        )
        written += 1
    return written


# --- Counters, chargers, charging stations, SIM cards -----------------------------------------


def counters(*, category: CounterCategory | None = None) -> QuerySet[Counter]:
    queryset = Counter.objects.select_related("asset").order_by("asset_id")
    return queryset if category is None else queryset.filter(category=category)


def chargers() -> QuerySet[Charger]:
    return (
        Charger.objects.select_related("asset")
        .annotate(station_asset_id=first_parent_id(RelationType.Supplies, AssetType.ChargingStation))
        .order_by("asset_id")
    )


def charging_stations() -> QuerySet[ChargingStation]:
    return ChargingStation.objects.select_related("asset").order_by("asset_id")


def station_chargers(*, station_ids: Iterable[int]) -> QuerySet[Charger]:
    """The chargers the given stations supply, each annotated with its `station_asset_id`."""
    return chargers().filter(
        asset__parent_relations__parent_id__in=list(station_ids),
        asset__parent_relations__relation_type=RelationType.Supplies,
    )


def sim_cards() -> QuerySet[SimCard]:
    return (
        SimCard.objects.select_related("asset")
        .annotate(gateway_asset_id=_child_of(RelationType.Communicates, AssetType.SmartHomeGateway))
        .order_by("asset_id")
    )


# --- Creating device assets -------------------------------------------------------------------


def _create(asset_type: AssetType, details, *, asset=None, parent=None, relation_type=RelationType.Location, fields):
    """The details row of a device-like asset: on `asset` when given (one the graph routes made, of
    this type), else on a new asset with `fields`, under `parent` when given (so it is in the
    parent's reach)."""
    if asset is None:
        asset = Asset(asset_type=asset_type, **fields)
        asset.full_clean(exclude=["meter", "delivery_point", "owner"], validate_unique=False)
        asset.save()
    else:
        if asset.asset_type != asset_type:
            raise ValueError(f"Asset {asset.pk} is a {asset.get_asset_type_display()}, not a {asset_type.label}.")
        if fields:
            for name, value in fields.items():
                setattr(asset, name, value)
            asset.full_clean(exclude=["meter", "delivery_point", "owner"], validate_unique=False)
            asset.save(update_fields=[*fields, "updated_at"])
    if parent is not None:
        relate(parent=parent, child=asset, relation_type=relation_type)
    details.asset = asset
    details.full_clean(exclude=["asset"])
    details.save(force_insert=True)
    return details


@transaction.atomic
def create_gateway(
    *, asset=None, parent=None, relation_type=RelationType.Location, details=None, **fields
) -> SmartHomeGateway:
    """A smart-home gateway asset; `details` are SmartHomeGateway fields (status, gateway_class...)."""
    return _create(
        AssetType.SmartHomeGateway,
        SmartHomeGateway(**(details or {})),
        asset=asset,
        parent=parent,
        relation_type=relation_type,
        fields=fields,
    )


@transaction.atomic
def create_device(
    *, device_type: DeviceType, gateway: SmartHomeGateway | None = None, asset=None, parent=None, **fields
) -> SmartHomeDevice:
    """A smart-home device asset, controlled by `gateway` when given."""
    device = _create(
        AssetType.SmartHomeDevice, SmartHomeDevice(device_type=device_type), asset=asset, parent=parent, fields=fields
    )
    if gateway is not None:
        relate(parent=gateway.asset, child=device.asset, relation_type=RelationType.Controls)
    return device


@transaction.atomic
def create_counter(*, category: CounterCategory, parent=None, details=None, **fields) -> Counter:
    return _create(AssetType.Counter, Counter(category=category, **(details or {})), parent=parent, fields=fields)


@transaction.atomic
def create_charging_station(*, parent=None, details=None, **fields) -> ChargingStation:
    return _create(AssetType.ChargingStation, ChargingStation(**(details or {})), parent=parent, fields=fields)


@transaction.atomic
def create_charger(
    *, max_power_kw: Decimal, station: ChargingStation | None = None, parent=None, details=None, **fields
) -> Charger:
    """A charger asset, supplied by `station` when given."""
    charger = _create(
        AssetType.Charger, Charger(max_power_kw=max_power_kw, **(details or {})), parent=parent, fields=fields
    )
    if station is not None:
        relate(parent=station.asset, child=charger.asset, relation_type=RelationType.Supplies)
    return charger


@transaction.atomic
def create_sim_card(
    *, iccid: str, gateway: SmartHomeGateway | None = None, parent=None, details=None, **fields
) -> SimCard:
    """A SIM card asset, connecting `gateway` when given."""
    sim = _create(AssetType.SimCard, SimCard(iccid=iccid, **(details or {})), parent=parent, fields=fields)
    if gateway is not None:
        relate(parent=sim.asset, child=gateway.asset, relation_type=RelationType.Communicates)
    return sim
