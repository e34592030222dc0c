"""Support tools: `manage.py unlock_login USERNAME`, the admin's lockout state and unlock action."""

import io

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from esmart.api import lockouts
from tests.conftest import basic
from tests.factories import UserFactory

from .conftest import lock_out


def signs_in(owner, address: str) -> int:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    return client.get(f"/api/customers/{owner.customer.pk}").status_code


def unlock(username: str) -> str:
    out = io.StringIO()
    call_command("unlock_login", username, stdout=out)
    return out.getvalue()


def test_the_command_ends_every_lockout_of_a_login(owner, other):
    lock_out(owner, "203.0.113.7")
    lock_out(owner, "2001:db8::1")
    lock_out(other, "198.51.100.9")  # (another address: each has its own hasher allowance)
    assert signs_in(owner, "203.0.113.7") == 429
    assert {lock.network for lock in lockouts.locks_of(owner.user.username)} == {"203.0.113.7", "2001:db8::/64"}

    assert "2 lockout(s) ended" in unlock(owner.user.username)
    assert signs_in(owner, "203.0.113.7") == 200
    assert signs_in(owner, "2001:db8::1") == 200
    assert lockouts.locks_of(owner.user.username) == []
    assert signs_in(other, "198.51.100.9") == 429  # another login's lockout is left alone


def test_unlocking_forgets_the_failed_attempts(owner):
    lock_out(owner, "203.0.113.7")
    unlock(owner.user.username)
    lock_out(owner, "203.0.113.7")  # a full allowance again: five more attempts before the lock


def test_a_login_that_is_not_locked(owner):
    assert "was not locked out" in unlock(owner.user.username)


def test_an_unknown_username_is_an_error(db):
    with pytest.raises(CommandError, match="no login named 'nobody'"):
        unlock("nobody")


def test_a_lockout_of_an_unknown_username_can_be_ended(owner):
    """Guessing at a name that does not exist locks it too (equal work for every refusal)."""
    client = APIClient(REMOTE_ADDR="203.0.113.7")
    client.credentials(HTTP_AUTHORIZATION=basic("no-such-login", "x"))
    for _ in range(5):
        client.get(f"/api/customers/{owner.customer.pk}")
    assert "1 lockout(s) ended" in unlock("no-such-login")


@pytest.fixture
def staff(client, db):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_a_logins_lockout_state(staff, owner):
    page = f"/admin/customers/user/{owner.user.pk}/change/"
    assert "Not locked out." in staff.get(page).content.decode()
    lock_out(owner, "203.0.113.7")
    text = staff.get(page, HTTP_ACCEPT_LANGUAGE="nb").content.decode()
    assert "Locked out from 203.0.113.7 until 11. mars 2026 10:32" in text  # Oslo time, 15 minutes on


def test_the_admin_action_unlocks_the_selected_logins(staff, owner, other):
    lock_out(owner, "203.0.113.7")
    lock_out(other, "203.0.113.8")
    response = staff.post(
        "/admin/customers/user/",
        {"action": "unlock_logins", "_selected_action": [owner.user.pk, other.user.pk]},
        follow=True,
    )
    assert "2 lockout(s) ended." in response.content.decode()
    assert signs_in(owner, "203.0.113.7") == 200 and signs_in(other, "203.0.113.8") == 200


def test_staff_without_change_permission_have_no_unlock_action(client, owner):
    viewer = UserFactory(is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_user"))
    client.force_login(viewer)
    lock_out(owner, "203.0.113.7")
    response = client.post("/admin/customers/user/", {"action": "unlock_logins", "_selected_action": [owner.user.pk]})
    assert signs_in(owner, "203.0.113.7") == 429
    assert response.status_code in (200, 302, 403)
