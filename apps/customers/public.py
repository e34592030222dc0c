"""What other apps may import from the customers app (docs/architecture.md): the one door in.

Re-exports only; the names live in the app's own modules."""

from .admin_panels import add_meter_admin_panel
from .api.serializers import CustomerPatchSerializer, MeterResponseSerializer
from .demo import DEMO_LOGINS, DemoLogin, SeededLogin, ensure_login
from .models import App, Contract, Customer, CustomerAccess, DeliveryPoint, DeviceType, Meter, User
from .scopes import (
    CONTRACT,
    CUSTOMER,
    CUSTOMERS_IN_REACH,
    CUSTOMERS_OF_USER,
    DELIVERY_POINT,
    DELIVERY_POINTS_IN_REACH,
    METER,
    METER_PATH_LOOKUPS,
    METER_SCOPE,
    METERS_OF_USER,
    SUPPORT_PRIVILEGE,
    USER,
    USERS_IN_REACH,
    CustomerScope,
    UserScope,
)
from .selectors import app_by_short_name, customer_meters
from .services import update_customer_contact
from .signals import meters_bulk_created

__all__ = [
    "CONTRACT",
    "CUSTOMER",
    "CUSTOMERS_IN_REACH",
    "CUSTOMERS_OF_USER",
    "DELIVERY_POINT",
    "DELIVERY_POINTS_IN_REACH",
    "METER",
    "METERS_OF_USER",
    "USER",
    "USERS_IN_REACH",
    "DEMO_LOGINS",
    "METER_PATH_LOOKUPS",
    "METER_SCOPE",
    "SUPPORT_PRIVILEGE",
    "App",
    "Contract",
    "Customer",
    "CustomerAccess",
    "CustomerPatchSerializer",
    "CustomerScope",
    "DeliveryPoint",
    "DemoLogin",
    "DeviceType",
    "Meter",
    "MeterResponseSerializer",
    "SeededLogin",
    "User",
    "UserScope",
    "add_meter_admin_panel",
    "app_by_short_name",
    "customer_meters",
    "ensure_login",
    "meters_bulk_created",
    "update_customer_contact",
]
