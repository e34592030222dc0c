"""A push accepted while the task broker is down: the send answers 200 and stores the message at
once (the failed publish is logged, esmart.celery.publish), and once the broker is back the beat
sweep fans it out after the claim timeout; a real worker delivers it to every registration.

The broker is a private redis-server (tests/core/redis_server.py), stopped and started by the test;
the machine's Redis is never touched."""

import datetime as dt
import logging
import time

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from apps.notifications import conf, selectors
from apps.notifications.models import PushChunk, PushDelivery, PushIdentifierTypes, PushMessage
from apps.notifications.tasks import retry_stale_deliveries

from ..celery_worker import queuing_to, running_worker
from ..core.redis_server import REDIS_SERVER, PrivateRedis
from .providers import sent_log
from .world import bulk_registrations, grant, smartliv

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(REDIS_SERVER is None, reason="redis-server is not on PATH"),
    # The worker thread and the test share SQLite's in-memory test database, whose table locks
    # refuse a reader while the other writes ("database table is locked"); PostgreSQL runs it.
    pytest.mark.skipif(connection.vendor == "sqlite", reason="a worker thread beside the test needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
REGISTRATIONS = 120
# A POST with the broker down waits for at most one failed connect and one retry (CELERY_* in
# esmart/settings/base.py); far below this, which only catches a hang on the broker.
DOWN_BROKER_BUDGET_SECONDS = 3.0


@pytest.fixture
def broker():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


def _wait(probe, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@override_settings(
    NOTIFICATIONS_PUSH_PROVIDER="tests.notifications.providers.RecordingProvider",
    NOTIFICATIONS_PUSH_CHUNK_SIZE=50,  # 120 registrations: 3 chunks, 3 send_chunk tasks
)
def test_a_push_sent_while_the_broker_is_down_is_delivered_by_the_sweep_once_it_is_back(
    broker, owner, tmp_path, monkeypatch, caplog
):
    sent_file = tmp_path / "sent.log"
    sent_file.touch()
    monkeypatch.setenv("NOTIFICATIONS_TEST_SENT_LOG", str(sent_file))
    grant(owner.user, "push_send")
    tag = (PushIdentifierTypes.UserId, str(owner.user.pk))
    ids = bulk_registrations(app=smartliv(), user=owner.user, count=REGISTRATIONS, tag=tag)
    body = {"Tags": [{"IdentifierType": tag[0], "IdentifierValue": tag[1]}], "Message": "Planned outage"}

    # 1. The broker is down: the send is accepted and stored, its fan-out could not be queued.
    broker.stop()
    caplog.set_level(logging.ERROR, logger="esmart.celery")
    client = owner.client()
    assert client.get("/api/apps/smartliv/push/send").status_code == 405  # warm: the first request's imports
    with queuing_to(broker.url):
        started = time.monotonic()
        response = client.post("/api/apps/smartliv/push/send", body, format="json")
        elapsed = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert elapsed < DOWN_BROKER_BUDGET_SECONDS, f"the send took {elapsed:.2f} s with the broker down"
    print(f"POST push/send with the broker down: {elapsed:.3f} s")  # the figure, with -s
    message = PushMessage.objects.get()
    assert message.fanned_out_at is None and not PushChunk.objects.exists()
    assert [r.getMessage() for r in caplog.records if r.name == "esmart.celery"] == [
        "Could not queue apps.notifications.tasks.fan_out: the task broker is unreachable (OperationalError)"
    ]

    # 2. The broker is back and a worker runs. Within the claim timeout the sweep leaves the
    # message to its fan-out task; after it, beat's sweep fans it out and the worker sends it all.
    broker.start()  # same port, empty
    with running_worker(broker_url=broker.url) as app:
        assert retry_stale_deliveries() == 0  # the sweep, in this process: too early, nothing queued
        assert not PushChunk.objects.exists()
        later = timezone.now() + conf.claim_timeout() + dt.timedelta(seconds=1)
        with time_machine.travel(later, tick=True):
            app.send_task(retry_stale_deliveries.name)  # what beat queues every minute
            finished = PushDelivery.objects.filter(message=message)
            _wait(lambda: sum(finished.values_list("count", flat=True)) == REGISTRATIONS, seconds=60, what="sends")

    assert sorted(registration for _, registration in sent_log()) == sorted(ids)  # each exactly once
    results = selectors.delivery_results(message_id=message.pk)
    assert sorted(r.registration_id for r in results) == sorted(ids)
    assert {r.state for r in results} == {PushDelivery.State.SENT}
    assert PushMessage.objects.get(pk=message.pk).fanned_out_at is not None
    assert list(PushChunk.objects.values_list("state", flat=True)) == [PushChunk.State.DONE] * 3
