"""Demo notifications for seed_demo: for each demo login's customers with meters, a push
registration of the smartliv app tagged with the customer's meter ids, and customer messages in
each `MessageState` (Unknown, Unread, Read, Deleted).

Idempotent: the registration is found by its device handle, a message by its subject.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from apps.customers.public import DEMO_LOGINS, App, Customer, Meter

from . import conf
from .models import CustomerMessage, MessageCategory, MessageState, PushIdentifierTypes, PushRegistration, PushTag

DEMO_APP = "smartliv"
MESSAGES = [
    (MessageState.Unread, MessageCategory.Outage, "Planned outage", "Power will be off Tuesday 09:00-11:00."),
    (MessageState.Read, MessageCategory.Price, "High prices tomorrow", "Spot prices peak 17:00-19:00."),
    (MessageState.Deleted, MessageCategory.Invoice, "Your invoice", "Your invoice for last month is ready."),
    (MessageState.Unknown, MessageCategory.General, "Welcome", "Welcome to Smart Liv notifications."),
]


def _registration(*, app: App, user, customer: Customer, meter_ids: list[str], now: dt.datetime) -> None:
    registration, _ = PushRegistration.objects.update_or_create(
        app=app,
        user=user,
        customer=customer,
        handle=f"demo-device-{user.username}-{customer.pk}",
        defaults={
            "platform": "fcm",
            "refreshed_at": now,
            "expires_at": now + conf.registration_ttl(),
            "deleted_at": None,
            "gone_at": None,
        },
    )
    PushTag.objects.bulk_create(
        [
            PushTag(registration=registration, identifier_type=PushIdentifierTypes.MeterId, identifier_value=meter)
            for meter in meter_ids
        ],
        ignore_conflicts=True,
    )


def _messages(*, customer: Customer, meter_id: str, now: dt.datetime) -> None:
    for age, (state, category, subject, text) in enumerate(MESSAGES):
        CustomerMessage.objects.get_or_create(
            customer=customer,
            subject=subject,
            defaults={
                "meter_id": meter_id,
                "text": text,
                "state": state,
                "category": category,
                "sent_at": now - dt.timedelta(days=age),
                "state_changed_at": now if state in (MessageState.Read, MessageState.Deleted) else None,
            },
        )


def seed(*, users, days: int = 0, progress=None, now: dt.datetime | None = None) -> None:
    now = now or timezone.now()
    app = App.objects.filter(short_name=DEMO_APP).first()
    demo_names = {login.username for login in DEMO_LOGINS}
    for user in users:
        if user.username not in demo_names:
            continue
        for customer in Customer.objects.filter(accesses__user=user).order_by("pk"):
            meter_ids = list(
                Meter.objects.filter(delivery_point__contract__customer=customer)
                .order_by("meter_id")
                .values_list("meter_id", flat=True)
            )
            if not meter_ids:
                continue
            if app is not None:
                _registration(app=app, user=user, customer=customer, meter_ids=meter_ids, now=now)
            _messages(customer=customer, meter_id=meter_ids[0], now=now)
