"""Settings of the notifications app, read at call time so tests can override them."""

import datetime as dt

from django.conf import settings


def _get(name, default):
    return getattr(settings, name, default)


def registration_ttl() -> dt.timedelta:
    """A registration not refreshed (PUT) for this long has expired (410)."""
    return dt.timedelta(days=_get("NOTIFICATIONS_REGISTRATION_TTL_DAYS", 90))


def push_provider() -> str:
    """`console` (default), `fcm`, or a dotted path."""
    return _get("NOTIFICATIONS_PUSH_PROVIDER", "console")


def fcm_credentials() -> dict:
    """Settings' FCM credentials by app short name (the admin's PushAppCredentials take precedence)."""
    return _get("NOTIFICATIONS_FCM_CREDENTIALS", None) or {}


def chunk_size(provider) -> int:
    """Registrations per `send_chunk` task (the unit of parallel work and of redelivery): the
    provider's own `chunk_size` unless set."""
    return max(1, _get("NOTIFICATIONS_PUSH_CHUNK_SIZE", None) or getattr(provider, "chunk_size", 1000))


def send_batch_size(provider) -> int | None:
    """Deliveries handed to the provider between two writes (marked in flight before, outcomes
    after): the most a dead worker can leave UNKNOWN. The provider's own `batch_size` unless set;
    None is the whole chunk."""
    size = _get("NOTIFICATIONS_PUSH_SEND_BATCH", None) or getattr(provider, "batch_size", 1)
    return None if size is None else max(1, size)


def claim_timeout() -> dt.timedelta:
    """A delivery claimed this long ago and never finished is retried by the sweep."""
    return dt.timedelta(seconds=_get("NOTIFICATIONS_CLAIM_TIMEOUT_SECONDS", 600))


def fan_out_max_age() -> dt.timedelta:
    """A message the sweep finds never fanned out (its fan-out was never queued) is fanned out late
    only while younger than this; an older one is not sent."""
    return dt.timedelta(hours=_get("NOTIFICATIONS_FAN_OUT_MAX_AGE_HOURS", 24))


def max_attempts() -> int:
    return _get("NOTIFICATIONS_MAX_ATTEMPTS", 3)


def room_adapter() -> str:
    """`console` (default) or `twilio`, or a dotted path."""
    return _get("TWILIO_ROOM_ADAPTER", "console")


def twilio(name: str, default: str = "") -> str:
    return _get(f"TWILIO_{name}", default) or default


def twilio_token_ttl() -> int:
    return int(_get("TWILIO_TOKEN_TTL_SECONDS", 3600))


def alert_from_email() -> str:
    return _get("NOTIFICATIONS_ALERT_FROM_EMAIL", _get("DEFAULT_FROM_EMAIL", "noreply@example.com"))
