"""What other apps may import from the assets app (docs/architecture.md): the one door in.

Re-exports only; the names live in the app's own modules."""

from .devices.api.serializers import DeviceResponseSerializer
from .devices.components import component_flag_changed
from .devices.services import create_charger
from .graph.api.serializers import SearchFilterSerializer
from .graph.selectors import ancestors, participant_reachable, reachable, user_participants, visible_assets
from .graph.services import ensure_meter_asset, relate
from .models import (
    HIERARCHIES,
    Asset,
    AssetRelation,
    AssetType,
    Charger,
    ComponentFlagChange,
    ConnectorType,
    DeviceType,
    DeviceValue,
    FlagAction,
    Participant,
    ParticipantMembership,
    ParticipantTopNode,
    RelationType,
    SearchFilter,
    SmartHomeDevice,
    SmartHomeGateway,
    TimeSeriesTypeClass,
    ValueSubCategory,
    ValueUnit,
)
from .scopes import (
    ASSET,
    ASSETS_IN_REACH,
    DEVICE,
    GATEWAY,
    ON_ASSET_IN_REACH,
    PARTICIPANT,
    PARTICIPANTS_IN_REACH,
    AssetScope,
    ParticipantScope,
)

__all__ = [
    "ASSET",
    "ASSETS_IN_REACH",
    "DEVICE",
    "GATEWAY",
    "ON_ASSET_IN_REACH",
    "PARTICIPANT",
    "PARTICIPANTS_IN_REACH",
    "ParticipantScope",
    "HIERARCHIES",
    "Asset",
    "AssetRelation",
    "AssetScope",
    "AssetType",
    "Charger",
    "ComponentFlagChange",
    "ConnectorType",
    "DeviceResponseSerializer",
    "DeviceType",
    "DeviceValue",
    "FlagAction",
    "Participant",
    "ParticipantMembership",
    "ParticipantTopNode",
    "RelationType",
    "SearchFilter",
    "SearchFilterSerializer",
    "SmartHomeDevice",
    "SmartHomeGateway",
    "TimeSeriesTypeClass",
    "ValueSubCategory",
    "ValueUnit",
    "ancestors",
    "component_flag_changed",
    "create_charger",
    "ensure_meter_asset",
    "participant_reachable",
    "reachable",
    "relate",
    "user_participants",
    "visible_assets",
]
