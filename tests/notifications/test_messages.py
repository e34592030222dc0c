"""Customer messages: paging, the count, setting states (all or nothing)."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from apps.notifications.models import CustomerMessage, MessageState
from tests.notifications.factories import CustomerMessageFactory

pytestmark = pytest.mark.django_db


def test_messages_paging_count_and_states(owner, other):
    now = timezone.now()
    ids = [
        CustomerMessageFactory(
            customer=owner.customer, meter_id="m", text=f"t{i}", sent_at=now - dt.timedelta(minutes=i)
        ).pk
        for i in range(12)
    ]
    foreign = CustomerMessageFactory(customer=other.customer, text="x", sent_at=now).pk
    client = owner.client()
    base = f"/api/customers/{owner.customer.pk}/messages"
    page = client.get(base).json()
    assert len(page) == 10 and page[0]["Text"] == "t0" and page[0]["State"] == 1
    assert len(client.get(base, {"page": 2}).json()) == 2
    assert client.get(base, {"pageSize": settings.API_MAX_PAGE_SIZE + 1}).status_code == 400
    assert client.get(f"{base}/count").json() == 12
    response = client.post(f"{base}/state", {"MessageIds": [ids[0], foreign], "State": "Read"}, format="json")
    assert response.status_code == 404
    assert not CustomerMessage.objects.filter(state=MessageState.Read).exists()
    assert client.post(f"{base}/state", {"MessageIds": ids[:3], "State": 2}, format="json").status_code == 200
    assert client.get(f"{base}/count", {"state": 2}).json() == 3
    assert client.get(f"{base}/count", {"state": "Unread"}).json() == 9
    assert client.patch(f"{base}/{ids[5]}", {"State": 2}, format="json").json()["State"] == 2
    assert client.patch(f"{base}/{foreign}", {"State": 2}, format="json").status_code == 404
