"""Every notifications endpoint on the contract harness (tests/api/harness.py): the happy path (and
whether it writes), no credentials → 401, another customer's or user's ids → 404, a missing
privilege → 403, bad input → 400; none of the refusals writes anything (every notifications table
compared before and after). The table is checked against the URLconf, so a route added later must
be listed here.

The detailed behaviour (410 Gone, sends and deliveries, signatures, tokens, alerts) is in the topic
files next to this one; here are also the happy paths in one sequence, the messages count filter
and the all-or-nothing state change.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from apps.assets.models import Asset
from apps.notifications import services
from apps.notifications.api import urls as notification_urls
from apps.notifications.models import (
    CallCenterShift,
    CustomerMessage,
    EmailAlertConfig,
    InboundSms,
    MessageState,
    PushIdentifierTypes,
    PushMessage,
    PushRegistration,
)
from tests.api.harness import Bad, Endpoint, EndpointContract, World, client_for
from tests.conftest import make_owner
from tests.db_rows import app_rows
from tests.notifications.factories import CallCenterShiftFactory, CustomerMessageFactory

from .world import grant, smartliv

pytestmark = pytest.mark.django_db

TWILIO = {
    "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
    "TWILIO_API_KEY": "SK" + "1" * 32,
    "TWILIO_API_SECRET": "s3cret-" + "x" * 32,
    "TWILIO_AUTH_TOKEN": "twilio-auth-token",
    "TWILIO_WEBHOOK_URL": "https://api.example.com/api/TwilioMessage",
}
C = "/api/customers/{customer}"
SMS = {"MessageSid": "SM" + "2" * 32, "From": "+4791234567", "To": "+4790000000", "Body": "Ring meg"}
PUBLIC = "/api/TwilioMessage"  # Twilio's signed webhook: no login, a signature instead

ENDPOINTS = [  # writes: the happy path changes some notifications table
    Endpoint("GET", "/api/emailconfigs/{user}"),
    Endpoint("GET", "/api/emailconfigs/tree/{user}"),
    Endpoint("GET", "/api/emailconfigs/admin/{user}", privilege="support"),
    Endpoint("POST", "/api/emailconfigs/{user}", {"AssetIds": ["{asset}"]}, writes=True),
    Endpoint(
        "POST", "/api/emailconfigs/tree/{user}", {"Nodes": [{"AssetId": "{asset}", "AlertsOn": True}]}, writes=True
    ),
    Endpoint("GET", "/api/communication/twiliotoken?userId={user}"),
    Endpoint("GET", "/api/communication/videotoken/{user}?isCallCenterOperator=false"),
    Endpoint("GET", "/api/communication/callcenter", owned=False),
    Endpoint("POST", "/api/communication/log", {"Message": "boot", "Level": "info"}, owned=False, writes=True),
    Endpoint("POST", "/api/communication/completeroom?roomSid=RM" + "a" * 32, owned=False),
    Endpoint("GET", C + "/messages?pageSize=10&page=1"),
    Endpoint("GET", C + "/messages/count?state=-1"),
    Endpoint("POST", C + "/messages/state", {"MessageIds": ["{message}"], "State": 2}, writes=True),
    Endpoint("PATCH", C + "/messages/{message}", {"State": 3}, writes=True),
    Endpoint("POST", C + "/push/{app}", writes=True),
    Endpoint("POST", "/api/apps/{app}/push", owned=False, writes=True),
    Endpoint(
        "PUT",
        C + "/push/{app}/{customer_registration}",
        {"Platform": "fcm", "Handle": "t2", "MeterIds": ["{meter}"]},
        writes=True,
    ),
    Endpoint(
        "PUT",
        "/api/apps/{app}/push/{app_registration}",
        {"Platform": "fcm", "Handle": "t3", "Tags": [{"IdentifierType": 2, "IdentifierValue": "{user_text}"}]},
        writes=True,
    ),
    Endpoint("GET", "/api/apps/{app}/push/{app_registration}/tags"),
    Endpoint(
        "POST",
        C + "/push/{app}/send",
        {"MeterIds": ["{meter}"], "Message": "Outage"},
        privilege="push_send",
        writes=True,
    ),
    Endpoint(
        "POST",
        "/api/apps/{app}/push/send",
        {"Tags": [{"IdentifierType": 2, "IdentifierValue": "{user_text}"}], "Message": "Price"},
        owned=False,
        privilege="push_send",
        writes=True,
    ),
    Endpoint("DELETE", C + "/push/{app}/{customer_registration}", writes=True),
    Endpoint("DELETE", "/api/apps/{app}/push/{app_registration}", writes=True),
    Endpoint("POST", "/api/TwilioMessage", owned=False, login=None, anonymous_status=403, writes=True),
]


def build(owner) -> dict[str, object]:
    """The Owner's notification objects: a filled customer and app registration, a message, the meter's
    asset (in reach, no alert configured yet), a call-center shift; returns the path and body values."""
    app = smartliv()
    now = timezone.now()
    customer_registration = services.create_registration(app=app, user=owner.user, customer=owner.customer)
    services.put_registration(
        registration=customer_registration,
        platform="fcm",
        handle=f"tok-c-{owner.user.pk}",
        tags=[(PushIdentifierTypes.MeterId, owner.meter.meter_id)],
        template_version=1,
    )
    app_registration = services.create_registration(app=app, user=owner.user)
    services.put_registration(
        registration=app_registration,
        platform="fcm",
        handle=f"tok-a-{owner.user.pk}",
        tags=[(PushIdentifierTypes.UserId, str(owner.user.pk))],
        template_version=1,
    )
    message = CustomerMessageFactory(customer=owner.customer, meter_id=owner.meter.meter_id, text="Hi", sent_at=now)
    CallCenterShiftFactory(
        operator=owner.user, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)
    )
    return {
        "customer": owner.customer.pk,
        "user": owner.user.pk,
        "user_text": str(owner.user.pk),
        "app": app.short_name,
        "customer_registration": customer_registration.pk,
        "app_registration": app_registration.pk,
        "message": message.pk,
        "meter": owner.meter.meter_id,
        "asset": Asset.objects.get(meter=owner.meter).pk,
    }


def with_privileges(*owners) -> None:
    for owner in owners:
        grant(owner.user, "push_send")
        grant(owner.user, "support")


def only(owner, privilege: str | None) -> None:
    owner.user.user_permissions.clear()
    if privilege:
        grant(owner.user, privilege)


# Bad input of each endpoint that takes any: (method, path, body, a text the 400 must name);
# their_asset and their_meter are another customer's.
BAD_INPUTS = [
    ("POST", "/api/emailconfigs/{user}", {"AssetIds": ["{their_asset}"]}, "{their_asset}"),
    ("POST", "/api/emailconfigs/{user}", {"AssetIds": "all"}, None),
    (
        "POST",
        "/api/emailconfigs/tree/{user}",
        {"Nodes": [{"AssetId": "{their_asset}", "AlertsOn": True}]},
        "{their_asset}",
    ),
    ("POST", "/api/emailconfigs/tree/{user}", {"Nodes": [{"AssetId": "{asset}", "AlertsOn": "yes"}]}, None),
    ("GET", "/api/communication/twiliotoken", None, None),
    ("GET", "/api/communication/twiliotoken?userId=me", None, None),
    ("GET", "/api/communication/videotoken/{user}?isCallCenterOperator=maybe", None, None),
    ("POST", "/api/communication/log", {"Message": "x" * 5000}, None),
    ("POST", "/api/communication/log", {"Level": "info"}, None),
    ("POST", "/api/communication/completeroom?roomSid=nope", None, None),
    ("POST", "/api/communication/completeroom", None, None),
    ("GET", C + f"/messages?pageSize={settings.API_MAX_PAGE_SIZE + 1}", None, None),
    ("GET", C + "/messages?page=0", None, None),
    ("GET", C + "/messages/count?state=0", None, None),  # MessageState's 0 is no filter value
    ("GET", C + "/messages/count?state=3", None, None),
    ("POST", C + "/messages/state", {"MessageIds": ["{message}"], "State": 9}, None),
    ("POST", C + "/messages/state", {"MessageIds": "{message}", "State": 2}, None),
    ("PATCH", C + "/messages/{message}", {"State": "Sideways"}, None),
    (
        "PUT",
        C + "/push/{app}/{customer_registration}",
        {"Platform": "fcm", "Handle": "t", "MeterIds": ["{their_meter}"]},
        "{their_meter}",
    ),
    ("PUT", C + "/push/{app}/{customer_registration}", {"Handle": "t"}, None),
    (
        "PUT",
        "/api/apps/{app}/push/{app_registration}",
        {"Platform": "fcm", "Handle": "t", "Tags": [{"IdentifierType": 0, "IdentifierValue": "{their_meter}"}]},
        "{their_meter}",
    ),
    (
        "PUT",
        "/api/apps/{app}/push/{app_registration}",
        {"Platform": "fcm", "Handle": "t", "Tags": [{"IdentifierType": 9, "IdentifierValue": "1"}]},
        None,
    ),
    (
        "PUT",
        "/api/apps/{app}/push/{app_registration}",
        {"Platform": "fcm", "Handle": "t", "NotificationTemplateVersion": 4},
        None,
    ),
    ("POST", C + "/push/{app}/send", {"MeterIds": ["{their_meter}"], "Message": "x"}, "{their_meter}"),
    ("POST", C + "/push/{app}/send", {"MeterIds": [], "Message": "x"}, None),
    ("POST", C + "/push/{app}/send", {"MeterIds": ["{meter}"]}, None),
    ("POST", "/api/apps/{app}/push/send", {"Tags": [], "Message": "x"}, None),
    (
        "POST",
        "/api/apps/{app}/push/send",
        {"Tags": [{"IdentifierType": 2, "IdentifierValue": "1"}], "Message": "x", "Category": 99},
        None,
    ),
]


def with_bad_inputs(endpoints: list[Endpoint]) -> list[Endpoint]:
    """Each endpoint with the bad inputs sent to its route."""

    def route(method: str, path: str) -> tuple[str, str]:
        return method, path.split("?")[0]

    return [
        dataclasses.replace(
            e,
            bad=tuple(
                Bad(body if body is not None else {}, path=path, named=named)
                for method, path, body, named in BAD_INPUTS
                if route(method, path) == route(e.method, e.path)
            ),
        )
        for e in endpoints
    ]


def sign(params: dict) -> str:
    return RequestValidator(TWILIO["TWILIO_AUTH_TOKEN"]).compute_signature(TWILIO["TWILIO_WEBHOOK_URL"], params)


class TestNotificationsEndpoints(EndpointContract):
    apps = ("notifications",)
    urlpatterns = notification_urls.urlpatterns
    parent_keys = ("customer",)  # my customer with their registration or message
    object_keys = ("customer_registration", "message")
    endpoints = with_bad_inputs(ENDPOINTS)

    @pytest.fixture(autouse=True)
    def _twilio(self, settings):
        for name, value in TWILIO.items():
            setattr(settings, name, value)

    def world(self) -> World:
        owner = make_owner()
        values = build(owner)
        with_privileges(owner)
        return World(values, {"owner": owner.user}, extra=owner)

    def bad_input_world(self) -> World:
        theirs = build(make_owner())
        world = self.world()
        world.values.update(their_asset=theirs["asset"], their_meter=theirs["meter"])
        return world

    def before_foreign_call(self, caller: World, endpoint: Endpoint) -> None:
        only(caller.extra, endpoint.privilege)  # support reaches any user: held only where needed

    def send(self, client, endpoint, values, *, body=None, path=None, headers=None, credentials=True):
        if endpoint.path == PUBLIC:  # Twilio's form post, signed over the configured public URL
            signature = {"HTTP_X_TWILIO_SIGNATURE": sign(SMS)} if credentials else {}
            return client.post(PUBLIC, urlencode(SMS), content_type="application/x-www-form-urlencoded", **signature)
        return super().send(client, endpoint, values, body=body, path=path, headers=headers, credentials=credentials)


def send(client, endpoint: Endpoint, values: dict, body=None):
    return TestNotificationsEndpoints().send(client, endpoint, values, body=body)


# In the sequence the tree switches off the alert the list switched on.
ALERTS_OFF = {"Nodes": [{"AssetId": "{asset}", "AlertsOn": False}]}


@override_settings(**TWILIO)
def test_the_happy_paths_in_one_sequence_leave_what_they_wrote(owner, anonymous):
    values = build(owner)
    with_privileges(owner)
    client = owner.client()
    for endpoint in ENDPOINTS:
        before = app_rows("notifications")
        body = ALERTS_OFF if endpoint.path == "/api/emailconfigs/tree/{user}" else None
        response = send(anonymous if endpoint.login is None else client, endpoint, values, body)
        assert response.status_code == 200, (endpoint, response.content)
        assert (app_rows("notifications") != before) == endpoint.writes, endpoint
    # What the writes left: the alert switched on then off again by the tree, the message Deleted, both
    # registrations deleted, two sends stored, the SMS routed to nobody (no customer has that number).
    assert not EmailAlertConfig.objects.exists()
    assert CustomerMessage.objects.get(pk=values["message"]).state == MessageState.Deleted
    assert (
        PushRegistration.objects.filter(
            pk__in=[values["customer_registration"], values["app_registration"]], deleted_at__isnull=False
        ).count()
        == 2
    )
    assert sorted(PushMessage.objects.values_list("text", flat=True)) == ["Outage", "Price"]
    assert InboundSms.objects.get().customer is None


@override_settings(**TWILIO)
def test_a_call_center_operator_without_a_shift_is_403(owner):
    build(owner)
    CallCenterShift.objects.filter(operator=owner.user).delete()
    before = app_rows("notifications")
    response = client_for(owner.user).get(
        f"/api/communication/videotoken/{owner.user.pk}", {"isCallCenterOperator": "true"}
    )
    assert response.status_code == 403
    assert app_rows("notifications") == before


def test_messages_count_filters_all_unread_and_read(owner, other):
    now = timezone.now()
    states = [
        MessageState.Unknown,
        MessageState.Unread,
        MessageState.Unread,
        *[MessageState.Read] * 3,
        MessageState.Deleted,
    ]
    CustomerMessage.objects.bulk_create(
        CustomerMessage(customer=owner.customer, text=f"m{n}", state=state, sent_at=now)
        for n, state in enumerate(states)
    )
    CustomerMessageFactory(customer=other.customer, text="theirs", state=MessageState.Read, sent_at=now)
    url = f"/api/customers/{owner.customer.pk}/messages/count"
    client = owner.client()
    counts = {state: client.get(url, {"state": state}).json() for state in (-1, 1, 2)}
    assert counts == {-1: 7, 1: 2, 2: 3}
    assert client.get(url).json() == 7  # All by default
    assert client.get(url, {"state": "Unread"}).json() == 2  # names are read as well


def test_setting_states_with_any_foreign_id_is_404_and_changes_nothing(owner, other):
    now = timezone.now()
    mine = [CustomerMessageFactory(customer=owner.customer, text=f"m{n}", sent_at=now).pk for n in range(3)]
    theirs = CustomerMessageFactory(customer=other.customer, text="theirs", sent_at=now).pk
    url = f"/api/customers/{owner.customer.pk}/messages/state"
    client = owner.client()
    before = app_rows("notifications")
    for ids in ([*mine, theirs], [theirs], [mine[0], 10**12]):
        response = client.post(url, {"MessageIds": ids, "State": 2}, format="json")
        assert response.status_code == 404, ids
    assert app_rows("notifications") == before
    assert client.post(url, {"MessageIds": mine[:2], "State": 2}, format="json").status_code == 200
    assert sorted(CustomerMessage.objects.filter(state=MessageState.Read).values_list("pk", flat=True)) == mine[:2]
