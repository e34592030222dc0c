import datetime as dt
from urllib.parse import urlencode

import jwt
import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from apps.notifications import services
from apps.notifications.models import (
    ClientLog,
    CustomerMessage,
    InboundSms,
    MessageState,
    PushDelivery,
    PushMessage,
    PushRegistration,
)

from .world import grant, smartliv

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
SECRET = "s3cret-" + "x" * 32


def _register(owner, app="smartliv", meter_ids=None):
    smartliv()
    client = owner.client()
    reg = client.post(f"/api/customers/{owner.customer.pk}/push/{app}").json()["RegistrationId"]
    body = {"Platform": "gcm", "Handle": "tok-" + reg, "MeterIds": meter_ids or [owner.meter.meter_id]}
    response = client.put(f"/api/customers/{owner.customer.pk}/push/{app}/{reg}", body, format="json")
    return reg, response


def test_register_put_and_410_after_delete(owner):
    reg, response = _register(owner)
    assert response.status_code == 200
    registration = PushRegistration.objects.get(pk=reg)
    assert [t.identifier_value for t in registration.tags.all()] == [owner.meter.meter_id]
    client = owner.client()
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    assert client.delete(url).status_code == 200
    again = client.put(url, {"Platform": "gcm", "Handle": "x"}, format="json")
    assert again.status_code == 410


def test_expired_registration_is_gone(owner):
    reg, _ = _register(owner)
    PushRegistration.objects.filter(pk=reg).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    assert owner.client().put(url, {"Platform": "gcm", "Handle": "x"}, format="json").status_code == 410


def test_another_customers_meter_is_a_400_naming_it(owner, other):
    reg, response = _register(owner, meter_ids=[other.meter.meter_id])
    assert response.status_code == 400
    assert other.meter.meter_id in str(response.json()["ModelState"])
    assert not PushRegistration.objects.get(pk=reg).tags.exists()


def test_send_needs_privilege_stores_and_delivers_once(owner, django_capture_on_commit_callbacks):
    _register(owner)
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

    reg, _ = _register(owner)
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

    reg, _ = _register(owner)
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


def test_messages_paging_count_and_states(owner, other):
    now = timezone.now()
    ids = [
        CustomerMessage.objects.create(
            customer=owner.customer, meter_id="m", text=f"t{i}", sent_at=now - dt.timedelta(minutes=i)
        ).pk
        for i in range(12)
    ]
    foreign = CustomerMessage.objects.create(customer=other.customer, text="x", sent_at=now).pk
    client = owner.client()
    base = f"/api/customers/{owner.customer.pk}/messages"
    page = client.get(base).json()
    assert len(page) == 10 and page[0]["Text"] == "t0" and page[0]["State"] == 1
    assert len(client.get(base, {"page": 2}).json()) == 2
    assert client.get(base, {"pageSize": 1000}).status_code == 400
    assert client.get(f"{base}/count").json() == 12
    response = client.post(f"{base}/state", {"MessageIds": [ids[0], foreign], "State": "Read"}, format="json")
    assert response.status_code == 404
    assert not CustomerMessage.objects.filter(state=MessageState.Read).exists()
    assert client.post(f"{base}/state", {"MessageIds": ids[:3], "State": 2}, format="json").status_code == 200
    assert client.get(f"{base}/count", {"state": 2}).json() == 3
    assert client.get(f"{base}/count", {"state": "Unread"}).json() == 9
    assert client.patch(f"{base}/{ids[5]}", {"State": 2}, format="json").json()["State"] == 2
    assert client.patch(f"{base}/{foreign}", {"State": 2}, format="json").status_code == 404


def test_client_log_and_limits(owner):
    client = owner.client()
    assert (
        client.post("/api/communication/log", {"Message": "crash", "Level": "error"}, format="json").status_code == 200
    )
    assert ClientLog.objects.get().message == "crash"
    assert client.post("/api/communication/log", {"Message": "x" * 5000}, format="json").status_code == 400


TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_API_KEY": "SK" + "1" * 32, "TWILIO_API_SECRET": SECRET}


def test_twilio_token_503_without_settings_and_grants_with(owner):
    url = f"/api/communication/twiliotoken?userId={owner.user.pk}"
    with override_settings(TWILIO_ACCOUNT_SID=""):
        assert owner.client().get(url).status_code == 503
    with override_settings(**TWILIO):
        body = owner.client().get(url).json()
        claims = jwt.decode(body["Token"], SECRET, algorithms=["HS256"])
    assert claims["iss"] == TWILIO["TWILIO_API_KEY"] and claims["sub"] == TWILIO["TWILIO_ACCOUNT_SID"]
    assert claims["grants"]["identity"] == body["Identity"] == f"user-{owner.user.pk}"
    assert "voice" in claims["grants"]
    assert 3500 <= claims["exp"] - claims["nbf"] <= 3700 or claims["exp"] > timezone.now().timestamp()
    assert owner.client().get(f"/api/communication/twiliotoken?userId={owner.user.pk + 1000}").status_code == 404


def test_video_token_operator_identity(owner):
    from apps.notifications.models import CallCenterShift

    url = f"/api/communication/videotoken/{owner.user.pk}"
    with override_settings(**TWILIO):
        assert owner.client().get(url, {"isCallCenterOperator": "true"}).status_code == 403
        now = timezone.now()
        CallCenterShift.objects.create(
            operator=owner.user, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)
        )
        body = owner.client().get(url, {"isCallCenterOperator": "true"}).json()
    claims = jwt.decode(body["Token"], SECRET, algorithms=["HS256"])
    assert claims["grants"]["identity"] == "callcenter" and "video" in claims["grants"]
    status = owner.client().get("/api/communication/callcenter").json()
    assert status["IsOpen"] is True and status["Operators"][0]["UserId"] == owner.user.pk


def test_complete_room(owner):
    assert owner.client().post("/api/communication/completeroom?roomSid=RM" + "a" * 32).status_code == 200
    assert owner.client().post("/api/communication/completeroom?roomSid=nope").status_code == 400


@override_settings(TWILIO_AUTH_TOKEN="12345", TWILIO_WEBHOOK_URL="https://mycompany.com/myapp.php?foo=1&bar=2")
def test_twilio_webhook_signature(owner, anonymous):
    # Twilio's published example (the request-validation docs): this URL, these parameters and
    # auth token 12345 sign to 0/KCTR6DLpKmkAf8muzZqo1nDgQ=.
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+12349013030",
        "Digits": "1234",
        "From": "+12349013030",
        "To": "+18005551212",
    }
    assert (
        RequestValidator("12345").compute_signature("https://mycompany.com/myapp.php?foo=1&bar=2", params)
        == "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
    )
    owner.customer.mobile_number = "12349013030"
    owner.customer.save()
    response = anonymous.post(
        "/api/TwilioMessage",
        urlencode(params),
        content_type=FORM,
        HTTP_X_TWILIO_SIGNATURE="0/KCTR6DLpKmkAf8muzZqo1nDgQ=",
    )
    assert response.status_code == 200 and b"<Response>" in response.content
    assert InboundSms.objects.get().customer == owner.customer
    assert (
        anonymous.post(
            "/api/TwilioMessage", urlencode(params), content_type=FORM, HTTP_X_TWILIO_SIGNATURE="bad"
        ).status_code
        == 403
    )
    assert anonymous.post("/api/TwilioMessage", urlencode(params), content_type=FORM).status_code == 403
    assert InboundSms.objects.count() == 1


def test_email_config_and_alert_once(owner, django_capture_on_commit_callbacks):
    from apps.assets.components import raise_flag
    from apps.assets.models import Asset, AssetType, ComponentEvent

    asset = Asset.objects.get(meter=owner.meter)
    owner.user.email = "o@example.com"
    owner.user.save()
    client = owner.client()
    url = f"/api/emailconfigs/{owner.user.pk}"
    assert client.post(url, {"AssetIds": [asset.pk]}, format="json").json()["AssetIds"] == [asset.pk]
    assert client.post(url, {"AssetIds": [asset.pk + 999]}, format="json").status_code == 400
    tree = client.get(f"/api/emailconfigs/tree/{owner.user.pk}").json()
    assert tree == [
        {
            "AssetId": asset.pk,
            "ParentAssetId": None,
            "Name": asset.name,
            "AssetType": int(AssetType.Meter),
            "AlertsOn": True,
        }
    ]
    with django_capture_on_commit_callbacks(execute=True):
        flag = raise_flag(asset=asset, event=ComponentEvent.Outage, by=owner.user)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["o@example.com"]
    change = flag.history.get()
    assert services.send_flag_alerts(change_id=change.pk) == 0
    assert len(mail.outbox) == 1
    grant(owner.user, "support")  # the admin list needs it
    admin = owner.client().get(f"/api/emailconfigs/admin/{owner.user.pk}").json()
    assert admin[0]["AssetIds"] == [asset.pk]
