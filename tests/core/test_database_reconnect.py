"""A database connection dropped between requests (a PostgreSQL restart, a failover, an idle
timeout) is noticed by the connection health check and re-opened: the next request succeeds.

Requests go through Django's real WSGI handler, not the test client, because the test client
disconnects the request_started handler that runs the health checks.
"""

import base64
import io
from wsgiref.util import setup_testing_defaults

import orjson
import psycopg
import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection

from tests.factories import PASSWORD

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_terminate_backend needs PostgreSQL"),
]


def wsgi_get(path: str, *, username: str) -> tuple[str, bytes]:
    environ = {
        "PATH_INFO": path,
        "REQUEST_METHOD": "GET",
        "HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{username}:{PASSWORD}".encode()).decode(),
        "wsgi.input": io.BytesIO(),
    }
    setup_testing_defaults(environ)
    status = []
    body = b"".join(WSGIHandler()(environ, lambda s, headers, exc_info=None: status.append(s)))
    return status[0], body


def test_the_request_after_a_terminated_connection_succeeds(owner, settings):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0  # connections are kept between requests
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    path = f"/api/customers/{owner.customer.pk}"
    status, _ = wsgi_get(path, username=owner.user.username)
    assert status.startswith("200")
    assert connection.connection is not None, "the connection was not kept for the next request"
    old_pid = connection.connection.info.backend_pid

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as killer:  # a second session ends the app's one
        assert killer.execute("SELECT pg_terminate_backend(%s)", [old_pid]).fetchone()[0] is True

    status, body = wsgi_get(path, username=owner.user.username)
    assert status.startswith("200"), body[:300]
    assert orjson.loads(body)["CustomerId"] == owner.customer.pk
    assert connection.connection.info.backend_pid != old_pid
