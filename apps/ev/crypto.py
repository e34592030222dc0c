"""Vendor credentials and tokens at rest: Fernet tokens under a MultiFernet of the configured keys.

Keys come from `settings.EV_CREDENTIAL_KEYS` (a list, or the EV_CREDENTIAL_KEYS environment variable,
comma-separated): the first key encrypts, every key decrypts, so a new key is put first and old rows
stay readable until `manage.py rotate_ev_keys` re-encrypts them (`rotate_stored`). Without configured
keys a key is derived from SECRET_KEY (which production settings require to be secret), so
development needs no setup; the entry `SECRET_KEY` in the list names that derived key, so rows
written before keys were configured can be rotated too.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models.functions import Cast

DERIVED_KEY_NAME = "SECRET_KEY"


def _derived_key() -> str:
    derived = hashlib.sha256(f"ev-credentials:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(derived).decode()


def configured_keys() -> list[str]:
    keys = getattr(settings, "EV_CREDENTIAL_KEYS", None) or os.environ.get("EV_CREDENTIAL_KEYS", "")
    if isinstance(keys, str):
        keys = [key.strip() for key in keys.split(",") if key.strip()]
    if not keys:
        return [_derived_key()]
    return [_derived_key() if key == DERIVED_KEY_NAME else key for key in keys]


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


# --- Rotation --------------------------------------------------------------------------------------


@dataclass
class Rotation:
    """What one pass over a model's encrypted columns found, counted per stored value."""

    model: str
    rows: int = 0
    rotated: int = 0  # re-encrypted under the newest key
    current: int = 0  # already under the newest key: left alone
    unreadable: int = 0  # under no configured key: left alone (reads as empty)


def encrypted_models() -> Iterator[tuple[type[models.Model], list[str]]]:
    """Every installed model with encrypted columns, and the names of those columns."""
    for model in apps.get_models():
        names = [field.name for field in model._meta.concrete_fields if isinstance(field, EncryptedTextField)]
        if names:
            yield model, names


def _rotated(token: str, *, newest: Fernet, every_key: MultiFernet) -> tuple[str, str | None]:
    """("current", None) under the newest key, ("rotated", the new token), or ("unreadable", None)."""
    try:
        newest.decrypt(token.encode())
        return "current", None
    except InvalidToken:
        pass
    try:
        return "rotated", every_key.rotate(token.encode()).decode()
    except InvalidToken:
        return "unreadable", None


def rotate_stored(
    model: type[models.Model],
    fields: list[str],
    *,
    batch_size: int = 500,
    progress: Callable[[Rotation], None] | None = None,
    dry_run: bool = False,
) -> Rotation:
    """Re-encrypts every stored value of `fields` that is not yet under the newest key (MultiFernet.rotate);
    with `dry_run` only counts them (`rotated` is then what would be re-encrypted).

    Idempotent: a value the newest key already decrypts is not rewritten, so a second run changes
    nothing. The stored tokens are read and written as they are (Cast and a plain-text Value bypass
    the field's own encryption); each batch is locked and written in one transaction, so a login
    saved meanwhile is either rotated or written under the newest key by its own save."""
    newest, every_key = Fernet(configured_keys()[0]), fernet()
    raw = {f"raw_{name}": Cast(name, models.TextField()) for name in fields}
    result, last_pk = Rotation(model=model._meta.label), None
    while True:
        with transaction.atomic():
            batch = model.objects.order_by("pk")
            if last_pk is not None:
                batch = batch.filter(pk__gt=last_pk)
            if not dry_run:
                batch = batch.select_for_update()
            rows = list(batch.annotate(**raw).values("pk", *raw)[:batch_size])
            for row in rows:
                changes = {}
                for name in fields:
                    if not row[f"raw_{name}"]:
                        continue  # empty is stored as it is, unencrypted
                    state, token = _rotated(row[f"raw_{name}"], newest=newest, every_key=every_key)
                    setattr(result, state, getattr(result, state) + 1)
                    if token is not None:
                        changes[name] = models.Value(token, models.TextField())
                if changes and not dry_run:
                    model.objects.filter(pk=row["pk"]).update(**changes)
            result.rows += len(rows)
        if not rows:
            return result
        last_pk = rows[-1]["pk"]
        if progress is not None:
            progress(result)
