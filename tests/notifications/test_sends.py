"""Sends: push_send needed, the message stored and delivered once, a token the provider rejects marks its
registration gone, stale claims retried (in process; the real-worker cases are in test_worker.py)."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.notifications import services
from apps.notifications.models import (
    CustomerMessage,
    PushDelivery,
    PushMessage,
    PushRegistration,
)

from .world import grant, register, smartliv

pytestmark = pytest.mark.django_db


def test_send_needs_privilege_stores_and_delivers_once(owner, django_capture_on_commit_callbacks):
    register(owner)
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/send"
    body = {"MeterIds": [owner.meter.meter_id], "Message": "Power is back"}
    assert owner.client().post(url, body, format="json").status_code == 403
    grant(owner.user, "push_send")
    with django_capture_on_commit_callbacks(execute=True):
        response = owner.client().post(url, body, format="json")
    assert response.status_code == 200
    message = PushMessage.objects.get()
    assert PushDelivery.objects.filter(message=message, state="SENT").count() == 1
    assert CustomerMessage.objects.filter(customer=owner.customer, text="Power is back").count() == 1
    # a redelivered chunk sends nothing again
    from apps.notifications.adapters import ConsolePushProvider

    ids = [str(r.pk) for r in PushRegistration.objects.all()]
    assert services.send_chunk(message_id=message.pk, registration_ids=ids, provider=ConsolePushProvider()) == 0
    assert PushDelivery.objects.count() == 1


def test_bad_send_body_is_400_and_writes_nothing(owner):
    grant(owner.user, "push_send")
    smartliv()
    response = owner.client().post(
        f"/api/customers/{owner.customer.pk}/push/smartliv/send", {"Message": 1}, format="json"
    )
    assert response.status_code == 400 and "ModelState" in response.json()
    assert not PushMessage.objects.exists()


def test_gone_token_marks_registration(owner):
    from apps.notifications.adapters import Outcome, Result

    reg, _ = register(owner)
    message = PushMessage.objects.create(
        app=smartliv(), customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id]
    )

    class Rejecting:
        def send(self, *, registration, message):
            return Outcome(Result.GONE, "UNREGISTERED")

    services.send_chunk(message_id=message.pk, registration_ids=[reg], provider=Rejecting())
    assert PushRegistration.objects.get(pk=reg).gone_at is not None
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    assert owner.client().put(url, {"Platform": "gcm", "Handle": "y"}, format="json").status_code == 410


def test_stale_claim_is_retried_after_timeout(owner):
    from apps.notifications.adapters import ConsolePushProvider

    reg, _ = register(owner)
    message = PushMessage.objects.create(
        app=smartliv(), customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id]
    )
    PushDelivery.objects.create(
        message=message,
        registration_id=reg,
        claim="00000000-0000-0000-0000-000000000001",
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    assert services.retry_stale_claims(provider=ConsolePushProvider()) == 1
    delivery = PushDelivery.objects.get()
    assert delivery.state == "SENT" and delivery.attempts == 2
