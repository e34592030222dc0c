"""The asset graph (graph.py: assets, hierarchies, participants) and the devices, gateways and
component events built on it (devices.py, components.py)."""

from .components import *  # noqa: F403  (component events: flags and their history)
from .devices import *  # noqa: F403  (gateways, devices, counters, chargers, SIM cards, weather stations)
from .graph import (  # noqa: F401
    HIERARCHIES,
    ActivitySeverity,
    Asset,
    AssetActivityRecord,
    AssetDocument,
    AssetRelation,
    AssetType,
    Hierarchy,
    Participant,
    ParticipantKind,
    ParticipantMembership,
    ParticipantTopNode,
    RelationType,
    SearchFilter,
)
