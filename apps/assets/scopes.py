"""The scopes of the assets app (DESIGN.md §5, "three kinds of reach").

How to use them: through the named anchors at the end of this file (docs/tenancy.md), or to restrict any queryset:
- `AssetScope()` restricts assets; `AssetScope("asset")` restricts a model that points at an asset
  (a gateway, a device, a flag) through the field `asset`. A professional reaches the assets at or
  below the top nodes of their participants, in either hierarchy; a customer reaches the assets of
  their own delivery points (meters, and the gateways and devices behind them). Anything else is
  a 404. Whether the caller must be a professional is the view's permission (privilege_required).
- `ParticipantScope()` restricts participants to the caller's own and those below them.
Assets ignore X-Area (DESIGN.md §4): reach does not depend on the selected area.
"""

from esmart.api.tenancy import Anchor, Scope

from .graph.selectors import in_subtrees, participant_reachable, reachable
from .models.devices import SmartHomeDevice, SmartHomeGateway
from .models.graph import Asset, Participant


class AssetScope(Scope):
    def __init__(self, asset_path: str = ""):
        self.asset_path = asset_path

    def restrict(self, queryset, request):
        return queryset.filter(reachable(user=request.user, asset_path=self.asset_path))


class SubtreeAssetScope(Scope):
    """The same reach as AssetScope, as one walk down from the caller's top nodes instead of a walk up
    per row: for lists that may hold most of a utility's assets."""

    def restrict(self, queryset, request):
        return queryset.filter(in_subtrees(user=request.user)).distinct()


class ParticipantScope(Scope):
    def __init__(self, participant_path: str = ""):
        self.participant_path = participant_path

    def restrict(self, queryset, request):
        return queryset.filter(participant_reachable(user=request.user, participant_path=self.participant_path))


class MemberScope(Scope):
    """Participants the caller is a member of, not those below them (where the caller's own new
    assets go); `participant_path` for a model that points at a participant."""

    def __init__(self, participant_path: str = ""):
        self.prefix = f"{participant_path}__" if participant_path else ""

    def restrict(self, queryset, request):
        return queryset.filter(**{f"{self.prefix}memberships__user": request.user})


# --- Anchors: declared once here, named by the views (`tenancy = ASSET`) -----------------------------

ASSET = Anchor("asset", AssetScope(), Asset, {"assetId": "pk"})
# Assets named by ids in a body or a query string, and lists of assets.
ASSETS_IN_REACH = Anchor("assets in reach", AssetScope())
# The same, for lists that may hold most of the assets (one subtree query; docs/tenancy.md).
ASSETS_IN_REACH_BY_SUBTREE = Anchor("assets in reach, by subtree", SubtreeAssetScope())
# Rows that point at an asset through `asset` (devices, gateways, counters, chargers, flags...).
ON_ASSET_IN_REACH = Anchor("rows on an asset in reach", AssetScope("asset"))
DEVICE = Anchor("device", AssetScope("asset"), SmartHomeDevice, {"serialNumber": "asset__serial_number"})
GATEWAY = Anchor("gateway", AssetScope("asset"), SmartHomeGateway, {"serialNumber": "asset__serial_number"})
PARTICIPANT = Anchor("participant", ParticipantScope(), Participant, {"participantId": "pk"})
PARTICIPANTS_IN_REACH = Anchor("participants in reach", ParticipantScope())
# The top nodes of the participants the caller is a member of (ParticipantTopNode rows).
OWN_TOP_NODES = Anchor("top nodes of the caller's own participants", MemberScope("participant"))
