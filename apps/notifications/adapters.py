"""Outside services behind adapters (DESIGN.md §8): the push provider and Twilio's video rooms.

Push providers take `send(*, registration, message) -> Outcome` for one (token, message):
- `console` (default and in tests) logs what it would send and succeeds;
- `fcm` sends through FCM HTTP v1 (`projects/{id}/messages:send`, Android and iOS through Firebase)
  with the app's `PushAppCredentials` (an OAuth token from its service account). FCM's
  UNREGISTERED / 404 is `GONE` (the registration is marked gone, its next PUT is a 410); a 429, a
  5xx or no answer raises ProviderUnavailableError (an outage: the task retries with backoff);
  other errors are `FAILED`.
Room adapters take `complete(*, room_sid)`: `console` logs, `twilio` calls the Video API.
"""

from __future__ import annotations

import enum
import json
import logging
from dataclasses import dataclass

from django.utils.module_loading import import_string

from . import conf

logger = logging.getLogger(__name__)


class Result(enum.Enum):
    SENT = "SENT"
    GONE = "GONE"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Outcome:
    result: Result
    detail: str = ""


class ProviderUnavailableError(Exception):
    """The provider is down (timeouts, 5xx, 429): retry the chunk later."""


def fcm_payload(*, handle: str, message) -> dict:
    """The FCM HTTP v1 body for one token (Android and iOS through Firebase)."""
    data = {"category": str(message.category or ""), "id": message.external_id}
    apns = {"payload": {"aps": {"sound": message.sound}}} if message.sound else {}
    body = {"token": handle, "notification": {"body": message.text}, "data": data}
    if apns:
        body["apns"] = apns
    return {"message": body}


LOGGED = Outcome(Result.SENT, "logged")


class ConsolePushProvider:
    # Logging costs nothing per call: big chunks (few task runs; parallel ones would gain nothing),
    # each one batch (one write before the calls, one after).
    chunk_size = 5000
    batch_size = None

    def send(self, *, registration, message) -> Outcome:
        logger.debug("push %s → %s: %s", message.pk, registration.pk, message.text)
        return LOGGED


FCM_SCOPES = ["https://www.googleapis.com/auth/firebase.messaging"]
FCM_URL = "https://fcm.googleapis.com/v1/projects/{project}/messages:send"


def fcm_error_code(response) -> str:
    """FCM v1's own error code (UNREGISTERED, INVALID_ARGUMENT...) from an error body, else ''."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        return ""
    codes = [d.get("errorCode", "") for d in error.get("details", []) if isinstance(d, dict)]
    return next((code for code in codes if code), error.get("status", ""))


def fcm_credentials(app) -> tuple[str, str]:
    """(project id, service account JSON) of an app: its admin-managed `PushAppCredentials`, else
    settings' NOTIFICATIONS_FCM_CREDENTIALS[short name]; ("", "") when neither has them."""
    row = getattr(app, "push_credentials", None)  # a missing row is an AttributeError too
    if row is not None and row.fcm_service_account_json:
        return row.fcm_project_id, row.fcm_service_account_json
    configured = conf.fcm_credentials().get(app.short_name) or {}
    account = configured.get("service_account_json") or ""
    if isinstance(account, dict):
        account = json.dumps(account)
    return configured.get("project_id", ""), account


class FcmPushProvider:
    """FCM HTTP v1 with each app's service account: google-auth exchanges a JWT signed with the
    account's key for an OAuth token (cached and refreshed by its AuthorizedSession).

    `transport` is a requests transport adapter mounted on both the token and the send sessions;
    None (production) is the network, tests inject recorded responses."""

    chunk_size = 500  # one HTTP call per token: a task of ~10 s, chunks in parallel on the workers
    batch_size = 1  # a dead worker leaves at most that one delivery UNKNOWN

    def __init__(self, *, transport=None):
        self._transport = transport
        self._sessions = {}

    def _session(self, app, account_json: str):
        if app.pk not in self._sessions:
            import requests
            from google.auth.transport.requests import AuthorizedSession, Request
            from google.oauth2 import service_account

            info = json.loads(account_json)
            credentials = service_account.Credentials.from_service_account_info(info, scopes=FCM_SCOPES)
            token_session = requests.Session()
            session = AuthorizedSession(credentials, auth_request=Request(token_session))
            if self._transport is not None:
                token_session.mount("https://", self._transport)
                session.mount("https://", self._transport)
            self._sessions[app.pk] = session
        return self._sessions[app.pk]

    def send(self, *, registration, message) -> Outcome:
        from google.auth.exceptions import TransportError

        app = message.app
        project_id, account_json = fcm_credentials(app)
        if not account_json:
            return Outcome(
                Result.FAILED,
                f"No FCM credentials for {app.short_name} (admin: push app credentials, or "
                "NOTIFICATIONS_FCM_CREDENTIALS).",
            )
        url = FCM_URL.format(project=project_id)
        try:
            response = self._session(app, account_json).post(
                url, json=fcm_payload(handle=registration.handle, message=message), timeout=10
            )
        except (OSError, TransportError) as exc:  # requests' errors are OSErrors
            raise ProviderUnavailableError(str(exc)) from exc
        if response.status_code == 200:
            return Outcome(Result.SENT, response.json().get("name", ""))
        if response.status_code == 429 or response.status_code >= 500:
            raise ProviderUnavailableError(f"FCM {response.status_code}")
        code = fcm_error_code(response)
        if code == "UNREGISTERED" or response.status_code == 404:
            return Outcome(Result.GONE, "UNREGISTERED")
        return Outcome(Result.FAILED, f"FCM {response.status_code} {code}: {response.text[:200]}")


PUSH_PROVIDERS = {"console": ConsolePushProvider, "fcm": FcmPushProvider}


def push_provider():
    name = conf.push_provider()
    return (PUSH_PROVIDERS.get(name) or import_string(name))()


class ConsoleRoomAdapter:
    def complete(self, *, room_sid: str) -> str:
        logger.info("Would complete Twilio room %s", room_sid)
        return "logged"


class TwilioRoomAdapter:  # pragma: no cover - needs Twilio's network
    def complete(self, *, room_sid: str) -> str:
        from twilio.rest import Client

        client = Client(conf.twilio("API_KEY"), conf.twilio("API_SECRET"), conf.twilio("ACCOUNT_SID"))
        return client.video.v1.rooms(room_sid).update(status="completed").status


ROOM_ADAPTERS = {"console": ConsoleRoomAdapter, "twilio": TwilioRoomAdapter}


def room_adapter():
    name = conf.room_adapter()
    return (ROOM_ADAPTERS.get(name) or import_string(name))()
