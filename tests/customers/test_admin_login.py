"""The admin login verifies credentials as the API does (issue 20): the lockout per (username,
address) refuses without hashing, other usernames and other addresses are unaffected, a pair known
to log in from an address is exempt from that address's hasher allowance, and every refusal costs
one hasher run (esmart.api.authentication.verify_credentials)."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from tests.api.test_authentication import CountingHasher
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Too many failed login attempts for this username from this address"
ADDRESS_SPENT = "Too many login attempts from this address"
INVALID = "Please enter the correct username and password for a staff account"
NOW = dt.datetime(2025, 3, 12, 9, 17, 5, tzinfo=dt.UTC)


@pytest.fixture
def hasher(settings):
    settings.PASSWORD_HASHERS = ["tests.api.test_authentication.CountingHasher"]
    settings.AUTH_CREDENTIAL_CACHE_SECONDS = 0  # every login is cold: the hasher decides each time
    CountingHasher.calls = 0
    with time_machine.travel(NOW, tick=False):  # the allowance's window does not roll over mid-test
        yield CountingHasher


def log_in(ip, username, password=PASSWORD):
    client = Client(REMOTE_ADDR=ip)
    response = client.post(reverse("admin:login"), {"username": username, "password": password})
    return response, "_auth_user_id" in client.session


def test_wrong_passwords_lock_the_admin_out_of_that_address_only(hasher, settings):
    settings.AUTH_HASHER_LIMIT = 1000  # the per-address allowance is not what is tested here
    admin_user = UserFactory(is_staff=True)
    colleague = UserFactory(is_staff=True)
    for _ in range(settings.AUTH_LOCKOUT_ATTEMPTS):
        response, logged_in = log_in("10.4.0.1", admin_user.username, "wrong")
        assert INVALID in response.content.decode() and not logged_in
    hashed = hasher.calls

    response, logged_in = log_in("10.4.0.1", admin_user.username)
    assert response.status_code == 200
    assert LOCKED in response.content.decode()  # a form error, even for the right password
    assert not logged_in
    assert hasher.calls == hashed  # refused without hashing

    # Another user from the same address, and the admin from another address, log in.
    response, logged_in = log_in("10.4.0.1", colleague.username)
    assert response.status_code == 302 and logged_in
    response, logged_in = log_in("10.4.0.2", admin_user.username)
    assert response.status_code == 302 and logged_in


def test_other_usernames_spending_the_address_allowance_do_not_keep_a_known_admin_out(hasher, settings):
    settings.AUTH_HASHER_LIMIT = 3
    admin_user = UserFactory(is_staff=True)
    newcomer = UserFactory(is_staff=True)
    assert log_in("10.4.0.3", admin_user.username)[1]  # the admin logs in from this address: a known pair
    for n in range(settings.AUTH_HASHER_LIMIT - 1):
        assert INVALID in log_in("10.4.0.3", f"guess{n}", "x")[0].content.decode()
    response, logged_in = log_in("10.4.0.3", "guess-more", "x")
    assert ADDRESS_SPENT in response.content.decode() and not logged_in

    response, logged_in = log_in("10.4.0.3", admin_user.username)
    assert response.status_code == 302 and logged_in
    # A pair never seen at this address waits for the window (the documented rule).
    response, logged_in = log_in("10.4.0.3", newcomer.username)
    assert ADDRESS_SPENT in response.content.decode() and not logged_in


@pytest.mark.parametrize("account", ["unknown", "deactivated", "wrong password"])
def test_every_refused_admin_login_runs_the_hasher_once(hasher, account):
    admin_user = UserFactory(is_staff=True)
    username, password = admin_user.username, PASSWORD
    if account == "unknown":
        username = "no-such-admin"
    elif account == "deactivated":
        admin_user.is_active = False
        admin_user.save()
    else:
        password = "wrong"
    hasher.calls = 0
    response, logged_in = log_in("10.4.0.4", username, password)
    assert INVALID in response.content.decode() and not logged_in
    assert hasher.calls == 1


def test_a_user_who_is_not_staff_is_refused_after_the_same_work(hasher):
    user = UserFactory(is_staff=False)
    response, logged_in = log_in("10.4.0.5", user.username)
    assert INVALID in response.content.decode() and not logged_in
    assert hasher.calls == 1
