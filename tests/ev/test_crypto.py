"""Vendor credentials at rest: the stored columns hold no plaintext; key rotation keeps rows readable,
and `manage.py rotate_ev_keys` moves them to the newest key so the old one can be dropped."""

import io

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import CommandError, call_command
from django.db import connection

from apps.ev import crypto
from apps.ev.models import VendorAccount
from tests.ev.factories import VendorAccountFactory

pytestmark = pytest.mark.django_db


def raw_row(pk):
    table = VendorAccount._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT username, password, access_token FROM {table} WHERE id = %s", [pk])
        return cursor.fetchone()


def make(owner, manufacturer="demo", **fields):
    defaults = {"username": "kari@example.no", "password": "hemmelig-passord", "access_token": "tok-SECRET-123"}
    return VendorAccountFactory(
        user=owner.user,
        manufacturer=manufacturer,
        handle_digest=f"{manufacturer}-{owner.user.pk}".ljust(64, "d"),
        **{**defaults, **fields},
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


# --- manage.py rotate_ev_keys ------------------------------------------------------------------------


def rotate(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("rotate_ev_keys", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def readable_under(key: str, token: str) -> bool:
    try:
        Fernet(key.encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def test_rotate_ev_keys_moves_every_value_to_the_newest_key_and_the_old_key_can_be_dropped(owner, other, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EV_CREDENTIAL_KEYS = [old]
    accounts = [make(owner, "demo"), make(owner, "tesla", password=""), make(other, "demo")]
    authorized = {a.pk: a.authorized_at for a in VendorAccount.objects.all()}
    settings.EV_CREDENTIAL_KEYS = [new, old]
    assert [VendorAccount.objects.get(pk=a.pk).password for a in accounts] == [
        "hemmelig-passord",
        "",
        "hemmelig-passord",
    ]

    out, err = rotate("--batch-size", "2")
    assert "rows done" in out  # progress per batch
    assert "3 rows, 8 values re-encrypted, 0 already under the newest key, 0 under no configured key" in out
    assert err == ""
    for account in accounts:
        for stored in raw_row(account.pk):
            assert stored == "" or (readable_under(new, stored) and not readable_under(old, stored))
    assert raw_row(accounts[1].pk)[1] == ""  # empty stays empty, not encrypted

    settings.EV_CREDENTIAL_KEYS = [new]  # the old key is dropped
    again = VendorAccount.objects.get(pk=accounts[0].pk)
    assert (again.username, again.password, again.access_token) == (
        "kari@example.no",
        "hemmelig-passord",
        "tok-SECRET-123",
    )
    assert {a.pk: a.authorized_at for a in VendorAccount.objects.all()} == authorized  # rotation is no login


def test_rotate_ev_keys_is_idempotent(owner, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EV_CREDENTIAL_KEYS = [old]
    account = make(owner)
    settings.EV_CREDENTIAL_KEYS = [new, old]
    rotate()
    after_first = raw_row(account.pk)
    out, _ = rotate()
    assert "1 rows, 0 values re-encrypted, 3 already under the newest key" in out
    assert raw_row(account.pk) == after_first


def test_check_fails_while_values_are_under_an_older_key_and_changes_nothing(owner, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.EV_CREDENTIAL_KEYS = [old]
    account = make(owner)
    before = raw_row(account.pk)
    settings.EV_CREDENTIAL_KEYS = [new, old]
    with pytest.raises(CommandError, match="3 value"):
        rotate("--check")
    assert raw_row(account.pk) == before
    rotate()
    out, _ = rotate("--check")
    assert "Every value is under the newest key" in out


def test_rows_under_the_key_derived_from_secret_key_rotate_through_its_name(owner, settings):
    settings.EV_CREDENTIAL_KEYS = []  # no keys configured: the key derived from SECRET_KEY
    account = make(owner)
    new = Fernet.generate_key().decode()
    settings.EV_CREDENTIAL_KEYS = [new, crypto.DERIVED_KEY_NAME]
    rotate()
    settings.EV_CREDENTIAL_KEYS = [new]
    assert VendorAccount.objects.get(pk=account.pk).password == "hemmelig-passord"


def test_values_under_no_configured_key_are_left_alone_with_a_warning(owner, settings):
    lost = Fernet.generate_key().decode()
    settings.EV_CREDENTIAL_KEYS = [lost]
    account = make(owner)
    before = raw_row(account.pk)
    settings.EV_CREDENTIAL_KEYS = [Fernet.generate_key().decode()]
    out, err = rotate()
    assert "3 under no configured key" in out
    assert "readable under no configured key" in err
    assert raw_row(account.pk) == before
    assert "hemmelig" not in out + err
