"""Business objects: an asset of one type together with its type-specific details, created and
replaced as one under optimistic concurrency (api/businessobject/{aggregationpoint,smarthomedevice,
smarthomegateway}).

- `KINDS[asset_type]` says which details model and fields belong to a type.
- `read(kind=, asset_id=)` loads the asset, its details (`asset.details`, None when none were ever
  recorded, e.g. a gateway asset another app made) and its activity log in a constant number of queries.
- `create(...)` and `replace(...)` check everything first (the rules below, the referenced
  gateway's reach and type, the asset's version), then write: a stale version or `If-Match` is a
  409 and nothing changes; a bad value is a 400 and nothing changes.

The rules are pure functions of the values (`gateway_rule_errors`), so they are tested without a
database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Model, Prefetch
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from esmart.api.exceptions import Conflict

from ..devices.services import first_parent_id
from ..models import Asset, AssetActivityRecord, AssetRelation, AssetType, RelationType
from ..models.devices import AggregationPoint, GatewayConnectionState, IoTStatus, SmartHomeDevice, SmartHomeGateway
from . import selectors, services

# A gateway's clock may run a little ahead of ours; a LastSeen further ahead is a mistake.
CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class Kind:
    asset_type: AssetType
    model: type[Model]
    related_name: str  # the Asset → details accessor
    wire_name: str  # the details object's property in the body ("Gateway")
    fields: tuple[str, ...]  # the details fields a client sets (PUT replaces all of them)
    requires_serial_number: bool = False


KINDS = {
    kind.asset_type: kind
    for kind in (
        Kind(
            AssetType.SmartHomeGateway,
            SmartHomeGateway,
            "gateway",
            "Gateway",
            (
                "gateway_class",
                "status",
                "logging_is_on",
                "data_provider_id",
                "firmware_version",
                "connection_state",
                "last_seen_at",
            ),
            requires_serial_number=True,  # gateways are found by it (api/gateways/serialnumber/...)
        ),
        Kind(AssetType.SmartHomeDevice, SmartHomeDevice, "device", "Device", ("device_type", "rated_power_kw")),
        Kind(
            AssetType.AggregationPoint,
            AggregationPoint,
            "aggregation_point",
            "AggregationPoint",
            ("metering_point_id", "bidding_zone", "max_capacity_kw", "flexibility_enabled"),
        ),
    )
}

_RECORDS = Prefetch("activity_records", queryset=AssetActivityRecord.objects.prefetch_related("documents"))


# --- rules (pure) -------------------------------------------------------------------------------


def gateway_rule_errors(*, status, connection_state, last_seen_at, now: dt.datetime) -> dict[str, list[str]]:
    """What is wrong with a gateway's reported state, by body property (snake case)."""
    errors: dict[str, list[str]] = {}
    if last_seen_at is not None and last_seen_at > now + CLOCK_SKEW:
        errors["last_seen"] = ["LastSeen is in the future."]
    if connection_state == GatewayConnectionState.Online:
        if last_seen_at is None:
            errors.setdefault("connection_state", []).append("An Online gateway needs LastSeen.")
        if status == IoTStatus.Decommissioned:
            errors.setdefault("connection_state", []).append("A Decommissioned gateway cannot be Online.")
    return errors


# --- reads --------------------------------------------------------------------------------------


def queryset(kind: Kind):
    """Assets of the kind with their details and log; devices carry the gateway that controls them."""
    found = (
        Asset.objects.filter(asset_type=kind.asset_type).select_related(kind.related_name).prefetch_related(_RECORDS)
    )
    if kind.asset_type == AssetType.SmartHomeDevice:
        found = found.annotate(
            gateway_asset_id=first_parent_id(RelationType.Controls, AssetType.SmartHomeGateway, child_ref="pk")
        )
    return found


def attach_details(kind: Kind, asset: Asset) -> Asset:
    """Sets `asset.details` (None when the asset has no details row) for the response."""
    details = getattr(asset, kind.related_name, None)  # a missing row raises an AttributeError subclass
    if details is not None and kind.asset_type == AssetType.SmartHomeDevice:
        details.gateway_asset_id = asset.gateway_asset_id
    asset.details = details
    return asset


def read(*, kind: Kind, asset_id: int) -> Asset:
    return attach_details(kind, queryset(kind).get(pk=asset_id))


# --- writes -------------------------------------------------------------------------------------


def _field_errors(kind: Kind, errors: dict[str, list[str]]) -> ValidationError:
    """Details errors under the details object's name, as a body would have put them."""
    return ValidationError({kind.wire_name: errors})


def _check_details(
    *, kind: Kind, asset: Asset | None, serial_number: str, details: dict, reach: services.Reach
) -> Asset | None:
    """Everything about the details that needs the database or several values; returns the
    gateway a device names (None: no gateway). Raises before anything is written."""
    errors: dict[str, list[str]] = {}
    if kind.requires_serial_number:
        taken = Asset.objects.filter(asset_type=kind.asset_type, serial_number=serial_number)
        if asset is not None:
            taken = taken.exclude(pk=asset.pk)
        if taken.exists():
            raise ValidationError({"serial_number": ["Another gateway has this serial number."]})
    if kind.asset_type == AssetType.SmartHomeGateway:
        errors.update(
            gateway_rule_errors(
                status=details.get("status", IoTStatus.Registered),
                connection_state=details.get("connection_state", GatewayConnectionState.Unknown),
                last_seen_at=details.get("last_seen_at"),
                now=timezone.now(),
            )
        )
    if kind.asset_type == AssetType.AggregationPoint and details.get("metering_point_id"):
        taken = AggregationPoint.objects.filter(metering_point_id=details["metering_point_id"])
        if asset is not None:
            taken = taken.exclude(pk=asset.pk)
        if taken.exists():
            errors["metering_point_id"] = ["Another aggregation point has this metering point id."]
    if errors:
        raise _field_errors(kind, errors)
    gateway_id = details.get("gateway_asset_id")
    if gateway_id is None:
        return None
    gateway = services.asset_in_reach(reach=reach, asset_id=gateway_id)  # 404 out of reach, as a path id
    if gateway.asset_type != AssetType.SmartHomeGateway:
        raise _field_errors(kind, {"gateway_asset_id": [f"Asset {gateway_id} is not a smart-home gateway."]})
    return gateway


def _save_details(*, kind: Kind, asset: Asset, details: dict, gateway: Asset | None) -> None:
    values = {name: details[name] for name in kind.fields if name in details}
    row = kind.model.objects.filter(pk=asset.pk).first() or kind.model(asset=asset)
    for name in kind.fields:  # PUT: an absent value takes the field's default
        setattr(row, name, values.get(name, kind.model._meta.get_field(name).get_default()))
    row.full_clean(exclude=["asset"], validate_unique=False, validate_constraints=False)  # checked above
    row.save()
    if kind.asset_type == AssetType.SmartHomeDevice:
        _set_gateway(device=asset, gateway=gateway)


def _set_gateway(*, device: Asset, gateway: Asset | None) -> None:
    """The device is controlled by `gateway` alone (or by none): a direct edge, as part of the
    device's own change (relate() would bump its version a second time)."""
    AssetRelation.objects.filter(
        child=device, relation_type=RelationType.Controls, parent__asset_type=AssetType.SmartHomeGateway
    ).exclude(parent=gateway).delete()
    if gateway is not None:
        AssetRelation.objects.get_or_create(parent=gateway, child=device, relation_type=RelationType.Controls)


def create(
    *, kind: Kind, parent: Asset, relation_type: int, user, reach: services.Reach, asset_fields: dict, details: dict
) -> Asset:
    gateway = _check_details(
        kind=kind, asset=None, serial_number=asset_fields.get("serial_number", ""), details=details, reach=reach
    )
    asset = services.create_asset(
        asset_type=kind.asset_type, parent=parent, relation_type=relation_type, user=user, reach=reach, **asset_fields
    )
    _save_details(kind=kind, asset=asset, details=details, gateway=gateway)
    return read(kind=kind, asset_id=asset.pk)


def replace(
    *,
    kind: Kind,
    asset: Asset,
    version: int,
    if_match: str | None,
    user,
    reach: services.Reach,
    asset_fields: dict,
    details: dict,
) -> Asset:
    """PUT: the asset's and the details' fields all take the given values (absent: defaults).
    Checks come first; the version's compare-and-set is the first write."""
    services.check_version(asset=asset, version=version, if_match=if_match)
    gateway = _check_details(
        kind=kind, asset=asset, serial_number=asset_fields.get("serial_number", ""), details=details, reach=reach
    )
    if gateway is not None and selectors.would_cycle(
        parent_id=gateway.pk, child_id=asset.pk, relation_type=RelationType.Controls
    ):
        raise Conflict(f"Asset {asset.pk} is above gateway {gateway.pk} in the Controls relation: a cycle.")
    asset = services.replace_asset(
        asset=asset, version=version, if_match=if_match, user=user, reach=reach, **asset_fields
    )
    _save_details(kind=kind, asset=asset, details=details, gateway=gateway)
    return read(kind=kind, asset_id=asset.pk)
