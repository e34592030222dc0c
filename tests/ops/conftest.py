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
