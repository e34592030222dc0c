"""The scopes that tie API objects to the caller (through customer access, or to the user), and the
named anchors of the customers app (esmart/api/tenancy.py, docs/tenancy.md)."""

from rest_framework import exceptions

from esmart.api.area import request_area
from esmart.api.tenancy import Anchor, Scope

from .models import Contract, Customer, DeliveryPoint, Meter, User
from .selectors import has_customer_in_area

NO_CUSTOMER_IN_AREA = "The user has no customer in the selected area."


class CustomerScope(Scope):
    """Objects reached through a customer the caller has access to, in the selected area."""

    uses_area = True
    reads_user_and_area = True  # restrict() below: the anchor query is compiled once per view

    def __init__(self, customer_path: str = "customer"):
        self.prefix = f"{customer_path}__" if customer_path else ""

    def restrict(self, queryset, request):
        return queryset.filter(
            **{f"{self.prefix}accesses__user": request.user, f"{self.prefix}area": request_area(request)}
        )

    def on_miss(self, request):
        if not has_customer_in_area(user=request.user, area=request_area(request)):
            return exceptions.PermissionDenied(NO_CUSTOMER_IN_AREA)
        return exceptions.NotFound()


class CustomerAccessScope(Scope):
    """Objects reached through a customer the caller has access to, in any area (ids that arrive in a
    body, tags of an app registration)."""

    def __init__(self, customer_path: str = ""):
        self.prefix = f"{customer_path}__" if customer_path else ""

    def restrict(self, queryset, request):
        return queryset.filter(**{f"{self.prefix}accesses__user": request.user})


SUPPORT_PRIVILEGE = "customers.support"


class UserScope(Scope):
    """A `{userId}` must be the caller, unless the caller holds the `support` privilege.

    Being staff (or superuser) is for the admin alone (DESIGN.md §5); has_perm() is true for
    superusers, who can read everything in the admin anyway.
    """

    def __init__(self, user_path: str = "pk"):
        self.user_path = user_path

    def restrict(self, queryset, request):
        if request.user.has_perm(SUPPORT_PRIVILEGE):
            return queryset
        return queryset.filter(**{self.user_path: request.user.pk})


# The meter chain customers/{customerId}/contracts/{contractNo}/meters/{meterId}, shared by every
# app whose routes end in a meter (metering, pricing).
METER_SCOPE = CustomerScope(customer_path="delivery_point__contract__customer")
METER_PATH_LOOKUPS = {
    "customerId": "delivery_point__contract__customer_id",
    "contractNo": "delivery_point__contract__contract_no",
    "meterId": "meter_id",
}


# --- Anchors: declared once here, named by the views (`tenancy = CUSTOMER`) --------------------------

USER = Anchor("user", UserScope(), User, {"userId": "pk"})
CUSTOMER = Anchor("customer", CustomerScope(customer_path=""), Customer, {"customerId": "pk"})
CONTRACT = Anchor("contract", CustomerScope(), Contract, {"customerId": "customer_id", "contractNo": "contract_no"})
DELIVERY_POINT = Anchor(
    "delivery point",
    CustomerScope(customer_path="contract__customer"),
    DeliveryPoint,
    {"customerId": "contract__customer_id", "deliveryPointId": "pk"},
)
METER = Anchor("meter", METER_SCOPE, Meter, METER_PATH_LOOKUPS)
# Lists of the customers the caller has access to in the selected area (no path id).
CUSTOMERS_IN_REACH = Anchor("customers in reach", CustomerScope(customer_path=""))
# A customer id from a request body: one of the caller's customers in any area (404 otherwise).
CUSTOMERS_OF_USER = Anchor("customers of the caller, any area", CustomerAccessScope())
# Meters of any of the caller's customers, in any area (the meter-id tags of an app registration).
METERS_OF_USER = Anchor(
    "meters of the caller's customers, any area",
    CustomerAccessScope(customer_path="delivery_point__contract__customer"),
)
# Delivery points of the caller's customers in the selected area (where a new charger may go).
DELIVERY_POINTS_IN_REACH = Anchor("delivery points in reach", CustomerScope(customer_path="contract__customer"))
# A user id from a query string: the caller, or anyone for support.
USERS_IN_REACH = Anchor("users in reach", UserScope())
