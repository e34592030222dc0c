"""Scopes of the flex app: customers reach their devices, plans and sites through CustomerScope;
grid operators reach zones through their participants (ParticipantScope semantics)."""

from apps.customers.public import CustomerScope
from esmart.api.views import Scope

from .selectors import reachable_zones

DEVICE_SCOPE = CustomerScope(customer_path="asset__delivery_point__contract__customer")
DEVICE_LOOKUPS = {"customerId": "asset__delivery_point__contract__customer_id", "assetId": "asset_id"}
PLAN_SCOPE = CustomerScope(customer_path="device__device__asset__delivery_point__contract__customer")
SITE_SCOPE = CustomerScope(customer_path="contract__customer")


class ZoneScope(Scope):
    def restrict(self, queryset, request):
        return queryset.filter(pk__in=reachable_zones(user=request.user).values("pk"))
