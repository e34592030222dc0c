"""seed_demo's notifications, the admin pages (deliveries with counts per message), and the
e-mail configuration admin list's privilege."""

from collections import Counter

import pytest
from django.contrib.auth import get_user_model

from apps.notifications import demo
from apps.notifications.adapters import ConsolePushProvider
from apps.notifications.models import (
    CustomerMessage,
    MessageState,
    PushDelivery,
    PushRegistration,
)
from tests.notifications.factories import EmailAlertConfigFactory, PushAppCredentialsFactory, PushMessageFactory

from .world import bulk_registrations, grant, send_all, smartliv

pytestmark = pytest.mark.django_db


def test_demo_seeds_a_registration_and_messages_in_each_state_idempotently(owner, other):
    smartliv()
    owner.user.username = "demo1"
    owner.user.save()
    demo.seed(users=[owner.user, other.user], days=0)
    demo.seed(users=[owner.user, other.user], days=0)
    registrations = PushRegistration.objects.filter(user=owner.user)
    assert {r.customer_id for r in registrations} == {owner.customer.pk}  # the customer with a meter
    assert [t.identifier_value for t in registrations.get().tags.all()] == [owner.meter.meter_id]
    states = Counter(CustomerMessage.objects.filter(customer=owner.customer).values_list("state", flat=True))
    assert states == {state: 1 for state in MessageState}
    assert not PushRegistration.objects.filter(user=other.user).exists()  # not a demo login
    response = owner.client().get(f"/api/customers/{owner.customer.pk}/messages/count", {"state": -1})
    assert response.json() == 4


@pytest.fixture
def admin_client(client):
    admin = get_user_model().objects.create_superuser("notif-admin", "notif-admin@example.no", "pw-123456")
    client.force_login(admin)
    return client


def test_admin_pages_render_with_delivery_counts_per_message(admin_client, owner):
    app = smartliv()
    PushAppCredentialsFactory(app=app, fcm_project_id="p", fcm_service_account_json='{"private_key": "SECRET"}')
    ids = bulk_registrations(app=app, user=owner.user, count=3, tag=(2, str(owner.user.pk)))
    message = PushMessageFactory(app=app, text="Counted", tags=[[2, str(owner.user.pk)]])
    send_all(message, ConsolePushProvider())
    EmailAlertConfigFactory(user=owner.user, asset_id=_asset(owner))
    pages = [
        "/admin/notifications/pushregistration/",
        f"/admin/notifications/pushregistration/{ids[0]}/change/",
        "/admin/notifications/pushmessage/",
        f"/admin/notifications/pushmessage/{message.pk}/change/",
        "/admin/notifications/pushdelivery/",
        f"/admin/notifications/pushdelivery/{PushDelivery.objects.first().pk}/change/",
        "/admin/notifications/customermessage/",
        "/admin/notifications/emailalertconfig/",
        "/admin/notifications/emailalert/",
        "/admin/notifications/pushappcredentials/",
        "/admin/notifications/callcentershift/",
        "/admin/notifications/clientlog/",
        "/admin/notifications/inboundsms/",
    ]
    for page in pages:
        assert admin_client.get(page).status_code == 200, page
    listing = admin_client.get("/admin/notifications/pushmessage/").content.decode()
    assert '<td class="field-sent">3</td>' in listing and '<td class="field-failed">0</td>' in listing
    assert '<td class="field-chunks_open">0</td>' in listing


def test_a_registrations_result_is_found_in_the_admin_and_by_the_selector(admin_client, owner):
    from apps.notifications.adapters import Outcome, Result
    from apps.notifications.selectors import delivery_results

    app = smartliv()
    ids = bulk_registrations(app=app, user=owner.user, count=3, tag=(2, str(owner.user.pk)))
    message = PushMessageFactory(app=app, text="Found", tags=[[2, str(owner.user.pk)]])
    rejected = ids[1]

    class RejectingOne:
        def send(self, *, registration, message):
            return Outcome(Result.GONE, "UNREGISTERED") if registration.pk == rejected else Outcome(Result.SENT, "ok")

    send_all(message, RejectingOne())
    (gone,) = delivery_results(message_id=message.pk, registration_id=rejected)
    assert gone.state == "GONE" and gone.result == "UNREGISTERED"
    assert {r.registration_id: r.state for r in delivery_results(message_id=message.pk)} == {
        ids[0]: "SENT",
        ids[1]: "GONE",
        ids[2]: "SENT",
    }
    found = admin_client.get("/admin/notifications/pushdelivery/", {"q": rejected}).content.decode()
    assert "1 result" in found and "Token unregistered" in found


def _asset(owner) -> int:
    from apps.assets.graph.services import ensure_meter_asset
    from apps.assets.models import Asset

    ensure_meter_asset(meter=owner.meter)
    return Asset.objects.get(meter=owner.meter).pk


def test_email_config_admin_list_needs_support_and_covers_managed_users(owner, other):
    url = f"/api/emailconfigs/admin/{owner.user.pk}"
    assert owner.client().get(url).status_code == 403  # one's own list too: support or superuser
    grant(owner.user, "support")
    EmailAlertConfigFactory(user=owner.user, asset_id=_asset(owner))
    rows = owner.client().get(url).json()
    assert [(r["UserId"], r["AssetIds"]) for r in rows] == [(owner.user.pk, [_asset(owner)])]
    # support does not reach users outside the caller's participants
    assert owner.client().get(f"/api/emailconfigs/admin/{other.user.pk}").status_code == 404
    superuser = get_user_model().objects.create_superuser("root-notif", "r@example.no", "pw-123456")
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(superuser)
    assert client.get(f"/api/emailconfigs/admin/{other.user.pk}").status_code == 200
    assert APIClient().get(url).status_code == 401
