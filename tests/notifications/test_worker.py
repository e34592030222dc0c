"""The push fan-out through real Celery workers and Redis (broker database 10): 10,000 registrations,
and at most once / at least attempted when a worker is SIGKILLed mid-chunk and the broker redelivers."""

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

import pytest
from celery.exceptions import AlwaysEagerIgnored
from celery.signals import task_postrun
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone

from apps.customers.models import App
from apps.notifications import conf, selectors, services
from apps.notifications.models import PushChunk, PushDelivery, PushIdentifierTypes, PushMessage
from esmart.celery import app as celery_app
from tests.notifications.factories import PushMessageFactory

from ..celery_worker import running_worker
from .providers import RecordingProvider, sent_log
from .world import bulk_registrations

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs REDIS_URL: a real broker"),
    pytest.mark.django_db(transaction=True),
]
BROKER_DB = 10  # notifications
ROOT = Path(__file__).resolve().parents[2]
State = PushDelivery.State
Chunk = PushChunk.State


def _app() -> App:
    return App.objects.get_or_create(short_name="smartliv", defaults={"name": "Smartliv"})[0]


def _broker_url() -> str:
    return settings.REDIS_URL.rstrip("/").rsplit("/", 1)[0] + f"/{BROKER_DB}"


def _states(message) -> Counter:
    return Counter(r.state for r in selectors.delivery_results(message_id=message.pk))


def _wait(probe, *, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


class ChunkRuns:
    """The send_chunk runs a worker in this process finished (task_postrun), with their kwargs."""

    def __init__(self):
        self.kwargs: list[dict] = []
        self.lock = threading.Lock()

    def __call__(self, sender=None, kwargs=None, **_):
        if sender is not None and sender.name.endswith(".send_chunk"):
            with self.lock:
                self.kwargs.append(kwargs)

    def __enter__(self):
        task_postrun.connect(self, weak=False)
        return self

    def __exit__(self, *exc):
        task_postrun.disconnect(self)


def test_fan_out_of_10000_registrations_through_a_real_worker(owner):
    tag = (PushIdentifierTypes.UserId, str(owner.user.pk))
    ids = bulk_registrations(app=_app(), user=owner.user, count=10_000, tag=tag)
    with running_worker(broker_db=BROKER_DB):
        with transaction.atomic():  # as the view: the fan-out is queued on commit
            message = services.send_push(app=_app(), user=owner.user, text="Planned outage", tags=[tag])
        finished = PushDelivery.objects.filter(message=message)
        _wait(lambda: (finished.aggregate(n=Sum("count"))["n"] or 0) == len(ids), seconds=120, what="10,000 deliveries")
    results = selectors.delivery_results(message_id=message.pk)
    assert len(results) == 10_000
    assert {r.registration_id for r in results} == set(ids)  # each exactly once
    assert Counter(r.state for r in results) == {State.SENT: 10_000}
    assert PushMessage.objects.get(pk=message.pk).fanned_out_at is not None
    chunks = PushChunk.objects.filter(message=message).values_list("state", flat=True)
    assert list(chunks) == [Chunk.DONE] * 2  # the console provider's chunks of 5,000


def _dying_worker(env_extra: dict) -> subprocess.Popen:
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        **env_extra,
        "DJANGO_SETTINGS_MODULE": "tests.notifications.dying_worker_settings",
        "DATABASE_URL": database_url,
        "CELERY_BROKER_URL": _broker_url(),
    }
    command = [sys.executable, "-m", "celery", "-A", "esmart", "worker", "-P", "solo", "-c", "1", "-l", "WARNING"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"), reason="a worker process")
def test_a_worker_killed_mid_chunk_sends_nothing_twice_and_the_sweep_retries_the_unsent(owner, tmp_path, monkeypatch):
    sent_file = tmp_path / "sent.log"
    monkeypatch.setenv("NOTIFICATIONS_TEST_SENT_LOG", str(sent_file))
    sent_file.touch()
    tag = (PushIdentifierTypes.UserId, str(owner.user.pk))
    ids = bulk_registrations(app=_app(), user=owner.user, count=1000, tag=tag, evenly=True)  # 5 × 200
    message = PushMessageFactory(app=_app(), text="Outage", tags=[list(tag)], sent_by=owner.user)

    # 1. A worker process (chunks of 200, batches of 50) SIGKILLs itself on its 231st send: chunk 1
    # is done, chunk 2 has sent 30 of its first batch; chunks 3-5 wait in the queue.
    worker = _dying_worker({"NOTIFICATIONS_TEST_DIE_AFTER": "230"})
    try:
        options = {**celery_app.conf.broker_transport_options, "global_keyprefix": f"test-{settings.TEST_WORKER}:"}
        with (
            warnings.catch_warnings(),
            celery_app.connection_for_write(_broker_url(), transport_options=options) as broker,
        ):
            warnings.simplefilter("ignore", AlwaysEagerIgnored)  # the test settings are eager; this is not
            celery_app.send_task(
                "apps.notifications.tasks.fan_out", kwargs={"message_id": message.pk}, connection=broker
            )
        assert worker.wait(timeout=90) == -9, worker.stderr.read().decode()[-3000:]
    finally:
        if worker.poll() is None:
            worker.kill()
    assert len(sent_log()) == 230
    # Chunk 1 done (200 rows); chunk 2 held by the dead run with its first batch in flight (50, 30
    # of them sent, no rows yet); chunks 3-5 pending.
    assert _states(message) == {State.SENT: 200}
    chunks = list(PushChunk.objects.filter(message=message).order_by("seq"))
    assert [c.state for c in chunks] == [Chunk.DONE, Chunk.SENDING, Chunk.PENDING, Chunk.PENDING, Chunk.PENDING]
    chunk_two = chunks[1]
    in_flight = selectors.in_flight_ids(chunk=chunk_two)
    assert len(in_flight) == 50 and set(in_flight) <= set(ids)

    # 2. Another worker: the broker redelivers the killed chunk (its message was never acked) once
    # the visibility timeout has passed; chunks 3-5 run too. The redelivered chunk sends nothing.
    saved = celery_app.conf.broker_transport_options
    celery_app.conf.broker_transport_options = {
        **saved,
        "visibility_timeout": 1,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    time.sleep(1.2)  # past the visibility timeout
    provider = "tests.notifications.providers.RecordingProvider"
    try:
        with (
            override_settings(NOTIFICATIONS_PUSH_PROVIDER=provider, NOTIFICATIONS_PUSH_SEND_BATCH=50),
            ChunkRuns() as runs,
            running_worker(broker_db=BROKER_DB),
        ):
            _wait(
                lambda: len(runs.kwargs) >= 4 and any(k["chunk_id"] == chunk_two.pk for k in runs.kwargs),
                seconds=60,
                what="chunks 3-5 and the redelivered chunk 2",
            )
    finally:
        celery_app.conf.broker_transport_options = saved
    sends = Counter(registration for _, registration in sent_log())
    assert max(sends.values()) == 1 and len(sends) == 830
    assert _states(message) == {State.SENT: 800}
    assert PushChunk.objects.get(pk=chunk_two.pk).state == Chunk.SENDING  # still the dead run's

    # 3. After the claim timeout the sweep stores the 50 of the batch in flight as UNKNOWN, never
    # resending them, and queues the chunk again: its 150 never handed to a provider are sent
    # (at least attempted), as the chunk's second attempt.
    later = timezone.now() + conf.claim_timeout() + dt.timedelta(seconds=1)
    assert services.stale_chunks(now=later) == [chunk_two.pk]
    assert services.send_chunk(chunk_id=chunk_two.pk, provider=RecordingProvider()) == 150
    sends = Counter(registration for _, registration in sent_log())
    assert max(sends.values()) == 1 and len(sends) == 980
    results = selectors.delivery_results(message_id=message.pk)
    assert sorted(r.registration_id for r in results) == sorted(ids)  # one outcome per registration
    assert _states(message) == {State.SENT: 950, State.UNKNOWN: 50}
    assert {r.registration_id for r in results if r.state == State.UNKNOWN} == set(in_flight)
    assert {r.registration_id for r in results if r.state == State.SENT} <= set(sends)
    assert sum(1 for r in results if r.state == State.SENT and r.attempt == 2) == 150
    assert set(PushChunk.objects.filter(message=message).values_list("state", flat=True)) == {Chunk.DONE}
