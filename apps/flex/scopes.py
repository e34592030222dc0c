"""Scopes and anchors of the flex app: customers reach their devices, plans and sites through
CustomerScope; grid operators reach zones through their participants (ParticipantScope semantics)."""

from django.db.models import Q

from apps.assets.public import ParticipantScope, SearchFilter, SmartHomeDevice, participant_reachable
from apps.customers.public import CustomerScope, DeliveryPoint
from esmart.api.tenancy import Anchor, Scope

from .models import ControlPlan, FlexContract

DEVICE_SCOPE = CustomerScope(customer_path="asset__delivery_point__contract__customer")
DEVICE_LOOKUPS = {"customerId": "asset__delivery_point__contract__customer_id", "assetId": "asset_id"}
PLAN_SCOPE = CustomerScope(customer_path="device__device__asset__delivery_point__contract__customer")
SITE_SCOPE = CustomerScope(customer_path="contract__customer")


class ZoneScope(Scope):
    """Zones owned by a participant the caller acts for (or below), or in one of their flex contracts."""

    def restrict(self, queryset, request):
        user = request.user
        contracts = FlexContract.objects.filter(participant_reachable(user=user, participant_path="participant"))
        owned = Q(participant_reachable(user=user, participant_path="owner"))
        return queryset.filter(owned | Q(pk__in=contracts.values("zones")))


# --- Anchors: declared once here, named by the views (`tenancy = PLAN`) ------------------------------

CUSTOMER_DEVICE = Anchor("customer's device", DEVICE_SCOPE, SmartHomeDevice, DEVICE_LOOKUPS)
PLAN = Anchor(
    "control plan",
    PLAN_SCOPE,
    ControlPlan,
    {
        "customerId": "device__device__asset__delivery_point__contract__customer_id",
        "assetId": "device_id",
        "controlPlanId": "pk",
    },
)
SITE = Anchor("site", SITE_SCOPE, DeliveryPoint, {"custId": "contract__customer_id", "siteId": "pk"})
ZONE = Anchor("zone", ZoneScope(), SearchFilter, {"zoneId": "pk"})
ZONES_IN_REACH = Anchor("zones in reach", ZoneScope())
# A grid operator's flex contracts, through their participants (the X-ContractId header).
FLEX_CONTRACTS_IN_REACH = Anchor("flex contracts in reach", ParticipantScope("participant"))
