"""LOG_FORMAT=json: one JSON object per line with the request id; plain text by default; no
credentials in any field (docs/operations.md "Logs")."""

import json
import logging
import logging.config

from esmart.celery import configure_logging
from esmart.logging import JsonFormatter, logging_config
from tests.conftest import basic

SECRET = "hunter2-secret"


def _lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_carry_the_request_id_and_no_credentials(ops_urls, client, log_output):
    install, written = log_output
    install("json")
    response = client.get(
        f"/ops-test/logs?marker=json&password={SECRET}&userName=demo1",
        HTTP_AUTHORIZATION=basic("demo1", SECRET),
    )
    output = written()
    lines = _lines(output)  # every line parses
    handled = [line for line in lines if line["message"].startswith("handled")]
    task = [line for line in lines if line["message"] == "task json ran"]
    assert len(handled) == 1 and len(task) == 1
    assert handled[0]["request_id"] == task[0]["request_id"] == response["X-Request-ID"]
    assert handled[0]["level"] == "INFO" and handled[0]["logger"] == "tests.ops" and handled[0]["time"]
    assert "marker=json" in handled[0]["message"]
    assert SECRET not in output and "password=" not in output
    assert basic("demo1", SECRET).split()[1] not in output


def test_an_error_line_is_json_with_its_traceback_and_without_the_query(ops_urls, quiet_client, log_output):
    install, written = log_output
    install("json")
    response = quiet_client.get(f"/ops-test/fails?password={SECRET}&token={SECRET}")
    assert response.status_code == 500
    output = written()
    [error] = [line for line in _lines(output) if line["logger"] == "django.request"]
    assert error["level"] == "ERROR"
    assert error["request_id"] == response["X-Request-ID"]
    assert "RuntimeError: boom on /ops-test/fails" in error["exc_info"]
    assert "request" not in error  # the extra request object (its repr has the query) is left out
    assert SECRET not in output


def test_plain_text_is_the_default_with_the_request_id(ops_urls, client, log_output):
    install, written = log_output
    install("plain")
    response = client.get("/ops-test/logs?marker=plain")
    [line] = [line for line in written().splitlines() if "handled" in line]
    assert f"INFO tests.ops [{response['X-Request-ID']}] handled /ops-test/logs?marker=plain" in line
    assert not line.startswith("{")


def test_lines_outside_a_request_have_a_dash(log_output):
    install, written = log_output
    install("json")
    logging.getLogger("tests.ops").warning("no request here")
    [line] = _lines(written())
    assert line["request_id"] == "-" and line["message"] == "no request here"


def test_worker_and_beat_log_through_the_settings(settings):
    """Celery's setup_logging signal is answered with settings.LOGGING (JSON when asked)."""
    original = settings.LOGGING
    settings.LOGGING = logging_config(log_format="json")
    try:
        configure_logging()
        assert any(isinstance(handler.formatter, JsonFormatter) for handler in logging.getLogger().handlers)
    finally:
        logging.config.dictConfig(original)
