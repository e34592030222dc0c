"""HTTP Basic, the verified-credentials cache, lockout, and credentials kept out of logs."""

import datetime as dt
import logging

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import override_settings
from django.views.debug import ExceptionReporter
from rest_framework.test import APIClient, APIRequestFactory

from esmart.api.area import Area

from ..conftest import basic
from ..factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast) that counts how often a password is actually verified."""

    calls = 0

    def verify(self, password, encoded):
        CountingHasher.calls += 1
        return super().verify(password, encoded)


@pytest.fixture
def counting_hasher():
    CountingHasher.calls = 0
    with override_settings(PASSWORD_HASHERS=["tests.api.test_authentication.CountingHasher"]):
        yield CountingHasher


def customer_url(owner):
    return f"/api/customers/{owner.customer.pk}"


def test_missing_credentials_is_401_with_basic_challenge(anonymous, owner):
    response = anonymous.get(customer_url(owner))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'
    assert response.json() == {"Message": "Authentication credentials were not provided."}


def test_wrong_password_is_401(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, "wrong"))
    response = client.get(customer_url(owner))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'


def test_malformed_basic_header_is_401(owner):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Basic !!!not-base64")
    assert client.get(customer_url(owner)).status_code == 401


def test_warm_request_does_not_run_the_hasher(owner, counting_hasher):
    owner.user.set_password(PASSWORD)
    owner.user.save()
    client = owner.client()
    assert client.get(customer_url(owner)).status_code == 200
    assert counting_hasher.calls == 1
    for _ in range(3):
        assert client.get(customer_url(owner)).status_code == 200
    assert counting_hasher.calls == 1


def test_password_change_takes_effect_at_once(owner):
    client = owner.client()
    assert client.get(customer_url(owner)).status_code == 200  # now cached
    owner.user.set_password("a brand new password")
    owner.user.save()
    assert client.get(customer_url(owner)).status_code == 401
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, "a brand new password"))
    assert client.get(customer_url(owner)).status_code == 200


def test_deactivation_takes_effect_at_once(owner):
    client = owner.client()
    assert client.get(customer_url(owner)).status_code == 200
    owner.user.is_active = False
    owner.user.save()
    assert client.get(customer_url(owner)).status_code == 401


def wrong_client(owner, ip):
    client = APIClient(REMOTE_ADDR=ip)
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, "wrong"))
    return client


def test_lockout_after_five_failures_from_one_address(owner, counting_hasher):
    bad = wrong_client(owner, "10.0.0.1")
    for _ in range(5):
        assert bad.get(customer_url(owner)).status_code == 401
    hashed_before = counting_hasher.calls

    response = bad.get(customer_url(owner))
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= 15 * 60
    assert "Message" in response.json()
    assert counting_hasher.calls == hashed_before  # the hasher did not run

    # Even the right password is refused from that address while it is locked...
    good_same_ip = APIClient(REMOTE_ADDR="10.0.0.1")
    good_same_ip.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    assert good_same_ip.get(customer_url(owner)).status_code == 429
    # ...but the same user from another address is unaffected.
    good_other_ip = APIClient(REMOTE_ADDR="10.0.0.2")
    good_other_ip.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    assert good_other_ip.get(customer_url(owner)).status_code == 200


def test_success_resets_the_failure_count(owner):
    bad = wrong_client(owner, "10.0.0.3")
    good = APIClient(REMOTE_ADDR="10.0.0.3")
    good.credentials(HTTP_AUTHORIZATION=basic(owner.user.username))
    for _ in range(4):
        assert bad.get(customer_url(owner)).status_code == 401
    assert good.get(customer_url(owner)).status_code == 200
    for _ in range(4):
        assert bad.get(customer_url(owner)).status_code == 401
    assert good.get(customer_url(owner)).status_code == 200


def test_lockout_also_guards_post_authenticate(owner):
    client = APIClient(REMOTE_ADDR="10.0.0.4")
    body = {"UserName": owner.user.username, "Password": "wrong", "Area": 2}
    for _ in range(5):
        assert client.post("/api/Authenticate", body, format="json").status_code == 401
    assert client.post("/api/Authenticate", body, format="json").status_code == 429


def test_no_password_reaches_the_logs(owner, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "s3cret-Pa55word-never-logged"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, secret))
    client.get(customer_url(owner))
    client.post("/api/Authenticate", {"UserName": owner.user.username, "Password": secret, "Area": 2}, format="json")
    client.get(f"/api/customers/{owner.customer.pk}?userName=x&password={secret}")
    assert secret not in caplog.text


def test_error_reports_hide_the_authorization_header_and_query_credentials(owner):
    secret = "s3cret-Pa55word-never-reported"
    request = APIRequestFactory().get(
        f"/api/customers/1/invoices/2/pdf?userName=u&password={secret}&area=2",
        HTTP_AUTHORIZATION=basic("u", secret),
    )
    from esmart.api.middleware import QueryCredentialsMiddleware

    QueryCredentialsMiddleware(lambda r: None)(request)
    try:
        raise RuntimeError("boom")
    except RuntimeError as exc:
        report = ExceptionReporter(request, type(exc), exc, exc.__traceback__).get_traceback_text()
    assert secret not in report
    assert request.query_credentials == {"username": "u", "password": secret}
    assert request.GET.get("area") == "2"


class TestAuthenticateEndpoint:
    def test_returns_the_customer_ids_in_the_area(self, owner, anonymous):
        body = {"UserName": owner.user.username, "Password": PASSWORD, "Area": Area.NET}
        response = anonymous.post("/api/Authenticate", body, format="json")
        assert response.status_code == 200
        assert response.json() == {
            "CustomerIds": [owner.net_customer.pk],
            "AuthProvider": "CustomerWeb",
            "RegistrationStatus": "Registered",
            "UserAuthId": str(owner.user.pk),
        }

    def test_wrong_credentials_401(self, owner, anonymous):
        body = {"UserName": owner.user.username, "Password": "nope", "Area": 2}
        response = anonymous.post("/api/Authenticate", body, format="json")
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Basic realm="api"'

    def test_unknown_user_401(self, db, anonymous):
        body = {"UserName": "nobody", "Password": "nope", "Area": 2}
        assert anonymous.post("/api/Authenticate", body, format="json").status_code == 401

    def test_no_customer_in_area_is_410(self, owner, anonymous):
        owner.net_customer.accesses.all().delete()
        body = {"UserName": owner.user.username, "Password": PASSWORD, "Area": Area.NET}
        response = anonymous.post("/api/Authenticate", body, format="json")
        assert response.status_code == 410
        assert "Message" in response.json()

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"UserName": "x", "Password": "y"},
            {"UserName": "x", "Password": "y", "Area": 3},
            {"UserName": "x", "Password": "y", "Area": "Gas"},
            [1, 2],
        ],
    )
    def test_bad_body_is_400(self, db, anonymous, body):
        response = anonymous.post("/api/Authenticate", body, format="json")
        assert response.status_code == 400
        assert "ModelState" in response.json()


# --- equal work for every refusal, and the known (username, address) pair (issue 20) --------------


def _basic_get(ip, username, password, url="/api/users/1"):
    client = APIClient(REMOTE_ADDR=ip)
    client.credentials(HTTP_AUTHORIZATION=basic(username, password))
    return client.get(url)


@pytest.mark.parametrize("account", ["unknown", "deactivated", "unusable password", "wrong password"])
def test_every_refused_login_runs_the_hasher_once(owner, counting_hasher, account):
    """Timing cannot tell unknown, deactivated or password-less accounts from a wrong password:
    each refusal costs exactly one hasher run, as a wrong password does."""
    user = owner.user
    password = PASSWORD
    if account == "unknown":
        username = "no-such-login"
    else:
        username = user.username
        if account == "deactivated":
            user.is_active = False  # the right password, but the account is off
        elif account == "unusable password":
            user.set_unusable_password()
        else:
            password = "wrong"
        user.save()
    counting_hasher.calls = 0
    response = _basic_get("10.3.0.1", username, password, customer_url(owner))
    assert response.status_code == 401
    assert response.json() == {"Message": "Authorization has been denied for this request."}
    assert counting_hasher.calls == 1


def test_a_known_pair_logs_in_after_other_usernames_spent_the_address_allowance(owner, counting_hasher, settings):
    """The documented rule: a (username, network) pair that verified its password from there is exempt
    from the network's allowance (its own lockout still applies); a pair never seen there is not."""
    settings.AUTH_HASHER_LIMIT = 3
    settings.AUTH_CREDENTIAL_CACHE_SECONDS = 0  # every login is cold: the hasher decides each time
    stranger = UserFactory()
    ip, url = "10.3.0.2", customer_url(owner)
    with time_machine.travel(dt.datetime(2025, 3, 12, 9, 17, 5, tzinfo=dt.UTC), tick=False):
        assert _basic_get(ip, owner.user.username, PASSWORD, url).status_code == 200  # now a known pair
        for n in range(settings.AUTH_HASHER_LIMIT - 1):  # the rest of the address's allowance
            assert _basic_get(ip, f"guess{n}", "x", url).status_code == 401
        assert _basic_get(ip, "guess-more", "x", url).status_code == 429  # the address's allowance is spent
        # A pair never verified from this address waits for the window like any other username...
        assert _basic_get(ip, stranger.username, PASSWORD, f"/api/users/{stranger.pk}").status_code == 429
        # ...the known pair's right password still gets in, hashed as usual.
        hashed = counting_hasher.calls
        assert _basic_get(ip, owner.user.username, PASSWORD, url).status_code == 200
        assert counting_hasher.calls == hashed + 1
        # Guessing the known pair's password is still stopped by its lockout, without hashing.
        for _ in range(settings.AUTH_LOCKOUT_ATTEMPTS):
            assert _basic_get(ip, owner.user.username, "wrong", url).status_code == 401
        hashed = counting_hasher.calls
        response = _basic_get(ip, owner.user.username, PASSWORD, url)
        assert response.status_code == 429
        assert response.json()["Message"].startswith("Too many failed login attempts.")
        assert counting_hasher.calls == hashed
