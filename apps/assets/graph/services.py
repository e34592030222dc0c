"""Writes of the asset graph (keyword-only arguments; the API views call these, so does the admin).

Every asset or participant id that arrives in a body is looked up in a `Reach`: querysets the view
restricted through its declared anchors (ApiView.restrict, docs/tenancy.md), so these functions never
work out a caller's reach themselves. Every change bumps `Asset.version` and writes an activity record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils import timezone
from rest_framework.exceptions import NotFound

from esmart.api.exceptions import Conflict

from ..models import HIERARCHIES, Asset, AssetActivityRecord, AssetRelation, AssetType, Participant, RelationType
from . import selectors

# The fields a business object's PUT replaces (everything the client owns; not key, type, links).
REPLACEABLE_FIELDS = (
    "name",
    "description",
    "external_id",
    "serial_number",
    "default_time_zone",
    "latitude",
    "longitude",
    "corporate_code",
    "purchase_price",
    "installation_date",
    "in_service_date",
    "valid_from",
    "valid_to",
    "owner",
)


class StaleVersion(Conflict):
    default_detail = "The asset was changed by someone else: read it again and retry with its current version."


def _log(*, asset: Asset, reason: str, user, category: str) -> None:
    AssetActivityRecord.objects.create(asset=asset, reason=reason, category=category, created_by=user)


@dataclass(frozen=True)
class Reach:
    """What the caller reaches, restricted by the view through its anchors (ASSETS_IN_REACH,
    PARTICIPANTS_IN_REACH): where ids from a body are looked up."""

    assets: QuerySet[Asset]
    participants: QuerySet[Participant]


def asset_in_reach(*, reach: Reach, asset_id: int) -> Asset:
    """The asset `asset_id` if the caller reaches it, else a 404 (for ids that arrive in a body)."""
    asset = reach.assets.filter(pk=asset_id).first()
    if asset is None:
        raise NotFound(f"No asset {asset_id}.")
    return asset


def assets_in_reach(*, reach: Reach, asset_ids) -> dict[int, Asset]:
    """The assets `asset_ids` by id, in one query; a 404 naming the first one the caller does not reach."""
    wanted = sorted(set(asset_ids))
    found = {a.pk: a for a in reach.assets.filter(pk__in=wanted)}
    missing = [pk for pk in wanted if pk not in found]
    if missing:
        raise NotFound(f"No asset {missing[0]}.")
    return found


def check_owner(*, reach: Reach | None, owner) -> None:
    """A participant named in a body must be one the caller reaches (404 otherwise, as for paths).
    Without a reach (a write on no caller's behalf) no owner may be named."""
    if owner is not None and (reach is None or not reach.participants.filter(pk=owner.pk).exists()):
        raise NotFound(f"No participant {owner.pk}.")


# --- one id space ----------------------------------------------------------------------------


def ensure_meter_asset(*, meter) -> Asset:
    """The meter's asset, created on first sight; its delivery point follows the meter's."""
    asset = Asset.objects.filter(meter=meter).first()
    if asset is None:
        return Asset.objects.create(
            asset_type=AssetType.Meter,
            meter=meter,
            delivery_point_id=meter.delivery_point_id,
            name=meter.meter_id,
            serial_number=meter.meter_no,
            default_time_zone=meter.time_zone,
        )
    if asset.delivery_point_id != meter.delivery_point_id:
        Asset.objects.filter(pk=asset.pk).update(delivery_point_id=meter.delivery_point_id, version=F("version") + 1)
    return asset


def ensure_meter_assets() -> int:
    """Creates the asset of every meter that has none (meters made by bulk_create); returns how many."""
    from apps.customers.public import Meter

    missing = Meter.objects.filter(asset__isnull=True).values(
        "pk", "meter_id", "meter_no", "time_zone", "delivery_point_id"
    )
    rows = [
        Asset(
            asset_type=AssetType.Meter,
            meter_id=m["pk"],
            delivery_point_id=m["delivery_point_id"],
            name=m["meter_id"],
            serial_number=m["meter_no"],
            default_time_zone=m["time_zone"],
        )
        for m in missing
    ]
    Asset.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def on_meter_saved(sender, instance, **kwargs):
    """post_save of customers.Meter: every meter, however it was made, has its asset."""
    if kwargs.get("raw"):
        return  # fixtures load the asset rows themselves
    ensure_meter_asset(meter=instance)


def on_meters_bulk_created(sender, meters, **kwargs):
    """customers' meters_bulk_created: bulk-made meters get their assets too."""
    ensure_meter_assets()


# --- relations --------------------------------------------------------------------------------


def relate(*, parent: Asset, child: Asset, relation_type: int, user=None) -> AssetRelation:
    """Links parent → child. In a hierarchy the child moves under the new parent (one parent per
    hierarchy); a link that would close a loop is a 409 and nothing changes. Idempotent."""
    relation_type = RelationType(relation_type)
    existing = AssetRelation.objects.filter(parent=parent, child=child, relation_type=relation_type).first()
    if existing is not None:
        return existing
    if selectors.would_cycle(parent_id=parent.pk, child_id=child.pk, relation_type=relation_type):
        raise Conflict(f"Asset {child.pk} is {parent.pk} or above it in the {relation_type.label} relation: a cycle.")
    if relation_type in HIERARCHIES:
        AssetRelation.objects.filter(child=child, relation_type=relation_type).delete()
    relation = AssetRelation.objects.create(parent=parent, child=child, relation_type=relation_type)
    Asset.objects.filter(pk=child.pk).update(version=F("version") + 1, updated_at=timezone.now())
    child.refresh_from_db(fields=["version", "updated_at"])
    _log(asset=child, reason=f"{relation_type.label} parent set to {parent.pk}.", user=user, category="Relation")
    return relation


# --- creating and replacing ----------------------------------------------------------------------


def create_asset(
    *,
    asset_type: int,
    parent: Asset,
    relation_type: int = RelationType.Location,
    user=None,
    reach: Reach | None = None,
    **fields,
) -> Asset:
    """Creates an asset under `parent` (so it is in the creator's reach from the start). `user` is the
    actor the activity record names; `reach` is where a named owner must be."""
    check_owner(reach=reach, owner=fields.get("owner"))
    asset = Asset(asset_type=asset_type, **fields)
    if asset.owner_id is None:
        asset.owner_id = parent.owner_id
    asset.full_clean(exclude=["meter", "delivery_point"], validate_unique=False)
    asset.save()
    AssetRelation.objects.create(parent=parent, child=asset, relation_type=relation_type)
    _log(asset=asset, reason="Created.", user=user, category="Lifecycle")
    return asset


def create_children(
    *, parent: Asset, asset_type: int, items: list[dict], user=None, reach: Reach | None = None
) -> list[Asset]:
    """Creates a list of children of one type under `parent`. The caller validated the whole list
    first, so either every item is written or (on an exception) none: the request is atomic."""
    created = []
    for item in items:
        relation_type = item.pop("relation_type", RelationType.Location)
        created.append(
            create_asset(
                asset_type=asset_type, parent=parent, relation_type=relation_type, user=user, reach=reach, **item
            )
        )
    return created


def create_under_parents(*, asset_type: int, items: list[dict], user, reach: Reach) -> list[Asset]:
    """Creates one asset per item, each under the asset its `parent_id` names (POST api/Facilities).
    Every parent must be in the caller's reach (else a 404 before anything is written)."""
    parents = assets_in_reach(reach=reach, asset_ids=[item["parent_id"] for item in items])
    created = []
    for item in items:
        fields = dict(item)
        parent = parents[fields.pop("parent_id")]
        relation_type = fields.pop("relation_type", RelationType.Location)
        created.append(
            create_asset(
                asset_type=asset_type, parent=parent, relation_type=relation_type, user=user, reach=reach, **fields
            )
        )
    return created


def _check_etag(*, asset: Asset, if_match: str | None) -> None:
    if if_match is None:
        return
    tags = {tag.strip().removeprefix("W/") for tag in if_match.split(",")}
    if "*" not in tags and asset.etag not in tags:
        raise StaleVersion()


def check_version(*, asset: Asset, version: int, if_match: str | None = None) -> None:
    """A 409 unless `version` (and `If-Match`, when sent) is the asset's as read: for writes that
    check before they change anything. replace_asset's compare-and-set still guards the write."""
    _check_etag(asset=asset, if_match=if_match)
    if version != asset.version:
        raise StaleVersion()


def replace_asset(
    *, asset: Asset, version: int, if_match: str | None = None, user=None, reach: Reach | None = None, **fields
) -> Asset:
    """PUT semantics: every replaceable field takes the given value (absent → its default).

    Optimistic concurrency: `version` (and `If-Match`, when sent) must be the stored one. The
    compare-and-set is one UPDATE ... WHERE version = %s, so two racing PUTs cannot both win.
    """
    _check_etag(asset=asset, if_match=if_match)
    check_owner(reach=reach, owner=fields.get("owner"))
    candidate = Asset(pk=asset.pk, key=asset.key, asset_type=asset.asset_type)
    for name in REPLACEABLE_FIELDS:
        if name in fields:
            setattr(candidate, name, fields[name])
    candidate.full_clean(exclude=["meter", "delivery_point"], validate_unique=False)
    values = {name: getattr(candidate, name) for name in REPLACEABLE_FIELDS}
    updated = Asset.objects.filter(pk=asset.pk, version=version).update(
        **values, version=F("version") + 1, updated_at=timezone.now()
    )
    if not updated:
        raise StaleVersion()
    asset.refresh_from_db()
    _log(asset=asset, reason="Replaced.", user=user, category="Lifecycle")
    return asset


def save_label(*, asset: Asset, label: str, user=None) -> None:
    Asset.objects.filter(pk=asset.pk).update(label=label, version=F("version") + 1, updated_at=timezone.now())
    _log(asset=asset, reason="Label changed.", user=user, category="Label")
