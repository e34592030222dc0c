"""Push registrations: POST makes an id, PUT fills it (meter ids of the customer only, tags of several types
for apps), 410 Gone once deleted or expired."""

import datetime as dt

import pytest
from django.utils import timezone

from apps.notifications.models import PushRegistration

from .world import register, smartliv

pytestmark = pytest.mark.django_db


def test_register_put_and_410_after_delete(owner):
    reg, response = register(owner)
    assert response.status_code == 200
    registration = PushRegistration.objects.get(pk=reg)
    assert [t.identifier_value for t in registration.tags.all()] == [owner.meter.meter_id]
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    assert client.delete(url).status_code == 200
    again = client.put(url, {"Platform": "gcm", "Handle": "x"}, format="json")
    assert again.status_code == 410


def test_expired_registration_is_gone(owner):
    reg, _ = register(owner)
    PushRegistration.objects.filter(pk=reg).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    assert owner.client().put(url, {"Platform": "gcm", "Handle": "x"}, format="json").status_code == 410


def test_another_customers_meter_is_a_400_naming_it(owner, other):
    reg, response = register(owner, meter_ids=[other.meter.meter_id])
    assert response.status_code == 400
    assert other.meter.meter_id in str(response.json()["ModelState"])
    assert not PushRegistration.objects.get(pk=reg).tags.exists()


def test_app_registration_tags(owner):
    smartliv()
    client = owner.client()
    reg = client.post("/api/apps/smartliv/push").json()["RegistrationId"]
    body = {
        "Platform": "fcm",
        "Handle": "h",
        "Tags": [{"IdentifierType": "UserId", "IdentifierValue": str(owner.user.pk)}],
    }
    assert client.put(f"/api/apps/smartliv/push/{reg}", body, format="json").status_code == 200
    tags = client.get(f"/api/apps/smartliv/push/{reg}/tags").json()
    assert tags == [{"IdentifierType": 2, "IdentifierValue": str(owner.user.pk)}]
    bad = {"Platform": "fcm", "Handle": "h", "Tags": [{"IdentifierType": 2, "IdentifierValue": "999999"}]}
    assert client.put(f"/api/apps/smartliv/push/{reg}", bad, format="json").status_code == 400
