"""Settings of the assignments app, read at call time so tests can override them."""

import datetime as dt

from django.conf import settings


def invitation_valid_for() -> dt.timedelta:
    """How long a next-of-kin user code can be redeemed (ASSIGNMENTS_INVITATION_HOURS, default 72)."""
    return dt.timedelta(hours=getattr(settings, "ASSIGNMENTS_INVITATION_HOURS", 72))


def code_attempts() -> int:
    """Failed user-code lookups per client address and burst window before 429 (ASSIGNMENTS_CODE_ATTEMPTS)."""
    return getattr(settings, "ASSIGNMENTS_CODE_ATTEMPTS", 10)


def code_burst_seconds() -> int:
    """The client address's window (ASSIGNMENTS_CODE_BURST_SECONDS): short, as a NAT's users share it."""
    return getattr(settings, "ASSIGNMENTS_CODE_BURST_SECONDS", 60)


def invitation_code_attempts() -> int:
    """Wrong user codes for one next of kin per window before its codes are refused
    (ASSIGNMENTS_INVITATION_CODE_ATTEMPTS)."""
    return getattr(settings, "ASSIGNMENTS_INVITATION_CODE_ATTEMPTS", 10)


def code_window_seconds() -> int:
    """The next of kin's window and lock (ASSIGNMENTS_CODE_WINDOW_SECONDS)."""
    return getattr(settings, "ASSIGNMENTS_CODE_WINDOW_SECONDS", 900)
