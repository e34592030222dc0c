"""Owned path values of the notifications routes, for the tenancy matrix."""

from __future__ import annotations

from apps.notifications import services
from tests.notifications.factories import CustomerMessageFactory

from .world import grant, smartliv


def owned_values(owner, route: str | None = None) -> dict[str, object]:
    app = smartliv()
    customer_route = route is not None and "customers/" in route.lower()
    if route and "/send" in route.lower():
        grant(owner.user, "push_send")
    if route and "emailconfigs/admin" in route.lower():
        grant(owner.user, "support")
    registration = services.create_registration(
        app=app, user=owner.user, customer=owner.customer if customer_route else None
    )
    message = CustomerMessageFactory(
        customer=owner.customer,
        meter_id=owner.meter.meter_id,
        text="Hi",
        sent_at=registration.created_at,
    )
    return {
        "customerId": owner.customer.pk,
        "userId": owner.user.pk,
        "registrationId": registration.pk,
        "messageId": message.pk,
    }
