"""api/ping/checks while Redis (cache and broker) is down: each outage is logged once, with its
traceback, when a check first fails; nothing more while it lasts; one line when it answers again
(esmart/core/outages.py). Anyone may poll the checks, and a log line per poll buries the log.

A private redis-server serves as cache and broker (tests/core/redis_server.py); it is stopped and
started by the test, the machine's Redis is never touched."""

import logging

import pytest
from django.test import override_settings

from esmart.core.outages import OutageLog

from ..celery_worker import queuing_to
from .redis_server import REDIS_SERVER, PrivateRedis
from .test_redis_outage import cache_settings, wait_until

pytestmark = pytest.mark.django_db


@pytest.fixture
def redis_down_and_up():
    server = PrivateRedis()
    server.start()
    # queuing_to first: it restores the app's eager setting as it found it, before the override.
    with (
        queuing_to(server.url),
        override_settings(CACHES=cache_settings(server.url, retry_seconds=0.2), CELERY_TASK_ALWAYS_EAGER=False),
    ):
        yield server
    server.stop()


def _logged(caplog, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == name and r.levelno >= logging.WARNING]


@pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not on PATH")
def test_checks_log_each_redis_outage_once_and_its_end_once(redis_down_and_up, anonymous, caplog):
    caplog.set_level(logging.INFO)
    assert anonymous.get("/api/ping/checks").status_code == 200
    assert _logged(caplog, "esmart.core.services") == []

    for outage in (1, 2):  # a second outage is logged again
        caplog.clear()
        redis_down_and_up.stop()
        for _ in range(5):
            response = anonymous.get("/api/ping/checks")
            assert response.status_code == 503
            assert [c["Name"] for c in response.json()["Checks"] if not c["Ok"]] == ["Cache", "TaskBroker"]
        (down,) = _logged(caplog, "esmart.core.services")
        assert down.levelno == logging.ERROR and down.exc_info is not None, f"outage {outage}"
        assert "task broker" in down.getMessage() and "unreachable" in down.getMessage()
        assert len(_logged(caplog, "esmart.cache")) == 1  # the cache's own, once too

        caplog.clear()
        redis_down_and_up.start()  # same port
        assert wait_until(lambda: anonymous.get("/api/ping/checks").status_code == 200)
        for _ in range(3):
            assert anonymous.get("/api/ping/checks").status_code == 200
        (back,) = _logged(caplog, "esmart.core.services")
        assert back.levelno == logging.WARNING and "answers again" in back.getMessage() and back.exc_info is None


def test_outage_log_logs_the_start_with_its_traceback_and_the_end_once(caplog):
    caplog.set_level(logging.INFO, logger="tests.outage")
    log = OutageLog(logging.getLogger("tests.outage"), "The thing")
    assert log.answered() is False  # no outage: nothing to end
    error = ConnectionRefusedError(111, "refused")
    assert [log.failed(error) for _ in range(4)] == [True, False, False, False]
    assert log.answered() is True and log.answered() is False
    assert log.failed(error) is True  # the next outage
    records = [(r.levelname, r.getMessage(), r.exc_info is not None) for r in caplog.records]
    assert records == [
        ("ERROR", "The thing is unreachable (ConnectionRefusedError); logged again when it answers", True),
        ("WARNING", "The thing answers again", False),
        ("ERROR", "The thing is unreachable (ConnectionRefusedError); logged again when it answers", True),
    ]
