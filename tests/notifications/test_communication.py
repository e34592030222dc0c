"""Communication (Twilio): client logs, access tokens (decoded), the call center, rooms, the signed SMS webhook."""

import datetime as dt
from urllib.parse import urlencode

import jwt
import pytest
from django.test import override_settings
from django.utils import timezone
from twilio.request_validator import RequestValidator

from apps.notifications.models import ClientLog, InboundSms
from tests.notifications.factories import CallCenterShiftFactory

from .world import grant

pytestmark = pytest.mark.django_db
FORM = "application/x-www-form-urlencoded"
SECRET = "s3cret-" + "x" * 32


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


@override_settings(**TWILIO)
def test_twilio_token_for_another_user_needs_support(owner, other):
    url = f"/api/communication/twiliotoken?userId={other.user.pk}"
    assert owner.client().get(url).status_code == 404
    grant(owner.user, "support")
    body = owner.client().get(url).json()
    assert body["Identity"] == f"user-{owner.user.pk}"  # the token is still the caller's own


def test_video_token_operator_identity(owner):

    url = f"/api/communication/videotoken/{owner.user.pk}"
    with override_settings(**TWILIO):
        assert owner.client().get(url, {"isCallCenterOperator": "true"}).status_code == 403
        now = timezone.now()
        CallCenterShiftFactory(
            operator=owner.user, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)
        )
        body = owner.client().get(url, {"isCallCenterOperator": "true"}).json()
    claims = jwt.decode(body["Token"], SECRET, algorithms=["HS256"])
    assert claims["grants"]["identity"] == "callcenter" and "video" in claims["grants"]
    status = owner.client().get("/api/communication/callcenter").json()
    assert status["IsOpen"] is True and status["Operators"][0]["UserId"] == owner.user.pk


ROOM = "/api/communication/completeroom?roomSid=RM" + "a" * 32
COMPLETED_ROOMS = []


class RecordingRoomAdapter:
    def complete(self, *, room_sid: str) -> str:
        COMPLETED_ROOMS.append(room_sid)
        return "completed"


@pytest.fixture
def recorded_rooms(settings):
    settings.TWILIO_ROOM_ADAPTER = f"{__name__}.RecordingRoomAdapter"
    COMPLETED_ROOMS.clear()
    return COMPLETED_ROOMS


def make_operator(user):
    from apps.notifications.models import CallCenterShift

    now = timezone.now()
    CallCenterShift.objects.create(
        operator=user, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=1)
    )


def test_an_operator_completes_a_room(owner, recorded_rooms):
    make_operator(owner.user)
    assert owner.client().post(ROOM).status_code == 200
    assert recorded_rooms == ["RM" + "a" * 32]
    assert owner.client().post("/api/communication/completeroom?roomSid=nope").status_code == 400


def test_a_customer_cannot_complete_a_room(owner, recorded_rooms):
    response = owner.client().post(ROOM)
    assert response.status_code == 403
    assert response.json()["Message"] == "Only call-center operators may complete a video room."
    assert recorded_rooms == []


def test_completing_a_room_needs_credentials(anonymous, recorded_rooms):
    assert anonymous.post(ROOM).status_code == 401
    assert recorded_rooms == []


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
