"""Settings of the assignments app, read at call time so tests can override them."""

import datetime as dt

from django.conf import settings


def invitation_valid_for() -> dt.timedelta:
    """How long a next-of-kin user code can be redeemed (ASSIGNMENTS_INVITATION_HOURS, default 72)."""
    return dt.timedelta(hours=getattr(settings, "ASSIGNMENTS_INVITATION_HOURS", 72))


def code_attempts() -> int:
    """Failed user-code lookups per client address and window before 429 (ASSIGNMENTS_CODE_ATTEMPTS)."""
    return getattr(settings, "ASSIGNMENTS_CODE_ATTEMPTS", 10)


def code_window_seconds() -> int:
    return getattr(settings, "ASSIGNMENTS_CODE_WINDOW_SECONDS", 900)
