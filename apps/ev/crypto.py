"""Vendor credentials and tokens at rest: Fernet tokens under a MultiFernet of the configured keys.

Keys come from `settings.EV_CREDENTIAL_KEYS` (a list, or the EV_CREDENTIAL_KEYS environment variable,
comma-separated): the first key encrypts, every key decrypts, so a new key is put first and old rows
stay readable until `rotate()` re-encrypts them. Without configured keys a key is derived from
SECRET_KEY (which production settings require to be secret), so development needs no setup.
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def configured_keys() -> list[str]:
    keys = getattr(settings, "EV_CREDENTIAL_KEYS", None) or os.environ.get("EV_CREDENTIAL_KEYS", "")
    if isinstance(keys, str):
        keys = [key.strip() for key in keys.split(",") if key.strip()]
    if keys:
        return list(keys)
    derived = hashlib.sha256(f"ev-credentials:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(derived).decode()]


def fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in configured_keys()])


def encrypt(plaintext: str) -> str:
    return fernet().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        # A row encrypted under a key that was retired: unreadable, treated as absent.
        return ""


def rotate(token: str) -> str:
    """The token re-encrypted under the primary key (MultiFernet.rotate keeps the timestamp)."""
    return fernet().rotate(token.encode()).decode()


class EncryptedTextField(models.TextField):
    """Text stored as a Fernet token; the Python value is the plaintext ("" when empty)."""

    def from_db_value(self, value, expression, connection):
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return ""
        return encrypt(value)
