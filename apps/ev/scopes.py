"""Anchors of the ev app (esmart/api/tenancy.py, docs/tenancy.md): requests, cars, and the gateways
and chargers behind a customer's delivery points, all reached through customer access."""

from apps.assets.public import Charger, SmartHomeGateway
from apps.customers.public import CustomerScope
from esmart.api.tenancy import Anchor

from .models import Car, EvChargingRequest

_BEHIND_DELIVERY_POINT = CustomerScope(customer_path="asset__delivery_point__contract__customer")

CHARGING_REQUEST = Anchor(
    "EV charging request",
    CustomerScope(customer_path="customer"),
    EvChargingRequest,
    {"customerId": "customer_id", "evChargingRequestId": "pk"},
)
CAR = Anchor("car", CustomerScope(customer_path="customer"), Car, {"customerId": "customer_id", "carId": "row_key"})
CUSTOMER_GATEWAY = Anchor(
    "customer's gateway",
    _BEHIND_DELIVERY_POINT,
    SmartHomeGateway,
    {"customerId": "asset__delivery_point__contract__customer_id", "gatewayAssetId": "asset_id"},
)
CUSTOMER_CHARGER = Anchor(
    "customer's charger",
    _BEHIND_DELIVERY_POINT,
    Charger,
    {
        "customerId": "asset__delivery_point__contract__customer_id",
        "contractNo": "asset__delivery_point__contract__contract_no",
        "chargerAssetId": "asset_id",
    },
)
