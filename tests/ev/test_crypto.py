"""Vendor credentials at rest: the stored columns hold no plaintext; key rotation keeps rows readable."""

import pytest
from cryptography.fernet import Fernet
from django.db import connection

from apps.ev import crypto
from apps.ev.models import VendorAccount

pytestmark = pytest.mark.django_db


def raw_row(pk):
    table = VendorAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT username, password, access_token FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def make(owner, **fields):
    defaults = {"username": "kari@example.no", "password": "hemmelig-passord", "access_token": "tok-SECRET-123"}
    return VendorAccount.objects.create(
        user=owner.user, manufacturer="demo", handle_digest="d" * 64, **{**defaults, **fields}
    )


def test_stored_columns_hold_no_plaintext(owner):
    account = make(owner)
    row = raw_row(account.pk)
    for stored, plain in zip(row, ["kari@example.no", "hemmelig-passord", "tok-SECRET-123"], strict=True):
        assert plain not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token
    again = VendorAccount.objects.get(pk=account.pk)
    assert (again.username, again.password, again.access_token) == (
        "kari@example.no",
        "hemmelig-passord",
        "tok-SECRET-123",
    )


def test_rotation_keeps_old_rows_readable_and_rotate_moves_them_to_the_new_key(owner, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EV_CREDENTIAL_KEYS = [old]
    account = make(owner)
    stored_under_old = raw_row(account.pk)[1]
    settings.EV_CREDENTIAL_KEYS = [new, old]
    assert VendorAccount.objects.get(pk=account.pk).password == "hemmelig-passord"
    rotated = crypto.rotate(stored_under_old)
    assert Fernet(new.encode()).decrypt(rotated.encode()) == b"hemmelig-passord"
    settings.EV_CREDENTIAL_KEYS = [new]
    assert crypto.decrypt(stored_under_old) == ""  # the retired key's rows are unreadable, not an error
    assert crypto.decrypt(rotated) == "hemmelig-passord"


def test_empty_values_stay_empty(owner):
    account = make(owner, username="", password="")
    assert raw_row(account.pk)[:2] == ("", "")
