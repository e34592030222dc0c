"""A closed-loop flood of bad logins is slowed where it costs nothing (issue 20): under the README's
production start, a kept-alive connection whose request was refused (429, early or by Django:
esmart.serving) has its next request read only after GUNICORN_REFUSAL_PARK seconds, holding no
thread meanwhile, so the server keeps answering others at once.

However cheap a refusal is, a client that sends its next request as soon as the 429 arrives would
otherwise take every spare CPU cycle: parking its connection caps it at one request per park.
"""

import base64
import http.client
import time

import pytest

from .gunicorn_server import get, production_server

PARK = 2.0
pytestmark = pytest.mark.real_clock  # a gunicorn subprocess: its clock is the real one


def bad_login(connection: http.client.HTTPConnection, n: int) -> int:
    credentials = base64.b64encode(f"flood-{n}:wrong-password".encode()).decode()
    connection.request("GET", "/api/customers/1", headers={"Authorization": f"Basic {credentials}"})
    response = connection.getresponse()
    response.read()
    return response.status


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    with production_server(
        tmp_path_factory.mktemp("park"),
        migrate=True,
        AUTH_HASHER_LIMIT="2",
        # The allowance is a fixed window of wall-clock time: a minute's window could end between
        # the test's three logins (each hashes), and a real clock cannot be frozen in a subprocess.
        AUTH_HASHER_WINDOW_SECONDS=str(10**9),
        GUNICORN_REFUSAL_PARK=str(PARK),
        WEB_CONCURRENCY="1",  # one process: its memory of the spent network decides every request
        DJANGO_SECURE_SSL_REDIRECT="false",  # plain HTTP on the loopback, as behind a TLS proxy
    ) as port:
        yield port


def test_a_refused_connection_waits_for_its_park_while_others_are_served(port):
    flood = http.client.HTTPConnection("127.0.0.1", port, timeout=PARK + 10)
    statuses = [bad_login(flood, n) for n in range(3)]  # the allowance (2) spent: the 3rd is a 429
    assert statuses[:2] == [401, 401] and statuses[2] == 429, statuses

    # The next bad login goes out at once, but is read only once the park ends...
    sent = time.monotonic()
    credentials = base64.b64encode(b"flood-9:wrong-password").decode()
    flood.request("GET", "/api/customers/1", headers={"Authorization": f"Basic {credentials}"})
    # ...and meanwhile the server answers others without waiting for it.
    ping = get(port, "/api/ping", timeout=PARK / 2)
    assert ping.status == 200
    answer = flood.getresponse()
    answer.read()
    waited = time.monotonic() - sent
    assert answer.status == 429
    assert waited >= PARK - 0.5, f"the refused connection's next request was read after {waited:.2f} s"
    flood.close()


def test_a_connection_that_was_not_refused_is_never_parked(port):
    """Successive pings on one kept-alive connection are each answered well within the park."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=PARK / 2)
    for _ in range(5):
        connection.request("GET", "/api/ping")
        response = connection.getresponse()
        response.read()
        assert response.status == 200
    connection.close()
