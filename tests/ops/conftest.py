import logging.config

import pytest
from django.conf import settings
from django.test import Client

from esmart.logging import logging_config


@pytest.fixture
def ops_urls(settings):
    settings.ROOT_URLCONF = "tests.ops.urls"


@pytest.fixture
def quiet_client():
    """A client that gets the 500 page instead of the view's exception."""
    return Client(raise_request_exception=False)


@pytest.fixture
def log_output(capsys):
    """Installs settings-like logging in a given format, writing to the captured stderr; returns a
    function giving what was written. Restores settings.LOGGING afterwards."""

    def install(log_format: str):
        capsys.readouterr()
        logging.config.dictConfig(logging_config(level="INFO", log_format=log_format))

    def written() -> str:
        return capsys.readouterr().err

    yield install, written
    logging.config.dictConfig(settings.LOGGING)


def lock_out(owner, address: str) -> None:
    """Fails the owner's login from `address` until the lockout refuses it."""
    from rest_framework.test import APIClient

    from tests.conftest import basic

    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=basic(owner.user.username, "wrong"))
    url = f"/api/customers/{owner.customer.pk}"
    for _ in range(settings.AUTH_LOCKOUT_ATTEMPTS):
        assert client.get(url).status_code == 401
    assert client.get(url).status_code == 429
