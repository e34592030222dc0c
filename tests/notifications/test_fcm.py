"""The FCM HTTP v1 adapter without network: google-auth's real service-account flow (a JWT signed
with a generated key, exchanged at the token endpoint) and the sends, answered by recorded
responses through a transport adapter injected into both sessions."""

import json
from pathlib import Path
from urllib.parse import parse_qs

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import override_settings
from requests.adapters import BaseAdapter

from apps.notifications import tasks
from apps.notifications.adapters import FcmPushProvider, ProviderUnavailableError, Result
from apps.notifications.models import PushAppCredentials, PushChunk, PushDelivery, PushRegistration
from esmart.celery import app as celery_app
from tests.notifications.factories import PushAppCredentialsFactory, PushMessageFactory

from .world import bulk_registrations, send_all, smartliv

pytestmark = pytest.mark.django_db
RECORDED = Path(__file__).parent / "recorded"
TOKEN_URI = "https://oauth2.googleapis.com/token"


class RecordedTransport(BaseAdapter):
    """Answers the token endpoint and FCM's send with recorded bodies; keeps what was asked."""

    def __init__(self, *send_answers: tuple[int, str]):
        super().__init__()
        self.send_answers = list(send_answers)
        self.requests: list[requests.PreparedRequest] = []

    def send(self, request, **kwargs):
        self.requests.append(request)
        status, name = (200, "fcm_token.json") if request.url == TOKEN_URI else self.send_answers.pop(0)
        response = requests.Response()
        response.status_code, response.url, response.request = status, request.url, request
        response._content = (RECORDED / name).read_bytes()
        response.headers["Content-Type"] = "application/json"
        return response

    def close(self):
        pass


@pytest.fixture
def fcm_app():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    account = {
        "type": "service_account",
        "project_id": "esmart-push",
        "private_key_id": "k1",
        "private_key": pem.decode(),
        "client_email": "push@esmart-push.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": TOKEN_URI,
    }
    app = smartliv()
    PushAppCredentialsFactory(app=app, fcm_project_id="esmart-push", fcm_service_account_json=json.dumps(account))
    return app, key.public_key()


def _message(app, owner):
    return PushMessageFactory(app=app, text="Strømmen er tilbake", tags=[[2, str(owner.user.pk)]])


def test_success_exchanges_a_signed_jwt_for_a_token_and_posts_the_v1_body(fcm_app, owner):
    app, public_key = fcm_app
    (reg,) = bulk_registrations(app=app, user=owner.user, count=1, tag=(2, str(owner.user.pk)))
    transport = RecordedTransport((200, "fcm_sent.json"))
    message = _message(app, owner)
    assert send_all(message, FcmPushProvider(transport=transport)) == 1
    token_request, send_request = transport.requests
    assertion = parse_qs(token_request.body.decode())["assertion"][0]
    claims = jwt.decode(assertion, public_key, algorithms=["RS256"], audience=TOKEN_URI)
    assert claims["iss"] == "push@esmart-push.iam.gserviceaccount.com"
    assert claims["scope"] == "https://www.googleapis.com/auth/firebase.messaging"
    assert send_request.url == "https://fcm.googleapis.com/v1/projects/esmart-push/messages:send"
    assert send_request.headers["Authorization"] == "Bearer ya29.c.recorded-access-token"
    assert json.loads(send_request.body)["message"]["token"] == "token-0"
    delivery = PushDelivery.objects.get()
    assert delivery.state == "SENT" and delivery.result.startswith("projects/esmart-push/messages/")


def test_unregistered_404_marks_the_registration_gone_and_its_put_is_410(fcm_app, owner):
    app, _ = fcm_app
    client = owner.client()
    reg = client.post(f"/api/customers/{owner.customer.pk}/push/smartliv").json()["RegistrationId"]
    url = f"/api/customers/{owner.customer.pk}/push/smartliv/{reg}"
    body = {"Platform": "fcm", "Handle": "stale-token", "MeterIds": [owner.meter.meter_id]}
    assert client.put(url, body, format="json").status_code == 200
    message = PushMessageFactory(app=app, customer=owner.customer, text="x", meter_ids=[owner.meter.meter_id])
    provider = FcmPushProvider(transport=RecordedTransport((404, "fcm_unregistered.json")))
    assert send_all(message, provider) == 0
    assert PushDelivery.objects.get().state == "GONE"
    assert PushRegistration.objects.get(pk=reg).gone_at is not None
    assert client.put(url, body, format="json").status_code == 410


def test_503_is_an_outage_retried_with_backoff_then_failed_when_retries_run_out(fcm_app, owner, monkeypatch):
    app, _ = fcm_app
    bulk_registrations(app=app, user=owner.user, count=2, tag=(2, str(owner.user.pk)))
    message = _message(app, owner)
    provider = FcmPushProvider(transport=RecordedTransport((200, "fcm_sent.json"), (503, "fcm_unavailable.json")))
    with pytest.raises(ProviderUnavailableError):
        send_all(message, provider)
    # the sent one is stored; the chunk is released (PENDING, past the sent one) for the retry
    assert list(PushDelivery.objects.values_list("state", flat=True)) == ["SENT"]
    (chunk,) = PushChunk.objects.filter(message=message)
    assert chunk.state == PushChunk.State.PENDING and chunk.in_flight_through is None
    answers = [(503, "fcm_unavailable.json")] * (tasks.SEND_RETRIES + 1)
    transport = RecordedTransport(*answers)
    with override_settings(NOTIFICATIONS_PUSH_PROVIDER="fcm"):
        from apps.notifications import adapters

        real = adapters.PUSH_PROVIDERS["fcm"]
        adapters.PUSH_PROVIDERS["fcm"] = lambda: real(transport=transport)
        # Not propagating, apply() runs each retry at once (no countdown); the last stores FAILED.
        monkeypatch.setitem(celery_app.conf, "task_eager_propagates", False)
        try:
            result = tasks.send_chunk.apply(kwargs={"chunk_id": chunk.pk})
        finally:
            adapters.PUSH_PROVIDERS["fcm"] = real
    assert result.get() == 0
    assert sorted(PushDelivery.objects.values_list("state", flat=True)) == ["FAILED", "SENT"]
    assert len([r for r in transport.requests if "fcm.googleapis" in r.url]) == tasks.SEND_RETRIES + 1


def test_an_app_without_credentials_fails_the_delivery_without_a_call(owner):
    app = smartliv()
    (reg,) = bulk_registrations(app=app, user=owner.user, count=1, tag=(2, str(owner.user.pk)))
    transport = RecordedTransport()
    message = _message(app, owner)
    send_all(message, FcmPushProvider(transport=transport))
    assert PushDelivery.objects.get().state == Result.FAILED.value and not transport.requests


def test_credentials_from_settings_serve_an_app_without_an_admin_row(fcm_app, owner):
    app, _ = fcm_app
    row = PushAppCredentials.objects.get(app=app)
    configured = {app.short_name: {"project_id": "from-settings", "service_account_json": row.fcm_service_account_json}}
    row.delete()
    app = smartliv()  # without the cached (deleted) credentials row
    (reg,) = bulk_registrations(app=app, user=owner.user, count=1, tag=(2, str(owner.user.pk)))
    transport = RecordedTransport((200, "fcm_sent.json"))
    with override_settings(NOTIFICATIONS_FCM_CREDENTIALS=configured):
        sent = send_all(_message(app, owner), FcmPushProvider(transport=transport))
    assert sent == 1
    assert transport.requests[-1].url == "https://fcm.googleapis.com/v1/projects/from-settings/messages:send"
