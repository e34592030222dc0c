"""`gunicorn esmart.wsgi:application`, started the plain way from the project root, logs no credentials.

gunicorn reads ./gunicorn.conf.py by default; the test starts it with no flags at all (the port
comes from GUNICORN_BIND, which that file reads), on this test's database, fetches an invoice PDF
with credentials in the query string in several spellings, and searches both logs.
"""

import http.client
import io
import logging
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest
from django.db import connection
from gunicorn.config import Config

from esmart.logging import GunicornLogger, strip_credentials
from tests.factories import PASSWORD
from tests.pricing.factories import make_invoice

from .redis_server import free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def secrets_in(text: str) -> list[str]:
    forms = {PASSWORD, quote_plus(PASSWORD), quote(PASSWORD), PASSWORD.split()[0] + "+horse"}
    return [form for form in forms if form in text]


def database_url(tmp_path: Path) -> str:
    """The test database, as gunicorn's processes can reach it."""
    if connection.vendor == "sqlite":  # an in-memory database: copy it to a file
        target = tmp_path / "db.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{target}"
    s = connection.settings_dict
    password = f":{quote(s['PASSWORD'])}" if s["PASSWORD"] else ""
    return f"postgres://{quote(s['USER'])}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def get(port: int, path: str) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Referer": f"http://127.0.0.1:{port}{path}"})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.real_clock  # the gunicorn process reads the real clock
@pytest.mark.django_db(transaction=True)
def test_plain_gunicorn_start_logs_no_query_credentials(owner, tmp_path):
    invoice = make_invoice(contract=owner.contract)
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "CELERY_BROKER_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="esmart.settings.test",
        DATABASE_URL=database_url(tmp_path),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        XDG_RUNTIME_DIR=str(tmp_path),  # its own control socket, not ~/.gunicorn's
    )
    stdout, stderr = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with open(stdout, "w") as out, open(stderr, "w") as err:
        server = subprocess.Popen([str(GUNICORN), "esmart.wsgi:application"], cwd=ROOT, env=env, stdout=out, stderr=err)
    try:
        wait_for(port, server)
        base = f"/api/customers/{owner.customer.pk}/invoices/{invoice.invoice_no}/pdf"
        user, secret = quote_plus(owner.user.username), quote_plus(PASSWORD)
        for query in (
            f"userName={user}&password={secret}",
            f"USERNAME={user}&PassWord={secret}",
            f"userName={user}&pass%77ord={secret}",
            f"user%4Eame={user}&%50ASSWORD={secret}&area=2",
        ):
            status, body = get(port, f"{base}?{query}")
            assert status == 200, (query, body[:200])
            assert body.startswith(b"%PDF-")
        assert get(port, f"{base}?userName={user}&password=wrong")[0] == 401
    finally:
        server.terminate()
        server.wait(timeout=30)
    logs = stdout.read_text() + stderr.read_text()
    assert base in logs, "the access log recorded nothing"
    assert secrets_in(logs) == [], logs


def wait_for(port: int, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited"
        try:
            if get(port, "/api/ping")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("gunicorn did not answer")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/pdf?userName=u&password=s3cret&area=2", "/pdf?&&area=2"),
        ("/pdf?USERNAME=u&PassWord=s3cret", "/pdf?&"),
        ("area=1&pass%77ord=s3cret", "area=1&"),
        ("p%61ssword=s3cret;token=abc", ";"),
        ('GET /x?Pass+Word=a "https://h/y?password=s3cret&z=1"', 'GET /x?Pass+Word=a "https://h/y?&z=1"'),
        ("/meters?fromDate=2025-01-01", "/meters?fromDate=2025-01-01"),
    ],
)
def test_credential_parameters_are_removed_in_any_spelling(text, expected):
    assert strip_credentials(text) == expected


def gunicorn_logger(access_log_format: str) -> tuple[GunicornLogger, io.StringIO]:
    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", access_log_format)
    log = GunicornLogger(cfg)
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    log.access_log.addHandler(handler)
    log.error_log.addHandler(handler)
    return log, output


def test_any_access_log_format_is_scrubbed():
    log, output = gunicorn_logger('%(r)s %(q)s "%(f)s" %({query_string}e)s %({raw_uri}e)s')

    class Response:
        status, sent, headers = "200 OK", 10, []

    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": "/pdf?userName=u&PassWord=s3cret",
        "PATH_INFO": "/pdf",
        "QUERY_STRING": "userName=u&PassWord=s3cret&area=2",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": "https://app/pdf?pass%77ord=s3cret",
    }

    class Request:
        headers = [("REFERER", environ["HTTP_REFERER"])]

    import datetime as dt

    log.access(Response(), Request(), environ, dt.timedelta(seconds=0))
    line = output.getvalue()
    assert "GET /pdf HTTP/1.1" in line and "area=2" in line
    assert "s3cret" not in line


def test_the_error_log_carries_paths_only():
    log, output = gunicorn_logger("%(U)s")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("Error handling request %s", "/pdf?userName=u&password=s3cret")
    assert "Error handling request /pdf" in output.getvalue()
    assert "s3cret" not in output.getvalue()
