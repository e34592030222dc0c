"""A database that cannot be reached is a 503 with Retry-After and the API's error body on every
route (a read and a write of every app, the admin, ping), not a 500; the outage is logged once.
Integrity and data errors are not outages.

The outage is real: the requests' connection is pointed at a database that is not there (a closed
port; with SQLite, a file in a missing folder), so every connect fails as it would with the server
down. The shared cluster is never stopped."""

from __future__ import annotations

import logging
import sqlite3

import orjson
import psycopg
import pytest
from django.db import Error, IntegrityError, InterfaceError, OperationalError, connections

from esmart.api.exceptions import DatabaseUnavailable, database_unavailable, handler500
from tests.api.test_wire_rules import (
    ACCEPT_ROUTES,
    TEXT_JSON_WRITES,
    rows,
    source,  # noqa: F401  (the pricing rows' spot-price source)
)
from tests.factories import UserFactory

from .redis_server import free_port

pytestmark = pytest.mark.django_db
MESSAGE = str(DatabaseUnavailable.default_detail)


class Outage:
    """Points the requests' connection at a database that is not there (`start`), and back (`end`)."""

    def __init__(self, tmp_path):
        self.real = connections["default"]
        self.tmp_path = tmp_path

    def start(self) -> None:
        unreachable = dict(self.real.settings_dict)
        if self.real.vendor == "sqlite":
            unreachable["NAME"] = str(self.tmp_path / "missing" / "db.sqlite3")
        else:
            unreachable.update(HOST="127.0.0.1", PORT=str(free_port()))  # nothing listens there
        connections["default"] = self.real.__class__(unreachable, "default")

    def end(self) -> None:
        broken = connections["default"]
        if broken is not self.real:
            broken.close()
            connections["default"] = self.real


@pytest.fixture
def database_down(tmp_path):
    outage = Outage(tmp_path)
    yield outage
    outage.end()


def assert_unavailable(response):
    assert response.status_code == 503, response.content
    assert response["Retry-After"] == str(DatabaseUnavailable.wait)
    assert response["Content-Type"].startswith("application/json")
    assert orjson.loads(response.content) == {"Message": MESSAGE}


@pytest.mark.parametrize("route", rows(ACCEPT_ROUTES))
def test_a_read_of_every_app_is_503_while_the_database_is_down(owner, source, route, database_down):  # noqa: F811
    client, url = route(owner)
    assert client.get(url).status_code == 200
    database_down.start()
    assert_unavailable(client.get(url))


@pytest.mark.parametrize("write", rows(TEXT_JSON_WRITES))
def test_a_write_of_every_app_is_503_while_the_database_is_down(owner, source, write, database_down):  # noqa: F811
    client, method, url, body = write(owner)
    database_down.start()
    assert_unavailable(client.generic(method, url, orjson.dumps(body), content_type="application/json"))


def test_the_admin_and_ping_are_503_while_the_database_is_down(client, anonymous, database_down):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    assert client.get("/admin/").status_code == 200
    assert anonymous.get("/api/ping/database").status_code == 200
    database_down.start()
    assert_unavailable(client.get("/admin/"))  # the session is read from the database: not DRF's
    assert_unavailable(client.get("/admin/customers/customer/"))
    assert_unavailable(anonymous.get("/api/ping/database"))
    assert anonymous.get("/api/ping").status_code == 200  # needs no database


def ours(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "esmart.api.exceptions"]


def test_an_outage_is_logged_once_and_its_end_once(owner, database_down, caplog):
    client, url = owner.client(), f"/api/customers/{owner.customer.pk}"
    assert client.get(url).status_code == 200  # ends an outage an earlier test left logged
    caplog.set_level(logging.INFO, logger="esmart.api.exceptions")
    for outage in (1, 2):  # the next outage is logged again
        caplog.clear()
        database_down.start()
        for _ in range(4):
            assert_unavailable(client.get(url))
            assert_unavailable(client.patch(url, {"PhoneNumber": "555"}, format="json"))  # the middleware's 503
        (down,) = ours(caplog)
        assert down.levelno == logging.ERROR and down.exc_info is not None, outage
        assert down.getMessage().startswith("The database is unreachable (OperationalError)")
        caplog.clear()
        database_down.end()
        for _ in range(3):
            assert client.get(url).status_code == 200
        assert [(r.levelname, r.getMessage()) for r in ours(caplog)] == [("WARNING", "The database answers again")]


def test_a_failure_outside_a_view_is_503_too(rf):
    """A middleware that cannot reach the database (a session saved on the way out): Django calls
    handler500 while handling the exception; it answers the same 503."""
    try:
        raise _django_error(OperationalError, psycopg.OperationalError("connection failed: Connection refused"))
    except OperationalError:
        assert_unavailable(handler500(rf.get("/admin/")))
    try:
        raise ValueError("a bug")
    except ValueError:
        assert handler500(rf.get("/admin/")).status_code == 500


def _django_error(django_class, cause: BaseException) -> Error:
    """What Django raises for a driver's error (django.db.utils.DatabaseErrorWrapper)."""
    try:
        raise django_class(*cause.args) from cause
    except Error as exc:
        return exc


def test_only_connection_failures_count_as_the_database_being_unavailable():
    refused = psycopg.OperationalError("connection failed: Connection refused")
    cancelled = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")
    shutting_down = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
    too_many = psycopg.errors.TooManyConnections("sorry, too many clients already")
    no_table = sqlite3.OperationalError("no such table: x")
    assert database_unavailable(_django_error(OperationalError, refused))
    assert database_unavailable(_django_error(OperationalError, shutting_down))
    assert database_unavailable(_django_error(OperationalError, too_many))
    assert database_unavailable(_django_error(InterfaceError, psycopg.InterfaceError("the connection is closed")))
    assert not database_unavailable(_django_error(OperationalError, cancelled))
    assert not database_unavailable(_django_error(OperationalError, no_table))
    assert not database_unavailable(_django_error(IntegrityError, psycopg.errors.UniqueViolation("duplicate")))
    assert not database_unavailable(ValueError("x"))
