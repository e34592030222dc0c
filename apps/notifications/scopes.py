"""Scopes and anchors of the notifications app (esmart/api/tenancy.py, docs/tenancy.md)."""

from apps.customers.public import CustomerScope, User, UserScope
from esmart.api.tenancy import Anchor, Scope

from . import selectors
from .models import CustomerMessage, PushRegistration


class AppRegistrationScope(Scope):
    """App registrations (no customer) belong to the user who created them."""

    def restrict(self, queryset, request):
        return queryset.filter(user=request.user, customer__isnull=True)


class ManagedUserScope(Scope):
    """`{userId}` of the admin list: the caller or a user of the participants the caller works for
    (a superuser: anyone). Narrower than UserScope: support is needed to call at all here."""

    def restrict(self, queryset, request):
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=selectors.managed_users(user=request.user).values("pk"))


# --- Anchors: declared once here, named by the views (`tenancy = MESSAGE`) ---------------------------

CUSTOMER_REGISTRATION = Anchor(
    "customer's push registration",
    CustomerScope(),
    PushRegistration,
    {"customerId": "customer_id", "registrationId": "pk"},
)
APP_REGISTRATION = Anchor("app push registration", AppRegistrationScope(), PushRegistration, {"registrationId": "pk"})
MESSAGE = Anchor("customer message", CustomerScope(), CustomerMessage, {"customerId": "customer_id", "messageId": "pk"})
MANAGED_USER = Anchor("managed user", ManagedUserScope(), User, {"userId": "pk"})
# The caller themself, or anyone for support (a `userId` of the query string, not the path).
USER_IN_REACH = Anchor("user in reach", UserScope())
