"""Every answer carries X-Request-ID: the caller's well-formed one, else a new one; tasks queued by
the request run under the same id (docs/operations.md "Request ids")."""

import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache

from esmart import request_id
from tests.ops.urls import TASK_SEEN_KEY

NEW_ID = re.compile(r"[0-9a-f]{32}")


@pytest.mark.parametrize("path", ["/api/ping", "/api/customers/1", "/api/no-such-route", "/admin/login/", "/metrics"])
def test_every_answer_gets_a_new_id(client, db, path):
    first, second = client.get(path), client.get(path)
    assert NEW_ID.fullmatch(first["X-Request-ID"])
    assert first["X-Request-ID"] != second["X-Request-ID"]


@pytest.mark.parametrize("offered", ["3f2b9c1e-8d4a-4c8e-9a57-0d6c2e1f4b7a", "lb.1234_abc-DEF", "x" * 128])
def test_a_well_formed_id_is_echoed(client, offered):
    assert client.get("/api/ping", HTTP_X_REQUEST_ID=offered)["X-Request-ID"] == offered


@pytest.mark.parametrize("offered", ["", "two words", "x" * 129, "forged\nINFO line", "id;drop", "ümlaut"])
def test_a_malformed_id_is_replaced(client, offered):
    answered = client.get("/api/ping", HTTP_X_REQUEST_ID=offered)["X-Request-ID"]
    assert NEW_ID.fullmatch(answered)


def test_the_id_is_unset_outside_a_request(client):
    client.get("/api/ping")
    assert request_id.current() is None


def test_a_task_queued_eagerly_by_a_request_runs_under_its_id(ops_urls, client):
    response = client.get("/ops-test/logs?marker=eager", HTTP_X_REQUEST_ID="req-eager-1")
    assert response["X-Request-ID"] == "req-eager-1"
    assert cache.get(TASK_SEEN_KEY) == {"marker": "eager", "request_id": "req-eager-1"}


@pytest.mark.worker
@pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker")
def test_a_task_on_a_real_worker_runs_under_the_id_of_the_request_that_queued_it(ops_urls, client):
    from tests.celery_worker import running_worker

    with running_worker(broker_db=8):
        response = client.get("/ops-test/logs?marker=worker")
        deadline = time.monotonic() + 20
        while cache.get(TASK_SEEN_KEY) is None and time.monotonic() < deadline:
            time.sleep(0.05)
    assert cache.get(TASK_SEEN_KEY) == {"marker": "worker", "request_id": response["X-Request-ID"]}
    assert request_id.current() is None
