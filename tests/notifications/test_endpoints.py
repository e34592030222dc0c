"""Every notifications endpoint, table-driven: the happy path (and whether it writes), no credentials →
401, another customer's or user's ids → 404, a missing privilege → 403, bad input → 400; none of the
refusals writes anything (every notifications table compared before and after). The table is checked
against the URLconf, so a route added later must be listed here.

The detailed behaviour (410 Gone, sends and deliveries, signatures, tokens, alerts) is in the topic
files next to this one; here are also the messages count filter and the all-or-nothing state change.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from django.test import override_settings
from django.urls import resolve
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
from tests.db_rows import app_rows

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


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # a template of the values of `ids()`
    body: dict | None = None
    owned: bool = True  # takes ids of the caller's objects (customer, user, registration, message)
    privilege: str | None = None  # 403 without it
    writes: bool = True  # the happy path changes some notifications table
    public: bool = False  # Twilio's signed webhook: no login, a signature instead


ENDPOINTS = [
    Endpoint("GET", "/api/emailconfigs/{user}", writes=False),
    Endpoint("GET", "/api/emailconfigs/tree/{user}", writes=False),
    Endpoint("GET", "/api/emailconfigs/admin/{user}", privilege="support", writes=False),
    Endpoint("POST", "/api/emailconfigs/{user}", {"AssetIds": ["{asset}"]}),
    Endpoint("POST", "/api/emailconfigs/tree/{user}", {"Nodes": [{"AssetId": "{asset}", "AlertsOn": False}]}),
    Endpoint("GET", "/api/communication/twiliotoken?userId={user}", writes=False),
    Endpoint("GET", "/api/communication/videotoken/{user}?isCallCenterOperator=false", writes=False),
    Endpoint("GET", "/api/communication/callcenter", owned=False, writes=False),
    Endpoint("POST", "/api/communication/log", {"Message": "boot", "Level": "info"}, owned=False),
    Endpoint("POST", "/api/communication/completeroom?roomSid=RM" + "a" * 32, owned=False, writes=False),
    Endpoint("GET", C + "/messages?pageSize=10&page=1", writes=False),
    Endpoint("GET", C + "/messages/count?state=-1", writes=False),
    Endpoint("POST", C + "/messages/state", {"MessageIds": ["{message}"], "State": 2}),
    Endpoint("PATCH", C + "/messages/{message}", {"State": 3}),
    Endpoint("POST", C + "/push/{app}"),
    Endpoint("POST", "/api/apps/{app}/push", owned=False),
    Endpoint(
        "PUT", C + "/push/{app}/{customer_registration}", {"Platform": "fcm", "Handle": "t2", "MeterIds": ["{meter}"]}
    ),
    Endpoint(
        "PUT",
        "/api/apps/{app}/push/{app_registration}",
        {"Platform": "fcm", "Handle": "t3", "Tags": [{"IdentifierType": 2, "IdentifierValue": "{user_text}"}]},
    ),
    Endpoint("GET", "/api/apps/{app}/push/{app_registration}/tags", writes=False),
    Endpoint("POST", C + "/push/{app}/send", {"MeterIds": ["{meter}"], "Message": "Outage"}, privilege="push_send"),
    Endpoint(
        "POST",
        "/api/apps/{app}/push/send",
        {"Tags": [{"IdentifierType": 2, "IdentifierValue": "{user_text}"}], "Message": "Price"},
        owned=False,
        privilege="push_send",
    ),
    Endpoint("DELETE", C + "/push/{app}/{customer_registration}"),
    Endpoint("DELETE", "/api/apps/{app}/push/{app_registration}"),
    Endpoint("POST", "/api/TwilioMessage", owned=False, public=True),
]
PRIVILEGED = [e for e in ENDPOINTS if e.privilege]


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
    message = CustomerMessage.objects.create(
        customer=owner.customer, meter_id=owner.meter.meter_id, text="Hi", sent_at=now
    )
    CallCenterShift.objects.create(
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


def fill(value, values: dict):
    if isinstance(value, str):
        if value.startswith("{") and value.endswith("}") and value[1:-1] in values:
            return values[value[1:-1]]  # a whole value keeps its type (AssetId is an int on the wire)
        return value.format(**values)
    if isinstance(value, list):
        return [fill(item, values) for item in value]
    if isinstance(value, dict):
        return {key: fill(item, values) for key, item in value.items()}
    return value


def send(client, endpoint: Endpoint, values: dict, body=None, signed: bool = True):
    url = fill(endpoint.path, values)
    if endpoint.public:  # Twilio's form post, signed over the configured public URL
        headers = {}
        if signed:
            signature = RequestValidator(TWILIO["TWILIO_AUTH_TOKEN"]).compute_signature(
                TWILIO["TWILIO_WEBHOOK_URL"], SMS
            )
            headers["HTTP_X_TWILIO_SIGNATURE"] = signature
        return client.post(url, urlencode(SMS), content_type="application/x-www-form-urlencoded", **headers)
    data = fill(body if body is not None else endpoint.body, values)
    if isinstance(data, bytes):
        return client.generic(endpoint.method, url, data, content_type="application/json")
    return getattr(client, endpoint.method.lower())(url, data, format="json")


def snapshot() -> dict[str, list]:
    return app_rows("notifications")


def with_privileges(*owners) -> None:
    for owner in owners:
        grant(owner.user, "push_send")
        grant(owner.user, "support")


def only(owner, privilege: str | None) -> None:
    owner.user.user_permissions.clear()
    if privilege:
        grant(owner.user, privilege)


def test_the_table_lists_every_notifications_route_and_method():
    routed = {
        (method.upper(), pattern.callback.view_class)
        for pattern in notification_urls.urlpatterns
        for method in pattern.callback.view_class.http_method_names
        if method not in ("options", "head") and hasattr(pattern.callback.view_class, method)
    }
    assert len(routed) == 24
    sample = {"customer": 1, "user": 1, "user_text": "1", "app": "smartliv", "message": 1, "meter": "m", "asset": 1}
    sample.update(customer_registration=uuid.uuid4(), app_registration=uuid.uuid4())
    listed = {(e.method, resolve(fill(e.path, sample).split("?")[0]).func.view_class) for e in ENDPOINTS}
    assert listed == routed  # resolved through the project's URLconf
    assert len(ENDPOINTS) == 24


@override_settings(**TWILIO)
def test_happy_paths_answer_200_and_only_writes_write(owner, anonymous):
    values = build(owner)
    with_privileges(owner)
    client = owner.client()
    for endpoint in ENDPOINTS:
        before = snapshot()
        response = send(anonymous if endpoint.public else client, endpoint, values)
        assert response.status_code == 200, (endpoint, response.content)
        assert (snapshot() != before) == endpoint.writes, endpoint
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
def test_no_credentials_is_401_and_writes_nothing(owner, anonymous):
    values = build(owner)
    before = snapshot()
    for endpoint in ENDPOINTS:
        response = send(anonymous, endpoint, values, signed=False)
        expected = 403 if endpoint.public else 401  # the webhook: no signature
        assert response.status_code == expected, (endpoint, response.content)
        assert "Message" in response.json(), endpoint
    assert snapshot() == before


def names_an_object(path: str) -> bool:
    return any(f"{{{name}}}" in path for name in ("customer_registration", "message"))


@override_settings(**TWILIO)
def test_another_customers_ids_are_404_and_write_nothing(owner, other):
    build(owner)
    theirs = build(other)
    with_privileges(other)
    # My customer with their registration or message; their app registration stays theirs.
    mine = {**theirs, "customer": owner.customer.pk}
    before = snapshot()
    client = owner.client()
    for endpoint in [e for e in ENDPOINTS if e.owned]:
        for values in (theirs, mine):
            if values is mine and not names_an_object(endpoint.path):
                continue
            only(owner, endpoint.privilege)  # support reaches any user: held only where needed
            response = send(client, endpoint, values)
            assert response.status_code == 404, (endpoint, values is mine, response.content)
    assert snapshot() == before
    # The same ids are real: their owner reaches every one of them (the deletes last in the table).
    for endpoint in [e for e in ENDPOINTS if e.owned]:
        response = send(other.client(), endpoint, theirs)
        assert response.status_code == 200, (endpoint, response.content)


@override_settings(**TWILIO)
def test_a_missing_privilege_is_403_and_writes_nothing(owner):
    values = build(owner)
    before = snapshot()
    client = owner.client()
    for endpoint in PRIVILEGED:
        response = send(client, endpoint, values)
        assert response.status_code == 403, (endpoint, response.content)
    # A video token as the call-center operator needs a shift: a user without one is refused.
    CallCenterShift.objects.filter(operator=owner.user).delete()
    before = snapshot()
    response = client.get(f"/api/communication/videotoken/{owner.user.pk}", {"isCallCenterOperator": "true"})
    assert response.status_code == 403
    for endpoint in PRIVILEGED:  # each privilege opens its own routes only
        grant(owner.user, endpoint.privilege)
        assert send(client, endpoint, values).status_code == 200, endpoint
    assert snapshot() != before


# Bad input of each endpoint that takes any: (method, path, body, a text the 400 must name).
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
    ("GET", C + "/messages?pageSize=1000", None, None),
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
MALFORMED_JSON = b'{"Message": "x",'


@override_settings(**TWILIO)
def test_bad_input_is_400_and_writes_nothing(owner, other):
    theirs = build(other)
    values = {**build(owner), "their_asset": theirs["asset"], "their_meter": theirs["meter"]}
    with_privileges(owner)
    before = snapshot()
    client = owner.client()
    for method, path, body, named in BAD_INPUTS:
        response = send(client, Endpoint(method, path), values, body=body if body is not None else {})
        assert response.status_code == 400, (method, path, body, response.content)
        assert "Message" in response.json(), (method, path)
        if named is not None:
            assert str(fill(named, values)) in str(response.json()["ModelState"]), (path, response.json())
    for endpoint in [e for e in ENDPOINTS if e.body is not None]:
        response = send(client, endpoint, values, body=MALFORMED_JSON)
        assert response.status_code == 400, (endpoint, response.content)
    assert snapshot() == before


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
    CustomerMessage.objects.create(customer=other.customer, text="theirs", state=MessageState.Read, sent_at=now)
    url = f"/api/customers/{owner.customer.pk}/messages/count"
    client = owner.client()
    counts = {state: client.get(url, {"state": state}).json() for state in (-1, 1, 2)}
    assert counts == {-1: 7, 1: 2, 2: 3}
    assert client.get(url).json() == 7  # All by default
    assert client.get(url, {"state": "Unread"}).json() == 2  # names are read as well


def test_setting_states_with_any_foreign_id_is_404_and_changes_nothing(owner, other):
    now = timezone.now()
    mine = [CustomerMessage.objects.create(customer=owner.customer, text=f"m{n}", sent_at=now).pk for n in range(3)]
    theirs = CustomerMessage.objects.create(customer=other.customer, text="theirs", sent_at=now).pk
    url = f"/api/customers/{owner.customer.pk}/messages/state"
    client = owner.client()
    before = snapshot()
    for ids in ([*mine, theirs], [theirs], [mine[0], 10**12]):
        response = client.post(url, {"MessageIds": ids, "State": 2}, format="json")
        assert response.status_code == 404, ids
    assert snapshot() == before
    assert client.post(url, {"MessageIds": mine[:2], "State": 2}, format="json").status_code == 200
    assert sorted(CustomerMessage.objects.filter(state=MessageState.Read).values_list("pk", flat=True)) == mine[:2]
