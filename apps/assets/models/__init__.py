"""The asset graph (graph.py: assets, hierarchies, participants) and the devices, gateways and
component events built on it (devices.py, components.py)."""

from .graph import (  # noqa: F401
    HIERARCHIES,
    ActivitySeverity,
    Asset,
    AssetActivityRecord,
    AssetDocument,
    AssetRelation,
    AssetType,
    Participant,
    ParticipantKind,
    ParticipantMembership,
    ParticipantTopNode,
    RelationType,
    SearchFilter,
)
